"""The metrics engine with a scripted reader: batching, reading only what is new, figures,
the percentile fallback and markers. No clocks: every `now` is passed in."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timezone

import pytest

from artui.domain.apprunner import Operation, OperationStatus, OperationType, Service, ServiceStatus
from artui.domain.errors import AwsError, ThrottledError
from artui.domain.series import (
    LATENCY,
    MAX_QUERIES,
    MINUTE,
    R5XX,
    RANGES,
    REQUESTS,
    Query,
    Series,
    merge,
    series_from,
)
from artui.engine import metrics

NOW = 1_800_000_000.0  # a whole minute


def service(n: int, status: ServiceStatus = ServiceStatus.RUNNING) -> Service:
    return Service(
        arn=f"arn:aws:apprunner:us-east-1:123456789012:service/svc-{n}/{n:032x}",
        name=f"svc-{n}",
        id=f"{n:032x}",
        status=status,
        raw_status=status.value,
        region="us-east-1",
    )


class Reader:
    """Answers every query with one point a period, from a value function; logs each call."""

    def __init__(self, value=lambda q, t: 10.0, refuse_percentiles: AwsError | None = None):
        self.calls: list[tuple[list[Query], float, float]] = []
        self.value = value
        self.refuse = refuse_percentiles

    async def metric_data(
        self, region: str, queries: Sequence[Query], start: float, end: float
    ) -> dict[Query, Series]:
        self.calls.append((list(queries), start, end))
        assert len(queries) <= MAX_QUERIES
        if self.refuse is not None and any(q.percentile for q in queries):
            raise self.refuse
        out = {}
        for q in queries:
            first = math.ceil(start / q.period) * q.period
            times = range(int(first), int(end), q.period)
            pairs = [(t, self.value(q, t)) for t in times]
            pairs = [(t, v) for t, v in pairs if v is not None]
            out[q] = series_from(q.period, [t for t, _ in pairs], [v for _, v in pairs])
        return out


@pytest.mark.parametrize("size, calls", [(1, 1), (166, 1), (167, 2), (170, 2), (500, 3)])
async def test_a_fleet_costs_ceil_n_m_over_500_calls(size: int, calls: int):
    fleet = [service(n) for n in range(size)]
    reader = Reader()
    held = await metrics.fetch_fleet(reader, "us-east-1", fleet, {}, NOW)
    assert len(reader.calls) == math.ceil(size * len(metrics.FLEET_METRICS) / MAX_QUERIES)
    assert len(reader.calls) == calls
    assert sum(len(q) for q, _, _ in reader.calls) == size * 3
    assert all(start == NOW - metrics.FLEET_WINDOW for _, start, _ in reader.calls)
    assert set(held) == {s.arn for s in fleet}
    assert len(held[fleet[0].arn].requests.points) == 60


async def test_a_refresh_reads_only_from_where_the_last_one_ended():
    fleet = [service(n) for n in range(3)]
    reader = Reader()
    held = await metrics.fetch_fleet(reader, "us-east-1", fleet, {}, NOW)
    later = NOW + 5 * MINUTE
    held = await metrics.fetch_fleet(reader, "us-east-1", fleet, held, later)
    _, start, end = reader.calls[-1]
    assert (start, end) == (NOW - metrics.LATE, later)
    points = held[fleet[0].arn].requests.points
    # Still the last hour only, a point a minute, nothing twice.
    assert [t for t, _ in points] == list(range(int(later - 3600), int(later), 60))


async def test_a_new_service_is_read_for_the_whole_hour_in_the_same_call():
    fleet = [service(n) for n in range(3)]
    reader = Reader()
    held = await metrics.fetch_fleet(reader, "us-east-1", fleet, {}, NOW)
    grown = [*fleet, service(3)]
    held = await metrics.fetch_fleet(reader, "us-east-1", grown, held, NOW + MINUTE)
    assert len(reader.calls) == 2
    assert reader.calls[-1][1] == NOW + MINUTE - metrics.FLEET_WINDOW
    assert len(held[grown[3].arn].requests.points) == 60


async def test_deleted_services_cost_no_queries():
    fleet = [service(0), service(1, ServiceStatus.DELETED)]
    reader = Reader()
    held = await metrics.fetch_fleet(reader, "us-east-1", fleet, {}, NOW)
    assert set(held) == {fleet[0].arn}
    assert len(reader.calls[0][0]) == len(metrics.FLEET_METRICS)


async def test_a_fleet_with_nothing_to_read_reads_nothing():
    reader = Reader()
    assert await metrics.fetch_fleet(reader, "us-east-1", [], {}, NOW) == {}
    gone = [service(0, ServiceStatus.DELETED)]
    assert await metrics.fetch_fleet(reader, "us-east-1", gone, {}, NOW) == {}
    assert reader.calls == []


async def test_the_series_are_made_off_the_event_loop(monkeypatch: pytest.MonkeyPatch):
    import threading

    made_in: list[threading.Thread] = []
    real = metrics._fleet_series

    def recording(*args):
        made_in.append(threading.current_thread())
        return real(*args)

    monkeypatch.setattr(metrics, "_fleet_series", recording)
    held = await metrics.fetch_fleet(Reader(), "us-east-1", [service(0)], {}, NOW)
    assert made_in and made_in[0] is not threading.main_thread()
    assert len(held[service(0).arn].requests.points) == 60


@pytest.mark.parametrize("seed", range(20))
def test_a_read_keeps_what_merge_would_and_the_held_points_themselves(seed: int):
    import random

    rng = random.Random(seed)
    now = NOW + MINUTE * rng.randrange(0, 90)

    def series(start: float, end: float) -> Series:
        times = [t for t in range(int(start), int(end), MINUTE) if rng.random() < 0.8]
        return series_from(MINUTE, times, [rng.choice([0.0, 1.5, 7.0]) for _ in times])

    held = series(NOW - 2 * metrics.FLEET_WINDOW, NOW)
    fresh = series(NOW - metrics.LATE - rng.randrange(0, 10) * MINUTE, now)
    kept = metrics._kept(held, fresh, now)
    assert kept == merge(held, fresh).since(now - metrics.FLEET_WINDOW)
    # The points a read keeps are the ones held, not copies (fewer objects for the GC).
    fresh_times = {t for t, _ in fresh.points}
    assert all(any(p is q for q in held.points) for p in kept.points if p[0] not in fresh_times)
    assert metrics._kept(None, fresh, now) == fresh.since(now - metrics.FLEET_WINDOW)
    assert metrics._kept(held, None, now) == held.since(now - metrics.FLEET_WINDOW)
    other_period = Series(5 * MINUTE, held.points)
    assert metrics._kept(other_period, fresh, now) == fresh.since(now - metrics.FLEET_WINDOW)


def _fleet_series(requests, errors, latency) -> metrics.FleetSeries:
    def s(values):
        start = int(NOW - len(values) * 60)
        pairs = [(start + 60 * i, v) for i, v in enumerate(values) if v is not None]
        return Series(60, tuple(pairs))

    return metrics.FleetSeries(s(requests), s(errors), s(latency), NOW)


def test_figures_are_over_the_newest_five_minutes_with_data():
    held = _fleet_series(
        [100.0] * 10 + [200.0] * 5 + [None] * 2,
        [0.0] * 10 + [20.0] * 5 + [None] * 2,
        [50.0] * 10 + [80.0] * 5 + [None] * 2,
    )
    fig = metrics.figures(held, NOW)
    assert fig.rpm == 200.0
    assert fig.error_share == pytest.approx(10.0)
    assert fig.latency_ms == 80.0
    assert fig.hurting(5.0) and not fig.hurting(10.5)


def test_no_data_and_no_traffic_are_told_apart():
    assert metrics.figures(None, NOW).no_data
    assert metrics.figures(_fleet_series([None] * 5, [None] * 5, [None] * 5), NOW).no_data
    quiet = metrics.figures(_fleet_series([0.0] * 5, [0.0] * 5, [None] * 5), NOW)
    assert quiet.no_traffic and not quiet.no_data
    assert quiet.error_share is None and not quiet.hurting(5.0)
    # An hour with data that ended half an hour ago (paused since) has no current figures.
    paused = _fleet_series([100.0] * 30 + [None] * 30, [0.0] * 30 + [None] * 30, [9.0] * 60)
    assert metrics.figures(paused, NOW).no_data


def test_slots_keep_gaps_and_merge_prefers_the_fresh_value():
    s = Series(60, ((0, 1.0), (120, 3.0)))
    assert s.slots(0, 180) == [1.0, None, 3.0]
    fresh = Series(60, ((120, 4.0), (180, 5.0)))
    assert merge(s, fresh).points == ((0, 1.0), (120, 4.0), (180, 5.0))


HOUR = RANGES[0]
THREE_HOURS = RANGES[1]


async def test_a_refused_percentile_falls_back_to_the_average_labelled():
    reader = Reader(
        refuse_percentiles=AwsError("InvalidParameterValue: p99", "InvalidParameterValue")
    )
    chart = await metrics.fetch_chart(reader, service(1), HOUR, None, NOW)
    assert chart.fallback == "Average: percentiles refused (InvalidParameterValue)"
    assert chart.get(LATENCY, "Average").points
    assert len(reader.calls) == 2 and not any(q.percentile for q in reader.calls[1][0])
    # The next read of the same range does not ask again; a new range does.
    await metrics.fetch_chart(reader, service(1), HOUR, chart, NOW + 60)
    assert len(reader.calls) == 3 and not any(q.percentile for q in reader.calls[2][0])
    await metrics.fetch_chart(reader, service(1), THREE_HOURS, chart, NOW + 60)
    assert any(q.percentile for q in reader.calls[3][0])


async def test_empty_percentiles_fall_back_and_a_throttle_is_not_a_refusal():
    reader = Reader(value=lambda q, t: None if q.percentile else 5.0)
    chart = await metrics.fetch_chart(reader, service(1), HOUR, None, NOW)
    assert chart.fallback == "Average: no percentile data"
    throttled = Reader(refuse_percentiles=ThrottledError("ThrottlingException: slow down"))
    with pytest.raises(ThrottledError):
        await metrics.fetch_chart(throttled, service(1), HOUR, None, NOW)


async def test_a_chart_refresh_reads_only_what_is_new_and_keeps_the_range():
    reader = Reader()
    chart = await metrics.fetch_chart(reader, service(1), THREE_HOURS, None, NOW)
    assert reader.calls[0][1] == NOW - THREE_HOURS.seconds
    assert {q.period for q in reader.calls[0][0]} == {THREE_HOURS.period}
    chart = await metrics.fetch_chart(reader, service(1), THREE_HOURS, chart, NOW + 120)
    assert reader.calls[1][1] == NOW - metrics.LATE
    assert len(chart.get(REQUESTS, "Sum").points) == THREE_HOURS.seconds // 60
    assert chart.fallback is None and not chart.no_traffic and not chart.no_data


async def test_no_traffic_is_zero_requests_not_missing_ones():
    reader = Reader(value=lambda q, t: 0.0 if q.metric in (REQUESTS, R5XX) else None)
    chart = await metrics.fetch_chart(reader, service(1), HOUR, None, NOW)
    assert chart.no_traffic and not chart.no_data
    empty = await metrics.fetch_chart(Reader(value=lambda q, t: None), service(1), HOUR, None, NOW)
    assert empty.no_data and not empty.no_traffic


def _op(kind: OperationType, at: float, status=OperationStatus.SUCCEEDED) -> Operation:
    return Operation(
        id=f"{kind.value}-{at}",
        type=kind,
        status=status,
        started_at=datetime.fromtimestamp(at, timezone.utc),
    )


def test_markers_are_the_deployments_pauses_and_resumes_in_range():
    ops = [
        _op(OperationType.START_DEPLOYMENT, NOW - 600, OperationStatus.ROLLBACK_SUCCEEDED),
        _op(OperationType.PAUSE_SERVICE, NOW - 300),
        _op(OperationType.RESUME_SERVICE, NOW - 120),
        _op(OperationType.UPDATE_SERVICE, NOW - 90, OperationStatus.ROLLBACK_FAILED),
        _op(OperationType.DELETE_SERVICE, NOW - 60),
        _op(OperationType.START_DEPLOYMENT, NOW - 7200),
    ]
    found = metrics.markers(ops, NOW - 3600, NOW)
    assert [(m.at, m.letter, m.failed) for m in found] == [
        (NOW - 600, "D", True),
        (NOW - 300, "P", False),
        (NOW - 120, "R", False),
        (NOW - 90, "U", True),
    ]
