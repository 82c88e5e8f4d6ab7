"""A log's lines as they are written: the last minutes first, then Live Tail, else polling.

The refresh engine polls lists; a log is a stream, so it has its own loop here, beside it.
`Tail.run` reads the window's history while it starts a Live Tail session (so the first
lines are on screen before the session is up), then, once the session has started, reads
once more what was written between that read and the start, and hands on each update's
events. Every line is handed on once (`Seen`), whichever path brought it.

Live Tail sends the lines ingested since its last update in the order they were ingested:
lines of several instances come out of time order. `InOrder` puts them back in order
within `ORDER_WINDOW_S` of their arrival, and holds none back longer.

A deployment's log stops growing when its deployment ends: once the activity's operations
(in the store) say it has ended, and `SETTLE_S` has passed, the session closes and one last
read picks up what CloudWatch took in late; a deployment already over is read once, with no
session at all.

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
from bisect import bisect_right
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any, Generic, TypeVar

from artui.domain.apprunner import LogEvent, LogSource, Operation, Service
from artui.domain.errors import ArtuiError, LiveTailUnavailable, ThrottledError, as_artui_error
from artui.engine.activity import KIND as OPERATIONS
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

# Live lines are put in time order within this many seconds of their arrival, and held back
# no longer: Live Tail's updates come a second apart, so a line a later update brings can
# still go above the earlier update's newer lines.
ORDER_WINDOW_S = 1.0
# A hold's end compared with the clock: a timer may fire a hair early.
_SLACK_S = 0.001
# A finished deployment's session stays open this long after the end is known, for lines
# CloudWatch takes in late; then it closes, and a last read goes back LOOKBACK_MS.
SETTLE_S = 5.0

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
CONNECTING = "connecting"
COMPLETE = "complete"  # a finished deployment's log, read to its end: no session open

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
    complete: bool = False  # the deployment whose log this is has ended: no more sessions
    not_yet: bool = False  # no log group yet: try again as soon as a poll finds lines
    steady: bool = False  # it lasted: the retry backoff starts over


def _content(event: LogEvent) -> tuple[str, int, str]:
    return (event.stream, event.timestamp, event.message)


_timestamp = attrgetter("timestamp")


class InOrder:
    """Live lines put in time order, each held at most `window` seconds after it arrived.

    A batch is held, sorted, until `window` after it came; it then goes with every held
    line no newer than its newest, all in time order. A line older than the newest line
    already handed on (the edge) can no longer be put in order: it goes at once, not held.
    Plain code: the caller says what time it is (`now`, a monotonic clock).
    """

    def __init__(self, window: float = ORDER_WINDOW_S) -> None:
        self.window = window
        self.edge_ms = 0  # the newest timestamp handed on
        self._held: deque[tuple[float, list[LogEvent]]] = deque()  # (arrived, sorted lines)

    def __len__(self) -> int:
        return sum(len(batch) for _, batch in self._held)

    def add(self, events: Iterable[LogEvent], now: float) -> list[LogEvent]:
        """Hold `events`, arrived at `now`; those to hand on at once (older than the edge)."""
        late: list[LogEvent] = []
        kept: list[LogEvent] = []
        for event in events:
            (late if event.timestamp < self.edge_ms else kept).append(event)
        if kept:
            kept.sort(key=_timestamp)
            self._held.append((now, kept))
        return late

    def next_due(self) -> float | None:
        """When the oldest held batch is due; None when nothing is held."""
        return self._held[0][0] + self.window if self._held else None

    def due(self, now: float) -> list[LogEvent]:
        """The lines to hand on at `now`, in time order: every batch held `window`, and
        every held line no newer than the newest of those."""
        held = self._held
        out: list[LogEvent] = []
        edge = self.edge_ms
        while held and held[0][0] + self.window <= now + _SLACK_S:
            batch = held.popleft()[1]
            out.extend(batch)
            edge = max(edge, batch[-1].timestamp)
        if not out:
            return out
        for _, batch in held:
            cut = bisect_right(batch, edge, key=_timestamp)
            out.extend(batch[:cut])
            del batch[:cut]
        self._held = deque(item for item in held if item[1])
        out.sort(key=_timestamp)  # sorted runs: Timsort merges them
        self.edge_ms = edge
        return out

    def flush(self) -> list[LogEvent]:
        """Every held line, in time order (the session ended)."""
        out = [event for _, batch in self._held for event in batch]
        self._held.clear()
        if out:
            out.sort(key=_timestamp)
            self.edge_ms = max(self.edge_ms, out[-1].timestamp)
        return out


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
    """One source of one service, from `start_ms` on, until cancelled (or, for a finished
    deployment's log, until it has been read to its end)."""

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
        monotonic: Callable[[], float] = time.monotonic,
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
        # Holds and settling are timed by this clock: the wall clock may stand still (tests)
        # or jump.
        self.monotonic = monotonic
        self.seen = Seen(limit)
        self.order = InOrder()
        self._held = asyncio.Event()  # lines went into `order`: the releaser has work
        self._first: asyncio.Future[None] | None = None  # the window's history, being read
        self._retries = 0  # Live Tail attempts in a row that did not last
        self._ended_seen: float | None = None  # when the deployment was first seen ended

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

    def finished(self) -> Operation | None:
        """The deployment whose log this is, once its log can no longer grow: the
        activity's last read (in the store) has it ended, and either it ended SETTLE_S
        ago by the clock, or it was first seen ended SETTLE_S ago (clocks disagree)."""
        if not self.source.operation_id:
            return None
        page = self.store.get(OPERATIONS, self.scope, self.service.arn).value
        ops = page.operations if page is not None else ()
        op = next((o for o in ops if o.id == self.source.operation_id), None)
        if op is None or op.running:
            return None
        if self._ended_seen is None:
            self._ended_seen = self.monotonic()
        ended = op.ended_at or op.updated_at
        if ended is not None and self.clock() >= ended.timestamp() + SETTLE_S:
            return op
        return op if self.monotonic() >= self._ended_seen + SETTLE_S else None

    async def run(self) -> None:
        """History, then Live Tail; polling while Live Tail is out, then Live Tail again.
        Ends when cancelled, or once a finished deployment's log has been read to its end."""
        self.store.put(KIND, self.scope, TailState(), self.clock(), self.key)
        self.on_state()
        # Read while the session starts, not after it: its lines show meanwhile. The read is
        # sent first (the step to its first wait on the network), the session's request
        # right after: the lines are what the operator waits for.
        self._first = asyncio.ensure_future(self._first_read())
        try:
            await asyncio.sleep(0)
            while True:
                op = self.finished()
                if op is not None:
                    await self._last_read(op)
                    return
                ended = await self._live()
                if ended.complete:
                    continue
                if ended.rollover:
                    self._retries = 0
                    continue
                self._retries = 0 if ended.steady else self._retries + 1
                self._set(mode=POLLING, why=ended.why)
                await self._poll(self.live_retry(), until_lines=ended.not_yet)
        finally:
            if self._first is not None:
                self._first.cancel()

    async def _first_read(self) -> None:
        """The window's history, handed on as soon as it is read."""
        events = await self.reader.read_logs(
            self.service, self.source, self.start_ms, None, self.limit
        )
        self._hand_on(self.seen.fresh_read(events))

    def _take_first(self) -> asyncio.Future[None] | None:
        """The first read, if nothing has waited for it yet (it is waited for once)."""
        first, self._first = self._first, None
        return first

    async def _caught_up(self) -> None:
        """Everything written before the session started, handed on: the window's history
        (read while the session started) first, then what came between that read and the
        start (read from the newest line less the lookback). Lines in both, or in the
        session too, are matched by `Seen`."""
        first = self._take_first()
        if first is not None:
            # A failed first read is made up for by the read below: with nothing handed on,
            # it starts at the window's start.
            with contextlib.suppress(ArtuiError):
                await first
        events = await self.reader.read_logs(
            self.service, self.source, self._since(), None, self.limit
        )
        self._hand_on(self.seen.fresh_read(events))

    async def _release(self) -> None:
        """Hand on the held live lines as their hold ends (see `InOrder`)."""
        while True:
            due = self.order.next_due()
            if due is None:
                self._held.clear()
                await self._held.wait()
                continue
            wait = due - self.monotonic()
            if wait > 0:
                await self.sleep(wait)
            self._hand_on(self.order.due(self.monotonic()))

    def _hold(self, events: list[LogEvent]) -> None:
        if events:
            self._hand_on(self.order.add(events, self.monotonic()))
            self._held.set()

    async def _live(self) -> _Ended:
        """Tail live until Live Tail is out, or the deployment whose log it is has ended;
        how it ended."""
        updates = self.reader.live_tail(self.service, self.source)
        releaser = asyncio.ensure_future(self._release())
        count = 0
        try:
            async for update in updates:
                if update.started:
                    await self._caught_up()
                    # Lines flow again: what the status line said of the last loss is stale.
                    self._set(mode=LIVE, why="", failures=0, error="", sampled=False)
                else:
                    count += 1
                    if update.events and update.sampled != self.state.sampled:
                        self._set(sampled=update.sampled)
                    self._hold(self.seen.fresh_live(update.events))
                # Checked at each update (AWS sends one a second, lines or not).
                if self.finished() is not None:
                    return _Ended("", complete=True)
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
            releaser.cancel()
            # What the session brought goes on before anything a read brings next.
            self._hand_on(self.order.flush())
            # The session is closed the moment the tail stops: AWS bills it by the minute.
            with contextlib.suppress(Exception):
                await updates.aclose()  # type: ignore[attr-defined]
        return _Ended("Live Tail ended", steady=count >= STEADY_UPDATES)

    async def _poll(self, wait: float, *, until_lines: bool) -> None:
        """Poll FilterLogEvents for `wait` seconds (of sleeps between polls), the first at
        once, the gaps doubling from `poll_interval` up to POLL_GAP_MAX (backing off further
        while polls fail); with `until_lines`, only until a poll brings some. Stops early
        when the deployment whose log it is has ended."""
        gap = 0.0
        while True:
            if gap:
                step = min(gap, wait)
                await self.sleep(step)
                wait -= step
                if wait <= 0:
                    return
            if self.finished() is not None:
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
        """One poll (the first: the window's history, read at the start); whether it
        brought lines not handed on before."""
        before = self.newest_ms
        first = self._take_first()
        if first is not None:
            await first  # its failure is this poll's
            return self.newest_ms != before
        events = await self.reader.read_logs(
            self.service, self.source, self._since(), None, self.limit
        )
        if self.state.failures:
            self._set(failures=0, error="")
        fresh = self.seen.fresh_read(events)
        self._hand_on(fresh)
        return bool(fresh)

    async def _last_read(self, op: Operation) -> None:
        """A finished deployment's last read (tried again while it fails); then the tail
        ends, with no session open."""
        while True:
            try:
                await self._read()
            except Exception as exc:
                await self.sleep(self._failed(exc))
                continue
            self._set(mode=COMPLETE, why=f"deployment {op.status_label}", failures=0, error="")
            return

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
