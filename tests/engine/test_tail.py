"""The tail without AWS: history, then Live Tail, falling back to polling and coming back,
each line once.

The reader here is a script standing in for the Gateway (a port of artui's own, not
botocore): each read and each Live Tail message is handed over by the test, and the tail's
sleeps are written down rather than slept, so nothing waits on a clock: how long the tail
waits is what it asked to sleep.
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
    """A Reader whose answers the test hands over one at a time.

    `quiet`: a read with no answer handed over finds no lines (rather than waiting for
    one). `refusals`: Live Tail is refused that many times first. `hold_at`: the attempt
    with that number waits for good, so a test can read what came before it.
    """

    def __init__(
        self,
        *,
        live: bool,
        missing: int = 0,
        quiet: bool = False,
        refusals: int = 0,
        hold_at: int = 0,
    ) -> None:
        self.live = live
        self.missing = missing  # sessions refused first because the group does not exist
        self.quiet = quiet
        self.refusals = refusals
        self.hold_at = hold_at
        self.sessions = 0
        self.reads: asyncio.Queue[list[LogEvent] | Exception] = asyncio.Queue()
        self.updates: asyncio.Queue[TailUpdate | Exception | None] = asyncio.Queue()
        self.asked: list[tuple[int, int | None]] = []
        # What the tail did, in order: "read", "live" (an attempt), or seconds slept.
        self.calls: list[str | float] = []
        self.closed = False

    async def read_logs(
        self, service: Service, source: LogSource, start_ms: int, end_ms: int | None, limit: int
    ) -> list[LogEvent]:
        self.asked.append((start_ms, end_ms))
        self.calls.append("read")
        if self.quiet and self.reads.empty():
            return []
        answer = await self.reads.get()
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def sleep(self, seconds: float) -> None:
        """The tail's sleep: written down, and over at once."""
        self.calls.append(seconds)
        await asyncio.sleep(0)

    def between_attempts(self) -> list[tuple[float, int]]:
        """For each wait between two Live Tail attempts: (seconds slept, reads made)."""
        waits: list[tuple[float, int]] = []
        for call in self.calls:
            if call == "live":
                waits.append((0.0, 0))
            elif waits and call == "read":
                waits[-1] = (waits[-1][0], waits[-1][1] + 1)
            elif waits and isinstance(call, float):
                waits[-1] = (waits[-1][0] + call, waits[-1][1])
        return waits[:-1]  # the last attempt's wait has not ended

    async def live_tail(self, service: Service, source: LogSource) -> AsyncIterator[TailUpdate]:
        self.sessions += 1
        self.calls.append("live")
        if self.sessions == self.hold_at:
            await asyncio.Event().wait()
        if self.refusals:
            self.refusals -= 1
            raise LiveTailUnavailable("Live Tail refused: cannot reach AWS: timed out")
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
    def __init__(self, script: Script, *, limit: int = 1000) -> None:
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
            limit=limit,
            on_lines=self.lines.extend,
            on_state=self.changed.set,
            clock=lambda: NOW,
            sleep=script.sleep,
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
    await script.reads.put(NetworkError("cannot reach AWS: connection refused"))
    await eventually_async(lambda: run.state.failures == 1, "one failure")
    assert "connection refused" in run.state.error
    assert run.lines == [ev(1)]
    assert [f.operation for f in run.store.journal.since(0)] == ["logs of web"]
    await script.reads.put([ev(1), ev(2)])
    await eventually_async(lambda: len(run.lines) == 2, "line 2")
    assert run.state.failures == 0 and run.state.error == ""
    await run.stop()


def test_seen_forgets_what_no_read_can_bring_back() -> None:
    # A read goes back at most `keep_ms` behind the newest line: older lines go.
    seen = tail.Seen(1000, keep_ms=4000)
    assert seen.fresh_read([ev(1, ts=999), ev(2, ts=5000)]) == [
        ev(1, ts=999),
        ev(2, ts=5000),
    ]
    assert len(seen) == 2  # line 2's id and content
    assert seen.fresh_read([ev(2, ts=5000)]) == []
    # The live path too.
    assert seen.fresh_live((ev(3, eid=False, ts=9500),)) == [ev(3, eid=False, ts=9500)]
    assert len(seen) == 1


