"""The tail without AWS: history, then Live Tail, falling back to polling, each line once.

The reader here is a script standing in for the Gateway (a port of artui's own, not
botocore): each read and each Live Tail message is handed over by the test, so nothing
waits on a clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from artui.domain.apprunner import (
    LogEvent,
    LogSource,
    LogSourceKind,
    Service,
    ServiceStatus,
    TailUpdate,
)
from artui.domain.errors import LiveTailUnavailable, NetworkError
from artui.engine import tail
from artui.engine.store import Scope, Store
from tests.eventually import eventually_async

SERVICE = Service(
    arn="arn:aws:apprunner:us-east-1:123456789012:service/web/abc",
    name="web",
    id="abc",
    region="us-east-1",
    status=ServiceStatus.RUNNING,
    raw_status="RUNNING",
)
SOURCE = LogSource(LogSourceKind.APPLICATION)
SCOPE = Scope(None, "us-east-1")
NOW = 1_700_000_000.4


def ev(n: int, *, eid: bool = True, ts: int | None = None) -> LogEvent:
    return LogEvent(
        timestamp=ts if ts is not None else int(NOW * 1000) - 100_000 + n,
        message=f"line {n}",
        stream="instance/i1",
        event_id=f"e{n}" if eid else "",
    )


class Script:
    """A Reader whose answers the test hands over one at a time."""

    def __init__(self, *, live: bool, missing: int = 0) -> None:
        self.live = live
        self.missing = missing  # sessions refused first because the group does not exist
        self.sessions = 0
        self.reads: asyncio.Queue[list[LogEvent] | Exception] = asyncio.Queue()
        self.updates: asyncio.Queue[TailUpdate | Exception | None] = asyncio.Queue()
        self.asked: list[tuple[int, int | None]] = []
        self.closed = False

    async def read_logs(
        self, service: Service, source: LogSource, start_ms: int, end_ms: int | None, limit: int
    ) -> list[LogEvent]:
        self.asked.append((start_ms, end_ms))
        answer = await self.reads.get()
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def live_tail(self, service: Service, source: LogSource) -> AsyncIterator[TailUpdate]:
        self.sessions += 1
        if self.missing:
            self.missing -= 1
            raise LiveTailUnavailable(
                "Live Tail refused: ResourceNotFoundException: The specified log group does "
                "not exist.",
                code="ResourceNotFoundException",
            )
        if not self.live:
            raise LiveTailUnavailable("Live Tail refused: AccessDeniedException: no")
        try:
            while True:
                update = await self.updates.get()
                if update is None:
                    raise LiveTailUnavailable("Live Tail closed the session early")
                if isinstance(update, Exception):
                    raise update
                yield update
        finally:
            self.closed = True


class Run:
    def __init__(self, script: Script) -> None:
        self.store = Store()
        self.lines: list[LogEvent] = []
        self.changed = asyncio.Event()
        self.tail = tail.Tail(
            script,
            SERVICE,
            SOURCE,
            SCOPE,
            self.store,
            start_ms=int((NOW - 300) * 1000),
            limit=1000,
            on_lines=self.lines.extend,
            on_state=self.changed.set,
            clock=lambda: NOW,
            poll_interval=0.001,
        )
        self.task = asyncio.get_running_loop().create_task(self.tail.run())

    @property
    def state(self) -> tail.TailState:
        return self.tail.state

    async def stop(self) -> None:
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task


async def test_history_then_live_tail_each_line_once() -> None:
    script = Script(live=True)
    run = Run(script)
    await script.updates.put(TailUpdate(started=True))
    # The history read after the session started also holds line 3, which Live Tail sends.
    await script.reads.put([ev(1), ev(2), ev(3)])
    await eventually_async(lambda: run.state.mode == tail.LIVE, "live")
    assert script.asked == [(int((NOW - 300) * 1000), None)]
    await script.updates.put(TailUpdate(events=(ev(3, eid=False), ev(4, eid=False))))
    await eventually_async(lambda: len(run.lines) == 4, "four lines")
    assert [e.message for e in run.lines] == ["line 1", "line 2", "line 3", "line 4"]
    await run.stop()
    assert script.closed, "the Live Tail session is closed when the tail stops"


async def test_identical_lines_from_one_path_both_show() -> None:
    script = Script(live=True)
    run = Run(script)
    await script.updates.put(TailUpdate(started=True))
    await script.reads.put([])
    twin = ev(7, eid=False)
    await script.updates.put(TailUpdate(events=(twin, twin)))
    await eventually_async(lambda: len(run.lines) == 2, "both lines")
    await run.stop()


async def test_refused_live_tail_polls_from_a_watermark_without_duplicates() -> None:
    script = Script(live=False)
    run = Run(script)
    await script.reads.put([ev(1), ev(2)])
    await eventually_async(lambda: len(run.lines) == 2, "history")
    assert run.state.mode == tail.POLLING
    assert "AccessDeniedException" in run.state.why
    # The next poll reads again from LOOKBACK before the newest line: 2 comes back.
    await script.reads.put([ev(2), ev(3)])
    await eventually_async(lambda: len(run.lines) == 3, "line 3")
    newest = ev(2).timestamp
    assert script.asked[1] == (newest - tail.LOOKBACK_MS, None)
    await script.reads.put([ev(3), ev(4), ev(5)])
    await eventually_async(lambda: len(run.lines) == 5, "lines 4 and 5")
    assert [e.event_id for e in run.lines] == ["e1", "e2", "e3", "e4", "e5"]
    await run.stop()


async def test_a_session_that_ends_early_falls_back_to_polling_without_repeats() -> None:
    script = Script(live=True)
    run = Run(script)
    await script.updates.put(TailUpdate(started=True))
    await script.reads.put([ev(1)])
    await script.updates.put(TailUpdate(events=(ev(2, eid=False),)))
    await eventually_async(lambda: len(run.lines) == 2, "two lines")
    await script.updates.put(None)  # the stream ends, as moto's does
    await eventually_async(lambda: run.state.mode == tail.POLLING, "polling")
    assert run.state.why == "Live Tail closed the session early"
    assert script.closed
    # The first poll brings back line 2 (now with an id) and a new line 3.
    await script.reads.put([ev(1), ev(2), ev(3)])
    await eventually_async(lambda: len(run.lines) == 3, "line 3")
    assert [e.message for e in run.lines] == ["line 1", "line 2", "line 3"]
    await run.stop()


async def test_a_failing_poll_keeps_the_lines_says_so_and_recovers() -> None:
    script = Script(live=False)
    run = Run(script)
    await script.reads.put([ev(1)])
    await eventually_async(lambda: len(run.lines) == 1, "history")
    run.tail.poll_interval = 0.0001  # the backoff doubles this; keep the test quick
    await script.reads.put(NetworkError("cannot reach AWS: connection refused"))
    await eventually_async(lambda: run.state.failures == 1, "one failure")
    assert "connection refused" in run.state.error
    assert run.lines == [ev(1)]
    assert [f.operation for f in run.store.journal.since(0)] == ["logs of web"]
    await script.reads.put([ev(1), ev(2)])
    await eventually_async(lambda: len(run.lines) == 2, "line 2")
    assert run.state.failures == 0 and run.state.error == ""
    await run.stop()


def test_seen_forgets_old_lines() -> None:
    seen = tail.Seen()
    assert seen.fresh_read([ev(1, ts=1000), ev(2, ts=5000)]) == [
        ev(1, ts=1000),
        ev(2, ts=5000),
    ]
    seen.forget_before(2000)
    assert len(seen) == 1
    assert seen.fresh_read([ev(2, ts=5000)]) == []


async def test_a_log_group_not_there_yet_is_polled_until_lines_come_then_tailed_live() -> None:
    script = Script(live=True, missing=1)
    run = Run(script)
    await script.reads.put([])  # the history: App Runner has not written the group yet
    await eventually_async(lambda: run.state.mode == tail.POLLING, "polling")
    assert "ResourceNotFoundException" in run.state.why
    await script.reads.put([])
    await script.reads.put([ev(1)])  # the group exists now
    await eventually_async(lambda: script.sessions == 2, "Live Tail asked again")
    await script.updates.put(TailUpdate(started=True))
    # The session's history starts from the last line's time, less the lookback.
    await script.reads.put([ev(1), ev(2)])
    await eventually_async(lambda: run.state.mode == tail.LIVE, "live")
    assert script.asked[-1] == (ev(1).timestamp - tail.LOOKBACK_MS, None)
    assert [e.message for e in run.lines] == ["line 1", "line 2"]
    await run.stop()
