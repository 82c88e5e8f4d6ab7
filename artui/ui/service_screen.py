"""One service: its overview now; activity, logs, metrics and domains join as panes later."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from artui.domain import Service, ServiceDetail
from artui.errors import ArtuiError
from artui.humanize import cpu_label, memory_label, since
from artui.poller import Snapshot
from artui.ui.tones import toned


def _when(moment: datetime | None, now: float) -> Text:
    if moment is None:
        return Text("—")
    return Text(f"{moment.astimezone():%Y-%m-%d %H:%M:%S %Z} ({since(moment, now)})")


def _health(detail: ServiceDetail) -> str:
    hc = detail.health_check
    if not hc.protocol:
        return "—"
    where = f"{hc.protocol} {hc.path}" if hc.protocol == "HTTP" and hc.path else hc.protocol
    return (
        f"{where}, every {hc.interval}s, timeout {hc.timeout}s, "
        f"healthy after {hc.healthy_threshold}, unhealthy after {hc.unhealthy_threshold}"
    )


def overview_table(service: Service, detail: ServiceDetail | None, now: float) -> Table:
    """Key/value grid of what DescribeService says (list data until it answers)."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("Name", Text(service.name))
    grid.add_row("Status", toned(service.status_label, service.tone))
    grid.add_row("Region", Text(service.region))
    grid.add_row("URL", Text(f"https://{service.url}" if service.url else "—"))
    grid.add_row("ARN", Text(service.arn))
    if detail is not None:
        grid.add_row(f"Source ({detail.source_kind})", Text(detail.source))
        grid.add_row("CPU / memory", f"{cpu_label(detail.cpu)} / {memory_label(detail.memory)}")
        if detail.instance_role:
            grid.add_row("Instance role", Text(detail.instance_role))
        grid.add_row("Health check", _health(detail))
        grid.add_row("Auto scaling", Text(detail.auto_scaling or "—"))
    grid.add_row("Created", _when(service.created_at, now))
    grid.add_row("Updated", _when(service.updated_at, now))
    return grid


class ServiceScreen(Screen):
    """A service's panes; `i` shows the overview."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("i", "overview", "Overview"),
        Binding("r", "refresh", "Refresh"),
    ]

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        self.detail: ServiceDetail | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="title")
        with VerticalScroll(id="overview"):
            yield Static(id="overview-body")
        yield Static("", id="status")
        yield Footer()

    def _title(self) -> Text:
        title = Text.assemble(("artui · ", "dim"), (self.service.name, "bold"), "  ")
        title.append_text(toned(self.service.status_label, self.service.tone))
        title.append(f"  {self.service.region}", style="dim")
        return title

    def on_mount(self) -> None:
        self._render_overview()
        self.load_detail()

    def _render_overview(self) -> None:
        body = overview_table(self.service, self.detail, self.app.clock())
        self.query_one("#overview-body", Static).update(body)
        self.query_one("#title", Static).update(self._title())

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Follow the service's status as the list polls."""
        match = next((s for s in snapshot.services if s.arn == self.service.arn), None)
        if match is not None and match != self.service:
            self.service = match
            self._render_overview()

    def action_overview(self) -> None:
        self.query_one("#overview").focus()

    def action_refresh(self) -> None:
        self.load_detail()

    @work(exclusive=True, group="describe", exit_on_error=False)
    async def load_detail(self) -> None:
        pane = self.query_one("#overview")
        status = self.query_one("#status", Static)
        pane.loading = self.detail is None
        status.update(Text("DescribeService…", style="dim"))
        try:
            detail = await self.app.backend.apprunner.describe_service(
                self.service.region, self.service.arn
            )
        except ArtuiError as exc:
            what = "showing the last answer" if self.detail else "showing the list's data"
            status.update(Text(f"DescribeService failed ({what}): {exc}", style="bold red"))
        else:
            self.detail = detail
            self.service = detail.service
            described = datetime.fromtimestamp(self.app.clock())
            status.update(Text(f"described at {described:%H:%M:%S}", style="dim"))
        finally:
            pane.loading = False
            self._render_overview()
