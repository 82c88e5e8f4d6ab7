"""A deployment's log (`enter` on an operation in the activity): the `deployment/` stream
App Runner writes for it, read again while the operation runs."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Log, Static

from artui.domain import LogEvent, Operation, Service
from artui.engine.activity import KIND as OPERATIONS
from artui.engine.activity import watch_interval
from artui.engine.store import Known
from artui.humanize import ago, duration
from artui.inert import inert
from artui.ui.guard import guarded
from artui.ui.messages import DeploymentLogRequested, StoreChanged
from artui.ui.screens.base import StatusScreen
from artui.ui.text import shown
from artui.ui.tones import toned

KIND = "deployment-log"
# Reads after the operation has ended: App Runner writes a deployment's last lines a little
# after the operation's end, so one read at the end can miss them.
READS_AFTER_END = 3


def log_lines(events: list[LogEvent]) -> list[str]:
    """Each event as 'HH:MM:SS  message', inert: a log line is data, never a command."""
    out = []
    for event in events:
        stamp = datetime.fromtimestamp(event.timestamp / 1000).strftime("%H:%M:%S")
        for part in event.message.rstrip("\n").split("\n"):
            out.append(f"{stamp}  {inert(part)}")
    return out


class DeploymentLogScreen(StatusScreen):
    """The log of one deployment, creation or update."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("r", "refresh", "Refresh", id="refresh"),
    ]

    def __init__(self, service: Service, operation: Operation) -> None:
        super().__init__()
        self.service = service
        self.operation = operation
        self._written: list[str] = []
        self.reading = True
        self._reads_left = READS_AFTER_END

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="title")
        yield Log(id="deployment-log", auto_scroll=True)
        yield Static("", id="status")
        yield Footer(compact=True)

    def _title(self) -> Text:
        op = self.operation
        title = Text("artui · ", style="dim")
        title.append_text(shown(self.service.name, "bold"))
        title.append_text(shown(f" · {op.type_label} {op.id}  "))
        title.append_text(toned(op.status_label, op.tone))
        return title

    @property
    def known(self) -> Known[tuple[str | None, list[LogEvent]]]:
        return self.app.store.get(KIND, self.app.scope_of(self.service), self.operation.id)

    def on_mount(self) -> None:
        self.query_one(Log).focus()
        self._request()
        interval = watch_interval(self.app.settings.refresh)
        self.set_interval(interval, self._poll)

    def _request(self) -> None:
        self.reading = True
        self.app.post_message(DeploymentLogRequested(self.service, self.operation))

    def _poll(self) -> None:
        # A running deployment keeps writing; an ended one is complete a few reads later.
        if self.reading:
            return
        if not self.operation.running:
            if self._reads_left <= 0:
                return
            self._reads_left -= 1
        self._request()

    def action_refresh(self) -> None:
        self._request()
        self.update_status()

    @guarded("the deployment log")
    def on_store_changed(self, message: StoreChanged) -> None:
        if message.kind == OPERATIONS and message.key == self.service.arn:
            page = self.app.store.get(OPERATIONS, self.app.scope_of(self.service), message.key)
            if page.value is not None:
                newer = next((o for o in page.value.operations if o.id == self.operation.id), None)
                if newer is not None and newer != self.operation:
                    self.operation = newer
                    self.query_one("#title", Static).update(self._title())
        elif message.kind == KIND and message.key == self.operation.id:
            self.reading = False
            self.show()
        self.update_status()

    def show(self) -> None:
        """Write what the store holds: only new lines when the old ones are unchanged."""
        known = self.known
        if known.value is None:
            return
        lines = log_lines(known.value[1])
        log = self.query_one(Log)
        if lines[: len(self._written)] == self._written:
            new = lines[len(self._written) :]
        else:
            log.clear()
            new = lines
        if new:
            log.write_lines(new)
        self._written = lines

    def status_text(self) -> Text:
        line = Text()
        known = self.known
        op = self.operation
        if op.running:
            line.append(f"running {duration(op.elapsed(self.app.clock()))}  ", style="bold cyan")
        if known.value is not None:
            stream, _ = known.value
            if stream is None:
                line.append("App Runner has not written this log yet  ", style="yellow")
            else:
                line.append_text(shown(stream, "bold"))
                line.append(f"  {len(self._written)} lines  ")
        if self.reading:
            line.append("reading…  ", style="dim")
        if known.error is not None:
            line.append("cannot read the log (e: errors): ", style="bold red")
            line.append_text(shown(known.error, "red"))
        elif known.fetched_at is not None:
            line.append(f"read {ago(self.app.clock() - known.fetched_at)}", style="dim")
        return line
