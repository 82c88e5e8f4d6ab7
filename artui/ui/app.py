"""The Textual app: screens, the keymap, help, toasts and mounting.

Every intent is handed on: reads to the session (`artui.engine.session`), changes to the
one change flow (`artui.ui.flows`). The first frame paints before any AWS library is
imported: the session connects in a thread after it. Screens and panes render from the
store, read through the typed view context (`artui.ui.context`).

Only what the first frame needs is imported with this module (the services list and the
session); the service view, the dialogs, help, the errors list and the change flow are
imported when first used (`bench/startup.py` measures the first frame).
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from textual import work
from textual.actions import ActionParseResult
from textual.binding import Binding
from textual.dom import DOMNode
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

from artui.boot.terminal import exit_status
from artui.domain.errors import ArtuiError, describe
from artui.domain.format import use_timezone
from artui.engine import tail
from artui.engine.actions import Actions
from artui.engine.fleet import Fleet
from artui.engine.journal import Failure
from artui.engine.store import Store
from artui.logfile import logger, setup
from artui.ui.keymap import keymap_of
from artui.ui.messages import (
    LogLines,
    OlderLogsRequested,
    OlderOperationsRequested,
    RefreshRequested,
    ServicesChanged,
    StoreChanged,
    TailRequested,
    Watch,
    WatchMetrics,
)
from artui.ui.palette import PALETTE_BINDING, PROVIDERS
from artui.ui.screens.base import StatusScreen
from artui.ui.screens.services import ServicesScreen
from artui.ui.themes import theme_for
from artui.ui.toasts import ToastingApp

if TYPE_CHECKING:
    from artui.domain.apprunner import Service
    from artui.domain.changes import Change
    from artui.engine.ports import Connector
    from artui.engine.services import Snapshot
    from artui.engine.store import Scope
    from artui.settings import Settings
    from artui.ui.context import ViewContext
    from artui.ui.flows import ChangeFlow


class ArtuiApp(ToastingApp):
    """artui: App Runner services, one keyboard away."""

    CSS_PATH = "app.tcss"
    TITLE = "artui"
    # ctrl+p: artui's commands (artui.ui.palette), not Textual's system commands.
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = PROVIDERS
    BINDINGS = [
        PALETTE_BINDING,
        # Quits from anywhere, a dialog or a field included: priority, over Textual's own
        # ctrl+c (copy in an Input, "press ctrl+q" elsewhere). Status 130, as for SIGINT.
        Binding("ctrl+c", "quit_130", "Quit", show=False, priority=True, id="quit_130"),
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
        use_timezone(settings.timezone)  # every time on screen, in one zone
        self.clock = clock
        self.store = Store()
        self.services_screen = ServicesScreen()
        self.session = Fleet(
            settings,
            connector,
            self.store,
            spawn=lambda read, name: self.run_worker(read, group=name, exit_on_error=False),
            changed=lambda kind, key: self.publish(StoreChanged(kind, key)),
            failures=self._tell_new_failures,
            listed=self._listed,
            clock=clock,
        )
        self._questions: set[concurrent.futures.Future[str | None]] = set()
        self.log_path = setup()
        # The latest bug caught while drawing or in a worker, for every status line.
        self.internal: Failure | None = None
        self._told = 0  # journal entries already considered for a notification
        self.actions = Actions(read_only=settings.read_only, clock=clock)
        # `keys:` and `theme:` (checked before the app was built: artui.launch).
        self.set_keymap(keymap_of(settings))
        if (theme := theme_for(settings)) is not None:
            self.theme = theme

    @cached_property
    def flow(self) -> ChangeFlow:
        """The change flow, made at the first change asked for (it imports every dialog)."""
        from artui.ui.flows import ChangeFlow

        return ChangeFlow(self)

    # -- state: the session's, read by screens and panes ---------------------------------

    @property
    def scopes(self) -> tuple[Scope, ...]:
        """The (profile, region) pairs the list covers."""
        return self.session.scopes

    @property
    def snapshot(self) -> Snapshot | None:
        """The services list as last known, or None before any region is known."""
        return self.session.snapshot

    def scope_of(self, service: Service) -> Scope:
        """The scope a service was listed in."""
        return self.session.scope_of(service)

    def publish(self, message: Message) -> None:
        """Hand an answer to the screen on show; the others catch up from the store."""
        if self.is_running:  # shutting down: the screens are being taken apart
            self.screen.post_message(message)

    def _listed(self) -> None:
        error = self.session.connect_error
        if error is not None:
            self.services_screen.show_error(error)
        elif (snapshot := self.session.snapshot) is not None:
            self.publish(ServicesChanged(snapshot))

    # -- start-up ----------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(self.services_screen)
        # Once the first frame is on screen: the prefetched answer, and the thread that
        # then connects (importing the AWS libraries), would take the GIL from its paint.
        self.call_after_refresh(self._start_session)
        if not self.is_headless and _stdin_is_a_tty():
            self.set_interval(2, self._exit_if_terminal_gone)

    def _start_session(self) -> None:
        self.run_worker(self.session.run(self.ask), group="backend", exit_on_error=False)

    def _exit_if_terminal_gone(self) -> None:
        # A dropped SSH session or a closed tmux pane does not always deliver SIGHUP (e.g.
        # when `make demo` is the pane's process): Textual's input thread then spins on the
        # dead terminal, and a graceful exit hangs on its writer. A hung-up tty fails
        # tcgetattr, so isatty turns False: end the way SIGHUP would have.
        if not _stdin_is_a_tty():
            self.session.abort()
            signal.signal(signal.SIGHUP, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGHUP)

    def ask(self, question: str) -> str | None:
        """Ask the operator from a worker thread (an MFA code); None if declined or quitting."""
        from artui.ui.screens.prompt import PromptScreen

        answer: concurrent.futures.Future[str | None] = concurrent.futures.Future()
        self._questions.add(answer)
        try:
            self.call_from_thread(self.push_screen, PromptScreen(question), answer.set_result)
            return answer.result()
        except Exception:  # the app is gone or going
            return None
        finally:
            self._questions.discard(answer)

    # -- intents: each handed to the session or the change flow ----------------------------

    def open_service(self, service: Service, pane: str | None = None) -> None:
        """Push the service's view at once, within the key's own handling: a key typed ahead
        (`enter l` in one read) is handled by the view, not by the list again."""
        from artui.ui.screens.service import ServiceScreen

        self.push_screen(ServiceScreen(service) if pane is None else ServiceScreen(service, pane))

    def on_refresh_requested(self, message: RefreshRequested) -> None:
        self.session.refresh_now()

    def request_change(self, service: Service, change: Change) -> None:
        """A change's key: the one flow refuses it, or opens its dialog at once, so that keys
        typed ahead (`d y` in one read) answer that dialog and never open a second."""
        self.flow.request(service, change)

    def on_watch(self, message: Watch) -> None:
        self.session.watch(message.kind, message.service, message.on)

    def on_watch_metrics(self, message: WatchMetrics) -> None:
        self.session.watch_charts(message.service, message.range)

    def on_tail_requested(self, message: TailRequested) -> None:
        to, token = message.to, message.token
        self.session.tail(
            id(to),
            message.service,
            message.source,
            message.since_ms,
            on_lines=lambda events: _post(to, LogLines(token, events)),
            on_state=lambda key: _post(to, StoreChanged(tail.KIND, key)),
        )

    @work(group="older-operations", exit_on_error=False)
    async def on_older_operations_requested(self, message: OlderOperationsRequested) -> None:
        try:
            await self.session.older_operations(message.service)
        except ArtuiError as error:
            self.tell(f"Older operations: {error}", title="ListOperations failed", severity="error")

    @work(group="older-logs", exit_on_error=False)
    async def on_older_logs_requested(self, message: OlderLogsRequested) -> None:
        try:
            events = await self.session.older_logs(
                message.service, message.source, message.before_ms, message.span_s, message.limit
            )
        except ArtuiError as error:
            self.tell(f"Older lines: {error}", title="FilterLogEvents failed", severity="error")
            message.to.post_message(LogLines(message.token, [], older=True, exhausted=False))
        else:
            message.to.post_message(
                LogLines(message.token, events, older=True, exhausted=not events)
            )

    # -- errors ------------------------------------------------------------------------

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

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Every key's action, guarded as drawing is: a failure in one is journaled and
        shown, and the app carries on."""
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except Exception as exc:
            name = action if isinstance(action, str) else action[1]
            self.internal_error(f"the action {name}", exc)
            return True

    def _handle_exception(self, error: Exception) -> None:
        # Textual's last resort, which ends the app: keep the traceback in the log file (the
        # CLI prints where) before the terminal is handed back.
        logger().critical("crashed", exc_info=error)
        super()._handle_exception(error)
        # Textual would print the traceback with its locals (ARNs, account ids, secrets) on
        # the terminal: the CLI prints one line and the log's path instead.
        self._exit_renderables.clear()

    def action_errors(self) -> None:
        """`e`: every recent error in full."""
        from artui.ui.screens.errors import ErrorsScreen

        if isinstance(self.screen, ErrorsScreen):
            return
        log = str(self.log_path) if self.log_path else None
        self.push_screen(ErrorsScreen(self.store.journal, self.clock, log))

    # -- keys --------------------------------------------------------------------------

    def action_quit_130(self) -> None:
        """`ctrl+c`: leave as `q` does (the terminal given back), exit status 130."""
        self.exit(return_code=exit_status(signal.SIGINT))

    def action_help(self) -> None:
        from artui.ui.screens.help import HelpScreen, help_rows

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(help_rows(self)))

    # -- shutdown ----------------------------------------------------------------------

    async def on_unmount(self) -> None:
        self.session.abort()
        for question in list(self._questions):
            question.set_result(None)  # a worker thread waiting on the operator ends
        await self.session.close()


def _stdin_is_a_tty() -> bool:
    return sys.__stdin__ is not None and os.isatty(sys.__stdin__.fileno())


def _post(to: MessagePump, message: Message) -> None:
    to.post_message(message)


def _context(app: ArtuiApp) -> ViewContext:
    # Never called: the type checker holds ArtuiApp to the interface screens and panes use.
    return app
