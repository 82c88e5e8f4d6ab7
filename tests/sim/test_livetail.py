"""Live Tail served as AWS serves it: an open stream of updates, over real HTTP.

aiobotocore reads the sessions and boto3 writes the lines (PutLogEvents through the
simulator's port, on to moto). Log group names are unique per test: moto's state is shared
by every Simulator in the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import EventStreamError
from botocore.validate import ParamValidator
from conftest import aim_botocore_at, client_kwargs, control, make_boto3

from artui.sim import Simulator
from artui.sim.livetail import MAX_SESSION
from tests.eventually import eventually_async

HANG_GUARD = 15.0
INTERVAL = 0.05
ACCOUNT = "123456789012"
REGION = "us-east-1"
_LOGS = botocore.session.get_session().get_service_model("logs")


@pytest.fixture(scope="module")
def tail_sim() -> Iterator[Simulator]:
    """A simulator whose Live Tail sessions update every 50 ms."""
    with Simulator(
        regions=(REGION,), services=0, world=False, time_scale=0, livetail_interval=INTERVAL
    ) as simulator:
        yield simulator


@pytest.fixture
def server(tail_sim: Simulator) -> Iterator[Simulator]:
    """The module's simulator; its Live Tail mode is put back afterwards."""
    yield tail_sim
    control(tail_sim, "POST", "/_sim/livetail", {"mode": "live"})


@pytest.fixture
def writer(tail_sim: Simulator) -> Any:
    """A boto3 CloudWatch Logs client for the simulator."""
    return make_boto3(tail_sim, "logs")


@contextlib.asynccontextmanager
async def aio_logs(sim: Simulator, key: str = "testing", **config: Any) -> AsyncIterator[Any]:
    """An aiobotocore CloudWatch Logs client for `sim` (no `stream-` host prefix), signed
    with access key id `key` (12 digits: that account)."""
    aio_config = AioConfig(inject_host_prefix=False, retries={"total_max_attempts": 1}, **config)
    kwargs = {**client_kwargs(sim), "aws_access_key_id": key}
    async with get_session().create_client("logs", config=aio_config, **kwargs) as client:
        yield client


def new_group(logs: Any, streams: tuple[str, ...] = ("app",)) -> tuple[str, str]:
    """A fresh log group with `streams`: its name and ARN."""
    name = f"/artui/livetail/{uuid.uuid4().hex}"
    logs.create_log_group(logGroupName=name)
    for stream in streams:
        logs.create_log_stream(logGroupName=name, logStreamName=stream)
    return name, f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"


def write(logs: Any, group: str, stream: str, *messages: str, timestamp: int | None = None) -> None:
    """Put `messages` in one PutLogEvents call."""
    when = timestamp if timestamp is not None else int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": when, "message": message} for message in messages],
    )


def check_shape(name: str, doc: dict[str, Any]) -> None:
    """Assert `doc` fits botocore's shape `name` of the logs model."""
    report = ParamValidator().validate(doc, _LOGS.shape_for(name))
    assert not report.has_errors(), report.generate_report()


class Tail:
    """One session's response stream, read with a hang guard on every step."""

    def __init__(self, response: dict[str, Any]) -> None:
        self.stream = response["responseStream"]
        self._events = self.stream.__aiter__()
        self.updates: list[dict[str, Any]] = []
        self.results: list[dict[str, Any]] = []

    async def next(self) -> dict[str, Any]:
        """The next message of the stream."""
        return await asyncio.wait_for(anext(self._events), HANG_GUARD)

    async def start(self, shaped: bool = True) -> dict[str, Any]:
        """The sessionStart, which must come first (fitting its shape, if `shaped`)."""
        event = await self.next()
        assert list(event) == ["sessionStart"], event
        if shaped:
            check_shape("LiveTailSessionStart", event["sessionStart"])
        return event["sessionStart"]

    async def update(self, shaped: bool = True) -> dict[str, Any]:
        """The next sessionUpdate, its results kept."""
        event = await self.next()
        assert list(event) == ["sessionUpdate"], event
        update = event["sessionUpdate"]
        if shaped:
            check_shape("LiveTailSessionUpdate", update)
        self.updates.append(update)
        self.results.extend(update["sessionResults"])
        return update

    async def until(self, done: Callable[[list[str]], bool]) -> list[str]:
        """Read updates until `done(messages so far)` holds; the messages."""
        await eventually_async(
            lambda: done(self.messages()),
            lambda: f"the wanted messages; got {self.messages()}",
            pause=self.update,
        )
        return self.messages()

    async def more(self, updates: int) -> list[str]:
        """Read `updates` more updates; the messages so far."""
        for _ in range(updates):
            await self.update()
        return self.messages()

    def messages(self) -> list[str]:
        """Every message received, in order."""
        return [result["message"] for result in self.results]


