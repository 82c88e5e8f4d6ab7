"""The log view's entries: the bounded buffer, the filter, the search and the row layout.

Plain Python (no Textual), so that all of it can be tested without an app:

- **Entries.** Each event is one entry: its time, its tag, and its message made inert once,
  on append (SGR colours decoded into spans by `ansi.decode_sgr`, everything else through
  `artui.domain.inert.inert`, cut at `max_line_length` with a visible marker). A message with
  newlines (a stack trace) stays one entry shown over several rows; its continuation rows
  are indented under the message column, so a filter, a search hit, `enter` and the cursor
  act on the whole trace. An entry is a plain tuple of strings and numbers (see `Entry`),
  which CPython's garbage collector stops tracking: 50,000 class instances made every full
  collection walk them all, a 60-110 ms pause each second under a flood.
- **JSON lines.** A message that is one JSON object is shown compactly (`compact_json`):
  its level and message first, then the other fields as `key=value`, so that at 80 columns
  the line says what happened before it is cut. The document as logged stays in the entry
  for `enter`, which shows it whole, indented, under the line.
- **Rows.** The entries that pass the filter are `shown`, in order, beside `starts`: the
  absolute row at which each begins (an `array`, so 50,000 of them stay small). Absolute
  rows only grow; the top of the view is `starts[0]`. Appending adds to both ends of these
  lists, dropping the oldest deletes a prefix, and a row's entry is a bisect: no work in
  proportion to the buffer per batch. Wrapping changes rows per entry, so toggling wrap,
  timestamps or the tag column, or resizing in wrap mode, lays every row out again once.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Final

from rich.cells import cell_len

from artui.domain.apprunner import LogEvent
from artui.domain.format import time_text, zone_in_use
from artui.domain.inert import inert

from .ansi import TAB_SIZE, Spans, decode_sgr
from .json_lines import compact_json, pretty_json
from .patterns import looks_like_error

INDENT = 2  # extra indent of an entry's continuation rows (a trace's lines, wrapped rows)
STAMP_WIDTH = 13  # "HH:MM:SS.mmm "
TAG_WIDTH = 8


# -- one entry ----------------------------------------------------------------------------


# An entry: (seq, timestamp ms, tag, inert text with lines joined by newlines, SGR spans or
# None, length of the "… [+N chars]" marker ending the text or 0, cells per line, the JSON
# document as logged when the text is its compact form, else None). seq grows with time;
# prepended entries get lower numbers.
Entry = tuple[int, int, str, str, "Spans | None", int, tuple[int, ...], "str | None"]
# Final: the type checker reads each as its literal index into an Entry.
SEQ: Final = 0
TS: Final = 1
TAG: Final = 2
TEXT: Final = 3
SPANS: Final = 4
CUT: Final = 5
WIDTHS: Final = 6
DOC: Final = 7
_seq = itemgetter(SEQ)

# An expanded JSON entry: its lines and their widths in cells.
Expanded = tuple[tuple[str, ...], tuple[int, ...]]

_stamps: dict[tuple[str, int], str] = {}


def stamp(ms: int) -> str:
    """HH:MM:SS.mmm in the zone in use (the `timezone` setting); question marks for a time
    the platform cannot show."""
    seconds, millis = divmod(ms, 1000)
    key = (zone_in_use(), seconds)
    head = _stamps.get(key)
    if head is None:
        try:
            head = time_text(seconds, "%H:%M:%S")
        except (OverflowError, OSError, ValueError):
            head = "??:??:??"
        if len(_stamps) > 4096:
            _stamps.clear()
        _stamps[key] = head
    return f"{head}.{millis:03d}"


def expand_json(entry: Entry) -> Expanded | None:
    """The entry's JSON document, as logged, indented over several lines; None when the
    entry is not a JSON line."""
    if entry[DOC] is None:
        return None
    pretty = pretty_json(entry[DOC])
    if pretty is None:
        return None
    lines = tuple(inert(pretty, lines=True).split("\n"))
    return lines, tuple(map(cell_len, lines))


# -- the entries --------------------------------------------------------------------------


class LogEntries:
    """The lines a log view holds and how they lay out in rows; the view scrolls and paints.

    Attributes are read (and the plain flags set) by the view: `buffer` holds every entry,
    `shown` those passing the filter with their first rows in `starts`, `match_seqs` the
    seqs of shown entries matching the search, `cursor` the seq of the cursor's entry.
    """

    def __init__(self, *, max_lines: int = 50_000, max_line_length: int = 2_000) -> None:
        self.max_lines = max(1, max_lines)
        self.max_line_length = max(1, max_line_length)
        self._tagger: Callable[[LogEvent], str] | None = None
        self._tags: dict[str, str] = {}
        self.buffer: list[Entry] = []
        self.shown: list[Entry] = []
        self.expanded: dict[int, Expanded] = {}  # by seq
        self.starts = array("q")
        self.end = 0  # absolute row after the last shown entry
        self._next_seq = 0
        self._low_seq = 0  # the next prepended entry's seq is one below
        self.max_width = 0  # running widest line, for the horizontal scroll
        self.filter: re.Pattern[str] | None = None
        self.errors_only = False
        self.search: re.Pattern[str] | None = None
        self.match_seqs: list[int] = []
        self.following = True
        self.waiting = 0  # lines (that pass the filter) appended since following stopped
        self.wrap = False
        self.timestamps = True
        self.cursor: int | None = None
        self.layout_width = 0  # the width wrapped rows are laid out for

    @property
    def tagger(self) -> Callable[[LogEvent], str] | None:
        """Gives each event its tag (taken on append); None: no tag column."""
        return self._tagger

    @tagger.setter
    def tagger(self, tagger: Callable[[LogEvent], str] | None) -> None:
        self._tagger = tagger
        self._tags.clear()

    @property
    def match_index(self) -> int:
        """1-based position of the cursor's line among the matches, 0 when not on one."""
        if self.cursor is None:
            return 0
        index = bisect_left(self.match_seqs, self.cursor)
        found = index < len(self.match_seqs) and self.match_seqs[index] == self.cursor
        return index + 1 if found else 0

    # -- adding and removing --------------------------------------------------------------

    def append(self, events: Sequence[LogEvent]) -> None:
        """Add newer lines at the end; the oldest are dropped past max_lines."""
        if not events:
            return
        if len(events) > self.max_lines:
            events = events[-self.max_lines :]
        seq = self._next_seq
        new = [self._entry(event, seq + i) for i, event in enumerate(events)]
        self._next_seq = seq + len(new)
        self.buffer.extend(new)
        passing = self._passing(new)
        self._place(passing)
        if passing and self.search is not None:
            search = self.search.search
            self.match_seqs.extend(e[SEQ] for e in passing if search(e[TEXT]))
        if not self.following:
            self.waiting += len(passing)
        self._trim()

    def prepend(self, events: Sequence[LogEvent]) -> bool:
        """Add older lines (oldest first) at the top; whether any were added.

        If the buffer is full, the newest max_lines are kept, so older lines may be dropped.
        """
        room = self.max_lines - len(self.buffer)
        if not events or room <= 0:
            return False
        events = events[-room:]
        low = self._low_seq - len(events)
        self._low_seq = low
        new = [self._entry(event, low + i) for i, event in enumerate(events)]
        self.buffer[:0] = new
        passing = self._passing(new)
        if passing:
            rows = [self.rows(e) for e in passing]
            top = (self.starts[0] if self.shown else self.end) - sum(rows)
            starts = array("q")
            for count in rows:
                starts.append(top)
                top += count
            self.starts[:0] = starts
            self.shown[:0] = passing
            if self.search is not None:
                search = self.search.search
                self.match_seqs[:0] = [e[SEQ] for e in passing if search(e[TEXT])]
        if self.cursor is None and self.shown:
            self.cursor = self.shown[-1][SEQ]
        return True

    def clear(self) -> None:
        """Drop every line; following again."""
        self.buffer.clear()
        self.shown.clear()
        self.starts = array("q")
        self.match_seqs.clear()
        self.expanded.clear()
        self.max_width = 0
        self.cursor = None
        self.waiting = 0
        self.following = True

    def _entry(self, event: LogEvent, seq: int) -> Entry:
        """One event made safe to show: inert, cut, tabs expanded, SGR decoded."""
        message = event.message
        if message.endswith("\n"):
            message = message.rstrip("\r\n")
        if "\r\n" in message:
            message = message.replace("\r\n", "\n")
        doc = None
        # Only a whole document: a cut one would not parse, and the cut stays visible.
        if message.startswith("{") and len(message) <= self.max_line_length:
            compact = compact_json(message)
            if compact is not None:
                doc, message = message, compact
        extra = len(message) - self.max_line_length
        if extra > 0:
            message = message[: self.max_line_length]
        spans = None
        if message.isascii() and message.isprintable():
            # Most lines: nothing to make inert, no tab, no newline, one cell a character
            # (isascii is O(1) in CPython).
            text = message
            width = len(text)
            widths: tuple[int, ...] = (width,)
        else:
            if "\x1b" in message:
                text, spans = decode_sgr(message)
            else:
                text = inert(message, lines=True)
                if "\t" in text:
                    text = text.expandtabs(TAB_SIZE)
            if "\n" in text:
                widths = tuple(map(cell_len, text.split("\n")))
                width = max(widths)
            else:
                width = cell_len(text)
                widths = (width,)
        cut = 0
        if extra > 0:
            marker = f" … [+{extra:,} chars]"
            text += marker
            cut = len(marker)
            width += len(marker)
            widths = (*widths[:-1], widths[-1] + len(marker))
        if width > self.max_width:
            self.max_width = width
        tag = ""
        if self._tagger is not None:
            raw = self._tagger(event)
            cached = self._tags.get(raw)
            if cached is None:
                cached = inert(raw)[:TAG_WIDTH]
                if len(self._tags) > 4096:
                    self._tags.clear()
                self._tags[raw] = cached
            tag = cached
        return (seq, event.timestamp, tag, text, spans, cut, widths, doc)

    def _passes(self, entry: Entry) -> bool:
        if self.filter is not None and self.filter.search(entry[TEXT]) is None:
            return False
        return not self.errors_only or looks_like_error(entry[TEXT])

    def _passing(self, entries: list[Entry]) -> list[Entry]:
        if self.filter is None and not self.errors_only:
            return entries
        return [e for e in entries if self._passes(e)]

    def _place(self, entries: Iterable[Entry]) -> None:
        """Lay out entries after the last shown one."""
        starts = self.starts
        end = self.end
        shown = self.shown
        if not self.wrap and not self.expanded:
            for entry in entries:
                shown.append(entry)
                starts.append(end)
                end += len(entry[WIDTHS])
        else:
            rows = self.rows
            for entry in entries:
                shown.append(entry)
                starts.append(end)
                end += rows(entry)
        self.end = end
        if self.cursor is None and shown:
            self.cursor = shown[-1][SEQ]

    def _trim(self) -> None:
        """Drop the oldest entries past max_lines, and everything that pointed at them."""
        excess = len(self.buffer) - self.max_lines
        if excess <= 0:
            return
        first = self.buffer[excess][SEQ]
        del self.buffer[:excess]
        if self.expanded:
            for seq in [seq for seq in self.expanded if seq < first]:
                del self.expanded[seq]
        gone = bisect_left(self.shown, first, key=_seq)
        if gone:
            del self.shown[:gone]
            del self.starts[:gone]
        gone = bisect_left(self.match_seqs, first)
        if gone:
            del self.match_seqs[:gone]
        if self.cursor is not None and self.cursor < first:
            self.cursor = self.shown[0][SEQ] if self.shown else None

    # -- laying out again -----------------------------------------------------------------

    def lay_out(self) -> None:
        """Lay every shown entry out again (wrap, width or prefix changed)."""
        self._replace(self.shown)

    def refilter(self) -> None:
        """Choose the shown entries again: the filter or errors_only changed."""
        self._replace([e for e in self.buffer if self._passes(e)])

    def _replace(self, shown: list[Entry]) -> None:
        self.shown = []
        self.starts = array("q")
        self.end = 0
        self._place(shown)
        self.rematch()

    def rematch(self) -> None:
        """Find the shown entries matching the search again."""
        if self.search is None:
            self.match_seqs = []
        else:
            search = self.search.search
            self.match_seqs = [e[SEQ] for e in self.shown if search(e[TEXT])]

    def snap_cursor(self) -> None:
        """Put a cursor whose entry is no longer shown on the next shown one (or the last)."""
        if self.cursor is not None and self.shown:
            self.cursor = self.shown[self.index_of(self.cursor)][SEQ]

    def toggle_json(self, index: int) -> bool:
        """Expand the shown entry at `index` over several rows if it is a JSON object, or
        fold it back; False when it is not one (nothing changed)."""
        entry = self.shown[index]
        seq = entry[SEQ]
        before = self.entry_rows(index)
        if seq in self.expanded:
            del self.expanded[seq]
        else:
            expanded = expand_json(entry)
            if expanded is None:
                return False
            self.expanded[seq] = expanded
            self.max_width = max(self.max_width, *expanded[1])
        delta = self.rows(entry) - before
        if delta:
            starts = self.starts
            tail = array("q", (start + delta for start in starts[index + 1 :]))
            starts[index + 1 :] = tail
            self.end += delta
        return True

    def fold_all(self) -> None:
        """Fold every expanded JSON entry back to its one line."""
        if self.expanded:
            self.expanded.clear()
            self.lay_out()

    # -- search ---------------------------------------------------------------------------

    def set_search(self, pattern: re.Pattern[str] | None) -> int:
        """Search for `pattern` (None: no search); the number of matching shown lines."""
        self.search = pattern
        self.rematch()
        return len(self.match_seqs)

    def nearest_match(self) -> int | None:
        """The seq of the match at or after the cursor, else the last before it."""
        if not self.match_seqs or self.cursor is None:
            return None
        index = bisect_left(self.match_seqs, self.cursor)
        if index == len(self.match_seqs):
            index -= 1
        return self.match_seqs[index]

    def step_match(self, direction: int) -> int | None:
        """The seq of the next match after the cursor (direction 1) or the previous one
        (-1), wrapping around; None when nothing matches."""
        seqs = self.match_seqs
        if not seqs:
            return None
        cursor = self.cursor if self.cursor is not None else seqs[0]
        if direction > 0:
            index = bisect_right(seqs, cursor)
            return seqs[index] if index < len(seqs) else seqs[0]
        index = bisect_left(seqs, cursor) - 1
        return seqs[index] if index >= 0 else seqs[-1]

    def match_cells(self, index: int) -> tuple[int, int, int] | None:
        """Where the search's first match in the shown entry at `index` is drawn: (the row
        of the entry it is on, its first cell and the cell after it, counted from the row's
        left edge, the timestamp and tag columns included); None without a match."""
        if self.search is None:
            return None
        entry = self.shown[index]
        spans = self.row_spans(entry)
        for line, text in enumerate(self.lines(entry)):
            found = self.search.search(text)
            if found is None:
                continue
            first = cell_len(text[: found.start()])
            after = first + max(1, cell_len(found.group()))
            # The row holding the match's start: the line's last row starting at or before it.
            row, start = max(
                (r, begin)
                for r, (on, begin, _) in enumerate(spans)
                if on == line and begin <= first
            )
            left = self.prefix_width + (INDENT if row else 0) - start
            return row, left + first, left + after
        return None

    # -- rows -----------------------------------------------------------------------------

    @property
    def prefix_width(self) -> int:
        """Cells before the message on an entry's first row: timestamp and tag columns."""
        return (STAMP_WIDTH if self.timestamps else 0) + (
            TAG_WIDTH + 1 if self._tagger is not None else 0
        )

    @property
    def top(self) -> int:
        """The absolute row of the first shown entry."""
        return self.starts[0] if self.shown else self.end

    def capacity(self) -> tuple[int, int]:
        """Cells of message on an entry's first row and on its continuation rows."""
        if self.layout_width <= 0:  # no size yet: one row a line until the first resize
            return 1 << 30, 1 << 30
        width = self.layout_width - self.prefix_width
        return max(1, width), max(1, width - INDENT)

    def widths(self, entry: Entry) -> tuple[int, ...]:
        """Cells of each of an entry's lines (as expanded, if it is)."""
        expanded = self.expanded.get(entry[SEQ]) if self.expanded else None
        return entry[WIDTHS] if expanded is None else expanded[1]

    def lines(self, entry: Entry) -> Sequence[str]:
        """An entry's lines (as expanded, if it is)."""
        expanded = self.expanded.get(entry[SEQ]) if self.expanded else None
        if expanded is not None:
            return expanded[0]
        return entry[TEXT].split("\n") if len(entry[WIDTHS]) > 1 else (entry[TEXT],)

    def rows(self, entry: Entry) -> int:
        """How many rows an entry takes, wrapped or not."""
        widths = self.widths(entry)
        if not self.wrap:
            return len(widths)
        first, rest = self.capacity()
        width = widths[0]
        rows = 1 if width <= first else 1 + -(-(width - first) // rest)
        for width in widths[1:]:
            rows += 1 if width <= rest else -(-width // rest)
        return rows

    def row_spans(self, entry: Entry) -> list[tuple[int, int, int | None]]:
        """Each row of an entry as (line, first cell, end cell or None for the rest)."""
        widths = self.widths(entry)
        if not self.wrap:
            return [(line, 0, None) for line in range(len(widths))]
        first, rest = self.capacity()
        out: list[tuple[int, int, int | None]] = []
        for line, width in enumerate(widths):
            start = 0
            step = first if line == 0 else rest
            while True:
                out.append((line, start, start + step))
                start += step
                step = rest
                if start >= width:
                    break
        return out

    def index_at(self, row: int) -> int | None:
        """Index of the shown entry drawn on absolute `row`."""
        if not self.shown or row < self.starts[0] or row >= self.end:
            return None
        return bisect_right(self.starts, row) - 1

    def index_of(self, seq: int) -> int:
        """Index of the shown entry `seq`, or of the next one shown (else the last)."""
        return min(bisect_left(self.shown, seq, key=_seq), len(self.shown) - 1)

    def entry_rows(self, index: int) -> int:
        """Rows taken by the shown entry at `index`, as laid out."""
        following = index + 1
        return (self.starts[following] if following < len(self.starts) else self.end) - (
            self.starts[index]
        )

    def cursor_index(self) -> int | None:
        """Index of the cursor's entry among the shown ones, None when none is shown."""
        if not self.shown or self.cursor is None:
            return None
        return self.index_of(self.cursor)

    # -- a window on the rows -------------------------------------------------------------
    # `y` is the window's first row counted from `top`, `height` its rows: what a view
    # scrolled to `y` shows.

    def anchor(self, y: int, height: int) -> tuple[int, int] | None:
        """What the window shows, to find it again after a new layout: the seq of the
        cursor's entry and its row in the window if it is in it, else those of the entry
        at the window's top (its row is <= 0 when the entry begins above)."""
        index = self.index_at(self.top + y)
        if index is None:
            return None
        if self.cursor is not None:
            cursor = self.cursor_index()
            if cursor is not None:
                row = self.starts[cursor] - self.top - y
                if 0 <= row < height:
                    return self.shown[cursor][SEQ], row
        return self.shown[index][SEQ], self.starts[index] - self.top - y

    def anchored_y(self, anchor: tuple[int, int] | None) -> int | None:
        """The window's `y` that puts the anchored entry back on its row; None for none."""
        if anchor is None or not self.shown:
            return None
        seq, row = anchor
        return max(0, self.starts[self.index_of(seq)] - self.top - row)

    def reveal_y(self, index: int, y: int, height: int) -> int:
        """The `y` nearest to `y` whose window shows the entry at `index` (its first row,
        when it is taller than the window)."""
        top = self.starts[index] - self.top
        bottom = top + self.entry_rows(index)
        if top < y:
            return top
        if bottom > y + height:
            return min(top, bottom - height)
        return y

    def page_target(self, index: int, direction: int, y: int, new_y: int, height: int) -> int:
        """Where the cursor at `index` goes when the window moves a page (direction -1 up,
        1 down) from `y` to `new_y`: to the same row of the window, or to the first or last
        entry when the window could not move."""
        if new_y == y:
            return 0 if direction < 0 else len(self.shown) - 1
        screen_row = max(0, min(self.starts[index] - self.top - y, height - 1))
        target = self.index_at(self.top + new_y + screen_row)
        if target is None:
            target = len(self.shown) - 1
        if direction < 0 and target >= index:
            target = max(0, index - 1)
        return target

    # -- saving ---------------------------------------------------------------------------

    def shown_lines(self) -> list[str]:
        """The plain text of every shown line, as shown (timestamps and tags per the
        toggles, a trace's continuation lines indented), for saving to a file."""
        out: list[str] = []
        stamps = self.timestamps
        tags = self._tagger is not None
        indent = " " * (self.prefix_width + INDENT)
        for entry in self.shown:
            lines = self.lines(entry)
            head = ""
            if stamps:
                head = stamp(entry[TS]) + " "
            if tags:
                head += entry[TAG].ljust(TAG_WIDTH) + " "
            out.append(head + lines[0])
            out.extend(indent + line for line in lines[1:])
        return out
