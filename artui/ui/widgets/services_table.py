"""The services table: one row per service, its columns fitted to the width, and the cells
(sparklines, figures) drawn only for the rows on screen."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions
from rich.text import Text
from textual.binding import Binding

from artui.domain.apprunner import Tone
from artui.domain.format import latency_text, rpm_text, share_text
from artui.engine.metrics import Figures, FleetSeries
from artui.ui.tabs import TABS
from artui.ui.tones import toned
from artui.ui.widgets.sparkline import buckets, sparkline
from artui.ui.widgets.table import Table

# The columns, in order; which of them show, and how wide, depends on the width (`layout`).
NAME, ACCOUNT, STATUS, REGION, REQUESTS, ERRORS, NOW, UPDATED, URL = (
    "name",
    "account",
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
# The short region's header when room is short: "Region" is wider than `use1` under it, and
# those two columns are what a 9-letter status ('deploying') needs at 80 columns.
_TIGHT_REGION = "Rgn"
# Rows leaving the table at once (a filter typed) past which it is refilled instead.
MOST_REMOVED = 50
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
    # The account's alias or last digits, when the list covers several profiles ('' else).
    account: str = ""
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
    shorts = [short_region(r.region) for r in rows]
    short_label = "Region"
    short_w = wide(short_label, shorts)
    updated_w = wide("Updated", (r.updated for r in rows))
    url_w = wide("URL", (r.url for r in rows))

    def cost(*widths: int) -> int:
        return sum(w + _CELL_PADDING for w in widths)

    accounts = [r.account for r in rows if r.account]
    account_w = wide("Acct", accounts) if accounts else 0
    fixed = cost(status_w, _NOW_WIDTH) + (cost(account_w) if accounts else 0)

    def fits(name: int, spark: int) -> bool:
        return fixed + cost(name, short_w, spark, spark) <= room

    if not fits(name_w, 10):
        # The region's header gives way before any name does: a long status word while a
        # service is busy ('deploying') must not cut the fleet's names.
        short_label, short_w = _TIGHT_REGION, wide(_TIGHT_REGION, shorts)
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
        *([(ACCOUNT, "Acct", account_w)] if accounts else []),
        (STATUS, "Status", status_w),
        (REGION, short_label if short else "Region", short_w if short else region_w),
        (REQUESTS, requests_label, spark),
        (ERRORS, errors_label, spark),
        (NOW, NOW_LABEL, _NOW_WIDTH),
    ]
    widths = {UPDATED: ("Updated", updated_w), URL: ("URL", url_w)}
    columns += [(key, *widths[key]) for key in extras]
    return Layout(tuple(columns), spark, short)


class ServicesTable(Table):
    """The services table: enter opens the service."""

    BINDINGS = [
        # Opened within the key's handling (not through RowSelected's round trip), so that
        # keys typed ahead go to the service's view.
        Binding("enter", f"screen.open_pane('{TABS[0].id}')", "Open", id="services.open"),
    ]


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
        elif key == ACCOUNT:
            out[key] = Cell.of(Text(row.account, no_wrap=True))
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
