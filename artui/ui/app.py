"""The Textual app: screens, the poll worker, and the hand-off to the AWS layer.

The first frame paints before any AWS library is imported: `connect` (which imports
aiobotocore and, for the demo, starts the simulator) runs in a thread after mount.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

from textual import work
from textual.app import App
from textual.binding import ActiveBinding, Binding
from textual.message_pump import MessagePump

from artui.backend import Backend, connect
from artui.domain import Service
from artui.errors import ArtuiError
from artui.poller import Poller, Snapshot
from artui.prefetch import Prefetch
from artui.settings import Settings
from artui.ui.help_screen import HelpScreen
from artui.ui.messages import BackendFailed, DescribeFailed, ServiceDescribed, ServicesUpdated
from artui.ui.service_screen import ServiceScreen
from artui.ui.services_screen import ServicesScreen

# How long the app waits for the prefetched list before connecting on its own: the child
# answers in about half a second here.
PREFETCH_WAIT = 1.0


class ArtuiApp(App[None]):
    """artui: App Runner services, one keyboard away."""

    CSS_PATH = "app.tcss"
    TITLE = "artui"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        connector: Callable[[Settings], Backend] = connect,
        clock: Callable[[], float] = time.time,
        prefetch: Prefetch | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock
        self._connector = connector
        self._prefetch = prefetch
        self.backend: Backend | None = None
        self.poller: Poller | None = None
        self.services_screen = ServicesScreen()
        # Guards the hand-over of a backend built in a thread against the app quitting.
        self._backend_lock = threading.Lock()
        self._quitting = False
        # Set once connecting has ended, well or badly: requests made earlier wait on it.
        self._connect_done = asyncio.Event()
        self._connect_error: str | None = None

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
            if self._prefetch is not None:
                self._prefetch.close()
            signal.signal(signal.SIGHUP, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGHUP)

    @work(group="backend", exclusive=True, exit_on_error=False)
    async def start_backend(self) -> None:
        """Show the prefetched list if it comes soon, connect in a thread, then poll."""
        poller = await self._take_prefetch() if self._prefetch is not None else None
        try:
            backend = await asyncio.to_thread(self._connect)
        except Exception as exc:  # never a traceback: say what failed
            error = str(exc) if isinstance(exc, ArtuiError) else f"could not start: {exc!r}"
            self._connect_error = error
            self.post_message(BackendFailed(error))
            return
        finally:
            self._connect_done.set()
        if backend is None:
            return
        if poller is None or poller.regions != backend.regions:
            poller = self._make_poller(backend.regions)
        self.poller = poller
        await poller.run(lambda snap: self.post_message(ServicesUpdated(snap)))

    async def _take_prefetch(self) -> Poller | None:
        """A poller seeded with the child's list, if it arrives within PREFETCH_WAIT."""
        assert self._prefetch is not None
        # Past the wait the child is given up (and killed): a slow child means a slow
        # network or credential source, and the app's own connect should not queue behind it.
        first = await asyncio.to_thread(self._prefetch.result, PREFETCH_WAIT)
        if first is None:
            return None
        poller = self._make_poller(first.regions)
        # The child's wall clock, turned into this app's clock (tests may fix it).
        age = max(0.0, time.time() - first.fetched_at)
        poller.seed(first.services, self.clock() - age)
        self.post_message(ServicesUpdated(poller.snapshot()))
        return poller

    def _make_poller(self, regions: tuple[str, ...]) -> Poller:
        return Poller(self._list_services, regions, self.settings.refresh, clock=self.clock)

    async def _list_services(self, region: str) -> list[Service]:
        assert self.backend is not None
        return await self.backend.apprunner.list_services(region)

    def _connect(self) -> Backend | None:
        """Build the backend (in a thread); if the app quit meanwhile, tear it down here."""
        backend = self._connector(self.settings)
        with self._backend_lock:
            if not self._quitting:
                self.backend = backend
                return backend
        if backend.simulator is not None:
            backend.simulator.stop()
        return None

    @work(group="describe", exclusive=True, exit_on_error=False)
    async def describe_service(self, service: Service, reply_to: MessagePump) -> None:
        """DescribeService for a screen; the answer comes back to it as a message."""
        await self._connect_done.wait()  # opened from prefetched rows, before connecting ended
        if self.backend is None:
            reply_to.post_message(
                DescribeFailed(service.arn, self._connect_error or "not connected")
            )
            return
        try:
            detail = await self.backend.apprunner.describe_service(service.region, service.arn)
        except ArtuiError as exc:
            reply_to.post_message(DescribeFailed(service.arn, str(exc)))
        except Exception as exc:  # an unmapped failure still reaches the screen, not the void
            reply_to.post_message(DescribeFailed(service.arn, f"{type(exc).__name__}: {exc}"))
        else:
            reply_to.post_message(ServiceDescribed(detail))

    def on_services_updated(self, message: ServicesUpdated) -> None:
        if not self.is_running:  # shutting down: the screens are being taken apart
            return
        self.services_screen.show_snapshot(message.snapshot)
        if isinstance(self.screen, ServiceScreen):
            self.screen.show_snapshot(message.snapshot)

    def on_backend_failed(self, message: BackendFailed) -> None:
        self.services_screen.show_error(message.error)

    @property
    def snapshot(self) -> Snapshot | None:
        return self.services_screen.snapshot

    def refresh_services(self) -> None:
        """Poll now rather than at the next interval."""
        if self.poller is not None:
            self.poller.refresh_now()

    def open_service(self, service: Service) -> None:
        """Push the service's screen."""
        self.push_screen(ServiceScreen(service))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        bindings = sorted(self.screen.active_bindings.values(), key=self._help_rank)
        for active in bindings:
            binding = active.binding
            description = binding.description or binding.action.replace("_", " ")
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

    async def on_unmount(self) -> None:
        if self._prefetch is not None:
            self._prefetch.close()
        with self._backend_lock:
            self._quitting = True
            backend = self.backend
        if backend is not None:
            await backend.close()
