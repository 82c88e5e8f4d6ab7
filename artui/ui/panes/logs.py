"""The logs pane (`l`): a service's application log, its events, or one deployment's log,
as App Runner writes them.

The app runs the tail (`artui.engine.tail`) in a worker while the pane is shown and posts
its lines here in batches; the pane hands them to the LogView, which holds the ring buffer.
Hiding the pane stops the tail, and with it the Live Tail session.

While it shows, the pane has the service's operations read (ListOperations, as the
activity reads them): `s` finds the latest deployment there, and a deployment's tail sees
there that its deployment has ended (then it closes its session).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from artui.domain.apprunner import LogEvent, LogSource, LogSourceKind, Operation, Service
from artui.domain.format import window_label, zone_label
from artui.engine.activity import KIND as OPERATIONS
from artui.engine.store import Known
from artui.engine.tail import COMPLETE, LIVE, POLLING, WINDOWS, TailState, tail_key
from artui.engine.tail import KIND as TAIL
from artui.logfile import open_private
from artui.ui.messages import LogLines, OlderLogsRequested, TailRequested, Watch
from artui.ui.panes.base import Pane
from artui.ui.tabs import tab
from artui.ui.text import shown
from artui.ui.widgets.filter import FilterField
from artui.ui.widgets.logview import LogView

# A deployment's first lines can carry a time a little before its operation's start.
DEPLOYMENT_MARGIN_S = 60
# What `s` goes to from each source: the latest deployment's log is one key from the
# service events, two from the application log.
NEXT_SOURCE = {
    LogSourceKind.APPLICATION: LogSourceKind.EVENTS,
    LogSourceKind.EVENTS: LogSourceKind.DEPLOYMENT,
    LogSourceKind.DEPLOYMENT: LogSourceKind.APPLICATION,
}
SOURCE_WORDS = {
    LogSourceKind.APPLICATION: "application",
    LogSourceKind.EVENTS: "service events",
    LogSourceKind.DEPLOYMENT: "latest deployment",
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def instance_tag(event: LogEvent) -> str:
    """An application line's instance: the first 8 characters of its stream's id."""
    return event.stream.removeprefix("instance/")[:8]


def save_path(service: Service, source: LogSource, now: float) -> Path:
    """Where `S` would like to write: the working directory if it can be written, else the
    temp dir. If that name is taken, the file gets the next free one (`open_private`)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    label = _UNSAFE_NAME.sub("-", f"{service.name}-{source.label}")
    name = f"artui-{label}-{stamp}.log"
    folder = Path.cwd()
    if not os.access(folder, os.W_OK):
        folder = Path(tempfile.gettempdir())
    return folder / name


