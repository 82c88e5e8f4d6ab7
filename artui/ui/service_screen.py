"""One service: its overview now; activity, logs, metrics and domains join as panes later."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from artui.domain import Service, ServiceDetail
from artui.humanize import ago, cpu_label, memory_label, since
from artui.poller import Snapshot
from artui.ui.messages import DescribeFailed, ServiceDescribed
from artui.ui.status import StatusScreen, freshness
from artui.ui.tones import toned


def _when(moment: datetime | None, now: float) -> str:
    if moment is None:
        return "—"
    return f"{moment.astimezone():%Y-%m-%d %H:%M:%S %Z} ({since(moment, now)})"


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
    """Key/value grid of what DescribeService says (list data until it answers).

    Every value is a Text: strings from AWS are data, never Rich markup.
    """
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")

    def row(label: str, value: str | Text) -> None:
        grid.add_row(label, value if isinstance(value, Text) else Text(value))

    row("Name", service.name)
    row("Status", toned(service.status_label, service.tone))
    row("Region", service.region)
    row("URL", f"https://{service.url}" if service.url else "—")
    row("ARN", service.arn)
    if detail is not None:
        row(f"Source ({detail.source_kind})", detail.source)
        row("CPU / memory", f"{cpu_label(detail.cpu)} / {memory_label(detail.memory)}")
        if detail.instance_role:
            row("Instance role", detail.instance_role)
        row("Health check", _health(detail))
        row("Auto scaling", detail.auto_scaling or "—")
    row("Created", _when(service.created_at, now))
    row("Updated", _when(service.updated_at, now))
    return grid


class ServiceScreen(StatusScreen):
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
        self.listed = True
        self._described_at: float | None = None
        self._describing = False
        self._describe_error: str | None = None

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
        if not self.listed:
            title.append("  no longer listed", style="bold red")
        return title

    def on_mount(self) -> None:
        self._render_overview()
        self.action_refresh()

    def _render_overview(self) -> None:
        body = overview_table(self.service, self.detail, self.app.clock())
        self.query_one("#overview-body", Static).update(body)
        self.query_one("#title", Static).update(self._title())
        self.update_status()

    def status_text(self) -> Text:
        line = Text()
        if self._describing:
            line.append("DescribeService…  ", style="dim")
        elif self._describe_error:
            kept = "showing the last answer" if self.detail else "showing the list's data"
            line.append(f"DescribeService failed ({kept}): ", style="bold red")
            line.append(self._describe_error, style="red")
            line.append("  ")
        elif self._described_at is not None:
            age = ago(self.app.clock() - self._described_at)
            line.append(f"described {age}  ", style="dim")
        snapshot = self.app.snapshot
        if snapshot is not None and snapshot.loaded:
            line.append("list ", style="dim")
            line.append_text(freshness(snapshot, self.app.clock()))
        return line

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Follow the service's status as the list polls; say so when it leaves the list."""
        match = next((s for s in snapshot.services if s.arn == self.service.arn), None)
        if match is not None:
            self.listed = True
            if match != self.service:
                self.service = match
        elif self.service.region in snapshot.fetched_at and self.service.region not in (
            snapshot.errors
        ):
            self.listed = False
        self._render_overview()

    def action_overview(self) -> None:
        self.query_one("#overview").focus()

    def action_refresh(self) -> None:
        self._describing = True
        self.query_one("#overview").loading = self.detail is None
        self.update_status()
        self.app.describe_service(self.service, self)
        self.app.refresh_services()

    def on_service_described(self, message: ServiceDescribed) -> None:
        if message.detail.service.arn != self.service.arn:
            return
        self.detail = message.detail
        self.service = message.detail.service
        self._described_at = self.app.clock()
        self._describing = False
        self._describe_error = None
        self.query_one("#overview").loading = False
        self._render_overview()

    def on_describe_failed(self, message: DescribeFailed) -> None:
        if message.arn != self.service.arn:
            return
        self._describing = False
        self._describe_error = message.error
        self.query_one("#overview").loading = False
        self._render_overview()
