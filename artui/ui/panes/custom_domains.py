"""The custom domains pane (`c`): each domain's status and next step, the records to add to
DNS (copied with a key, or exported as a zone file), and linking and unlinking."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from artui.domain.apprunner import Service
from artui.domain.changes import LinkDomain, UnlinkDomain
from artui.domain.custom_domains import (
    MAX_DOMAINS,
    CustomDomain,
    CustomDomains,
    DnsRecord,
    dns_problem,
    dns_records,
    escaped,
    next_step,
    target_records,
    zone_snippet,
)
from artui.domain.format import ago
from artui.domain.inert import inert
from artui.engine.custom_domains import KIND
from artui.engine.store import Known
from artui.ui.guard import guarded
from artui.ui.messages import Watch
from artui.ui.panes.base import Pane
from artui.ui.screens.base import read_only_twin, twin_live
from artui.ui.screens.custom_domains import ZoneScreen
from artui.ui.tabs import tab
from artui.ui.text import shown
from artui.ui.tones import toned

HEADER = -1  # the record index of a domain's own line


def domain_prompt(domain: CustomDomain) -> Text:
    """A domain's own line: name, www, status, then what it waits for (inert Text)."""
    text = shown(domain.name, "bold")
    if domain.www:
        text.append_text(shown(f" + www.{domain.name}", "bold"))
    text.append("  ")
    text.append_text(toned(domain.status_label, domain.tone))
    text.append("\n")
    text.append_text(shown(next_step(domain), "italic"))
    if domain.root:
        text.append("\n")
        text.append(
            "Root domain: DNS allows no CNAME here. Add an alias record (Route 53: A, Alias "
            "to App Runner application; elsewhere ALIAS or ANAME).",
            style="yellow",
        )
    return text


def record_prompt(record: DnsRecord) -> Text:
    """One record: its validation status (or `target`), type and name, and its value
    under them (inert Text).

    The value gets a line of its own: a validation value is 65 characters.
    """
    text = Text("  ")
    text.append_text(toned(f"{record.status_label:<9}", record.tone))
    text.append_text(shown(f" {record.type:<5} ", "bold cyan"))
    text.append_text(shown(record.name))
    text.append("\n    → ", style="dim")
    text.append_text(shown(record.value))
    return text


def option_id(domain_index: int, record_index: int) -> str:
    return f"{domain_index}:{record_index}"


