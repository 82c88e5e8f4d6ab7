"""`x` on the configuration pane: the open service's plan for Amazon ECS Express Mode (issue
27), the same as `artui export` writes: the report (Markdown) and the request
(CreateExpressGatewayService's parameters, as JSON). Read-only: it reads the store and
calls nothing that changes AWS; `y` copies the view on show.

The plan is built from the store: the service (DescribeService's latest), its configuration
(the pane's read) and its custom domains, read here if no one has yet, and built again as
any of the three changes while the screen is open.
"""

from __future__ import annotations

import json

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import ContentSwitcher, Static, TextArea

from artui.domain import migration, migration_report
from artui.domain.apprunner import Service
from artui.domain.configuration import Configuration
from artui.domain.custom_domains import CustomDomains
from artui.domain.errors import describe
from artui.domain.export import ServiceRecord, read_whole
from artui.domain.inert import inert
from artui.engine import configuration, custom_domains
from artui.engine.services import DETAIL
from artui.engine.store import Known, Scope
from artui.ui.accounts import who
from artui.ui.guard import guarded
from artui.ui.keymap import in_force
from artui.ui.messages import StoreChanged, Watch
from artui.ui.screens.base import StatusScreen
from artui.ui.text import shown
from artui.ui.widgets.footer import Footer

# The two views: (id, title, the binding's id), in the order of the tabs line.
VIEWS = (("report", "Report", "plan.report"), ("request", "Request", "plan.request"))
NOTICE = "Read-only: a plan to read and copy (y). Nothing is created or changed in AWS."
READING = "Reading the custom domains…"


def plan_record(
    service: Service, config: Configuration, domains: Known[CustomDomains]
) -> ServiceRecord | None:
    """What the plan reads of one service, or None while its custom domains are being read
    for the first time. A read of them that failed leaves them None (not read) and says why
    among the configuration's problems (`read_whole`)."""
    if domains.value is not None:
        return read_whole(service, config, domains.value.domains)
    if domains.error is None:
        return None
    return read_whole(service, config, describe(domains.error))


def plan_texts(record: ServiceRecord) -> tuple[migration.Plan, str, str]:
    """The plan, its report and its request (2-space JSON), as the views show them."""
    built = migration.plan(record)
    return built, migration_report.service_report(built), json.dumps(built.request, indent=2)


