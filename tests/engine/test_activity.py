"""The activity's store rules: pages merged without loss or repeats, and a quicker pace while
an operation runs. Plain data and the engine's own rules: no clock is waited on."""

from __future__ import annotations

from datetime import datetime, timezone

from artui.domain.apprunner import Operation, OperationsPage, OperationStatus, OperationType
from artui.engine.activity import extend, merge, refresher, watch_interval
from artui.engine.store import Scope, Store

SCOPE = Scope(None, "us-east-1")


def op(n: int, status: OperationStatus = OperationStatus.SUCCEEDED) -> Operation:
    return Operation(
        id=f"op-{n}",
        type=OperationType.START_DEPLOYMENT,
        status=status,
        started_at=datetime.fromtimestamp(1_000_000 + n * 100, timezone.utc),
    )


def page(numbers: range, token: str | None = None) -> OperationsPage:
    return OperationsPage(tuple(op(n) for n in numbers), token)


def ids(held: OperationsPage) -> list[int]:
    return [int(o.id.removeprefix("op-")) for o in held.operations]


def test_a_fresh_first_page_keeps_older_pages_already_paged_in() -> None:
    held = extend(page(range(40, 20, -1), "t20"), page(range(20, 0, -1), "t40"))
    assert ids(held) == list(range(40, 0, -1))
    # Two new operations: the newest page moves down by two.
    fresh = merge(page(range(42, 22, -1), "t20'"), held)
    assert ids(fresh) == list(range(42, 0, -1))
    assert fresh.next_token == "t40"  # where the held pages ended


def test_a_first_page_alone_takes_its_own_token() -> None:
    assert merge(page(range(20, 0, -1), "t20"), None).next_token == "t20"
    held = page(range(20, 0, -1), "t20")
    assert merge(page(range(20, 0, -1), "t20"), held).next_token == "t20"


def test_an_older_page_that_overlaps_adds_each_operation_once() -> None:
    held = page(range(42, 22, -1), "t20")
    # The token was counted before two new operations: the page repeats two held ones.
    older = page(range(24, 4, -1), "t40")
    assert ids(extend(held, older)) == list(range(42, 4, -1))


async def test_a_running_operation_quickens_the_activity_poll() -> None:
    store = Store()
    answers = [page(range(3, 0, -1))]

    async def list_operations(region: str, arn: str, token: str | None) -> OperationsPage:
        return answers[-1]

    poll = refresher(list_operations, SCOPE, "arn", store, refresh=5.0)
    await poll.refresh()
    assert poll.next_delay() == 5.0  # the normal pace, not slower when quiet
    await poll.refresh()
    assert poll.next_delay() == 5.0
    answers.append(OperationsPage((op(4, OperationStatus.IN_PROGRESS), *answers[0].operations)))
    await poll.refresh()
    assert poll.next_delay() == watch_interval(5.0) == 2.0
    assert ids(store.get("operations", SCOPE, "arn").value) == [4, 3, 2, 1]


def test_the_watch_interval_never_drops_below_a_second() -> None:
    assert watch_interval(1.0) == 1.0
    assert watch_interval(60.0) == 24.0
