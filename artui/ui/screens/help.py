"""`?`: every key that works where the operator is, from the live bindings."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from artui.ui.screens.base import is_twin
from artui.ui.text import shown
from artui.ui.widgets.scroll import Scroll

# The heading over the keys read-only mode refuses (their twins: `read_only_twin`).
REFUSED = "refused: read-only"


# The groups `?` shows, in order: the focused widget's and its pane's keys, the screen's,
# the app's; then, in read-only mode, the keys refused.
GROUPS = ("Here", "This screen", "Everywhere")


def help_rows(app: App[Any]) -> list[tuple[str, str]]:
    """(keys, what they do) for artui's bindings active on `app`'s screen, under a heading
    row ("", group) per group of GROUPS; in read-only mode the keys that would change AWS
    come last, under REFUSED. A binding's keys share a row ("g home").

    Only bindings with an id are listed: every artui binding has one (a keymap names it),
    Textual's own (tab, super+c, ctrl+pageup) have none and are not artui's keys to offer.
    """
    screen = app.screen
    grouped: dict[str, dict[str, tuple[list[str], str]]] = {
        group: {} for group in (*GROUPS, REFUSED)
    }
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.id is None:
            continue
        node = active.node
        group = (
            REFUSED
            if is_twin(binding)
            else GROUPS[2]
            if node is app
            else GROUPS[1]
            if node is screen
            else GROUPS[0]
        )
        # The tooltip says more than the footer's word, where a binding has one.
        description = binding.tooltip or binding.description or binding.action.replace("_", " ")
        keys, _ = grouped[group].setdefault(binding.id, ([], description))
        display = app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
    rows: list[tuple[str, str]] = []
    shown_keys: set[str] = set()
    for group, entries in grouped.items():
        # A key bound twice (a pane's and the screen's) does what the first one says.
        kept = [
            (" ".join(k for k in keys if k not in shown_keys), description)
            for keys, description in entries.values()
        ]
        for keys, _ in entries.values():
            shown_keys.update(keys)
        kept = [(keys, description) for keys, description in kept if keys]
        if kept:
            rows.append(("", group))
            rows.extend(kept)
    return rows


def keys_table(rows: list[tuple[str, str]]) -> Table:
    """Two columns: key and what it does."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()
    for key, description in rows:
        if not key:  # a group's heading
            grid.add_row("", shown(description, "bold underline"))
            continue
        # A keymap from the settings file may name keys and describe them: inert.
        grid.add_row(shown(key), shown(description))
    return grid


class HelpScreen(ModalScreen[None]):
    """The keys active on the screen below, grouped; j/k, pages, g/G scroll it; escape, ?
    or q close it."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("question_mark", "dismiss", "Close", id="help.close_help"),
        Binding("q", "dismiss", "Close", id="help.close_q"),
    ]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Scroll(id="help"):
            yield Static(Text("Keys  (j/k scroll, escape closes)", style="bold"))
            yield Static(keys_table(self.rows), id="help-keys")
