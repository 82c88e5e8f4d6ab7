"""A question for the operator from the AWS side (an MFA code), asked inside the TUI."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from artui.ui.text import shown


class PromptScreen(ModalScreen["str | None"]):
    """One masked answer: enter gives it, escape declines."""

    BINDINGS = [Binding("escape", "decline", "Cancel", id="prompt.cancel")]
    AUTO_FOCUS = "#prompt-answer"

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            # The question names things from the AWS config file (an MFA device's ARN).
            yield Static(shown(self.question, "bold"), id="prompt-question")
            yield Input(password=True, id="prompt-answer")
            yield Static(Text("enter answers, escape cancels", style="dim"))

    @on(Input.Submitted, "#prompt-answer")
    def _answer(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_decline(self) -> None:
        self.dismiss(None)
