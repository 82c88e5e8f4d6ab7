"""The logs pane under a flood: ingest rate, key latency at 20,000 events/s, CPU at 500 lines/s,
and memory with a full 50,000-line buffer. Prints its figures.

    python bench/logs.py [--size 120x40] [--presses 40] [--stock]

Each measurement runs bench/logs_app.py (one LogView fed from a timer in batches, as the
tail feeds it) in a real pseudo-terminal, so every repaint is really written and read:

- ingest: the events per second the app takes in at rising rates, and where it saturates;
- latency: `t` (timestamps) pressed at random moments at 20,000 events/s; (a) from the key
  written to the pty to the action running in the app (reported by the app), (b) to the
  first row drawn with the new state arriving on the pty;
- CPU: process CPU time over wall time at 500 (and 1,000) lines/s over 10 s;
- memory: RSS each second while a 50,000-line buffer fills and then stays full.

--stock also runs the CPU and memory figures for Textual's own Log, for comparison;
--gc-freeze also measures latency with gc.freeze() called once the app is up.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from pty_app import PtyApp

APP = Path(__file__).resolve().parent / "logs_app.py"
# A row drawn from the pane's left edge (column 1, or 2 past its padding) starting with a
# timestamp (on), or with the tag (off).
_ROW = rb"\x1b\[\d+;[12]H(?:\x1b\[[0-9;]*m)*(?: (?:\x1b\[[0-9;]*m)*)?"
STAMPED = re.compile(_ROW + rb"\d\d:\d\d:\d\d\.\d{3} ")
UNSTAMPED = re.compile(_ROW + rb"[0-9a-f]{8} ")


class Flood(PtyApp):
    """bench/logs_app.py in a pseudo-terminal, its output read (and searched) by a thread."""

    def __init__(
        self,
        rate: float,
        size: tuple[int, int],
        *,
        max_lines: int = 50_000,
        stock: bool = False,
        freeze: bool = False,
    ):
        self.report_path = tempfile.mktemp(prefix="artui-logs-bench-")
        args = ["--rate", str(rate), "--max-lines", str(max_lines), "--report", self.report_path]
        args += (["--stock"] if stock else []) + (["--gc-freeze"] if freeze else [])
        env = {**os.environ, "TERM": "xterm-256color"}
        super().__init__(args, env, size, program=str(APP))
        self.bytes = 0
        self.tail = b""
        self.expect: re.Pattern[bytes] | None = None
        self.found: float | None = None
        self.lock = threading.Lock()
        self.closed = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while not self.closed:
            try:
                chunk = os.read(self.master, 262144)
            except OSError:
                return
            now = time.perf_counter()
            with self.lock:
                self.bytes += len(chunk)
                window = self.tail + chunk
                self.tail = window[-256:]
                if self.expect is not None and self.expect.search(window):
                    self.expect, self.found = None, now

    def report(self) -> list[list[str]]:
        """The app's report lines, split."""
        try:
            return [line.split() for line in Path(self.report_path).read_text().splitlines()]
        except FileNotFoundError:
            return []

    def fed(self) -> tuple[float, int]:
        """(seconds of feeding, events fed) as last reported."""
        rows = [r for r in self.report() if r[0] == "fed"]
        return (float(rows[-1][1]), int(rows[-1][2])) if rows else (0.0, 0)

    def wait_fed(self, seconds: float, timeout: float = 60) -> None:
        """Wait until the app has been feeding for `seconds`."""
        deadline = time.perf_counter() + timeout
        while self.fed()[0] < seconds:
            if time.perf_counter() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"the flood app did not get going:\n{self.tail!r}")
            time.sleep(0.05)

    def collections(self) -> list[float]:
        """Milliseconds each full garbage collection took so far."""
        return [float(r[1]) for r in self.report() if r[0] == "gc"]

    def actions(self) -> list[float]:
        return [float(r[1]) for r in self.report() if r[0] == "action"]

    def press(
        self, key: bytes, shows: re.Pattern[bytes], timeout: float = 5
    ) -> tuple[float, float]:
        """Press `key`; seconds until its action ran and until output matching `shows` came."""
        before = len(self.actions())
        with self.lock:
            self.expect, self.found = shows, None
        pressed = time.perf_counter()
        os.write(self.master, key)
        deadline = pressed + timeout
        while True:
            actions = self.actions()
            with self.lock:
                found = self.found
            if len(actions) > before and found is not None:
                return actions[before] - pressed, found - pressed
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no repaint after {key!r}")
            time.sleep(0.002)

    def memory(self) -> tuple[int, int]:
        """(RSS, peak RSS) in KiB."""
        status = dict(
            line.split(":", 1) for line in open(f"/proc/{self.proc.pid}/status").read().splitlines()
        )
        return int(status["VmRSS"].split()[0]), int(status["VmHWM"].split()[0])

    def stop(self) -> None:
        self.closed = True
        super().stop()
        Path(self.report_path).unlink(missing_ok=True)


