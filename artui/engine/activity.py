"""A service's operations (the activity pane), as the store holds them and the engine polls
them: the newest page refreshed on the cadence, older pages paged in on demand and kept."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from artui.domain.apprunner import OperationsPage
from artui.engine.refresh import Cadence, Refresher
from artui.engine.store import Kind, Scope, Store

KIND: Kind[OperationsPage] = Kind("operations")
# The quickest pace any list polls at, whatever the settings say.
MIN_INTERVAL = 1.0

ListOperations = Callable[[str, str, "str | None"], Awaitable[OperationsPage]]


def watch_interval(refresh: float) -> float:
    """How often a running operation is polled: faster than the settings' refresh."""
    return max(MIN_INTERVAL, refresh / 2.5)


def merge(first: OperationsPage, held: OperationsPage | None) -> OperationsPage:
    """A fresh newest page laid over what was held: older pages already paged in stay."""
    if held is None:
        return first
    seen = {op.id for op in first.operations}
    older = tuple(op for op in held.operations if op.id not in seen)
    if not older:
        return first
    # Where the held pages ended is where the next older page starts. A token counted from
    # the top may now point a little too new (new operations pushed the list down): `extend`
    # drops what is already held, so nothing shows twice.
    return OperationsPage(first.operations + older, held.next_token)


def extend(held: OperationsPage, page: OperationsPage) -> OperationsPage:
    """`held` with an older page appended, each operation once."""
    seen = {op.id for op in held.operations}
    fresh = tuple(op for op in page.operations if op.id not in seen)
    return OperationsPage(held.operations + fresh, page.next_token)


def refresher(
    list_operations: ListOperations,
    scope: Scope,
    arn: str,
    store: Store,
    refresh: float,
    *,
    clock: Callable[[], float] = time.time,
    on_update: Callable[[bool], None] = lambda polling: None,
) -> Refresher[OperationsPage]:
    """The refresh engine for one service's operations: the settings' pace, quicker while
    an operation runs."""

    async def fetch(scope: Scope) -> OperationsPage:
        first = await list_operations(scope.region, arn, None)
        return merge(first, store.get(KIND, scope, arn).value)

    def busy(page: OperationsPage | None) -> bool:
        return page is not None and page.running is not None

    return Refresher(
        KIND,
        fetch,
        [scope],
        store,
        Cadence(interval=refresh, quiet_factor=1.0, busy_interval=watch_interval(refresh)),
        clock=clock,
        busy=busy,
        on_update=on_update,
        key=arn,
        operation="ListOperations",
    )
