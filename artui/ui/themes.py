"""`theme:` in the settings file: one of Textual's themes, checked before the app runs.

Without one, artui looks as it always has (Textual's `textual-dark`, which app.tcss's
$variables follow), except on a terminal that says it has 16 colours (`TERM=linux`, the
console of a Linux machine, or a TERM ending in -16color or -8color, with no COLORTERM
saying more): there `ansi-dark` draws in the terminal's own 16 colours, which that
terminal shows as meant. `TEXTUAL_THEME` in the environment, Textual's own, still wins
over that guess. NO_COLOR is Textual's to honour (it drops every colour); artui says every
state in words, so nothing is lost but the colour.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from artui.domain.errors import ConfigError

if TYPE_CHECKING:
    from artui.settings import Settings

# artui's look, what app.tcss was written against.
DEFAULT = "textual-dark"
# Textual 8's themes in the terminal's own 16 colours ("textual-ansi" in older Textual).
ANSI = "ansi-dark"
# TERM values of terminals with 16 colours or fewer.
_FEW_COLOURS_TERMS = frozenset({"linux", "vt100", "vt220", "ansi", "cons25", "xterm-color"})


def theme_names() -> tuple[str, ...]:
    """Every theme Textual offers (artui registers none of its own)."""
    from textual.theme import BUILTIN_THEMES

    return tuple(BUILTIN_THEMES)


def check_theme(settings: Settings) -> str | None:
    """`settings.theme` if it is one of Textual's themes (None: none chosen), else a
    ConfigError naming the file and the nearest themes."""
    name = settings.theme
    if name is None:
        return None
    names = theme_names()
    if name in names:
        return name
    where = settings.source or "the settings"
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
    nearest = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    raise ConfigError(
        f"{where}, key 'theme': {name!r} is not one of Textual's themes ({nearest}the themes: "
        f"{', '.join(names)})"
    )


def few_colours(environ: Mapping[str, str]) -> bool:
    """Whether the terminal says it shows 16 colours or fewer."""
    if environ.get("COLORTERM", "").strip():
        return False  # truecolor, 24bit, or any other claim of more
    term = environ.get("TERM", "").strip().lower()
    return term in _FEW_COLOURS_TERMS or term.endswith(("-16color", "-8color"))


def theme_for(settings: Settings, environ: Mapping[str, str] | None = None) -> str | None:
    """The theme to start with: the settings', else the 16-colour one on a terminal with so
    few, else None (Textual's own choice: TEXTUAL_THEME, or DEFAULT)."""
    environ = os.environ if environ is None else environ
    if settings.theme is not None:
        return settings.theme
    if environ.get("TEXTUAL_THEME"):
        return None
    return ANSI if few_colours(environ) else None
