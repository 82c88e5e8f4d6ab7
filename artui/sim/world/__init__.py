"""The demo world: writes logs into moto the way App Runner would.

For every service of every account in every region (into that account's log store; an
account that appears later, `artui.sim.accounts`, has its history backfilled on the next
tick):

- `/aws/apprunner/<name>/<id>/application`, streams `instance/<instance-id>`: request lines,
  JSON lines, warnings and errors, a few per second per running service;
- `/aws/apprunner/<name>/<id>/service`, stream `events`: lifecycle lines as operations start
  and end; stream `deployment/<operation id without dashes>` (as in the guide's example)
  for each CREATE_SERVICE, START_DEPLOYMENT and UPDATE_SERVICE, spread over its duration;

Metrics are not written anywhere: the simulator computes `AWS/AppRunner` metrics on demand
from the traffic model in `metrics` (`artui.sim.cloudwatch` answers CloudWatch for that
namespace). The log lines follow the same model: the same instance ids (new ones after each
successful deployment, update or resume), rates and incident.

The first demo service is the incident: its 5xx responses climb over the hour before the
simulator started, and stay high. Log timestamps are the simulator's clock (the wall clock
in the demo), and the simulator judges them by that clock, as it judges PutLogEvents. An
operation's lines carry the times it happened at (its StartedAt and EndedAt, a deployment
line its share of the way between), however late a tick sees them: a fast clock, or one
moved by `POST /_sim/clock`, may pass a whole deployment between two ticks.

What the lines say is in `logs`; this module keeps track of services and writes the lines
on a timer.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from artui.sim import logstore
from artui.sim.apprunner.operations import Operation
from artui.sim.apprunner.services import ServiceRecord
from artui.sim.world.logs import (
    app_line,
    application_group,
    deployment_stream,
    op_events,
    service_group,
)
from artui.sim.world.metrics import (
    SERVICE_METRICS,
    Profile,
    TrafficModel,
    ever_served,
    service_profile,
)

if TYPE_CHECKING:
    from artui.sim.accounts import Accounts

__all__ = [
    "SERVICE_METRICS",
    "DemoWorld",
    "TrafficModel",
    "application_group",
    "deployment_stream",
    "service_group",
]

log = logging.getLogger(__name__)

TICK_SECONDS = 1.5
LINES_PER_SECOND = 2.0  # per running service


@dataclass
class Tracked:
    """What the writer knows of one service."""

    service: ServiceRecord
    rng: random.Random
    instances: list[str]
    profile: Profile
    model: TrafficModel
    announced: set[str] = field(default_factory=set)  # op ids whose start was logged
    finished: set[str] = field(default_factory=set)  # op ids whose end was logged
    deploy_lines: dict[str, int] = field(default_factory=dict)  # op id -> lines written
    streams: set[str] = field(default_factory=set)  # "group:stream" (or "group:") created

    @property
    def latency_ms(self) -> float:
        """The service's typical latency."""
        return self.profile.latency_ms

    @property
    def troubled(self) -> bool:
        """Whether this is the incident's service."""
        return self.profile.troubled

    def error_fraction(self, t: float) -> float:
        """The troubled service's 5xx share at `t`, as its metrics have it."""
        return self.model.error_fraction(t)


