"""The simulator's accounts: each its own App Runner state, seeded with the demo fleet.

A request's account is named by its access key id (`ids.account_for`, read from the SigV4
Authorization header by `proxy.caller_account`): a key of exactly 12 digits is that account,
any other key (or none) the default account, 123456789012. Every App Runner resource belongs
to one account (`AppRunnerBackend` per account): a caller sees only its own, and the ARNs it
is given carry its account. moto keeps its stores per account too; the proxy names the
caller's account to moto (moto 5.2 maps keys it did not issue to its default account).

Seeding: the default account is seeded when the simulator is made, exactly as it always
was; any other account when it first appears in a request, with the same demo fleet (the
same names, roles and story; its own ids, ARNs and draws), as of the simulator's start: it
looks as if it had been there all along, and is the same fleet whenever it first calls.
The moto side of a fleet (its ECR repositories, and the default account's IAM alias,
`DEMO_ALIAS`) is written in this process once moto runs. A second account has no alias:
ListAccountAliases answers it an empty list, as AWS does for most accounts.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

from artui.sim import ecr
from artui.sim.apprunner.api import AppRunnerBackend
from artui.sim.apprunner.ids import DEFAULT_ACCOUNT
from artui.sim.clock import SimClock
from artui.sim.seed import seed_region

# The default account's IAM account alias (CreateAccountAlias), so the demo has one to show.
DEMO_ALIAS = "demo"


@dataclass(frozen=True)
class Fleet:
    """What every account is seeded with: the same demo in each."""

    regions: tuple[str, ...]
    services: int
    seed: int
    # The simulator's start (simulated time): every fleet is seeded as of then.
    epoch: float
    # A deployment under way at the start (the demo world's).
    in_flight: bool
    speedup: float
    quota: int
    # Mixed into every id drawn (`ids.IdRandom`): fresh at each start, or pinned.
    ids_seed: int | None = None


class Accounts:
    """Every account's App Runner backend, made and seeded when the account first appears."""

    def __init__(self, clock: SimClock, fleet: Fleet) -> None:
        self.clock = clock
        self.fleet = fleet
        self._backends: dict[str, AppRunnerBackend] = {}
        # Planned ECR repositories by account (the default account's first).
        self.repositories: dict[str, list[ecr.SeededRepository]] = {}
        self._unwritten: list[str] = []  # accounts whose moto side waits for moto
        self._moto = False
        self._lock = threading.Lock()
        self.get(DEFAULT_ACCOUNT)

    @property
    def default(self) -> AppRunnerBackend:
        """The default account's backend."""
        return self._backends[DEFAULT_ACCOUNT]

    def get(self, account: str) -> AppRunnerBackend:
        """`account`'s backend, seeded with the demo fleet (and its moto side, once moto
        runs) the first time it is asked for."""
        backend = self._backends.get(account)
        if backend is not None:
            return backend
        with self._lock:
            backend = self._backends.get(account)
            if backend is None:
                backend = self._seed(account)
                if self._moto:
                    self._write_moto(account)
                else:
                    self._unwritten.append(account)
                self._backends[account] = backend
            return backend

    def backends(self) -> list[AppRunnerBackend]:
        """Every account's backend, the default account's first."""
        with self._lock:
            return list(self._backends.values())

    def open_moto(self) -> None:
        """moto runs: write the moto side of every account seeded so far, and of every
        account seeded from now on as it is."""
        with self._lock:
            self._moto = True
            for account in self._unwritten:
                self._write_moto(account)
            self._unwritten.clear()

    def _seed(self, account: str) -> AppRunnerBackend:
        fleet = self.fleet
        backend = AppRunnerBackend(
            self.clock,
            fleet.seed,
            fleet.speedup,
            quota=fleet.quota,
            account=account,
            started=fleet.epoch,
            ids_seed=fleet.ids_seed,
        )
        planned: list[ecr.SeededRepository] = []
        for region in fleet.regions:
            table = backend.region(region)
            seeded = seed_region(
                region,
                fleet.services,
                fleet.seed,
                fleet.epoch,
                autoscaling=backend.default_autoscaling(region),
                configs=backend.region_configs(region),
                connections=backend.region_connections(region),
                in_flight=fleet.in_flight,
                speedup=fleet.speedup,
                account=account,
                ids_seed=fleet.ids_seed,
            )
            for service in seeded:
                table[service.arn] = service
            planned += ecr.plan(seeded, fleet.seed)
        self.repositories[account] = planned
        return backend

    def _write_moto(self, account: str) -> None:
        ecr.store(self.repositories[account])
        if account == DEFAULT_ACCOUNT:
            moto_iam()[account]["aws"].create_account_alias(DEMO_ALIAS)


@functools.cache
def moto_iam() -> Any:
    """moto's IAM backends (by account, then partition), loaded when first needed."""
    from moto.iam.models import iam_backends

    return iam_backends
