"""Seconds from `l` on the services list to the logs pane's first lines drawn, and to
`Live Tail` in its status line. Prints min / p50 / max over the runs.

    python bench/logs_open.py [--runs N] [--services N]

artui runs as a fresh process in an 80x24 pseudo-terminal against a simulator (its clock
stopped, no world); every service's application log holds one marked line written a
minute ago, so whichever row the cursor is on, its log has a line to show. Each run
presses `l`, times until the marker is drawn and until `Live Tail` shows, then `escape`
back to the list. The first run also pays for the CloudWatch Logs client (its model
loaded, its connection made), so it is reported apart from the others.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid

import boto3
from pty_app import PtyApp, sim_env

from artui.sim.server import Simulator

REGION = "us-east-1"


def write_marker(sim: Simulator, marker: str) -> None:
    """One line stamped a minute ago in every service's application log."""
    kwargs = {
        "region_name": REGION,
        "endpoint_url": sim.endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    apprunner = boto3.client("apprunner", **kwargs)
    logs = boto3.client("logs", **kwargs)
    for service in apprunner.list_services()["ServiceSummaryList"]:
        group = f"/aws/apprunner/{service['ServiceName']}/{service['ServiceId']}/application"
        stream = "instance/bench0000"
        for create, args in (
            (logs.create_log_group, {"logGroupName": group}),
            (logs.create_log_stream, {"logGroupName": group, "logStreamName": stream}),
        ):
            try:
                create(**args)
            except logs.exceptions.ResourceAlreadyExistsException:
                pass
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": int((time.time() - 60) * 1000), "message": marker}],
        )


def until(app: PtyApp, text: bytes, start: float, timeout: float = 30.0) -> float:
    """Seconds from `start` until `text` is on screen."""
    while text not in app.screen:
        if time.perf_counter() - start > timeout:
            raise TimeoutError(f"{text!r} not on screen after {timeout} s")
        app.drain(0.002)
    return time.perf_counter() - start


def one_run(app: PtyApp, marker: bytes) -> tuple[float, float]:
    """`l`, then (seconds to the marker, seconds to Live Tail); back to the list after."""
    app.screen = b""
    start = time.perf_counter()
    os.write(app.master, b"l")
    lines = until(app, marker, start)
    live = until(app, b"Live Tail", start)
    os.write(app.master, b"\x1b")
    until(app, b"services  updated", time.perf_counter(), timeout=10)
    app.drain(0.5)  # the list settles; the tail has stopped
    return lines, live


def figures(label: str, took: list[float]) -> str:
    if not took:
        return f"{label:<32} -"
    return (
        f"{label:<32} min {min(took):.2f} s  p50 {statistics.median(took):.2f} s  "
        f"max {max(took):.2f} s  ({len(took)} runs)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--services", type=int, default=3)
    args = parser.parse_args()
    marker = f"mark-{uuid.uuid4().hex[:12]}"
    with Simulator(regions=(REGION,), services=args.services, world=False, time_scale=0) as sim:
        write_marker(sim, marker)
        app = PtyApp(["--region", REGION], sim_env(sim.env()))
        try:
            app.wait_for(b"checkout-api")  # a row of the list
            app.drain(1.0)
            runs = [one_run(app, marker.encode()) for _ in range(args.runs)]
        finally:
            app.stop()
    print(f"{REGION}, {args.services} services, 80x24 pty; Live Tail updates every 1 s")
    print(figures("first l: first lines", [runs[0][0]]))
    print(figures("first l: Live Tail", [runs[0][1]]))
    print(figures("later l: first lines", [r[0] for r in runs[1:]]))
    print(figures("later l: Live Tail", [r[1] for r in runs[1:]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
