"""The first screen: every App Runner service in every configured region."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Input, Static

from artui.domain import Service, Tone
from artui.engine.services import Snapshot
from artui.humanize import duration, since
from artui.inert import inert
from artui.ui.guard import guarded
from artui.ui.messages import OpenService, RefreshRequested, ServicesChanged
from artui.ui.panes import PANES
from artui.ui.screens.base import ACTION_BINDINGS, ActsOnService, StatusScreen
from artui.ui.text import shown
from artui.ui.tones import toned
from artui.ui.widgets.filter import FilterField
from artui.ui.widgets.status import errors_text, freshness

COLUMNS = (
    ("name", "Name"),
    ("status", "Status"),
    ("updated", "Updated"),
    ("region", "Region"),
    ("url", "URL"),
)
# DataTable pads each cell by one column on each side; its vertical scrollbar takes two.
_CELL_PADDING = 2
_SCROLLBAR = 2
_MIN_URL = 12

# One row as plain values: (name, short status, tone, updated, region, url).
Row = tuple[str, str, Tone, str, str, str]


class ServicesTable(DataTable):
    """The services table, with vi keys beside the arrows."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="services.down"),
        Binding("k", "cursor_up", "Up", show=False, id="services.up"),
        Binding("enter", "select_cursor", "Open", show=True, id="services.open"),
    ]


def status_line(snapshot: Snapshot | None, now: float, shown: int, filter_text: str) -> Text:
    """The one-line summary under the table: regions, count, data age, last error."""
    if snapshot is None:
        return Text("Connecting…", style="dim")
    line = Text(inert(" ".join(snapshot.regions)), style="bold")
    if not snapshot.loaded:
        if snapshot.errors:
            line.append("  no data (e: errors): ", style="bold red")
            line.append(errors_text(snapshot), style="red")
        else:
            line.append("  loading services…", style="dim")
        return line
    total = len(snapshot.services)
    line.append(f"  {total} service{'s' * (total != 1)}  ")
    if filter_text:
        line.append(f"filter '{inert(filter_text)}': {shown} shown  ", style="yellow")
    line.append_text(freshness(snapshot, now))
    return line


def fit_url(rows: list[Row], width: int) -> list[Row]:
    """Cut each URL from the right so the table fits `width` columns without scrolling."""
    fixed = sum(
        max([len(label), *(len(row[i]) for row in rows)]) + _CELL_PADDING
        for i, (_, label) in zip((0, 1, 3, 4), COLUMNS[:4], strict=True)
    )
    room = max(_MIN_URL, width - fixed - _CELL_PADDING - _SCROLLBAR)
    return [
        row if len(row[5]) <= room else (*row[:5], row[5][: room - 1] + "…")  # type: ignore[misc]
        for row in rows
    ]


