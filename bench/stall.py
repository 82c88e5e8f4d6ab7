"""Event-loop stalls while the services list reads a fleet's metrics, and key to repaint on
the list: the longest the event loop is held during the first fleet read and the next, and
the p50 from pressing `o` (sort) to the new order's title being drawn.

    python bench/stall.py [--services 500] [--presses 21] [--size 80x24] [--gc-freeze]

The simulator runs in this process (one region, N services, its clock stopped, no demo
world); artui runs as a fresh process in a pseudo-terminal, started by this script in its
`--child` mode: the app as `artui.launch.build_app` builds it (refresh 5 s, as by default),
plus a ticker task on its event loop that wakes every 5 ms and notes how late each wake-up
is. A wake-up L ms late means the loop was held for about L ms: a key typed then waited
that long. For each of the two reads the child reports the longest hold inside the window
from the read's start to a second after its end (so the list's repaint with the new
figures counts): the first read (the whole hour, once the list has arrived) and the next
(asked for at once with the refresher's `refresh_now`, as `r` would: the newest minutes).

Then this script presses `o` and times until the new order's words are on screen: the title
and the re-sorted table are drawn in the same frame. The loop's longest hold while the keys
are pressed is printed too (the list's own polls every 5 s fall in it).

--gc-freeze makes the child call `gc.freeze()` once it has connected (AWS libraries and the
UI loaded), as an app may: the objects of the start are then never walked by a collection.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REGION = "us-east-1"
TICK = 0.005
SETTLE = 1.0  # seconds after a read ends that still count as its stall (the repaint)
# What the title says after each press of `o`, starting from the list's own order.
TITLES = (b"by 5xx share", b"by requests", b"by name")


# -- the child: artui with a ticker on its loop -----------------------------------------


def child(report_path: str, freeze: bool) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from artui.engine import metrics
    from artui.launch import build_app
    from artui.settings import Settings

    report = open(report_path, "a", buffering=1)
    ticks: list[tuple[float, float]] = []  # (when, ms late)
    reads: list[tuple[float, float, int]] = []  # (started, ended, services held)
    refreshers: list[Any] = []  # the fleet's refresher, once the app has connected
    done = asyncio.Event()

    def note(line: str) -> None:
        report.write(line + "\n")

    real_refresher = metrics.fleet_refresher

    def fleet_refresher(*args: Any, on_update: Any, **kwargs: Any) -> Any:
        started: list[float] = []

        def watched(polling: bool) -> None:
            if polling:
                started.append(time.perf_counter())
            else:
                store = refresher.store
                held = sum(
                    len(store.get(metrics.FLEET_KIND, s).value or {}) for s in refresher.scopes
                )
                reads.append((started[-1], time.perf_counter(), held))
                done.set()
            on_update(polling)

        refresher = real_refresher(*args, on_update=watched, **kwargs)
        refreshers.append(refresher)
        if freeze:
            gc.freeze()
        return refresher

    metrics.fleet_refresher = fleet_refresher  # the app looks it up on the module

    async def ticker() -> None:
        loop = asyncio.get_running_loop()
        due = loop.time() + TICK
        while True:
            await asyncio.sleep(max(0.0, due - loop.time()))
            now = loop.time()
            ticks.append((time.perf_counter(), (now - due) * 1000))
            due = max(due + TICK, now + TICK / 2)  # no catch-up burst after a stall

    def worst(since: float, until: float) -> float:
        # A wake-up `late` ms late at `at` means the loop was held from `at - late` to
        # `at`: only the part of that inside the window counts.
        return max(
            (min(late, (at - since) * 1000) for at, late in ticks if since <= at <= until),
            default=0.0,
        )

    async def driver() -> None:
        # The first read that holds any service's metrics (before the first list arrives,
        # the refresher reads for nobody), then the one after it.
        seen = 0
        for label in ("first", "next"):
            while not any(held for _, _, held in reads[seen:]):
                done.clear()
                await done.wait()
            index = next(i for i in range(seen, len(reads)) if reads[i][2])
            begin, end, _ = reads[index]
            seen = index + 1
            await asyncio.sleep(SETTLE)
            note(f"{label} {worst(begin, end + SETTLE):.1f} {end - begin:.3f}")
            if label == "first":
                refreshers[-1].refresh_now()
        ticks.clear()
        note("ready")
        # From here on the parent presses keys: the longest hold in each second.
        while True:
            await asyncio.sleep(1.0)
            if ticks:
                note(f"keys {max(late for _, late in ticks):.1f}")
                ticks.clear()

    async def main() -> None:
        app = build_app(Settings(regions=(REGION,), metrics_refresh=3600))
        tasks = [asyncio.create_task(ticker()), asyncio.create_task(driver())]
        try:
            await app.run_async()
        finally:
            for task in tasks:
                task.cancel()

    asyncio.run(main())


# -- the parent: the simulator, the pty, the keys ----------------------------------------


def read_report(path: str) -> list[str]:
    return Path(path).read_text().splitlines()


def wait_line(app: Any, path: str, prefix: str, timeout: float = 180.0) -> str:
    """The child's first report line starting with `prefix`, draining the terminal meanwhile."""
    deadline = time.perf_counter() + timeout
    while True:
        for line in read_report(path):
            if line.startswith(prefix):
                return line
        if time.perf_counter() > deadline:
            said = "\n".join(read_report(path))
            raise TimeoutError(f"no {prefix!r} from the app after {timeout}s; it said:\n{said}")
        app.drain(0.05)  # keep the terminal's buffer from filling
        app.screen = app.screen[-20000:]


