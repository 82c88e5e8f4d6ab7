"""Textual's DataTable with the keys every table of artui shares, keeping only the
rendering it can still use."""

from __future__ import annotations

from textual.binding import Binding
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable


class Table(DataTable):
    """A DataTable that drops its stale rendering.

    DataTable keys everything it caches while drawing (a row's renderables, its rendered
    rows, cells and lines) by its update count, which moves with every cell updated: what
    was cached before can never be used again, yet stays until 1,000 newer entries (10,000
    for cells) push it out. A table updated every few seconds for hours (the services list
    at each poll, a running operation's clock every second) kept MBs of such rows: a climb
    of about 0.3 MB a minute through a soak's first half hour (bench/soak.py). Here they go
    as soon as the count moves.
    """

    # Every table moves alike: vi keys beside the arrows, `g`/`G` and home/end to the first
    # and last row (DataTable's home and end scroll sideways).
    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "scroll_top", "First row", show=False, id="table.first"),
        Binding("end,G", "scroll_bottom", "Last row", show=False, id="table.last"),
    ]

    _drawn_at_count = -1

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._update_count != self._drawn_at_count:
            self._drawn_at_count = self._update_count
            for cache in (
                self._row_renderable_cache,
                self._row_render_cache,
                self._cell_render_cache,
                self._line_cache,
            ):
                cache.clear()
        return super().render_lines(crop)
