"""The forms that give a configuration change its new values: a size from the supported
pairs, the auto scaling sizes, one variable. Each answers the new values (None: cancelled);
the change flow then checks the guide's rules and confirms the before/after diff."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, OptionList, Static
from textual.widgets.option_list import Option

from artui.domain.apprunner import HealthCheck, Service
from artui.domain.changes import (
    Reconfigure,
    Resize,
    RollBack,
    Scale,
    SetHealthCheck,
    SetVariable,
)
from artui.domain.configuration import INSTANCE_SIZES, MAX_CONCURRENCY, MAX_SIZE, Image
from artui.domain.format import ago, cpu_label, memory_label
from artui.ui.text import shown


def _title(change: Reconfigure, service: Service) -> Text:
    line = Text(f"{change.verb} ", style="bold")
    line.append_text(shown(service.name, "bold cyan"))
    line.append_text(shown(f" in {service.place}", "bold"))
    return line


class ResizeScreen(ModalScreen["tuple[str, str] | None"]):
    """CPU and memory: the pairs App Runner supports, the service's own marked."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="resize.cancel"),
        Binding("q", "cancel", "Cancel", show=False, id="resize.cancel_q"),
        Binding("j", "cursor('down')", "Down", show=False, id="resize.down"),
        Binding("k", "cursor('up')", "Up", show=False, id="resize.up"),
    ]
    AUTO_FOCUS = "#resize-sizes"

    def __init__(self, service: Service, change: Resize) -> None:
        super().__init__(classes="configure")
        self.service = service
        self.change = change

    def compose(self) -> ComposeResult:
        pairs = [(cpu, memory) for cpu, memories in INSTANCE_SIZES.items() for memory in memories]
        options = []
        for cpu, memory in pairs:
            label = Text(f"{cpu_label(cpu):>9} · {memory_label(memory):<6}")
            if (cpu, memory) == (self.change.was_cpu, self.change.was_memory):
                label.append("  now", style="bold cyan")
            options.append(Option(label, id=f"{cpu}/{memory}"))
        with Vertical(id="configure"):
            yield Static(_title(self.change, self.service), id="configure-question")
            yield Static(Text("The service's CPU and memory (App Runner's supported pairs):"))
            yield OptionList(*options, id="resize-sizes")
            yield Static(
                Text("enter chooses (you confirm next) · escape cancels", style="dim"),
                id="configure-hint",
            )

    def on_mount(self) -> None:
        sizes = self.query_one("#resize-sizes", OptionList)
        now = f"{self.change.was_cpu}/{self.change.was_memory}"
        ids = [sizes.get_option_at_index(i).id for i in range(sizes.option_count)]
        sizes.highlighted = ids.index(now) if now in ids else 0

    def action_cursor(self, way: str) -> None:
        sizes = self.query_one("#resize-sizes", OptionList)
        sizes.action_cursor_down() if way == "down" else sizes.action_cursor_up()

    @on(OptionList.OptionSelected, "#resize-sizes")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        cpu, memory = str(event.option.id).split("/")
        self.dismiss((cpu, memory))

    def action_cancel(self) -> None:
        self.dismiss(None)


class _FieldsScreen(ModalScreen[Any]):
    """A form of inputs: enter in any field submits; a value the rules refuse is said under
    the fields, and nothing is answered."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="configure.cancel")]

    def say(self, problem: str) -> None:
        self.query_one("#configure-hint", Static).update(shown(problem, "bold red"))

    def refuse(self, problem: str) -> None:
        """Say a rule's refusal (a change's `problem()`) where the hint was."""
        self.say(f"{problem[0].upper()}{problem[1:]}: nothing was sent.")

    def action_cancel(self) -> None:
        self.dismiss(None)


class ScaleScreen(_FieldsScreen):
    """Minimum and maximum instances and maximum concurrency, within the guide's limits."""

    AUTO_FOCUS = "#scale-max"

    def __init__(self, service: Service, change: Scale) -> None:
        super().__init__(classes="configure")
        self.service = service
        self.change = change

    def compose(self) -> ComposeResult:
        was = self.change.was

        def value(number: int | None) -> str:
            return "" if number is None else str(number)

        with Vertical(id="configure"):
            yield Static(_title(self.change, self.service), id="configure-question")
            yield Static(
                shown(
                    f"A new revision of {self.change.configuration_name}; the service then "
                    "uses it. Instances 1 to "
                    f"{MAX_SIZE}, concurrency 1 to {MAX_CONCURRENCY}."
                )
            )
            yield Static("Minimum instances")
            yield Input(value(was.min_size if was else None), type="integer", id="scale-min")
            yield Static("Maximum instances")
            yield Input(value(was.max_size if was else None), type="integer", id="scale-max")
            yield Static("Maximum concurrency (requests an instance takes at once)")
            yield Input(
                value(was.max_concurrency if was else None), type="integer", id="scale-concurrency"
            )
            yield Static(
                Text("enter: confirm next · tab: next field · escape cancels", style="dim"),
                id="configure-hint",
            )

    @on(Input.Submitted)
    def _submitted(self) -> None:
        try:
            sizes = tuple(
                int(self.query_one(f"#scale-{part}", Input).value)
                for part in ("min", "max", "concurrency")
            )
        except ValueError:
            self.say("Every field takes a whole number.")
            return
        low, high, concurrency = sizes
        chosen = Scale(
            was=self.change.was,
            service_name=self.change.service_name,
            min_size=low,
            max_size=high,
            max_concurrency=concurrency,
        )
        problem = chosen.problem()
        if problem is not None:
            self.refuse(problem)
            return
        self.dismiss(sizes)


