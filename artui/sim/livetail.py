"""CloudWatch Logs Live Tail as AWS serves it: a stream that stays open and pushes new events.

moto's StartLiveTail sends the events that exist and ends the stream. Here a session keeps
its HTTP response open (`application/vnd.amazon.eventstream`, chunked): an initial-response
and a `sessionStart` at once, then every `interval` seconds a `sessionUpdate` carrying the
events ingested since the previous one (none is still an update), at most 500 of them
(`sampled` when more arrived). It ends when the client goes away, when the simulator stops,
or after AWS's three hours with a `SessionTimeoutException` in the stream.

Events are read from moto's process-wide backends, in this process. How moto 5.2 keeps
them: `LogStream.events` is a plain list that PutLogEvents extends in arrival order (it is
never sorted in place; reads sort copies), and each `LogEvent` carries its `ingestion_time`
(epoch ms) and an `event_id` from one process-wide counter, so ids rise in ingestion order.
A session keeps a cursor per stream: how far into that list it has read and the highest id
it has accounted for. Each update slices only the list's new tail; if the list was rebuilt
or reordered (noticed because the item before the tail is no longer the one last read), one
full pass picks the events by id instead. Either way each event ingested after the start is
sent (or sampled away) once, and an update is ordered by ingestion, not timestamp.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from artui.sim.logstore import LogsError, checked_params, invalid, moto_logs, not_found

if TYPE_CHECKING:
    from artui.sim.control import RequestLog

log = logging.getLogger(__name__)

TARGET = "Logs_20140328.StartLiveTail"
OPERATION = "StartLiveTail"
# live: sessions as AWS runs them; oneshot: moto's own answer (what exists, then the end);
# refuse: AccessDeniedException, as for a caller without logs:StartLiveTail.
MODES = ("live", "oneshot", "refuse")
MAX_RESULTS = 500
MAX_SESSION = 3 * 3600.0
EVENTSTREAM = "application/vnd.amazon.eventstream"
_ARN_RE = re.compile(r"arn:[^:]*:logs:([^:]*):([^:]*):log-group:(.*)")
# How long stop() lets sessions end on their own before cutting their connections.
_CLOSE_GRACE = 2.0


@dataclass(frozen=True)
class TailRequest:
    """A StartLiveTail request that passed the model's checks."""

    identifiers: tuple[str, ...]
    stream_names: tuple[str, ...] | None = None
    prefixes: tuple[str, ...] | None = None
    pattern: str | None = None

    def wants(self, stream: str) -> bool:
        """Whether events of the log stream named `stream` belong to the session."""
        if self.stream_names is not None:
            return stream in self.stream_names
        if self.prefixes is not None:
            return stream.startswith(self.prefixes)
        return True


def parse_request(body: bytes) -> TailRequest:
    """The request in `body`, checked against botocore's model as CloudWatch Logs checks it.

    JSON that does not fit the shape is a SerializationException; a broken constraint (1 to
    10 groups, the identifier pattern, which refuses an ARN ending in `:*`...) and the rules
    the model cannot state are InvalidParameterException.
    """
    params = checked_params(body, OPERATION)
    names = params.get("logStreamNames")
    prefixes = params.get("logStreamNamePrefixes")
    if names is not None and prefixes is not None:
        raise invalid("Only one of logStreamNames or logStreamNamePrefixes can be provided.")
    identifiers = params["logGroupIdentifiers"]
    if (names is not None or prefixes is not None) and len(identifiers) != 1:
        raise invalid(
            "logStreamNames and logStreamNamePrefixes can only be used with a single log group."
        )
    return TailRequest(
        tuple(identifiers),
        tuple(names) if names is not None else None,
        tuple(prefixes) if prefixes is not None else None,
        params.get("logEventFilterPattern"),
    )


@dataclass(frozen=True)
class TailedGroup:
    """One log group of a session: how the caller named it, and where moto keeps it."""

    identifier: str
    backend: Any
    name: str

    def streams(self) -> list[Any]:
        """moto's LogStream objects of the group now (none if it was deleted)."""
        group = self.backend.groups.get(self.name)
        # list() copies in one step: moto's threads may add streams meanwhile.
        return list(group.streams.values()) if group is not None else []


def resolve(request: TailRequest, region: str, account: str) -> list[TailedGroup]:
    """The log groups `request` names in `region` of `account`, the caller's;
    ResourceNotFoundException for any missing."""
    backends = moto_logs().logs_backends
    groups = []
    for identifier in request.identifiers:
        arn = _ARN_RE.fullmatch(identifier)
        owner, name, where = account, identifier, region
        if arn is not None:
            where, owner, name = arn.groups()
        backend = None
        # CloudWatch Logs is regional: an ARN of another region is not found from this one;
        # nor is another account's group (no cross-account observability here). An account
        # moto has never seen holds no group (and is not created by asking).
        if where == region and owner == account and owner in backends:
            try:
                backend = backends[owner][region]
            except KeyError:  # a region moto does not know
                backend = None
        if backend is None or name not in backend.groups:
            raise not_found("log group")
        groups.append(TailedGroup(identifier, backend, name))
    return groups