def no_sessions(server: Simulator) -> Callable[[], bool]:
    """A condition: no Live Tail session is open on `server`."""
    return lambda: server.livetail.open_sessions == 0


def has(*wanted: str) -> Callable[[list[str]], bool]:
    """A `Tail.until` condition: all of `wanted` arrived."""
    return lambda messages: set(wanted) <= set(messages)


async def test_session_start_comes_first_with_the_requested_groups(server, writer):
    _, arn = new_group(writer)
    async with aio_logs(server) as logs:
        response = await logs.start_live_tail(logGroupIdentifiers=[arn])
        tail = Tail(response)
        start = await tail.start()
        assert start["logGroupIdentifiers"] == [arn]
        assert start["sessionId"] and start["requestId"]
        update = await tail.update()
        assert update == {"sessionMetadata": {"sampled": False}, "sessionResults": []}


async def test_a_line_written_after_the_start_arrives_and_earlier_ones_do_not(server, writer):
    group, arn = new_group(writer)
    write(writer, group, "app", "before 1", "before 2")
    async with aio_logs(server) as logs:
        tail = Tail(await logs.start_live_tail(logGroupIdentifiers=[arn]))
        await tail.start()
        write(writer, group, "app", "after")
        assert await tail.until(has("after")) == ["after"]
    [result] = tail.results
    assert set(result) == {
        "logStreamName",
        "logGroupIdentifier",
        "message",
        "timestamp",
        "ingestionTime",
    }
    assert (result["logStreamName"], result["logGroupIdentifier"]) == ("app", arn)
    # Ingested on the simulator's clock (stopped here); the test stamped the machine's.
    assert result["ingestionTime"] == int(control(server, "GET", "/_sim/clock")["now"] * 1000)
    assert result["timestamp"] > 0


async def test_each_line_arrives_once_in_ingestion_order_across_many_updates(server, writer):
    group, arn = new_group(writer)
    write(writer, group, "app", "old")
    now = int(time.time() * 1000)
    expected: list[str] = []
    async with aio_logs(server) as logs:
        tail = Tail(await logs.start_live_tail(logGroupIdentifiers=[arn]))
        await tail.start()
        for batch in range(6):
            # Every other batch is stamped a minute earlier than the one before it: order
            # is by ingestion, and an older timestamp is still new.
            lines = [f"batch {batch} line {i}" for i in range(3)]
            write(writer, group, "app", *lines, timestamp=now - 60_000 * (batch % 2))
            expected += lines
            await tail.until(has(*lines))
        messages = await tail.more(5)
    assert messages == expected
    assert len(tail.updates) >= 6


async def test_a_stream_kept_in_timestamp_order_still_sends_each_line_once(
    server, writer, monkeypatch
):
    # moto 5.2 appends; a moto that kept each stream sorted by timestamp would insert an
    # older line before lines the session has already read. Emulate one.
    from moto.logs.models import LogStream

    appending = LogStream.put_log_events

    def sorting(stream: Any, log_events: list[dict[str, Any]]) -> str:
        token = appending(stream, log_events)
        # One slice assignment: a reader in another thread sees the list before or after.
        stream.events[:] = sorted(stream.events, key=lambda event: event.timestamp)
        return token

    monkeypatch.setattr(LogStream, "put_log_events", sorting)
    group, arn = new_group(writer)
    now = int(time.time() * 1000)
    write(writer, group, "app", "old", timestamp=now)
    expected: list[str] = []
    async with aio_logs(server) as logs:
        tail = Tail(await logs.start_live_tail(logGroupIdentifiers=[arn]))
        await tail.start()
        for batch in range(6):
            lines = [f"batch {batch} line {i}" for i in range(3)]
            # Each batch older than every line before it: it lands at the list's head.
            write(writer, group, "app", *lines, timestamp=now - 1000 * (batch + 1))
            expected += lines
            await tail.until(has(*lines))
        messages = await tail.more(5)
    assert messages == expected


