"""The one wiring point: settings, the AWS side (or the demo simulator), the startup
prefetch, and the app they are handed to. The CLI and the tests build the app here.

Importing this module loads neither Textual nor the backend: the command line imports it
on the way to the first frame (the backend is imported when the app connects, after it)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from artui.aws.backend import Backend
    from artui.aws.credentials import Resolved
    from artui.boot.prefetch import Prefetch
    from artui.engine.ports import Ask, FirstList
    from artui.settings import Account, Settings
    from artui.ui.app import ArtuiApp

Connect = Callable[..., "Backend"]


def connect(settings: Settings, **kwargs: Any) -> Backend:
    """`artui.aws.backend.connect`, imported when first called (in the app's connecting thread)."""
    from artui.aws.backend import connect

    return connect(settings, **kwargs)


class Launch:
    """The app's Connector: the prefetched list and credentials (of the first account),
    then a backend per account."""

    def __init__(
        self, settings: Settings, prefetch: Prefetch | None = None, connect: Connect = connect
    ) -> None:
        self.settings = settings
        self._prefetch = prefetch
        self._connect = connect
        self._credentials: Resolved | None = None
        # The demo's one simulator, started by the first account to connect, shared by all.
        self._simulator: object = None
        self._demo_lock = threading.Lock()
        self._owner_lock = threading.Lock()  # held briefly: close() takes it on the loop
        self._closed = False

    def first(self, ask: Ask) -> FirstList | None:
        """The child's list, waiting for it (it resolves the credentials the app will use)."""
        if self._prefetch is None:
            return None
        got = self._prefetch.result(ask)
        if got is None:
            return None
        self._credentials = got.credentials
        return got.first

    def connect(self, ask: Ask, account: Account | None = None) -> Backend:
        """The backend of `account` (the first by default), on the credentials the child
        resolved for the first."""
        first = self.settings.accounts()[0]
        credentials = self._credentials if account in (None, first) else None
        if not self.settings.demo:
            return self._connect(self.settings, account=account, credentials=credentials, ask=ask)
        with self._demo_lock:  # one simulator for every account of the demo
            backend = self._connect(
                self.settings, account=account, ask=ask, simulator=self._simulator
            )
            with self._owner_lock:
                if self._simulator is None and not self._closed:
                    # Launch owns it: a profile removed in the app must not stop the
                    # others'. Once closed, the backend keeps it: its teardown stops it.
                    self._simulator, backend.simulator = backend.simulator, None
        return backend

    async def close(self) -> None:
        """Stop the demo's simulator, once every backend is closed."""
        with self._owner_lock:
            self._closed = True
            simulator, self._simulator = self._simulator, None
        if simulator is not None:
            # Stopping joins the simulator's threads: not on the event loop.
            await asyncio.to_thread(simulator.stop)  # type: ignore[attr-defined]

    def abort(self) -> None:
        """Stop waiting for the child, and end it."""
        if self._prefetch is not None:
            self._prefetch.close()


def build_app(
    settings: Settings,
    *,
    prefetch: Prefetch | None = None,
    connect: Connect = connect,
    clock: Callable[[], float] = time.time,
) -> ArtuiApp:
    """The app, wired to AWS (or the demo simulator) as `settings` say; a ConfigError for
    a keymap or theme the settings name wrongly."""
    from artui.ui.keymap import check_keymap

    check_keymap(settings)
    from artui.ui.app import ArtuiApp

    return ArtuiApp(settings, Launch(settings, prefetch, connect), clock=clock)