class ServicesScreen(ActsOnService, StatusScreen):
    """The services table, a filter, a status line and the footer."""

    BINDINGS = [
        # Priority: the app runs it before forwarding the keys typed after it, so "/chk"
        # typed fast (or pasted) lands whole in the filter. Names never contain "/".
        Binding("slash", "filter", "Filter", priority=True, id="services.filter"),
        Binding("escape", "clear_filter", "Clear filter", id="services.clear_filter"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        *ACTION_BINDINGS,
        # A pane's key opens the highlighted service on that pane (the footer has no room).
        *(
            Binding(
                pane.KEY,
                f"open_pane('{pane.PANE_ID}')",
                f"Open: {pane.TITLE}",
                show=False,
                id=f"services.pane.{pane.PANE_ID}",
            )
            for pane in PANES
        ),
    ]

    AUTO_FOCUS = "#services-table"

    def __init__(self) -> None:
        super().__init__(id="services")
        self.snapshot: Snapshot | None = None
        self.filter_text = ""
        self.fatal_error: str | None = None
        self._rows: dict[str, Row] = {}
        self._shown: list[str] = []
        self._composed = False

    def compose(self) -> ComposeResult:
        yield Static("artui · App Runner services", id="title")
        table = ServicesTable(id="services-table", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        table.loading = True
        with Vertical(id="body"):
            yield table
            yield Static("", id="empty")
        yield FilterField("filter by name; enter keeps it, escape clears", id="filter")
        yield Static(status_line(None, 0, 0, ""), id="status")
        yield Footer(compact=True)

    @property
    def table(self) -> ServicesTable:
        return self.query_one(ServicesTable)

    def on_mount(self) -> None:
        # A prefetched list can arrive before the table is in place: show it after the
        # first refresh, when every child is mounted.
        self.call_after_refresh(self._ready)

    @guarded("the services list")
    def _ready(self) -> None:
        self._composed = True
        self._show()

    @guarded("the services list")
    def on_screen_resume(self) -> None:
        # Updates went to the screen on top meanwhile: catch up from the store.
        snapshot = self.app.snapshot
        if snapshot is not None:
            self.show_snapshot(snapshot)

    @guarded("the services list")
    def on_services_changed(self, message: ServicesChanged) -> None:
        self.show_snapshot(message.snapshot)

    @guarded("the services list")
    def on_resize(self) -> None:
        self._fill_table()

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Show a new snapshot, keeping the cursor on the same service."""
        self.snapshot = snapshot
        self._show()

    @guarded("the services list")
    def show_error(self, error: str) -> None:
        """Show an error that stops everything (no credentials, no region)."""
        self.fatal_error = error
        self._show()

    def _show(self) -> None:
        if not self._composed:
            return
        if self.fatal_error or (self.snapshot and (self.snapshot.loaded or self.snapshot.errors)):
            self._stop_loading()
        self._fill_table()

    def _stop_loading(self) -> None:
        # A loading table cannot take focus, so AUTO_FOCUS missed it: give it focus now.
        if self.table.loading:
            self.table.loading = False
            if self.focused is None:
                self.table.focus()

    def _visible(self) -> list[Service]:
        services = self.snapshot.services if self.snapshot else ()
        needle = self.filter_text.casefold()
        return [s for s in services if needle in s.name.casefold()]

    def _fill_table(self, cursor_to_first: bool = False) -> None:
        if not self._composed:
            return
        table = self.table
        now = self.app.clock()
        visible = self._visible()
        keys = [s.arn for s in visible]
        rows = fit_url(
            [
                (
                    # Data enters the table here, made inert (and cut to fit) as plain text.
                    inert(s.name),
                    inert(s.short_label),
                    s.tone,
                    since(s.updated_at, now),
                    inert(s.region),
                    inert(s.url or "—"),
                )
                for s in visible
            ],
            self.size.width or 80,
        )
        if keys == self._shown and not cursor_to_first:
            # Same rows in the same order: touch only the cells that changed, so an idle
            # poll repaints nothing and the scroll position stays.
            for key, row in zip(keys, rows, strict=True):
                if self._rows.get(key) != row:
                    for (column, _), value in zip(COLUMNS, _cells(row), strict=True):
                        table.update_cell(key, column, value)
        else:
            current = None
            if table.row_count and not cursor_to_first:
                current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            table.clear()
            for key, row in zip(keys, rows, strict=True):
                table.add_row(*_cells(row), key=key)
            self._shown = keys
            if current in keys:
                table.move_cursor(row=keys.index(current))
        self._rows = dict(zip(keys, rows, strict=True))
        self._show_empty_state(visible)
        self.update_status()

    def status_text(self) -> Text:
        if self.fatal_error:
            return shown(self.fatal_error, "bold red")
        line = Text()
        now = self.app.clock()
        for underway in self.app.actions.underway.values():
            line.append_text(
                shown(
                    f"{underway.action.value} {underway.service.name} "
                    f"{duration(now - underway.since)}  ",
                    "bold cyan",
                )
            )
        return line.append_text(status_line(self.snapshot, now, len(self._shown), self.filter_text))

    def _show_empty_state(self, visible: list[Service]) -> None:
        empty = self.query_one("#empty", Static)
        snapshot = self.snapshot
        message = ""
        if snapshot and snapshot.loaded and not visible:
            if self.filter_text:
                message = f"No service name contains '{inert(self.filter_text)}'. Escape clears it."
            else:
                regions = inert(", ".join(snapshot.regions))
                message = f"No App Runner services in {regions}."
        elif snapshot and not snapshot.loaded and snapshot.errors:
            message = "Could not list services:\n" + errors_text(snapshot)
        elif self.fatal_error:
            message = inert(self.fatal_error)
        empty.update(Text(message))
        empty.display = bool(message)
        # An empty table shrinks to its header so the message sits right under it.
        self.table.styles.height = "auto" if message else "1fr"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            # Escape only means something while a filter is typed or kept.
            return bool(self.filter_text) or self.query_one(FilterField).display
        return self.offers(action, parameters)

    def acted_on(self) -> Service | None:
        table = self.table
        if not self._composed or not table.row_count:
            return None
        arn = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((s for s in self._visible() if s.arn == arn), None)

    @on(DataTable.RowHighlighted, "#services-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()  # the rebuild key shows only for a failed creation

    def action_filter(self) -> None:
        self.query_one(FilterField).open()

    def action_clear_filter(self) -> None:
        self.query_one(FilterField).clear()
        self.filter_text = ""
        self._fill_table()
        self.table.focus()
        self.refresh_bindings()

    def action_refresh(self) -> None:
        self.app.post_message(RefreshRequested())

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self._fill_table(cursor_to_first=True)
        self.refresh_bindings()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.input.display = False
        self._fill_table(cursor_to_first=True)
        self.table.move_cursor(row=0)
        self.table.focus()

    @on(DataTable.RowSelected, "#services-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        service = self.acted_on()  # the selected row is the cursor's
        if service is not None:
            self.app.post_message(OpenService(service))

    def action_open_pane(self, pane_id: str) -> None:
        """Open the highlighted service on one pane (`l`: straight to its logs)."""
        service = self.acted_on()
        if service is not None:
            self.app.post_message(OpenService(service, pane_id))


def _cells(row: Row) -> tuple[Text, Text, Text, Text, Text]:
    # Text, not str: DataTable would parse a str cell as markup.
    name, status, tone, updated, region, url = row
    return (Text(name, style="bold"), toned(status, tone), Text(updated), Text(region), Text(url))
