"""The poller and the App Runner layer against the simulator, over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from conftest import control

from artui.aws.apprunner import AppRunner
from artui.aws.clients import Clients
from artui.aws.errors import translate
from artui.domain import ServiceStatus
from artui.errors import AuthError, NetworkError, NotFoundError, ThrottledError
from artui.poller import Poller
from artui.sim.server import Simulator
from tests.uihelp import aim_botocore_at, fail_list_services

REGIONS = ("us-east-1", "eu-west-1")
PER_REGION = 45  # more than two pages of 20


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(regions=REGIONS, services=PER_REGION, time_scale=1000, world=False) as sim:
        yield sim


@pytest.fixture
async def app_runner(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[AppRunner]:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(sim, monkeypatch.setenv)
    control(sim, "DELETE", "/_sim/faults")
    control(sim, "DELETE", "/_sim/requests")
    clients = Clients()
    yield AppRunner(clients)
    await clients.close()


class Clock:
    """A clock the test moves by hand, so ages are exact."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_lists_every_page_of_every_region(sim: Simulator, app_runner: AppRunner) -> None:
    poller = Poller(app_runner.list_services, REGIONS)
    snapshot = await poller.refresh()
    assert len(snapshot.services) == 2 * PER_REGION
    assert {s.region for s in snapshot.services} == set(REGIONS)
    assert len({s.arn for s in snapshot.services}) == 2 * PER_REGION
    calls = control(sim, "GET", "/_sim/requests")["requests"]
    pages = [c for c in calls if c["operation"] == "ListServices"]
    assert len(pages) == 2 * 3  # 45 services: pages of 20, 20 and 5 in each region
    for region in REGIONS:
        names = [s.name for s in snapshot.services if s.region == region]
        assert names == sorted(names)
    assert [s.region for s in snapshot.services] == sorted(
        (s.region for s in snapshot.services), key=REGIONS.index
    )
    statuses = {s.status for s in snapshot.services}
    assert {ServiceStatus.RUNNING, ServiceStatus.PAUSED, ServiceStatus.CREATE_FAILED} <= statuses


async def test_failure_keeps_last_known_services_with_their_age(
    sim: Simulator, app_runner: AppRunner
) -> None:
    clock = Clock()
    poller = Poller(app_runner.list_services, REGIONS, interval=5, clock=clock)
    first = await poller.refresh()
    assert first.age(clock.now) == 0 and not first.stale
    fail_list_services(sim, "AccessDeniedException", "not authorized", region="eu-west-1")
    clock.now += 42
    second = await poller.refresh()
    assert second.services == first.services
    assert second.stale
    assert isinstance(second.errors["eu-west-1"], AuthError)
    assert "not authorized" in str(second.errors["eu-west-1"])
    assert second.age(clock.now) == 42
    assert second.fetched_at["us-east-1"] == clock.now  # the healthy region stays fresh
    assert poller.next_delay() == 60  # credentials do not mend in seconds
    control(sim, "DELETE", "/_sim/faults")
    clock.now += 3
    third = await poller.refresh()
    assert not third.stale and third.age(clock.now) == 0
    assert third.last_error is not None
    assert third.last_error[0] == clock.now - 3
    assert third.last_error[1].startswith("eu-west-1: AccessDeniedException")
    assert poller.next_delay() == 5


async def test_backoff_doubles_and_caps(sim: Simulator, app_runner: AppRunner) -> None:
    poller = Poller(app_runner.list_services, ("us-east-1",), interval=5, max_backoff=30)
    fail_list_services(sim, "InternalServiceErrorException", "boom")
    delays = []
    for _ in range(3):
        await poller.refresh()
        delays.append(poller.next_delay())
    assert delays == [10, 20, 30]


async def test_describe_and_not_found(sim: Simulator, app_runner: AppRunner) -> None:
    services = await app_runner.list_services("us-east-1")
    image_service = services[0]
    detail = await app_runner.describe_service("us-east-1", image_service.arn)
    assert detail.service.arn == image_service.arn
    assert detail.cpu and detail.memory and detail.source
    assert detail.health_check.protocol in ("TCP", "HTTP")
    missing = image_service.arn.rsplit("/", 1)[0] + "/" + "0" * 32
    with pytest.raises(NotFoundError):
        await app_runner.describe_service("us-east-1", missing)


async def test_unreachable_endpoint_is_a_network_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL_APPRUNNER", "http://127.0.0.1:9")
    clients = Clients()
    try:
        poller = Poller(AppRunner(clients).list_services, ("us-east-1",))
        snapshot = await poller.refresh()
    finally:
        await clients.close()
    assert isinstance(snapshot.errors["us-east-1"], NetworkError)
    assert not snapshot.loaded


def test_error_codes_map_to_domain_errors() -> None:
    def client_error(code: str) -> ClientError:
        return ClientError({"Error": {"Code": code, "Message": "m"}}, "ListServices")

    assert isinstance(translate(client_error("ThrottlingException")), ThrottledError)
    assert isinstance(translate(client_error("ExpiredTokenException")), AuthError)
    assert isinstance(translate(client_error("ResourceNotFoundException")), NotFoundError)
    assert isinstance(translate(EndpointConnectionError(endpoint_url="x")), NetworkError)
    assert translate(ValueError("not ours")) is None


async def test_refresh_now_during_a_poll_starts_the_next_at_once(app_runner: AppRunner) -> None:
    gate = asyncio.Event()
    calls: list[str] = []

    async def gated_fetch(region: str):
        calls.append(region)
        if len(calls) == 1:
            await gate.wait()
        return await app_runner.list_services(region)

    async def second_poll() -> None:
        while len(calls) < 2:
            await asyncio.sleep(0.01)

    poller = Poller(gated_fetch, ("us-east-1",), interval=3600)
    task = asyncio.create_task(poller.run(lambda snapshot: None))
    try:
        while not calls:
            await asyncio.sleep(0)
        poller.refresh_now()  # the operator presses r while the first poll is out
        gate.set()
        # Without the press honoured, the next poll would wait the full hour.
        await asyncio.wait_for(second_poll(), timeout=10)
    finally:
        task.cancel()