async def test_stream_names_and_prefixes_choose_the_streams(server, writer):
    group, arn = new_group(writer, ("instance/a", "instance/b", "events", "other"))
    async with aio_logs(server) as logs:
        named = Tail(
            await logs.start_live_tail(logGroupIdentifiers=[arn], logStreamNames=["events"])
        )
        prefixed = Tail(
            await logs.start_live_tail(
                logGroupIdentifiers=[arn], logStreamNamePrefixes=["instance/"]
            )
        )
        assert (await named.start())["logStreamNames"] == ["events"]
        assert (await prefixed.start())["logStreamNamePrefixes"] == ["instance/"]
        for stream in ("instance/a", "instance/b", "events", "other"):
            write(writer, group, stream, f"to {stream}")
        assert await named.until(has("to events")) == ["to events"]
        assert sorted(await prefixed.until(has("to instance/a", "to instance/b"))) == [
            "to instance/a",
            "to instance/b",
        ]
    assert {r["logStreamName"] for r in prefixed.results} == {"instance/a", "instance/b"}


async def test_a_filter_pattern_keeps_the_matching_lines(server, writer):
    group, arn = new_group(writer)
    async with aio_logs(server) as logs:
        tail = Tail(
            await logs.start_live_tail(logGroupIdentifiers=[arn], logEventFilterPattern="ERROR")
        )
        assert (await tail.start())["logEventFilterPattern"] == "ERROR"
        # One call: the lines land in one update, so the INFO line had its chance.
        write(writer, group, "app", "INFO fine", "ERROR broken", "INFO still fine", "ERROR again")
        assert await tail.until(has("ERROR broken", "ERROR again")) == [
            "ERROR broken",
            "ERROR again",
        ]


async def test_more_than_500_new_lines_in_one_update_are_sampled_to_500(server, writer):
    group, arn = new_group(writer)
    lines = [f"line {i:04d}" for i in range(700)]
    async with aio_logs(server) as logs:
        tail = Tail(await logs.start_live_tail(logGroupIdentifiers=[arn]))
        await tail.start()
        write(writer, group, "app", *lines)  # one call: all 700 are new in the same update
        await tail.until(bool)
        [update] = [u for u in tail.updates if u["sessionResults"]]
        assert update["sessionMetadata"] == {"sampled": True}
        sent = tail.messages()
        assert len(sent) == 500
        assert set(sent) <= set(lines) and sent == sorted(sent)  # in ingestion order
        # The dropped 200 never come later.
        write(writer, group, "app", "after")
        assert (await tail.until(has("after")))[500:] == ["after"]
        assert tail.updates[-1]["sessionMetadata"] == {"sampled": False}


async def test_two_groups_in_one_session(server, writer):
    first, first_arn = new_group(writer)
    second, _ = new_group(writer)
    async with aio_logs(server) as logs:
        # An ARN and a plain name: both are taken.
        tail = Tail(await logs.start_live_tail(logGroupIdentifiers=[first_arn, second]))
        assert (await tail.start())["logGroupIdentifiers"] == [first_arn, second]
        write(writer, first, "app", "one")
        write(writer, second, "app", "two")
        assert await tail.until(has("one", "two")) == ["one", "two"]
    assert [r["logGroupIdentifier"] for r in tail.results] == [first_arn, second]


async def test_a_session_tails_its_own_accounts_groups_only(server):
    other = "210987654399"  # no other test signs with it: moto's stores are process-wide
    theirs = boto3.client("logs", **{**client_kwargs(server), "aws_access_key_id": other})
    name, arn = new_group(theirs)
    arn = arn.replace(ACCOUNT, other)
    async with aio_logs(server, other) as logs:
        tail = Tail(await logs.start_live_tail(logGroupIdentifiers=[name]))
        assert (await tail.start())["logGroupIdentifiers"] == [name]
        write(theirs, name, "app", "in the other account")
        assert await tail.until(has("in the other account")) == ["in the other account"]
    # The default account sees no such group, by name or by the other account's ARN.
    async with aio_logs(server) as logs:
        for identifier in (name, arn):
            with pytest.raises(logs.exceptions.ResourceNotFoundException):
                await logs.start_live_tail(logGroupIdentifiers=[identifier])


