"""Idle cost: CPU seconds artui uses per minute while it sits on the services screen,
refreshing every 5 s against a simulator in this process (no demo world).

    python bench/idle.py [--seconds S]
"""

from __future__ import annotations

import argparse
import sys
import time

from pty_app import PtyApp, sim_env

from artui.sim.server import Simulator


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    with Simulator(regions=("us-east-1", "eu-west-1"), services=7, world=False) as sim:
        app = PtyApp(["--region", "us-east-1", "--region", "eu-west-1"], sim_env(sim.env()))
        try:
            app.wait_for(b"checkout-api")
            app.wait_for(b"updated")
            # Settle first: the prefetched list is on screen before the app has finished
            # loading the AWS libraries and polling on its own.
            settle = time.perf_counter() + 5
            while time.perf_counter() < settle:
                app.drain(0.5)
            before, start = app.cpu_seconds(), time.perf_counter()
            while time.perf_counter() - start < args.seconds:
                app.drain(0.5)  # keep the terminal's buffer from filling
            used, elapsed = app.cpu_seconds() - before, time.perf_counter() - start
        finally:
            app.stop()
    print(f"idle on the services screen, refresh 5 s, 14 services, {elapsed:.0f} s measured")
    print(f"CPU: {used:.2f} s = {100 * used / elapsed:.1f}% of one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
