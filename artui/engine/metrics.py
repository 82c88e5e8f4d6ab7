"""Metrics for the services list (the fleet's last hour) and for one service's charts, from
batched GetMetricData calls; no Textual here.

The fleet: every service of a scope costs `len(FLEET_METRICS)` queries, packed 500 to a
call, so a refresh of N services is ceil(N*M/500) calls whatever N is. Each refresh reads
only from where the last one ended (less `LATE`, for minutes CloudWatch had not finished
adding up), and the series keep the last hour. Charts read one service's metrics over a
`Range`; where CloudWatch refuses a percentile, latency falls back to its Average and says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from artui.domain.apprunner import (
    FAILED_OPERATION,
    Operation,
    OperationType,
    Service,
    ServiceStatus,
)
from artui.domain.errors import AuthError, AwsError, NetworkError, ThrottledError
from artui.domain.series import (
    CPU,
    INSTANCES,
    LATENCY,
    MAX_QUERIES,
    MEMORY,
    MINUTE,
    R2XX,
    R4XX,
    R5XX,
    REQUESTS,
    Query,
    Range,
    Series,
    mean,
    merge,
    total,
)
from artui.engine.ports import MetricReader
from artui.engine.refresh import Cadence, Refresher
from artui.engine.store import Kind, Scope, Store
from artui.engine.threads import in_daemon_thread

FLEET_KIND: Kind[dict[str, FleetSeries]] = Kind("fleet-metrics")
CHART_KIND: Kind[Chart] = Kind("service-metrics")
# The services list's sparklines: the last hour, a point a minute.
FLEET_WINDOW = 3600
FLEET_METRICS = ((REQUESTS, "Sum"), (R5XX, "Sum"), (LATENCY, "Average"))
# The list's current figures are over the last five minutes with data: one minute is noisy.
RECENT = 5 * MINUTE
# CloudWatch may still be adding up the newest minutes: each read goes back this far.
LATE = 2 * MINUTE


# -- the fleet -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FleetSeries:
    """One service's last hour on the services list, and up to when it was read."""

    requests: Series
    errors: Series
    latency: Series
    until: float


@dataclass(frozen=True)
class Figures:
    """A service's current figures: requests a minute, 5xx share (%), latency (ms).

    None means no data (a paused service, or none published yet); `rpm == 0` is no traffic.
    """

    rpm: float | None = None
    error_share: float | None = None
    latency_ms: float | None = None

    @property
    def no_data(self) -> bool:
        return self.rpm is None

    @property
    def no_traffic(self) -> bool:
        return self.rpm == 0

    def hurting(self, threshold: float) -> bool:
        """Whether the 5xx share is at or over `threshold` percent."""
        return self.error_share is not None and self.error_share >= threshold


def figures(held: FleetSeries | None, now: float) -> Figures:
    """The current figures from the newest `RECENT` seconds that have data."""
    newest = held.requests.newest if held is not None else None
    # Nothing in the last few minutes (paused since, say): the hour's old figures are not
    # current, though its sparkline still shows them.
    if held is None or newest is None or newest < now - RECENT - LATE:
        return Figures()
    # From the newest minute with data, not from now: CloudWatch lags by a minute or two.
    start = newest - RECENT + MINUTE
    requests = total(held.requests, start) or 0.0
    minutes = len(held.requests.since(start).points)
    errors = total(held.errors, start) or 0.0
    return Figures(
        rpm=requests / minutes,
        error_share=100.0 * errors / requests if requests else None,
        latency_ms=mean(held.latency, start),
    )


def fleet_window(fleet: Mapping[str, FleetSeries]) -> tuple[float, float] | None:
    """The hour the sparklines show: up to the newest minute with data, unless that is
    older than CloudWatch's usual lag (then up to the read, the rest drawn as gaps)."""
    if not fleet:
        return None
    until = max(held.until for held in fleet.values())
    newest = max(
        (h.requests.newest for h in fleet.values() if h.requests.newest is not None),
        default=None,
    )
    end = until
    if newest is not None and newest + MINUTE >= until - LATE:
        # Minutes CloudWatch has not added up yet would draw as a gap at every row's end.
        end = min(until, newest + MINUTE)
    return end - FLEET_WINDOW, end


def fleet_queries(service: Service) -> list[Query]:
    """The list's queries for one service."""
    return [Query(service.name, service.id, metric, stat) for metric, stat in FLEET_METRICS]


def metered(service: Service) -> bool:
    """Whether the list reads `service`'s metrics (a deleted one publishes nothing more)."""
    return service.status is not ServiceStatus.DELETED


