"""Metric series: what App Runner publishes to CloudWatch, the ranges the charts show, and
points kept with their gaps (a minute without data is missing, never zero).

Nothing here imports AWS or Textual. Names follow the guide's "Viewing App Runner service
metrics reported to CloudWatch": namespace `AWS/AppRunner`, dimensions `ServiceName` and
`ServiceID`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

NAMESPACE = "AWS/AppRunner"
REQUESTS = "Requests"
R2XX = "2xxStatusResponses"
R4XX = "4xxStatusResponses"
R5XX = "5xxStatusResponses"
LATENCY = "RequestLatency"
INSTANCES = "ActiveInstances"
CPU = "CPUUtilization"
MEMORY = "MemoryUtilization"

# CloudWatch's finest period for App Runner's (standard-resolution) metrics.
MINUTE = 60
# GetMetricData takes at most this many queries in one call.
MAX_QUERIES = 500


@dataclass(frozen=True, slots=True)
class Query:
    """One series to ask CloudWatch for: a metric of a service, a statistic, a period."""

    service_name: str
    service_id: str
    metric: str
    stat: str
    period: int = MINUTE

    @property
    def percentile(self) -> bool:
        """Whether the statistic is a percentile (`p99`), which CloudWatch may refuse."""
        return self.stat.startswith("p")


@dataclass(frozen=True, slots=True)
class Series:
    """Points of one query: (bucket start in epoch seconds, value), oldest first."""

    period: int
    points: tuple[tuple[int, float], ...] = ()

    @property
    def newest(self) -> int | None:
        """The start of the newest bucket held, or None when there is none."""
        return self.points[-1][0] if self.points else None

    def since(self, start: float) -> Series:
        """Only the buckets that start at or after `start`."""
        return Series(self.period, tuple(p for p in self.points if p[0] >= start))

    def whole(self, until: float) -> Series:
        """Only the buckets that had ended by `until`: the newest hour of a count, read ten
        minutes in, holds ten minutes of it, and would draw a drop that is not there."""
        return Series(self.period, tuple(p for p in self.points if p[0] + self.period <= until))

    def slots(self, start: float, end: float) -> list[float | None]:
        """One value per period from `start` (rounded down) up to `end`; None for a gap."""
        first = int(start // self.period * self.period)
        count = max(0, math.ceil((end - first) / self.period))
        out: list[float | None] = [None] * count
        for at, value in self.points:
            index = (at - first) // self.period
            if 0 <= index < count:
                out[index] = value
        return out

    def values(self) -> list[float]:
        """The values held, oldest first (gaps left out)."""
        return [value for _, value in self.points]


def merge(held: Series | None, fresh: Series) -> Series:
    """`fresh` laid over `held`: a bucket both have takes the fresh value (it may have been
    partial when first read)."""
    if held is None or held.period != fresh.period:
        return fresh
    points = dict(held.points)
    points.update(fresh.points)
    return Series(fresh.period, tuple(sorted(points.items())))


def series_from(period: int, timestamps: Iterable[float], values: Iterable[float]) -> Series:
    """A Series from GetMetricData's parallel lists (any order; NaN and infinities dropped)."""
    points = {
        int(t): float(v) for t, v in zip(timestamps, values, strict=False) if math.isfinite(v)
    }
    return Series(period, tuple(sorted(points.items())))


@dataclass(frozen=True, slots=True)
class Range:
    """A chart's time range and the period asked for it (one CloudWatch accepts for it)."""

    label: str
    seconds: int
    period: int


# Periods keep each chart near 60-300 points: one per column or so at 80 columns, and well
# inside CloudWatch's retention (60 s data: 15 days; 300 s: 63 days).
RANGES: tuple[Range, ...] = (
    Range("1h", 3600, MINUTE),
    Range("3h", 3 * 3600, MINUTE),
    Range("12h", 12 * 3600, 5 * MINUTE),
    Range("1d", 86400, 5 * MINUTE),
    Range("1w", 7 * 86400, 3600),
)


def total(series: Series | None, start: float) -> float | None:
    """The sum of the buckets from `start` on; None when there are none (no data)."""
    if series is None:
        return None
    values = series.since(start).values()
    return sum(values) if values else None


def mean(series: Series | None, start: float) -> float | None:
    """The mean of the buckets from `start` on; None when there are none."""
    if series is None:
        return None
    values = series.since(start).values()
    return sum(values) / len(values) if values else None
