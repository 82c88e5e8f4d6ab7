"""A scrolling container with the keys a reader of less or vim types."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll


class Scroll(VerticalScroll):
    """VerticalScroll with vi keys beside the arrows, and `g`/`G` beside home and end.

    Textual's own bindings move the same way but have no id (a keymap cannot name them) and
    no vi keys; these replace them, so `?` lists each once.
    """

    BINDINGS = [
        Binding("up,k", "scroll_up", "Scroll up", show=False, id="scroll.up"),
        Binding("down,j", "scroll_down", "Scroll down", show=False, id="scroll.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="scroll.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="scroll.page_down"),
        Binding("home,g", "scroll_home", "Top", show=False, id="scroll.top"),
        Binding("end,G", "scroll_end", "Bottom", show=False, id="scroll.bottom"),
    ]
