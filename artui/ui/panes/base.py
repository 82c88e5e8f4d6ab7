"""What a pane of the service view is: a key, a title, and work that runs while shown."""

from __future__ import annotations

from typing import ClassVar, Protocol, cast

from rich.text import Text
from textual.worker import Worker, WorkerState

from artui.domain.apprunner import LogSource, Service
from artui.ui.context import ViewContext, context_of
from artui.ui.tabs import Tab
from artui.ui.widgets.scroll import Scroll


class PaneHost(Protocol):
    """What a pane asks of the screen that hosts it (the service view)."""

    def update_status(self) -> None: ...

    def action_back(self) -> None: ...

    def show_logs(self, source: LogSource) -> None: ...


class Pane(Scroll):
    """One pane of a service's view. The view calls `shown` and `hidden` as it switches.

    A pane starts its work (a describe, a poll, a stream) when first shown and stops it
    when hidden; it renders from the app's store, which owns the data.
    """

    TAB: ClassVar[Tab]  # its key, id and title (`artui.ui.tabs`)

    def __init__(self, service: Service) -> None:
        super().__init__(id=self.TAB.id, classes="pane")
        self.service = service
        self.active = False

    @property
    def ctx(self) -> ViewContext:
        """The app, through the interface panes read it by."""
        return context_of(self)

    @property
    def host(self) -> PaneHost:
        """The screen that hosts the pane."""
        return cast(PaneHost, self.screen)

    def shown(self) -> None:
        """The pane became visible: start (or resume) its work."""
        self.active = True
        self.start()

    def hidden(self) -> None:
        """The pane was switched away from: stop its work."""
        self.active = False
        self.stop()

    def start(self) -> None:
        """Begin whatever keeps this pane current."""

    def stop(self) -> None:
        """End whatever `start` began."""

    def follow(self, service: Service) -> None:
        """The services list brought a newer view of the service."""
        self.service = service

    def refresh_data(self) -> None:
        """`r`: fetch this pane's data again."""

    def store_changed(self, kind: str, key: str) -> None:
        """Something this pane may show changed in the store."""

    def catch_up(self) -> None:
        """Repaint from the store: its answers went to another screen meanwhile."""

    def status_text(self) -> Text:
        """The pane's part of the status line."""
        return Text()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A pane's worker that raised is reported like any bug, and the app goes on.
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.ctx.internal_error(f"{self.TAB.title} worker", event.worker.error)
