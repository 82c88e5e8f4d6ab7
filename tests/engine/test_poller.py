"""The refresh engine and the App Runner layer against the simulator, over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from conftest import control

from artui.aws.apprunner import AppRunner
from artui.aws.clients import Clients
from artui.aws.errors import translate
from artui.domain.apprunner import ServiceStatus
from artui.domain.errors import AuthError, NetworkError, NotFoundError, ThrottledError
from artui.engine import services
from artui.engine.refresh import Cadence, Refresher
from artui.engine.store import Scope, Store
from artui.sim.server import Simulator
from tests.eventually import eventually_async
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


def engine(
    fetch, regions=REGIONS, clock=None, **cadence: float
) -> tuple[Refresher, Callable[[], services.Snapshot]]:
    """A services refresher over `regions`, and a function giving its current snapshot."""
    store = Store()
    scopes = tuple(Scope(None, r) for r in regions)
    refresher = services.refresher(
        fetch, scopes, store, Cadence(**cadence), **({"clock": clock} if clock else {})
    )
    return refresher, lambda: services.snapshot(store, scopes)


class Clock:
    """A clock the test moves by hand, so ages are exact."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_lists_every_page_of_every_region(sim: Simulator, app_runner: AppRunner) -> None:
    poller, snap = engine(app_runner.list_services)
    await poller.refresh()
    snapshot = snap()
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
    poller, snap = engine(app_runner.list_services, clock=clock, interval=5)
    await poller.refresh()
    first = snap()
    assert first.age(clock.now) == 0 and not first.stale
    fail_list_services(sim, "AccessDeniedException", "not authorized", region="eu-west-1")
    clock.now += 42
    await poller.refresh()
    second = snap()
    assert second.services == first.services
    assert second.stale
    assert isinstance(second.errors["eu-west-1"], AuthError)
    assert "not authorized" in str(second.errors["eu-west-1"])
    assert second.age(clock.now) == 42
    assert second.fetched_at["us-east-1"] == clock.now  # the healthy region stays fresh
    assert poller.next_delay() == 60  # credentials do not mend in seconds
    control(sim, "DELETE", "/_sim/faults")
    clock.now += 3
    await poller.refresh()
    third = snap()
    assert not third.stale and third.age(clock.now) == 0
    assert third.last_error is not None
    assert third.last_error[0] == clock.now - 3
    assert third.last_error[1].startswith("eu-west-1: AccessDeniedException")
    # The backoff is over; the list did not change, so the quiet pace begins.
    assert poller.next_delay() == 10


async def test_backoff_doubles_and_caps(sim: Simulator, app_runner: AppRunner) -> None:
    poller, _ = engine(app_runner.list_services, ("us-east-1",), interval=5, max_backoff=30)
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
        poller, snap = engine(AppRunner(clients).list_services, ("us-east-1",))
        await poller.refresh()
        snapshot = snap()
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

    poller, _ = engine(gated_fetch, ("us-east-1",), interval=3600)
    task = asyncio.create_task(poller.run())
    try:
        await eventually_async(lambda: calls, "the first poll")
        poller.refresh_now()  # the operator presses r while the first poll is out
        gate.set()
        # Without the press honoured, the next poll would wait the full hour.
        await eventually_async(lambda: len(calls) >= 2, "the next poll")
    finally:
        task.cancel()


def test_cadence_is_quick_while_busy_or_hurried_and_slows_while_quiet() -> None:
    cadence = Cadence(interval=5, quiet_factor=6)

    def delay(**given) -> float:
        state = {"failures": 0, "errors": [], "busy": False, "hurried": False, "quiet_polls": 0}
        return cadence.delay(**{**state, **given})

    assert [delay(quiet_polls=n) for n in range(5)] == [5, 10, 20, 30, 30]
    assert delay(quiet_polls=4, busy=True) == 5
    assert delay(quiet_polls=4, hurried=True) == 5
    assert delay(failures=1, errors=[ThrottledError("slow down")]) == 20
    assert delay(failures=1, errors=[AuthError("expired")]) == 60


async def test_an_operation_in_progress_keeps_the_quick_pace(app_runner: AppRunner) -> None:
    clock = Clock()
    poller, snap = engine(app_runner.list_services, ("us-east-1",), clock=clock, interval=5)
    await poller.refresh()
    await poller.refresh()
    busy = [s for s in snap().services if s.status is ServiceStatus.OPERATION_IN_PROGRESS]
    # The session simulator's services have settled: nothing in progress, nothing changed.
    assert not busy and poller.next_delay() == 10
    clock.now += 3600  # past the operator's last `r`
    poller.refresh_now()
    assert poller.next_delay() == 5
    clock.now += 3600
    assert poller.next_delay() == 10
