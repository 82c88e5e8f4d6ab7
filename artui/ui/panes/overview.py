"""The overview pane (`i`): what DescribeService says about the service."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from artui.domain.apprunner import Service, ServiceDetail, ServiceStatus
from artui.domain.errors import describe
from artui.domain.format import ago, cpu_label, memory_label, when_text
from artui.engine.services import DETAIL
from artui.engine.store import Known
from artui.ui.messages import Watch
from artui.ui.panes.base import Pane
from artui.ui.tabs import tab
from artui.ui.text import shown
from artui.ui.tones import toned


def overview_table(service: Service, detail: ServiceDetail | None, now: float) -> Table:
    """Key/value grid of what DescribeService says (list data until it answers).

    Every value goes through `shown`: strings from AWS are inert data, never markup.
    """
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")

    def row(label: str, value: str | Text) -> None:
        grid.add_row(shown(label), value if isinstance(value, Text) else shown(value))

    row("Name", service.name)
    row("Status", toned(service.status_label, service.tone))
    if service.status is ServiceStatus.CREATE_FAILED:
        # The guide's advice for a failed creation, with the keys that carry it out.
        row(
            "Next step",
            Text(
                "Read why in its deployment log (a, then enter on Create); fix the code or "
                "configuration; then rebuild (b) or delete it (ctrl+d). It counts towards "
                "the service quota until deleted.",
                style="yellow",
            ),
        )
    row("Region", service.region)
    row("URL", f"https://{service.url}" if service.url else "—")
    row("ARN", service.arn)
    if detail is not None:
        row(f"Source ({detail.source_kind})", detail.source)
        row("CPU / memory", f"{cpu_label(detail.cpu)} / {memory_label(detail.memory)}")
        if detail.instance_role:
            row("Instance role", detail.instance_role)
        row("Health check", detail.health_check.words)
        row("Auto scaling", detail.auto_scaling or "—")
    row("Created", when_text(service.created_at, now))
    row("Updated", when_text(service.updated_at, now))
    return grid


class OverviewPane(Pane):
    """ARN, source, CPU and memory, health check, auto scaling, created and updated."""

    TAB = tab("overview")

    def __init__(self, service: Service) -> None:
        super().__init__(service)
        self.describing = False

    def compose(self) -> ComposeResult:
        yield Static(id="overview-body")

    @property
    def known(self) -> Known[ServiceDetail]:
        """DescribeService's last answer for this service, from the store."""
        return self.ctx.store.get(DETAIL, self.ctx.scope_of(self.service), self.service.arn)

    @property
    def detail(self) -> ServiceDetail | None:
        return self.known.value

    def on_mount(self) -> None:
        self.render_overview()

    def start(self) -> None:
        # The view polls DescribeService while open; what is held shows meanwhile.
        self.describing = self.known.fetched_at is None
        self.loading = self.detail is None

    def refresh_data(self) -> None:
        # `r`: the view's poll reads now.
        self.describing = True
        self.loading = self.detail is None
        self.app.post_message(Watch(DETAIL, self.service, True))

    def follow(self, service: Service) -> None:
        if service != self.service:
            super().follow(service)
            self.render_overview()

    def store_changed(self, kind: str, key: str) -> None:
        if kind == DETAIL and key == self.service.arn:
            self.describing = False
            self.loading = False
            if self.detail is not None:
                self.service = self.detail.service
            self.render_overview()

    def render_overview(self) -> None:
        """Repaint from the store; if the data cannot be drawn, say so in the pane."""
        body_widget = self.query_one("#overview-body", Static)
        body: RenderableType
        try:
            body = overview_table(self.service, self.detail, self.ctx.clock())
        except Exception as exc:
            self.ctx.internal_error("the overview", exc)
            body = shown(f"This service's details cannot be shown: {describe(exc)}")
        body_widget.update(body)

    def status_text(self) -> Text:
        line = Text()
        known = self.known
        if self.describing:
            line.append("DescribeService…  ", style="dim")
        elif known.error is not None:
            kept = "showing the last answer" if known.value else "showing the list's data"
            line.append(f"DescribeService failed ({kept}): ", style="bold red")
            line.append_text(shown(known.error, "red"))
            line.append("  ")
        elif known.fetched_at is not None:
            line.append(f"described {ago(self.ctx.clock() - known.fetched_at)}  ", style="dim")
        return line