def ingest(rate: float, size: tuple[int, int], seconds: float = 6) -> float:
    """Events per second taken in over `seconds`, after two to warm up."""
    flood = Flood(rate, size)
    try:
        flood.wait_fed(2)
        start = flood.fed()
        flood.wait_fed(2 + seconds)
        end = flood.fed()
    finally:
        flood.stop()
    return (end[1] - start[1]) / (end[0] - start[0])


def latency(
    rate: float, size: tuple[int, int], presses: int, freeze: bool = False
) -> tuple[list[float], list[float]]:
    """Key-to-action and key-to-repaint seconds for `presses` presses of `t`."""
    flood = Flood(rate, size, freeze=freeze)
    actions, repaints = [], []
    try:
        flood.wait_fed(3)  # 60,000 lines: the buffer is full
        collected = len(flood.collections())
        start = time.perf_counter()
        shows = STAMPED  # timestamps start hidden
        for _ in range(presses):
            time.sleep(random.uniform(0.2, 0.45))
            action, repaint = flood.press(b"t", shows)
            actions.append(action)
            repaints.append(repaint)
            shows = UNSTAMPED if shows is STAMPED else STAMPED
        fed = flood.fed()
        pauses = flood.collections()[collected:]
        spent = time.perf_counter() - start
    finally:
        flood.stop()
    longest = f"{max(pauses):.0f}" if pauses else "-"
    print(f"  fed {fed[1] / fed[0]:,.0f} events/s; {len(pauses)} full garbage collections in")
    print(f"  {spent:.0f} s, the longest {longest} ms")
    return actions, repaints


def cpu(rate: float, size: tuple[int, int], seconds: float = 10, stock: bool = False) -> float:
    """Share of a core used at `rate` lines/s, after three seconds to settle."""
    flood = Flood(rate, size, stock=stock)
    try:
        flood.wait_fed(3)
        before, start = flood.cpu_seconds(), time.perf_counter()
        time.sleep(seconds)
        used, wall = flood.cpu_seconds() - before, time.perf_counter() - start
    finally:
        flood.stop()
    return used / wall


def memory(rate: float, size: tuple[int, int], seconds: int, stock: bool = False) -> list[tuple]:
    """(second, lines fed, RSS KiB, peak KiB) each second for `seconds`."""
    flood = Flood(rate, size, stock=stock)
    samples = []
    try:
        flood.wait_fed(0.01)
        start = time.perf_counter()
        for second in range(1, seconds + 1):
            time.sleep(max(0.0, start + second - time.perf_counter()))
            samples.append((second, flood.fed()[1], *flood.memory()))
    finally:
        flood.stop()
    return samples


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="120x40", help="terminal columns x rows")
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--stock", action="store_true", help="also measure Textual's Log")
    parser.add_argument("--gc-freeze", action="store_true", help="also latency with gc.freeze()")
    args = parser.parse_args()
    cols, rows = (int(n) for n in args.size.split("x"))
    size = (cols, rows)
    print(f"the logs pane in a {cols}x{rows} pty, LogLines posted every 20 ms, max_lines 50,000")

    print("ingest (events/s taken in at a target rate):")
    best = 0.0
    for rate in (20_000, 40_000, 80_000, 160_000):
        got = ingest(rate, size)
        kept = got >= 0.97 * rate
        print(f"  target {rate:>7,}: {got:>9,.0f}/s  {'kept up' if kept else 'fell behind'}")
        if not kept:
            break
        best = rate
    print(f"  highest rate sustained: {best:,}/s; keeps up with 20,000/s: {best >= 20_000}")

    for freeze in (False, True) if args.gc_freeze else (False,):
        how = ", gc.freeze() once up" if freeze else ""
        print(f"latency at 20,000 events/s ({args.presses} presses of t{how}):")
        actions, repaints = latency(20_000, size, args.presses, freeze)
        for name, values in (("key -> action ", actions), ("key -> repaint", repaints)):
            print(
                f"  {name}: p50 {pct(values, 50) * 1000:5.1f} ms"
                f"  p95 {pct(values, 95) * 1000:5.1f} ms  max {max(values) * 1000:5.1f} ms"
            )

    for rate in (500, 1000):
        share = cpu(rate, size)
        line = f"CPU at {rate:,} lines/s: {share * 100:.1f}% of a core"
        if args.stock:
            line += f"  (stock Log: {cpu(rate, size, stock=True) * 100:.1f}%)"
        print(line)

    for stock in (False, True) if args.stock else (False,):
        samples = memory(10_000, size, 20, stock=stock)
        name = "stock Log" if stock else "LogView"
        print(f"memory at 10,000 lines/s, max_lines 50,000 ({name}), each 2 s:")
        for _, fed, rss, _ in samples[::2]:
            print(f"  {fed:>8,} lines fed  RSS {rss / 1024:6.1f} MiB")
        print(f"  peak RSS {samples[-1][3] / 1024:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