@dataclass
class _Cursor:
    """How far a session has read one moto LogStream's event list."""

    stream: Any
    events: list[Any]
    count: int
    last: Any
    high: int

    def advance(self) -> list[Any]:
        """The stream's events not accounted for yet, in list (ingestion) order."""
        events = self.stream.events
        count = self.count
        # The item before the tail still being the one last read means nothing was
        # inserted or removed before it: the new events are exactly the tail.
        before = events[count - 1 : count] if count else []
        if events is self.events and (count == 0 or (before and before[0] is self.last)):
            tail = events[count:]
            count += len(tail)
            last = tail[-1] if tail else self.last
        else:
            # Rebuilt or reordered: one full pass, ids tell new from already seen.
            tail = events[:]
            count = len(tail)
            last = tail[-1] if tail else None
        # Ids guard the tail too: a list caught mid-sort by another thread reads empty, and
        # the pass after it must not send everything again.
        fresh = [event for event in tail if event.event_id > self.high]
        if fresh:
            self.high = max(self.high, max(event.event_id for event in fresh))
        self.events, self.count, self.last = events, count, last
        return fresh


class Session:
    """What one Live Tail session has read of moto's log streams, update by update."""

    def __init__(self, request: TailRequest, groups: Sequence[TailedGroup]) -> None:
        moto = moto_logs()
        self.request = request
        self.groups = tuple(groups)
        self._filter = moto.message_filter(request.pattern or "")
        # Events created before now are the past: only higher ids are ever sent.
        self._start_high = moto.next_event_id() - 1
        self._cursors: dict[tuple[int, str], _Cursor] = {}
        for index, group in enumerate(self.groups):
            for stream in group.streams():
                if request.wants(stream.log_stream_name):
                    events = stream.events
                    count = len(events)
                    last = events[count - 1 : count]
                    self._cursors[(index, stream.log_stream_name)] = _Cursor(
                        stream, events, count, last[0] if last else None, self._start_high
                    )

    def collect(self) -> tuple[list[dict[str, Any]], bool]:
        """The events ingested since the last call (at most 500, in ingestion order) and
        whether more than 500 matched (the rest are dropped, as AWS samples)."""
        found: list[tuple[int, int, Any, str, str]] = []
        seen: set[tuple[int, str]] = set()
        for index, group in enumerate(self.groups):
            for stream in group.streams():
                name = stream.log_stream_name
                if not self.request.wants(name):
                    continue
                key = (index, name)
                seen.add(key)
                cursor = self._cursors.get(key)
                if cursor is None or cursor.stream is not stream:
                    # A stream created (or created again) since the start: all of it is new.
                    cursor = _Cursor(stream, stream.events, 0, None, self._start_high)
                    self._cursors[key] = cursor
                for event in cursor.advance():
                    if self._filter.matches(event.message):
                        found.append(
                            (event.ingestion_time, event.event_id, event, name, group.identifier)
                        )
        for key in self._cursors.keys() - seen:  # deleted streams
            del self._cursors[key]
        found.sort(key=lambda item: (item[0], item[1]))
        chosen, sampled = sample(found, MAX_RESULTS)
        results = [
            {
                "logStreamName": name,
                "logGroupIdentifier": identifier,
                "message": event.message,
                "timestamp": event.timestamp,
                "ingestionTime": event.ingestion_time,
            }
            for _, _, event, name, identifier in chosen
        ]
        return results, sampled


def sample(items: list[Any], most: int) -> tuple[list[Any], bool]:
    """`items` if there are at most `most`; else `most` of them evenly spread, in order."""
    if len(items) <= most:
        return items, False
    step = len(items) / most
    return [items[int(i * step)] for i in range(most)], True


def event_message(event_type: str, doc: dict[str, Any]) -> bytes:
    """One event-stream message: `event_type` with `doc` as its JSON payload."""
    headers = {
        ":message-type": "event",
        ":event-type": event_type,
        ":content-type": "application/json",
    }
    return moto_logs().encoder.encode_message(headers, json.dumps(doc).encode())


def exception_message(code: str, message: str) -> bytes:
    """An exception in the stream, such as SessionTimeoutException; it ends the session."""
    headers = {
        ":message-type": "exception",
        ":exception-type": code,
        ":content-type": "application/json",
    }
    return moto_logs().encoder.encode_message(headers, json.dumps({"message": message}).encode())


@dataclass
class _Open:
    request: web.Request
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Event = field(default_factory=asyncio.Event)


