"""The first screen: every App Runner service in every configured region, with its last
hour of requests and 5xx responses and its current figures; a service whose 5xx share is at
or over the threshold is marked, and `o` sorts by it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Input, Static

from artui.domain import Service, Tone
from artui.engine import metrics
from artui.engine.metrics import Figures, FleetSeries
from artui.engine.services import Snapshot
from artui.humanize import ago, duration, since
from artui.inert import inert
from artui.ui.guard import guarded
from artui.ui.messages import OpenService, RefreshRequested, ServicesChanged, StoreChanged
from artui.ui.panes import PANES
from artui.ui.screens.base import ACTION_BINDINGS, ActsOnService, StatusScreen
from artui.ui.text import shown
from artui.ui.tones import toned
from artui.ui.widgets.filter import FilterField
from artui.ui.widgets.sparkline import buckets, sparkline
from artui.ui.widgets.status import errors_text, freshness

# The columns, in order; which of them show, and how wide, depends on the width (`layout`).
NAME, STATUS, REGION, REQUESTS, ERRORS, NOW, UPDATED, URL = (
    "name",
    "status",
    "region",
    "requests",
    "errors",
    "now",
    "updated",
    "url",
)
# DataTable pads each cell by one column on each side; its vertical scrollbar takes two.
_CELL_PADDING = 2
_SCROLLBAR = 2
_MIN_NAME = 12
# Rows leaving the table at once (a filter typed) past which it is refilled instead.
_MOST_REMOVED = 50
# Sparkline widths that divide the hour into whole minutes per cell, widest first: a cell
# that summed 6 minutes beside one that summed 5 would draw a dip that is not there.
_SPARK_WIDTHS = (30, 20, 15, 12, 10, 6, 5, 4, 3)
# The current figures, one cell: requests a minute, 5xx share, latency.
_RPM, _SHARE, _LATENCY = 5, 6, 5
_NOW_WIDTH = _RPM + 1 + _SHARE + 1 + _LATENCY
NOW_LABEL = f"{'req/m':>{_RPM}} {'5xx%':>{_SHARE}} {'lat':>{_LATENCY}}"

# The orders `o` cycles through, with what the title says of each.
ORDERS = ("name", "errors", "requests")
ORDER_WORDS = {
    "name": "by name",
    "errors": "by 5xx share, highest first",
    "requests": "by requests, highest first",
}


@dataclass(frozen=True)
class Row:
    """One service as the table shows it, in plain values (AWS text already inert)."""

    name: str
    status: str
    tone: Tone
    region: str
    updated: str
    url: str
    # The service's last hour as last read, and the hour the sparklines show (the same for
    # every row); None until a metrics read has covered the service.
    series: FleetSeries | None = None
    window: tuple[float, float] | None = None
    figures: Figures | None = None
    hurting: bool = False

    def minutes(self) -> tuple[list[float | None], list[float | None]]:
        """Requests and 5xx per minute over the list's hour, oldest first; None for a
        minute without data. Worked out when asked: only rows on screen are drawn."""
        if self.series is None or self.window is None:
            return [], []
        return self.series.requests.slots(*self.window), self.series.errors.slots(*self.window)


class Cell:
    """One cell of the table: a Text, drawn the first time it is shown (or read), then kept.

    DataTable renders only the rows on screen, so a fleet's sparklines and figures cost what
    the screen holds, not what the fleet holds; and it measures every cell of a new row,
    which costs nothing for a cell that, like this one, has no measure of its own (the
    columns' widths are set). Cells are equal when they show the same: for a Text, its words
    and their spans, as Text's own == (which leaves out the style of the whole text); for
    one drawn later, what it is drawn from (`key`).
    """

    __slots__ = ("_args", "_draw", "_text", "key", "look")

    def __init__(self, key: object, draw: Callable[..., Text], *args: object) -> None:
        self.key = key
        # Everything that shows: for a cell drawn later, what it is drawn from.
        self.look = key
        self._draw: Callable[..., Text] | None = draw
        self._args = args
        self._text: Text | None = None

    @classmethod
    def of(cls, text: Text) -> Cell:
        """A cell showing `text`, drawn already."""
        cell = cls(("text", text.plain, tuple(text.spans)), Text)
        cell.look = (cell.key, text.style, text.justify, text.overflow, text.no_wrap)
        cell._text, cell._draw = text, None
        return cell

    @property
    def text(self) -> Text:
        if self._text is None:
            assert self._draw is not None
            self._text = self._draw(*self._args)
            self._draw, self._args = None, ()
        return self._text

    @property
    def plain(self) -> str:
        return self.text.plain

    @property
    def drawn(self) -> bool:
        """Whether the cell has been drawn (shown or read) yet."""
        return self._text is not None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and self.key == other.key

    __hash__ = None  # type: ignore[assignment]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        yield self.text


@dataclass(frozen=True)
class Layout:
    """Which columns show at a width, and how wide each is: (key, label, width)."""

    columns: tuple[tuple[str, str, int], ...]
    spark: int
    short_region: bool

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _, _ in self.columns)


def short_region(region: str) -> str:
    """AWS's own short form of a region, as in zone ids (`us-east-1` → `use1`)."""
    parts = region.split("-")
    if len(parts) < 3 or not parts[-1].isdigit():
        return region
    words = {"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}
    middle = "".join(words.get(p, p[:1]) for p in parts[1:-1])
    return f"{parts[0]}{middle}{parts[-1]}"


def _spark_labels(width: int) -> tuple[str, str]:
    if width >= 11:
        return "Requests 1h", "5xx 1h"
    if width >= 8:
        return "Requests", "5xx"
    return "Req", "5xx"


def layout(width: int, rows: Sequence[Row]) -> Layout:
    """The columns for `width`: name, status, region, both sparklines and the figures
    always; then the full region, Updated and the URL (whole or not at all: it is in the
    overview) as they fit, and the sparklines grow with what is left."""

    def wide(label: str, values: Iterable[str], floor: int = 0) -> int:
        return max([len(label), floor, *(len(v) for v in values)])

    room = width - _SCROLLBAR
    name_w = wide("Name", (r.name for r in rows))
    status_w = wide("Status", (r.status for r in rows))
    region_w = wide("Region", (r.region for r in rows))
    short_w = wide("Region", (short_region(r.region) for r in rows))
    updated_w = wide("Updated", (r.updated for r in rows))
    url_w = wide("URL", (r.url for r in rows))

    def cost(*widths: int) -> int:
        return sum(w + _CELL_PADDING for w in widths)

    fixed = cost(status_w, _NOW_WIDTH)

    def fits(name: int, spark: int) -> bool:
        return fixed + cost(name, short_w, spark, spark) <= room

    spark = next((w for w in (12, 10) if fits(name_w, w)), 0)
    if not spark:
        # Long names give way before the sparklines shrink below 6 minutes a cell.
        cut = room - fixed - cost(short_w, 10, 10) - _CELL_PADDING
        name_w = max(min(name_w, _MIN_NAME), cut)
        spark = next((w for w in _SPARK_WIDTHS if w <= 10 and fits(name_w, w)), 3)
    used = fixed + cost(name_w, short_w, spark, spark)
    short = True
    extras: list[str] = []
    if spark >= 12:
        if used + region_w - short_w <= room:
            used += region_w - short_w
            short = False
        if used + cost(updated_w) <= room:
            used += cost(updated_w)
            extras.append(UPDATED)
        if used + cost(url_w) <= room:
            used += cost(url_w)
            extras.append(URL)
        for grown in _SPARK_WIDTHS:
            if grown > spark and used + 2 * (grown - spark) <= room:
                used += 2 * (grown - spark)
                spark = grown
                break
    requests_label, errors_label = _spark_labels(spark)
    columns = [
        (NAME, "Name", name_w),
        (STATUS, "Status", status_w),
        (REGION, "Region", short_w if short else region_w),
        (REQUESTS, requests_label, spark),
        (ERRORS, errors_label, spark),
        (NOW, NOW_LABEL, _NOW_WIDTH),
    ]
    widths = {UPDATED: ("Updated", updated_w), URL: ("URL", url_w)}
    columns += [(key, *widths[key]) for key in extras]
    return Layout(tuple(columns), spark, short)


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


def rpm_text(rpm: float) -> str:
    """Requests a minute in at most five characters (`8.5`, `240`, `1.2k`, `38k`)."""
    if rpm < 10 and rpm != int(rpm):
        return f"{rpm:.1f}"
    if rpm < 1000:
        return f"{rpm:.0f}"
    if rpm < 10_000:
        return f"{rpm / 1000:.1f}k"
    if rpm < 1_000_000:
        return f"{rpm / 1000:.0f}k"
    return f"{rpm / 1_000_000:.1f}M"


def latency_text(ms: float | None) -> str:
    """Latency in at most five characters (`85ms`, `1.2s`); `—` without data."""
    if ms is None:
        return "—"
    if ms < 999.5:
        return f"{ms:.0f}ms"
    return f"{ms / 1000:.1f}s" if ms < 99_950 else f"{ms / 1000:.0f}s"


def share_text(share: float | None, hurting: bool) -> str:
    """The 5xx share (`0.4%`, `12.5%`), marked `!` at or over the threshold."""
    if share is None:
        return "—"
    text = "100%" if share >= 99.95 else f"{share:.1f}%"
    return f"!{text}" if hurting else text


def now_cell(row: Row) -> Text:
    """The current figures, or why there are none."""
    figures = row.figures
    if figures is None:
        return Text("…", style="dim")
    if figures.no_data:
        return Text("no data", style="dim")
    if figures.no_traffic:
        return Text("no traffic", style="dim")
    assert figures.rpm is not None
    cell = Text(no_wrap=True)
    cell.append(f"{rpm_text(figures.rpm):>{_RPM}} ")
    share = share_text(figures.error_share, row.hurting)
    cell.append(f"{share:>{_SHARE}}", style="bold red" if row.hurting else "")
    cell.append(f" {latency_text(figures.latency_ms):>{_LATENCY}}")
    return cell


def requests_line(row: Row, spark: int) -> Text:
    """The row's requests over the hour, `spark` cells."""
    requests, _ = row.minutes()
    return sparkline(requests, spark, style="cyan")


def errors_line(row: Row, spark: int, threshold: float) -> Text:
    """The row's 5xx over the hour, `spark` cells, on the scale of its requests."""
    requests, errors = row.minutes()
    peak = max((v for v in buckets(requests, spark) if v is not None), default=0.0)
    # On its own scale a healthy service's few errors would fill the cell: 5xx at the
    # threshold share of the hour's busiest cell reaches half height instead.
    return sparkline(
        errors,
        spark,
        top=peak * 2 * threshold / 100,
        style="bold red" if row.hurting else "yellow",
    )


def cells(row: Row, shape: Layout, threshold: float) -> dict[str, Cell]:
    """Every cell of `row` the layout shows, by column key (Text: DataTable would parse a
    str as markup); the sparklines and the figures are drawn when first shown."""
    # What the sparklines are drawn from: while it stays the same, so do they.
    drawn_from = (row.series, row.window, shape.spark, threshold, row.hurting)
    out: dict[str, Cell] = {}
    for key in shape.keys:
        if key == NAME:
            name = row.name
            width = shape.columns[0][2]
            if len(name) > width:
                name = name[: width - 1] + "…"
            style = "bold red" if row.hurting else "bold"
            out[key] = Cell.of(Text(name, style=style, no_wrap=True))
        elif key == STATUS:
            out[key] = Cell.of(toned(row.status, row.tone))
        elif key == REGION:
            out[key] = Cell.of(Text(short_region(row.region) if shape.short_region else row.region))
        elif key == REQUESTS:
            out[key] = Cell((key, drawn_from), requests_line, row, shape.spark)
        elif key == ERRORS:
            out[key] = Cell((key, drawn_from), errors_line, row, shape.spark, threshold)
        elif key == NOW:
            out[key] = Cell((key, row.figures, row.hurting), now_cell, row)
        elif key == UPDATED:
            out[key] = Cell.of(Text(row.updated))
        elif key == URL:
            out[key] = Cell.of(Text(row.url))
    return out


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
        rows = self._rows()
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
        already there; with `keep_equal`, not those that compare equal either (as the table
        has always been updated in place: Text's == leaves out the style of the whole text).
        A cell kept that looks exactly like the one made takes its place in `made`, so the
        next sort finds it already there."""
        table = self.table
        for key, row_cells in made.items():
            held_cells = self._cells[key]
            for column, value in row_cells.items():
                held = held_cells.get(column)
                if held is value:
                    continue
                if keep_equal and held is not None and held == value:
                    if held.look == value.look:
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
        if len(gone) > _MOST_REMOVED:
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

    def _rows(self) -> dict[str, Row]:
        """The visible services by ARN, in the order chosen, with their metrics."""
        now = self.ctx.clock()
        fleet, read = self._fleet()
        window = metrics.fleet_window(fleet)
        threshold = self.ctx.settings.error_threshold
        rows: dict[str, Row] = {}
        visible = self._visible()
        self._services = {s.arn: s for s in visible}
        for s in visible:
            held = fleet.get(s.arn)
            figures: Figures | None = None
            # A service no read has covered yet (listed since) is being read, not silent;
            # a deleted one is never read.
            if held is not None:
                # As of the last good read: a failing read keeps the figures it had.
                figures = self._figures[s.arn][1]
            elif s.region in read and not metrics.metered(s):
                figures = metrics.figures(None, now)
            rows[s.arn] = Row(
                # Data enters the table here, made inert, as plain text.
                name=inert(s.name),
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
                read.add(scope.region)
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
        self._over = sum(
            1
            for s in services
            if s.region in read and s.arn in fleet and self._figures[s.arn][1].hurting(threshold)
        )
        return fleet, read

    def _title(self) -> Text:
        title = Text("artui · App Runner services")
        title.append(f"  sorted {ORDER_WORDS[self.order]} (o)", style="dim")
        return title

    def action_sort(self) -> None:
        """Cycle the order: name, 5xx share, requests; the cursor stays on its service."""
        self.order = ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)]
        self.query_one("#title", Static).update(self._title())
        self._fill_table()

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
            self.app.post_message(OpenService(service))

    def action_open_pane(self, pane_id: str) -> None:
        """Open the highlighted service on one pane (`l`: straight to its logs)."""
        service = self.acted_on()
        if service is not None:
            self.app.post_message(OpenService(service, pane_id))


def _order_key(order: str, row: Row) -> tuple[bool, float]:
    # Services without figures go last, in the list's own order (sorted() is stable).
    figures = row.figures or Figures()
    if order == "errors":
        return (figures.error_share is None, -(figures.error_share or 0.0))
    if order == "requests":
        return (figures.rpm is None, -(figures.rpm or 0.0))
    return (False, 0.0)
