"""The one wiring point: settings, the AWS side (or the demo simulator), the startup
prefetch, and the app they are handed to. The CLI and the tests build the app here.

Importing this module loads neither Textual nor the backend: the command line imports it
on the way to the first frame (the backend is imported when the app connects, after it)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from artui.aws.backend import Backend
    from artui.aws.credentials import Resolved
    from artui.boot.prefetch import Prefetch
    from artui.engine.ports import Ask, FirstList
    from artui.settings import Settings
    from artui.ui.app import ArtuiApp

Connect = Callable[..., "Backend"]


def connect(settings: Settings, **kwargs: Any) -> Backend:
    """`artui.aws.backend.connect`, imported when first called (in the app's connecting thread)."""
    from artui.aws.backend import connect

    return connect(settings, **kwargs)


class Launch:
    """The app's Connector: the prefetched list and credentials, then the backend."""

    def __init__(
        self, settings: Settings, prefetch: Prefetch | None = None, connect: Connect = connect
    ) -> None:
        self.settings = settings
        self._prefetch = prefetch
        self._connect = connect
        self._credentials: Resolved | None = None

    def first(self, ask: Ask) -> FirstList | None:
        """The child's list, waiting for it (it resolves the credentials the app will use)."""
        if self._prefetch is None:
            return None
        got = self._prefetch.result(ask)
        if got is None:
            return None
        self._credentials = got.credentials
        return got.first

    def connect(self, ask: Ask) -> Backend:
        """The backend, on the credentials the child resolved (if it did)."""
        return self._connect(self.settings, credentials=self._credentials, ask=ask)

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
    """The app, wired to AWS (or the demo simulator) as `settings` say."""
    from artui.ui.app import ArtuiApp

    return ArtuiApp(settings, Launch(settings, prefetch, connect), clock=clock)
