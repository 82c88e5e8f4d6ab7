"""The log view widget: log events as lines, bounded, followed or paused, searched,
filtered, wrapped, and safe to show.

The parts: `entries` holds the lines and lays them out in rows (plain Python), `ansi` makes
their text inert and keeps its SGR colours, `render` draws rows, `scroller` keeps the
scroll on the same rows and caps the repaints; this module adds the keys, the messages for
a status line, and the public API.

Log text is never parsed as markup and only SGR sequences are obeyed (as Rich styles built
by `ansi`, never links): every other escape shows as `␛...`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.timer import Timer

from artui.domain.apprunner import LogEvent

from .entries import SEQ
from .patterns import parse_pattern
from .scroller import LogScroller

CHANGED_INTERVAL = 0.5  # seconds between Changed messages caused by new lines alone


class LogView(LogScroller, can_focus=True):
    """Log events as lines: bounded, followed or paused, searched, filtered, wrapped."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "logview--timestamp",
        "logview--tag",
        "logview--cursor",
        "logview--match",
        "logview--current-match",
        "logview--marker",
    }
    DEFAULT_CSS = """
    LogView {
        background: $surface;
        color: $foreground;
        overflow-y: scroll;
        overflow-x: auto;
        & > .logview--timestamp { color: $text-muted; }
        & > .logview--tag { color: $text-muted; text-style: dim; }
        & > .logview--cursor { background: $block-cursor-blurred-background; }
        & > .logview--match { background: $warning-muted; }
        & > .logview--current-match { background: $warning; color: $background; }
        & > .logview--marker { color: $text-muted; text-style: italic; }
        &:focus > .logview--cursor { background: $primary 30%; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f",
            "toggle_follow",
            "Follow",
            id="logs.follow",
            tooltip="Follow new lines (moving up pauses; end resumes)",
        ),
        Binding(
            "w",
            "toggle_wrap",
            "Wrap",
            id="logs.wrap",
            tooltip="Wrap long lines, or cut them at the edge",
            show=False,
        ),
        Binding(
            "t",
            "toggle_timestamps",
            "Times",
            id="logs.timestamps",
            tooltip="Timestamps on or off",
            show=False,
        ),
        Binding("n", "next_match", "Next", id="logs.next", tooltip="Next search match", show=False),
        Binding(
            "N",
            "previous_match",
            "Previous",
            id="logs.previous",
            tooltip="Previous search match",
            show=False,
        ),
        Binding(
            "enter",
            "toggle_json",
            "Expand",
            id="logs.expand",
            tooltip="The JSON line under the cursor whole, indented; again (or escape) folds it",
            show=False,
        ),
        Binding("up,k", "cursor_up", "Up", show=False, id="logs.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="logs.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="logs.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="logs.page_down"),
        Binding("home,g", "first", "First line", show=False, id="logs.first"),
        Binding("end,G", "last", "Last line and follow", show=False, id="logs.last"),
    ]

    class Changed(Message):
        """Following, waiting lines, matches or the filter changed: for a status line."""

        def __init__(self, log_view: LogView) -> None:
            super().__init__()
            self.log_view = log_view
            self.following = log_view.following
            self.waiting = log_view.waiting
            self.matches = log_view.matches
            self.match_index = log_view.match_index
            self.held = log_view.held
            self.shown = log_view.shown
            self.filtered = log_view.filtered
            self.errors_only = log_view.errors_only

        @property
        def control(self) -> LogView:
            return self.log_view

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogView.Changed) and message.log_view is self.log_view

    class ReachedTop(Message):
        """The operator scrolled or moved to the very top: older lines may be loaded."""

        def __init__(self, log_view: LogView) -> None:
            super().__init__()
            self.log_view = log_view

        @property
        def control(self) -> LogView:
            return self.log_view

    def __init__(
        self,
        *,
        max_lines: int = 50_000,
        max_line_length: int = 2_000,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            max_lines=max_lines, max_line_length=max_line_length, id=id, classes=classes
        )
        self._changed_state: tuple | None = None
        self._changed_time = 0.0
        self._changed_timer: Timer | None = None

    # -- public state ---------------------------------------------------------------------

    @property
    def max_lines(self) -> int:
        """Lines held at most: the oldest are dropped past it (on the next append)."""
        return self.entries.max_lines

    @max_lines.setter
    def max_lines(self, value: int) -> None:
        self.entries.max_lines = max(1, value)

    @property
    def max_line_length(self) -> int:
        """Characters of a message kept at most (on append); the rest is cut, with a marker."""
        return self.entries.max_line_length

    @max_line_length.setter
    def max_line_length(self, value: int) -> None:
        self.entries.max_line_length = max(1, value)

    @property
    def tagger(self) -> Callable[[LogEvent], str] | None:
        """Gives each event its tag (taken on append); None: no tag column."""
        return self.entries.tagger

    @tagger.setter
    def tagger(self, tagger: Callable[[LogEvent], str] | None) -> None:
        self.entries.tagger = tagger
        self._prefix_changed()

    @property
    def following(self) -> bool:
        """True: new lines scroll into view and the cursor stays on the newest."""
        return self.entries.following

    @following.setter
    def following(self, value: bool) -> None:
        if value == self.entries.following:
            return
        self.entries.following = value
        self.entries.waiting = 0
        if value:
            self._flush(force=True)
        self._post_changed(now=True)

    @property
    def waiting(self) -> int:
        """Lines (that pass the filter) appended since following stopped."""
        return self.entries.waiting

    @property
    def wrap(self) -> bool:
        """Wrap long lines instead of scrolling sideways."""
        return self.entries.wrap

    @wrap.setter
    def wrap(self, value: bool) -> None:
        if value != self.entries.wrap:
            self.entries.wrap = value
            if value:
                self.scroll_to(x=0, animate=False)
            self._relayout()
            self._post_changed(now=True)

    @property
    def timestamps(self) -> bool:
        """Show each line's time (local, to the millisecond)."""
        return self.entries.timestamps

    @timestamps.setter
    def timestamps(self, value: bool) -> None:
        if value != self.entries.timestamps:
            self.entries.timestamps = value
            self._prefix_changed()
            self._post_changed(now=True)

    @property
    def errors_only(self) -> bool:
        """Show only lines that look like errors or warnings (see `looks_like_error`)."""
        return self.entries.errors_only

    @errors_only.setter
    def errors_only(self, value: bool) -> None:
        if value != self.entries.errors_only:
            self.entries.errors_only = value
            self._refilter()

    @property
    def held(self) -> int:
        """Lines in the buffer."""
        return len(self.entries.buffer)

    @property
    def shown(self) -> int:
        """Lines that pass the filter."""
        return len(self.entries.shown)

    @property
    def filtered(self) -> bool:
        """Whether a filter pattern or errors_only hides some lines."""
        return self.entries.filter is not None or self.entries.errors_only

    @property
    def matches(self) -> int:
        """Shown lines that match the search."""
        return len(self.entries.match_seqs)

    @property
    def match_index(self) -> int:
        """1-based position of the cursor's line among the matches, 0 when not on one."""
        return self.entries.match_index

    @property
    def cursor_line(self) -> int | None:
        """Index of the cursor's line among the shown lines, or None when none is shown."""
        return self.entries.cursor_index()

    # -- adding and removing lines --------------------------------------------------------

    def append(self, events: Sequence[LogEvent]) -> None:
        """Add newer lines at the end; the oldest are dropped past max_lines."""
        if not events:
            return
        empty = not self.entries.shown
        self.entries.append(events)
        self._schedule()
        if empty and self.entries.shown:
            # An empty view's first lines are drawn at once, not at the next capped repaint:
            # a log just opened is when the operator is waiting.
            self._flush(force=True)

    def prepend(self, events: Sequence[LogEvent]) -> None:
        """Add older lines (oldest first) at the top; the view keeps showing the same lines.

        If the buffer is full, the newest max_lines are kept, so older lines may be dropped.
        """
        if self.entries.prepend(events):
            self._flush(force=True)

    def clear(self) -> None:
        """Drop every line; the view follows again."""
        self.entries.clear()
        self._painter.forget()
        self._flush(force=True)
        self._post_changed(now=True)

    def shown_lines(self) -> list[str]:
        """The plain text of every shown line, as shown (timestamps and tags per the
        toggles, a trace's continuation lines indented), for saving to a file."""
        return self.entries.shown_lines()

    def _refilter(self) -> None:
        """Choose the shown entries again (the filter changed), keeping the cursor's line."""
        self._rebuild(self.entries.refilter)
        self._post_changed(now=True)

    # -- messages -------------------------------------------------------------------------

    def _state(self) -> tuple:
        entries = self.entries
        return (
            entries.following,
            entries.waiting,
            len(entries.match_seqs),
            entries.match_index,
            len(entries.buffer),
            len(entries.shown),
            entries.filter,
            entries.errors_only,
            entries.wrap,
            entries.timestamps,
        )

    def _post_changed(self, *, now: bool = False) -> None:
        """Post Changed when the state moved: at once after a key, else a few times a second."""
        state = self._state()
        if state == self._changed_state or not self.is_attached:
            return
        wait = self._changed_time + CHANGED_INTERVAL - time.monotonic()
        if now or wait <= 0:
            if self._changed_timer is not None:
                self._changed_timer.stop()
                self._changed_timer = None
            self._changed_state = state
            self._changed_time = time.monotonic()
            self.post_message(self.Changed(self))
        elif self._changed_timer is None:
            self._changed_timer = self.set_timer(wait, self._timed_changed, name="logview-changed")

    def _timed_changed(self) -> None:
        self._changed_timer = None
        self._post_changed()

    # -- search and filter ----------------------------------------------------------------

    def search(self, pattern: str | None) -> int:
        """Highlight matches and move the cursor to the nearest at or after it (else the
        last before it); the number of matching lines. A bad regex raises ValueError."""
        compiled = parse_pattern(pattern)
        self._sync_base()
        self.entries.set_search(compiled)
        self._painter.forget()
        self.refresh()
        target = self.entries.nearest_match()
        if target is not None:
            self._goto(target)
        self._post_changed(now=True)
        return len(self.entries.match_seqs)

    def next_match(self) -> bool:
        """Move the cursor to the next match, wrapping around; False when there is none."""
        return self._step_match(1)

    def previous_match(self) -> bool:
        """Move the cursor to the previous match, wrapping around; False when there is none."""
        return self._step_match(-1)

    def _step_match(self, direction: int) -> bool:
        if not self.entries.match_seqs:
            return False
        self._sync_base()
        target = self.entries.step_match(direction)
        if target is None:
            return False
        self._goto(target)
        self._post_changed(now=True)
        return True

    def set_filter(self, pattern: str | None) -> None:
        """Show only the lines matching `pattern` (None or "": every line)."""
        self.entries.filter = parse_pattern(pattern)
        self._refilter()

    # -- the cursor -----------------------------------------------------------------------

    def _goto(self, seq: int) -> None:
        """Put the cursor on the shown entry `seq`, stop following, and bring it into view,
        its search match too (scrolling sideways when it is past an edge)."""
        self.entries.following = False
        self.entries.cursor = seq
        index = self.entries.cursor_index()
        if index is not None:
            self._reveal(index)
            self._reveal_match(index)
        self.refresh()

    def _reveal_match(self, index: int) -> None:
        """Scroll sideways so the search match in the entry at `index` is on screen, with a
        third of the width of what comes before it, if it is not on screen already."""
        where = self.entries.match_cells(index)
        if where is None or self.entries.wrap:
            return  # wrapped rows are all on screen across
        _, first, after = where
        width = self._view_size().width
        x = round(self.scroll_x)
        if first >= x and after <= x + width:
            return
        self.scroll_to(x=max(0, first - width // 3), animate=False, immediate=True)

    def _move(self, index: int, *, up: bool) -> None:
        """A key moved the cursor to `index`: stop following if it went up."""
        entries = self.entries
        if not entries.shown:
            if up:
                self.post_message(self.ReachedTop(self))
            return
        index = max(0, min(index, len(entries.shown) - 1))
        if up and entries.following:
            entries.following = False
            entries.waiting = 0
        entries.cursor = entries.shown[index][SEQ]
        self._reveal(index)
        self.refresh()
        if up and index == 0:
            self.post_message(self.ReachedTop(self))
        self._post_changed(now=True)

    def action_cursor_up(self) -> None:
        """Move the cursor up a line; stops following."""
        self._sync_base()
        index = self.entries.cursor_index()
        self._move((index if index is not None else 0) - 1, up=True)

    def action_cursor_down(self) -> None:
        """Move the cursor down a line."""
        self._sync_base()
        index = self.entries.cursor_index()
        if index is not None and not self.entries.following:
            self._move(index + 1, up=False)

    def action_page_up(self) -> None:
        """Move a page up; stops following."""
        self._sync_base()
        self._page(-1)

    def action_page_down(self) -> None:
        """Move a page down."""
        self._sync_base()
        if not self.entries.following:
            self._page(1)

    def _page(self, direction: int) -> None:
        index = self.entries.cursor_index()
        if index is None:
            self._move(0, up=direction < 0)
            return
        height = self._view_size().height
        y = round(self.scroll_y)
        new_y = max(0, min(y + direction * height, self.max_scroll_y))
        if new_y != y:
            self._scroll_y(new_y)
        self._move(self.entries.page_target(index, direction, y, new_y, height), up=direction < 0)

    def action_first(self) -> None:
        """Move to the first line; stops following."""
        self._sync_base()
        self._move(0, up=True)

    def action_last(self) -> None:
        """Move to the newest line and follow."""
        self.following = True
        self._flush(force=True)

    def action_toggle_follow(self) -> None:
        """Follow new lines, or stop; following jumps to the end."""
        self.following = not self.entries.following

    def action_toggle_wrap(self) -> None:
        """Wrap long lines, or scroll sideways."""
        self.wrap = not self.entries.wrap

    def action_toggle_timestamps(self) -> None:
        """Show or hide the timestamps."""
        self.timestamps = not self.entries.timestamps

    def action_next_match(self) -> None:
        """The next search match (n)."""
        if not self.next_match():
            self.app.bell()

    def action_previous_match(self) -> None:
        """The previous search match (N)."""
        if not self.previous_match():
            self.app.bell()

    def fold_json(self) -> bool:
        """Fold every expanded JSON line back to its one line; whether any was expanded."""
        if not self.entries.expanded:
            return False
        self._rebuild(self.entries.fold_all)
        return True

    def action_toggle_json(self) -> None:
        """Expand the cursor's JSON line over several rows, or collapse it."""
        self._sync_base()
        index = self.entries.cursor_index()
        if index is None or not self.entries.toggle_json(index):
            return
        self._flush(force=True, repaint=True)
        if not self.entries.following:
            self._reveal(index)

    # -- scrolling by mouse and scrollbar -------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._scrolling or round(new_value) >= round(old_value):
            return
        # The operator scrolled up (wheel or scrollbar): stop following, keep the view.
        if self.entries.following and round(new_value) < self.max_scroll_y:
            self.entries.following = False
            self.entries.waiting = 0
            self._post_changed(now=True)
        if round(new_value) == 0 and self.is_vertical_scrollbar_grabbed:
            self.post_message(self.ReachedTop(self))

    # Textual calls each class's handler in turn; these run Widget's themselves, in between
    # bringing the offset up to date and looking at where it ended, then stop the others.
    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._sync_base()
        ScrollView._on_mouse_scroll_up(self, event)
        event.prevent_default()
        if round(self.scroll_y) == 0 and not (event.ctrl or event.shift):
            self.post_message(self.ReachedTop(self))

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._sync_base()
        ScrollView._on_mouse_scroll_down(self, event)
        event.prevent_default()
        # Wheeling down to the very end follows again, as `end` does.
        if not self.entries.following and self.is_vertical_scroll_end and not event.ctrl:
            self.following = True
