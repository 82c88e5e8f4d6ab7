"""The configuration pane (`C`): everything the service is made of, from DescribeService
and the resources it names. Variables' values are masked until the operator reveals one
line (`enter` on it); secrets show their name and the ARN they come from, never a value."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from artui.domain.apprunner import Service
from artui.domain.changes import (
    AutoDeployments,
    Reconfigure,
    Resize,
    RollBack,
    Scale,
    SetHealthCheck,
    SetVariable,
)
from artui.domain.configuration import MASK, Configuration, Source
from artui.domain.errors import describe
from artui.domain.format import cpu_label, memory_label
from artui.engine.configuration import KIND
from artui.engine.store import Known
from artui.ui.guard import guarded
from artui.ui.messages import Watch
from artui.ui.panes.base import Pane
from artui.ui.screens.base import read_only_twin, twin_live
from artui.ui.screens.plan import PlanScreen
from artui.ui.tabs import tab
from artui.ui.text import shown

# An option id: a variable's line is VARIABLE + its name (what `enter` reveals).
VARIABLE = "variable:"
NAME_WIDTH = 15  # the names' column: "max concurrency", "security groups"

Line = tuple[str | None, RenderableType]  # (option id, the line); a None id is a heading or a gap


def _on_off(value: bool | None) -> str:
    return "—" if value is None else "on" if value else "off"


def _field(name: str, value: object) -> Table:
    """One `name  value` line, the value inert (AWS's text) and wrapped under itself."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=NAME_WIDTH + 2, no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(
        Text(f"  {name}", style="dim"), shown("—" if value is None or value == "" else value)
    )
    return grid


HEADING = "bold underline"


def _heading(title: str) -> Line:
    return (None, Text(title, style=HEADING))


def _source_lines(source: Source) -> list[Table]:
    kind = {"image": "image", "code": "code repository"}.get(source.kind, "unknown")
    lines = [_field("source", kind)]
    if source.kind == "code":
        lines += [
            _field("repository", source.identifier),
            _field((source.repository_type or "version").lower(), source.version),
            _field("directory", source.source_directory or "/"),
            _field("configured by", source.configuration_source),
            _field("runtime", source.runtime),
            _field("build command", source.build_command),
        ]
    else:
        lines += [
            _field("image", source.identifier),
            _field("repository", source.repository_type),
        ]
    return lines + [
        _field("start command", source.start_command),
        _field("port", source.port),
        _field("auto deploy", _on_off(source.auto_deployments)),
        _field("access role", source.access_role),
    ]


def configuration_lines(config: Configuration, revealed: frozenset[str]) -> list[Line]:
    """The pane's lines: headings (id None), `name value` fields, one line per variable
    (its value masked unless its name is in `revealed`) and per secret, and what could not
    be read. Every line but a heading has an id, so the cursor can rest on it."""
    lines = _lines(config, revealed)
    return [
        (line_id if line_id or heading else f"line:{n}", text)
        for n, ((line_id, text), heading) in enumerate(
            (line, isinstance(line[1], Text) and line[1].style == HEADING) for line in lines
        )
    ]