class LogsPane(Pane):
    """One log of the service, live, with search, a filter and a ring buffer."""

    TAB = tab("logs")

    BINDINGS = [
        Binding(
            "s",
            "next_source",
            "Source",
            id="logs.source",
            tooltip=("Next source: application, service events, the latest deployment's log"),
        ),
        Binding(
            "h",
            "next_window",
            "History",
            id="logs.window",
            tooltip=("History: open with the last 5m, 15m, 1h or 6h"),
        ),
        # Priority, as the services filter: keys typed fast after `/` land in the field.
        Binding(
            "slash",
            "search",
            "Search",
            priority=True,
            id="logs.search",
            tooltip=("Search (text, or /regex/); n and N jump between matches"),
        ),
        Binding(
            "ampersand",
            "filter",
            "Filter",
            key_display="&",
            id="logs.filter",
            tooltip=("Filter: only lines that match (text, or /regex/)"),
        ),
        Binding(
            "E",
            "errors_only",
            "Errors",
            id="logs.errors_only",
            tooltip=("Only errors and warnings (again: every line)"),
        ),
        Binding(
            "S",
            "save",
            "Save",
            id="logs.save",
            tooltip=("Save the lines shown to a file (the path is reported)"),
        ),
        Binding(
            "escape",
            "clear",
            "Clear",
            show=False,
            id="logs.clear",
            tooltip=(
                "Fold an expanded JSON line, clear the search, then the filter; then back to "
                "the services"
            ),
        ),
    ]

    def __init__(self, service: Service) -> None:
        super().__init__(service)
        self.source = LogSource(LogSourceKind.APPLICATION)
        self.window_s = float(WINDOWS[0])
        self.search_text = ""
        self.filter_text = ""
        self.saved: Path | None = None
        self._oldest_ms: int | None = None
        self._reading_older = False
        self._no_older = False
        self._view: LogView | None = None
        self._token = 0  # this pane's current tail; batches of an earlier one are dropped
        # `s` asked for the latest deployment before the operations were first read.
        self.awaiting_deployment = False

    def compose(self) -> ComposeResult:
        yield Static(self._header(), id="logs-header")
        yield LogView(max_lines=self.ctx.settings.max_lines, id="logs-view")
        yield FilterField("search: text or /regex/; enter keeps it", id="logs-search")
        yield FilterField("filter: text or /regex/; enter keeps it", id="logs-filter")

    @property
    def view(self) -> LogView:
        """The lines."""
        if self._view is None:
            self._view = self.query_one(LogView)
        return self._view

    @property
    def key(self) -> str:
        """The store key of the tail on show."""
        return tail_key(self.service, self.source)

    @property
    def token(self) -> int:
        """The current tail's token: LogLines carrying another are from a tail left behind."""
        return self._token

    @property
    def tail_known(self) -> Known[TailState]:
        """The tail's state as the store has it (its error: no tail could start)."""
        return self.ctx.store.get(TAIL, self.ctx.scope_of(self.service), self.key)

    def on_focus(self) -> None:
        # The service view focuses the pane; the keys belong to the lines.
        self.view.focus()

    # -- the tail ---------------------------------------------------------------------

    def shown(self) -> None:
        self.app.post_message(Watch(OPERATIONS, self.service, True))
        super().shown()

    def hidden(self) -> None:
        super().hidden()
        self.awaiting_deployment = False
        self.app.post_message(Watch(OPERATIONS, self.service, False))

    def start(self) -> None:
        """Tail the source on show from the window's start."""
        self.view.clear()
        self.view.tagger = instance_tag if self.source.kind is LogSourceKind.APPLICATION else None
        self._oldest_ms = None
        self._no_older = False
        self._reading_older = False
        self._token += 1
        self.query_one("#logs-header", Static).update(self._header())
        self.app.post_message(
            TailRequested(self, self.service, self.source, self._since_ms(), self._token)
        )

    def _since_ms(self) -> int:
        """Where the tail starts: a deployment's log from its operation's start (minus a
        margin for clocks), any other log from the window's start."""
        op = self._operation(self.source.operation_id) if self.source.operation_id else None
        if op is not None and op.started_at is not None:
            return int((op.started_at.timestamp() - DEPLOYMENT_MARGIN_S) * 1000)
        return int((self.ctx.clock() - self.window_s) * 1000)

    def _operation(self, operation_id: str) -> Operation | None:
        return next((op for op in self._operations() if op.id == operation_id), None)

    def stop(self) -> None:
        """Stop the tail: the Live Tail session closes with it, and the lines go (shown
        again, the pane reads its window afresh)."""
        self._token += 1
        self.app.post_message(TailRequested(self, self.service))
        # A pane left can outlive its screen for a while (a stopped tail's worker stays
        # referenced from asyncio timers an HTTP pool schedules): it must not keep up to
        # max_lines lines with it.
        self.view.clear()

    def refresh_data(self) -> None:
        """`r`: read the window again and try Live Tail again."""
        self.start()

    def use_source(self, source: LogSource) -> None:
        """Show `source` (a deployment's log, from the activity)."""
        self.source = source
        self.awaiting_deployment = False
        if self.active:
            self.start()

    def on_log_lines(self, message: LogLines) -> None:
        if message.token != self._token:
            return  # a batch from a tail left behind (another source, window or `r`)
        if message.older:
            self._reading_older = False
            self._no_older = message.exhausted
            self.host.update_status()
        if not message.events:
            return
        oldest = min(e.timestamp for e in message.events)
        self._oldest_ms = oldest if self._oldest_ms is None else min(self._oldest_ms, oldest)
        if message.older:
            self.view.prepend(message.events)
        else:
            self.view.append(message.events)

    @on(LogView.ReachedTop)
    def _older(self) -> None:
        if self._reading_older or self._no_older or self._oldest_ms is None:
            return
        room = self.ctx.settings.max_lines - self.view.held
        if room <= 0:
            self.app.notify("The buffer is full (max_lines): no older lines are read.")
            return
        self._reading_older = True
        self.app.post_message(
            OlderLogsRequested(
                self, self.service, self.source, self._oldest_ms, self.window_s, room, self._token
            )
        )
        self.host.update_status()

    @on(LogView.Changed)
    def _view_changed(self) -> None:
        self.host.update_status()

    def store_changed(self, kind: str, key: str) -> None:
        if kind == TAIL and key == self.key:
            self.host.update_status()
        elif kind == OPERATIONS and key == self.service.arn and self.awaiting_deployment:
            self.awaiting_deployment = False
            self._to_latest_deployment()

    # -- keys -------------------------------------------------------------------------

    def _operations(self) -> tuple[Operation, ...]:
        """The service's operations as the activity last read them, newest first."""
        page = self.ctx.store.get(OPERATIONS, self.ctx.scope_of(self.service), self.service.arn)
        return page.value.operations if page.value is not None else ()

    def _latest_deployment(self) -> Operation | None:
        return next((op for op in self._operations() if op.has_log), None)

    def action_next_source(self) -> None:
        """Application → service events → the latest deployment's log → application."""
        kind = NEXT_SOURCE[self.source.kind]
        if kind is not LogSourceKind.DEPLOYMENT:
            self.use_source(LogSource(kind))
            return
        known = self.ctx.store.get(OPERATIONS, self.ctx.scope_of(self.service), self.service.arn)
        if known.value is None and known.error is None:
            # The first read of the operations (started as the pane showed) is under way:
            # the deployment's log opens when it answers.
            self.awaiting_deployment = True
            self.query_one("#logs-header", Static).update(self._header())
            return
        self._to_latest_deployment()

    def _to_latest_deployment(self) -> None:
        """The latest deployment's log, or say why there is none and stay."""
        op = self._latest_deployment()
        if op is not None:
            self.use_source(LogSource(LogSourceKind.DEPLOYMENT, op.id))
            return
        self.query_one("#logs-header", Static).update(self._header())
        known = self.ctx.store.get(OPERATIONS, self.ctx.scope_of(self.service), self.service.arn)
        if known.error is not None:
            self.ctx.tell(
                f"No deployment log: the operations cannot be read ({known.error}).",
                title="Logs",
                severity="warning",
            )
        else:
            self.ctx.tell("No deployment among the newest operations: see the activity (a).")

    def action_next_window(self) -> None:
        """The next history window; the tail starts again from it."""
        if self._deployment_started():
            self.app.notify("A deployment's log is read from its start: h has nothing to add.")
            return
        at = WINDOWS.index(int(self.window_s)) if int(self.window_s) in WINDOWS else -1
        self.window_s = float(WINDOWS[(at + 1) % len(WINDOWS)])
        self.start()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `/` is a priority key (typed fast after it, a pattern lands whole in the field),
        # but inside a field it is part of the pattern: a regex is written /like this/.
        if action == "search" and isinstance(self.screen.focused, Input):
            return False
        return True

    def action_search(self) -> None:
        self.query_one("#logs-search", FilterField).open()

    def action_filter(self) -> None:
        self.query_one("#logs-filter", FilterField).open()

    def action_errors_only(self) -> None:
        self.view.errors_only = not self.view.errors_only
        self.host.update_status()

    def action_save(self) -> None:
        """Write the lines shown (the filter applied) to a new file and say where."""
        lines = self.view.shown_lines()
        path = save_path(self.service, self.source, self.ctx.clock())
        try:
            # A second save in the same second, or a link planted at the name in the temp
            # dir, gets the next free name: nothing is overwritten or written through.
            path, out = open_private(path)
            with out:
                out.writelines(f"{line}\n" for line in lines)
        except OSError as exc:
            self.ctx.tell(
                f"Cannot write {path}: {exc.strerror or exc}", title="Not saved", severity="error"
            )
            return
        self.saved = path
        self.ctx.tell(f"{len(lines):,} lines written to {path}", title="Saved")

    def action_clear(self) -> None:
        """Escape: an expanded JSON line folds first, then the search goes, then the
        filter, then the view goes back."""
        if self.view.fold_json():
            return
        if self.search_text:
            self._apply_search("")
        elif self.filter_text or self.view.errors_only:
            self._apply_filter("")
            self.view.errors_only = False
        else:
            self.host.action_back()
            return
        self.host.update_status()

    @on(Input.Submitted, "#logs-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        field = self.query_one("#logs-search", FilterField)
        field.display = False
        self._apply_search(event.value)
        self.view.focus()

    @on(Input.Submitted, "#logs-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        field = self.query_one("#logs-filter", FilterField)
        field.display = False
        self._apply_filter(event.value)
        self.view.focus()

    def on_key(self, event: events.Key) -> None:
        # Escape in a field closes it and keeps what was applied before.
        if event.key == "escape" and isinstance(self.screen.focused, FilterField):
            field = self.screen.focused
            field.value = ""
            field.display = False
            self.view.focus()
            event.stop()

    def _apply_search(self, text: str) -> None:
        try:
            matches = self.view.search(text or None)
        except ValueError as exc:
            self.ctx.tell(str(exc), title="Search", severity="warning")
            return
        self.search_text = text
        if text and not matches:
            self.ctx.tell(f"No line matches {text!r}.")

    def _apply_filter(self, text: str) -> None:
        try:
            self.view.set_filter(text or None)
        except ValueError as exc:
            self.ctx.tell(str(exc), title="Filter", severity="warning")
            return
        self.filter_text = text

    # -- status -----------------------------------------------------------------------

    def _deployment_started(self) -> bool:
        op = self._operation(self.source.operation_id) if self.source.operation_id else None
        return op is not None and op.started_at is not None

    def _header(self) -> Text:
        line = Text()
        line.append(f"{self.source.label}", style="bold")
        since = (
            "from its start"
            if self._deployment_started()
            else (f"last {window_label(self.window_s)} (h)")
        )
        # The lines' stamps are written in the zone in use (the `timezone` setting): named.
        line.append(f"  {since}, times {zone_label(self.ctx.clock())}  ", style="dim")
        if self.awaiting_deployment:
            line.append("s: reading the operations…", style="cyan")
        else:
            line.append(f"s: {SOURCE_WORDS[NEXT_SOURCE[self.source.kind]]}", style="dim")
        return line

    def status_text(self) -> Text:
        line = Text()
        known = self.tail_known
        if known.error is not None:
            line.append_text(shown(f"no tail (e: errors): {known.error}  ", "bold red"))
        state = known.value
        if state is not None:
            style = "bold green" if state.mode == LIVE else "bold yellow"
            line.append(state.mode, style=style if state.mode in (LIVE, POLLING) else "dim")
            if state.mode in (POLLING, COMPLETE) and state.why:
                line.append_text(shown(f" ({state.why})", "dim"))
            if state.sampled:
                line.append(" sampled", style="yellow")
            if state.failures:
                line.append(f"  failing ×{state.failures}, lines kept (e: errors)", style="red")
            line.append("  ")
        view = self.view
        line.append(f"{view.shown:,}")
        if view.shown != view.held:
            line.append(f"/{view.held:,}")
        line.append(" lines  ")
        if view.following:
            line.append("following  ", style="cyan")
        elif view.waiting:
            line.append(f"paused: {view.waiting:,} new (f)  ", style="bold cyan")
        else:
            line.append("paused (f)  ", style="cyan")
        if self.search_text:
            line.append_text(shown(f"/{self.search_text}  ", "yellow"))
        if self.filter_text:
            line.append_text(shown(f"&{self.filter_text}  ", "yellow"))
        if view.errors_only:
            line.append("errors only  ", style="yellow")
        if self._reading_older:
            line.append("reading older…  ", style="dim")
        return line
