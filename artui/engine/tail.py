"""A log's lines as they are written: the last minutes first, then Live Tail, else polling.

The refresh engine polls lists; a log is a stream, so it has its own loop here, beside it.
`Tail.run` reads the window's history, then keeps a Live Tail session open and hands on
each update's events. When Live Tail is refused, limited or ends early, it falls back to
FilterLogEvents every `poll_interval`, from a start-time watermark (less `LOOKBACK`, for
lines CloudWatch takes in late), with every event shown once (`Seen`). Its state (which
mode, why, failures) goes to the store; its lines go to `on_lines`, a batch at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

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
POLL_INTERVAL = 1.0
MAX_POLL_BACKOFF = 30.0

# Older lines on demand: a load brings at most this many, looking back one window, then
# four times further each time it finds none, up to OLDEST_S.
OLDER_LINES = 2_000
OLDEST_S = 30 * 86400

# Live Tail refuses a log group that does not exist yet (a service just created): poll
# until lines come, then ask for Live Tail again.
NOT_YET = frozenset({"ResourceNotFoundException"})

LIVE = "Live Tail"
POLLING = "polling"
HISTORY = "reading history"
CONNECTING = "connecting"


def tail_key(service: Service, source: LogSource) -> str:
    """The store key of one source's tail."""
    return f"{service.arn} {source.kind.value} {source.operation_id}".rstrip()


@dataclass(frozen=True)
class TailState:
    """What the status line says of a tail."""

    mode: str = CONNECTING
    why: str = ""  # why it polls rather than tails (Live Tail's refusal)
    sampled: bool = False  # Live Tail sent a sample: more than 500 lines a second
    failures: int = 0  # polls failed in a row (the last known lines stay on screen)
    error: str = ""


def _content(event: LogEvent) -> tuple[str, int, str]:
    return (event.stream, event.timestamp, event.message)


class Seen:
    """Which events were handed on, so none is handed on twice.

    FilterLogEvents gives event ids: a read event is new if its id is. Live Tail gives
    none, so where the two meet (history read at a session's start, a poll after a
    session ended) an event is matched by its stream, timestamp and message, and only
    against the other path's events: two identical lines from one path both show.
    """

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._read: dict[tuple[str, int, str], int] = {}
        self._live: dict[tuple[str, int, str], int] = {}

    def __len__(self) -> int:
        return len(self._ids) + len(self._live)

    def fresh_read(self, events: list[LogEvent]) -> list[LogEvent]:
        """The read events not handed on before; remembers them."""
        out = []
        for event in events:
            key = _content(event)
            if (event.event_id and event.event_id in self._ids) or key in self._live:
                continue
            if event.event_id:
                self._ids[event.event_id] = event.timestamp
            self._read[key] = event.timestamp
            out.append(event)
        return out

    def fresh_live(self, events: tuple[LogEvent, ...]) -> list[LogEvent]:
        """The Live Tail events no read has handed on; remembers them."""
        out = []
        for event in events:
            key = _content(event)
            if key in self._read:
                continue
            self._live[key] = event.timestamp
            out.append(event)
        return out

    def forget_before(self, timestamp_ms: int) -> None:
        """Drop what is older than any read can bring back again."""
        tables: tuple[dict[Any, int], ...] = (self._ids, self._read, self._live)
        for table in tables:
            old = [k for k, ts in table.items() if ts < timestamp_ms]
            for key in old:
                del table[key]


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
        self.seen = Seen()
        self.newest_ms = 0
        self._history_read = False

    @property
    def state(self) -> TailState:
        """The state as last stored."""
        return self.store.get(KIND, self.scope, self.key).value or TailState()

    def _set(self, **changes: Any) -> None:
        self.store.put(KIND, self.scope, replace(self.state, **changes), self.clock(), self.key)
        self.on_state()

    def _hand_on(self, events: list[LogEvent]) -> None:
        if not events:
            return
        self.newest_ms = max(self.newest_ms, max(e.timestamp for e in events))
        self.on_lines(events)

    async def run(self) -> None:
        """History, then Live Tail; polling once Live Tail is out. Ends when cancelled."""
        self.store.put(KIND, self.scope, TailState(), self.clock(), self.key)
        self.on_state()
        while True:
            why, again = await self._live()
            self._set(mode=POLLING, why=why)
            await self._poll(until_lines=again)

    async def _history(self) -> None:
        self._set(mode=HISTORY)
        # Once lines have come (a session after polling), from the last ones on.
        start = (
            max(self.start_ms, self.newest_ms - LOOKBACK_MS) if self.newest_ms else (self.start_ms)
        )
        events = await self.reader.read_logs(self.service, self.source, start, None, self.limit)
        self._history_read = True
        self._hand_on(self.seen.fresh_read(events))

    async def _live(self) -> tuple[str, bool]:
        """Tail live until Live Tail is out; returns why (for the status line) and whether
        to ask again once lines come (the log group did not exist yet)."""
        updates = self.reader.live_tail(self.service, self.source)
        try:
            async for update in updates:
                if update.started:
                    # Read after the session started, so no line falls between the two;
                    # lines in both are matched by `Seen`.
                    await self._history()
                    self._set(mode=LIVE)
                    continue
                if update.sampled and not self.state.sampled:
                    self._set(sampled=True)
                self._hand_on(self.seen.fresh_live(update.events))
        except LiveTailUnavailable as exc:
            return str(exc), exc.code in NOT_YET
        except ArtuiError as exc:  # e.g. history could not be read: polling says so
            return f"Live Tail stopped: {exc}", False
        finally:
            # The session is closed the moment the tail stops: AWS bills it by the minute.
            with contextlib.suppress(Exception):
                await updates.aclose()  # type: ignore[attr-defined]
        return "Live Tail ended", False

    async def _poll(self, *, until_lines: bool = False) -> None:
        """Poll FilterLogEvents; for good, or with `until_lines` until a poll brings some."""
        delay = 0.0
        while True:
            if delay:
                await asyncio.sleep(delay)
            delay = self.poll_interval
            try:
                if not self._history_read:
                    before = self.newest_ms
                    await self._history()
                    self._set(mode=POLLING)
                    if until_lines and self.newest_ms != before:
                        return
                    continue
                start = max(self.start_ms, self.newest_ms - LOOKBACK_MS)
                events = await self.reader.read_logs(
                    self.service, self.source, start, None, self.limit
                )
            except Exception as exc:
                error = as_artui_error(exc, f"FilterLogEvents {self.service.name}")
                failures = self.state.failures + 1
                factor = 4 if isinstance(error, ThrottledError) else 2
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
                continue
            if self.state.failures:
                self._set(failures=0, error="")
            fresh = self.seen.fresh_read(events)
            self._hand_on(fresh)
            if self.newest_ms:
                self.seen.forget_before(self.newest_ms - 2 * LOOKBACK_MS)
            if until_lines and fresh:
                return


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