def _lines(config: Configuration, revealed: frozenset[str]) -> list[Line]:
    lines: list[Line] = [_heading("Source")]
    lines += [(None, line) for line in _source_lines(config.source)]

    lines.append(_heading("Environment"))
    source = config.source
    if not source.variables and not source.secrets:
        lines.append((None, _field("variables", "none")))
    for variable in source.variables:
        line = Text("  ")
        line.append_text(shown(variable.name, "bold"))
        line.append(" = ", style="dim")
        if variable.name in revealed:
            line.append_text(shown(variable.value, "yellow"))
        else:
            line.append(f"{MASK}  (enter reveals)", style="dim")
        lines.append((VARIABLE + variable.name, line))
    for secret in source.secrets:
        # The ARN wrapped under itself: a Secrets Manager ARN is most of a line.
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        name = Text("  ")
        name.append_text(shown(secret.name, "bold"))
        name.append(" ← secret", style="dim")
        grid.add_row(name, shown(secret.source))
        lines.append((None, grid))

    lines.append(_heading("Instance"))
    lines += [
        (None, _field("cpu", cpu_label(config.cpu))),
        (None, _field("memory", memory_label(config.memory))),
        (None, _field("instance role", config.instance_role)),
    ]

    lines.append(_heading("Health check"))
    lines.append((None, _field("check", config.health_check.words)))

    lines.append(_heading("Auto scaling"))
    scaling = config.auto_scaling
    if scaling is None:
        lines.append((None, _field("configuration", None)))
    else:
        latest = (
            "" if scaling.latest is None else " (latest)" if scaling.latest else " (not the latest)"
        )
        revision = f" revision {scaling.revision}" if scaling.revision is not None else ""
        lines += [
            (None, _field("configuration", f"{scaling.name}{revision}{latest}")),
            (None, _field("instances", _sizes(scaling.min_size, scaling.max_size))),
            (None, _field("max concurrency", scaling.max_concurrency)),
        ]

    lines.append(_heading("Network"))
    network = config.network
    ingress = (
        "—"
        if network.public_ingress is None
        else "public"
        if network.public_ingress
        else "private (VPC ingress connection)"
    )
    lines.append((None, _field("ingress", ingress)))
    reached = config.vpc_ingress
    if reached is not None:
        lines.append(
            (None, _field("VPC ingress", f"{reached.name} ({reached.status or 'unknown'})"))
        )
        lines.append(
            (
                None,
                _field("from", f"{reached.vpc_id or '?'}, endpoint {reached.endpoint_id or '?'}"),
            )
        )
        lines.append((None, _field("private domain", reached.domain_name)))
    if network.egress == "VPC":
        connector = config.vpc_connector
        named = connector.name if connector else network.vpc_connector_arn
        lines.append((None, _field("egress", f"VPC connector {named}")))
        if connector is not None:
            lines.append((None, _field("subnets", ", ".join(connector.subnets) or "—")))
            lines.append(
                (None, _field("security groups", ", ".join(connector.security_groups) or "—"))
            )
    else:
        lines.append((None, _field("egress", "default (public internet)")))
    lines.append((None, _field("IP addresses", network.ip_address_type)))

    lines.append(_heading("Observability"))
    tracing = config.tracing
    if not config.observability_enabled:
        lines.append((None, _field("tracing", "off")))
    elif tracing is None:
        lines.append((None, _field("tracing", f"on ({config.observability_arn})")))
    else:
        vendor = tracing.vendor or "no vendor"
        lines.append((None, _field("tracing", f"on: {vendor} ({tracing.name})")))
    lines.append(
        (None, _field("encryption", config.encryption_key or "an AWS owned key (default)"))
    )

    lines.append(_heading("Tags"))
    if config.tags is not None:
        if not config.tags:
            lines.append((None, _field("tags", "none")))
        for key, value in config.tags:
            lines.append((None, _field(key, value)))

    for what, why in config.problems:
        line = Text("  could not read ", style="yellow")
        line.append_text(shown(f"{what}: {why}", "yellow"))
        lines.append((None, line))
    return lines


def _sizes(low: int | None, high: int | None) -> str:
    if low is None and high is None:
        return "—"
    return f"{'?' if low is None else low} to {'?' if high is None else high}"


