"""One time chart drawn with plotext into Rich Text: series with their gaps, marks on the
time axis, ticks at round times in the zone in use (`artui.domain.format`).

plotext keeps its figure in module state: call `plot` on the UI thread only (it clears the
figure first), never from a worker.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from artui.domain.format import time_text, utc_offset
from artui.domain.series import Series

# Tick steps for the time axis, from five minutes to a day: the first that fits is used.
_TIME_STEPS = (300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
# Width of the y axis's labels and its frame, which plotext draws left of the plot.
Y_LABEL_WIDTH = 5


@dataclass(frozen=True)
class Line:
    """One series on a chart, in one colour (a 256-colour index, so snapshots are stable)."""

    label: str
    color: int
    series: Series


@dataclass(frozen=True)
class Mark:
    """A vertical line at `at` (epoch seconds) with `letter` on top."""

    at: float
    letter: str
    color: int


def runs(series: Series, start: float, end: float) -> list[tuple[list[float], list[float]]]:
    """The series' contiguous runs of points in [start, end] as (xs, ys): a missing period
    ends a run, so a gap is drawn as a gap and never as a drop to zero."""
    period = series.period
    first = int(start // period * period)
    out: list[tuple[list[float], list[float]]] = []
    xs: list[float] = []
    ys: list[float] = []
    for index, value in enumerate(series.slots(start, end)):
        at = float(first + index * period)
        if value is None or at < start - period:
            if xs:
                out.append((xs, ys))
                xs, ys = [], []
            continue
        xs.append(max(at, start))
        ys.append(value)
    if xs:
        out.append((xs, ys))
    return out


def compact(value: float) -> str:
    """A tick label: 0, 2.5, 40, 1.2k, 3M."""
    for size, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{unit}"
    return f"{value:.3g}"


def nice_top(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten at or above `value` (1 for 0)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def time_ticks(start: float, end: float, room: int) -> tuple[list[float], list[str]]:
    """Ticks at round times across [start, end], as many as fit in `room` columns."""
    span = end - start
    long = span > 86400
    label_width = 9 if long else 5
    most = max(2, room // (label_width + 5))
    step = next((s for s in _TIME_STEPS if span / s <= most), _TIME_STEPS[-1])
    # Round in the zone in use: a day's ticks fall on its midnight, an hour's on the hour.
    offset = utc_offset(start)
    at = math.ceil((start + offset) / step) * step - offset
    fmt = ("%a %d" if step >= 86400 else "%a %H:%M") if long else "%H:%M"
    positions: list[float] = []
    labels: list[str] = []
    while at <= end:
        positions.append(float(at))
        labels.append(time_text(at, fmt))
        at += step
    return positions, labels


def plot(
    lines: Sequence[Line],
    start: float,
    end: float,
    marks: Sequence[Mark],
    width: int,
    height: int,
    *,
    ceiling: float | None = None,
) -> Text:
    """The lines over [start, end] as a `width` x `height` chart (y from 0; `ceiling` caps
    the y axis, as 100 for a percentage)."""
    import plotext as plt  # the first chart pays for the import, not the app's start
    from plotext import marker, pixel

    figure = plt.figure
    figure.clear()
    figure.theme("simple")
    figure.plot_size(width, height)
    figure.axes(False, axis="x", side="upper")
    figure.axes(False, axis="y", side="right")
    values = [v for line in lines for v in line.series.since(start).values()]
    top = nice_top(max(values, default=0.0))
    if ceiling is not None:
        top = min(top, ceiling)
    figure.ruler("y").lim(0, top)
    figure.ruler("y").ticks([0, top / 2, top], [compact(v) for v in (0, top / 2, top)])
    figure.ruler("x").lim(start, end)
    positions, labels = time_ticks(start, end, width - Y_LABEL_WIDTH)
    figure.ruler("x").ticks(positions, labels)
    # Marks first, so the data draws over their (dotted, lighter) lines; their letters last,
    # on top of all.
    for mark in marks:
        bar = marker("┊", pixel(foreground=mark.color))
        figure.draw(figure.segment((mark.at, mark.at), (0, top), marker=bar))
    for line in lines:
        dot = marker("hd", pixel(foreground=line.color))
        for xs, ys in runs(line.series, start, end):
            figure.draw(figure.signal(xs, ys, marker=dot).lines())
    for mark in marks:
        letter = plt.colorize(mark.letter, pixel(foreground=mark.color, style="bold"))
        figure.draw(figure.text(mark.at, top, letter, alignment="center"))
    drawn = figure.build().string()
    figure.clear()
    return Text.from_ansi(drawn.rstrip("\n"), no_wrap=True, overflow="crop")
