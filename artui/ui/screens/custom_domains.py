"""The custom domains pane's dialogs: the link form (checked before any call), the unlink
confirmation, and a domain's records as a zone-file snippet."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Static, TextArea

from artui.domain.apprunner import Service
from artui.domain.custom_domains import (
    MAX_DOMAINS,
    CustomDomain,
    CustomDomains,
    dns_records,
    name_problem,
    normalised,
)
from artui.domain.inert import inert
from artui.ui.screens.confirm import ConfirmScreen
from artui.ui.text import shown

# The checkbox's label until a name is typed.
WWW_LABEL = "Also link www.<domain> (not with a wildcard)"


def www_label(name: str, on: bool) -> Content:
    """The www checkbox's label: what it links, then on or off in words, which the box
    itself says by colour alone. Plain content: the name is typed, never markup."""
    what = f"Also link www.{name}" if name else WWW_LABEL
    return Content(f"{what}: {'on' if on else 'off'}")


def _about(question: str, what: str, service: Service) -> Text:
    """`question` ("Link {} to") with `what` in it, naming the service and its region."""
    before, after = question.split("{}")
    line = Text(before, style="bold")
    line.append_text(shown(what, "bold cyan"))
    line.append_text(shown(f"{after} {service.name} in {service.place}?", "bold"))
    return line


class LinkScreen(ModalScreen["tuple[str, bool] | None"]):
    """The domain to link and the www option; enter links once the guide's rules pass."""

    BINDINGS = [
        # Over the checkbox's own enter (a toggle; space still toggles): one thing to do here.
        Binding("enter", "link", "Link", priority=True, id="link.submit"),
        Binding("escape", "cancel", "Cancel", id="link.cancel"),
    ]
    AUTO_FOCUS = "#link-name"

    def __init__(self, service: Service, held: CustomDomains | None) -> None:
        super().__init__()
        self.service = service
        self.held = held

    def compose(self) -> ComposeResult:
        count = len(self.held.domains) if self.held is not None else 0
        with Vertical(id="link"):
            yield Static(_about("Link {} to", "a domain", self.service), id="link-question")
            yield Static(
                Text(
                    f"{count} of {MAX_DOMAINS} linked. A subdomain (shop.example.com), a root "
                    "domain (example.com) or a wildcard directly under a root (*.example.com)."
                ),
                id="link-body",
            )
            yield Input(placeholder="shop.example.com", id="link-name")
            yield Checkbox(www_label("", False), id="link-www")
            yield Static(
                Text("enter links · tab moves · escape cancels", style="dim"), id="link-hint"
            )

    def _say(self, problem: str) -> None:
        self.query_one("#link-hint", Static).update(
            Text(f"{problem} Nothing was sent.", style="bold red")
        )

    @on(Input.Changed, "#link-name")
    @on(Checkbox.Changed, "#link-www")
    def _changed(self) -> None:
        name = normalised(self.query_one("#link-name", Input).value)
        www = self.query_one("#link-www", Checkbox)
        www.label = www_label(name, www.value)

    def action_link(self) -> None:
        """Check the form by the guide's rules; send nothing unless they pass."""
        name = normalised(self.query_one("#link-name", Input).value)
        www = self.query_one("#link-www", Checkbox).value
        problem = name_problem(name, www, self.held)
        if problem is not None:
            self._say(problem)
            return
        self.dismiss((name, www))

    def action_cancel(self) -> None:
        self.dismiss(None)


def unlink_dialog(service: Service, domain: CustomDomain, dns_target: str | None) -> ConfirmScreen:
    """The confirmation for unlinking `domain`, reminding what to delete from DNS."""
    names = [r.name for r in dns_records(domain, dns_target)]
    body = Text.assemble(
        "App Runner stops routing ",
        shown(domain.name, "bold"),
        f"{' and its www' if domain.www else ''} to the service (DisassociateCustomDomain). ",
        ("Then delete its records from your DNS", "bold yellow"),
        f" ({len(names)}: " if names else "",
        shown(", ".join(names)),
        "). " if names else ". ",
        "Linking it again later issues new validation records.",
    )
    return ConfirmScreen(_about("Unlink {} from", domain.name, service), body, "unlink", "Unlink")


class ZoneScreen(ModalScreen[None]):
    """A domain's records as a zone-file snippet: copied to the clipboard, and shown to
    select from where the terminal does not pass the clipboard on."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="zone.close"),
        # q goes back one level everywhere but the list.
        Binding("q", "dismiss", "Close", show=False, id="zone.close_q"),
        Binding("c", "copy", "Copy again", id="zone.copy"),
    ]

    def __init__(self, domain: str, snippet: str) -> None:
        super().__init__()
        self.domain = domain
        self.snippet = snippet

    def compose(self) -> ComposeResult:
        with Vertical(id="zone"):
            yield Static(shown(f"Records for {self.domain}, as a zone file", "bold"))
            # zone_snippet writes only DNS names and escaped text, so the clipboard can have
            # it as it is; shown through inert all the same, as all text from AWS is.
            yield TextArea(
                inert(self.snippet, lines=True), read_only=True, soft_wrap=False, id="zone-text"
            )
            yield Static(
                Text("copied to the clipboard · c copies again · escape closes", style="dim")
            )

    def on_mount(self) -> None:
        self.action_copy()

    def action_copy(self) -> None:
        """Put the snippet on the clipboard (OSC 52: it works over SSH too)."""
        self.app.copy_to_clipboard(self.snippet)
