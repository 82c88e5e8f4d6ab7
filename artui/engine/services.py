"""The services list as the store holds it, and the snapshot the screens render."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from artui.domain.apprunner import Service, ServiceDetail, ServiceStatus
from artui.domain.errors import ArtuiError
from artui.engine.ports import AppRunnerPort
from artui.engine.refresh import Cadence, Refresher
from artui.engine.store import Kind, Scope, Store

KIND: Kind[tuple[Service, ...]] = Kind("services")
# DescribeService's answers, keyed by service ARN within the scope.
DETAIL: Kind[ServiceDetail] = Kind("detail")


@dataclass(frozen=True)
class Snapshot:
    """What the services screen shows: last known services, their age, and any errors."""

    services: tuple[Service, ...]
    regions: tuple[str, ...]
    fetched_at: dict[str, float] = field(default_factory=dict)
    errors: dict[str, ArtuiError] = field(default_factory=dict)
    polling: bool = False
    # The most recent failure, kept after recovery: (when, "region: message").
    last_error: tuple[float, str] | None = None

    @property
    def loaded(self) -> bool:
        """True once any region has answered."""
        return bool(self.fetched_at)

    def age(self, now: float) -> float | None:
        """Seconds since the oldest region's last good answer."""
        if not self.fetched_at:
            return None
        return now - min(self.fetched_at.values())

    @property
    def stale(self) -> bool:
        return bool(self.errors)


def snapshot(store: Store, scopes: Sequence[Scope], *, polling: bool = False) -> Snapshot:
    """The services of `scopes` as last known, in scope order."""
    known = [(scope, store.get(KIND, scope)) for scope in scopes]
    last_errors = [k.last_error for _, k in known if k.last_error is not None]
    return Snapshot(
        services=tuple(s for _, k in known for s in (k.value or ())),
        regions=tuple(scope.region for scope in scopes),
        fetched_at={s.region: k.fetched_at for s, k in known if k.fetched_at is not None},
        errors={s.region: k.error for s, k in known if k.error is not None},
        last_error=max(last_errors, default=None),
        polling=polling,
    )


def _sorted(services: Sequence[Service]) -> tuple[Service, ...]:
    # AWS promises no order; sorted rows do not jump between polls.
    return tuple(sorted(services, key=lambda s: (s.name, s.arn)))


def seed(
    store: Store, scopes: Sequence[Scope], listed: Mapping[str, Sequence[Service]], at: float
) -> None:
    """Take lists fetched elsewhere (the startup prefetch) as the last known state."""
    for scope in scopes:
        if scope.region in listed:
            store.put(KIND, scope, _sorted(listed[scope.region]), at)


def refresher(
    list_services: Callable[[str], Awaitable[list[Service]]],
    scopes: Sequence[Scope],
    store: Store,
    cadence: Cadence | None = None,
    *,
    clock: Callable[[], float] = time.time,
    on_update: Callable[[bool], None] = lambda polling: None,
) -> Refresher[tuple[Service, ...]]:
    """The refresh engine for the services list of `scopes`."""

    async def fetch(scope: Scope) -> tuple[Service, ...]:
        return _sorted(await list_services(scope.region))

    def busy(services: tuple[Service, ...] | None) -> bool:
        return any(s.status is ServiceStatus.OPERATION_IN_PROGRESS for s in services or ())

    return Refresher(
        KIND,
        fetch,
        scopes,
        store,
        cadence,
        clock=clock,
        busy=busy,
        on_update=on_update,
        operation="ListServices",
    )


def detail_refresher(
    apprunner: AppRunnerPort,
    scope: Scope,
    arn: str,
    store: Store,
    refresh: float,
    *,
    clock: Callable[[], float] = time.time,
    on_update: Callable[[bool], None] = lambda polling: None,
) -> Refresher[ServiceDetail]:
    """The refresh engine for one service's DescribeService (its view): the settings' pace
    while an operation is in progress, named from ListOperations ('deleting'), so the view
    follows it to its end, even one someone else started."""

    async def fetch(scope: Scope) -> ServiceDetail:
        detail = await apprunner.describe_service(scope.region, arn)
        if detail.service.status is not ServiceStatus.OPERATION_IN_PROGRESS:
            return detail
        page = await apprunner.list_operations(scope.region, arn, None)
        return replace(detail, running=page.running.type if page.running else None)

    def busy(detail: ServiceDetail | None) -> bool:
        return detail is not None and detail.service.status is ServiceStatus.OPERATION_IN_PROGRESS

    return Refresher(
        DETAIL,
        fetch,
        [scope],
        store,
        Cadence(interval=refresh),
        clock=clock,
        busy=busy,
        on_update=on_update,
        key=arn,
        operation="DescribeService",
    )