async def test_invalid_requests_are_refused_as_aws_refuses_them(server, writer):
    _, arn = new_group(writer)
    _, other_arn = new_group(writer)
    control(server, "DELETE", "/_sim/requests")
    refused = {
        "ResourceNotFoundException": [
            {"logGroupIdentifiers": [f"{arn}-missing"]},
            {"logGroupIdentifiers": [arn, "/artui/livetail/no-such-group"]},
            {"logGroupIdentifiers": [arn.replace(REGION, "eu-west-1")]},
            {"logGroupIdentifiers": [arn.replace(ACCOUNT, "999999999999")]},
        ],
        "InvalidParameterException": [
            {"logGroupIdentifiers": [arn], "logStreamNames": ["a"], "logStreamNamePrefixes": ["a"]},
            {"logGroupIdentifiers": [arn, other_arn], "logStreamNames": ["app"]},
            {"logGroupIdentifiers": [arn, other_arn], "logStreamNamePrefixes": ["a"]},
            {"logGroupIdentifiers": [arn] * 11},
            {"logGroupIdentifiers": []},
            {"logGroupIdentifiers": [f"{arn}:*"]},
            {"logGroupIdentifiers": [arn], "logStreamNames": ["a:b"]},
        ],
    }
    # Without the client's own checks, so that the simulator's are what answers.
    async with aio_logs(server, parameter_validation=False) as logs:
        for code, requests in refused.items():
            for request in requests:
                with pytest.raises(getattr(logs.exceptions, code)) as err:
                    await logs.start_live_tail(**request)
                assert err.value.response["Error"]["Message"], request
                assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        with pytest.raises(logs.exceptions.InvalidParameterException) as err:
            await logs.start_live_tail(logGroupIdentifiers=[arn] * 11)
        assert (
            "at 'logGroupIdentifiers' failed to satisfy constraint: Member must have length "
            "less than or equal to 10" in err.value.response["Error"]["Message"]
        )
    entries = control(server, "GET", "/_sim/requests")["requests"]
    assert [(e["operation"], e["service"], e["region"], e["status"]) for e in entries] == [
        ("StartLiveTail", "logs", REGION, 400)
    ] * 12


def test_an_error_is_an_aws_json_1_1_body(server):
    request = urllib.request.Request(
        server.endpoint,
        data=b'{"logGroupIdentifiers": ["/artui/livetail/no-such-group"]}',
        method="POST",
        headers={
            "X-Amz-Target": "Logs_20140328.StartLiveTail",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=HANG_GUARD)
    assert err.value.code == 400
    assert err.value.headers["Content-Type"].startswith("application/x-amz-json-1.1")
    assert json.load(err.value) == {
        "__type": "ResourceNotFoundException",
        "message": "The specified log group does not exist.",
    }


async def test_a_started_session_is_in_the_request_log(server, writer):
    _, arn = new_group(writer)
    control(server, "DELETE", "/_sim/requests")
    async with aio_logs(server) as logs:
        tail = Tail(await logs.start_live_tail(logGroupIdentifiers=[arn]))
        await tail.start()
    entries = control(server, "GET", "/_sim/requests")["requests"]
    assert [(e["operation"], e["service"], e["status"]) for e in entries] == [
        ("StartLiveTail", "logs", 200)
    ]


async def test_oneshot_mode_sends_what_exists_then_ends(server, writer):
    group, arn = new_group(writer)
    write(writer, group, "app", "existing 1", "existing 2")
    assert control(server, "POST", "/_sim/livetail", {"mode": "oneshot"}) == {"mode": "oneshot"}
    async with aio_logs(server) as logs:
        tail = Tail(await logs.start_live_tail(logGroupIdentifiers=[arn]))
        # moto's own answer: its sessionStart has empty lists where the model wants 1+.
        await tail.start(shaped=False)
        await tail.update(shaped=False)
        with pytest.raises(StopAsyncIteration):
            await tail.next()
    assert tail.messages() == ["existing 1", "existing 2"]


async def test_refuse_mode_is_access_denied(server, writer):
    _, arn = new_group(writer)
    control(server, "POST", "/_sim/livetail", {"mode": "refuse"})
    async with aio_logs(server) as logs:
        with pytest.raises(logs.exceptions.AccessDeniedException) as err:
            await logs.start_live_tail(logGroupIdentifiers=[arn])
    assert "logs:StartLiveTail" in err.value.response["Error"]["Message"]
    assert server.livetail.open_sessions == 0


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{}",
        b'{"mode": "sometimes"}',
        b'{"mode": 1}',
        b'{"mode": null}',
        b'{"mode": "live", "extra": 1}',
        b'{"mode": "live", "mode": "refuse"}',
        b"[]",
        b"not json",
    ],
)
def test_the_livetail_control_refuses_bad_bodies(server, body):
    control(server, "POST", "/_sim/livetail", {"mode": "oneshot"})
    request = urllib.request.Request(server.endpoint + "/_sim/livetail", data=body, method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=HANG_GUARD)
    assert err.value.code == 400
    answer = json.load(err.value)
    assert set(answer) == {"error"} and answer["error"]
    assert control(server, "GET", "/_sim/livetail") == {"mode": "oneshot"}


