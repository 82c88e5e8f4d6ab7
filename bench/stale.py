"""Dead network: seconds from a poll against an endpoint that refuses connections to STALE
on screen. The simulator stops (its port now refuses), then `r` asks for a poll at once.

    python bench/stale.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from pty_app import PtyApp, sim_env

from artui.sim.server import Simulator


def one_run() -> float:
    """Seconds from `r` to STALE once the simulator has gone away."""
    sim = Simulator(regions=("us-east-1",), services=3, world=False, time_scale=0)
    sim.start()
    app = PtyApp(["--region", "us-east-1"], sim_env(sim.env()))
    try:
        app.wait_for(b"updated")
        app.drain(1.0)  # the app's own connection is up and has polled
        sim.stop()
        start = time.perf_counter()
        os.write(app.master, b"r")
        while b"STALE" not in app.screen:
            if time.perf_counter() - start > 60:
                raise TimeoutError("STALE never shown")
            app.drain(0.02)
        return time.perf_counter() - start
    finally:
        app.stop()
        sim.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = [one_run() for _ in range(args.runs)]
    print(f"runs: {args.runs}; r to STALE with the endpoint refusing connections")
    median, worst = statistics.median(times), max(times)
    print(f"median {median * 1000:.0f} ms, worst {worst * 1000:.0f} ms  (target < 3 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