class PlanScreen(StatusScreen):
    """The plan for one service in two read-only views, switched by 1 and 2 (or tab)."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="plan.back"),
        # As q leaves less: back one level.
        Binding("q", "back", "Back", show=False, id="plan.back_q"),
        # Shown in the tabs line under the title, as the service view's panes are.
        Binding(
            "1",
            "view('report')",
            "Report",
            show=False,
            id="plan.report",
            tooltip="The report: what does not carry over and what to do (Markdown)",
        ),
        Binding(
            "2",
            "view('request')",
            "Request",
            show=False,
            id="plan.request",
            tooltip="The request: CreateExpressGatewayService's parameters (JSON)",
        ),
        Binding(
            "tab,shift+tab",
            "other_view",
            "Other view",
            show=False,
            id="plan.other",
            tooltip="The other view: the report or the request",
        ),
        Binding(
            "y",
            "copy",
            "Copy",
            id="plan.copy",
            tooltip="Copy the whole view on show (the report or the request) to the clipboard",
        ),
    ]

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        self.view = VIEWS[0][0]
        self.plan: migration.Plan | None = None
        self.failure: str | None = None  # why the plan could not be built
        self._watching = False  # the custom domains are read for this screen

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="title")
        yield Static(Text(NOTICE, style="italic"), id="plan-notice")
        yield Static(self._tabs(), id="tabs")
        with ContentSwitcher(initial=self.view, id="plan-views"):
            for view_id, _title, _binding in VIEWS:
                yield TextArea("", read_only=True, soft_wrap=True, id=view_id, classes="plan-text")
        yield Static("", id="status")
        yield Footer(compact=True)

    def _title(self) -> Text:
        # The account first, as on every screen: a plan names roles of one account.
        title = Text("artui · ", style="dim")
        title.append_text(shown(who(self.ctx.session, self.service.profile), "bold magenta"))
        title.append(" · ECS Express plan · ", style="bold")
        title.append_text(shown(self.service.name, "bold"))
        title.append_text(shown(f"  {self.service.region}", "dim"))
        return title

    def _tabs(self) -> Text:
        line = Text()
        for view_id, title, binding_id in VIEWS:
            style = "bold reverse" if view_id == self.view else ""
            bound = (b for b in self.BINDINGS if isinstance(b, Binding) and b.id == binding_id)
            key = self.app.get_key_display(in_force(self.app, next(bound)))
            line.append(f" {key} ", style=f"bold cyan {style}".strip())
            line.append(f"{title} ", style=style)
            line.append(" ")
        return line

    @property
    def scope(self) -> Scope:
        return self.ctx.scope_of(self.service)

    @property
    def domains(self) -> Known[CustomDomains]:
        return self.ctx.store.get(custom_domains.KIND, self.scope, self.service.arn)

    def area(self, view_id: str | None = None) -> TextArea:
        """The view's text area (the one on show by default)."""
        return self.query_one(f"#{view_id or self.view}", TextArea)

    def on_mount(self) -> None:
        known = self.domains
        if known.value is None and known.error is None:
            self._watching = True
            self.app.post_message(Watch(custom_domains.KIND, self.service, True))
        self.rebuild()
        self.area().focus()

    def on_unmount(self) -> None:
        if self._watching:
            self.app.post_message(Watch(custom_domains.KIND, self.service, False))

    def action_back(self) -> None:
        self.app.pop_screen()

    @guarded("the ECS plan")
    def on_store_changed(self, message: StoreChanged) -> None:
        if message.key == self.service.arn and message.kind in (
            configuration.KIND,
            custom_domains.KIND,
            DETAIL,
        ):
            self.rebuild()

    def rebuild(self) -> None:
        """Build the plan from the store again; a view's text is replaced only if it
        changed (its cursor and selection stay otherwise)."""
        scope = self.scope
        detail = self.ctx.store.get(DETAIL, scope, self.service.arn).value
        if detail is not None:
            self.service = detail.service
        config = self.ctx.store.get(configuration.KIND, scope, self.service.arn).value
        record = None if config is None else plan_record(self.service, config, self.domains)
        report = request = ""
        self.plan, self.failure = None, None
        if record is not None:
            try:
                self.plan, report, request = plan_texts(record)
            except Exception as exc:
                self.failure = describe(exc)
                self.ctx.internal_error("the ECS plan", exc)
        for view_id, text in (("report", report), ("request", request)):
            area = self.area(view_id)
            # Shown inert, as all text from AWS is; `y` copies what is shown.
            text = inert(text, lines=True)
            if area.text != text:
                area.load_text(text)
        self.query_one("#title", Static).update(self._title())
        self.update_status()

    def action_view(self, view_id: str) -> None:
        """`1` the report, `2` the request."""
        if view_id == self.view:
            return
        self.view = view_id
        self.query_one(ContentSwitcher).current = view_id
        self.query_one("#tabs", Static).update(self._tabs())
        self.area().focus()
        self.update_status()

    def action_other_view(self) -> None:
        """`tab`: the view not on show."""
        self.action_view(next(v for v, _t, _b in VIEWS if v != self.view))

    def action_copy(self) -> None:
        """`y`: the whole view on show to the clipboard (OSC 52: over SSH too)."""
        title = next(t for v, t, _b in VIEWS if v == self.view).lower()
        text = self.area().text
        if self.plan is None or not text:
            self.ctx.tell(
                self.failure or READING,
                title=f"Nothing copied: the {title} is not ready",
                severity="warning",
            )
            return
        self.app.copy_to_clipboard(text)
        lines = len(text.splitlines())
        self.ctx.tell(f"Copied the {title} ({lines} line{'s' * (lines != 1)}) to the clipboard")

    def status_text(self) -> Text:
        line = Text()
        known = self.domains
        if self.failure is not None:
            line.append_text(shown(f"The plan could not be built: {self.failure}  ", "bold red"))
        elif self.plan is None and known.value is None and known.error is None:
            line.append(f"{READING}  ", style="bold cyan")
        elif self.plan is not None:
            findings = self.plan.findings
            act = sum(f.action for f in findings)
            line.append(f"{act} to act on" if act else "carries over", style="bold")
            line.append(
                f", {len(findings) - act} to check, {len(self.plan.placeholders)} to fill  "
            )
        if known.value is None and known.error is not None:
            line.append_text(shown(f"custom domains not read: {describe(known.error)}  ", "yellow"))
        text = self.area().text
        if text:
            count = len(text.splitlines())
            line.append(f"{self.view} {count} line{'s' * (count != 1)}", style="dim")
        return line
