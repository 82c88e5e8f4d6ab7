"""Which account artui acts on, as the header and the list name it."""

from __future__ import annotations

from rich.text import Text

from artui.engine.fleet import Fleet
from artui.ui.text import shown


def who(fleet: Fleet, profile: str | None) -> str:
    """'prod 123456789012 (demo)': the profile, and its account once STS has said."""
    identity = fleet.identity_of(profile)
    name = profile or "default"
    return f"{name} {identity.words}" if identity is not None else f"{name} (account …)"


def short(fleet: Fleet, profile: str | None) -> str:
    """The list's account column: the alias or the id's last digits, else the profile."""
    identity = fleet.identity_of(profile)
    return identity.short if identity is not None else profile or "default"


def header(fleet: Fleet, read_only: bool) -> Text:
    """The accounts the screen acts on, and read-only when it is: every screen's header."""
    line = Text()
    for n, session in enumerate(fleet.sessions):
        if n:
            line.append(" + ", style="dim")
        line.append_text(shown(who(fleet, session.profile), "bold magenta"))
    if read_only:
        line.append("  READ-ONLY", style="bold yellow")
    return line
