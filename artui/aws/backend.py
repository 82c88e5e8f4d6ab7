"""Connecting to AWS (or to the demo simulator): the Gateway the app polls through.

`connect` is slow (it imports the AWS libraries and, for the demo, starts the simulator),
so the app calls it in a thread after its first frame is on screen.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from artui.domain.errors import NO_REGION_HELP, ConfigError
from artui.settings import Settings

if TYPE_CHECKING:
    from artui.aws.apprunner import AppRunner
    from artui.aws.clients import Clients
    from artui.aws.credentials import Ask, Resolved
    from artui.aws.logs import Logs
    from artui.aws.metrics import Metrics


@dataclass
class Backend:
    """The AWS side of a running app (an `artui.engine.ports.Gateway`): each capability is
    the aws module that implements its port."""

    profile: str | None
    regions: tuple[str, ...]
    clients: Clients
    apprunner: AppRunner
    logs: Logs
    metrics: Metrics
    simulator: Any = None

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
