"""A service's configuration (the configuration pane), as the store holds it and the engine
reads it: DescribeService and the resources it names, read again at the settings' pace
while the pane shows (a change made elsewhere shows up), and at once on `r`."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from artui.domain.configuration import Configuration
from artui.engine.refresh import Cadence, Refresher
from artui.engine.store import Kind, Scope, Store

KIND: Kind[Configuration] = Kind("configuration")

ReadConfiguration = Callable[[str, str], Awaitable[Configuration]]


def refresher(
    read: ReadConfiguration,
    scope: Scope,
    arn: str,
    store: Store,
    refresh: float,
    *,
    clock: Callable[[], float] = time.time,
    on_update: Callable[[bool], None] = lambda polling: None,
) -> Refresher[Configuration]:
    """The refresh engine for one service's configuration."""

    async def fetch(scope: Scope) -> Configuration:
        return await read(scope.region, arn)

    return Refresher(
        KIND,
        fetch,
        [scope],
        store,
        Cadence(interval=refresh),
        clock=clock,
        on_update=on_update,
        key=arn,
        operation="DescribeService",
    )
