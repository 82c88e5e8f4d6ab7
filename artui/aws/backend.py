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
from artui.settings import Account, Settings

if TYPE_CHECKING:
    from artui.aws.apprunner import AppRunner
    from artui.aws.clients import Clients
    from artui.aws.credentials import Ask, Resolved
    from artui.aws.identity import Accounts
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
    account: Accounts
    simulator: Any = None

    async def close(self) -> None:
        """Close clients, then stop the demo simulator if there is one."""
        await self.clients.close()
        if self.simulator is not None:
            # Stopping joins the simulator's threads: not on the event loop.
            await asyncio.to_thread(self.simulator.stop)


# The simulated accounts the demo gives its profiles, in order: the simulator names an
# account by a 12-digit access key id, as moto does.
DEMO_ACCOUNTS = ("123456789012", "210987654321", "314159265358", "271828182845")


def demo_credentials(settings: Settings, account: Account) -> Resolved:
    """The simulator's credentials for one of the demo's profiles: its own account."""
    from artui.aws.credentials import Resolved

    names = [a.profile for a in settings.accounts()]
    index = names.index(account.profile) if account.profile in names else 0
    key = DEMO_ACCOUNTS[index % len(DEMO_ACCOUNTS)]
    return Resolved(key, "demo-secret", None, key, None, "demo")


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
    settings: Settings,
    account: Account | None = None,
    credentials: Resolved | None = None,
    ask: Ask | None = None,
    simulator: Any = None,
) -> Backend:
    """Build clients for one of the settings' accounts (the first by default), resolving
    its region through botocore's chain when it names none.

    `credentials` were resolved already (by the prefetch); without them the chain runs once,
    on first use. The demo starts its simulator unless one is handed in (a second profile's).
    """
    account = account or settings.accounts()[0]
    started = None
    if settings.demo and simulator is None:
        simulator = started = start_demo_simulator(
            tuple(dict.fromkeys(r for a in settings.accounts() for r in a.regions))
        )
    try:
        from artui.aws.clients import Clients

        profile = account.profile
        if settings.demo:  # the demo's profiles are names for simulated accounts
            credentials, profile = demo_credentials(settings, account), None
        first_region = account.regions[0] if account.regions else None
        clients = Clients(
            profile,
            credentials=credentials,
            ask=ask,
            region=first_region,
            read_only=settings.read_only,
        )
        regions = account.regions
        if not regions:
            region = clients.default_region()
            if not region:
                raise ConfigError(NO_REGION_HELP)
            regions = (region,)
    except BaseException:
        if started is not None:
            started.stop()
        raise
    return over(clients, account.profile, regions, started)


def over(
    clients: Clients, profile: str | None, regions: tuple[str, ...], simulator: Any = None
) -> Backend:
    """A Backend whose every AWS call goes through `clients`."""
    from artui.aws.apprunner import AppRunner
    from artui.aws.identity import Accounts
    from artui.aws.logs import Logs
    from artui.aws.metrics import Metrics

    return Backend(
        profile=profile,
        regions=regions,
        clients=clients,
        apprunner=AppRunner(clients),
        logs=Logs(clients),
        metrics=Metrics(clients),
        account=Accounts(clients, regions[0]),
        simulator=simulator,
    )
