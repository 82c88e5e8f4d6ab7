"""`e`: the recent errors in full, for when the status line has cut them short."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from artui.domain.format import ago, time_text, zone_label
from artui.engine.journal import Failure, Journal
from artui.ui.text import shown
from artui.ui.widgets.scroll import Scroll


def failure_text(failure: Failure, now: float) -> Text:
    """One error: when, where, which operation; AWS's whole message; what artui does next."""
    when = f"{time_text(failure.at, '%H:%M:%S')} {zone_label(failure.at)}"
    text = Text(f"{when} ({ago(now - failure.at)})  ", style="dim")
    if failure.count > 1 and failure.since is not None:
        first = time_text(failure.since, "%H:%M:%S")
        text.append(f"{failure.count} times since {first}  ", style="dim")
    if failure.region:
        text.append_text(shown(f"{failure.region}  ", "bold"))
    text.append_text(shown(failure.operation, "bold"))
    text.append("\n")
    text.append_text(shown(failure.message, "red", lines=True))
    text.append("\n")
    text.append_text(shown(f"next: {failure.next_step}", "italic"))
    return text


def errors_body(failures: list[Failure], now: float) -> Group | Text:
    """Newest first, a blank line between."""
    if not failures:
        return Text("No errors since artui started.", style="dim")
    parts: list[Text] = []
    for failure in reversed(failures):
        parts.extend((failure_text(failure, now), Text("")))
    return Group(*parts[:-1])


class ErrorsScreen(ModalScreen[None]):
    """Recent errors, newest first, kept current while open; escape (or e, or q) closes."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="errors.close"),
        Binding("e", "dismiss", "Close", id="errors.close_e"),
        Binding("q", "dismiss", "Close", id="errors.close_q"),
    ]

    def __init__(self, journal: Journal, clock: Callable[[], float], log: str | None) -> None:
        super().__init__()
        self.journal = journal
        self.clock = clock
        self.log_file = log

    def compose(self) -> ComposeResult:
        with Scroll(id="errors"):
            yield Static(id="errors-heading")
            yield Static(id="errors-body")

    def on_mount(self) -> None:
        self.show_errors()
        # New failures arrive and ages grow while the operator reads.
        self.set_interval(1, self.show_errors)

    def show_errors(self) -> None:
        """Paint the journal as it is now."""
        failures = list(self.journal)
        heading = Text(f"Recent errors ({len(failures)})  escape closes", style="bold")
        if self.log_file:
            heading.append_text(shown(f"\nlog: {self.log_file}", "dim", lines=True))
        self.query_one("#errors-heading", Static).update(heading)
        self.query_one("#errors-body", Static).update(errors_body(failures, self.clock()))
