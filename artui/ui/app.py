"""The Textual app: screens, the keymap, and the one place intents become workers.

The first frame paints before any AWS library is imported: the Connector (built by
`artui.launch`) does its slow work in a thread after mount. The app holds the store but
renders nothing itself; screens and panes render from the store.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import App
from textual.binding import ActiveBinding, Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.worker import Worker, WorkerState

from artui.domain import LogSource, Service
from artui.engine import activity, domains, metrics, services, tail
from artui.engine.actions import Actions
from artui.engine.journal import Failure
from artui.engine.ports import Connector, Gateway
from artui.engine.refresh import Cadence, Refresher
from artui.engine.services import DETAIL, Snapshot
from artui.engine.store import Scope, Store
from artui.engine.threads import in_daemon_thread
from artui.errors import ArtuiError, as_artui_error, describe
from artui.inert import inert
from artui.logfile import logger, setup
from artui.series import Range
from artui.settings import Settings
from artui.ui.flows import ChangeFlow
from artui.ui.messages import (
    ChangeRequested,
    DescribeRequested,
    LogLines,
    OlderLogsRequested,
    OlderOperationsRequested,
    OpenService,
    RefreshRequested,
    ServicesChanged,
    StoreChanged,
    TailRequested,
    WatchDomains,
    WatchMetrics,
    WatchOperations,
)
from artui.ui.screens.base import StatusScreen
from artui.ui.screens.errors import ErrorsScreen
from artui.ui.screens.help import HelpScreen
from artui.ui.screens.prompt import PromptScreen
from artui.ui.screens.service import ServiceScreen
from artui.ui.screens.services import ServicesScreen

# A pane's poll: the engine's refresher for its kind (`activity.refresher`, ...), which polls
# what `PaneRead` picks from the gateway (ListOperations, DescribeCustomDomains).
PaneRefresher = Callable[..., Refresher]
PaneRead = Callable[[Gateway], Callable[..., Any]]


class ArtuiApp(App[None]):
    """artui: App Runner services, one keyboard away."""

    CSS_PATH = "app.tcss"
    TITLE = "artui"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        # The status line says "(e: errors)" whenever there are some; the footer has no room.
        Binding("e", "errors", "Errors", show=False, id="errors"),
    ]

    def __init__(
        self,
        settings: Settings,
        connector: Connector,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.store = Store()
        self.scopes: tuple[Scope, ...] = ()
        self.gateway: Gateway | None = None
        self.services: Refresher | None = None
        self.services_screen = ServicesScreen()
        self._connector = connector
        self._polling = False
        # Guards the hand-over of a gateway built in a thread against the app quitting.
        self._gateway_lock = threading.Lock()
        self._quitting = False
        # Set once connecting has ended, well or badly: requests made earlier wait on it.
        self._connect_done = asyncio.Event()
        self.connect_error: str | None = None
        self._questions: set[concurrent.futures.Future[str | None]] = set()
        self.log_path = setup()
        # The latest bug caught while drawing or in a worker, for every status line.
        self.internal: Failure | None = None
        self._told = 0  # journal entries already considered for a notification
        self.actions = Actions(read_only=settings.read_only, clock=clock)
        self.flow = ChangeFlow(self)
        # Each shown pane's poll (operations, custom domains), by (kind, service ARN).
        self._polls: dict[tuple[str, str], Worker[None]] = {}
        self._pane_refreshers: dict[tuple[str, str], Refresher] = {}
        # The tail of each logs pane that is shown, by the pane's id().
        self._tails: dict[int, Worker[None]] = {}
        # The services list's metrics, and each metrics pane's charts (by service ARN).
        self.fleet: Refresher | None = None
        self._fleet_polling = False
        self._charts: dict[str, tuple[str, Worker[None]]] = {}
        self._chart_refreshers: dict[str, Refresher] = {}

    # -- state -------------------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot | None:
        """The services list as last known, or None before any region is known."""
        if not self.scopes:
            return None
        return services.snapshot(self.store, self.scopes, polling=self._polling)

    def scope_of(self, service: Service) -> Scope:
        """The scope a service was listed in."""
        profile = self.gateway.profile if self.gateway is not None else self.settings.profile
        return Scope(profile, service.region)

    def publish(self, message: Message) -> None:
        """Hand an answer to the screen on show; the others catch up from the store."""
        if self.is_running:  # shutting down: the screens are being taken apart
            self.screen.post_message(message)

    async def connected(self) -> None:
        """Wait until connecting has ended, well or badly (`gateway` None: `connect_error`)."""
        await self._connect_done.wait()

    # -- start-up ----------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(self.services_screen)
        self.start_backend()
        if not self.is_headless and os.isatty(sys.__stdin__.fileno()):
            self.set_interval(2, self._exit_if_terminal_gone)

    def _exit_if_terminal_gone(self) -> None:
        # A dropped SSH session or a closed tmux pane does not always deliver SIGHUP (e.g.
        # when `make demo` is the pane's process): Textual's input thread then spins on the
        # dead terminal, and a graceful exit hangs on its writer. A hung-up tty fails
        # tcgetattr, so isatty turns False: end the way SIGHUP would have.
        if not os.isatty(sys.__stdin__.fileno()):
            self._connector.abort()
            signal.signal(signal.SIGHUP, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGHUP)

    @work(group="backend", exclusive=True, exit_on_error=False)
    async def start_backend(self) -> None:
        """Show the prefetched list, connect in a thread, then poll."""
        first = await in_daemon_thread(self._connector.first, self.ask)
        if first is not None:
            self.scopes = tuple(Scope(self.settings.profile, r) for r in first.regions)
            # The child's wall clock, turned into this app's clock (tests may fix it).
            age = max(0.0, time.time() - first.fetched_at)
            services.seed(self.store, self.scopes, first.services, self.clock() - age)
            self._services_polled(False)
        try:
            gateway = await in_daemon_thread(self._connect)
        except Exception as exc:  # never a traceback: say what failed
            self.connect_error = str(as_artui_error(exc, "connecting"))
            self.store.journal.add(
                Failure(
                    self.clock(),
                    "",
                    "connect",
                    self.connect_error,
                    "nothing more until artui is started again with this fixed",
                )
            )
            self.services_screen.show_error(self.connect_error)
            self._tell_new_failures()
            return
        finally:
            self._connect_done.set()
        if gateway is None:
            return
        self.scopes = tuple(Scope(gateway.profile, r) for r in gateway.regions)
        self.services = services.refresher(
            gateway.list_services,
            self.scopes,
            self.store,
            Cadence(interval=self.settings.refresh),
            clock=self.clock,
            on_update=self._services_polled,
        )
        self._watch_fleet(gateway)
        await self.services.run()

    def _watch_fleet(self, gateway: Gateway) -> None:
        """Read the list's metrics on their own interval, for as long as the app runs."""

        def listed(scope: Scope) -> tuple[Service, ...]:
            return self.store.get(services.KIND, scope).value or ()

        def polled(polling: bool) -> None:
            self._fleet_polling = polling
            if not polling:
                self.publish(StoreChanged(metrics.FLEET_KIND, ""))
                self._tell_new_failures()
                self._meter_new_services()  # listed while this read was under way

        self.fleet = metrics.fleet_refresher(
            gateway,
            self.scopes,
            self.store,
            listed,
            self.settings.metrics_refresh,
            clock=self.clock,
            on_update=polled,
        )
        self.run_worker(self.fleet.run(), group="fleet-metrics", exit_on_error=False)

    def _services_polled(self, polling: bool) -> None:
        """Tell the screen on show the services list's state (a poll started or ended)."""
        self._polling = polling
        self.publish(ServicesChanged(self.snapshot))  # type: ignore[arg-type]
        if not polling:
            self._tell_new_failures()
            self._meter_new_services()

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

    def _connect(self) -> Gateway | None:
        """Build the gateway (in a thread); if the app quit meanwhile, tear it down here."""
        gateway = self._connector.connect(self.ask)
        with self._gateway_lock:
            if not self._quitting:
                self.gateway = gateway
                return gateway
        asyncio.run(gateway.close())
        return None

    def _not_connected(self, kind: str, scope: Scope, key: str) -> StoreChanged:
        """Record that `kind` cannot be read without a connection; the message saying so."""
        error = ArtuiError(self.connect_error or "not connected")
        self.store.fail(kind, scope, error, self.clock(), key)
        return StoreChanged(kind, key)

    def ask(self, question: str) -> str | None:
        """Ask the operator from a worker thread (an MFA code); None if declined or quitting."""
        answer: concurrent.futures.Future[str | None] = concurrent.futures.Future()
        self._questions.add(answer)
        try:
            self.call_from_thread(self.push_screen, PromptScreen(question), answer.set_result)
            return answer.result()
        except Exception:  # the app is gone or going
            return None
        finally:
            self._questions.discard(answer)

    # -- intents -----------------------------------------------------------------------

    def on_open_service(self, message: OpenService) -> None:
        if message.pane is None:
            self.push_screen(ServiceScreen(message.service))
        else:
            self.push_screen(ServiceScreen(message.service, message.pane))

    def on_refresh_requested(self, message: RefreshRequested) -> None:
        if self.services is not None:
            self.services.refresh_now()
        if self.fleet is not None:
            self.fleet.refresh_now()  # `r` reads the sparklines' newest minutes too

    def on_describe_requested(self, message: DescribeRequested) -> None:
        self._describe(message.service)

    @work(group="describe", exclusive=True, exit_on_error=False)
    async def _describe(self, service: Service) -> None:
        await self._connect_done.wait()  # opened from prefetched rows, before connecting ended
        scope = self.scope_of(service)
        try:
            if self.gateway is None:
                raise ArtuiError(self.connect_error or "not connected")
            detail = await self.gateway.describe_service(service.region, service.arn)
        except Exception as exc:  # an unmapped failure still reaches the screen, not the void
            error = as_artui_error(exc, f"DescribeService {service.arn}")
            first = self.store.get(DETAIL, scope, service.arn).error is None
            self.store.fail(DETAIL, scope, error, self.clock(), service.arn)
            self.store.journal.add(
                Failure(
                    self.clock(),
                    service.region,
                    f"DescribeService {service.name}",
                    str(error),
                    "r in the service view tries again; the list's data stays on screen",
                    first=first,
                )
            )
            self._tell_new_failures()
        else:
            self.store.put(DETAIL, scope, detail, self.clock(), service.arn)
        self.publish(StoreChanged(DETAIL, service.arn))

    def on_change_requested(self, message: ChangeRequested) -> None:
        """A change's key: the one flow refuses it, or confirms, sends and follows it."""
        self.flow.request(message.service, message.change)

    def hurry(self, arn: str | None = None) -> None:
        """Poll the list (and what a service's panes poll) now: something has changed."""
        if self.services is not None:
            self.services.refresh_now()
        for (_, polled), refresher in self._pane_refreshers.items():
            if polled == arn:
                refresher.refresh_now()

    def watched(self, kind: str) -> set[str]:
        """The service ARNs whose `kind` (operations, custom domains) a shown pane polls."""
        return {arn for polled, arn in self._polls if polled == kind}

    def _watch(
        self, kind: str, service: Service, on: bool, make: PaneRefresher, read: PaneRead
    ) -> None:
        """Start (or stop) a pane's poll of `kind` for `service`; `r` hurries a running one."""
        key = (kind, service.arn)
        if not on:
            worker = self._polls.pop(key, None)
            self._pane_refreshers.pop(key, None)
            if worker is not None:
                worker.cancel()
            return
        if key in self._polls:
            self.hurry(service.arn)
            return
        self._polls[key] = self.run_worker(
            self._poll_pane(kind, service, make, read),
            group=f"{kind} {service.arn}",
            exit_on_error=False,
        )

    async def _poll_pane(
        self, kind: str, service: Service, make: PaneRefresher, read: PaneRead
    ) -> None:
        """Poll one service's `kind` while its pane is shown."""
        await self._connect_done.wait()
        scope = self.scope_of(service)
        if self.gateway is None:
            self.publish(self._not_connected(kind, scope, service.arn))
            return

        def polled(polling: bool) -> None:
            if not polling:
                self.publish(StoreChanged(kind, service.arn))
                self._tell_new_failures()

        refresher = make(
            read(self.gateway),
            scope,
            service.arn,
            self.store,
            self.settings.refresh,
            clock=self.clock,
            on_update=polled,
        )
        self._pane_refreshers[(kind, service.arn)] = refresher
        await refresher.run()

    def on_watch_operations(self, message: WatchOperations) -> None:
        self._watch(
            activity.KIND,
            message.service,
            message.on,
            activity.refresher,
            lambda gateway: gateway.list_operations,
        )

    def on_watch_domains(self, message: WatchDomains) -> None:
        self._watch(
            domains.KIND,
            message.service,
            message.on,
            domains.refresher,
            lambda gateway: gateway.custom_domains,
        )

    def on_watch_metrics(self, message: WatchMetrics) -> None:
        """Read a service's charts over a range while its metrics pane shows them."""
        arn, rng = message.service.arn, message.range
        running = self._charts.get(arn)
        if running is not None and rng is not None and running[0] == rng.label:
            refresher = self._chart_refreshers.get(arn)
            if refresher is not None:
                refresher.refresh_now()  # `r` in the pane
            return
        if running is not None:
            running[1].cancel()
            del self._charts[arn]
            self._chart_refreshers.pop(arn, None)
        if rng is not None:
            worker = self.run_worker(
                self._read_charts(message.service, rng), group=f"chart {arn}", exit_on_error=False
            )
            self._charts[arn] = (rng.label, worker)

    async def _read_charts(self, service: Service, rng: Range) -> None:
        await self._connect_done.wait()
        scope = self.scope_of(service)
        key = metrics.chart_key(service, rng)
        if self.gateway is None:
            self.publish(self._not_connected(metrics.CHART_KIND, scope, key))
            return

        def polled(polling: bool) -> None:
            if not polling:
                self.publish(StoreChanged(metrics.CHART_KIND, key))
                self._tell_new_failures()

        refresher = metrics.chart_refresher(
            self.gateway,
            service,
            rng,
            scope,
            self.store,
            self.settings.metrics_refresh,
            clock=self.clock,
            on_update=polled,
        )
        self._chart_refreshers[service.arn] = refresher
        await refresher.run()

    def on_older_operations_requested(self, message: OlderOperationsRequested) -> None:
        self._older_operations(message.service)

    @work(group="older-operations", exit_on_error=False)
    async def _older_operations(self, service: Service) -> None:
        scope = self.scope_of(service)
        held = self.store.get(activity.KIND, scope, service.arn).value
        if self.gateway is None or held is None or held.next_token is None:
            return
        try:
            page = await self.gateway.list_operations(service.region, service.arn, held.next_token)
        except Exception as exc:
            error = as_artui_error(exc, f"ListOperations {service.arn}")
            self.tell(
                f"Older operations: {error}",
                title="ListOperations failed",
                severity="error",
            )
        else:
            # Merged with what is held now: a poll may have landed during the call.
            now_held = self.store.get(activity.KIND, scope, service.arn).value or held
            self.store.put(
                activity.KIND, scope, activity.extend(now_held, page), self.clock(), service.arn
            )
        self.publish(StoreChanged(activity.KIND, service.arn))

    def on_tail_requested(self, message: TailRequested) -> None:
        """Start (or stop) the tail a logs pane asked for; one per pane at a time."""
        worker = self._tails.pop(id(message.to), None)
        if worker is not None:
            worker.cancel()  # its Live Tail session closes as the worker ends
        if message.source is None:
            return
        self._tails[id(message.to)] = self.run_worker(
            self._tail(message, message.source),
            group=f"tail {id(message.to)}",
            exit_on_error=False,
        )

    async def _tail(self, request: TailRequested, source: LogSource) -> None:
        to, service, token = request.to, request.service, request.token
        await self._connect_done.wait()
        scope = self.scope_of(service)
        key = tail.tail_key(service, source)
        if self.gateway is None:
            to.post_message(self._not_connected(tail.KIND, scope, key))
            return

        def changed() -> None:
            to.post_message(StoreChanged(tail.KIND, key))
            self._tell_new_failures()

        await tail.Tail(
            self.gateway,
            service,
            source,
            scope,
            self.store,
            start_ms=request.since_ms,
            limit=self.settings.max_lines,
            on_lines=lambda events: to.post_message(LogLines(token, events)),
            on_state=changed,
            clock=self.clock,
        ).run()

    def on_older_logs_requested(self, message: OlderLogsRequested) -> None:
        self._older_logs(message)

    @work(group="older-logs", exit_on_error=False)
    async def _older_logs(self, message: OlderLogsRequested) -> None:
        service, source = message.service, message.source
        try:
            if self.gateway is None:
                raise ArtuiError(self.connect_error or "not connected")
            events = await tail.older(
                self.gateway,
                service,
                source,
                message.before_ms,
                message.span_s,
                min(message.limit, tail.OLDER_LINES),
            )
        except Exception as exc:
            error = as_artui_error(exc, f"FilterLogEvents {service.name}")
            self.tell(
                f"Older lines: {error}",
                title="FilterLogEvents failed",
                severity="error",
            )
            message.to.post_message(LogLines(message.token, [], older=True, exhausted=False))
        else:
            message.to.post_message(
                LogLines(message.token, events, older=True, exhausted=not events)
            )

    # -- errors ------------------------------------------------------------------------

    def tell(
        self,
        text: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
    ) -> None:
        """A notification whose text and title may hold AWS's words: inert, never markup."""
        self.notify(
            inert(text), title=inert(title), severity=severity, timeout=timeout, markup=False
        )

    def internal_error(self, where: str, exc: BaseException) -> None:
        """A bug met while drawing or in a worker: logged, shown, and the app carries on."""
        logger().error("internal error in %s", where, exc_info=exc)
        log = f"the traceback is in {self.log_path}" if self.log_path else "no log file"
        self.internal = Failure(
            self.clock(), "", f"artui: {where}", describe(exc), f"artui carries on; {log}"
        )
        self.store.journal.add(self.internal)
        self._tell_new_failures()
        if isinstance(self.screen, StatusScreen):
            self.screen.update_status()

    def _tell_new_failures(self) -> None:
        """A toast for each failure that starts a run of them (repeats stay in `e`)."""
        journal = self.store.journal
        fresh = [f for f in journal.since(self._told) if f.first]
        self._told = journal.added
        if not self.is_running:
            return
        for failure in fresh[-3:]:  # an outage across many regions is one glance, not a wall
            where = f"{failure.region} " if failure.region else ""
            self.tell(
                f"{where}{failure.operation}: {failure.message}",
                title="Error (e lists them)",
                severity="error",
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.internal_error(f"worker {event.worker.name}", event.worker.error)

    def _handle_exception(self, error: Exception) -> None:
        # Textual's last resort, which ends the app: keep the traceback in the log file (the
        # CLI prints where) before the terminal is handed back.
        logger().critical("crashed", exc_info=error)
        super()._handle_exception(error)

    def action_errors(self) -> None:
        """`e`: every recent error in full."""
        if isinstance(self.screen, ErrorsScreen):
            return
        log = str(self.log_path) if self.log_path else None
        self.push_screen(ErrorsScreen(self.store.journal, self.clock, log))

    # -- keys --------------------------------------------------------------------------

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        bindings = sorted(self.screen.active_bindings.values(), key=self._help_rank)
        for active in bindings:
            binding = active.binding
            # The tooltip says more than the footer's word, where a binding has one.
            description = binding.tooltip or binding.description or binding.action.replace("_", " ")
            display = self.get_key_display(binding)
            if display in seen:
                continue
            seen.add(display)
            rows.append((display, description))
        self.push_screen(HelpScreen(rows))

    def _help_rank(self, active: ActiveBinding) -> tuple[int, int]:
        """artui's own keys before Textual's built-ins; the screen's, then widget's, then app's."""
        node = active.node
        ours = any(
            cls.__module__.startswith("artui.")
            and any(
                isinstance(b, Binding)
                and (b.key, b.action) == (active.binding.key, active.binding.action)
                for b in cls.__dict__.get("BINDINGS", ())
            )
            for cls in type(node).__mro__
        )
        place = 0 if node is self.screen else 2 if node is self else 1
        return (0 if ours else 1, place)

    # -- shutdown ----------------------------------------------------------------------

    async def on_unmount(self) -> None:
        self._connector.abort()
        for question in list(self._questions):
            question.set_result(None)  # a worker thread waiting on the operator ends
        with self._gateway_lock:
            self._quitting = True
            gateway = self.gateway
        if gateway is not None:
            await gateway.close()