class VariableScreen(_FieldsScreen):
    """One variable: its name, its value typed masked, or removed."""

    def __init__(self, service: Service, change: SetVariable) -> None:
        super().__init__(classes="configure")
        self.service = service
        self.change = change

    def compose(self) -> ComposeResult:
        with Vertical(id="configure"):
            yield Static(_title(self.change, self.service), id="configure-question")
            yield Static("Name")
            yield Input(self.change.variable, id="variable-name")
            yield Static("Value (typed masked)")
            yield Input(password=True, id="variable-value")
            yield Checkbox("Remove this variable: off", id="variable-remove")
            yield Static(
                Text("enter: confirm next · tab: next field · escape cancels", style="dim"),
                id="configure-hint",
            )

    def on_mount(self) -> None:
        # A variable's line was highlighted: its value is what the operator came to type.
        field = "#variable-value" if self.change.variable else "#variable-name"
        self.query_one(field, Input).focus()

    @on(Checkbox.Changed, "#variable-remove")
    def _remove_changed(self, event: Checkbox.Changed) -> None:
        # Said in words, not by the box's colour alone.
        event.checkbox.label = f"Remove this variable: {'on' if event.value else 'off'}"

    @on(Input.Submitted)
    def _submitted(self) -> None:
        name = self.query_one("#variable-name", Input).value.strip()
        value = self.query_one("#variable-value", Input).value
        removing = self.query_one("#variable-remove", Checkbox).value
        chosen = SetVariable(
            source=self.change.source,
            variable=name,
            value=None if removing else value,
            removing=removing,
        )
        problem = chosen.problem() if name else "a variable needs a name"
        if problem is not None:
            self.refuse(problem)
            return
        self.dismiss((name, None if removing else value, removing))


