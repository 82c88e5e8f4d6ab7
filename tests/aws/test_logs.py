"""artui/aws/logs.py against the simulator over HTTP: FilterLogEvents pages and Live Tail."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from conftest import control, put_log_lines

from artui.aws.clients import Clients
from artui.aws.logs import PAGE_LIMIT, Logs, target
from artui.domain.apprunner import LogSource, LogSourceKind, Service, ServiceStatus
from artui.domain.errors import LiveTailUnavailable
from artui.sim.server import Simulator


def a_service(sim: Simulator) -> Service:
    """A service of its own (moto's log state is shared by the whole test process)."""
    sid = uuid.uuid4().hex
    return Service(
        name="tailed",
        id=sid,
        arn=f"arn:aws:apprunner:us-east-1:123456789012:service/tailed/{sid}",
        region="us-east-1",
        status=ServiceStatus.RUNNING,
        raw_status="RUNNING",
    )


@pytest.fixture
async def logs(fresh_sim: Simulator) -> AsyncIterator[Logs]:
    clients = Clients()
    yield Logs(clients)
    await clients.close()


def now_ms() -> int:
    return int(time.time() * 1000)


async def test_read_merges_instances_and_keeps_ids(fresh_sim: Simulator, logs: Logs) -> None:
    service = a_service(fresh_sim)
    where = target(service, LogSource(LogSourceKind.APPLICATION))
    base = now_ms() - 60_000
    put_log_lines(
        fresh_sim, where.group, "instance/aaa", [(base + 1, "from a"), (base + 3, "a again")]
    )
    put_log_lines(fresh_sim, where.group, "instance/bbb", [(base + 2, "from b")])
    events = await logs.read(where, base, None, 100)
    assert [(e.stream, e.message) for e in events] == [
        ("instance/aaa", "from a"),
        ("instance/bbb", "from b"),
        ("instance/aaa", "a again"),
    ]
    assert all(e.event_id and e.ingested for e in events)
    assert len({e.event_id for e in events}) == 3


async def test_read_pages_and_keeps_the_newest(fresh_sim: Simulator, logs: Logs) -> None:
    service = a_service(fresh_sim)
    where = target(service, LogSource(LogSourceKind.APPLICATION))
    base = now_ms() - 3_600_000
    count = PAGE_LIMIT + 500
    put_log_lines(
        fresh_sim, where.group, "instance/aaa", [(base + i, f"n{i}") for i in range(count)]
    )
    control(fresh_sim, "DELETE", "/_sim/requests")
    events = await logs.read(where, base, None, 1000)
    assert [e.message for e in events] == [f"n{i}" for i in range(count - 1000, count)]
    calls = [r for r in control(fresh_sim, "GET", "/_sim/requests")["requests"]]
    assert sum(r["operation"] == "FilterLogEvents" for r in calls) == 2


async def test_events_and_a_deployment_read_their_own_streams(
    fresh_sim: Simulator, logs: Logs
) -> None:
    service = a_service(fresh_sim)
    op = str(uuid.uuid4())
    group = target(service, LogSource(LogSourceKind.EVENTS)).group
    base = now_ms() - 60_000
    put_log_lines(fresh_sim, group, "events", [(base, "[AppRunner] Deployment started.")])
    put_log_lines(
        fresh_sim, group, "deployment/" + op.replace("-", ""), [(base + 1, "[Build] ours")]
    )
    put_log_lines(
        fresh_sim, group, "deployment/" + uuid.uuid4().hex, [(base + 2, "[Build] another")]
    )
    events = await logs.read(target(service, LogSource(LogSourceKind.EVENTS)), base, None, 10)
    assert [e.message for e in events] == ["[AppRunner] Deployment started."]
    deployment = target(service, LogSource(LogSourceKind.DEPLOYMENT, op))
    assert [e.message for e in await logs.read(deployment, base, None, 10)] == ["[Build] ours"]


async def test_a_group_not_yet_written_reads_empty(fresh_sim: Simulator, logs: Logs) -> None:
    where = target(a_service(fresh_sim), LogSource(LogSourceKind.APPLICATION))
    assert await logs.read(where, 0, None, 10) == []


async def test_live_tail_sends_new_lines(fresh_sim: Simulator, logs: Logs) -> None:
    service = a_service(fresh_sim)
    where = target(service, LogSource(LogSourceKind.APPLICATION))
    put_log_lines(fresh_sim, where.group, "instance/aaa", [(now_ms(), "before the session")])
    updates = logs.live(where)
    first = await updates.__anext__()
    assert first.started
    put_log_lines(fresh_sim, where.group, "instance/aaa", [(now_ms(), "during the session")])
    seen: list[Any] = []
    while not seen:
        update = await updates.__anext__()
        seen.extend(update.events)
    assert [(e.stream, e.message) for e in seen] == [("instance/aaa", "during the session")]
    await updates.aclose()


@pytest.mark.parametrize("mode", ["oneshot", "refuse"])
async def test_live_tail_refused_or_closed_early_is_unavailable(
    fresh_sim: Simulator, logs: Logs, mode: str
) -> None:
    service = a_service(fresh_sim)
    where = target(service, LogSource(LogSourceKind.APPLICATION))
    put_log_lines(fresh_sim, where.group, "instance/aaa", [(now_ms(), "a line")])
    control(fresh_sim, "POST", "/_sim/livetail", {"mode": mode})
    try:
        with pytest.raises(LiveTailUnavailable) as caught:
            async for _ in logs.live(where):
                pass
    finally:
        control(fresh_sim, "POST", "/_sim/livetail", {"mode": "live"})
    expected = "AccessDeniedException" if mode == "refuse" else "closed the session early"
    assert expected in str(caught.value)
