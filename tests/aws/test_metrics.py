"""artui/aws/metrics.py and the fleet's refresh against the simulator over HTTP: GetMetricData
calls counted with botocore's own event hooks, not mocks."""

from __future__ import annotations

import math
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from conftest import aim_botocore_at

from artui.aws import metrics as aws_metrics
from artui.aws.backend import Backend, over
from artui.aws.clients import Clients
from artui.domain.apprunner import ServiceStatus
from artui.domain.series import MAX_QUERIES, MINUTE, REQUESTS, Query
from artui.engine import metrics
from artui.sim.server import Simulator

REGION = "us-east-1"
# 170 services x 3 metrics = 510 queries: one more than a call takes.
FLEET = 170


@pytest.fixture
def big_sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with Simulator(
        regions=(REGION,), services=FLEET, quota=FLEET, time_scale=0, world=False
    ) as simulator:
        aim_botocore_at(simulator, monkeypatch.setenv)
        yield simulator


@pytest.fixture
async def backend(big_sim: Simulator) -> AsyncIterator[Backend]:
    clients = Clients()
    yield over(clients, None, (REGION,))
    await clients.close()


async def count_calls(backend: Backend) -> list[dict[str, Any]]:
    """Every GetMetricData request the backend's CloudWatch client sends, as sent."""
    sent: list[dict[str, Any]] = []
    client = await backend.clients.get("cloudwatch", REGION)

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(params)

    client.meta.events.register("provide-client-params.cloudwatch.GetMetricData", record)
    return sent


async def test_a_fleet_over_500_queries_costs_ceil_n_m_over_500_calls(
    big_sim: Simulator, backend: Backend
) -> None:
    services = await backend.apprunner.list_services(REGION)
    assert len(services) == FLEET
    sent = await count_calls(backend)
    now = big_sim.clock.now()
    held = await metrics.fetch_fleet(backend.metrics, REGION, services, {}, now)
    expected = math.ceil(FLEET * len(metrics.FLEET_METRICS) / MAX_QUERIES)
    assert len(sent) == expected == 2
    assert all(len(p["MetricDataQueries"]) <= MAX_QUERIES for p in sent)
    assert sum(len(p["MetricDataQueries"]) for p in sent) == FLEET * 3
    running = [s for s in services if s.status is ServiceStatus.RUNNING]
    assert running and all(held[s.arn].requests.points for s in running)

    # The next refresh costs the same and reads only the newest minutes.
    sent.clear()
    await metrics.fetch_fleet(backend.metrics, REGION, services, held, now + 5 * MINUTE)
    assert len(sent) == expected
    spans = {(p["EndTime"] - p["StartTime"]).total_seconds() for p in sent}
    assert max(spans) <= 5 * MINUTE + metrics.LATE + MINUTE


async def test_read_gives_each_query_its_series_oldest_first(
    big_sim: Simulator, backend: Backend
) -> None:
    services = await backend.apprunner.list_services(REGION)
    running = next(s for s in services if s.status is ServiceStatus.RUNNING)
    query = Query(running.name, running.id, REQUESTS, "Sum")
    now = big_sim.clock.now() // MINUTE * MINUTE
    found = await backend.metrics.metric_data(REGION, [query], now - 3600, now)
    points = found[query].points
    assert len(points) == 60
    assert [t for t, _ in points] == sorted(t for t, _ in points)
    assert all(value >= 0 for _, value in points)


def _one_query_per_service(services: list[Any], now: float) -> dict[str, Any]:
    """A GetMetricData request for every service's requests over the last hour."""
    return {
        "MetricDataQueries": [
            aws_metrics.metric_query(f"q{n}", Query(s.name, s.id, REQUESTS, "Sum"))
            for n, s in enumerate(services)
        ],
        "StartTime": datetime.fromtimestamp(now - 3600, timezone.utc),
        "EndTime": datetime.fromtimestamp(now, timezone.utc),
        "ScanBy": "TimestampAscending",
    }


@pytest.fixture
def parsed_in(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    """The thread each answer handed off the loop was parsed in."""
    threads: list[threading.Thread] = []
    real = aws_metrics.parse_answer

    def recording(*args: Any) -> dict[str, Any]:
        threads.append(threading.current_thread())
        return real(*args)

    monkeypatch.setattr(aws_metrics, "parse_answer", recording)
    return threads


async def test_an_answer_is_parsed_off_the_loop_as_botocore_parses_it(
    big_sim: Simulator, backend: Backend, parsed_in: list[threading.Thread]
) -> None:
    services = await backend.apprunner.list_services(REGION)
    request = _one_query_per_service(services, big_sim.clock.now() // MINUTE * MINUTE)
    client = await backend.clients.get("cloudwatch", REGION)
    aws_metrics.parse_off_the_loop(client)
    aws_metrics.parse_off_the_loop(client)  # twice: still one parse an answer
    answer = await client.get_metric_data(**request)
    assert len(parsed_in) == 1 and parsed_in[0] is not threading.main_thread()
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    # The same request through a client that parses on the loop, as botocore does.
    plain_clients = Clients()
    try:
        plain = await (await plain_clients.get("cloudwatch", REGION)).get_metric_data(**request)
    finally:
        await plain_clients.close()
    answer.pop("ResponseMetadata")
    plain.pop("ResponseMetadata")
    assert answer == plain
    results = answer["MetricDataResults"]
    assert len(results) == FLEET and any(r["Timestamps"] for r in results)


async def test_an_error_answer_keeps_botocores_own_parse(
    big_sim: Simulator, backend: Backend, parsed_in: list[threading.Thread]
) -> None:
    from botocore.exceptions import ClientError

    services = await backend.apprunner.list_services(REGION)
    request = _one_query_per_service(services * 3, big_sim.clock.now() // MINUTE * MINUTE)
    client = await backend.clients.get("cloudwatch", REGION)
    aws_metrics.parse_off_the_loop(client)
    with pytest.raises(ClientError) as caught:
        await client.get_metric_data(**request)  # 510 queries: CloudWatch takes 500
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert "500" in caught.value.response["Error"]["Message"]
    assert parsed_in == []


@pytest.mark.parametrize("protocol", sorted(aws_metrics._EMPTY_ANSWER))
async def test_the_loop_is_left_an_empty_answer_to_parse(protocol: str) -> None:
    from aiobotocore.parsers import create_parser
    from botocore.session import get_session

    model = get_session().get_service_model("cloudwatch").operation_model("GetMetricData")
    response = {
        "body": aws_metrics._EMPTY_ANSWER[protocol],
        "headers": {},
        "status_code": 200,
        "context": {},
    }
    parsed = await create_parser(protocol).parse(response, model.output_shape)
    assert set(parsed) == {"ResponseMetadata"}


def test_timestamps_parse_to_the_same_instant_in_utc() -> None:
    from datetime import datetime, timezone

    from artui.aws.clients import utc_timestamp

    assert utc_timestamp(1_795_000_000) == datetime(2026, 11, 18, 11, 6, 40, tzinfo=timezone.utc)
    assert utc_timestamp(1_795_000_000.5).tzinfo is timezone.utc
    # Strings (other protocols) still go through botocore's own parser.
    assert utc_timestamp("2026-11-18T11:06:40Z").timestamp() == 1_795_000_000