def run(services: int, presses: int, size: tuple[int, int], freeze: bool) -> dict[str, Any]:
    from pty_app import PtyApp, sim_env

    from artui.sim.server import Simulator

    with (
        Simulator(
            regions=(REGION,), services=services, quota=max(services, 30), time_scale=0, world=False
        ) as sim,
        tempfile.TemporaryDirectory() as tmp,
    ):
        report = os.path.join(tmp, "report")
        Path(report).touch()
        args = ["--child", report, *(["--gc-freeze"] if freeze else [])]
        app = PtyApp(args, sim_env(sim.env()), size=size, program=__file__)
        try:
            first = [float(v) for v in wait_line(app, report, "first ").split()[1:]]
            after = [float(v) for v in wait_line(app, report, "next ").split()[1:]]
            wait_line(app, report, "ready")
            took = []
            for n in range(presses):
                time.sleep(random.uniform(0.2, 0.4))
                app.drain(0)
                app.screen = b""
                want = TITLES[n % len(TITLES)]
                start = time.perf_counter()
                os.write(app.master, b"o")
                while want not in app.screen:
                    if time.perf_counter() - start > 30:
                        raise TimeoutError(f"{want!r} not on screen 30 s after o")
                    app.drain(0.002)
                took.append((time.perf_counter() - start) * 1000)
            time.sleep(1.2)  # the child's last second of notes
            held = [
                float(line.split()[1]) for line in read_report(report) if line.startswith("keys ")
            ]
        finally:
            app.stop()
    return {"first": first, "next": after, "keys": took, "held": max(held, default=0.0)}


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        child(sys.argv[2], freeze="--gc-freeze" in sys.argv[3:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=500)
    parser.add_argument("--presses", type=int, default=21)
    parser.add_argument("--size", default="80x24", help="the terminal, columns x rows")
    parser.add_argument("--gc-freeze", action="store_true", help="gc.freeze() once connected")
    args = parser.parse_args()
    cols, rows = (int(v) for v in args.size.split("x"))
    got = run(args.services, args.presses, (cols, rows), args.gc_freeze)
    (first, first_s), (after, after_s) = got["first"], got["next"]
    keys = sorted(got["keys"])
    frozen = ", gc.freeze() once connected" if args.gc_freeze else ""
    print(f"{args.services} services, {REGION}, {cols}x{rows} pty{frozen}")
    print(
        f"max stall {max(first, after):.0f} ms  (first read {first:.0f} ms over {first_s:.2f} s,"
        f" next read {after:.0f} ms over {after_s:.2f} s; target < 150)"
    )
    print(
        f"key to repaint (o) p50 {statistics.median(keys):.0f} ms, max {keys[-1]:.0f} ms"
        f" ({len(keys)} presses; target p50 < 100); loop held at most {got['held']:.0f} ms"
        " meanwhile"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
