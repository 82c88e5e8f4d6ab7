"""Startup: seconds from launching artui to its first frame and to the first services on
screen, beside a bare boto3 script listing the same services. Prints medians.

    python bench/startup.py [--runs N]

The simulator runs in this process (no demo world, so nothing else competes); artui and
the boto3 script run as fresh processes pointed at it, artui in an 80x24 pseudo-terminal.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import termios
import time

from artui.sim.server import Simulator

REGIONS = ("us-east-1", "eu-west-1")
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]|\x1b\][^\x07]*\x07")
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


def artui_run(env: dict[str, str], first_name: bytes, timeout: float = 30.0) -> tuple[float, float]:
    """(first frame, first data) seconds for one launch of artui in a pseudo-terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "artui", *sum((["--region", r] for r in REGIONS), [])],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    screen = b""
    first_frame = first_data = None
    try:
        while first_data is None:
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"no data on screen after {timeout}s:\n{screen[-2000:]!r}")
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                raise RuntimeError(f"artui exited:\n{screen[-2000:]!r}") from None
            now = time.perf_counter() - start
            screen += ANSI.sub(b"", chunk)
            if first_frame is None and TITLE in screen:
                first_frame = now
            if first_frame is not None and first_name in screen:
                first_data = now
        assert first_frame is not None
        return first_frame, first_data
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
        os.close(master)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with Simulator(regions=REGIONS, services=7, world=False, time_scale=0) as sim:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
            **sim.env(),
            "TERM": "xterm-256color",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
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
        bare = [bare_boto3(env) for _ in range(args.runs)]
        runs = [artui_run(env, first_name) for _ in range(args.runs)]
    frame = statistics.median(r[0] for r in runs)
    data = statistics.median(r[1] for r in runs)
    script = statistics.median(bare)
    print(f"runs: {args.runs} (medians), {len(REGIONS)} regions, 14 services, 80x24 pty")
    print(f"artui first frame:        {frame:.3f} s   (target < 0.6 s)")
    print(f"artui services on screen: {data:.3f} s")
    print(f"bare boto3 list script:   {script:.3f} s")
    print(f"data / bare ratio:        {data / script:.2f}x  (target < 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
