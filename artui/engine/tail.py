"""A log's lines as they are written: the last minutes first, then Live Tail, else polling.

The refresh engine polls lists; a log is a stream, so it has its own loop here, beside it.
`Tail.run` reads the window's history, then keeps a Live Tail session open and hands on
each update's events. Every line is handed on once (`Seen`), whichever path brought it.

When a session ends it goes back to Live Tail; how soon depends on why it ended:

- at AWS's session limit (three hours, `SessionTimeoutException`, once it has sent
  updates) a new session starts at once: its history read, from the last line less
  `LOOKBACK_MS`, fills the gap between the two, and `Seen` drops what the old one handed on;
- otherwise (refused, a dropped connection, a stalled network, an early end) it polls
  FilterLogEvents meanwhile and asks for Live Tail again after `LIVE_RETRY_MIN` seconds,
  doubling with each attempt that does not last (`STEADY_UPDATES` updates), up to
  `LIVE_RETRY_MAX`. The polls in between start `poll_interval` apart and double up to
  `POLL_GAP_MAX`: FilterLogEvents shares a low per-account quota, and Live Tail is what
  should carry the lines. A log group that did not exist yet is asked for Live Tail again
  as soon as a poll finds lines in it.

Its state (which mode, why, failures) goes to the store; its lines go to `on_lines`, a
batch at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from artui.domain.apprunner import LogEvent, LogSource, Service
from artui.domain.errors import ArtuiError, LiveTailUnavailable, ThrottledError, as_artui_error
from artui.engine.journal import Failure
from artui.engine.ports import LogReader
from artui.engine.store import Kind, Scope, Store

KIND: Kind[TailState] = Kind("tail")
# The windows `h` cycles through, in seconds: the pane opens with the first.
WINDOWS = (5 * 60, 15 * 60, 60 * 60, 6 * 60 * 60)
# A poll reads again this far behind the newest line: CloudWatch may take a line in a few
# seconds after a later one, and FilterLogEvents may show it later still.
LOOKBACK_MS = 10_000
# `Seen` keeps what lies this far behind the newest line: twice what any read goes back.
SEEN_MS = 2 * LOOKBACK_MS
POLL_INTERVAL = 1.0
# The longest gap between the polls that stand in for Live Tail (while it is out).
POLL_GAP_MAX = 5.0
MAX_POLL_BACKOFF = 30.0
# Live Tail again after a session ended early or was refused: the first wait, and the
# longest once attempts keep failing (a caller without logs:StartLiveTail, say).
LIVE_RETRY_MIN = 2.0
LIVE_RETRY_MAX = 300.0
# A session that delivered this many updates (AWS sends one a second) has lasted: the
# next loss waits LIVE_RETRY_MIN again.
STEADY_UPDATES = 60

# Older lines on demand: a load brings at most this many, looking back one window, then
# four times further each time it finds none, up to OLDEST_S.
OLDER_LINES = 2_000
OLDEST_S = 30 * 86400

# Live Tail refuses a log group that does not exist yet (a service just created): poll
# until lines come, then ask for Live Tail again.
NOT_YET = frozenset({"ResourceNotFoundException"})
# AWS ends every session after three hours with this: a new one starts at once.
SESSION_LIMIT = "SessionTimeoutException"

LIVE = "Live Tail"
POLLING = "polling"
HISTORY = "reading history"
CONNECTING = "connecting"

Sleep = Callable[[float], Awaitable[None]]
K = TypeVar("K", bound=Hashable)


def tail_key(service: Service, source: LogSource) -> str:
    """The store key of one source's tail."""
    return f"{service.arn} {source.kind.value} {source.operation_id}".rstrip()


@dataclass(frozen=True)
class TailState:
    """What the status line says of a tail."""

    mode: str = CONNECTING
    why: str = ""  # why it polls rather than tails (Live Tail's refusal)
    sampled: bool = False  # Live Tail's last lines were a sample: more than 500 a second
    failures: int = 0  # polls failed in a row (the last known lines stay on screen)
    error: str = ""


@dataclass(frozen=True)
class _Ended:
    """How a Live Tail session (or the attempt at one) ended."""

    why: str  # for the status line
    rollover: bool = False  # AWS's session limit, after updates: the next one starts at once
    not_yet: bool = False  # no log group yet: try again as soon as a poll finds lines
    steady: bool = False  # it lasted: the retry backoff starts over


def _content(event: LogEvent) -> tuple[str, int, str]:
    return (event.stream, event.timestamp, event.message)


