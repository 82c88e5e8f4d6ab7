"""A refused connection fails on its first attempt; throttling still backs off and retries.

What one failing call costs, by kind (the figures README's polling cadence and
bench/failing.py rest on): refused, one connection attempt; a credential error, one request;
a 5xx or throttling answer, five requests (botocore's four retries) before it fails.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError, EndpointConnectionError
from conftest import client_kwargs, control

from artui.aws.clients import CLIENT_CONFIG
from artui.aws.errors import translate
from artui.aws.mutations import changes_state
from artui.aws.retries import fail_fast_on_connection_errors
from artui.domain.errors import AuthError, AwsError, NetworkError
from artui.sim import Simulator


def closed_port() -> int:
    """A loopback port nothing listens on: bound, noted, closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Attempts:
    """Counts the HTTP requests a client sends, retries included."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, **_: Any) -> None:
        self.count += 1


@asynccontextmanager
async def fail_fast_client(sim: Simulator, endpoint_url: str | None = None) -> AsyncIterator[Any]:
    """An App Runner client with artui's retry settings and fail-fast connection errors."""
    kwargs = client_kwargs(sim)
    if endpoint_url is not None:
        kwargs["endpoint_url"] = endpoint_url
    async with get_session().create_client("apprunner", config=CLIENT_CONFIG, **kwargs) as client:
        fail_fast_on_connection_errors(client)
        yield client


@pytest.fixture
async def refused(sim: Simulator) -> AsyncIterator[Any]:
    """A fail-fast App Runner client aimed at a closed port."""
    async with fail_fast_client(sim, f"http://127.0.0.1:{closed_port()}") as client:
        yield client


@pytest.fixture
async def fast(sim: Simulator) -> AsyncIterator[Any]:
    """A fail-fast App Runner client for the simulator, with artui's retry settings."""
    async with fail_fast_client(sim) as client:
        yield client


async def test_refused_connection_is_not_retried(refused: Any) -> None:
    attempts = Attempts()
    refused.meta.events.register("before-send.apprunner", attempts)
    with pytest.raises(EndpointConnectionError) as err:
        await refused.list_services()
    assert attempts.count == 1
    assert isinstance(translate(err.value), NetworkError)


async def list_through_fault(
    sim: Simulator, client: Any, error: str, count: int, status: int | None = None
) -> tuple[Any, list[int]]:
    """ListServices with its first `count` calls (-1: every call) failing with `error`;
    returns the answer (or the ClientError raised) and the HTTP statuses of the ListServices
    calls the simulator logged."""
    control(sim, "DELETE", "/_sim/requests")
    fault: dict[str, Any] = {"operation": "ListServices", "error": error, "count": count}
    if status is not None:
        fault["status"] = status
    control(sim, "POST", "/_sim/faults", fault)
    try:
        answer = await client.list_services()
    except ClientError as exc:
        answer = exc
    finally:
        control(sim, "DELETE", "/_sim/faults")
    calls = control(sim, "GET", "/_sim/requests")["requests"]
    return answer, [c["status"] for c in calls if c["operation"] == "ListServices"]


async def test_throttling_keeps_botocore_retries(sim: Simulator, fast: Any) -> None:
    answer, statuses = await list_through_fault(sim, fast, "ThrottlingException", 2)
    assert statuses == [400, 400, 200]
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert answer["ServiceSummaryList"]


async def test_server_errors_keep_botocore_retries(sim: Simulator, fast: Any) -> None:
    answer, statuses = await list_through_fault(sim, fast, "InternalServiceErrorException", 1)
    assert statuses == [500, 200]
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1


async def test_credential_errors_are_sent_once(sim: Simulator, fast: Any) -> None:
    # Not retryable for botocore; the poller then waits its longest (60 s) before the next.
    error, statuses = await list_through_fault(sim, fast, "AccessDeniedException", -1)
    assert statuses == [400]
    assert isinstance(translate(error), AuthError)


async def test_a_lasting_server_error_costs_five_requests(sim: Simulator, fast: Any) -> None:
    # A failing poll while AWS answers 5xx: the first attempt and botocore's four retries
    # (jittered backoff, up to 1+2+4+8 s, so this test may sleep that long), then the error.
    error, statuses = await list_through_fault(sim, fast, "ServiceUnavailable", -1, status=503)
    assert statuses == [503] * 5
    assert isinstance(error, ClientError)
    assert error.response["ResponseMetadata"]["RetryAttempts"] == 4
    mapped = translate(error)
    assert isinstance(mapped, AwsError) and not isinstance(mapped, NetworkError)


async def test_legacy_retries_are_refused(sim: Simulator) -> None:
    config = AioConfig(retries={"mode": "legacy"})
    async with get_session().create_client("apprunner", config=config, **client_kwargs(sim)) as c:
        with pytest.raises(ValueError):
            fail_fast_on_connection_errors(c)


@pytest.mark.parametrize("error", ["ThrottlingException", "InternalServiceErrorException"])
async def test_a_call_that_changes_state_is_sent_once(
    sim: Simulator, fast: Any, error: str
) -> None:
    # Throttled or 5xx, a retry could start a second deployment: botocore must not retry.
    arn = (await fast.list_services())["ServiceSummaryList"][0]["ServiceArn"]
    control(sim, "DELETE", "/_sim/requests")
    fault = {"operation": "StartDeployment", "error": error, "count": 1}
    control(sim, "POST", "/_sim/faults", fault)
    try:
        with pytest.raises(ClientError):
            await fast.start_deployment(ServiceArn=arn)
    finally:
        control(sim, "DELETE", "/_sim/faults")
    calls = control(sim, "GET", "/_sim/requests")["requests"]
    assert [c["operation"] for c in calls] == ["StartDeployment"]


@pytest.mark.parametrize(
    ("operation", "changes"),
    [
        ("StartDeployment", True),
        ("PauseService", True),
        ("DeleteService", True),
        ("UpdateService", True),
        ("ListServices", False),
        ("DescribeService", False),
        ("ListOperations", False),
    ],
)
def test_reads_and_changes_are_told_apart(operation: str, changes: bool) -> None:
    assert changes_state("apprunner", operation) is changes
    assert changes_state("logs", operation) is False
