"""Seconds from a line being written to CloudWatch Logs (the simulator's moto) until artui's
logs pane shows it, with Live Tail and with FilterLogEvents polling. Prints p50/p95/max.

    python bench/tail_latency.py [--lines N]

artui runs as a fresh process in an 80x24 pseudo-terminal, on the logs pane of the first
service; this script writes one marked line at a time (PutLogEvents through the simulator,
as App Runner's agent would) and times until the marker is drawn. The simulator sends a
Live Tail update every second, as AWS does; polling is forced with the simulator's control
(`POST /_sim/livetail {"mode": "refuse"}`) and `r`, which starts the tail again.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import urllib.request
import uuid

import boto3
from pty_app import PtyApp, sim_env

from artui.sim.server import Simulator

REGION = "us-east-1"


def control(sim: Simulator, path: str, doc: dict[str, str]) -> None:
    request = urllib.request.Request(
        sim.endpoint + path, data=json.dumps(doc).encode(), method="POST"
    )
    request.add_header("Content-Type", "application/json")
    urllib.request.urlopen(request, timeout=10).close()


def writer(sim: Simulator, name: str, service_id: str):  # type: ignore[no-untyped-def]
    """A function writing one line to the service's application log."""
    kwargs = {
        "region_name": REGION,
        "endpoint_url": sim.endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    logs = boto3.client("logs", **kwargs)
    group = f"/aws/apprunner/{name}/{service_id}/application"
    stream = "instance/bench0000"
    for create, args in (
        (logs.create_log_group, {"logGroupName": group}),
        (logs.create_log_stream, {"logGroupName": group, "logStreamName": stream}),
    ):
        try:
            create(**args)
        except logs.exceptions.ResourceAlreadyExistsException:
            pass

    def write(line: str) -> None:
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": int(time.time() * 1000), "message": line}],
        )

    return write


def measure(app: PtyApp, write, lines: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Seconds from each write to its line on screen."""
    took = []
    for _ in range(lines):
        # Spread the writes over the tail's one-second cycle.
        time.sleep(random.uniform(0.1, 1.1))
        marker = f"mark-{uuid.uuid4().hex[:12]}".encode()
        start = time.perf_counter()
        write(marker.decode())
        while marker not in app.screen:
            if time.perf_counter() - start > 30:
                raise TimeoutError(f"{marker!r} not on screen after 30 s")
            app.drain(0.005)
        took.append(time.perf_counter() - start)
        app.screen = app.screen[-20000:]  # only recent output matters
    return took


def report(mode: str, took: list[float], target: float) -> None:
    ordered = sorted(took)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"{mode:<10} p50 {statistics.median(took):.2f} s  p95 {p95:.2f} s  "
        f"max {ordered[-1]:.2f} s  (target < {target} s; {len(took)} lines)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20)
    args = parser.parse_args()
    with Simulator(regions=(REGION,), services=3, world=False, time_scale=0) as sim:
        apprunner = boto3.client(
            "apprunner",
            region_name=REGION,
            endpoint_url=sim.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        first = apprunner.list_services()["ServiceSummaryList"][0]
        write = writer(sim, first["ServiceName"], first["ServiceId"])
        app = PtyApp(["--region", REGION], sim_env(sim.env()))
        try:
            app.wait_for(first["ServiceName"].encode())
            app.drain(0.3)
            os.write(app.master, b"l")
            app.wait_for(b"Live Tail")
            live = measure(app, write, args.lines)
            control(sim, "/_sim/livetail", {"mode": "refuse"})
            app.screen = b""
            os.write(app.master, b"r")
            # wait_for counts from the launch: give it 30 s from now.
            app.wait_for(b"polling", timeout=time.perf_counter() - app.started + 30)
            polled = measure(app, write, args.lines)
        finally:
            app.stop()
    print(f"{REGION}, one service's application log, 80x24 pty; Live Tail updates every 1 s")
    report("Live Tail", live, 1.5)
    report("polling", polled, 2.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
