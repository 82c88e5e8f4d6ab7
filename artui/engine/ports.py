"""What the engine needs from the AWS side, as small protocols in the style of k9s's
`dao/types.go`: the wiring (`artui.launch`) supplies them, so `artui.ui` never imports
`artui.aws` or the simulator. An API call is declared here and implemented in `artui.aws`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from artui.domain.apprunner import (
    Identity,
    LogEvent,
    LogSource,
    OperationsPage,
    Service,
    ServiceDetail,
    TailUpdate,
)
from artui.domain.changes import Applied, Change
from artui.domain.configuration import Configuration
from artui.domain.custom_domains import CustomDomains
from artui.domain.series import Query, Series

if TYPE_CHECKING:
    from artui.settings import Account

# A question for the operator (an MFA code, say), answered from the UI; None: declined.
Ask = Callable[[str], "str | None"]


@dataclass(frozen=True)
class FirstList:
    """The regions resolved, the services of those that answered, and when (epoch)."""

    regions: tuple[str, ...]
    services: Mapping[str, Sequence[Service]]
    fetched_at: float


class ServiceReader(Protocol):
    """Reading App Runner's services."""

    async def list_services(self, region: str) -> list[Service]:
        """Every service in `region`."""
        ...

    async def describe_service(self, region: str, arn: str) -> ServiceDetail:
        """DescribeService, flattened for the overview."""
        ...


class OperationReader(Protocol):
    """Reading a service's operations."""

    async def list_operations(
        self, region: str, arn: str, token: str | None = None, limit: int | None = None
    ) -> OperationsPage:
        """One page of a service's operations, newest first, from `token` on; at most
        `limit` of them (None: a full page, 20)."""
        ...


class CustomDomainReader(Protocol):
    """Reading a service's DNS custom domains."""

    async def custom_domains(self, region: str, arn: str) -> CustomDomains:
        """DescribeCustomDomains, every page: the DNS target and each linked domain."""
        ...


class ConfigurationReader(Protocol):
    """Reading a service's whole configuration."""

    async def configuration(self, region: str, arn: str) -> Configuration:
        """DescribeService and the resources it names: auto scaling, VPC connector,
        observability, tags (each of those may fail alone: `Configuration.problems`)."""
        ...


class ChangeApplier(Protocol):
    """Changing a service."""

    async def apply(self, region: str, arn: str, change: Change) -> Applied:
        """Send `change` for a service, once: what AWS answered (the operation it started,
        or the custom domain as App Runner now holds it)."""
        ...


class AppRunnerPort(
    ServiceReader,
    OperationReader,
    CustomDomainReader,
    ConfigurationReader,
    ChangeApplier,
    Protocol,
):
    """Everything artui reads from and sends to App Runner itself."""


class LogReader(Protocol):
    """Reading a service's logs (CloudWatch Logs)."""

    async def read_logs(
        self, service: Service, source: LogSource, start_ms: int, end_ms: int | None, limit: int
    ) -> list[LogEvent]:
        """FilterLogEvents on one source from `start_ms` (to `end_ms`), oldest first; past
        `limit` lines, the newest `limit`."""
        ...

    def live_tail(self, service: Service, source: LogSource) -> AsyncIterator[TailUpdate]:
        """A Live Tail session on one source; LiveTailUnavailable when refused or ended."""
        ...


class MetricReader(Protocol):
    """GetMetricData for one region: every query's series, gaps left as gaps."""

    async def metric_data(
        self, region: str, queries: Sequence[Query], start: float, end: float
    ) -> dict[Query, Series]:
        """The series of `queries` from `start` to `end` (epoch seconds), 500 queries a call."""
        ...


class AccountReader(Protocol):
    """Who the profile's credentials act as."""

    async def identity(self) -> Identity:
        """STS GetCallerIdentity, with the account's alias when IAM allows reading it."""
        ...


class Gateway(Protocol):
    """A connection to AWS (or the simulator) for one profile and its regions: each
    capability is its own port, implemented in `artui.aws` without a mirror here."""

    profile: str | None
    regions: tuple[str, ...]

    @property
    def apprunner(self) -> AppRunnerPort: ...

    @property
    def logs(self) -> LogReader: ...

    @property
    def metrics(self) -> MetricReader: ...

    @property
    def account(self) -> AccountReader: ...

    async def close(self) -> None:
        """Release connections (and stop the demo simulator)."""
        ...


class Connector(Protocol):
    """Builds the Gateway; its blocking calls run in a thread after the first frame."""

    def first(self, ask: Ask) -> FirstList | None:
        """The startup prefetch's list (which also resolves credentials), or None."""
        ...

    def connect(self, ask: Ask, account: Account | None = None) -> Gateway:
        """Connect `account` (the settings' first by default); raises ArtuiError with a
        message an operator can act on."""
        ...

    def abort(self) -> None:
        """The app is quitting: stop whatever `first` or `connect` is waiting for."""
        ...

    async def close(self) -> None:
        """The app has closed every gateway: release what they shared (the demo's simulator)."""
        ...