class _Recent(Generic[K]):
    """Keys with the timestamps of their events; the oldest are the first forgotten."""

    def __init__(self) -> None:
        self._keys: set[K] = set()
        # (timestamp, key), oldest on top. A key is pushed once (it carries one event,
        # so one timestamp): the heap and the set hold the same keys.
        self._heap: list[tuple[int, K]] = []

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: K) -> bool:
        return key in self._keys

    def add(self, key: K, timestamp: int) -> None:
        if key not in self._keys:
            self._keys.add(key)
            heapq.heappush(self._heap, (timestamp, key))

    def trim(self, before_ms: int, most: int) -> None:
        """Forget keys older than `before_ms`, then the oldest past `most`."""
        heap = self._heap
        while heap and (heap[0][0] < before_ms or len(heap) > most):
            self._keys.discard(heapq.heappop(heap)[1])


class Seen:
    """Which events were handed on, so none is handed on twice.

    FilterLogEvents gives event ids: a read event is new if its id is. Live Tail gives
    none, so where the two meet (history read at a session's start, a poll after a
    session ended) an event is matched by its stream, timestamp and message, and only
    against the other path's events: two identical lines from one path both show.

    It remembers only what can still be matched, whichever path brought it: events less
    than `keep_ms` behind the newest (no read goes back further), and of those the newest
    `most` (a read brings at most that many, the newest).
    """

    def __init__(self, most: int, keep_ms: int = SEEN_MS) -> None:
        self.most = most
        self.keep_ms = keep_ms
        self.newest_ms = 0  # the newest timestamp handed on, 0 before any
        self._ids: _Recent[str] = _Recent()
        self._read: _Recent[tuple[str, int, str]] = _Recent()
        self._live: _Recent[tuple[str, int, str]] = _Recent()

    def __len__(self) -> int:
        return len(self._ids) + len(self._read) + len(self._live)

    def fresh_read(self, events: list[LogEvent]) -> list[LogEvent]:
        """The read events not handed on before; remembers them."""
        out = []
        for event in events:
            key = _content(event)
            if (event.event_id and event.event_id in self._ids) or key in self._live:
                continue
            if event.event_id:
                self._ids.add(event.event_id, event.timestamp)
            self._read.add(key, event.timestamp)
            out.append(event)
        self._trim(out)
        return out

    def fresh_live(self, events: tuple[LogEvent, ...]) -> list[LogEvent]:
        """The Live Tail events no read has handed on; remembers them."""
        out = []
        for event in events:
            key = _content(event)
            if key in self._read:
                continue
            self._live.add(key, event.timestamp)
            out.append(event)
        self._trim(out)
        return out

    def _trim(self, fresh: list[LogEvent]) -> None:
        if fresh:
            self.newest_ms = max(self.newest_ms, max(e.timestamp for e in fresh))
        before = self.newest_ms - self.keep_ms
        for table in (self._ids, self._read, self._live):
            table.trim(before, self.most)


