"""Startup and shutdown: seconds from launching artui to its first frame and to the first
services on screen, beside a minimal Textual app (one Static) painting its first frame and
a bare boto3 script listing the same services; the CPU each app's process has used by its
first frame; and from `q` (pressed once the data shows) to the process having exited,
beside the same for the minimal app. Prints the minimum and the median of each (a busy
machine moves the median more than the minimum).

    python bench/startup.py [--runs N] [--no-bytecode-cache]

The simulator runs in this process (no demo world, so nothing else competes); artui, the
minimal app and the boto3 script run as fresh processes pointed at it, artui and the
minimal app in the same 80x24 pseudo-terminal setup, one after the other in each round.

Every side reads its modules' bytecode from one cache the warm-up round writes (a temporary
PYTHONPYCACHEPREFIX), as an installed artui does: with PYTHONDONTWRITEBYTECODE set and no
__pycache__ beside an editable checkout's sources, every launch would compile again the 57
artui modules it loads before its first frame (70 ms at best here), which no user pays.
`--no-bytecode-cache` measures the environment as it is instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from pty_app import PtyApp, sim_env

from artui.sim.server import Simulator

REGIONS = ("us-east-1", "eu-west-1")
TITLE = b"App Runner services"

# The floor: the least a Textual app does before its first frame (one Static), with `q`
# bound to quit as artui's is. Run with `python -c`, a fresh interpreter as artui's is.
MINIMAL_TEXT = b"Minimal Textual app"
MINIMAL_APP = f"""
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self):
        yield Static({MINIMAL_TEXT.decode()!r})

Minimal().run()
"""

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


def artui_run(env: dict[str, str], first_name: bytes) -> tuple[float, float, float, float]:
    """(first frame, first data, quit, CPU to first frame) seconds for one launch of artui in
    a pseudo-terminal (the CPU is the app's process alone, not the prefetch child's)."""
    app = PtyApp([arg for r in REGIONS for arg in ("--region", r)], env)
    try:
        frame = app.wait_for(TITLE)
        cpu = app.cpu_seconds()
        data = app.wait_for(first_name)
        return frame, data, app.quit(), cpu
    finally:
        app.stop()


def minimal_run(env: dict[str, str]) -> tuple[float, float, float]:
    """(first frame, quit, CPU to first frame) seconds for one launch of the minimal app in a
    pseudo-terminal."""
    app = PtyApp([MINIMAL_APP], env, program="-c")
    try:
        frame = app.wait_for(MINIMAL_TEXT)
        cpu = app.cpu_seconds()
        return frame, app.quit(), cpu
    finally:
        app.stop()


def _figures(values: list[float], scale: float = 1.0, unit: str = "s") -> str:
    """'min / median' of `values`, in seconds (or milliseconds with scale=1000, unit='ms')."""
    low, mid = min(values) * scale, statistics.median(values) * scale
    digits = 0 if unit == "ms" else 3
    return f"{low:.{digits}f} / {mid:.{digits}f} {unit}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="leave PYTHONDONTWRITEBYTECODE and PYTHONPYCACHEPREFIX as they are",
    )
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with (
        Simulator(regions=REGIONS, services=7, world=False, time_scale=0) as sim,
        tempfile.TemporaryDirectory(prefix="artui-bench-pyc-") as pycache,
    ):
        env = sim_env(sim.env())
        if not args.no_bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = pycache
        import boto3

        client = boto3.client(
            "apprunner",
            region_name=REGIONS[0],
            endpoint_url=sim.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        first_name = client.list_services()["ServiceSummaryList"][0]["ServiceName"].encode()
        bare_boto3(env)  # warm the disk cache (and write the bytecode) for every side
        minimal_run(env)
        artui_run(env, first_name)
        # Interleaved, so a busy moment on the machine lands on every side alike.
        bare, minimal, runs = [], [], []
        for _ in range(args.runs):
            bare.append(bare_boto3(env))
            minimal.append(minimal_run(env))
            runs.append(artui_run(env, first_name))
    frame = [r[0] for r in runs]
    data = [r[1] for r in runs]
    floor = [m[0] for m in minimal]
    # Each round's artui against the minimal app launched just before it, then the median.
    ratio = statistics.median(r[0] / m[0] for r, m in zip(runs, minimal, strict=True))
    data_ratio = statistics.median(r[1] / b for r, b in zip(runs, bare, strict=True))
    cache = "as the environment has it" if args.no_bytecode_cache else "cached (as installed)"
    print(f"runs: {args.runs} (min / median), {len(REGIONS)} regions, 14 services, 80x24 pty")
    print(f"bytecode: {cache}; load average {load:.2f} -> {os.getloadavg()[0]:.2f}")
    print(f"artui first frame:          {_figures(frame)}   (target < 0.6 s)")
    print(f"minimal Textual app frame:  {_figures(floor)}   (one Static)")
    print(
        f"first frame / minimal:      {ratio:.2f}x median of per-round ratios, "
        f"{min(frame) / min(floor):.2f}x min / min  (target <= 1.3x)"
    )
    # CPU seconds of the app's process when the bench saw the frame (10 ms ticks): a busy
    # machine stretches them less than wall time, though a late look adds what came after.
    cpu, cpu_floor = [r[3] for r in runs], [m[2] for m in minimal]
    cpu_ratio = statistics.median(cpu) / statistics.median(cpu_floor)
    print(
        f"CPU to first frame:         artui {_figures(cpu, 1000, 'ms')}, minimal "
        f"{_figures(cpu_floor, 1000, 'ms')}  ({cpu_ratio:.2f}x medians)"
    )
    print(f"artui services on screen:   {_figures(data)}")
    print(f"bare boto3 list script:     {_figures(bare)}")
    print(f"data / bare ratio:          {data_ratio:.2f}x  (target <= 1.5x)")
    quit_artui = _figures([r[2] for r in runs], 1000, "ms")
    print(f"q to exited, artui:         {quit_artui}  (target < 200 ms)")
    print(f"q to exited, minimal app:   {_figures([m[1] for m in minimal], 1000, 'ms')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
