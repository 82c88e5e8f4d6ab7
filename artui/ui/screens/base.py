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


# The last parameter of a change key's read-only twin (`read_only_twin`).
READ_ONLY = "read-only"
# The end of a twin's id: the original's id, then this.
TWIN_ID = ".read_only"


def read_only_twin(binding: Binding) -> Binding:
    """The twin of a key that changes AWS, live instead of it in read-only mode: the same key
    and action with READ_ONLY as its last parameter (`twin_live` tells them apart). It stays
    out of the footer, so nothing offers what the clients refuse; `?` lists it as refused;
    pressed, the change flow says artui is read-only, as it says any other refusal."""
    name, _, rest = binding.action.partition("(")
    arguments = rest.removesuffix(")")
    action = f"{name}({arguments}, '{READ_ONLY}')" if arguments else f"{name}('{READ_ONLY}')"
    return Binding(
        binding.key,
        action,
        binding.description,
        show=False,
        id=f"{binding.id}{TWIN_ID}",
        tooltip=binding.tooltip,
    )


def twin_live(parameters: tuple[object, ...], read_only: bool) -> bool:
    """Whether a change key with these action parameters is the live one of its pair: the
    key itself while artui may change AWS, its read-only twin while it may not."""
    return (parameters[-1:] == (READ_ONLY,)) is read_only


def is_twin(binding: Binding) -> bool:
    """Whether `binding` is a read-only twin (`?` lists those apart, as refused)."""
    return binding.id is not None and binding.id.endswith(TWIN_ID)


# The keys that change a service, on the services list and on the service view's overview
# (never on a pane where a reader types: d, u and b page and follow in less and vim). The
# id of each is what a keymap names to move it.
_CHANGE_BINDINGS = [
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
ACTION_BINDINGS = [*_CHANGE_BINDINGS, *(read_only_twin(b) for b in _CHANGE_BINDINGS)]


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
            # One row whatever it says (app.tcss): no layout of the whole screen, once a
            # second, for a line whose size cannot change.
            self.query_one("#status", Static).update(line, layout=False)


class ActsOnService(StatusScreen):
    """A screen with ACTION_BINDINGS: the service they act on, and the intent they post."""

    def acted_on(self) -> Service | None:
        """The service an action key acts on (the open one, the one under the cursor)."""
        raise NotImplementedError

    def action_act(self, name: str, mode: str = "") -> None:
        """Ask the change flow for the change `name` on the service acted on (`mode`
        READ_ONLY: the key's read-only twin, which the flow refuses saying why)."""
        service = self.acted_on()
        if service is None:
            self.app.notify("No service is selected.", severity="warning")
            return
        self.ctx.request_change(service, BY_NAME[name]())

    def offers(self, action: str, parameters: tuple[object, ...]) -> bool:
        """For a change key: False unless it is the live one of its pair (`twin_live`), and
        for the rebuild key unless the service failed to create (it hides). True for any
        other action."""
        if action != "act":
            return True
        if not twin_live(parameters, self.ctx.settings.read_only):
            return False
        if parameters[0] == "rebuild":
            service = self.acted_on()
            return service is not None and service.status is ServiceStatus.CREATE_FAILED
        return True