def test_the_livetail_control_reports_and_sets_the_mode(server):
    assert control(server, "GET", "/_sim/livetail") == {"mode": "live"}
    for mode in ("refuse", "oneshot", "live"):
        assert control(server, "POST", "/_sim/livetail", {"mode": mode}) == {"mode": mode}
        assert control(server, "GET", "/_sim/livetail") == {"mode": mode}
        assert server.livetail.mode == mode


async def test_closing_the_stream_ends_the_session_on_the_server(server, writer):
    _, arn = new_group(writer)
    # Earlier tests' sessions. The wait keeps this loop running: a closed transport only
    # closes its socket in a loop callback.
    await eventually_async(no_sessions(server), "earlier tests' sessions to end")
    async with aio_logs(server) as logs:
        tail = Tail(await logs.start_live_tail(logGroupIdentifiers=[arn]))
        await tail.start()
        assert server.livetail.open_sessions == 1
        tail.stream.close()
        await eventually_async(no_sessions(server), "the closed stream's session to end")
        # And when the whole client goes away.
        tail = Tail(await logs.start_live_tail(logGroupIdentifiers=[arn]))
        await tail.start()
        assert server.livetail.open_sessions == 1
    await eventually_async(no_sessions(server), "the closed client's session to end")


async def test_a_session_ends_with_session_timeout_exception_after_three_simulated_hours(
    server, writer
):
    # The limit runs on the simulator's clock, as every time rule of the simulator does: a
    # session on a stopped clock lasts until the clock is moved past three hours.
    group, arn = new_group(writer)
    async with aio_logs(server) as logs:
        tail = Tail(await logs.start_live_tail(logGroupIdentifiers=[arn]))
        await tail.start()
        write(writer, group, "app", "early")
        await tail.until(has("early"))
        control(server, "POST", "/_sim/clock", {"advance": MAX_SESSION - 60})
        write(writer, group, "app", "still open a minute before the limit")
        await tail.until(has("still open a minute before the limit"))
        control(server, "POST", "/_sim/clock", {"advance": 60})
        with pytest.raises(EventStreamError) as err:
            await tail.until(lambda _: False)
    assert err.value.response["Error"]["Code"] == "SessionTimeoutException"
    assert err.value.response["Error"]["Message"] == (
        "The Live Tail session timed out after 3 hours."
    )


async def test_stopping_the_simulator_ends_open_sessions(writer):
    own = Simulator(
        regions=(REGION,), services=0, world=False, time_scale=0, livetail_interval=INTERVAL
    )
    own.start()
    try:
        _, arn = new_group(writer)  # moto's state is shared: the group is visible to `own`
        async with aio_logs(own) as logs:
            tail = Tail(await logs.start_live_tail(logGroupIdentifiers=[arn]))
            await tail.start()
            await tail.update()
            assert own.livetail.open_sessions == 1
            thread = own._thread
            assert thread is not None
            await asyncio.to_thread(own.stop)
            assert not thread.is_alive()
            assert own.livetail.open_sessions == 0
            # The client sees its stream end (updates sent before the stop may come first).
            with pytest.raises(StopAsyncIteration):
                for _ in range(1000):
                    await tail.update()
    finally:
        own.stop()


async def test_env_lets_a_plain_client_start_live_tail(monkeypatch, server, writer):
    keys = list(server.env())
    assert keys.index("AWS_DISABLE_HOST_PREFIX_INJECTION") < keys.index("AWS_ACCESS_KEY_ID")
    assert server.env()["AWS_DISABLE_HOST_PREFIX_INJECTION"] == "true"
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(server, monkeypatch.setenv)
    _, arn = new_group(writer)
    # No config at all: endpoint, credentials, region and the host prefix come from env().
    async with get_session().create_client("logs") as logs:
        tail = Tail(await logs.start_live_tail(logGroupIdentifiers=[arn]))
        assert (await tail.start())["logGroupIdentifiers"] == [arn]
