"""The metrics pane (`m`): a service's CloudWatch charts over a range, with its deployments,
pauses and resumes marked on the time axis.

The app reads the charts (`WatchMetrics`) on the metrics interval while the pane is shown,
and the operations (`Watch`) for the marks; the pane draws from the store.

It opens on the shortest range that shows the latest deployment with some time before it
(`opening_range`): the operations are read first, then the charts over that range. When
the latest deployment is further back than the longest range, or than the range the
operator picked, the marks line says when it was.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from artui.domain.apprunner import Operation, OperationType, Service
from artui.domain.format import (
    ago,
    clock_time,
    duration,
    latest,
    per_words,
    period_words,
    range_text,
    time_text,
    zone_label,
)
from artui.domain.series import (
    INSTANCES,
    LATENCY,
    R2XX,
    R4XX,
    R5XX,
    RANGES,
    REQUESTS,
    Range,
)
from artui.engine import activity
from artui.engine.metrics import CHART_KIND, CHARTS, FALLBACK, Chart, Marker, chart_key, markers
from artui.engine.store import Known
from artui.ui.guard import guarded
from artui.ui.messages import Watch, WatchMetrics
from artui.ui.panes.base import Pane
from artui.ui.tabs import tab
from artui.ui.text import shown
from artui.ui.widgets.chart import Line, Mark, plot

# One 256-colour index per (metric, stat): fixed, so every draw (and snapshot) is the same.
COLORS: dict[tuple[str, str], int] = {
    (REQUESTS, "Sum"): 14,
    (R2XX, "Sum"): 10,
    (R4XX, "Sum"): 11,
    (R5XX, "Sum"): 9,
    (LATENCY, "p50"): 14,
    (LATENCY, "p99"): 13,
    FALLBACK[:2]: 12,
    (INSTANCES, "Maximum"): 14,
}
DEFAULT_COLOR = 12
MARK_COLOR = 11
FAILED_COLOR = 9
# Charts whose lines are about requests: with no traffic they say so instead of a flat 0.
TRAFFIC_CHARTS = {"Requests", "Responses", "Latency (ms)"}
PERCENT_CHARTS = {"CPU and memory (%)"}
COUNT_CHARTS = {"Requests", "Responses"}
# The rows one chart takes: its title line, then the plot with its time axis.
MIN_CHART_ROWS = 10
MAX_CHART_ROWS = 16
# The operations that put a new version or configuration in place: what "the latest
# deployment" is when the pane picks its opening range.
DEPLOYS = frozenset(
    (OperationType.START_DEPLOYMENT, OperationType.UPDATE_SERVICE, OperationType.CREATE_SERVICE)
)
# The share of the opening range kept before the latest deployment: a deployment at the
# very left edge would show nothing of how things were before it.
BEFORE_SHARE = 0.25


def latest_deployment(operations: Sequence[Operation]) -> float | None:
    """When the newest deployment, update or creation among `operations` started."""
    starts = [
        op.started_at.timestamp() for op in operations if op.type in DEPLOYS and op.started_at
    ]
    return max(starts, default=None)


def opening_range(deployed_at: float | None, now: float) -> Range:
    """The shortest range whose older quarter ends before `deployed_at` (the longest, if it
    holds it only nearer its edge); the first range when there is no deployment, or when
    it is further back than the longest range holds."""
    if deployed_at is None:
        return RANGES[0]
    age = now - deployed_at
    for rng in RANGES:
        if age <= rng.seconds * (1 - BEFORE_SHARE):
            return rng
    return RANGES[-1] if age <= RANGES[-1].seconds else RANGES[0]


class MetricsPane(Pane):
    """Requests, responses, latency, instances, CPU and memory over one range."""

    TAB = tab("metrics")

    BINDINGS = [
        Binding(
            "h",
            "next_range",
            "Range",
            id="metrics.range",
            tooltip="Range: 1h, 3h, 12h, 1d, 1w (again: the next one)",
        ),
        *(
            Binding(
                str(number),
                f"use_range('{rng.label}')",
                f"Last {rng.label}",
                show=False,
                id=f"metrics.range_{rng.label}",
                tooltip=f"The last {rng.label} ({period_words(rng.period)})",
            )
            for number, rng in enumerate(RANGES, start=1)
        ),
    ]

    def __init__(self, service: Service) -> None:
        super().__init__(service)
        self.range: Range = RANGES[0]
        # False until the range is settled: by the operations (`opening_range`), or by a
        # range key. The charts are read only then, so that the first read is the one shown.
        self.placed = False
        self._drawn_width = 0
        # What the charts were last drawn from (the store replaces the chart on each read):
        # five plotext charts cost ~0.1 s at 120 columns, and the activity's polls bring
        # the same marks again and again.
        self._drawn: tuple[object, ...] | None = None
        self._drawn_chart: Chart | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="metrics-header")
        yield Static("", id="metrics-marks")
        yield Static("", id="metrics-message")
        for index in range(len(CHARTS)):
            yield Static("", id=f"metrics-chart-{index}", classes="metrics-chart")

    def on_mount(self) -> None:
        # The header's age counts up between reads.
        self.set_interval(1, self._tick)
        self.draw()

    # -- the data ---------------------------------------------------------------------

    @property
    def key(self) -> str:
        """The store key of the chart on show."""
        return chart_key(self.service, self.range)

    @property
    def known(self) -> Known[Chart]:
        """The last read of the charts over the range on show."""
        return self.ctx.store.get(CHART_KIND, self.ctx.scope_of(self.service), self.key)

    def _operations(self) -> tuple[Operation, ...]:
        page = self.ctx.store.get(
            activity.KIND, self.ctx.scope_of(self.service), self.service.arn
        ).value
        return page.operations if page is not None else ()

    def marks(self) -> list[Marker]:
        """The deployments, pauses and resumes within the range on show."""
        now = self.ctx.clock()
        return markers(self._operations(), now - self.range.seconds, now)

    def _place(self) -> None:
        """Settle the opening range once the operations are known (or failed to come):
        the charts are read from then on."""
        if self.placed:
            return
        known = self.ctx.store.get(activity.KIND, self.ctx.scope_of(self.service), self.service.arn)
        if known.value is None and known.error is None:
            return  # still reading: the range waits for the latest deployment
        self.placed = True
        self.range = opening_range(latest_deployment(self._operations()), self.ctx.clock())
        if self.active:
            self.app.post_message(WatchMetrics(self.service, self.range))
        self.host.update_status()

    def start(self) -> None:
        self.app.post_message(Watch(activity.KIND, self.service, True))
        if self.placed:
            self.app.post_message(WatchMetrics(self.service, self.range))
        else:
            self._place()
        self.draw()

    def stop(self) -> None:
        self.app.post_message(WatchMetrics(self.service, None))
        self.app.post_message(Watch(activity.KIND, self.service, False))

    def refresh_data(self) -> None:
        # The same range again: the app reads it now instead of on the next interval.
        if self.placed:
            self.app.post_message(WatchMetrics(self.service, self.range))
        self.app.post_message(Watch(activity.KIND, self.service, True))

    def store_changed(self, kind: str, key: str) -> None:
        if kind == activity.KIND and key == self.service.arn and self.active:
            self._place()
        if (kind == CHART_KIND and key == self.key) or (
            kind == activity.KIND and key == self.service.arn
        ):
            self.draw()

    def catch_up(self) -> None:
        self.draw()

    # -- keys -------------------------------------------------------------------------

    def use(self, rng: Range) -> None:
        """Show the charts over `rng`: reading starts at once, a first read says so. The
        operator's choice: the operations no longer pick the range."""
        if rng == self.range and self.placed:
            return
        self.placed = True
        self.range = rng
        if self.active:
            self.app.post_message(WatchMetrics(self.service, rng))
        self.scroll_home(animate=False)
        self.draw()
        self.host.update_status()

    def action_next_range(self) -> None:
        """The next range, round to the first."""
        self.use(RANGES[(RANGES.index(self.range) + 1) % len(RANGES)])

    def action_use_range(self, label: str) -> None:
        """The range of that label."""
        self.use(next(r for r in RANGES if r.label == label))

    # -- drawing ----------------------------------------------------------------------

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._drawn_width:
            self.draw()

    def _tick(self) -> None:
        if self.active:
            self.query_one("#metrics-header", Static).update(self._header())

    def chart_rows(self) -> int:
        """Rows per chart: about three fifths of the pane, so the next one starts below."""
        rows = self.scrollable_content_region.height or 17
        return max(MIN_CHART_ROWS, min(MAX_CHART_ROWS, (rows - 2) * 3 // 5))

    @guarded("the metrics pane")
    def draw(self) -> None:
        """Repaint the header, the marks and the charts from the store."""
        self.query_one("#metrics-header", Static).update(self._header())
        known = self.known
        chart = known.value
        now = self.ctx.clock()
        marks = self.marks()
        self.query_one("#metrics-marks", Static).update(self._marks_line(marks))
        message = self.query_one("#metrics-message", Static)
        boxes = list(self.query(".metrics-chart").results(Static))
        words = self._message(known)
        message.update(words)
        message.display = bool(words.plain)
        if chart is None or chart.no_data:
            for box in boxes:
                box.display = False
            return
        width = max(20, self.scrollable_content_region.width)
        self._drawn_width = width
        rows = self.chart_rows()
        drawn = (tuple(marks), width, rows)
        if chart is self._drawn_chart and drawn == self._drawn and all(b.display for b in boxes):
            return
        self._drawn, self._drawn_chart = drawn, chart
        start, end = now - self.range.seconds, now
        plotted = [Mark(m.at, m.letter, FAILED_COLOR if m.failed else MARK_COLOR) for m in marks]
        for box, (title, wanted) in zip(boxes, CHARTS, strict=True):
            box.display = True
            lines = self._lines(chart, wanted)
            heading = self._heading(title, chart, lines)
            body: Text
            if title in TRAFFIC_CHARTS and chart.no_traffic:
                body = Text(f"  no traffic in the last {self.range.label}", style="dim italic")
            elif not any(line.series.points for line in lines):
                body = Text(f"  no data in the last {self.range.label}", style="dim italic")
            else:
                ceiling = 100.0 if title in PERCENT_CHARTS else None
                body = plot(lines, start, end, plotted, width, rows - 1, ceiling=ceiling)
            box.update(Text("\n").join([heading, body]) if body.plain else heading)

    def _lines(self, chart: Chart, wanted: tuple[tuple[str, str, str], ...]) -> list[Line]:
        if chart.fallback is not None and any(m == LATENCY for m, _, _ in wanted):
            metric, stat, label = FALLBACK
            return [Line(label, COLORS[(metric, stat)], chart.get(metric, stat))]
        return [
            Line(
                label,
                COLORS.get((metric, stat), DEFAULT_COLOR),
                chart.get(metric, stat).whole(chart.until)
                if stat == "Sum"
                else chart.get(metric, stat),
            )
            for metric, stat, label in wanted
        ]

    def _heading(self, title: str, chart: Chart, lines: list[Line]) -> Text:
        heading = Text(title, style="bold")
        if title in COUNT_CHARTS:
            # A point of a count is the sum over its period: say which, as it changes.
            heading.append(f" {per_words(self.range.period)}", style="bold")
        if chart.fallback is not None and title.startswith("Latency"):
            heading.append_text(shown(f" — {chart.fallback}", "yellow"))
        for line in lines:
            heading.append("   ━ ", style=f"bold color({line.color})")
            heading.append(f"{line.label} ")
            heading.append(latest(line.series), style="bold")
        return heading

    def _message(self, known: Known[Chart]) -> Text:
        chart = known.value
        if chart is None and known.error is not None:
            line = Text("Could not read the metrics: ", style="bold red")
            line.append_text(shown(known.error, "red"))
            line.append("\nr tries again; e lists the errors.", style="dim")
            return line
        if chart is None and not self.placed:
            return Text(
                "Reading the operations, for a range that shows the latest deployment…",
                style="italic",
            )
        if chart is None:
            return Text(
                f"Reading the last {self.range.label} of metrics from CloudWatch…",
                style="italic",
            )
        if chart.no_data:
            return Text(
                f"No data for the last {self.range.label} (paused, new, or not published yet).",
                style="dim italic",
            )
        return Text()

    def _header(self) -> Text:
        now = self.ctx.clock()
        line = Text()
        line.append_text(shown(self.service.name, "bold"))
        if not self.placed:  # the operations decide it: no range to name yet
            return line.append("  choosing the range…", style="dim")
        # The range's ends, and the zone of every time on the pane (axes, marks, status).
        ends = range_text(now - self.range.seconds, now)
        line.append(f"  last {self.range.label} ({ends} {zone_label(now)})")
        line.append(f", {period_words(self.range.period)}")
        known = self.known
        if known.fetched_at is not None:
            line.append(f"  read {ago(now - known.fetched_at)}", style="dim")
        return line

    def _further_back(self) -> Text:
        """When the latest deployment was, if the range on show does not hold it."""
        deployed_at = latest_deployment(self._operations())
        now = self.ctx.clock()
        if deployed_at is None or deployed_at >= now - self.range.seconds:
            return Text()
        fmt = "%H:%M" if now - deployed_at < 86400 else "%m-%d %H:%M"
        when = f"{time_text(deployed_at, fmt)} {zone_label(deployed_at)}"
        return Text(
            f"latest deployment {when}, {duration(now - deployed_at)} ago", style="bold yellow"
        )

    def _marks_line(self, marks: list[Marker]) -> Text:
        further = self._further_back()
        if not marks:
            line = Text(
                f"No deployment, update, pause or resume in the last {self.range.label}",
                style="dim",
            )
            if further.plain:
                return line.append("; ", style="dim").append_text(further)
            return line.append(".", style="dim")
        long = self.range.seconds > 86400
        entries = []
        for mark in marks:
            color = FAILED_COLOR if mark.failed else MARK_COLOR
            entry = Text(mark.letter, style=f"bold color({color})")
            entry.append(f" {clock_time(mark.at, long)} ")
            entry.append_text(shown(mark.label))
            if mark.failed:
                entry.append(" (failed)", style="red")
            entries.append(entry)
        # One line: the newest that fit, and how many earlier ones the activity (a) lists;
        # the latest deployment's time first when the range does not hold it.
        room = max(20, self.scrollable_content_region.width)
        if further.plain:
            further.append("  ")
            room -= len(further)
        kept: list[Text] = []
        used = 0
        for index in range(len(entries) - 1, -1, -1):
            earlier = f"+{index} earlier (a)  " if index else ""
            width = used + len(entries[index]) + 2
            if kept and width + len(earlier) > room:
                break
            kept.insert(0, entries[index])
            used = width
        line = further
        dropped = len(entries) - len(kept)
        if dropped:
            line.append(f"+{dropped} earlier (a)  ", style="dim")
        line.append_text(Text("  ").join(kept))
        return line

    def status_text(self) -> Text:
        line = Text()
        known = self.known
        if known.error is not None:
            if known.value is not None and known.fetched_at is not None:
                when = f"{clock_time(known.fetched_at)} {zone_label(known.fetched_at)}"
                line.append(f"metrics failing, last read {when} (e: errors)  ", style="bold red")
            else:
                line.append("GetMetricData failed (e: errors)  ", style="bold red")
        elif known.fetched_at is not None:
            line.append(f"metrics read {ago(self.ctx.clock() - known.fetched_at)}  ", style="dim")
        elif not self.placed:
            line.append("ListOperations…  ", style="dim")
        else:
            line.append("GetMetricData…  ", style="dim")
        return line
