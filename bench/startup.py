"""Startup and shutdown: seconds from launching artui to its first frame and to the first
services on screen, beside a bare boto3 script listing the same services; and from `q`
(pressed once the data shows) to the process having exited. Prints medians.

    python bench/startup.py [--runs N]

The simulator runs in this process (no demo world, so nothing else competes); artui and
the boto3 script run as fresh processes pointed at it, artui in an 80x24 pseudo-terminal.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from pty_app import PtyApp, sim_env

from artui.sim.server import Simulator

REGIONS = ("us-east-1", "eu-west-1")
TITLE = b"App Runner services"

BARE_SCRIPT = """
import boto3
for region in {regions!r}:
    client = boto3.client("apprunner", region_name=region)
    kwargs = {{"MaxResults": 20}}
    while True:
        page = client.list_services(**kwargs)
        for s in page["ServiceSummaryList"]:
            print(s["ServiceName"], s["Status"], region)
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
"""


def bare_boto3(env: dict[str, str]) -> float:
    """Seconds for a fresh Python to list every service with plain boto3."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", BARE_SCRIPT.format(regions=REGIONS)],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def artui_run(env: dict[str, str], first_name: bytes) -> tuple[float, float, float]:
    """(first frame, first data, quit) seconds for one launch of artui in a pseudo-terminal."""
    app = PtyApp([arg for r in REGIONS for arg in ("--region", r)], env)
    try:
        frame, data = app.wait_for(TITLE), app.wait_for(first_name)
        return frame, data, app.quit()
    finally:
        app.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with Simulator(regions=REGIONS, services=7, world=False, time_scale=0) as sim:
        env = sim_env(sim.env())
        import boto3

        client = boto3.client(
            "apprunner",
            region_name=REGIONS[0],
            endpoint_url=sim.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        first_name = client.list_services()["ServiceSummaryList"][0]["ServiceName"].encode()
        bare_boto3(env)  # warm the disk cache for both sides
        artui_run(env, first_name)
        # Interleaved, so a busy moment on the machine lands on both sides alike.
        bare, runs = [], []
        for _ in range(args.runs):
            bare.append(bare_boto3(env))
            runs.append(artui_run(env, first_name))
    frame = statistics.median(r[0] for r in runs)
    data = statistics.median(r[1] for r in runs)
    script = statistics.median(bare)
    print(f"runs: {args.runs} (medians), {len(REGIONS)} regions, 14 services, 80x24 pty")
    print(f"artui first frame:        {frame:.3f} s   (target < 0.6 s)")
    print(f"artui services on screen: {data:.3f} s")
    print(f"bare boto3 list script:   {script:.3f} s")
    print(f"data / bare ratio:        {data / script:.2f}x  (target <= 1.5x)")
    quit_ = statistics.median(r[2] for r in runs)
    print(f"q to exited:              {quit_ * 1000:.0f} ms  (target < 200 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
