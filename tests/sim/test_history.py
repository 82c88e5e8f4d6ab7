"""The demo's operation history: one operation at a time, all in the past, spaced as a team
works, and the troubled checkout-api busy enough to need more than one ListOperations page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from conftest import control, make_aio

from artui.sim import Simulator
from artui.sim.apprunner.configs import AutoScalingConfiguration
from artui.sim.apprunner.services import ServiceRecord
from artui.sim.seed import WORK_END_HOUR, WORK_START_HOUR, seed_region
from artui.sim.server import DEMO_SERVICES, DEMO_SPEEDUP

REGION = "us-east-1"
PAGE = 20  # ListOperations' largest MaxResults
# A Tuesday evening, a Saturday noon, a Monday morning: the history fits any `now`.
NOWS = (1_700_000_000.0, 1_700_913_600.0, 1_701_072_000.0)


def _seed(seed: int, now: float, **options: Any) -> list[ServiceRecord]:
    config = AutoScalingConfiguration(REGION, now - 30 * 86400)
    return seed_region(REGION, DEMO_SERVICES, seed, now, autoscaling=config, **options)


def _working(t: float) -> bool:
    moment = datetime.fromtimestamp(t, timezone.utc)
    return moment.weekday() < 5 and WORK_START_HOUR <= moment.hour < WORK_END_HOUR


@pytest.mark.parametrize("now", NOWS)
@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(("in_flight", "speedup"), [(True, DEMO_SPEEDUP), (False, 1.0)])
def test_one_operation_at_a_time_and_all_in_the_past(seed, now, in_flight, speedup):
    for service in _seed(seed, now, in_flight=in_flight, speedup=speedup):
        ops = list(reversed(service.operations))  # oldest first
        assert ops[0].type == "CREATE_SERVICE" and ops[0].started_at == service.created_at
        for before, after in zip(ops, ops[1:], strict=False):
            assert after.started_at >= before.ended_at, (service.name, before, after)
        running = [op for op in ops if op.ended_at > now]
        if service.name == "orders-service" and in_flight:
            assert running == [ops[-1]] and ops[-1].started_at < now
        else:
            assert running == [], service.name
        # A paused service took no deployment until it was resumed.
        paused = False
        for op in ops:
            assert not (paused and op.type == "START_DEPLOYMENT"), service.name
            paused = {"PAUSE_SERVICE": True, "RESUME_SERVICE": False}.get(op.type, paused)


@pytest.mark.parametrize("now", NOWS)
@pytest.mark.parametrize("seed", range(12))
def test_checkout_api_is_busy_and_the_others_have_a_handful(seed, now):
    services = {s.name: s for s in _seed(seed, now, in_flight=True, speedup=DEMO_SPEEDUP)}
    checkout = list(reversed(services["checkout-api"].operations))
    assert PAGE < len(checkout) <= 40
    assert checkout[-1].type == "START_DEPLOYMENT"
    assert checkout[-1].started_at == now - 70 * 60  # the deployment that started the incident
    types = [op.type for op in checkout]
    assert types.count("PAUSE_SERVICE") == types.count("RESUME_SERVICE") == 1
    assert types.index("RESUME_SERVICE") == types.index("PAUSE_SERVICE") + 1
    deployments = [op for op in checkout[1:-1] if op.type == "START_DEPLOYMENT"]
    assert 2 <= sum(op.fails for op in deployments) <= 3
    assert sum(_working(op.started_at) for op in deployments) >= 0.7 * len(deployments)
    gaps = [b.started_at - a.started_at for a, b in zip(deployments, deployments[1:], strict=False)]
    assert sorted(gaps)[len(gaps) // 2] >= 3600  # typically hours apart
    for name, service in services.items():
        if name == "checkout-api":
            continue
        count = len(service.operations)
        assert (count == 1) if name == "search-indexer" else (2 <= count <= 8), (name, count)


def test_the_demo_has_its_cast():
    services = {s.name: s for s in _seed(7, NOWS[0], in_flight=True, speedup=DEMO_SPEEDUP)}
    assert services["payments-worker"].true_status(NOWS[0]) == "RUNNING"
    assert services["payments-worker"].deploy_failure == "build"
    assert "CodeRepository" in services["payments-worker"].source
    assert [s.name for s in services.values() if s.deploy_failure] == ["payments-worker"]
    assert services["checkout-api"].true_status(NOWS[0]) == "RUNNING"
    assert services["web-frontend"].true_status(NOWS[0]) == "PAUSED"
    assert services["orders-service"].true_status(NOWS[0]) == "OPERATION_IN_PROGRESS"
    assert services["search-indexer"].true_status(NOWS[0]) == "CREATE_FAILED"
    types = [op.type for op in services["inventory-sync"].operations]
    assert "PAUSE_SERVICE" in types and "RESUME_SERVICE" in types


def test_history_is_deterministic_from_the_seed():
    def shape(services: list[ServiceRecord]) -> list[tuple[str, str, float, str | None]]:
        return [
            (op.id, op.type, op.started_at, op.failure) for s in services for op in s.operations
        ]

    assert shape(_seed(7, NOWS[0], in_flight=True)) == shape(_seed(7, NOWS[0], in_flight=True))
    assert shape(_seed(7, NOWS[0])) != shape(_seed(8, NOWS[0]))


@pytest.fixture(scope="module")
def demo() -> Iterator[Simulator]:
    """The demo's services on a stopped clock, without the world (nothing in flight)."""
    with Simulator(
        regions=(REGION,),
        services=DEMO_SERVICES,
        time_scale=0,
        speedup=DEMO_SPEEDUP,
        world=False,
    ) as simulator:
        yield simulator


