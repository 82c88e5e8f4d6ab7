"""The app bench/logs.py floods: artui's logs pane, fed from a timer in batches the way the
tail feeds it (a LogLines message posted to the pane, which hands it to its LogView).

    python bench/logs_app.py --rate 20000 --report /tmp/report [--max-lines 50000]

It writes to the report file, one line each: `ready <t>` once mounted, `action <t>` when
the `t` key's action runs (perf_counter, the same clock across processes on Linux),
`fed <elapsed> <events>` about once a second (seconds since feeding began, events fed), and
`gc <ms>` for each full garbage collection (a pause every key waits behind).

--gc-freeze calls gc.freeze() once mounted, as an app may, so that full collections skip
the objects of the app's start.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App, ComposeResult  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import Log, Static  # noqa: E402

from artui.domain.apprunner import LogEvent, Service, ServiceStatus  # noqa: E402
from artui.domain.inert import inert  # noqa: E402
from artui.engine.store import Scope, Store  # noqa: E402
from artui.settings import Settings  # noqa: E402
from artui.ui.messages import LogLines  # noqa: E402
from artui.ui.panes.logs import LogsPane  # noqa: E402
from artui.ui.widgets.logview import LogView  # noqa: E402

TICK = 0.02  # the feeder's period: 50 batches a second
MAX_BATCH = 20_000  # a tail that fell behind still hands over bounded batches

STREAMS = [f"instance/{random.Random(i).getrandbits(64):016x}" for i in range(4)]
PATHS = ["/api/orders", "/api/orders/42", "/health", "/api/cart", "/static/app.js"]


def message(n: int) -> str:
    """A varied, realistic line: access logs, JSON, errors, the odd colour and trace."""
    kind = n % 20
    path = PATHS[n % len(PATHS)]
    if kind < 9:
        status = 503 if n % 97 == 0 else 200
        return (
            f'10.0.{n % 256}.{n % 199} - - [10/Oct/2026:13:55:36 +0000] "GET {path}?id={n} '
            f'HTTP/1.1" {status} {n % 5000} "-" "Mozilla/5.0 (X11; Linux x86_64)" rt=0.0{n % 9}'
        )
    if kind < 15:
        level = "error" if n % 53 == 0 else "info"
        return (
            f'{{"time": "2026-10-10T13:55:36.{n % 1000:03d}Z", "level": "{level}", '
            f'"msg": "handled request", "path": "{path}", "req": {n}, "ms": {n % 300}}}\n'
        )
    if kind < 19:
        return f"\x1b[32mINFO\x1b[0m worker {n % 8} processed job {n} in {n % 90} ms"
    return (
        f"ERROR job {n} failed\nTraceback (most recent call last):\n"
        f'  File "/app/worker.py", line {n % 400}, in run\n'
        f"    result = handler(payload)\nValueError: bad payload {n}\n"
    )


SERVICE = Service(
    name="flood",
    id="0" * 32,
    arn="arn:aws:apprunner:us-east-1:123456789012:service/flood/" + "0" * 32,
    region="us-east-1",
    status=ServiceStatus.RUNNING,
    raw_status="RUNNING",
)


def feed(target: LogsPane | Log, events: Sequence[LogEvent]) -> None:
    """Hand a batch over as the tail does: a LogLines message to the pane."""
    if isinstance(target, Log):  # --stock: Textual's own Log, for comparison
        target.write_lines(inert(e.message.rstrip("\n"), lines=True) for e in events)
    else:
        target.post_message(LogLines(target.token, list(events)))


def report_actions(report) -> None:
    """Write when the `t` key's action runs in the pane's LogView."""
    toggle = LogView.action_toggle_timestamps

    def reported(view: LogView) -> None:
        now = time.perf_counter()
        toggle(view)
        report.write(f"action {now:.6f}\n")

    LogView.action_toggle_timestamps = reported  # type: ignore[method-assign]


class FloodScreen(Screen):
    """The pane and the status line it updates, as in the service view."""

    def compose(self) -> ComposeResult:
        yield LogsPane(SERVICE)
        yield Static("", id="status")

    def update_status(self) -> None:
        self.query_one("#status", Static).update(self.query_one(LogsPane).status_text())


class FloodApp(App):
    """The logs pane on its own, with what it asks of artui's app: settings, a store, a
    clock and scopes (its requests for a tail go unanswered: the timer is the tail)."""

    CSS_PATH = str(Path(__file__).resolve().parent.parent / "artui" / "ui" / "app.tcss")

    def __init__(
        self, rate: float, max_lines: int, report, stock: bool = False, freeze: bool = False
    ) -> None:
        super().__init__()
        self.freeze = freeze
        self.stock = stock
        self.rate = rate
        self.max_lines = max_lines
        self.report = report
        self.settings = Settings(max_lines=max_lines)
        self.store = Store()
        self.clock = time.time
        self.sent = 0
        self.start = 0.0
        self.last_report = 0.0

    def compose(self) -> ComposeResult:
        if self.stock:
            yield Log(max_lines=self.max_lines, id="log")
            return

    def scope_of(self, service: Service) -> Scope:
        return Scope(None, service.region)

    async def on_mount(self) -> None:
        if self.stock:
            self.view = self.query_one("#log")
            self.view.focus()
        else:
            report_actions(self.report)
            await self.push_screen(FloodScreen())
            self.view = self.screen.query_one(LogsPane)
            self.view.shown()
            self.view.focus()
            self.view.view.timestamps = False
        self.start = self.last_report = time.perf_counter()
        self.set_interval(TICK, self.tick)
        self.report.write(f"ready {self.start:.6f}\n")
        if self.freeze:
            gc.freeze()

    def tick(self) -> None:
        now = time.perf_counter()
        due = min(int(self.rate * (now - self.start)) - self.sent, MAX_BATCH)
        if due > 0:
            base = self.sent
            stamp = int(time.time() * 1000)
            feed(
                self.view,
                [
                    LogEvent(stamp, message(n), STREAMS[n % len(STREAMS)])
                    for n in range(base, base + due)
                ],
            )
            self.sent += due
        if now - self.last_report >= 1.0:
            self.last_report = now
            self.report.write(f"fed {now - self.start:.3f} {self.sent}\n")


def report_full_collections(report) -> None:
    """Write how long each full (generation 2) garbage collection takes."""
    started = [0.0]

    def callback(phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            report.write(f"gc {(time.perf_counter() - started[0]) * 1000:.1f}\n")

    gc.callbacks.append(callback)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20_000, help="events per second")
    parser.add_argument("--max-lines", type=int, default=50_000)
    parser.add_argument("--report", required=True)
    parser.add_argument("--stock", action="store_true", help="Textual's Log instead")
    parser.add_argument("--gc-freeze", action="store_true", help="gc.freeze() once mounted")
    args = parser.parse_args()
    with open(args.report, "w", buffering=1) as report:
        report_full_collections(report)
        FloodApp(args.rate, args.max_lines, report, args.stock, args.gc_freeze).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
