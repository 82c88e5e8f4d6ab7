"""What the UI needs from the AWS side, as protocols: the wiring (`artui.launch`) supplies
them, so `artui.ui` never imports `artui.aws`, `artui.aws.backend` or the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from artui.domain.apprunner import (
    LogEvent,
    LogSource,
    OperationsPage,
    Service,
    ServiceDetail,
    TailUpdate,
)
from artui.domain.changes import Applied, Change
from artui.domain.custom_domains import CustomDomains
from artui.domain.series import Query, Series

# A question for the operator (an MFA code, say), answered from the UI; None: declined.
Ask = Callable[[str], "str | None"]


@dataclass(frozen=True)
class FirstList:
    """The regions resolved, the services of those that answered, and when (epoch)."""

    regions: tuple[str, ...]
    services: Mapping[str, Sequence[Service]]
    fetched_at: float


class Gateway(Protocol):
    """A connection to App Runner (or the simulator) for one profile and its regions."""

    profile: str | None
    regions: tuple[str, ...]

    async def list_services(self, region: str) -> list[Service]:
        """Every service in `region`."""
        ...

    async def describe_service(self, region: str, arn: str) -> ServiceDetail:
        """DescribeService, flattened for the overview."""
        ...

    async def list_operations(
        self, region: str, arn: str, token: str | None = None
    ) -> OperationsPage:
        """One page of a service's operations, newest first, from `token` on."""
        ...

    async def apply(self, region: str, arn: str, change: Change) -> Applied:
        """Send `change` for a service, once: what AWS answered (the operation it started,
        or the custom domain as App Runner now holds it)."""
        ...

    async def custom_domains(self, region: str, arn: str) -> CustomDomains:
        """DescribeCustomDomains, every page: the DNS target and each linked domain."""
        ...

    async def read_logs(
        self, service: Service, source: LogSource, start_ms: int, end_ms: int | None, limit: int
    ) -> list[LogEvent]:
        """FilterLogEvents on one source from `start_ms` (to `end_ms`), oldest first; past
        `limit` lines, the newest `limit`."""
        ...

    def live_tail(self, service: Service, source: LogSource) -> AsyncIterator[TailUpdate]:
        """A Live Tail session on one source; LiveTailUnavailable when refused or ended."""
        ...

    async def metric_data(
        self, region: str, queries: Sequence[Query], start: float, end: float
    ) -> dict[Query, Series]:
        """GetMetricData: each query's series from `start` to `end` (epoch seconds), 500
        queries a call."""
        ...

    async def close(self) -> None:
        """Release connections (and stop the demo simulator)."""
        ...


class Connector(Protocol):
    """Builds the Gateway; its blocking calls run in a thread after the first frame."""

    def first(self, ask: Ask) -> FirstList | None:
        """The startup prefetch's list (which also resolves credentials), or None."""
        ...

    def connect(self, ask: Ask) -> Gateway:
        """Connect; raises ArtuiError with a message an operator can act on."""
        ...

    def abort(self) -> None:
        """The app is quitting: stop whatever `first` or `connect` is waiting for."""
        ...
