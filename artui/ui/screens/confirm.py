"""Confirmations sized to the harm: one key for deploy, resume and rebuild, a warning for
pause, and the service's name typed out for delete."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from artui.domain.apprunner import Service
from artui.domain.changes import Change, Deploy, Pause, Rebuild, Reconfigure, Resume
from artui.ui.text import shown


def _naming(verb: str, service: Service) -> Text:
    line = Text(f"{verb} ", style="bold")
    line.append_text(shown(service.name, "bold cyan"))
    line.append_text(shown(f" in {service.place}?", "bold"))
    return line


def consequences(change: Change, service: Service) -> Text:
    """What the change does, in the guide's words, for the dialog's body."""
    if isinstance(change, Deploy):
        return Text(
            "App Runner deploys the latest version of the service's source (StartDeployment). "
            "If it fails, the service keeps running its current version."
        )
    if isinstance(change, Resume):
        return Text(
            "App Runner provisions instances again and runs the version that ran before the "
            "pause (ResumeService). The URL stays the same."
        )
    if isinstance(change, Rebuild):
        return Text(
            "App Runner tries the creation again with the service's current configuration "
            "(UpdateService). Read the deployment log first (a, then enter on Create): the "
            "same configuration may fail the same way."
        )
    if isinstance(change, Pause):
        return Text.assemble(
            ("The app loses its state: ", "bold yellow"),
            "every instance stops and ephemeral storage is lost. ",
            ("It cannot be deployed until it is resumed (u). ", "bold yellow"),
            "The URL and the stored version stay (PauseService).",
        )
    if isinstance(change, Reconfigure):
        body = Text()
        width = max(len(what) for what, _, _ in change.diff())
        for what, before, after in change.diff():
            body.append(f"{what:<{width}}  ", style="bold")
            body.append_text(shown(before, "red"))
            body.append("  →  ", style="dim")
            body.append_text(shown(after, "green"))
            body.append("\n")
        body.append(
            "App Runner deploys the service again with this configuration (UpdateService). "
            "If the deployment fails, the service keeps running as it is."
        )
        return body
    raise ValueError(f"{change.name} has its own dialog")


class ConfirmScreen(ModalScreen[bool]):
    """One question: y confirms; n, q or escape cancel; enter presses the focused button,
    and the focus starts on Cancel, so enter alone (the list's "open") never confirms."""

    BINDINGS = [
        Binding("y", "answer(True)", "Confirm", id="confirm.yes"),
        Binding("n", "answer(False)", "Cancel", id="confirm.no"),
        Binding("escape", "answer(False)", "Cancel", show=False, id="confirm.cancel"),
        # q goes back one level everywhere but the list: here, that is cancelling.
        Binding("q", "answer(False)", "Cancel", show=False, id="confirm.cancel_q"),
    ]
    AUTO_FOCUS = "#confirm-cancel"
    # The buttons' row only (the dialog's own look is in app.tcss, by its id).
    DEFAULT_CSS = """
    #confirm-buttons { margin-top: 1; }
    #confirm-buttons Button { margin-right: 2; }
    """

    def __init__(self, question: Text, body: Text, kind: str, verb: str) -> None:
        """`verb` labels the button that confirms ("Deploy", "Unlink")."""
        super().__init__(classes=f"confirm {kind}")
        self.question = question
        self.body = body
        self.verb = verb

    @classmethod
    def for_change(cls, change: Change, service: Service) -> ConfirmScreen:
        """The dialog for a change to the whole service (delete has its own)."""
        return cls(
            _naming(change.verb, service), consequences(change, service), change.name, change.verb
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(self.question, id="confirm-question")
            yield Static(self.body, id="confirm-body")
            with HorizontalGroup(id="confirm-buttons"):
                # Each button runs the keys' own action (answer), as y and n do. One look for
                # both: only the focus lights one, so the lit one is the one enter presses.
                yield Button(
                    "Cancel", id="confirm-cancel", compact=True, action="screen.answer(False)"
                )
                yield Button(
                    self.verb, id="confirm-yes", compact=True, action="screen.answer(True)"
                )
            yield Static(
                Text("y confirms · n or escape cancels · enter: the focused button", style="dim")
            )

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class DeleteScreen(ModalScreen[bool]):
    """Delete: the operator types the service's name; anything else sends nothing."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="delete.cancel")]
    AUTO_FOCUS = "#delete-name"

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service

    def compose(self) -> ComposeResult:
        with Vertical(id="delete"):
            yield Static(_naming("Delete", self.service), id="delete-question")
            yield Static(
                Text.assemble(
                    ("This cannot be undone. ", "bold red"),
                    "App Runner deletes the service, its configuration and its stored "
                    "version; a new service gets a new URL. ",
                    ("Pausing (p) is the reversible alternative.", "bold"),
                ),
                id="delete-body",
            )
            yield Static(shown(f"Type {self.service.name} and press enter:", "bold"))
            yield Input(id="delete-name")
            yield Static(Text("escape cancels", style="dim"), id="delete-hint")

    @on(Input.Submitted, "#delete-name")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value == self.service.name:
            self.dismiss(True)
            return
        hint = self.query_one("#delete-hint", Static)
        hint.update(
            Text("That is not the service's name: nothing was sent. Escape cancels.", "bold red")
        )

    def action_cancel(self) -> None:
        self.dismiss(False)
