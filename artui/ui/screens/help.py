"""`?`: every key that works where the operator is, from the live bindings."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from artui.ui.text import shown


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
