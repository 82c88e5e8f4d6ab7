"""A service's custom domains (the domains pane), as the store holds them and the engine
polls them: at the settings' pace while any domain is pending, slower once all are settled."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from artui.domain.custom_domains import CustomDomain, CustomDomains
from artui.engine.refresh import Cadence, Refresher
from artui.engine.store import Kind, Scope, Store

KIND: Kind[CustomDomains] = Kind("custom-domains")

DescribeCustomDomains = Callable[[str, str], Awaitable[CustomDomains]]


def refresher(
    describe: DescribeCustomDomains,
    scope: Scope,
    arn: str,
    store: Store,
    refresh: float,
    *,
    clock: Callable[[], float] = time.time,
    on_update: Callable[[bool], None] = lambda polling: None,
) -> Refresher[CustomDomains]:
    """The refresh engine for one service's custom domains."""

    async def fetch(scope: Scope) -> CustomDomains:
        return await describe(scope.region, arn)

    def busy(held: CustomDomains | None) -> bool:
        return held is not None and held.pending

    return Refresher(
        KIND,
        fetch,
        [scope],
        store,
        Cadence(interval=refresh),
        clock=clock,
        busy=busy,
        on_update=on_update,
        key=arn,
        operation="DescribeCustomDomains",
    )


def with_domain(held: CustomDomains | None, domain: CustomDomain) -> CustomDomains | None:
    """`held` with a call's answer for one domain laid in (added, or replacing its old self):
    the pane shows what AWS answered before the next poll."""
    if held is None:
        return None
    kept = tuple(d for d in held.domains if d.name != domain.name)
    if len(kept) == len(held.domains):
        return CustomDomains(held.dns_target, (*kept, domain))
    return CustomDomains(
        held.dns_target, tuple(domain if d.name == domain.name else d for d in held.domains)
    )
