"""`?`: every key that works where the operator is, from the live bindings."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from artui.ui.screens.base import is_twin
from artui.ui.text import shown

# The heading over the keys read-only mode refuses (their twins: `read_only_twin`).
REFUSED = "refused: read-only"


def help_rows(app: App[Any]) -> list[tuple[str, str]]:
    """(key, what it does) for every binding active on `app`'s screen, artui's own first;
    in read-only mode the keys that would change AWS come last, under REFUSED."""
    screen = app.screen
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for active in sorted(screen.active_bindings.values(), key=lambda a: _rank(app, a)):
        binding = active.binding
        # The tooltip says more than the footer's word, where a binding has one.
        description = binding.tooltip or binding.description or binding.action.replace("_", " ")
        display = app.get_key_display(binding)
        if display in seen:
            continue
        seen.add(display)
        if is_twin(binding) and ("", REFUSED) not in rows:
            rows.append(("", REFUSED))
        rows.append((display, description))
    return rows


def _rank(app: App[Any], active: ActiveBinding) -> tuple[bool, int, int]:
    """artui's own keys before Textual's built-ins; the screen's, then widget's, then app's;
    the keys read-only mode refuses after all of them."""
    node = active.node
    ours = any(
        cls.__module__.startswith("artui.")
        and any(
            isinstance(b, Binding)
            and (b.key, b.action) == (active.binding.key, active.binding.action)
            for b in cls.__dict__.get("BINDINGS", ())
        )
        for cls in type(node).__mro__
    )
    place = 0 if node is app.screen else 2 if node is app else 1
    return (is_twin(active.binding), 0 if ours else 1, place)


def keys_table(rows: list[tuple[str, str]]) -> Table:
    """Two columns: key and what it does."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()
    for key, description in rows:
        # A keymap from the settings file may name keys and describe them: inert.
        grid.add_row(shown(key), shown(description))
    return grid


class HelpScreen(ModalScreen[None]):
    """A list of the keys active on the screen below, closed by escape, ? or q."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("question_mark", "dismiss", "Close", id="help.close_help"),
        Binding("q", "dismiss", "Close", id="help.close_q"),
    ]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("Keys  (escape closes)", style="bold"))
            yield Static(keys_table(self.rows), id="help-keys")