class DemoWorld:
    """Background writer of demo logs into moto, following the traffic model."""

    def __init__(
        self,
        accounts: Accounts,
        seed: int = 7,
        model: TrafficModel | None = None,
    ) -> None:
        self.accounts = accounts
        self.clock = accounts.clock
        self.seed = seed
        self.model = model or TrafficModel(seed, self.clock.now())
        self.tracked: dict[str, Tracked] = {}
        # Accounts whose history is written (the rest are backfilled on the next tick).
        self.backfilled: set[str] = set()
        # (account, region, group, stream) -> events to store
        self._pending: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
        self.ready = asyncio.Event()

    async def run(self) -> None:
        """Backfill the logs, then write forever; errors are logged, never raised."""
        try:
            await self._backfill()
        except Exception:
            log.exception("demo world backfill failed")
        self.ready.set()
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                await self._tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("demo world tick failed")

    # -- bookkeeping -------------------------------------------------------------

    def _snapshot(
        self, accounts: set[str] | None = None
    ) -> list[tuple[str, ServiceRecord, str, list[Operation]]]:
        """(region, service, status, operations oldest first) of every account's services
        (or of `accounts`'), each account's read under its backend's lock."""
        out = []
        for backend in self.accounts.backends():
            if accounts is not None and backend.account not in accounts:
                continue
            with backend.lock:
                now = self.clock.now()
                for region, table in backend.regions.items():
                    for service in table.values():
                        status = service.true_status(now)
                        ops = list(reversed(service.operations))
                        out.append((region, service, status, ops))
        return out

    def _track(self, service: ServiceRecord) -> Tracked:
        tracked = self.tracked.get(service.arn)
        if tracked is None:
            profile, rng = service_profile(self.seed, service)
            tracked = Tracked(
                service=service,
                rng=rng,
                instances=list(profile.instances),
                profile=self.model.profile(service),
                model=self.model,
            )
            self.tracked[service.arn] = tracked
        return tracked

    def _ensure_log(
        self, region: str, tracked: Tracked, group: str, stream: str | None = None
    ) -> None:
        """Create `group` (and `stream` in it, if given) once; moto may already have them.
        In this process, as the lines are stored: the backfill's hundreds of groups and
        streams made over HTTP took the demo's first seconds, its logs empty until then."""
        key = f"{group}:{stream or ''}"
        if key in tracked.streams:
            return
        logstore.ensure_log(tracked.service.account, region, group, stream)
        tracked.streams.add(key)

    def _emit(
        self, tracked: Tracked, region: str, group: str, stream: str, ts_ms: float, message: str
    ) -> None:
        self._pending.setdefault((tracked.service.account, region, group, stream), []).append(
            {"timestamp": int(ts_ms), "message": message}
        )

    async def _flush(self, tracked_by_group: dict[str, Tracked]) -> None:
        """Everything queued, stream by stream, judged by the simulator's clock as the
        simulator's own PutLogEvents judges it (events past the 14 days are dropped)."""
        pending, self._pending = self._pending, {}
        now = self.clock.now()
        for (account, region, group, stream), events in pending.items():
            events.sort(key=lambda e: e["timestamp"])
            self._ensure_log(region, tracked_by_group[group], group, stream)
            logstore.store(account, region, group, stream, events, now)

    # -- writing -----------------------------------------------------------------

    async def _backfill(self) -> None:
        """The history of every account not backfilled yet: its operations' lines at their
        own times, and the last minutes of application lines."""
        fresh = {b.account for b in self.accounts.backends()} - self.backfilled
        if not fresh:
            return
        self.backfilled |= fresh
        sim_now = self.clock.now()
        groups: dict[str, Tracked] = {}
        for region, service, status, ops in self._snapshot(fresh):
            if status == "DELETED":
                continue
            tracked = self._track(service)
            groups[service_group(service)] = tracked
            groups[application_group(service)] = tracked
            self._ensure_log(region, tracked, service_group(service), "events")
            if ever_served(ops):
                self._ensure_log(region, tracked, application_group(service))
            for op in ops:
                self._op_events(region, tracked, op, sim_now)
            tracked.instances = self.model.instances_at(service, ops, sim_now)
            if status in ("RUNNING", "OPERATION_IN_PROGRESS"):
                for i in range(40):
                    ts = sim_now - 300 + i * 7.5
                    self._app_line(region, tracked, ts)
        await self._flush(groups)

    async def _tick(self) -> None:
        await self._backfill()  # accounts that appeared since the last tick
        sim_now = self.clock.now()
        groups: dict[str, Tracked] = {}
        for region, service, status, ops in self._snapshot(self.backfilled):
            if service.arn not in self.tracked and status == "DELETED":
                continue
            tracked = self._track(service)
            groups[service_group(service)] = tracked
            groups[application_group(service)] = tracked
            for op in ops:
                self._op_events(region, tracked, op, sim_now)
            tracked.instances = self.model.instances_at(service, ops, sim_now)
            serving = status == "RUNNING" or (
                status == "OPERATION_IN_PROGRESS"
                and ops
                and ops[-1].type in ("START_DEPLOYMENT", "UPDATE_SERVICE", "PAUSE_SERVICE")
            )
            if not serving:
                continue
            count = _poisson(tracked.rng, LINES_PER_SECOND * TICK_SECONDS)
            for i in range(count):
                self._app_line(
                    region, tracked, sim_now - TICK_SECONDS + i * TICK_SECONDS / max(count, 1)
                )
        await self._flush(groups)

    def _op_events(self, region: str, tracked: Tracked, op: Operation, sim_now: float) -> None:
        """Queue an operation's start, its deployment lines so far, and its end."""
        group = service_group(tracked.service)
        for stream, ts_ms, line in op_events(tracked, op, sim_now):
            self._emit(tracked, region, group, stream, ts_ms, line)

    def _app_line(self, region: str, tracked: Tracked, ts: float) -> None:
        stream, line = app_line(tracked, ts)
        self._emit(tracked, region, application_group(tracked.service), stream, ts * 1000, line)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method; mean is small (a few lines per tick).
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
