"""Idle cost: the share of a core artui uses, and the requests it makes, while it sits on
the services screen (refresh 5 s, nothing in progress) against a simulator in this process
(no demo world, clock stopped so no operation is running).

    python bench/idle.py [--seconds S] [--services N]
"""

from __future__ import annotations

import argparse
import sys
import time

from pty_app import PtyApp, sim_env

from artui.sim.server import Simulator


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--services", type=int, default=14, help="in all, over two regions")
    args = parser.parse_args()
    per_region = args.services // 2
    regions = ("us-east-1", "eu-west-1")
    with Simulator(regions=regions, services=per_region, world=False, time_scale=0) as sim:
        app = PtyApp(["--region", "us-east-1", "--region", "eu-west-1"], sim_env(sim.env()))
        try:
            app.wait_for(b"updated")
            # Settle first: the prefetched list is on screen before the app has finished
            # loading the AWS libraries and polling on its own.
            settle = time.perf_counter() + 5
            while time.perf_counter() < settle:
                app.drain(0.5)
            sim.requests.clear()
            before, start = app.cpu_seconds(), time.perf_counter()
            while time.perf_counter() - start < args.seconds:
                app.drain(0.5)  # keep the terminal's buffer from filling
            used, elapsed = app.cpu_seconds() - before, time.perf_counter() - start
            calls = len(sim.requests.entries())
        finally:
            app.stop()
    total = per_region * len(regions)
    print(f"idle on the services screen, refresh 5 s, {total} services, {elapsed:.0f} s measured")
    print(f"CPU: {used:.2f} s = {100 * used / elapsed:.1f}% of one core  (target < 1%)")
    print(f"requests: {calls} = {calls / elapsed:.2f}/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
