"""Connecting to AWS (or to the demo simulator): the Gateway the app polls through.

`connect` is slow (it imports the AWS libraries and, for the demo, starts the simulator),
so the app calls it in a thread after its first frame is on screen.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
from artui.domain.errors import NO_REGION_HELP, ConfigError
from artui.domain.series import Query, Series
from artui.settings import Settings

if TYPE_CHECKING:
    from artui.aws.apprunner import AppRunner
    from artui.aws.clients import Clients
    from artui.aws.credentials import Ask, Resolved
    from artui.aws.logs import Logs
    from artui.aws.metrics import Metrics


@dataclass
class Backend:
    """The AWS side of a running app (an `artui.engine.ports.Gateway`)."""

    profile: str | None
    regions: tuple[str, ...]
    clients: Clients
    apprunner: AppRunner
    logs: Logs
    metrics: Metrics
    simulator: Any = None

    async def list_services(self, region: str) -> list[Service]:
        """Every service in `region`."""
        return await self.apprunner.list_services(region)

    async def describe_service(self, region: str, arn: str) -> ServiceDetail:
        """DescribeService, flattened for the overview."""
        return await self.apprunner.describe_service(region, arn)

    async def list_operations(
        self, region: str, arn: str, token: str | None = None
    ) -> OperationsPage:
        """One page of a service's operations, newest first."""
        return await self.apprunner.list_operations(region, arn, token)

    async def apply(self, region: str, arn: str, change: Change) -> Applied:
        """Send `change` (once; refused before sending when read-only)."""
        return await self.apprunner.apply(region, arn, change)

    async def custom_domains(self, region: str, arn: str) -> CustomDomains:
        """DescribeCustomDomains, every page."""
        return await self.apprunner.custom_domains(region, arn)

    async def read_logs(
        self, service: Service, source: LogSource, start_ms: int, end_ms: int | None, limit: int
    ) -> list[LogEvent]:
        """FilterLogEvents on one source, oldest first; past `limit`, the newest `limit`."""
        from artui.aws.logs import target

        return await self.logs.read(target(service, source), start_ms, end_ms, limit)

    def live_tail(self, service: Service, source: LogSource) -> AsyncIterator[TailUpdate]:
        """A Live Tail session on one source."""
        from artui.aws.logs import target

        return self.logs.live(target(service, source))

    async def metric_data(
        self, region: str, queries: Sequence[Query], start: float, end: float
    ) -> dict[Query, Series]:
        """GetMetricData, 500 queries a call: each query's series, gaps left as gaps."""
        return await self.metrics.read(region, queries, start, end)

    async def close(self) -> None:
        """Close clients, then stop the demo simulator if there is one."""
        await self.clients.close()
        if self.simulator is not None:
            # Stopping joins the simulator's threads: not on the event loop.
            await asyncio.to_thread(self.simulator.stop)


def start_demo_simulator(regions: tuple[str, ...]) -> Any:
    """Start the embedded simulator and point botocore's chain at it through the environment."""
    from artui.sim.server import DEMO_SPEEDUP, Simulator

    simulator = Simulator(regions=regions, speedup=DEMO_SPEEDUP)
    simulator.start()
    os.environ.update(simulator.env())
    # A real profile in the environment must not leak into the demo.
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_SESSION_TOKEN", None)
    return simulator


def connect(
    settings: Settings, credentials: Resolved | None = None, ask: Ask | None = None
) -> Backend:
    """Build clients for `settings`, resolving the region through botocore's chain.

    `credentials` were resolved already (by the prefetch); without them the chain runs once,
    on first use.
    """
    simulator = start_demo_simulator(settings.regions) if settings.demo else None
    try:
        from artui.aws.clients import Clients

        first_region = settings.regions[0] if settings.regions else None
        clients = Clients(
            settings.profile,
            credentials=credentials,
            ask=ask,
            region=first_region,
            read_only=settings.read_only,
        )
        regions = settings.regions
        if not regions:
            region = clients.default_region()
            if not region:
                raise ConfigError(NO_REGION_HELP)
            regions = (region,)
    except BaseException:
        if simulator is not None:
            simulator.stop()
        raise
    return over(clients, settings.profile, regions, simulator)


def over(
    clients: Clients, profile: str | None, regions: tuple[str, ...], simulator: Any = None
) -> Backend:
    """A Backend whose every AWS call goes through `clients`."""
    from artui.aws.apprunner import AppRunner
    from artui.aws.logs import Logs
    from artui.aws.metrics import Metrics

    return Backend(
        profile=profile,
        regions=regions,
        clients=clients,
        apprunner=AppRunner(clients),
        logs=Logs(clients),
        metrics=Metrics(clients),
        simulator=simulator,
    )
