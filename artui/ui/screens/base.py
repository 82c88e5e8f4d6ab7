"""What every artui screen shares: a `#status` line whose ages keep counting."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from artui.domain.apprunner import Service, ServiceStatus
from artui.domain.changes import BY_NAME
from artui.domain.errors import describe
from artui.domain.format import ago
from artui.ui.context import ViewContext, context_of
from artui.ui.text import shown

# How long a bug caught while drawing stays at the front of every status line.
INTERNAL_SHOWN = 300


# The keys that change a service, on the services list and in the service view. The id of
# each is what a keymap names to move it.
ACTION_BINDINGS = [
    Binding("d", "act('deploy')", "Deploy", id="action.deploy", tooltip="Deploy (StartDeployment)"),
    Binding(
        "p",
        "act('pause')",
        "Pause",
        id="action.pause",
        tooltip="Pause (PauseService): stops every instance",
    ),
    Binding("u", "act('resume')", "Resume", id="action.resume", tooltip="Resume (ResumeService)"),
    Binding(
        "ctrl+d",
        "act('delete')",
        "Delete",
        id="action.delete",
        tooltip="Delete (DeleteService): type the name to confirm",
    ),
    # Offered for a service whose creation failed (botocore's model: "rebuild your service
    # using UpdateService"); hidden otherwise.
    Binding(
        "b",
        "act('rebuild')",
        "Rebuild",
        id="action.rebuild",
        tooltip="Rebuild a failed creation (UpdateService, current configuration)",
    ),
]


class StatusScreen(Screen):
    """A screen with a `#status` line, repainted once a second only when it changes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._status: Text | None = None

    @property
    def ctx(self) -> ViewContext:
        """The app, through the interface screens read it by."""
        return context_of(self)

    def on_mount(self) -> None:
        # Textual calls this as well as a subclass's on_mount (handlers run up the MRO):
        # subclasses must not call it again.
        self.set_interval(1, self.update_status)

    def status_text(self) -> Text:
        """What the status line should say now."""
        return Text()

    def update_status(self) -> None:
        """Repaint the status line if what it says has changed."""
        try:
            line = self.status_text()
        except Exception as exc:
            # Not through internal_error's own status repaint: that would come back here.
            line = shown(f"cannot show the status: {describe(exc)}", "bold magenta")
        if self.ctx.settings.read_only:
            line = Text("READ-ONLY  ", style="bold reverse yellow").append_text(line)
        internal = self.ctx.internal
        now = self.ctx.clock()
        if internal is not None and now - internal.at < INTERNAL_SHOWN:
            bug = Text(f"internal error {ago(now - internal.at)} (e): ", style="bold magenta")
            bug.append_text(shown(internal.message, "magenta"))
            line = bug.append("  ").append_text(line)
        if line != self._status:
            self._status = line
            self.query_one("#status", Static).update(line)


class ActsOnService(StatusScreen):
    """A screen with ACTION_BINDINGS: the service they act on, and the intent they post."""

    def acted_on(self) -> Service | None:
        """The service an action key acts on (the open one, the one under the cursor)."""
        raise NotImplementedError

    def action_act(self, name: str) -> None:
        service = self.acted_on()
        if service is None:
            self.app.notify("No service is selected.", severity="warning")
            return
        self.ctx.request_change(service, BY_NAME[name]())

    def offers(self, action: str, parameters: tuple[object, ...]) -> bool:
        """False for the rebuild key unless the service failed to create (it hides)."""
        if action == "act" and parameters == ("rebuild",):
            service = self.acted_on()
            return service is not None and service.status is ServiceStatus.CREATE_FAILED
        return True
