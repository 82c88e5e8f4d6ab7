"""The log entries on a ScrollView: the capped repaint, the scroll kept on the same rows as
lines come and go, and the rows painted. `LogView` adds the keys, the messages and the
public API on top.

- **Repaint cap.** Appending only records. A one-shot timer (`FLUSH_INTERVAL`, 8 times a
  second) then sets the virtual size, scrolls (to the end when following; otherwise so the
  same rows stay on screen as lines above are dropped) and repaints. A key flushes at once,
  and so do the first lines of an empty view.
  Textual's scroll offset is kept relative to `_base`, the top as of the last flush, so a
  paint between flushes still shows the rows it showed before.
- **Rendering.** Only visible rows are rendered (`render_line`), by `render.RowPainter`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from .entries import INDENT, SEQ, LogEntries
from .render import RowPainter, RowStyles, row_styles

FLUSH_INTERVAL = 0.125  # seconds between repaints caused by new lines (keys repaint at once)


class LogScroller(ScrollView):
    """`entries` laid out on a ScrollView, flushed to the screen at most 8 times a second."""

    def __init__(
        self,
        *,
        max_lines: int = 50_000,
        max_line_length: int = 2_000,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.entries = LogEntries(max_lines=max_lines, max_line_length=max_line_length)
        # What Textual's scroll offset is relative to: the top row as of the last flush.
        self._base = 0
        self._flushed_end = 0
        self._dirty = False
        self._timer: Timer | None = None
        self._last_flush = 0.0
        self._scrolling = False  # True while this widget moves its own scroll offset
        self._painter = RowPainter(self.entries)
        self._styles: tuple[RowStyles, RowStyles] | None = None  # plain, cursor

    @property
    def pending(self) -> bool:
        """Whether lines were appended or dropped since the last flush applied them."""
        return self._dirty

    def _post_changed(self, *, now: bool = False) -> None:
        """What a status line shows may have changed (`LogView` tells it); `now`: a key
        changed it."""

    # -- layout ---------------------------------------------------------------------------

    def _relayout(self) -> None:
        """Lay every shown entry out again (wrap, width, prefix changed), keeping the view."""
        self.entries.layout_width = self._view_size().width
        self._rebuild(self.entries.lay_out)

    def _prefix_changed(self) -> None:
        """The timestamp or tag column came or went: only wrapped rows need laying out."""
        if self.entries.wrap:
            self._relayout()
        else:
            self._painter.forget()
            self._flush(force=True, repaint=True)

    def _rebuild(self, lay_out: Callable[[], None]) -> None:
        anchor = self._anchor()
        lay_out()
        self._painter.forget()
        self._restore(anchor)

    def _anchor(self) -> tuple[int, int] | None:
        """What the view shows (see `LogEntries.anchor`); None when following."""
        if self.entries.following or not self.entries.shown:
            return None
        self._sync_base()
        return self.entries.anchor(round(self.scroll_y), self._view_size().height)

    def _restore(self, anchor: tuple[int, int] | None) -> None:
        """Scroll so the anchored entry sits where it was (or at the end when following)."""
        self.entries.snap_cursor()
        self._flush(force=True, y=self.entries.anchored_y(anchor), repaint=True)

    def _view_size(self) -> Size:
        return self.scrollable_content_region.size

    def _reveal(self, index: int) -> None:
        """Scroll the least that shows the entry at `index` (its top, if it is too tall)."""
        height = self._view_size().height
        self._scroll_y(self.entries.reveal_y(index, round(self.scroll_y), height))

    def _scroll_y(self, y: int) -> None:
        self._scrolling = True
        try:
            self.scroll_to(y=y, animate=False, immediate=True)
        finally:
            self._scrolling = False

    # -- flushing: the capped repaint -----------------------------------------------------

    def _schedule(self) -> None:
        self._dirty = True
        if self._timer is not None or not self.is_attached:
            return
        # A Timer cannot have a zero delay.
        delay = max(0.001, self._last_flush + FLUSH_INTERVAL - time.monotonic())
        self._timer = self.set_timer(delay, self._timed_flush, name="logview-flush")

    def _timed_flush(self) -> None:
        self._timer = None
        self._flush()

    def _sync_base(self) -> None:
        """Bring Textual's scroll offset up to date with lines added or dropped."""
        entries = self.entries
        if self._base != entries.top or self._flushed_end != entries.end or self._dirty:
            self._flush(force=True)

    def _flush(self, *, force: bool = False, y: int | None = None, repaint: bool = False) -> None:
        """Set the virtual size and the scroll for what was added or dropped, and repaint."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._last_flush = time.monotonic()
        if not (self._dirty or force) or not self.is_attached:
            return
        self._dirty = False
        entries = self.entries
        height = self._view_size().height
        old_top = self._base + round(self.scroll_y)
        top = entries.top
        total = entries.end - top
        if entries.wrap:
            width = self._view_size().width
        else:
            width = entries.prefix_width + INDENT + entries.max_width
        if entries.following:
            if entries.shown:
                entries.cursor = entries.shown[-1][SEQ]
            y = max(0, total - height)
        elif y is None:
            y = max(0, old_top - top)
        new_rows = self._flushed_end < top + y + height
        changed = repaint or entries.following or top + y != old_top or new_rows
        self._base = top
        self._flushed_end = entries.end
        self._scrolling = True
        try:
            self._set_virtual_size(Size(width, total))
            self.scroll_target_y = self.scroll_y = y
        finally:
            self._scrolling = False
        if changed:
            self.refresh()
        self._post_changed()

    def _set_virtual_size(self, size: Size) -> None:
        """Set the virtual size without a layout of the whole screen where none is needed.

        Assigning `virtual_size` lays out the screen (and so repaints every widget on it),
        which at ten flushes a second costs more than drawing the log. A view that fills the
        space it is given only needs its scrollbars told, as a layout would tell them.
        """
        if size == self.virtual_size:
            return
        if self.styles.auto_dimensions or not self.container_size:
            self.virtual_size = size
            return
        self.set_reactive(LogScroller.virtual_size, size)
        self._scroll_update(size)

    def on_resize(self, event: events.Resize) -> None:
        """Wrap again for a new width; keep following at the end of a new height."""
        if self.entries.wrap and self._view_size().width != self.entries.layout_width:
            self._relayout()
        else:
            self._flush(force=True)

    def on_mount(self) -> None:
        """Show what was appended before the view was mounted."""
        self._flush(force=True)

    # -- rendering ------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget_styles()

    # Widget's own focus handlers run as well (Textual calls every class's).
    def _on_focus(self, event: events.Focus) -> None:
        self._forget_styles()

    def _on_blur(self, event: events.Blur) -> None:
        self._forget_styles()

    def _forget_styles(self) -> None:
        self._styles = None
        self._painter.forget()

    def render_line(self, y: int) -> Strip:
        """One row of the view: a row of the entry drawn there, cropped to the width."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        row = self._base + scroll_y + y
        index = self.entries.index_at(row)
        if index is None:
            return Strip.blank(width, self.rich_style)
        entry = self.entries.shown[index]
        cursor = entry[SEQ] == self.entries.cursor
        if self._styles is None:
            self._styles = row_styles(self.rich_style, self.get_component_rich_style)
        styles = self._styles[1 if cursor else 0]
        row -= self.entries.starts[index]
        strip = self._painter.row(entry, row, cursor, styles, self.app.console)
        return strip.crop_extend(scroll_x, scroll_x + width, styles.base)
