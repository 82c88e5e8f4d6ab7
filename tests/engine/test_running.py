"""The services list names what each busy service is doing ('deploying'), from one small
ListOperations per service in OPERATION_IN_PROGRESS and none for the others: against the
simulator over real HTTP, operations started by someone else (a plain boto3 client)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import boto3
import pytest
from conftest import client_kwargs, control

from artui.aws.apprunner import AppRunner
from artui.aws.clients import Clients
from artui.domain.apprunner import OperationsPage, OperationType, ServiceStatus
from artui.engine import services
from artui.engine.refresh import Refresher
from artui.engine.store import Scope, Store
from artui.sim.server import Simulator

REGION = "us-east-1"
SCOPE = Scope(None, REGION)


class Counted:
    """The real AppRunner's operations read, noting which service each call asked about
    and how many rows it asked for (the simulator's request log names neither)."""

    def __init__(self, apprunner: AppRunner) -> None:
        self.apprunner = apprunner
        self.asked: list[tuple[str, int | None]] = []

    async def list_operations(
        self, region: str, arn: str, token: str | None = None, limit: int | None = None
    ) -> OperationsPage:
        self.asked.append((arn, limit))
        return await self.apprunner.list_operations(region, arn, token, limit)


@pytest.fixture
async def apprunner(fresh_sim: Simulator) -> AsyncIterator[AppRunner]:
    clients = Clients()
    yield AppRunner(clients)
    await clients.close()


def boto(sim: Simulator) -> Any:
    return boto3.client("apprunner", **client_kwargs(sim))


def arns(sim: Simulator) -> dict[str, str]:
    listed = boto(sim).list_services(MaxResults=20)["ServiceSummaryList"]
    return {s["ServiceName"]: s["ServiceArn"] for s in listed}


def list_operations_served(sim: Simulator) -> int:
    served = control(sim, "GET", "/_sim/requests")["requests"]
    return sum(r["operation"] == "ListOperations" for r in served)


def engine(apprunner: AppRunner, operations: Counted) -> tuple[Refresher[Any], Store]:
    store = Store()
    poller = services.refresher(apprunner.list_services, [SCOPE], store, operations=operations)
    return poller, store


def labels(store: Store) -> dict[str, str]:
    return {s.name: s.short_label for s in store.get(services.KIND, SCOPE).value or ()}


async def test_only_busy_services_have_their_operation_read_and_named(
    fresh_sim: Simulator, apprunner: AppRunner
) -> None:
    operations = Counted(apprunner)
    poller, store = engine(apprunner, operations)
    control(fresh_sim, "DELETE", "/_sim/requests")
    for _ in range(3):
        await poller.refresh()
    # Nothing in progress: the list costs ListServices alone, however many services.
    assert operations.asked == [] and list_operations_served(fresh_sim) == 0
    quiet = labels(store)
    assert "busy" not in quiet.values()

    by_name = arns(fresh_sim)
    client = boto(fresh_sim)
    client.start_deployment(ServiceArn=by_name["orders-service"])
    client.pause_service(ServiceArn=by_name["auth-gateway"])
    for polls in range(1, 4):
        await poller.refresh()
        # One small read per busy service per poll; the five others are never asked about.
        assert sorted(operations.asked) == sorted(
            [(by_name["orders-service"], services.RUNNING_PAGE)] * polls
            + [(by_name["auth-gateway"], services.RUNNING_PAGE)] * polls
        )
        assert list_operations_served(fresh_sim) == 2 * polls
    busy = labels(store)
    assert busy["orders-service"] == "deploying" and busy["auth-gateway"] == "pausing"
    assert {k: v for k, v in busy.items() if k not in {"orders-service", "auth-gateway"}} == {
        k: v for k, v in quiet.items() if k not in {"orders-service", "auth-gateway"}
    }
    listed = {s.name: s for s in store.get(services.KIND, SCOPE).value or ()}
    assert listed["orders-service"].running is OperationType.START_DEPLOYMENT

    # Once both have ended, the reads stop with them.
    control(fresh_sim, "POST", "/_sim/clock", {"advance": 400})
    await poller.refresh()
    asked = len(operations.asked)
    for _ in range(3):
        await poller.refresh()
    assert len(operations.asked) == asked
    statuses = {s.status for s in store.get(services.KIND, SCOPE).value or ()}
    assert ServiceStatus.OPERATION_IN_PROGRESS not in statuses


async def test_a_failed_operations_read_shows_busy_and_keeps_the_list(
    fresh_sim: Simulator, apprunner: AppRunner
) -> None:
    operations = Counted(apprunner)
    poller, store = engine(apprunner, operations)
    boto(fresh_sim).start_deployment(ServiceArn=arns(fresh_sim)["orders-service"])
    # A 400: refused at once (a 5xx would be retried by botocore first).
    fault = {"operation": "ListOperations", "error": "InvalidRequestException", "status": 400}
    control(fresh_sim, "POST", "/_sim/faults", {**fault, "message": "no", "count": -1})
    await poller.refresh()
    known = store.get(services.KIND, SCOPE)
    assert known.error is None and known.value is not None
    assert labels(store)["orders-service"] == "busy"
    control(fresh_sim, "DELETE", "/_sim/faults")
    await poller.refresh()
    assert labels(store)["orders-service"] == "deploying"
