"""The tail without AWS: history, then Live Tail, falling back to polling and coming back,
each line once.

The reader here is a script standing in for the Gateway (a port of artui's own, not
botocore): each read and each Live Tail message is handed over by the test, and the tail's
sleeps are written down rather than slept, so nothing waits on a clock: how long the tail
waits is what it asked to sleep, and its monotonic clock (`Script.now`) moves by exactly
that much.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timezone

import pytest

from artui.domain.apprunner import (
    LogEvent,
    LogSource,
    LogSourceKind,
    Operation,
    OperationsPage,
    OperationStatus,
    OperationType,
    Service,
    ServiceStatus,
    TailUpdate,
)
from artui.domain.errors import LiveTailUnavailable, NetworkError
from artui.engine import activity, tail
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
        self.now = 0.0  # the tail's monotonic clock: moved only by its sleeps

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
        self.now += seconds
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
    def __init__(
        self,
        script: Script,
        *,
        limit: int = 1000,
        source: LogSource = SOURCE,
        store: Store | None = None,
    ) -> None:
        self.store = store or Store()
        self.lines: list[LogEvent] = []
        self.changed = asyncio.Event()
        self.tail = tail.Tail(
            script,
            SERVICE,
            source,
            SCOPE,
            self.store,
            start_ms=int((NOW - 300) * 1000),
            limit=limit,
            on_lines=self.lines.extend,
            on_state=self.changed.set,
            clock=lambda: NOW,
            sleep=script.sleep,
            monotonic=lambda: script.now,
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
    # The window's history, read as the session starts.
    await script.reads.put([ev(1), ev(2)])
    await script.updates.put(TailUpdate(started=True))
    # The read once the session has started (what came between): line 2 again, and line
    # 3, which Live Tail sends too.
    await script.reads.put([ev(2), ev(3)])
    await eventually_async(lambda: run.state.mode == tail.LIVE, "live")
    assert script.asked == [
        (int((NOW - 300) * 1000), None),
        (ev(2).timestamp - tail.LOOKBACK_MS, None),
    ]
    await script.updates.put(TailUpdate(events=(ev(3, eid=False), ev(4, eid=False))))
    await eventually_async(lambda: len(run.lines) == 4, "four lines")
    assert [e.message for e in run.lines] == ["line 1", "line 2", "line 3", "line 4"]
    await run.stop()
    assert script.closed, "the Live Tail session is closed when the tail stops"


async def test_identical_lines_from_one_path_both_show() -> None:
    script = Script(live=True, quiet=True)
    run = Run(script)
    await script.updates.put(TailUpdate(started=True))
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
    await script.reads.put([])
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
    # out: the gaps double from a second up to POLL_GAP_MAX. (The first wait's first poll
    # is the window's read, sent before the first attempt.)
    assert [reads for _, reads in waits] == [1, 3, 4, 5, 8]
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
    await script.reads.put([ev(2)])
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
    # No poll and no wait between the two sessions: the second's history read fills the gap
    # (the first session's two: the window's history, and what came as it started). The
    # only sleeps are the live lines' holds, none longer than the window.
    assert [c for c in script.calls if isinstance(c, str)] == [
        "read",
        "live",
        "read",
        "live",
        "read",
    ]
    assert all(c <= tail.ORDER_WINDOW_S for c in script.calls if isinstance(c, float))
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
    # At once, not after the wait a refusal earns. (The first poll is the window's read,
    # sent before the first attempt.)
    assert script.between_attempts() == [(1.0, 1)]
    assert script.between_attempts()[0][0] < tail.LIVE_RETRY_MIN
    await script.updates.put(TailUpdate(started=True))
    # The session's history starts from the last line's time, less the lookback.
    await script.reads.put([ev(1), ev(2)])
    await eventually_async(lambda: run.state.mode == tail.LIVE, "live")
    assert script.asked[-1] == (ev(1).timestamp - tail.LOOKBACK_MS, None)
    assert [e.message for e in run.lines] == ["line 1", "line 2"]
    await run.stop()


# -- the first lines before the session is up -----------------------------------------------


async def test_the_window_is_read_while_live_tail_starts() -> None:
    script = Script(live=True)
    run = Run(script)
    # The session has not started, and the window's history is on its way already.
    await script.reads.put([ev(1), ev(2)])
    await eventually_async(lambda: len(run.lines) == 2, "the history before the session")
    assert script.calls == ["read", "live"]  # the read sent first: its lines are awaited
    assert run.state.mode == tail.CONNECTING
    # Line 3 was written after that read, before the session started: the read made once
    # it has started brings it, from the newest line less the lookback, with line 2 again.
    await script.updates.put(TailUpdate(started=True))
    await script.reads.put([ev(2), ev(3)])
    await eventually_async(lambda: run.state.mode == tail.LIVE, "live")
    assert script.asked[-1] == (ev(2).timestamp - tail.LOOKBACK_MS, None)
    await script.updates.put(TailUpdate(events=(ev(3, eid=False), ev(4, eid=False))))
    await eventually_async(lambda: len(run.lines) == 4, "line 4")
    assert [e.message for e in run.lines] == ["line 1", "line 2", "line 3", "line 4"]
    await run.stop()


async def test_a_failed_first_read_is_made_up_by_the_read_at_the_start() -> None:
    script = Script(live=True)
    run = Run(script)
    await script.reads.put(NetworkError("cannot reach AWS: connection reset"))
    await script.updates.put(TailUpdate(started=True))
    # Nothing handed on yet: the read at the session's start reads the whole window.
    await script.reads.put([ev(1), ev(2)])
    await eventually_async(lambda: run.state.mode == tail.LIVE, "live")
    assert script.asked == [(int((NOW - 300) * 1000), None)] * 2
    assert [e.message for e in run.lines] == ["line 1", "line 2"]
    await run.stop()


async def test_without_live_tail_the_first_poll_is_the_window_read_at_the_start() -> None:
    script = Script(live=False)
    run = Run(script)
    await script.reads.put([ev(1), ev(2)])
    await eventually_async(lambda: run.state.mode == tail.POLLING, "polling")
    await eventually_async(lambda: len(run.lines) == 2, "the history")
    await script.reads.put([ev(2), ev(3)])
    await eventually_async(lambda: len(run.lines) == 3, "a poll")
    # Read once, not again as the first poll.
    assert script.asked[:2] == [
        (int((NOW - 300) * 1000), None),
        (ev(2).timestamp - tail.LOOKBACK_MS, None),
    ]
    await run.stop()


# -- live lines in time order -----------------------------------------------------------------


def at(ms: int, stream: str = "instance/a") -> LogEvent:
    return LogEvent(ms, f"at {ms}", stream)


def stamps(events: list[LogEvent]) -> list[int]:
    return [e.timestamp for e in events]


def test_in_order_holds_each_batch_the_window_and_sorts_what_it_hands_on() -> None:
    order = tail.InOrder(window=1.0)
    # One update, two instances, each in its own order (ingestion's), not in time order.
    assert order.add([at(500, "instance/b"), at(100), at(700, "instance/b"), at(300)], 0.0) == []
    assert order.next_due() == 1.0
    assert order.due(0.99) == []
    # The next update, half a second later, brings a line older than the first's newest.
    assert order.add([at(600), at(900, "instance/b")], 0.5) == []
    # The first batch is due: it goes with the second's 600 (older than its 700), in order;
    # 900 waits for its own window.
    assert stamps(order.due(1.0)) == [100, 300, 500, 600, 700]
    assert order.edge_ms == 700 and len(order) == 1 and order.next_due() == 1.5
    # A line older than what was handed on cannot be put in order: it goes at once.
    assert stamps(order.add([at(650), at(950)], 1.2)) == [650]
    assert stamps(order.due(1.5)) == [900]
    assert stamps(order.flush()) == [950]
    assert order.next_due() is None and order.flush() == []


def test_in_order_holds_no_line_longer_than_the_window() -> None:
    order = tail.InOrder(window=1.0)
    arrived: dict[int, float] = {}
    released: dict[int, float] = {}
    now = 0.0
    # Batches every 0.3 s, each with lines older than the last batch's; released whenever
    # the next one is due.
    for n in range(20):
        batch = [at(1000 * n + k * 97 % 1500) for k in range(5)]
        for event in batch:
            arrived.setdefault(event.timestamp, now)
        for event in order.add(batch, now):
            released.setdefault(event.timestamp, now)
        due = order.next_due()
        while due is not None and due <= now + 0.3:
            for event in order.due(due):
                released.setdefault(event.timestamp, due)
            due = order.next_due()
        now += 0.3
    for event in order.flush():
        released.setdefault(event.timestamp, now)
    assert set(released) == set(arrived)
    held = max(released[ts] - arrived[ts] for ts in arrived if released[ts] < now)
    assert held == pytest.approx(1.0) or held < 1.0


async def test_live_lines_of_several_instances_come_in_time_order() -> None:
    script = Script(live=True, quiet=True)
    run = Run(script)
    await script.updates.put(TailUpdate(started=True))
    await eventually_async(lambda: run.state.mode == tail.LIVE, "live")
    base = int(NOW * 1000)
    # As the issue saw it: 16:39:27.201 came above 16:39:26.601, from two instances.
    await script.updates.put(TailUpdate(events=(at(base + 1201, "instance/b"),)))
    await script.updates.put(TailUpdate(events=(at(base + 601), at(base + 1500))))
    await eventually_async(lambda: len(run.lines) == 3, "the three lines")
    assert stamps(run.lines) == [base + 601, base + 1201, base + 1500]
    # Held no longer than the window: the tail's only sleeps are those holds.
    holds = [c for c in script.calls if isinstance(c, float)]
    assert holds and max(holds) <= tail.ORDER_WINDOW_S
    await run.stop()


async def test_lines_held_when_the_session_ends_go_before_the_polls() -> None:
    script = Script(live=True, quiet=True, hold_at=2)
    run = Run(script)
    await script.updates.put(TailUpdate(started=True))
    base = int(NOW * 1000)
    await script.updates.put(TailUpdate(events=(at(base + 5), at(base + 2))))
    await script.updates.put(None)  # ends before the hold does
    await eventually_async(lambda: len(run.lines) == 2, "the held lines")
    assert stamps(run.lines) == [base + 2, base + 5]
    await run.stop()


# -- a deployment's log -----------------------------------------------------------------------

DEPLOYMENT = LogSource(LogSourceKind.DEPLOYMENT, "op-1")


def operations(status: OperationStatus, ended: float | None = None) -> Store:
    store = Store()
    put_operation(store, status, ended)
    return store


def put_operation(store: Store, status: OperationStatus, ended: float | None = None) -> None:
    op = Operation(
        "op-1",
        OperationType.START_DEPLOYMENT,
        status,
        started_at=datetime.fromtimestamp(NOW - 600, timezone.utc),
        ended_at=datetime.fromtimestamp(ended, timezone.utc) if ended is not None else None,
    )
    store.put(activity.KIND, SCOPE, OperationsPage((op,)), NOW, SERVICE.arn)


async def test_a_finished_deployment_is_read_once_with_no_session() -> None:
    script = Script(live=True)
    run = Run(script, source=DEPLOYMENT, store=operations(OperationStatus.SUCCEEDED, NOW - 60))
    await script.reads.put([ev(1), ev(2)])
    await asyncio.wait_for(run.task, 60)  # the tail ends by itself
    assert script.sessions == 0 and script.calls == ["read"]
    assert [e.message for e in run.lines] == ["line 1", "line 2"]
    assert run.state.mode == tail.COMPLETE and run.state.why == "deployment SUCCEEDED"


async def test_a_deployment_that_ends_closes_its_session_after_a_last_read() -> None:
    script = Script(live=True)
    run = Run(script, source=DEPLOYMENT, store=operations(OperationStatus.IN_PROGRESS))
    await script.reads.put([ev(1)])
    await script.updates.put(TailUpdate(started=True))
    await script.reads.put([ev(1)])
    await script.updates.put(TailUpdate(events=(ev(2, eid=False),)))
    await eventually_async(lambda: len(run.lines) == 2, "two lines")
    assert run.state.mode == tail.LIVE and not script.closed
    # The activity's poll finds it ended (a minute ago by the clock): at the next update the
    # session closes, and a last read from the newest line less the lookback brings line 3.
    put_operation(run.store, OperationStatus.FAILED, NOW - 60)
    await script.updates.put(TailUpdate())
    await script.reads.put([ev(2), ev(3)])
    await asyncio.wait_for(run.task, 60)
    assert script.closed and script.sessions == 1
    assert script.asked[-1] == (ev(2).timestamp - tail.LOOKBACK_MS, None)
    assert [e.message for e in run.lines] == ["line 1", "line 2", "line 3"]
    assert run.state.mode == tail.COMPLETE and run.state.why == "deployment FAILED"


async def test_an_end_stamped_ahead_of_the_clock_settles_by_the_time_it_was_seen() -> None:
    # AWS's clock ahead of this machine's: the end is 'in the future' here. The session
    # still closes SETTLE_S after the end was first seen.
    script = Script(live=True, quiet=True)
    run = Run(script, source=DEPLOYMENT, store=operations(OperationStatus.IN_PROGRESS))
    await script.updates.put(TailUpdate(started=True))
    await eventually_async(lambda: run.state.mode == tail.LIVE, "live")
    put_operation(run.store, OperationStatus.SUCCEEDED, NOW + 3600)
    await script.updates.put(TailUpdate())
    await eventually_async(lambda: script.updates.empty(), "the update read")
    assert not run.task.done()
    script.now += tail.SETTLE_S
    await script.updates.put(TailUpdate())
    await asyncio.wait_for(run.task, 60)
    assert script.closed and run.state.mode == tail.COMPLETE


async def test_a_deployment_that_ends_while_polling_stops_polling() -> None:
    script = Script(live=False, quiet=True)
    store = operations(OperationStatus.IN_PROGRESS)
    run = Run(script, source=DEPLOYMENT, store=store)
    await eventually_async(lambda: run.state.mode == tail.POLLING, "polling")
    put_operation(store, OperationStatus.SUCCEEDED, NOW - 60)
    asked = script.sessions
    await asyncio.wait_for(run.task, 60)
    assert run.state.mode == tail.COMPLETE
    # After the end, Live Tail is not asked for again: the last read, and done.
    assert script.sessions == asked and script.calls[-1] == "read"
