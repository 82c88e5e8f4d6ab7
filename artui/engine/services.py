"""The services list as the store holds it, and the snapshot the screens render."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from artui.domain.apprunner import Service, ServiceDetail, ServiceStatus
from artui.domain.errors import ArtuiError
from artui.engine.ports import AppRunnerPort, OperationReader
from artui.engine.refresh import Cadence, Refresher
from artui.engine.store import Kind, Scope, Store

KIND: Kind[tuple[Service, ...]] = Kind("services")
# DescribeService's answers, keyed by service ARN within the scope.
DETAIL: Kind[ServiceDetail] = Kind("detail")
# ListOperations' MaxResults when only the operation in progress is wanted: App Runner runs
# one operation at a time and lists the last started first, so the first row is the one.
RUNNING_PAGE = 1


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
    # Several profiles: `regions` and the keys above name `profile/region` (see `place`).
    several: bool = False

    def place_of(self, service: Service) -> str:
        """The key of `service`'s scope in `fetched_at` and `errors`."""
        return place(Scope(service.profile, service.region), self.several)

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


def place(scope: Scope, several: bool) -> str:
    """How the status line names a scope: its region, and its profile too when the list
    covers several profiles (`prod/us-east-1`)."""
    return f"{scope.profile or 'default'}/{scope.region}" if several else scope.region


def snapshot(store: Store, scopes: Sequence[Scope], *, polling: bool = False) -> Snapshot:
    """The services of `scopes` as last known, in scope order; a service two profiles both
    reach (one account, two roles) is listed once, under the first."""
    several = len({scope.profile for scope in scopes}) > 1
    known = [(place(scope, several), store.get(KIND, scope)) for scope in scopes]
    last_errors = [k.last_error for _, k in known if k.last_error is not None]
    listed = {s.arn: s for _, k in reversed(known) for s in (k.value or ())}
    return Snapshot(
        services=tuple(s for _, k in known for s in (k.value or ()) if listed[s.arn] is s),
        regions=tuple(name for name, _ in known),
        fetched_at={name: k.fetched_at for name, k in known if k.fetched_at is not None},
        errors={name: k.error for name, k in known if k.error is not None},
        last_error=max(last_errors, default=None),
        polling=polling,
        several=several,
    )


def _sorted(services: Sequence[Service], profile: str | None) -> tuple[Service, ...]:
    # AWS promises no order; sorted rows do not jump between polls. Each is tagged with the
    # profile it was listed through: its reads and changes go through that profile.
    ordered = sorted(services, key=lambda s: (s.name, s.arn))
    return tuple(s if s.profile == profile else replace(s, profile=profile) for s in ordered)


def seed(
    store: Store, scopes: Sequence[Scope], listed: Mapping[str, Sequence[Service]], at: float
) -> None:
    """Take lists fetched elsewhere (the startup prefetch) as the last known state."""
    for scope in scopes:
        if scope.region in listed:
            store.put(KIND, scope, _sorted(listed[scope.region], scope.profile), at)


async def with_running(operations: OperationReader, service: Service) -> Service:
    """`service` with the operation in progress named (`running`: 'deploying' on screen),
    read from ListOperations only when its status says one runs. Unnamed when the read
    fails: the service then shows as busy, and its list or view is not failed for it."""
    if service.status is not ServiceStatus.OPERATION_IN_PROGRESS:
        return service
    try:
        page = await operations.list_operations(
            service.region, service.arn, None, limit=RUNNING_PAGE
        )
    except ArtuiError:
        return service
    return replace(service, running=page.running.type if page.running else None)


async def name_running(operations: OperationReader, services: Sequence[Service]) -> list[Service]:
    """`services` with each busy one's operation named: one ListOperations per service in
    OPERATION_IN_PROGRESS, concurrently, none for the others, so the cost is that of the
    busy services, not of the fleet."""
    busy = [s for s in services if s.status is ServiceStatus.OPERATION_IN_PROGRESS]
    named = await asyncio.gather(*(with_running(operations, s) for s in busy))
    by_arn = {s.arn: s for s in named}
    return [by_arn.get(s.arn, s) for s in services]


def refresher(
    list_services: Callable[[str], Awaitable[list[Service]]],
    scopes: Sequence[Scope],
    store: Store,
    cadence: Cadence | None = None,
    *,
    operations: OperationReader | None = None,
    clock: Callable[[], float] = time.time,
    on_update: Callable[[bool], None] = lambda polling: None,
) -> Refresher[tuple[Service, ...]]:
    """The refresh engine for the services list of `scopes`; with `operations`, each busy
    service's operation is named (`name_running`) on every poll."""

    async def fetch(scope: Scope) -> tuple[Service, ...]:
        listed = await list_services(scope.region)
        if operations is not None:
            listed = await name_running(operations, listed)
        return _sorted(listed, scope.profile)

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
        service = replace(detail.service, profile=scope.profile)
        return replace(detail, service=await with_running(apprunner, service))

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