class ConfigurationList(OptionList):
    """The configuration's lines, moved through as every list of artui is."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="configuration.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="configuration.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="configuration.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="configuration.page_down"),
        Binding("home,g", "first", "First line", show=False, id="configuration.first"),
        Binding("end,G", "last", "Last line", show=False, id="configuration.last"),
        # Here rather than on the pane: the list's own enter (select) would answer first.
        Binding(
            "enter",
            "reveal",
            "Reveal",
            id="configuration.reveal",
            tooltip="Show the highlighted variable's value (again: mask it)",
        ),
    ]

    def action_reveal(self) -> None:
        pane = next(a for a in self.ancestors if isinstance(a, ConfigurationPane))
        pane.reveal()


# The changes an incident needs, on capitals: a reader's keys never send or open a change.
_CHANGE_BINDINGS = [
    Binding(
        "R",
        "reconfigure('resize')",
        "Resize",
        id="configuration.resize",
        tooltip="Resize: CPU and memory (UpdateService; asks first)",
    ),
    Binding(
        "I",
        "reconfigure('scale')",
        "Scale",
        id="configuration.scale",
        tooltip="Scale: instances and concurrency, a new auto scaling revision (asks first)",
    ),
    Binding(
        "B",
        "reconfigure('rollback')",
        "Roll back",
        id="configuration.rollback",
        tooltip="Roll back or pick a version: an earlier image, tag, branch or commit (asks first)",
    ),
    Binding(
        "H",
        "reconfigure('health')",
        "Health check",
        id="configuration.health",
        tooltip="Change the health check (UpdateService; asks first)",
    ),
    Binding(
        "T",
        "reconfigure('autodeploy')",
        "Auto deploy",
        id="configuration.autodeploy",
        tooltip="Turn automatic deployments on or off (UpdateService; asks first)",
    ),
    Binding(
        "V",
        "reconfigure('variable')",
        "Variable",
        id="configuration.variable",
        tooltip="Set, change or remove an environment variable (UpdateService; asks first)",
    ),
]


class ConfigurationPane(Pane):
    """DescribeService and what it names, read again while the pane shows."""

    TAB = tab("configuration")

    BINDINGS = [
        *_CHANGE_BINDINGS,
        *(read_only_twin(b) for b in _CHANGE_BINDINGS),
        # Read-only (it reads and shows): live in read-only mode too, so it has no twin.
        # x for eXpress: e is the app's errors view.
        Binding(
            "x",
            "plan",
            "ECS plan",
            id="configuration.plan",
            tooltip="Show the Amazon ECS Express Mode plan for this service (read-only: "
            "the report and the request, to copy)",
        ),
    ]

    def __init__(self, service: Service) -> None:
        super().__init__(service)
        # Names of the variables whose value the operator chose to see: forgotten when the
        # pane is left, so a value is on screen only while it was asked for.
        self.revealed: frozenset[str] = frozenset()

    def compose(self) -> ComposeResult:
        yield ConfigurationList(id="configuration-list")
        yield Static("", id="configuration-empty")

    @property
    def known(self) -> Known[Configuration]:
        """The configuration last read for this service, from the store."""
        return self.ctx.store.get(KIND, self.ctx.scope_of(self.service), self.service.arn)

    @property
    def options(self) -> ConfigurationList:
        return self.query_one(ConfigurationList)

    def on_mount(self) -> None:
        self.fill()

    def focus(self, scroll_visible: bool = True) -> ConfigurationPane:
        self.options.focus(scroll_visible)
        return self

    def start(self) -> None:
        self.app.post_message(Watch(KIND, self.service, True))

    def stop(self) -> None:
        self.app.post_message(Watch(KIND, self.service, False))
        if self.revealed:
            self.revealed = frozenset()
            self.fill()

    def refresh_data(self) -> None:
        self.app.post_message(Watch(KIND, self.service, True))

    def store_changed(self, kind: str, key: str) -> None:
        if kind == KIND and key == self.service.arn:
            self.fill()

    def catch_up(self) -> None:
        self.fill()

    @guarded("the configuration pane")
    def fill(self) -> None:
        """Repaint from the store, keeping the highlight on the same line."""
        known = self.known
        held = known.value
        options = self.options
        current = options.highlighted
        options.clear_options()
        if held is not None:
            for option_id, line in configuration_lines(held, self.revealed):
                options.add_option(Option(line, id=option_id, disabled=option_id is None))
            if options.option_count:
                first = next(
                    i
                    for i in range(options.option_count)
                    if not options.get_option_at_index(i).disabled
                )
                options.highlighted = max(first, min(current or 0, options.option_count - 1))
        options.display = held is not None
        self._empty(known)
        self.host.update_status()

    def _empty(self, known: Known[Configuration]) -> None:
        message = ""
        if known.value is None and known.error is not None:
            message = f"Could not read the configuration: {describe(known.error)}"
        elif known.value is None:
            message = "Reading the configuration…"
        empty = self.query_one("#configuration-empty", Static)
        empty.update(shown(message))
        empty.display = bool(message)

    def reveal(self) -> None:
        """`enter` on a variable's line: its value shown, or masked again."""
        option = self.options.highlighted_option
        if option is None or not option.id or not option.id.startswith(VARIABLE):
            return
        name = option.id.removeprefix(VARIABLE)
        self.revealed = self.revealed ^ {name}
        self.fill()  # the same lines: the highlight keeps its place

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "plan":
            return True if self.known.value is not None else None  # greyed until read
        if action != "reconfigure":
            return True
        if not twin_live(parameters, self.ctx.settings.read_only):
            return False  # the other of the pair is the live one (read-only or not)
        return True if self.known.value is not None else None  # greyed until read

    def action_reconfigure(self, what: str, mode: str = "") -> None:
        """`R`, `I`, `B`, `H`, `T`, `V`: the change's form (`T` has none), then its
        before/after to confirm (`mode` READ_ONLY: the twin, which the flow refuses)."""
        held = self.known.value
        if held is None:
            return
        change: Reconfigure
        if what == "resize":
            change = Resize(was_cpu=held.cpu, was_memory=held.memory)
        elif what == "scale":
            change = Scale(was=held.auto_scaling, service_name=self.service.name)
        elif what == "rollback":
            change = RollBack(source=held.source)
        elif what == "health":
            change = SetHealthCheck(was=held.health_check)
        elif what == "autodeploy":
            change = AutoDeployments(source=held.source, on=not held.source.auto_deployments)
        else:
            option = self.options.highlighted_option
            name = ""
            if option is not None and option.id and option.id.startswith(VARIABLE):
                name = option.id.removeprefix(VARIABLE)
            change = SetVariable(source=held.source, variable=name)
        self.ctx.request_change(self.service, change)

    def action_plan(self) -> None:
        """`e`: the open service's Amazon ECS Express Mode plan, on a screen of its own."""
        if self.known.value is not None:
            self.app.push_screen(PlanScreen(self.service))

    def status_text(self) -> Text:
        known = self.known
        line = Text()
        held = known.value
        if held is not None:
            count = len(held.source.variables)
            line.append(f"{count} variables, {len(held.source.secrets)} secrets  ")
            if self.revealed:
                line.append(f"{len(self.revealed)} revealed  ", style="bold yellow")
        if known.error is not None and held is not None:
            line.append_text(shown(f"read failed: {describe(known.error)}  ", "yellow"))
        return line
