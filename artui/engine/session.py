"""The session: the one owner of the gateway and of every read artui keeps going.

It connects (in a thread: the AWS libraries and credentials are slow), seeds the list from
the prefetch, polls the services list and the fleet's metrics, and runs what each shown pane
reads (DescribeService, operations, custom domains, charts, a tail) and older pages, all
under one registry of tasks keyed by what they read. It reports through
the store and two callbacks, and never imports Textual: the app hands it a way to run tasks.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from artui.domain.apprunner import Identity, LogEvent, LogSource, Service
from artui.domain.errors import ArtuiError, as_artui_error
from artui.domain.series import Range
from artui.engine import activity, configuration, custom_domains, metrics, services, tail
from artui.engine.journal import Failure
from artui.engine.ports import Ask, Connector, Gateway
from artui.engine.refresh import Cadence, Refresher
from artui.engine.services import DETAIL, Snapshot
from artui.engine.store import Kind, Scope, Store
from artui.engine.threads import in_daemon_thread
from artui.settings import Account, Settings


class Task(Protocol):
    """A running task the session may cancel (a Textual worker, in the app)."""

    def cancel(self) -> object: ...


# What `changed` names when a profile's identity has been read (the key: the profile).
IDENTITY = "identity"
# Runs a coroutine as a task named `name`; a failure in it must be reported, never fatal.
Spawn = Callable[[Coroutine[Any, Any, None], str], Task]
# A pane's poll: the engine's refresher for its kind, and what it reads from the gateway.
_PANE_READS: dict[str, tuple[Callable[..., Refresher[Any]], Callable[[Gateway], Any]]] = {
    activity.KIND: (activity.refresher, lambda gateway: gateway.apprunner.list_operations),
    custom_domains.KIND: (
        custom_domains.refresher,
        lambda gateway: gateway.apprunner.custom_domains,
    ),
    DETAIL: (services.detail_refresher, lambda gateway: gateway.apprunner),
    configuration.KIND: (
        configuration.refresher,
        lambda gateway: gateway.apprunner.configuration,
    ),
}


@dataclass
class _Running:
    task: Task
    refresher: Refresher[Any] | None = None
    label: str = ""  # what a chart reads (its range), to tell a new request from `r`


class Session:
    """One profile's connection and its reads, for as long as the app runs."""

    def __init__(
        self,
        settings: Settings,
        connector: Connector,
        store: Store,
        *,
        spawn: Spawn,
        changed: Callable[[str, str], None],
        failures: Callable[[], None],
        listed: Callable[[], None],
        clock: Callable[[], float] = time.time,
        account: Account | None = None,
        prefetched: bool = True,
    ) -> None:
        """`changed(kind, key)`: the store holds something new for a shown screen;
        `failures()`: the journal may hold new failures; `listed()`: the list's state moved.
        `account`: the profile and regions read (the settings' first); `prefetched`: the
        connector's prefetch is this account's."""
        self.settings = settings
        self.account = account or settings.accounts()[0]
        self.profile = self.account.profile
        self.store = store
        self.clock = clock
        self.gateway: Gateway | None = None
        # The regions named are known before connecting: a failure is shown against them.
        self.scopes: tuple[Scope, ...] = tuple(Scope(self.profile, r) for r in self.account.regions)
        # Who the profile acts as, read once after connecting (None until then, or refused).
        self.identity: Identity | None = None
        self._prefetched = prefetched
        self._identity_asked = False
        self._fleet_task: Task | None = None
        self.services: Refresher[tuple[Service, ...]] | None = None
        self.fleet: Refresher[dict[str, metrics.FleetSeries]] | None = None
        self.connect_error: str | None = None
        self._connector = connector
        self._spawn = spawn
        self._changed = changed
        self._failures = failures
        self._listed = listed
        self._polling = False
        self._fleet_polling = False
        # Guards the hand-over of a gateway built in a thread against the app quitting.
        self._gateway_lock = threading.Lock()
        self._quitting = False
        # Set once connecting has ended, well or badly: requests made earlier wait on it.
        self._connect_done = asyncio.Event()
        # Every read kept going for a pane, by key ("operations <arn>", "chart <arn>", ...).
        self._running: dict[str, _Running] = {}

    # -- state -------------------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot | None:
        """The services list as last known, or None before any region is known."""
        if not self.scopes:
            return None
        return services.snapshot(self.store, self.scopes, polling=self._polling)

    @property
    def polling(self) -> bool:
        """True while the services list is being read."""
        return self._polling

    def scope_of(self, service: Service) -> Scope:
        """The scope a service was listed in."""
        return Scope(self.profile, service.region)

    async def connected(self) -> Gateway | None:
        """The gateway once connecting has ended; None (see `connect_error`) if it failed."""
        await self._connect_done.wait()
        return self.gateway

    def watched(self, kind: str) -> set[str]:
        """The service ARNs whose `kind` (operations, custom domains, charts) is read now."""
        prefix = f"{kind} "
        return {key[len(prefix) :] for key in self._running if key.startswith(prefix)}

    # -- the list ----------------------------------------------------------------------

    async def run(self, ask: Ask) -> None:
        """Show the prefetched list, connect in a thread, then poll until cancelled."""
        first = await in_daemon_thread(self._connector.first, ask) if self._prefetched else None
        if first is not None:
            self.scopes = tuple(Scope(self.profile, r) for r in first.regions)
            # The child's wall clock, turned into this session's clock (tests may fix it).
            age = max(0.0, time.time() - first.fetched_at)
            services.seed(self.store, self.scopes, first.services, self.clock() - age)
            self._services_polled(False)
        await self._connect_and_poll(ask)

    async def _connect_and_poll(self, ask: Ask) -> None:
        try:
            gateway = await in_daemon_thread(self._connect, ask)
        except Exception as exc:  # never a traceback: say what failed
            self._failed_to_connect(as_artui_error(exc, "connecting"))
            return
        finally:
            self._connect_done.set()
        if gateway is None:
            return
        # Everything imported and built so far (botocore's models, Textual) lives as long as
        # the app: keep it out of the collector's full passes, which held the event loop for
        # 90-140 ms at 500 services (bench/stall.py --gc-freeze).
        gc.freeze()
        self.scopes = tuple(Scope(self.profile, r) for r in gateway.regions)
        self._ask_identity()
        self.services = services.refresher(
            gateway.apprunner.list_services,
            self.scopes,
            self.store,
            Cadence(interval=self.settings.refresh),
            operations=gateway.apprunner,
            clock=self.clock,
            on_update=self._services_polled,
        )
        self._watch_fleet(gateway)
        await self.services.run()

    def _failed_to_connect(self, error: ArtuiError) -> None:
        """Say why connecting failed, against each region named, and how to put it right."""
        message = str(error)
        self.connect_error = message
        where = f"profile {self.profile}: " if len(self.settings.accounts()) > 1 else ""
        self.store.journal.add(
            Failure(self.clock(), "", "connect", f"{where}{message}", "r tries again")
        )
        for scope in self.scopes:
            self.store.fail(services.KIND, scope, ArtuiError(message), self.clock())
        self._listed()
        self._failures()

    def reconnect(self, ask: Ask) -> bool:
        """`r` after connecting failed (an SSO login since, say): try again; False if there
        was nothing to retry."""
        if self.connect_error is None or not self._connect_done.is_set():
            return False
        self.connect_error = None
        self._connect_done = asyncio.Event()
        self._spawn(self._connect_and_poll(ask), f"reconnect {self.profile}")
        return True

    def _ask_identity(self) -> None:
        """Read who the profile acts as, unless known or being read: after connecting, and
        after a list poll while it is still unknown (its credentials were fixed since)."""
        if self.gateway is None or self.identity is not None or self._identity_asked:
            return
        self._identity_asked = True
        self._spawn(self._read_identity(self.gateway), f"identity {self.profile}")

    async def _read_identity(self, gateway: Gateway) -> None:
        """Who the profile acts as, once: the header and every confirmation name it."""
        try:
            self.identity = await gateway.account.identity()
        except Exception as exc:  # the list carries on without it; `e` says why
            error = as_artui_error(exc, "GetCallerIdentity")
            self.store.journal.add(
                Failure(self.clock(), "", "GetCallerIdentity", str(error), "account not shown")
            )
            self._failures()
            return
        finally:
            self._identity_asked = False
        # Not `listed`: a snapshot taken now could catch the list halfway through a poll.
        self._changed(IDENTITY, self.profile or "")

    def _connect(self, ask: Ask) -> Gateway | None:
        """Build the gateway (in a thread); if the app quit meanwhile, tear it down here."""
        gateway = self._connector.connect(ask, self.account)
        with self._gateway_lock:
            if not self._quitting:
                self.gateway = gateway
                return gateway
        asyncio.run(gateway.close())
        return None

    def _watch_fleet(self, gateway: Gateway) -> None:
        """Read the list's metrics on their own interval, for as long as the app runs."""

        def listed(scope: Scope) -> tuple[Service, ...]:
            return self.store.get(services.KIND, scope).value or ()

        def polled(polling: bool) -> None:
            self._fleet_polling = polling
            if not polling:
                self._changed(metrics.FLEET_KIND, "")
                self._failures()
                self._meter_new_services()  # listed while this read was under way

        self.fleet = metrics.fleet_refresher(
            gateway.metrics,
            self.scopes,
            self.store,
            listed,
            self.settings.metrics_refresh,
            clock=self.clock,
            on_update=polled,
        )
        self._fleet_task = self._spawn(self.fleet.run(), "fleet-metrics")

    def _services_polled(self, polling: bool) -> None:
        self._polling = polling
        self._listed()
        if not polling:
            self._failures()
            self._meter_new_services()
            if any(self.store.get(services.KIND, scope).error is None for scope in self.scopes):
                self._ask_identity()

    def _meter_new_services(self) -> None:
        """A service the list has not read metrics for yet gets them now, not a minute on."""
        if self.fleet is None or self._fleet_polling:
            return
        for scope in self.scopes:
            held = self.store.get(metrics.FLEET_KIND, scope)
            if held.fetched_at is None:
                continue  # the first read is under way
            listed = self.store.get(services.KIND, scope).value or ()
            if any(s.arn not in (held.value or {}) and metrics.metered(s) for s in listed):
                self.fleet.refresh_now()
                return

    def refresh_now(self) -> None:
        """`r` on the list: read the services and the sparklines' newest minutes now."""
        if self.services is not None:
            self.services.refresh_now()
        if self.fleet is not None:
            self.fleet.refresh_now()

    def hurry(self, arn: str | None = None) -> None:
        """Poll the list (and what a service's panes poll) now: something has changed."""
        if self.services is not None:
            self.services.refresh_now()
        for kind in _PANE_READS:
            running = self._running.get(f"{kind} {arn}")
            if running is not None and running.refresher is not None:
                running.refresher.refresh_now()

    # -- a service's reads -------------------------------------------------------------

    def _not_connected(self, kind: Kind[Any], scope: Scope, key: str) -> None:
        """Record that `kind` cannot be read without a connection, and say so."""
        error = ArtuiError(self.connect_error or "not connected")
        self.store.fail(kind, scope, error, self.clock(), key)
        self._changed(kind, key)

    def _start(self, key: str, read: Coroutine[Any, Any, None], label: str = "") -> None:
        self._running[key] = _Running(self._spawn(read, key), label=label)

    def _stop(self, key: str) -> None:
        running = self._running.pop(key, None)
        if running is not None:
            running.task.cancel()

    async def _refresh_while_running(self, key: str, refresher: Refresher[Any]) -> None:
        running = self._running.get(key)
        if running is not None:
            running.refresher = refresher
        await refresher.run()

    def watch(self, kind: Kind[Any], service: Service, on: bool) -> None:
        """Start (or stop) a pane's poll of `kind` (DETAIL, operations, custom domains) for
        `service`; `r` hurries a running one."""
        key = f"{kind} {service.arn}"
        if not on:
            self._stop(key)
        elif key in self._running:
            self.hurry(service.arn)
        else:
            self._start(key, self._poll_pane(kind, service, key))

    async def _poll_pane(self, kind: Kind[Any], service: Service, key: str) -> None:
        gateway = await self.connected()
        scope = self.scope_of(service)
        if gateway is None:
            self._not_connected(kind, scope, service.arn)
            return

        def polled(polling: bool) -> None:
            if not polling:
                self._changed(kind, service.arn)
                self._failures()

        make, read = _PANE_READS[kind]
        refresher = make(
            read(gateway),
            scope,
            service.arn,
            self.store,
            self.settings.refresh,
            clock=self.clock,
            on_update=polled,
        )
        await self._refresh_while_running(key, refresher)

    def watch_charts(self, service: Service, rng: Range | None) -> None:
        """Read a service's charts over `rng` while a metrics pane shows them (None stops);
        the same range again reads now (`r` in the pane)."""
        key = f"{metrics.CHART_KIND} {service.arn}"
        running = self._running.get(key)
        if running is not None and rng is not None and running.label == rng.label:
            if running.refresher is not None:
                running.refresher.refresh_now()
            return
        self._stop(key)
        if rng is not None:
            self._start(key, self._read_charts(service, rng, key), label=rng.label)

    async def _read_charts(self, service: Service, rng: Range, key: str) -> None:
        gateway = await self.connected()
        scope = self.scope_of(service)
        chart = metrics.chart_key(service, rng)
        if gateway is None:
            self._not_connected(metrics.CHART_KIND, scope, chart)
            return

        def polled(polling: bool) -> None:
            if not polling:
                self._changed(metrics.CHART_KIND, chart)
                self._failures()

        refresher = metrics.chart_refresher(
            gateway.metrics,
            service,
            rng,
            scope,
            self.store,
            self.settings.metrics_refresh,
            clock=self.clock,
            on_update=polled,
        )
        await self._refresh_while_running(key, refresher)

    def tail(
        self,
        owner: int,
        service: Service,
        source: LogSource | None,
        since_ms: int,
        on_lines: Callable[[list[LogEvent]], None],
        on_state: Callable[[str], None],
    ) -> None:
        """Start the tail `owner` (a logs pane) asked for, replacing its last; None stops it.
        `on_state(key)`: the tail's state in the store moved."""
        key = f"{tail.KIND} {owner}"
        self._stop(key)  # a Live Tail session closes as its task ends
        if source is not None:
            self._start(key, self._tail(service, source, since_ms, on_lines, on_state))

    async def _tail(
        self,
        service: Service,
        source: LogSource,
        since_ms: int,
        on_lines: Callable[[list[LogEvent]], None],
        on_state: Callable[[str], None],
    ) -> None:
        gateway = await self.connected()
        scope = self.scope_of(service)
        key = tail.tail_key(service, source)
        if gateway is None:
            error = ArtuiError(self.connect_error or "not connected")
            self.store.fail(tail.KIND, scope, error, self.clock(), key)
            on_state(key)
            return

        def changed() -> None:
            on_state(key)
            self._failures()

        await tail.Tail(
            gateway.logs,
            service,
            source,
            scope,
            self.store,
            start_ms=since_ms,
            limit=self.settings.max_lines,
            on_lines=on_lines,
            on_state=changed,
            clock=self.clock,
        ).run()

    async def older_operations(self, service: Service) -> None:
        """Page in the next older operations of `service` (ArtuiError if AWS refuses)."""
        scope = self.scope_of(service)
        held = self.store.get(activity.KIND, scope, service.arn).value
        if self.gateway is None or held is None or held.next_token is None:
            return
        try:
            page = await self.gateway.apprunner.list_operations(
                service.region, service.arn, held.next_token
            )
        except Exception as exc:
            self._changed(activity.KIND, service.arn)
            raise as_artui_error(exc, f"ListOperations {service.arn}") from exc
        # Merged with what is held now: a poll may have landed during the call.
        now_held = self.store.get(activity.KIND, scope, service.arn).value or held
        self.store.put(
            activity.KIND, scope, activity.extend(now_held, page), self.clock(), service.arn
        )
        self._changed(activity.KIND, service.arn)

    async def older_logs(
        self, service: Service, source: LogSource, before_ms: int, span_s: float, limit: int
    ) -> list[LogEvent]:
        """Lines of `source` before `before_ms` (ArtuiError if they cannot be read)."""
        try:
            if self.gateway is None:
                raise ArtuiError(self.connect_error or "not connected")
            return await tail.older(
                self.gateway.logs, service, source, before_ms, span_s, min(limit, tail.OLDER_LINES)
            )
        except Exception as exc:
            raise as_artui_error(exc, f"FilterLogEvents {service.name}") from exc

    # -- the end -----------------------------------------------------------------------

    def abort(self) -> None:
        """The app is quitting: stop whatever connecting is waiting for."""
        self._connector.abort()

    def stop(self) -> None:
        """Stop every read this session keeps going (its profile leaves the list)."""
        if self._fleet_task is not None:
            self._fleet_task.cancel()
        for key in list(self._running):
            self._stop(key)

    async def close(self) -> None:
        """The app is quitting: stop connecting, and close the gateway if there is one."""
        self.abort()
        with self._gateway_lock:
            self._quitting = True
            gateway = self.gateway
        if gateway is not None:
            await gateway.close()