class RollBackScreen(_FieldsScreen):
    """The version to run: one of the private ECR repository's images, newest first (the
    running one marked), or, for any other source, a tag, branch or commit typed."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="rollback.cancel"),
        Binding("j", "cursor('down')", "Down", show=False, id="rollback.down"),
        Binding("k", "cursor('up')", "Up", show=False, id="rollback.up"),
    ]

    def __init__(
        self, service: Service, change: RollBack, images: tuple[Image, ...] | None, now: float
    ) -> None:
        super().__init__(classes="configure")
        self.service = service
        self.change = change
        self.images = images
        self.now = now

    def compose(self) -> ComposeResult:
        source = self.change.source
        assert source is not None
        with Vertical(id="configure"):
            yield Static(_title(self.change, self.service), id="configure-question")
            if self.images:
                repository = source.identifier.rsplit("@", 1)[0].rsplit(":", 1)[0]
                yield Static(shown(f"The images of {repository}, newest first:"))
                options = []
                for image in self.images:
                    identifier = image.identifier(repository)
                    label = shown(f"{', '.join(image.tags) or '(untagged)':<18}", "bold")
                    pushed = image.pushed_at.timestamp() if image.pushed_at else None
                    label.append(f" pushed {ago(None if pushed is None else self.now - pushed)}")
                    label.append_text(shown(f"  {image.digest[7:19]}", "dim"))
                    if identifier == source.identifier or (
                        image.tags and source.identifier.endswith(f":{image.tags[0]}")
                    ):
                        label.append("  now", style="bold cyan")
                    options.append(Option(label, id=identifier))
                yield OptionList(*options, id="rollback-images")
                hint = "enter chooses (you confirm next) · escape cancels"
            else:
                what = (
                    "image identifier"
                    if source.kind == "image"
                    else ((source.repository_type or "version").lower())
                )
                yield Static(shown(f"The {what} to run (now: {self.change.current()}):"))
                yield Input(self.change.current() or "", id="rollback-to")
                hint = "enter: confirm next · escape cancels"
            yield Static(Text(hint, style="dim"), id="configure-hint")

    def on_mount(self) -> None:
        if self.images:
            self.query_one("#rollback-images", OptionList).focus()
        else:
            self.query_one("#rollback-to", Input).focus()

    def action_cursor(self, way: str) -> None:
        if self.images:
            images = self.query_one("#rollback-images", OptionList)
            images.action_cursor_down() if way == "down" else images.action_cursor_up()

    def _choose(self, to: str) -> None:
        problem = replace(self.change, to=to).problem() if to else "name a version"
        if problem is not None:
            self.refuse(problem)
            return
        self.dismiss(to)

    @on(OptionList.OptionSelected, "#rollback-images")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._choose(str(event.option.id))

    @on(Input.Submitted, "#rollback-to")
    def _typed(self, event: Input.Submitted) -> None:
        self._choose(event.value.strip())


class HealthCheckScreen(_FieldsScreen):
    """The health check: protocol, path (HTTP), and its four timings."""

    AUTO_FOCUS = "#health-protocol"
    FIELDS = (
        ("protocol", "protocol (TCP, HTTP)"),
        ("path", "path (HTTP only)"),
        ("interval", "interval s (1-20)"),
        ("timeout", "timeout s (1-20)"),
        ("healthy", "healthy after (1-20)"),
        ("unhealthy", "unhealthy after (1-20)"),
    )

    def __init__(self, service: Service, change: SetHealthCheck) -> None:
        super().__init__(classes="configure")
        self.service = service
        self.change = change

    def compose(self) -> ComposeResult:
        was = self.change.was
        values = (
            was.protocol or "TCP",
            was.path or "",
            *(
                "" if n is None else str(n)
                for n in (was.interval, was.timeout, was.healthy_threshold, was.unhealthy_threshold)
            ),
        )
        with Vertical(id="configure"):
            yield Static(_title(self.change, self.service), id="configure-question")
            for (key, label), value in zip(self.FIELDS, values, strict=True):
                # One row each, the label beside a compact field: six fit at 80x24.
                with HorizontalGroup(classes="configure-row"):
                    yield Static(label, classes="configure-label")
                    yield Input(value, id=f"health-{key}", compact=True)
            yield Static(
                Text("enter: confirm next · tab: next field · escape cancels", style="dim"),
                id="configure-hint",
            )

    @on(Input.Submitted)
    def _submitted(self) -> None:
        read = {
            key: self.query_one(f"#health-{key}", Input).value.strip() for key, _ in self.FIELDS
        }
        try:
            numbers = [int(read[key]) for key in ("interval", "timeout", "healthy", "unhealthy")]
        except ValueError:
            self.say("The timings are whole numbers of seconds and checks.")
            return
        check = HealthCheck(read["protocol"].upper(), read["path"] or None, *numbers)
        problem = replace(self.change, check=check).problem()
        if problem is not None:
            self.refuse(problem)
            return
        self.dismiss(check)


def configure_form(
    service: Service, change: Reconfigure, images: tuple[Image, ...] | None = None, now: float = 0.0
) -> ModalScreen[Any]:
    """The form that gives `change` its new values (a rollback offers `images`)."""
    if isinstance(change, RollBack):
        return RollBackScreen(service, change, images, now)
    if isinstance(change, SetHealthCheck):
        return HealthCheckScreen(service, change)
    if isinstance(change, Resize):
        return ResizeScreen(service, change)
    if isinstance(change, Scale):
        return ScaleScreen(service, change)
    if isinstance(change, SetVariable):
        return VariableScreen(service, change)
    raise ValueError(f"{change.name} has no form")


def with_values(change: Reconfigure, answer: Any) -> Reconfigure:
    """`change` with the values its form answered."""
    if isinstance(change, Resize):
        cpu, memory = answer
        return replace(change, cpu=cpu, memory=memory)
    if isinstance(change, Scale):
        low, high, concurrency = answer
        return replace(change, min_size=low, max_size=high, max_concurrency=concurrency)
    if isinstance(change, SetVariable):
        name, value, removing = answer
        return replace(change, variable=name, value=value, removing=removing)
    if isinstance(change, RollBack):
        return replace(change, to=answer)
    if isinstance(change, SetHealthCheck):
        return replace(change, check=answer)
    raise ValueError(f"{change.name} has no form")