class DomainList(OptionList):
    """The domains and their records, with vi keys beside the arrows and `g`/`G` beside
    home and end (the keys of artui's tables)."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="domains.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="domains.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="domains.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="domains.page_down"),
        Binding("home,g", "first", "First row", show=False, id="domains.first"),
        Binding("end,G", "last", "Last row", show=False, id="domains.last"),
        Binding("enter", "select", "Select", show=False, id="domains.select"),
    ]


# Link (A: add) and unlink (X). The id of each is what a keymap names to move it.
_LINK_BINDINGS = [
    Binding("A", "link", "Link", id="domains.link", tooltip="Link a domain (a form)"),
    Binding(
        "X",
        "unlink",
        "Unlink",
        id="domains.unlink",
        tooltip="Unlink the highlighted domain (asks first)",
    ),
]


class DomainsPane(Pane):
    """DescribeCustomDomains for the service, read again while any domain is pending."""

    TAB = tab("domains")

    BINDINGS = [
        # Capitals: a change to AWS never sits on a key a reader types (n: next match).
        *_LINK_BINDINGS,
        *(read_only_twin(b) for b in _LINK_BINDINGS),
        Binding(
            "y",
            "copy('name')",
            "Copy name",
            id="domains.copy_name",
            tooltip="Copy the highlighted record's name to the clipboard",
        ),
        Binding(
            "v",
            "copy('value')",
            "Copy value",
            id="domains.copy_value",
            tooltip="Copy the highlighted record's value to the clipboard",
        ),
        Binding(
            "z",
            "zone",
            "Zone file",
            id="domains.zone",
            tooltip="The highlighted domain's records as a zone file (copied to the clipboard)",
        ),
    ]

    def __init__(self, service: Service) -> None:
        super().__init__(service)
        # The domains last shown (None before the first answer): one linked since is shown.
        self._names: list[str] | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="domains-header")
        yield DomainList(id="domains-list")
        yield Static("", id="domains-empty")

    @property
    def known(self) -> Known[CustomDomains]:
        """DescribeCustomDomains' last answer for this service, from the store."""
        return self.ctx.store.get(KIND, self.ctx.scope_of(self.service), self.service.arn)

    @property
    def options(self) -> DomainList:
        return self.query_one(DomainList)

    def on_mount(self) -> None:
        self.fill()

    def focus(self, scroll_visible: bool = True) -> DomainsPane:
        self.options.focus(scroll_visible)
        return self

    def start(self) -> None:
        self.app.post_message(Watch(KIND, self.service, True))

    def stop(self) -> None:
        self.app.post_message(Watch(KIND, self.service, False))

    def refresh_data(self) -> None:
        # A poll already running is hurried by the same message.
        self.app.post_message(Watch(KIND, self.service, True))

    def store_changed(self, kind: str, key: str) -> None:
        if kind == KIND and key == self.service.arn:
            self.fill()

    def catch_up(self) -> None:
        self.fill()

    @guarded("the domains pane")
    def fill(self) -> None:
        """Repaint from the store, keeping the highlight on the same line."""
        known = self.known
        held = known.value
        options = self.options
        current = options.highlighted_option.id if options.highlighted_option else None
        if held is not None:
            names = [d.name for d in held.domains]
            if self._names is not None:
                fresh = [i for i, name in enumerate(names) if name not in self._names]
                if fresh:
                    current = option_id(fresh[0], HEADER)  # just linked: show it
            self._names = names
        options.clear_options()
        if held is not None:
            for d, domain in enumerate(held.domains):
                if d:
                    options.add_option(None)
                options.add_option(Option(domain_prompt(domain), id=option_id(d, HEADER)))
                for r, record in enumerate(dns_records(domain, held.dns_target)):
                    options.add_option(Option(record_prompt(record), id=option_id(d, r)))
            ids = [option_id(d, HEADER) for d in range(len(held.domains))]
            if current is not None:
                try:
                    options.highlighted = options.get_option_index(current)
                except OptionDoesNotExist:  # the line has gone (an unlinked domain)
                    options.highlighted = 0 if ids else None
            elif ids:
                options.highlighted = 0
        options.display = bool(held is not None and held.domains)
        self._header(held)
        self._empty(known)
        self.host.update_status()
        self.screen.refresh_bindings()

    def _header(self, held: CustomDomains | None) -> None:
        line = Text()
        if held is not None:
            line.append("DNS target ", style="dim")
            line.append_text(shown(held.dns_target or "—", "bold"))
            line.append(f"   {len(held.domains)} of {MAX_DOMAINS} domains", style="dim")
        self.query_one("#domains-header", Static).update(line)

    def _empty(self, known: Known[CustomDomains]) -> None:
        message = ""
        if known.value is not None and not known.value.domains:
            message = (
                f"No custom domains. A links one (up to {MAX_DOMAINS}): App Runner then gives "
                "the records to add to your DNS."
            )
        elif known.value is None and known.error is not None:
            message = f"Could not read the custom domains: {inert(str(known.error))}"
        elif known.value is None:
            message = "Reading the custom domains…"
        empty = self.query_one("#domains-empty", Static)
        empty.update(Text(message))
        empty.display = bool(message)

    def selected(self) -> tuple[CustomDomain, DnsRecord | None] | None:
        """The highlighted domain, and the record when a record's line is highlighted."""
        held = self.known.value
        option = self.options.highlighted_option
        if held is None or option is None or option.id is None:
            return None
        d, r = (int(part) for part in option.id.split(":"))
        if d >= len(held.domains):
            return None
        domain = held.domains[d]
        if r == HEADER:
            return domain, None
        found = dns_records(domain, held.dns_target)
        return domain, (found[r] if r < len(found) else None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("link", "unlink") and not twin_live(parameters, self.ctx.settings.read_only):
            return False  # the other of the pair is the live one (read-only or not)
        if action in ("unlink", "copy", "zone"):
            # Shown greyed while no domain is highlighted.
            return True if self.selected() is not None else None
        return True

    def action_link(self, mode: str = "") -> None:
        """`A`: the link form (`mode` READ_ONLY: the twin, which the flow refuses)."""
        self.ctx.request_change(self.service, LinkDomain())

    def action_unlink(self, mode: str = "") -> None:
        """`X`: unlink the highlighted domain, once confirmed (`mode`: as for link)."""
        chosen = self.selected()
        if chosen is not None:
            self.ctx.request_change(self.service, UnlinkDomain(chosen[0].name))

    def action_copy(self, part: str) -> None:
        """Copy the highlighted record's name or value (on a domain's line: the domain and
        its DNS target), if it is a DNS name; otherwise say, in a toast, why nothing was."""
        chosen = self.selected()
        if chosen is None:
            return
        domain, record = chosen
        if record is None:
            targets = target_records(
                domain, self.known.value.dns_target if self.known.value else None
            )
            if not targets:
                return
            record = targets[0]
        text = record.name if part == "name" else record.value
        # Only a DNS name goes on: pasted into a shell, a newline in AWS's text would run
        # what follows it, and an ESC could end a bracketed paste. No DNS name holds either,
        # and a lone surrogate, which could not even be encoded, is refused the same way.
        problem = dns_problem(text, wildcard=part == "name")
        if problem is not None:
            self.ctx.tell(
                f"'{escaped(text)}': {problem}.",
                title=f"Nothing copied: the {part} is not a DNS name",
                severity="warning",
            )
            return
        self.app.copy_to_clipboard(text)
        self.ctx.tell(text, title=f"Copied the {part} to the clipboard")

    def action_zone(self) -> None:
        chosen = self.selected()
        held = self.known.value
        if chosen is None or held is None:
            return
        domain = chosen[0]
        self.app.push_screen(
            ZoneScreen(domain.name, zone_snippet(self.service, domain, held.dns_target))
        )

    def status_text(self) -> Text:
        line = Text()
        known = self.known
        held = known.value
        if held is not None:
            count = len(held.domains)
            line.append(f"{count} domain{'s' * (count != 1)}  ")
            pending = sum(d.pending for d in held.domains)
            if pending:
                line.append(f"{pending} pending: reading on  ", style="bold cyan")
        if known.error is not None:
            kept = "showing the last answer" if held is not None else "no data"
            line.append(f"DescribeCustomDomains failed ({kept}, e: errors): ", style="bold red")
            line.append_text(shown(known.error, "red"))
            line.append("  ")
        elif known.fetched_at is not None:
            line.append(f"read {ago(self.ctx.clock() - known.fetched_at)}  ", style="dim")
        else:
            line.append("DescribeCustomDomains…  ", style="dim")
        return line