async def test_seen_stays_bounded_however_many_lines_live_tail_sends() -> None:
    # A flood: far more lines than the limit, all within the lookback. A read brings back
    # at most `limit` lines, the newest: Seen keeps no more than that.
    script = Script(live=True)
    run = Run(script, limit=1000)
    await script.updates.put(TailUpdate(started=True))
    await script.reads.put([ev(n) for n in range(10)])
    await eventually_async(lambda: run.state.mode == tail.LIVE, "live")
    sizes = []
    for batch in range(40):
        events = tuple(
            LogEvent(int(NOW * 1000) + batch, f"flood {batch} {i}", "instance/i1")
            for i in range(500)
        )
        await script.updates.put(TailUpdate(events=events))
        await eventually_async(lambda b=batch: len(run.lines) == 10 + 500 * (b + 1), "a batch")
        sizes.append(len(run.tail.seen))
    assert len({(e.timestamp, e.message) for e in run.lines}) == 20_010  # each line once
    assert max(sizes) <= 1000
    await run.stop()


async def test_seen_keeps_only_the_lookback_of_a_long_live_tail() -> None:
    # Lines over minutes, 100 a second: only the last SEEN_MS can meet a read again.
    script = Script(live=True)
    run = Run(script, limit=50_000)
    await script.updates.put(TailUpdate(started=True))
    await script.reads.put([])
    await eventually_async(lambda: run.state.mode == tail.LIVE, "live")
    for second in range(300):
        at = int(NOW * 1000) + second * 1000
        events = tuple(LogEvent(at + i, f"s{second} {i}", "instance/i1") for i in range(100))
        await script.updates.put(TailUpdate(events=events))
    await eventually_async(lambda: len(run.lines) == 30_000, "five minutes of lines")
    assert len(run.tail.seen) <= (tail.SEEN_MS // 1000 + 1) * 100
    await run.stop()


async def test_live_tail_is_asked_again_with_backoff_and_the_polls_between_back_off() -> None:
    # Live Tail cannot be had five times over (a network down, say); the sixth attempt
    # waits, so the test reads what came before it.
    script = Script(live=True, quiet=True, refusals=5, hold_at=6)
    run = Run(script)
    await eventually_async(lambda: script.sessions == 6, "the sixth attempt")
    waits = script.between_attempts()
    assert [seconds for seconds, _ in waits] == [2.0, 4.0, 8.0, 16.0, 32.0]
    # FilterLogEvents fewer than once a second, and fewer still the longer Live Tail is
    # out: the gaps double from a second up to POLL_GAP_MAX.
    assert [reads for _, reads in waits] == [2, 3, 4, 5, 8]
    assert sum(r for _, r in waits) < sum(s for s, _ in waits) / 2
    assert max(c for c in script.calls if isinstance(c, float)) == tail.POLL_GAP_MAX
    assert run.state.mode == tail.POLLING
    assert "cannot reach AWS" in run.state.why
    await run.stop()


async def test_a_session_that_lasted_is_asked_again_after_the_shortest_wait() -> None:
    script = Script(live=True, quiet=True, refusals=3, hold_at=5)
    run = Run(script)
    await eventually_async(lambda: script.sessions == 4, "the fourth attempt")
    await script.updates.put(TailUpdate(started=True))
    for _ in range(tail.STEADY_UPDATES):
        await script.updates.put(TailUpdate())
    await script.updates.put(LiveTailUnavailable("Live Tail ended: cannot reach AWS: reset"))
    await eventually_async(lambda: script.sessions == 5, "the fifth attempt")
    assert [seconds for seconds, _ in script.between_attempts()] == [2.0, 4.0, 8.0, 2.0]
    await run.stop()


async def test_at_the_session_limit_a_new_session_starts_at_once_losing_no_line() -> None:
    script = Script(live=True, hold_at=3)
    run = Run(script)
    await script.updates.put(TailUpdate(started=True))
    await script.reads.put([ev(1), ev(2)])
    await script.updates.put(TailUpdate(events=(ev(3, eid=False),)))
    await script.updates.put(TailUpdate(events=(ev(4, eid=False),)))
    await eventually_async(lambda: len(run.lines) == 4, "four lines")
    # AWS ends the session after three hours; line 5 is written before the next starts.
    await script.updates.put(
        LiveTailUnavailable(
            "Live Tail ended: SessionTimeoutException: The Live Tail session timed out after "
            "3 hours.",
            code=tail.SESSION_LIMIT,
        )
    )
    await script.updates.put(TailUpdate(started=True))
    # The new session's history, from the last line less the lookback, holds lines 2 to 4
    # (handed on already), 5 (the gap's) and 6, which the new session sends too, with 7.
    await script.reads.put([ev(2), ev(3), ev(4), ev(5), ev(6)])
    await script.updates.put(TailUpdate(events=(ev(6, eid=False), ev(7, eid=False))))
    await eventually_async(lambda: len(run.lines) >= 7, "seven lines")
    await eventually_async(lambda: script.updates.empty(), "every update read")
    assert [e.message for e in run.lines] == [f"line {n}" for n in range(1, 8)]
    # No poll and no wait between the two sessions: the second's history read fills the gap.
    assert script.calls == ["live", "read", "live", "read"]
    assert script.asked[-1] == (ev(4).timestamp - tail.LOOKBACK_MS, None)
    assert run.state.mode == tail.LIVE
    await run.stop()


async def test_a_session_limit_met_at_once_waits_like_any_loss() -> None:
    # A session ending at its limit before any update is no reason to start the next at
    # once: that, again and again, would be a storm of StartLiveTail calls.
    script = Script(live=True, quiet=True, hold_at=2)
    run = Run(script)
    await script.updates.put(TailUpdate(started=True))
    await script.updates.put(LiveTailUnavailable("timed out", code=tail.SESSION_LIMIT))
    await eventually_async(lambda: script.sessions == 2, "the next attempt")
    assert script.between_attempts()[0][0] == tail.LIVE_RETRY_MIN
    await run.stop()


async def test_what_the_status_line_said_of_the_loss_clears_once_live_tail_is_back() -> None:
    script = Script(live=True, quiet=True, refusals=1)
    await script.reads.put(NetworkError("cannot reach AWS: connection refused"))
    run = Run(script)
    await eventually_async(lambda: run.state.failures == 1, "a failing poll")
    assert run.state.mode == tail.POLLING
    assert "cannot reach AWS" in run.state.why and "connection refused" in run.state.error
    await script.updates.put(TailUpdate(started=True))
    await script.updates.put(TailUpdate(events=(ev(1, eid=False), ev(2, eid=False)), sampled=True))
    await eventually_async(lambda: run.state.sampled, "sampled")
    assert run.state == tail.TailState(mode=tail.LIVE, sampled=True)
    # A later update that is not a sample clears that too.
    await script.updates.put(TailUpdate(events=(ev(3, eid=False),)))
    await eventually_async(lambda: not run.state.sampled, "not sampled")
    assert run.state == tail.TailState(mode=tail.LIVE)
    await run.stop()


async def test_a_log_group_not_there_yet_is_polled_until_lines_come_then_tailed_live() -> None:
    script = Script(live=True, missing=1)
    run = Run(script)
    await script.reads.put([])  # the history: App Runner has not written the group yet
    await eventually_async(lambda: run.state.mode == tail.POLLING, "polling")
    assert "ResourceNotFoundException" in run.state.why
    await script.reads.put([ev(1)])  # the group exists now
    await eventually_async(lambda: script.sessions == 2, "Live Tail asked again")
    # At once, not after the wait a refusal earns.
    assert script.between_attempts() == [(1.0, 2)]
    assert script.between_attempts()[0][0] < tail.LIVE_RETRY_MIN
    await script.updates.put(TailUpdate(started=True))
    # The session's history starts from the last line's time, less the lookback.
    await script.reads.put([ev(1), ev(2)])
    await eventually_async(lambda: run.state.mode == tail.LIVE, "live")
    assert script.asked[-1] == (ev(1).timestamp - tail.LOOKBACK_MS, None)
    assert [e.message for e in run.lines] == ["line 1", "line 2"]
    await run.stop()
