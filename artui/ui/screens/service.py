"""One service's view: a title, the panes (switched by key from here), a status line."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import ContentSwitcher, Static

from artui.domain.apprunner import LogSource, Service
from artui.domain.format import duration
from artui.engine.services import DETAIL, Snapshot
from artui.ui.accounts import who
from artui.ui.guard import guarded
from artui.ui.keymap import in_force
from artui.ui.messages import RefreshRequested, ServicesChanged, StoreChanged, Watch
from artui.ui.panes import PANES, Pane
from artui.ui.panes.logs import LogsPane
from artui.ui.panes.overview import OverviewPane
from artui.ui.screens.base import ACTION_BINDINGS, ActsOnService, StatusScreen
from artui.ui.text import shown
from artui.ui.tones import toned
from artui.ui.widgets.footer import Footer
from artui.ui.widgets.status import freshness


class ServiceScreen(ActsOnService, StatusScreen):
    """A service's panes; each pane's key shows it."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        # As q leaves less: back one level, never out of artui (only the list's q quits).
        Binding("q", "back", "Back", show=False, id="back.q"),
        *(
            # Shown in the tabs line under the title, which has room for every pane.
            Binding(
                pane.TAB.key,
                f"show_pane('{pane.TAB.id}')",
                pane.TAB.title,
                show=False,
                id=f"pane.{pane.TAB.id}",
            )
            for pane in PANES
        ),
        Binding("r", "refresh", "Refresh", id="refresh"),
        *ACTION_BINDINGS,
    ]

    def __init__(self, service: Service, pane: str = PANES[0].TAB.id) -> None:
        super().__init__()
        self.service = service
        self.listed = True
        self._initial = pane
        self._rebuild_offered = self.offers("act", ("rebuild",))

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="title")
        yield Static(self._tabs(self._initial), id="tabs")
        with ContentSwitcher(initial=self._initial, id="panes"):
            for pane in PANES:
                yield pane(self.service)
        yield Static("", id="status")
        yield Footer(compact=True)

    @property
    def pane(self) -> Pane:
        """The pane on show."""
        switcher = self.query_one(ContentSwitcher)
        return self.query_one(f"#{switcher.current}", Pane)

    def _title(self) -> Text:
        title = Text("artui · ", style="dim")
        title.append_text(shown(who(self.ctx.session, self.service.profile), "bold magenta"))
        if self.ctx.settings.read_only:
            title.append(" READ-ONLY", style="bold yellow")
        title.append(" · ", style="dim")
        title.append_text(shown(self.service.name, "bold"))
        title.append("  ")
        detail = self.ctx.store.get(DETAIL, self.ctx.scope_of(self.service), self.service.arn)
        held = detail.value
        # What is being done ('deleting'), when DescribeService said so of this same status.
        same = held is not None and held.service.status is self.service.status
        label = held.status_label if held is not None and same else self.service.status_label
        title.append_text(toned(label, self.service.tone))
        title.append_text(shown(f"  {self.service.region}", "dim"))
        if not self.listed:
            title.append("  no longer listed", style="bold red")
        return title

    def acted_on(self) -> Service:
        return self.service

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "act" and not self._on_overview():
            # The keys that change the service work on the overview only: on the other panes
            # d, u, b, p are keys a reader types (page down, follow), and a slip must not
            # deploy. False, not None: the footer does not show them there.
            return False
        return self.offers(action, parameters)

    def _on_overview(self) -> bool:
        # Asked for the footer before the panes are composed, too: then no pane is on show.
        switchers = self.query(ContentSwitcher)
        return bool(switchers) and switchers.first().current == OverviewPane.TAB.id

    def _tabs(self, current: str) -> Text:
        line = Text()
        for pane in PANES:
            style = "bold reverse" if pane.TAB.id == current else ""
            # The key in force: the keymap may have moved it.
            key = self.app.get_key_display(in_force(self.app, self._binding(f"pane.{pane.TAB.id}")))
            line.append(f" {key} ", style=f"bold cyan {style}".strip())
            line.append(f"{pane.TAB.title} ", style=style)
            line.append(" ")
        return line

    def _binding(self, binding_id: str) -> Binding:
        return next(b for b in self.BINDINGS if isinstance(b, Binding) and b.id == binding_id)

    def on_mount(self) -> None:
        # DescribeService polled while the view is open, whichever pane shows: it follows an
        # operation to its end, one someone else started included (a delete: then deleted).
        self.app.post_message(Watch(DETAIL, self.service, True))
        self.pane.shown()
        self.pane.focus()
        self.update_status()

    def action_back(self) -> None:
        """Back to the services: the pane on show stops its work (a poll, a Live Tail)."""
        if self.pane.active:
            self.pane.hidden()
        self.app.pop_screen()

    def on_unmount(self) -> None:
        self.app.post_message(Watch(DETAIL, self.service, False))

    def action_show_pane(self, pane_id: str) -> None:
        """Switch to a pane: the one left stops its work, the one shown starts its own."""
        switcher = self.query_one(ContentSwitcher)
        if switcher.current == pane_id:
            return
        self.pane.hidden()
        switcher.current = pane_id
        self.query_one("#tabs", Static).update(self._tabs(pane_id))
        self.pane.shown()
        self.pane.focus()
        # The change keys come or go with the overview (check_action).
        self.refresh_bindings()
        self.update_status()

    def show_logs(self, source: LogSource) -> None:
        """The logs pane on `source` (a deployment's log, from the activity)."""
        self.query_one(LogsPane).use_source(source)
        self.action_show_pane(LogsPane.TAB.id)

    def action_refresh(self) -> None:
        self.pane.refresh_data()
        self.app.post_message(RefreshRequested())
        self.update_status()

    def status_text(self) -> Text:
        line = Text()
        underway = self.ctx.actions.underway.get(self.service.arn)
        if underway is not None:
            took = duration(self.ctx.clock() - underway.since)
            line.append(f"{underway.change.name} under way {took}  ", style="bold cyan")
        line.append_text(self.pane.status_text())
        snapshot = self.ctx.snapshot
        if snapshot is not None and snapshot.loaded:
            line.append("list ", style="dim")
            line.append_text(freshness(snapshot, self.ctx.clock()))
        return line

    def on_services_changed(self, message: ServicesChanged) -> None:
        self.follow(message.snapshot)

    def on_screen_resume(self) -> None:
        if self.ctx.snapshot is not None:
            self.follow(self.ctx.snapshot)
        # Answers went to the screen on top meanwhile (a deployment log): catch up.
        for pane in self.query(Pane):
            pane.catch_up()

    @guarded("the service view")
    def follow(self, snapshot: Snapshot) -> None:
        """Follow the service's status as the list polls; say so when it leaves the list."""
        match = next((s for s in snapshot.services if s.arn == self.service.arn), None)
        if match is not None:
            self.listed = True
            self.service = match
            for pane in self.query(Pane):
                pane.follow(match)
        elif (place := snapshot.place_of(self.service)) in snapshot.fetched_at and (
            place not in snapshot.errors
        ):
            self.listed = False
        self.query_one("#title", Static).update(self._title())
        self._offer_rebuild()
        self.update_status()

    def _offer_rebuild(self) -> None:
        """Refresh the keys offered when the rebuild key comes or goes (it shows only for a
        failed creation). Not at every poll: each refresh builds the footer's keys again,
        and each key dropped stays pinned, with its rendered lines, in a cache of Textual's
        (an lru_cache on StylesCache's methods, 1,024 entries): +0.2 MB a minute for 20
        minutes on an open service view."""
        offered = self.offers("act", ("rebuild",))
        if offered != self._rebuild_offered:
            self._rebuild_offered = offered
            self.refresh_bindings()

    @guarded("the service view")
    def on_store_changed(self, message: StoreChanged) -> None:
        for pane in self.query(Pane):
            pane.store_changed(message.kind, message.key)
        if message.kind == DETAIL and message.key == self.service.arn:
            # DescribeService may know a newer status than the list: every pane follows it.
            known = self.ctx.store.get(DETAIL, self.ctx.scope_of(self.service), message.key)
            if known.value is not None:
                self.service = known.value.service
                for pane in self.query(Pane):
                    pane.follow(self.service)
                self._offer_rebuild()
        self.query_one("#title", Static).update(self._title())
        self.update_status()