@pytest.fixture
async def client(demo: Simulator) -> AsyncIterator[Any]:
    cm, client = await make_aio(demo, "apprunner", REGION)
    try:
        yield client
    finally:
        await cm.__aexit__(None, None, None)


async def _all_operations(client: Any, arn: str) -> tuple[list[dict], int]:
    ops, pages, token = [], 0, None
    while True:
        kwargs = {"ServiceArn": arn, "MaxResults": PAGE, **({"NextToken": token} if token else {})}
        page = await client.list_operations(**kwargs)
        assert len(page["OperationSummaryList"]) <= PAGE
        ops += page["OperationSummaryList"]
        pages += 1
        token = page.get("NextToken")
        if not token:
            return ops, pages


async def test_checkout_api_pages_through_its_history_newest_first(demo, client):
    now = control(demo, "GET", "/_sim/clock")["now"]
    services = (await client.list_services())["ServiceSummaryList"]
    for service in services:
        ops, pages = await _all_operations(client, service["ServiceArn"])
        assert len({op["Id"] for op in ops}) == len(ops)
        assert ops[-1]["Type"] == "CREATE_SERVICE"
        assert service["CreatedAt"] <= ops[-1]["StartedAt"]
        # Newest first, and each one started only after the one before it had ended.
        for newer, older in zip(ops, ops[1:], strict=False):
            assert newer["StartedAt"] >= older["EndedAt"], (service["ServiceName"], newer, older)
        assert all(op["StartedAt"].timestamp() <= now for op in ops)
        if service["ServiceName"] == "checkout-api":
            assert len(ops) > PAGE and pages == -(-len(ops) // PAGE)
            assert ops[0]["Type"] == "START_DEPLOYMENT" and ops[0]["Status"] == "SUCCEEDED"
            assert ops[0]["StartedAt"].timestamp() == pytest.approx(now - 70 * 60)
            assert [op["Status"] for op in ops].count("FAILED") >= 2
            types = [op["Type"] for op in ops]
            assert types.index("PAUSE_SERVICE") == types.index("RESUME_SERVICE") + 1
        else:
            assert pages == 1
