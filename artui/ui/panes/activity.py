"""The activity pane (`a`): the service's operations, newest first, live while one runs."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from artui.domain.apprunner import LogSource, LogSourceKind, Operation, OperationsPage, Service
from artui.domain.format import ago, duration, span_texts, zone_label
from artui.domain.inert import inert
from artui.engine.activity import KIND
from artui.engine.store import Known
from artui.ui.guard import guarded
from artui.ui.messages import OlderOperationsRequested, Watch
from artui.ui.panes.base import Pane
from artui.ui.tabs import tab
from artui.ui.text import shown
from artui.ui.tones import toned
from artui.ui.widgets.filter import FilterField
from artui.ui.widgets.table import Table

COLUMNS = (
    ("type", "Type"),
    ("status", "Status"),
    ("started", "Started"),
    ("ended", "Ended"),
    ("duration", "Took"),
)
TIMES = ("started", "ended")  # the columns that hold clock times
MORE = "more"  # the row key of the last row, which pages in older operations


def operation_cells(op: Operation, now: float) -> tuple[Text, ...]:
    """One operation as the table's cells (inert Text: type and status come from AWS)."""
    took = duration(op.elapsed(now))
    started, ended = span_texts(op.started_at, op.ended_at)
    return (
        shown(op.type_label, "bold"),
        toned(op.status_label, op.tone),
        Text(started),
        Text("running" if op.running else ended, style="cyan" if op.running else ""),
        Text(took, style="bold cyan" if op.running else ""),
    )


def matches(op: Operation, needle: str) -> bool:
    """Whether the filter text is in the operation's type, status or id."""
    needle = needle.casefold()
    return any(needle in part.casefold() for part in (op.type_label, op.status_label, op.id))


class ActivityTable(Table):
    """The operations table: enter opens an operation's log."""

    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Log",
            id="activity.log",
            tooltip="The operation's deployment log (on the last row: older operations)",
        ),
    ]


