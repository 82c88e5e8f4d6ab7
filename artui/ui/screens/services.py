"""The first screen: every App Runner service in every configured region, with its last
hour of requests and 5xx responses and its current figures; a service whose 5xx share is at
or over the threshold is marked, and `o` sorts by it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from artui.domain.apprunner import Service
from artui.domain.format import ago, duration, since
from artui.domain.inert import inert
from artui.engine import metrics
from artui.engine.metrics import Figures, FleetSeries
from artui.engine.services import Snapshot, place
from artui.engine.session import IDENTITY
from artui.engine.store import Known
from artui.ui.accounts import header, short
from artui.ui.guard import guarded
from artui.ui.messages import RefreshRequested, ServicesChanged, StoreChanged
from artui.ui.screens.base import ACTION_BINDINGS, ActsOnService, StatusScreen
from artui.ui.tabs import TABS
from artui.ui.text import shown
from artui.ui.widgets.filter import FilterField
from artui.ui.widgets.footer import Footer
from artui.ui.widgets.services_table import (
    MOST_REMOVED,
    NAME,
    ORDER_WORDS,
    ORDERS,
    Cell,
    Layout,
    Row,
    ServicesTable,
    cells,
    layout,
)
from artui.ui.widgets.status import errors_text, freshness


def status_line(snapshot: Snapshot | None, now: float, shown: int, filter_text: str) -> Text:
    """The one-line summary under the table: regions, count, data age, last error."""
    if snapshot is None:
        return Text("Connecting…", style="dim")
    line = Text(inert(_where(snapshot)), style="bold")
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


def _where(snapshot: Snapshot) -> str:
    """The regions read, or with several profiles how many of each (80 columns hold no
    more: each profile/region is named where it fails)."""
    if not snapshot.several:
        return " ".join(snapshot.regions)
    profiles = {place.split("/", 1)[0] for place in snapshot.regions}
    regions = {place.split("/", 1)[-1] for place in snapshot.regions}
    return f"{len(profiles)} profiles, {len(regions)} region{'s' * (len(regions) != 1)}"


class ServicesScreen(ActsOnService, StatusScreen):
    """The services table, a filter, a status line and the footer."""

    BINDINGS = [
        # Priority: the app runs it before forwarding the keys typed after it, so "/chk"
        # typed fast (or pasted) lands whole in the filter. Names never contain "/".
        Binding("slash", "filter", "Filter", priority=True, id="services.filter"),
        Binding("escape", "clear_filter", "Clear filter", id="services.clear_filter"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding(
            "o",
            "sort",
            "Sort",
            id="services.sort",
            show=False,  # the footer has no room at 80 columns; the title names the key
            tooltip="Sort: by name, by 5xx share, by requests (highest first), in turn",
        ),
        *ACTION_BINDINGS,
        # Only here: everywhere else q goes back one level (ctrl+c quits from anywhere).
        Binding("q", "app.quit", "Quit", id="quit"),
        # A pane's key opens the highlighted service on that pane (the footer has no room).
        *(
            Binding(
                tab.key,
                f"open_pane('{tab.id}')",
                f"Open: {tab.title}",
                show=False,
                id=f"services.pane.{tab.id}",
            )
            for tab in TABS
        ),
    ]

    AUTO_FOCUS = "#services-table"

    def __init__(self) -> None:
        super().__init__(id="services")
        self.snapshot: Snapshot | None = None
        self.filter_text = ""
        self.fatal_error: str | None = None
        self.order = ORDERS[0]
        # What the table holds, by service ARN: its rows in order and each one's cells.
        self._shown: list[str] = []
        self._cells: dict[str, dict[str, Cell]] = {}
        # Each row's Row and its cells as `cells` makes them, kept while the Row is the same.
        self._made: dict[str, tuple[Row, dict[str, Cell]]] = {}
        self._layout: Layout | None = None
        # The visible services by ARN (the cursor's service is looked up here).
        self._services: dict[str, Service] = {}
        # Each service's figures, worked out once per read: (the read's series, figures).
        self._figures: dict[str, tuple[FleetSeries, Figures]] = {}
        # The service the keys on offer were last worked out for, and the empty-state text.
        self._under_cursor: Service | None = None
        self._empty_message: str | None = None
        # From the fleet's metrics as last read from the store, for the status line: how
        # many services are over the threshold; whether reads are failing, and since when
        # the figures shown are (None: never read).
        self._over = 0
        self._failing = False
        self._good_at: float | None = None
        self._composed = False
        self._title_shown = ""
        # What the table was last filled from (`_basis`): a snapshot that changes none of
        # it (a poll starting, or one that found nothing new) repaints the status line only.
        self._filled: _Basis | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="title")
        table = ServicesTable(id="services-table", cursor_type="row", zebra_stripes=True)
        self._layout = layout(self.app.size.width or 80, [])
        for key, label, width in self._layout.columns:
            table.add_column(label, key=key, width=width)
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
        self._show_title()

    @guarded("the services list")
    def on_screen_resume(self) -> None:
        # Updates went to the screen on top meanwhile: catch up from the store.
        snapshot = self.ctx.snapshot
        if snapshot is not None:
            self.show_snapshot(snapshot)

    @guarded("the services list")
    def on_services_changed(self, message: ServicesChanged) -> None:
        self.show_snapshot(message.snapshot)

    @guarded("the services list")
    def on_store_changed(self, message: StoreChanged) -> None:
        if message.kind == metrics.FLEET_KIND:
            self._fill_table()
        elif message.kind == IDENTITY:  # the header's account, the account column
            self._fill_table()
            self._show_title()

    @guarded("the services list")
    def on_resize(self) -> None:
        self._fill_table()

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Show a new snapshot, keeping the cursor on the same service."""
        self.snapshot = snapshot
        self._show()
        self._show_title()

    def _show_title(self) -> None:
        """The header again, when it says something new (an account's identity came)."""
        title = self._title()
        if self._composed and title.plain != self._title_shown:
            self._title_shown = title.plain
            self.query_one("#title", Static).update(title)

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
        if self._filled is not None and self._filled.same(self._basis(self.ctx.clock())):
            # Every row would come out as it is: at 500 services, making them again was
            # most of what an idle list cost.
            self.update_status()
        else:
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
        now = self.ctx.clock()
        self._filled = self._basis(now)
        rows = self._rows(now)
        keys = list(rows)
        shape = layout(self.size.width or 80, list(rows.values()))
        threshold = self.ctx.settings.error_threshold
        same_shape = shape == self._layout
        made: dict[str, dict[str, Cell]] = {}
        for key, row in rows.items():
            # A row unchanged keeps its cells (a sparkline drawn stays drawn); a changed one
            # gets new ones, its sparklines drawn only once it is on screen.
            kept = self._made.get(key)
            if same_shape and kept is not None and kept[0] == row:
                made[key] = kept[1]
            else:
                made[key] = cells(row, shape, threshold)
        self._made = {key: (row, made[key]) for key, row in rows.items()}
        if keys == self._shown and same_shape and not cursor_to_first:
            # Same rows in the same order: touch only the cells that changed, so an idle
            # poll repaints nothing and the scroll position stays.
            self._update_cells(made, keep_equal=True)
        else:
            current = None
            if table.row_count and not cursor_to_first:
                current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if not same_shape:
                table.clear(columns=True)
                for key, label, width in shape.columns:
                    table.add_column(label, key=key, width=width)
                self._layout = shape
                self._cells = {}
            self._arrange(keys, made)
            self._shown = keys
            # As a table filled afresh: from the top, the cursor on the service it was on.
            table.scroll_x = table.scroll_y = 0
            table.scroll_target_x = table.scroll_target_y = 0
            table.move_cursor(row=keys.index(current) if current in keys else 0)
        self._follow_cursor()
        self._show_empty_state(bool(keys))
        self.update_status()

    def _update_cells(self, made: dict[str, dict[str, Cell]], keep_equal: bool) -> None:
        """Put `made`'s cells in the rows the table holds, touching only those that are not
        already there; with `keep_equal`, not those that look exactly like the one made
        either (each such cell takes its place in `made`, so the next sort finds it already
        there)."""
        table = self.table
        for key, row_cells in made.items():
            held_cells = self._cells[key]
            for column, value in row_cells.items():
                held = held_cells.get(column)
                if held is value:
                    continue
                if keep_equal and held is not None and held == value and held.look == value.look:
                    # What it shows, style of the whole text included (a name turning red as
                    # its service starts failing): kept as it is.
                    row_cells[column] = held
                    continue
                table.update_cell(key, column, value)
                held_cells[column] = value

    def _arrange(self, keys: list[str], made: dict[str, dict[str, Cell]]) -> None:
        """Make the table hold exactly `made`'s cells in `keys`' order: rows gone removed,
        new ones added, cells that changed replaced, then a sort. Rows kept are not added
        again: each new row is measured, and a fleet's worth is what made `o` slow."""
        table = self.table
        gone = [key for key in self._cells if key not in made]
        if len(gone) > MOST_REMOVED:
            # Each removal renumbers every row after it: past a few, refilling is cheaper.
            table.clear()
            self._cells = {}
        else:
            for key in gone:
                table.remove_row(key)
                del self._cells[key]
        self._update_cells({k: v for k, v in made.items() if k in self._cells}, keep_equal=False)
        for key, row_cells in made.items():
            if key not in self._cells:
                table.add_row(*row_cells.values(), key=key)
                self._cells[key] = dict(row_cells)
        if [row.key.value for row in table.ordered_rows] != keys:
            # DataTable.sort hands its key function a row's cells, not its key; each row's
            # name cell is an object of its own, so it tells where its row goes.
            rank = {id(self._cells[key][NAME]): n for n, key in enumerate(keys)}
            table.sort(NAME, key=lambda name: rank[id(name)])
        self._cells = {key: self._cells[key] for key in keys}

    def _basis(self, now: float) -> _Basis:
        """Everything `_rows`, the table's shape and the empty state are made from."""
        snapshot = self.snapshot
        services = snapshot.services if snapshot else ()
        several = self.ctx.session.several
        profiles = dict.fromkeys(s.profile for s in services) if several else {}
        return _Basis(
            services=services,
            ages=tuple(since(s.updated_at, now) for s in services),
            accounts=tuple(short(self.ctx.session, p) for p in profiles),
            metrics=tuple(
                _held(self.ctx.store.get(metrics.FLEET_KIND, s)) for s in self.ctx.scopes
            ),
            view=(
                self.size.width,
                self.filter_text,
                self.order,
                self.ctx.settings.error_threshold,
                several,
                self.fatal_error,
                snapshot.regions if snapshot else None,
                snapshot.loaded if snapshot else None,
                tuple(snapshot.errors.items()) if snapshot else None,
            ),
        )

    def _rows(self, now: float) -> dict[str, Row]:
        """The visible services by ARN, in the order chosen, with their metrics."""
        fleet, read = self._fleet()
        window = metrics.fleet_window(fleet)
        threshold = self.ctx.settings.error_threshold
        rows: dict[str, Row] = {}
        visible = self._visible()
        self._services = {s.arn: s for s in visible}
        several = self.ctx.session.several
        # Looked up once per profile, not once per row.
        accounts: dict[str | None, str] = {}
        places: dict[tuple[str | None, str], str] = {}
        for s in visible:
            held = fleet.get(s.arn)
            figures: Figures | None = None
            # A service no read has covered yet (listed since) is being read, not silent;
            # a deleted one is never read.
            if held is not None:
                # As of the last good read: a failing read keeps the figures it had.
                figures = self._figures[s.arn][1]
            elif self._place(s, places) in read and not metrics.metered(s):
                figures = metrics.figures(None, now)
            rows[s.arn] = Row(
                # Data enters the table here, made inert, as plain text.
                name=inert(s.name),
                account=self._account(s.profile, accounts) if several else "",
                status=inert(s.short_label),
                tone=s.tone,
                region=inert(s.region),
                updated=since(s.updated_at, now),
                url=inert(s.url or "—"),
                series=held if window is not None else None,
                window=window if held is not None else None,
                figures=figures,
                hurting=figures is not None and figures.hurting(threshold),
            )
        return dict(sorted(rows.items(), key=lambda item: _order_key(self.order, item[1])))

    def _fleet(self) -> tuple[dict[str, FleetSeries], set[str]]:
        """Every region's metrics as last read, the regions read at least once; notes the
        count over the threshold and whether reads are failing, for the status line."""
        fleet: dict[str, FleetSeries] = {}
        read: set[str] = set()
        self._failing, self._good_at = False, None
        for scope in self.ctx.scopes:
            known = self.ctx.store.get(metrics.FLEET_KIND, scope)
            if known.fetched_at is not None:
                read.add(place(scope, self.ctx.session.several))
                fleet.update(known.value or {})
            if known.error is not None:
                self._failing = True
                if known.fetched_at is not None:
                    # The oldest figures shown are the ones to own up to.
                    self._good_at = min(known.fetched_at, self._good_at or known.fetched_at)
        # Figures are worked out once per read of a service, not on every repaint.
        before, self._figures = self._figures, {}
        for arn, held in fleet.items():
            kept = before.get(arn)
            if kept is not None and kept[0] is held:
                self._figures[arn] = kept
            else:
                self._figures[arn] = (held, metrics.figures(held, held.until))
        threshold = self.ctx.settings.error_threshold
        services = self.snapshot.services if self.snapshot else ()
        places: dict[tuple[str | None, str], str] = {}
        self._over = sum(
            1
            for s in services
            if s.arn in fleet
            and self._place(s, places) in read
            and self._figures[s.arn][1].hurting(threshold)
        )
        return fleet, read

    def _place(self, service: Service, known: dict[tuple[str | None, str], str]) -> str:
        """Where `service` was listed, as the status line names it; `known` keeps the names
        worked out so far (one per profile and region)."""
        key = (service.profile, service.region)
        if key not in known:
            known[key] = place(self.ctx.scope_of(service), self.ctx.session.several)
        return known[key]

    def _account(self, profile: str | None, known: dict[str | None, str]) -> str:
        """The account column's text for `profile`; `known` keeps those worked out so far."""
        if profile not in known:
            known[profile] = inert(short(self.ctx.session, profile))
        return known[profile]

    def _title(self) -> Text:
        title = Text("artui · ")
        if self._composed:  # the fleet is the app's: not there before mounting
            title.append_text(header(self.ctx.session, self.ctx.settings.read_only))
        title.append(f"  sorted {ORDER_WORDS[self.order]} (o)", style="dim")
        return title

    def action_sort(self) -> None:
        """Cycle the order: name, 5xx share, requests; the cursor goes to the first row, where
        the order put what matters most."""
        self.order = ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)]
        self._show_title()
        self._fill_table(cursor_to_first=True)

    def status_text(self) -> Text:
        if self.fatal_error:
            return shown(self.fatal_error, "bold red")
        line = Text()
        now = self.ctx.clock()
        for underway in self.ctx.actions.underway.values():
            line.append_text(
                shown(
                    f"{underway.change.name} {underway.service.name} "
                    f"{duration(now - underway.since)}  ",
                    "bold cyan",
                )
            )
        if self._over:
            threshold = f"{self.ctx.settings.error_threshold:g}%"
            line.append(f"! {self._over} over {threshold} 5xx  ", style="bold red")
        if self._failing:
            # Before the list's own words: the line is cut at the terminal's edge.
            kept = f", figures from {ago(now - self._good_at)}" if self._good_at else ""
            line.append(f"metrics failing{kept} (e)  ", style="bold yellow")
        return line.append_text(status_line(self.snapshot, now, len(self._shown), self.filter_text))

    def _show_empty_state(self, visible: bool) -> None:
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
        if message == self._empty_message:
            return  # a Static updated lays the whole screen out again
        self._empty_message = message
        empty = self.query_one("#empty", Static)
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
        return self._services.get(arn) if arn is not None else None

    @on(DataTable.RowHighlighted, "#services-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._follow_cursor()

    def _follow_cursor(self) -> None:
        """Refresh the keys offered when the service under the cursor is another, or has
        changed (the rebuild key shows only for a failed creation). Not when only its row
        moved (a sort): the footer is built again on every refresh."""
        service = self.acted_on()
        if service != self._under_cursor:
            self._under_cursor = service
            self.refresh_bindings()

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
            self.ctx.open_service(service)

    def action_open_pane(self, pane_id: str) -> None:
        """Open the highlighted service on one pane (`l`: straight to its logs)."""
        service = self.acted_on()
        if service is not None:
            self.ctx.open_service(service, pane_id)


@dataclass(frozen=True)
class _Basis:
    """What the services table was filled from (`ServicesScreen._basis`)."""

    services: tuple[Service, ...]
    # Each service's age as the Updated column words it.
    ages: tuple[str, ...]
    # The account column's words, one per profile listed (with several profiles).
    accounts: tuple[str, ...]
    # Each scope's fleet metrics as the store holds them (`_held`): a read replaces its entry.
    metrics: tuple[object, ...]
    # The width, the filter, the order, the threshold and the snapshot's regions, state
    # and errors.
    view: tuple[object, ...]

    def same(self, other: _Basis) -> bool:
        """True when rows made from `other` would be these rows: services equal (a poll that
        found nothing new lists equal ones), the metrics the very same reads."""
        return (
            self.view == other.view
            and self.ages == other.ages
            and self.accounts == other.accounts
            and len(self.metrics) == len(other.metrics)
            and all(a is b for a, b in zip(self.metrics, other.metrics, strict=True))
            and self.services == other.services
        )


def _held(known: Known[Any]) -> Known[Any] | None:
    """`known` as `_Basis.same` compares it, by identity: None when nothing was ever read
    or failed (the store hands out a new empty Known for that each time)."""
    return known if known.fetched_at is not None or known.error is not None else None


def _order_key(order: str, row: Row) -> tuple[bool, float]:
    # Services without figures go last, in the list's own order (sorted() is stable).
    figures = row.figures or Figures()
    if order == "errors":
        return (figures.error_share is None, -(figures.error_share or 0.0))
    if order == "requests":
        return (figures.rpm is None, -(figures.rpm or 0.0))
    return (False, 0.0)