class LiveTail:
    """The Live Tail sessions of one simulator, and how it answers StartLiveTail (`mode`).

    Lives on the simulator's event loop: `serve` and `close` run there.
    """

    def __init__(
        self, requests: RequestLog, clock: Callable[[], float], interval: float = 1.0
    ) -> None:
        if not (isinstance(interval, (int, float)) and math.isfinite(interval) and interval > 0):
            raise ValueError(
                f"livetail_interval must be a positive number of seconds: {interval!r}"
            )
        self.interval = float(interval)
        # The simulator's clock: a session's three hours are simulated time, as every other
        # time limit of the simulator is.
        self._clock = clock
        self._requests = requests
        self._mode = "live"
        self._open: list[_Open] = []
        self._closed = False

    @property
    def mode(self) -> str:
        """live, oneshot or refuse."""
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        if value not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}: {value!r}")
        self._mode = value

    @property
    def open_sessions(self) -> int:
        """Sessions streaming now."""
        return len(self._open)

    async def serve(
        self, request: web.Request, body: bytes, region: str, account: str
    ) -> web.StreamResponse:
        """Answer one StartLiveTail of `account`, the caller's (live or refuse mode): an
        error, or a session's stream."""
        try:
            if self._mode == "refuse":
                raise _access_denied(region, account)
            if self._closed:
                raise LogsError("ServiceUnavailableException", "The simulator is stopping.", 503)
            tail = parse_request(body)
            session = Session(tail, resolve(tail, region, account))
        except LogsError as exc:
            self._requests.record(OPERATION, "logs", region, exc.status)
            return exc.response()
        # Logged as it starts: a session may stream for hours.
        self._requests.record(OPERATION, "logs", region, 200)
        return await self._stream(request, session)

    async def close(self) -> None:
        """End every session (the simulator is stopping) and refuse new ones."""
        self._closed = True
        for live in self._open:
            live.stop.set()
        if await self._settled(_CLOSE_GRACE):
            return
        # Still blocked writing to a client that stopped reading: cut the connection.
        for live in list(self._open):
            transport = live.request.transport
            if transport is not None:
                transport.abort()
        await self._settled(_CLOSE_GRACE)

    async def _settled(self, timeout: float) -> bool:
        waiters = [asyncio.ensure_future(live.done.wait()) for live in self._open]
        if not waiters:
            return True
        _, pending = await asyncio.wait(waiters, timeout=timeout)
        for waiter in pending:
            waiter.cancel()
        return not pending

    async def _stream(self, request: web.Request, session: Session) -> web.StreamResponse:
        request_id = str(uuid.uuid4())
        start = {
            "requestId": request_id,
            "sessionId": str(uuid.uuid4()),
            "logGroupIdentifiers": list(session.request.identifiers),
        }
        if session.request.stream_names is not None:
            start["logStreamNames"] = list(session.request.stream_names)
        if session.request.prefixes is not None:
            start["logStreamNamePrefixes"] = list(session.request.prefixes)
        if session.request.pattern is not None:
            start["logEventFilterPattern"] = session.request.pattern
        response = web.StreamResponse(
            status=200, headers={"Content-Type": EVENTSTREAM, "x-amzn-RequestId": request_id}
        )
        response.enable_chunked_encoding()
        live = _Open(request)
        self._open.append(live)
        try:
            await response.prepare(request)
            # The JSON protocol's parser waits for an initial-response before anything else.
            await response.write(event_message("initial-response", {}))
            await response.write(event_message("sessionStart", start))
            began = self._clock()
            while not await _stopped(live.stop, self.interval):
                try:
                    results, sampled = session.collect()
                except Exception:  # a bug here ends the session as AWS's unknown error does
                    log.exception("Live Tail update failed")
                    await response.write(
                        exception_message("SessionStreamingException", "The session failed.")
                    )
                    break
                update = {"sessionMetadata": {"sampled": sampled}, "sessionResults": results}
                await response.write(event_message("sessionUpdate", update))
                if self._clock() - began >= MAX_SESSION:
                    await response.write(
                        exception_message(
                            "SessionTimeoutException",
                            f"The Live Tail session timed out after {_duration(MAX_SESSION)}.",
                        )
                    )
                    break
            await response.write_eof()
        except ConnectionError:
            # The client closed its stream or its connection: the session is over.
            log.debug("Live Tail client went away")
        finally:
            self._open.remove(live)
            live.done.set()
        return response


async def _stopped(stop: asyncio.Event, seconds: float) -> bool:
    """Wait `seconds`, less if `stop` is set meanwhile; whether it was."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        pass
    return stop.is_set()


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{seconds:g} seconds"


def _access_denied(region: str, account: str) -> LogsError:
    return LogsError(
        "AccessDeniedException",
        f"User: arn:aws:iam::{account}:user/testing is not authorized to perform: "
        f"logs:StartLiveTail on resource: arn:aws:logs:{region}:{account}:log-group:* "
        "because no identity-based policy allows the logs:StartLiveTail action",
    )
