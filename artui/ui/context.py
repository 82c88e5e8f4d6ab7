"""The typed read interface screens and panes use, instead of reaching into `self.app`.

`ArtuiApp` implements it (the type checker holds it to that in `artui.ui.app`): the clock,
the store, the session's state, settings, the actions under way, and the two ways to say
something (a notification, an internal error).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast

from textual.dom import DOMNode
from textual.notifications import SeverityLevel

if TYPE_CHECKING:
    from artui.domain.apprunner import Service
    from artui.domain.changes import Change
    from artui.engine.actions import Actions
    from artui.engine.fleet import Fleet
    from artui.engine.journal import Failure
    from artui.engine.services import Snapshot
    from artui.engine.store import Scope, Store
    from artui.settings import Settings


class ViewContext(Protocol):
    """What a screen or pane may read from the app and ask of it."""

    settings: Settings
    store: Store
    session: Fleet
    actions: Actions
    clock: Callable[[], float]
    internal: Failure | None

    @property
    def snapshot(self) -> Snapshot | None: ...

    @property
    def scopes(self) -> tuple[Scope, ...]: ...

    def scope_of(self, service: Service) -> Scope: ...

    def tell(
        self,
        text: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
    ) -> None: ...

    def internal_error(self, where: str, exc: BaseException) -> None: ...

    def open_service(self, service: Service, pane: str | None = None) -> None:
        """Push the service's view now, so keys typed ahead go to it."""
        ...

    def request_change(self, service: Service, change: Change) -> None:
        """Refuse `change` with the reason, or open its dialog now (keys typed ahead answer
        it); its answer sends it."""
        ...


def context_of(node: DOMNode) -> ViewContext:
    """The app behind `node`, through the interface screens and panes may use."""
    return cast("ViewContext", node.app)