async def fetch_fleet(
    reader: MetricReader,
    region: str,
    services: Sequence[Service],
    held: Mapping[str, FleetSeries],
    now: float,
) -> dict[str, FleetSeries]:
    """The fleet's series after one refresh: ceil(N*M/500) calls, each from the oldest
    point its services still need."""
    now = float(int(now // MINUTE * MINUTE))
    wanted_services = [s for s in services if metered(s)]
    # Services already held first: a call then mixes new ones with old ones only once.
    wanted_services.sort(key=lambda s: s.arn not in held)
    wanted = [(s, q) for s in wanted_services for q in fleet_queries(s)]
    found: dict[Query, Series] = {}
    # Packed by query, not by service: one service's metrics may span two calls, and the
    # count stays ceil(N*M/500).
    for i in range(0, len(wanted), MAX_QUERIES):
        batch = wanted[i : i + MAX_QUERIES]
        start = min(
            held[s.arn].until - LATE if s.arn in held else now - FLEET_WINDOW for s, _ in batch
        )
        start = max(start, now - FLEET_WINDOW)
        found.update(await reader.metric_data(region, [q for _, q in batch], start, now))
    if not wanted_services:
        return {}
    # Merging a fleet's worth of series is tens of milliseconds: not on the event loop.
    return await in_daemon_thread(_fleet_series, wanted_services, found, held, now)


def _fleet_series(
    wanted_services: Sequence[Service],
    found: Mapping[Query, Series],
    held: Mapping[str, FleetSeries],
    now: float,
) -> dict[str, FleetSeries]:
    """Each service's series after a read: what was held with what was found laid over it."""
    out: dict[str, FleetSeries] = {}
    for service in wanted_services:
        requests, errors, latency = (found.get(q) for q in fleet_queries(service))
        before = held.get(service.arn)
        out[service.arn] = FleetSeries(
            requests=_kept(before.requests if before else None, requests, now),
            errors=_kept(before.errors if before else None, errors, now),
            latency=_kept(before.latency if before else None, latency, now),
            until=now,
        )
    return out


def _kept(held: Series | None, fresh: Series | None, now: float) -> Series:
    """`merge(held, fresh).since(now - FLEET_WINDOW)`, keeping the points' own tuples: a
    fleet's hour is 90,000 of them, and new ones at every read would each be one more
    object for the garbage collector to walk until it finds them plain."""
    fresh = fresh or Series(MINUTE)
    start = now - FLEET_WINDOW
    if held is None or held.period != fresh.period:
        return fresh.since(start)
    newer = {at for at, _ in fresh.points}
    points = [p for p in held.points if p[0] >= start and p[0] not in newer]
    points += (p for p in fresh.points if p[0] >= start)
    points.sort(key=_at)
    return Series(fresh.period, tuple(points))


def _at(point: tuple[int, float]) -> int:
    return point[0]


def fleet_refresher(
    reader: MetricReader,
    scopes: Sequence[Scope],
    store: Store,
    services_of: Callable[[Scope], Sequence[Service]],
    interval: float,
    *,
    clock: Callable[[], float] = time.time,
    on_update: Callable[[bool], None] = lambda polling: None,
) -> Refresher[dict[str, FleetSeries]]:
    """The refresh engine for the services list's metrics, on its own interval."""

    async def fetch(scope: Scope) -> dict[str, FleetSeries]:
        held = store.get(FLEET_KIND, scope).value or {}
        return await fetch_fleet(reader, scope.region, services_of(scope), held, clock())

    # Metrics change every minute whether or not anything else does: no slowing when quiet.
    cadence = Cadence(interval=interval, quiet_factor=1.0, max_backoff=max(interval, 300.0))
    return Refresher(
        FLEET_KIND,
        fetch,
        scopes,
        store,
        cadence,
        clock=clock,
        on_update=on_update,
        operation="GetMetricData",
    )


# -- one service's charts ----------------------------------------------------------------


# The charts, in the order the pane draws them: (title, [(metric, stat, legend)]).
CHARTS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    ("Requests", ((REQUESTS, "Sum", "requests"),)),
    ("Responses", ((R2XX, "Sum", "2xx"), (R4XX, "Sum", "4xx"), (R5XX, "Sum", "5xx"))),
    ("Latency (ms)", ((LATENCY, "p50", "p50"), (LATENCY, "p99", "p99"))),
    ("Active instances", ((INSTANCES, "Maximum", "instances"),)),
    ("CPU and memory (%)", ((CPU, "Average", "CPU"), (MEMORY, "Average", "memory"))),
)
# Asked beside the percentiles, so a refusal or an empty answer has something to show.
FALLBACK = (LATENCY, "Average", "average")


@dataclass(frozen=True)
class Chart:
    """One service's series over one range, keyed by (metric, stat)."""

    range: Range
    series: Mapping[tuple[str, str], Series]
    until: float
    # Why latency shows its Average instead of p50/p99 (None: the percentiles are shown).
    fallback: str | None = None
    refused: bool = field(default=False, compare=False)

    def get(self, metric: str, stat: str) -> Series:
        """The series of `metric` and `stat` (empty if it has none)."""
        return self.series.get((metric, stat)) or Series(self.range.period)

    @property
    def no_traffic(self) -> bool:
        """True when the range has request data and every point of it is zero."""
        values = self.get(REQUESTS, "Sum").values()
        return bool(values) and not any(values)

    @property
    def no_data(self) -> bool:
        """True when no series has a point in the range."""
        return not any(s.points for s in self.series.values())


def chart_key(service: Service, rng: Range) -> str:
    """The store key of one service's chart over one range."""
    return f"{service.arn}|{rng.label}"


def chart_queries(service: Service, rng: Range, percentiles: bool = True) -> list[Query]:
    """The queries behind the charts (without percentiles once they have been refused)."""
    wanted = [(m, s) for _, lines in CHARTS for m, s, _ in lines]
    wanted.append(FALLBACK[:2])
    return [
        Query(service.name, service.id, metric, stat, rng.period)
        for metric, stat in dict.fromkeys(wanted)
        if percentiles or not stat.startswith("p")
    ]


def _refusal(error: AwsError) -> bool:
    # A percentile refused answers like a bad parameter, or (moto) a server error; these are
    # not about percentiles and would fail the retry just the same.
    return not isinstance(error, (AuthError, ThrottledError, NetworkError))


async def fetch_chart(
    reader: MetricReader, service: Service, rng: Range, held: Chart | None, now: float
) -> Chart:
    """One service's chart after a refresh: only what is newer than `held`, if it is for
    the same range; percentiles dropped for the rest of the range once refused."""
    now = float(int(now // MINUTE * MINUTE))
    same = held is not None and held.range == rng
    start = now - rng.seconds
    if same and held is not None:
        start = max(start, held.until - max(LATE, 2 * rng.period))
    start = start // rng.period * rng.period
    refused = same and held is not None and held.refused
    fallback = held.fallback if same and held is not None else None
    queries = chart_queries(service, rng, percentiles=not refused)
    try:
        found = await reader.metric_data(service.region, queries, start, now)
    except AwsError as exc:
        if refused or not _refusal(exc):
            raise
        refused = True
        fallback = f"Average: percentiles refused ({exc.code or exc})"
        queries = chart_queries(service, rng, percentiles=False)
        found = await reader.metric_data(service.region, queries, start, now)
    series: dict[tuple[str, str], Series] = {}
    for query in queries:
        before = held.series.get((query.metric, query.stat)) if same and held else None
        fresh = found.get(query) or Series(rng.period)
        series[(query.metric, query.stat)] = merge(before, fresh).since(now - rng.seconds)
    if not refused:
        percentile_points = any(series[(LATENCY, s)].points for s in ("p50", "p99"))
        if series[FALLBACK[:2]].points and not percentile_points:
            fallback = "Average: no percentile data"
        elif percentile_points:
            fallback = None
    return Chart(rng, series, until=now, fallback=fallback, refused=refused)


def chart_refresher(
    reader: MetricReader,
    service: Service,
    rng: Range,
    scope: Scope,
    store: Store,
    interval: float,
    *,
    clock: Callable[[], float] = time.time,
    on_update: Callable[[bool], None] = lambda polling: None,
) -> Refresher[Chart]:
    """The refresh engine for one service's chart over one range, while the pane is shown."""
    key = chart_key(service, rng)

    async def fetch(scope: Scope) -> Chart:
        return await fetch_chart(
            reader, service, rng, store.get(CHART_KIND, scope, key).value, clock()
        )

    # A longer range changes more slowly than its period: no need to ask more often.
    cadence = Cadence(
        interval=max(interval, float(rng.period)), quiet_factor=1.0, max_backoff=300.0
    )
    return Refresher(
        CHART_KIND,
        fetch,
        [scope],
        store,
        cadence,
        clock=clock,
        on_update=on_update,
        key=key,
        operation="GetMetricData",
    )


# -- markers -------------------------------------------------------------------------------

# What the charts mark on their time axis, and the letter each mark shows.
MARKED = {
    OperationType.START_DEPLOYMENT: "D",
    OperationType.UPDATE_SERVICE: "U",
    OperationType.CREATE_SERVICE: "C",
    OperationType.PAUSE_SERVICE: "P",
    OperationType.RESUME_SERVICE: "R",
}


@dataclass(frozen=True)
class Marker:
    """An operation drawn on the charts' time axis: when it started, its letter, its words."""

    at: float
    letter: str
    label: str
    failed: bool


def markers(operations: Sequence[Operation], start: float, end: float) -> list[Marker]:
    """The deployments, pauses and resumes that started between `start` and `end`."""
    out = []
    for op in operations:
        letter = MARKED.get(op.type)
        at = _epoch(op.started_at)
        if letter is None or at is None or not start <= at <= end:
            continue
        failed = op.status in FAILED_OPERATION
        out.append(Marker(at, letter, op.type_label, failed))
    return sorted(out, key=lambda m: m.at)


def _epoch(when: datetime | None) -> float | None:
    return when.timestamp() if when is not None else None
