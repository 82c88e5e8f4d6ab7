"""Idle cost: the share of a core artui uses, and the requests it makes, while it sits on
the services screen (refresh 5 s, nothing in progress) against a simulator in this process
(no demo world, clock stopped so no operation is running).

    python bench/idle.py [--seconds S] [--services N] [--accounts N]

With --accounts N > 1, artui lists N simulated accounts at once (a profile each, p0, p1, ...,
through a temporary AWS config, as bench/fleet.py's `aim`); --services stays the total,
split evenly over the accounts and the two regions.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from pty_app import PtyApp, sim_env

from artui.sim.server import Simulator

REGIONS = ("us-east-1", "eu-west-1")
# The simulator takes an access key id of 12 digits as that account (bench/fleet.py).
ACCOUNTS = ("123456789012", "210987654321", "314159265358", "271828182845")


def profiles_config(accounts: int, folder: Path) -> Path:
    """An AWS config with a profile per simulated account: p0, p1, ..."""
    config = folder / "config"
    config.write_text(
        "".join(
            f"[profile p{n}]\naws_access_key_id = {key}\naws_secret_access_key = s\n"
            for n, key in enumerate(ACCOUNTS[:accounts])
        )
    )
    return config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--services", type=int, default=14, help="in all, over two regions and every account"
    )
    parser.add_argument(
        "--accounts", type=int, default=1, choices=range(1, len(ACCOUNTS) + 1), metavar="N"
    )
    args = parser.parse_args()
    per_region = args.services // (len(REGIONS) * args.accounts)
    regions_args = [arg for region in REGIONS for arg in ("--region", region)]
    with (
        tempfile.TemporaryDirectory() as folder,
        Simulator(regions=REGIONS, services=per_region, world=False, time_scale=0) as sim,
    ):
        env = sim_env(sim.env())
        profile_args: list[str] = []
        if args.accounts > 1:
            env["AWS_CONFIG_FILE"] = str(profiles_config(args.accounts, Path(folder)))
            for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
                env.pop(key, None)
            profile_args = [arg for n in range(args.accounts) for arg in ("--profile", f"p{n}")]
        app = PtyApp([*profile_args, *regions_args], env)
        try:
            app.wait_for(b"updated")
            # Settle first: the prefetched list is on screen before the app has finished
            # loading the AWS libraries and polling on its own.
            settle = time.perf_counter() + 5
            while time.perf_counter() < settle:
                app.drain(0.5)
            shown = f"{per_region * len(REGIONS) * args.accounts} services".encode()
            if shown not in app.screen[-20000:]:
                raise RuntimeError(f"{shown!r} not on screen:\n{app.screen[-2000:]!r}")
            sim.requests.clear()
            before, start = app.cpu_seconds(), time.perf_counter()
            while time.perf_counter() - start < args.seconds:
                app.drain(0.5)  # keep the terminal's buffer from filling
            used, elapsed = app.cpu_seconds() - before, time.perf_counter() - start
            calls = len(sim.requests.entries())
        finally:
            app.stop()
    total = per_region * len(REGIONS) * args.accounts
    print(
        f"idle on the services screen, refresh 5 s, {total} services in {args.accounts} "
        f"account(s), {elapsed:.0f} s measured"
    )
    print(f"CPU: {used:.2f} s = {100 * used / elapsed:.1f}% of one core  (target < 1%)")
    print(f"requests: {calls} = {calls / elapsed:.2f}/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