class Tail:
    """One source of one service, from `start_ms` on, until cancelled."""

    def __init__(
        self,
        reader: LogReader,
        service: Service,
        source: LogSource,
        scope: Scope,
        store: Store,
        *,
        start_ms: int,
        limit: int,
        on_lines: Callable[[list[LogEvent]], None],
        on_state: Callable[[], None],
        clock: Callable[[], float] = time.time,
        poll_interval: float = POLL_INTERVAL,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.reader = reader
        self.service = service
        self.source = source
        self.scope = scope
        self.store = store
        self.key = tail_key(service, source)
        self.start_ms = start_ms
        self.limit = limit
        self.on_lines = on_lines
        self.on_state = on_state
        self.clock = clock
        self.poll_interval = poll_interval
        self.sleep = sleep
        self.seen = Seen(limit)
        self._history_read = False
        self._retries = 0  # Live Tail attempts in a row that did not last

    @property
    def newest_ms(self) -> int:
        """The newest line's timestamp, 0 before any: reads start LOOKBACK_MS before it."""
        return self.seen.newest_ms

    @property
    def state(self) -> TailState:
        """The state as last stored."""
        return self.store.get(KIND, self.scope, self.key).value or TailState()

    def _set(self, **changes: Any) -> None:
        self.store.put(KIND, self.scope, replace(self.state, **changes), self.clock(), self.key)
        self.on_state()

    def _since(self) -> int:
        """Where a read starts: the window's start, or once lines have come (a session after
        another, a poll), LOOKBACK_MS before the newest."""
        return max(self.start_ms, self.newest_ms - LOOKBACK_MS)

    def _hand_on(self, events: list[LogEvent]) -> None:
        if events:
            self.on_lines(events)

    def live_retry(self) -> float:
        """Seconds of polling before Live Tail is asked for again: LIVE_RETRY_MIN after a
        session that lasted or a first failure, doubling with each failure after it."""
        return min(LIVE_RETRY_MAX, LIVE_RETRY_MIN * 2.0 ** min(max(self._retries - 1, 0), 20))

    async def run(self) -> None:
        """History, then Live Tail; polling while Live Tail is out, then Live Tail again.
        Ends when cancelled."""
        self.store.put(KIND, self.scope, TailState(), self.clock(), self.key)
        self.on_state()
        while True:
            ended = await self._live()
            if ended.rollover:
                self._retries = 0
                continue
            self._retries = 0 if ended.steady else self._retries + 1
            self._set(mode=POLLING, why=ended.why)
            await self._poll(self.live_retry(), until_lines=ended.not_yet)

    async def _history(self) -> None:
        self._set(mode=HISTORY)
        events = await self.reader.read_logs(
            self.service, self.source, self._since(), None, self.limit
        )
        self._history_read = True
        self._hand_on(self.seen.fresh_read(events))

    async def _live(self) -> _Ended:
        """Tail live until Live Tail is out; how it ended."""
        updates = self.reader.live_tail(self.service, self.source)
        count = 0
        try:
            async for update in updates:
                if update.started:
                    # Read after the session started, so no line falls between the two;
                    # lines in both are matched by `Seen`.
                    await self._history()
                    # Lines flow again: what the status line said of the last loss is stale.
                    self._set(mode=LIVE, why="", failures=0, error="", sampled=False)
                    continue
                count += 1
                if update.events and update.sampled != self.state.sampled:
                    self._set(sampled=update.sampled)
                self._hand_on(self.seen.fresh_live(update.events))
        except LiveTailUnavailable as exc:
            return _Ended(
                str(exc),
                # Only after updates: a limit met at once, again and again, would be a storm
                # of StartLiveTail calls.
                rollover=exc.code == SESSION_LIMIT and count > 0,
                not_yet=exc.code in NOT_YET,
                steady=count >= STEADY_UPDATES,
            )
        except ArtuiError as exc:  # e.g. history could not be read: polling says so
            return _Ended(f"Live Tail stopped: {exc}", steady=count >= STEADY_UPDATES)
        finally:
            # The session is closed the moment the tail stops: AWS bills it by the minute.
            with contextlib.suppress(Exception):
                await updates.aclose()  # type: ignore[attr-defined]
        return _Ended("Live Tail ended", steady=count >= STEADY_UPDATES)

    async def _poll(self, wait: float, *, until_lines: bool) -> None:
        """Poll FilterLogEvents for `wait` seconds (of sleeps between polls), the first at
        once, the gaps doubling from `poll_interval` up to POLL_GAP_MAX (backing off further
        while polls fail); with `until_lines`, only until a poll brings some."""
        gap = 0.0
        while True:
            if gap:
                step = min(gap, wait)
                await self.sleep(step)
                wait -= step
                if wait <= 0:
                    return
            try:
                brought = await self._read()
            except Exception as exc:
                gap = self._failed(exc)
                continue
            if until_lines and brought:
                return
            gap = min(POLL_GAP_MAX, max(self.poll_interval, gap * 2))

    async def _read(self) -> bool:
        """One poll (the window's history, if Live Tail never read it); whether it brought
        lines not handed on before."""
        before = self.newest_ms
        if not self._history_read:
            await self._history()
            self._set(mode=POLLING)
            return self.newest_ms != before
        events = await self.reader.read_logs(
            self.service, self.source, self._since(), None, self.limit
        )
        if self.state.failures:
            self._set(failures=0, error="")
        fresh = self.seen.fresh_read(events)
        self._hand_on(fresh)
        return bool(fresh)

    def _failed(self, exc: Exception) -> float:
        """Journal a failed poll and say so; seconds until the next."""
        error = as_artui_error(exc, f"FilterLogEvents {self.service.name}")
        failures = self.state.failures + 1
        factor = 4.0 if isinstance(error, ThrottledError) else 2.0
        delay = min(MAX_POLL_BACKOFF, self.poll_interval * factor ** min(failures, 5))
        self.store.journal.add(
            Failure(
                self.clock(),
                self.service.region,
                f"logs of {self.service.name}",
                str(error),
                f"the lines read so far stay; trying again in {delay:.0f} s",
                first=failures == 1,
            )
        )
        self._set(failures=failures, error=str(error), mode=POLLING)
        return delay


async def older(
    reader: LogReader,
    service: Service,
    source: LogSource,
    before_ms: int,
    span_s: float,
    limit: int = OLDER_LINES,
) -> list[LogEvent]:
    """The newest `limit` lines before `before_ms`: [] when there are none in OLDEST_S.

    Logs are often quiet for a while: a span with nothing in it is no reason to stop, so
    the span grows until it finds lines or reaches OLDEST_S.
    """
    span_ms = int(span_s * 1000)
    end = before_ms - 1  # the line at before_ms is on screen already
    while True:
        start = max(0, before_ms - span_ms)
        events = await reader.read_logs(service, source, start, end, limit)
        if events or span_ms >= OLDEST_S * 1000 or start == 0:
            return events
        span_ms *= 4
