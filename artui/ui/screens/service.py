"""One service's view: a title, the panes (switched by key from here), a status line."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import ContentSwitcher, Footer, Static

from artui.domain import Service
from artui.engine.services import Snapshot
from artui.ui.guard import guarded
from artui.ui.messages import RefreshRequested, ServicesChanged, StoreChanged
from artui.ui.panes import PANES, Pane
from artui.ui.screens.base import StatusScreen
from artui.ui.text import shown
from artui.ui.tones import toned
from artui.ui.widgets.status import freshness


class ServiceScreen(StatusScreen):
    """A service's panes; each pane's key shows it."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        *(
            Binding(pane.KEY, f"show_pane('{pane.PANE_ID}')", pane.TITLE, id=f"pane.{pane.PANE_ID}")
            for pane in PANES
        ),
        Binding("r", "refresh", "Refresh", id="refresh"),
    ]

    def __init__(self, service: Service, pane: str = PANES[0].PANE_ID) -> None:
        super().__init__()
        self.service = service
        self.listed = True
        self._initial = pane

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="title")
        with ContentSwitcher(initial=self._initial, id="panes"):
            for pane in PANES:
                yield pane(self.service)
        yield Static("", id="status")
        yield Footer()

    @property
    def pane(self) -> Pane:
        """The pane on show."""
        switcher = self.query_one(ContentSwitcher)
        return self.query_one(f"#{switcher.current}", Pane)

    def _title(self) -> Text:
        title = Text("artui · ", style="dim")
        title.append_text(shown(self.service.name, "bold"))
        title.append("  ")
        title.append_text(toned(self.service.status_label, self.service.tone))
        title.append_text(shown(f"  {self.service.region}", "dim"))
        if not self.listed:
            title.append("  no longer listed", style="bold red")
        return title

    def on_mount(self) -> None:
        self.pane.shown()
        self.pane.focus()
        self.update_status()

    def action_show_pane(self, pane_id: str) -> None:
        """Switch to a pane: the one left stops its work, the one shown starts its own."""
        switcher = self.query_one(ContentSwitcher)
        if switcher.current == pane_id:
            return
        self.pane.hidden()
        switcher.current = pane_id
        self.pane.shown()
        self.pane.focus()
        self.update_status()

    def action_refresh(self) -> None:
        self.pane.refresh_data()
        self.app.post_message(RefreshRequested())
        self.update_status()

    def status_text(self) -> Text:
        line = self.pane.status_text()
        snapshot = self.app.snapshot
        if snapshot is not None and snapshot.loaded:
            line.append("list ", style="dim")
            line.append_text(freshness(snapshot, self.app.clock()))
        return line

    def on_services_changed(self, message: ServicesChanged) -> None:
        self.follow(message.snapshot)

    def on_screen_resume(self) -> None:
        if self.app.snapshot is not None:
            self.follow(self.app.snapshot)

    @guarded("the service view")
    def follow(self, snapshot: Snapshot) -> None:
        """Follow the service's status as the list polls; say so when it leaves the list."""
        match = next((s for s in snapshot.services if s.arn == self.service.arn), None)
        if match is not None:
            self.listed = True
            self.service = match
            for pane in self.query(Pane):
                pane.follow(match)
        elif self.service.region in snapshot.fetched_at and self.service.region not in (
            snapshot.errors
        ):
            self.listed = False
        self.query_one("#title", Static).update(self._title())
        self.update_status()

    @guarded("the service view")
    def on_store_changed(self, message: StoreChanged) -> None:
        for pane in self.query(Pane):
            pane.store_changed(message.kind, message.key)
            self.service = pane.service  # DescribeService may know a newer status
        self.query_one("#title", Static).update(self._title())
        self.update_status()