class ActivityPane(Pane):
    """ListOperations for the service: type, status, started, ended and how long it took."""

    TAB = tab("activity")

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="activity.filter"),
        Binding("escape", "clear_filter", "Clear filter", id="activity.clear_filter"),
    ]

    def __init__(self, service: Service) -> None:
        super().__init__(service)
        self.filter_text = ""
        self.paging = False
        self._shown: list[str] = []
        # The operation the operator started that the cursor was last put on (`_to_started`).
        self._placed: str | None = None

    def compose(self) -> ComposeResult:
        table = ActivityTable(id="activity-table", cursor_type="row", zebra_stripes=True)
        zone = zone_label(self.ctx.clock())
        for key, label in COLUMNS:
            # The times' zone in the headers of their columns: 'Started UTC'.
            table.add_column(f"{label} {zone}" if key in TIMES else label, key=key)
        yield table
        yield Static("", id="activity-empty")
        yield FilterField("filter by type, status or id; escape clears", id="activity-filter")

    @property
    def table(self) -> ActivityTable:
        return self.query_one(ActivityTable)

    @property
    def known(self) -> Known[OperationsPage]:
        """ListOperations' last answer for this service, from the store."""
        return self.ctx.store.get(KIND, self.ctx.scope_of(self.service), self.service.arn)

    @property
    def operations(self) -> tuple[Operation, ...]:
        page = self.known.value
        return page.operations if page is not None else ()

    def on_mount(self) -> None:
        self.set_interval(1, self._tick)
        self.fill()

    def focus(self, scroll_visible: bool = True) -> ActivityPane:
        self.table.focus(scroll_visible)
        return self

    def start(self) -> None:
        # No `loading` overlay: a loading table cannot take focus, and keys must reach it.
        self.app.post_message(Watch(KIND, self.service, True))

    def stop(self) -> None:
        self.app.post_message(Watch(KIND, self.service, False))

    def refresh_data(self) -> None:
        # The app's refresher for this service is hurried by the same `r` (Watch).
        self.app.post_message(Watch(KIND, self.service, True))

    def store_changed(self, kind: str, key: str) -> None:
        if kind == KIND and key == self.service.arn:
            self.paging = False
            self.fill()

    def catch_up(self) -> None:
        self.fill()

    @guarded("the activity pane")
    def _tick(self) -> None:
        # A running operation's time counts up on screen between polls.
        if not self.active:
            return
        now = self.ctx.clock()
        for op in self.operations:
            if op.running and op.id in self._shown:
                self.table.update_cell(op.id, "duration", operation_cells(op, now)[4])

    @guarded("the activity pane")
    def fill(self) -> None:
        """Repaint the table from the store, keeping the cursor on the same operation."""
        known = self.known
        now = self.ctx.clock()
        table = self.table
        visible = [op for op in self.operations if matches(op, self.filter_text)]
        page = known.value
        keys = [op.id for op in visible]
        more = page is not None and page.next_token is not None
        current = None
        shown_before = len(self._shown)
        if table.row_count:
            current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        for op in visible:
            table.add_row(*operation_cells(op, now), key=op.id)
        if more:
            # Short cells: the last row must not widen the columns it shares.
            what = "loading…" if self.paging else "older operations"
            table.add_row(
                Text("▼ more", style="bold"),
                Text("(enter)", style="dim"),
                Text(what, style="dim italic"),
                *[Text("")] * 2,
                key=MORE,
            )
        self._shown = keys
        if current in keys:
            table.move_cursor(row=keys.index(current))
        elif current == MORE:
            # The cursor was on the "more" row (G, or moved down onto it): it stays where
            # that row was, on the first older operation once they have come.
            table.move_cursor(row=min(shown_before, table.row_count - 1))
        self._to_started(keys)
        self._empty(known, visible)
        self.host.update_status()

    def _to_started(self, keys: list[str]) -> None:
        """Put the cursor on the operation the operator just started, once, as its row
        appears (above the one the cursor was on): then `enter` opens its log, not the
        previous one's. After that the operator's own moves win. Only while it is the
        service's newest operation: a view opened after others' operations came stays put."""
        started = self.ctx.actions.started.get(self.service.arn)
        if started is None or started == self._placed or started not in keys:
            return
        self._placed = started
        if self.operations[0].id == started:
            self.table.move_cursor(row=keys.index(started))

    def _empty(self, known: Known[OperationsPage], visible: list[Operation]) -> None:
        message = ""
        if known.value is not None and not visible:
            message = (
                f"No operation matches '{inert(self.filter_text)}'. Escape clears the filter."
                if self.filter_text
                else "No operations for this service."
            )
        elif known.value is None and known.error is not None:
            message = f"Could not list operations: {inert(str(known.error))}"
        elif known.value is None:
            message = "Listing operations…"
        empty = self.query_one("#activity-empty", Static)
        empty.update(Text(message))
        empty.display = bool(message)

    def selected(self) -> Operation | None:
        """The operation under the cursor."""
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((op for op in self.operations if op.id == key), None)

    @on(DataTable.RowSelected, "#activity-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value == MORE:
            self.older()
            return
        op = next((o for o in self.operations if o.id == event.row_key.value), None)
        if op is None:
            return
        if not op.has_log:
            self.app.notify(
                f"A {op.type_label} writes no deployment log; only deployments, creations "
                "and updates do.",
                markup=False,
            )
            return
        self.host.show_logs(LogSource(LogSourceKind.DEPLOYMENT, op.id))

    @on(DataTable.RowHighlighted, "#activity-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        # Moving onto the last row pages in the next 20: scrolling down is asking for them.
        if event.row_key.value == MORE:
            self.older()

    def older(self) -> None:
        """Page in the next older operations, once at a time."""
        if self.paging:
            return
        self.paging = True
        self.app.post_message(OlderOperationsRequested(self.service))
        self.fill()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return bool(self.filter_text) or self.query_one(FilterField).display
        return True

    def action_filter(self) -> None:
        self.query_one(FilterField).open()

    def action_clear_filter(self) -> None:
        self.query_one(FilterField).clear()
        self.filter_text = ""
        self.fill()
        self.table.focus()
        self.screen.refresh_bindings()

    @on(Input.Changed, "#activity-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.fill()

    @on(Input.Submitted, "#activity-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.input.display = False
        self.table.focus()
        self.screen.refresh_bindings()

    def status_text(self) -> Text:
        line = Text()
        known = self.known
        count = len(self.operations)
        if known.value is not None:
            more = known.value.next_token is not None
            line.append(f"{count} operation{'s' * (count != 1)}{'+' if more else ''}  ")
            if self.filter_text:
                line.append(f"filter '{inert(self.filter_text)}'  ", style="yellow")
            running = known.value.running
            if running is not None:
                took = duration(running.elapsed(self.ctx.clock()))
                line.append(f"{running.type_label} running {took}  ", style="bold cyan")
        if known.error is not None:
            kept = "showing the last answer" if known.value is not None else "no data"
            line.append(f"ListOperations failed ({kept}, e: errors): ", style="bold red")
            line.append_text(shown(known.error, "red"))
            line.append("  ")
        elif known.fetched_at is not None:
            line.append(f"listed {ago(self.ctx.clock() - known.fetched_at)}  ", style="dim")
        else:
            line.append("ListOperations…  ", style="dim")
        return line
