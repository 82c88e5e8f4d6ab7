"""The log view: CloudWatch log events as lines, bounded, lazy, and safe to show.

Design, in short:

- **Entries.** Each event is one entry: its time, its tag, and its message made inert once,
  on append (SGR colours decoded by hand into spans, everything else through
  `artui.inert.inert`, cut at `max_line_length` with a visible marker). A message with
  newlines (a stack trace) stays one entry shown over several rows; its continuation rows
  are indented under the message column, so a filter, a search hit, `enter` and the cursor
  act on the whole trace. An entry is a plain tuple of strings and numbers (see `_SEQ`),
  which CPython's garbage collector stops tracking: 50,000 class instances made every full
  collection walk them all, a 60-110 ms pause each second under a flood.
- **Rows.** The entries that pass the filter are `_shown`, in order, beside `_starts`: the
  absolute row at which each begins (an `array`, so 50,000 of them stay small). Absolute
  rows only grow; the top of the view is `_starts[0]`. Appending adds to both ends of these
  lists, dropping the oldest deletes a prefix, and a row's entry is a bisect: no work in
  proportion to the buffer per batch. Wrapping changes rows per entry, so toggling wrap,
  timestamps or the tag column, or resizing in wrap mode, lays every row out again once.
- **Repaint cap.** `append` only records. A one-shot timer (`FLUSH_INTERVAL`, 8 times a
  second) then sets the virtual size, scrolls (to the end when following; otherwise so the
  same rows stay on screen as lines above are dropped) and repaints. A key flushes at once.
  Textual's scroll offset is kept relative to `_base`, the top as of the last flush, so a
  paint between flushes still shows the rows it showed before.
- **Rendering.** Only visible rows are rendered (`render_line`), each row cached as a Strip
  keyed by entry and row, as `Log` does; the cache is bounded.
- **Untrusted text.** Log text is never parsed as markup and only SGR sequences are obeyed
  (as Rich styles built here, never links): every other escape shows as `␛...`.
"""

from __future__ import annotations

import json
import re
import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import ClassVar, NamedTuple

from rich.ansi import SGR_STYLE_MAP
from rich.cells import cell_len
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from artui.domain import LogEvent
from artui.inert import inert

FLUSH_INTERVAL = 0.125  # seconds between repaints caused by new lines (keys repaint at once)
CHANGED_INTERVAL = 0.5  # seconds between Changed messages caused by new lines alone
TAB_SIZE = 8
INDENT = 2  # extra indent of an entry's continuation rows (a trace's lines, wrapped rows)
STAMP_WIDTH = 13  # "HH:MM:SS.mmm "
TAG_WIDTH = 8


# -- patterns ---------------------------------------------------------------------------


def parse_pattern(pattern: str | None) -> re.Pattern[str] | None:
    """A search or filter pattern as a case-insensitive regex, or None for no pattern.

    Plain text matches literally; text between slashes (`/time(d)? ?out/`) is a Python
    regex. A bad regex raises ValueError with a readable message.
    """
    if not pattern:
        return None
    if len(pattern) >= 2 and pattern[0] == "/" and pattern[-1] == "/":
        source = pattern[1:-1]
        if not source:
            raise ValueError("// is an empty regex: put a pattern between the slashes")
        try:
            return re.compile(source, re.IGNORECASE)
        except re.error as error:
            where = f" at position {error.pos}" if error.pos is not None else ""
            raise ValueError(f"bad regex /{source}/: {error.msg}{where}") from None
    return re.compile(re.escape(pattern), re.IGNORECASE)


# Run on lower-cased text, each only when a cheap substring test says it may match: one
# regex with every alternative costs ~20 us a line here, these ~2.5 us.
_BAD_WORD = re.compile(
    r"\b(?:err|warn|warning|fatal|critical|crit|panic|severe|emerg|traceback)\b"
    r"|(?:error|exception)\b"  # error, TypeError, NullPointerException
)
_BAD_HINTS = ("err", "warn", "fatal", "crit", "panic", "severe", "emerg", "exception", "traceback")
_BAD_LEVEL = re.compile(r'"(?:level|severity|lvl)"\s*:\s*[456]0\b')  # pino: 40 warn, 50 error
_BAD_HTTP = re.compile(r'http/\d(?:\.\d)?"\s+5\d\d\b')  # common log format: "GET / HTTP/1.1" 503
_BAD_STATUS = re.compile(r'\bstatus(?:_?code)?"?\s*[=:]\s*"?5\d\d\b')  # status=503, "status": 502


def looks_like_error(text: str) -> bool:
    """Whether a log line looks like an error or a warning (the `errors_only` rule).

    Case-insensitive: the words ERROR, ERR, WARN, WARNING, FATAL, CRITICAL, CRIT, PANIC,
    SEVERE, EMERG, Traceback; any word ending in Error or Exception (TypeError,
    NullPointerException); a JSON level 40/50/60 (pino, bunyan); an HTTP 5xx status after
    a quoted request line (common and combined log formats) or as status=5xx /
    "status": 5xx / "statusCode": "5xx". "level": "error" and level=warn match as words.
    Words, not substrings: "errors=0" and "warnings" do not match.
    """
    lower = text.lower()
    for hint in _BAD_HINTS:
        if hint in lower:
            if _BAD_WORD.search(lower):
                return True
            break
    if ("level" in lower or "lvl" in lower or "severity" in lower) and _BAD_LEVEL.search(lower):
        return True
    if "http/" in lower and _BAD_HTTP.search(lower):
        return True
    return "status" in lower and _BAD_STATUS.search(lower) is not None


# -- SGR colours --------------------------------------------------------------------------

_SGR = re.compile(r"\x1b\[([0-9;]{0,64})m")
# What an application's colours may do: no conceal (hides text), no blink.
_SGR_STYLES = {
    code: Style.parse(SGR_STYLE_MAP[code])
    for code in (1, 2, 3, 4, 7, 9, 21, 22, 23, 24, 27, 29, 39, 49)
    + tuple(range(30, 38))
    + tuple(range(40, 48))
    + tuple(range(90, 98))
    + tuple(range(100, 108))
}


def _sgr(style: Style, params: str) -> Style:
    """`style` after one SGR sequence's parameters; unknown or unsafe codes are ignored."""
    codes = iter([int(code) if code else 0 for code in params.split(";")])
    for code in codes:
        if code == 0:
            style = Style.null()
        elif code in _SGR_STYLES:
            style += _SGR_STYLES[code]
        elif code in (38, 48):
            kind = next(codes, None)
            color: Color | None = None
            if kind == 5:
                index = next(codes, 256)
                color = Color.from_ansi(index) if index < 256 else None
            elif kind == 2:
                rgb = (next(codes, 256), next(codes, 256), next(codes, 256))
                color = Color.from_rgb(*rgb) if max(rgb) < 256 else None
            if color is not None:
                style += Style.from_color(color) if code == 38 else Style.from_color(None, color)
    return style


@lru_cache(maxsize=1024)
def sgr_style(state: str) -> Style:
    """The style a run of SGR sequences leaves in force; `state` is their parameters, in
    order, joined by "|" (as `decode_sgr` records them)."""
    style = Style.null()
    for params in state.split("|"):
        style = _sgr(style, params)
    return style


def _expand_tabs(chunk: str, column: int) -> str:
    if "\t" not in chunk:
        return chunk
    return ("x" * column + chunk).expandtabs(TAB_SIZE)[column:]


Spans = tuple[int | str, ...]


def decode_sgr(message: str) -> tuple[str, Spans]:
    """The inert text of `message` with its SGR sequences taken out, and their colours as
    spans over that text: a flat tuple of (start, end, state) triples, the state being the
    SGR parameters in force (see `sgr_style`). Any other escape sequence stays, inert.

    Flat, and strings rather than Styles, so that an entry holds nothing the garbage
    collector must keep tracking (a tuple is untracked one nesting level per collection).
    """
    parts: list[str] = []
    spans: list[int | str] = []
    state = ""
    length = column = position = 0

    def add(chunk: str) -> None:
        nonlocal length, column
        chunk = _expand_tabs(inert(chunk, lines=True), column)
        parts.append(chunk)
        if state and sgr_style(state):
            spans.extend((length, length + len(chunk), state))
        length += len(chunk)
        newline = chunk.rfind("\n")
        column = len(chunk) - newline - 1 if newline >= 0 else column + len(chunk)

    for match in _SGR.finditer(message):
        if match.start() > position:
            add(message[position : match.start()])
        params = match.group(1)
        # A reset makes what came before moot; otherwise keep a bounded history.
        if params[:1] in ("", "0") or not state:
            state = params
        else:
            state = (
                f"{state}|{params}"
                if state.count("|") < 7
                else f"{state.split('|', 1)[1]}|{params}"
            )
        position = match.end()
    if position < len(message):
        add(message[position:])
    return "".join(parts), tuple(spans)


# -- entries ------------------------------------------------------------------------------


# An entry: (seq, timestamp ms, tag, inert text with lines joined by newlines, SGR spans or
# None, length of the "… [+N chars]" marker ending the text or 0, cells per line). seq grows
# with time; prepended entries get lower numbers.
Entry = tuple[int, int, str, str, "Spans | None", int, tuple[int, ...]]
_SEQ, _TS, _TAG, _TEXT, _SPANS, _CUT, _WIDTHS = range(7)
_seq = itemgetter(_SEQ)


_stamps: dict[int, str] = {}


def _stamp(ms: int) -> str:
    """HH:MM:SS.mmm in local time; question marks for a time the platform cannot show."""
    seconds, millis = divmod(ms, 1000)
    head = _stamps.get(seconds)
    if head is None:
        try:
            head = time.strftime("%H:%M:%S", time.localtime(seconds))
        except (OverflowError, OSError, ValueError):
            head = "??:??:??"
        if len(_stamps) > 4096:
            _stamps.clear()
        _stamps[seconds] = head
    return f"{head}.{millis:03d}"


def _expand_json(entry: Entry) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """The entry's message indented over several lines, if it is a JSON object."""
    if entry[_CUT] or not entry[_TEXT].startswith("{"):
        return None
    try:
        value = json.loads(entry[_TEXT])
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    lines = tuple(inert(json.dumps(value, indent=2, ensure_ascii=False), lines=True).split("\n"))
    return lines, tuple(map(cell_len, lines))


class _Styles(NamedTuple):
    base: Style
    stamp: Style
    tag: Style
    marker: Style
    match: Style
    current: Style


# -- the widget ---------------------------------------------------------------------------


class LogView(ScrollView, can_focus=True):
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
            tooltip="Expand or fold the JSON line under the cursor",
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
        super().__init__(id=id, classes=classes)
        self.max_lines = max(1, max_lines)
        self.max_line_length = max(1, max_line_length)
        self._tagger: Callable[[LogEvent], str] | None = None
        self._tags: dict[str, str] = {}
        self._entries: list[Entry] = []
        self._shown: list[Entry] = []
        self._expanded: dict[int, tuple[tuple[str, ...], tuple[int, ...]]] = {}  # by seq
        self._starts = array("q")
        self._end = 0  # absolute row after the last shown entry
        self._next_seq = 0
        self._low_seq = 0  # the next prepended entry's seq is one below
        self._max_width = 0  # running widest line, for the horizontal scroll
        self._filter: re.Pattern[str] | None = None
        self._errors_only = False
        self._search: re.Pattern[str] | None = None
        self._match_seqs: list[int] = []  # seqs of shown entries that match the search
        self._following = True
        self._waiting = 0
        self._wrap = False
        self._timestamps = True
        self._cursor: int | None = None  # seq of the cursor's entry
        # What Textual's scroll offset is relative to: the top row as of the last flush.
        self._base = 0
        self._flushed_end = 0
        self._dirty = False
        self._timer: Timer | None = None
        self._last_flush = 0.0
        self._changed_state: tuple | None = None
        self._changed_time = 0.0
        self._changed_timer: Timer | None = None
        self._scrolling = False  # True while this widget moves its own scroll offset
        self._layout_width = 0  # the width wrapped rows were laid out for
        self._gen = 0  # bumped whenever every cached row is stale
        self._cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._styles: _Styles | None = None
        self._cursor_styles: _Styles | None = None

    # -- public state ---------------------------------------------------------------------

    @property
    def tagger(self) -> Callable[[LogEvent], str] | None:
        """Gives each event its tag (taken on append); None: no tag column."""
        return self._tagger

    @tagger.setter
    def tagger(self, tagger: Callable[[LogEvent], str] | None) -> None:
        self._tagger = tagger
        self._tags.clear()
        self._prefix_changed()

    @property
    def following(self) -> bool:
        """True: new lines scroll into view and the cursor stays on the newest."""
        return self._following

    @following.setter
    def following(self, value: bool) -> None:
        if value == self._following:
            return
        self._following = value
        self._waiting = 0
        if value:
            self._flush(force=True)
        self._post_changed(now=True)

    @property
    def waiting(self) -> int:
        """Lines (that pass the filter) appended since following stopped."""
        return self._waiting

    @property
    def wrap(self) -> bool:
        """Wrap long lines instead of scrolling sideways."""
        return self._wrap

    @wrap.setter
    def wrap(self, value: bool) -> None:
        if value != self._wrap:
            self._wrap = value
            if value:
                self.scroll_to(x=0, animate=False)
            self._relayout()
            self._post_changed(now=True)

    @property
    def timestamps(self) -> bool:
        """Show each line's time (local, to the millisecond)."""
        return self._timestamps

    @timestamps.setter
    def timestamps(self, value: bool) -> None:
        if value != self._timestamps:
            self._timestamps = value
            self._prefix_changed()
            self._post_changed(now=True)

    @property
    def errors_only(self) -> bool:
        """Show only lines that look like errors or warnings (see `looks_like_error`)."""
        return self._errors_only

    @errors_only.setter
    def errors_only(self, value: bool) -> None:
        if value != self._errors_only:
            self._errors_only = value
            self._refilter()

    @property
    def held(self) -> int:
        """Lines in the buffer."""
        return len(self._entries)

    @property
    def shown(self) -> int:
        """Lines that pass the filter."""
        return len(self._shown)

    @property
    def filtered(self) -> bool:
        """Whether a filter pattern or errors_only hides some lines."""
        return self._filter is not None or self._errors_only

    @property
    def matches(self) -> int:
        """Shown lines that match the search."""
        return len(self._match_seqs)

    @property
    def match_index(self) -> int:
        """1-based position of the cursor's line among the matches, 0 when not on one."""
        if self._cursor is None:
            return 0
        index = bisect_left(self._match_seqs, self._cursor)
        found = index < len(self._match_seqs) and self._match_seqs[index] == self._cursor
        return index + 1 if found else 0

    @property
    def cursor_line(self) -> int | None:
        """Index of the cursor's line among the shown lines, or None when none is shown."""
        return self._cursor_index()

    # -- adding and removing lines --------------------------------------------------------

    def append(self, events: Sequence[LogEvent]) -> None:
        """Add newer lines at the end; the oldest are dropped past max_lines."""
        if not events:
            return
        if len(events) > self.max_lines:
            events = events[-self.max_lines :]
        seq = self._next_seq
        new = [self._entry(event, seq + i) for i, event in enumerate(events)]
        self._next_seq = seq + len(new)
        self._entries.extend(new)
        passing = self._passing(new)
        self._place(passing)
        if passing and self._search is not None:
            search = self._search.search
            self._match_seqs.extend(e[_SEQ] for e in passing if search(e[_TEXT]))
        if not self._following:
            self._waiting += len(passing)
        self._trim()
        self._schedule()

    def prepend(self, events: Sequence[LogEvent]) -> None:
        """Add older lines (oldest first) at the top; the view keeps showing the same lines.

        If the buffer is full, the newest max_lines are kept, so older lines may be dropped.
        """
        room = self.max_lines - len(self._entries)
        if not events or room <= 0:
            return
        events = events[-room:]
        low = self._low_seq - len(events)
        self._low_seq = low
        new = [self._entry(event, low + i) for i, event in enumerate(events)]
        self._entries[:0] = new
        passing = self._passing(new)
        if passing:
            rows = [self._rows(e) for e in passing]
            top = (self._starts[0] if self._shown else self._end) - sum(rows)
            starts = array("q")
            for count in rows:
                starts.append(top)
                top += count
            self._starts[:0] = starts
            self._shown[:0] = passing
            if self._search is not None:
                search = self._search.search
                self._match_seqs[:0] = [e[_SEQ] for e in passing if search(e[_TEXT])]
        if self._cursor is None and self._shown:
            self._cursor = self._shown[-1][_SEQ]
        self._flush(force=True)

    def clear(self) -> None:
        """Drop every line; the view follows again."""
        self._entries.clear()
        self._shown.clear()
        self._starts = array("q")
        self._match_seqs.clear()
        self._expanded.clear()
        self._max_width = 0
        self._cursor = None
        self._waiting = 0
        self._following = True
        self._cache.clear()
        self._flush(force=True)
        self._post_changed(now=True)

    def _entry(self, event: LogEvent, seq: int) -> Entry:
        """One event made safe to show: inert, cut, tabs expanded, SGR decoded."""
        message = event.message
        if message.endswith("\n"):
            message = message.rstrip("\r\n")
        if "\r\n" in message:
            message = message.replace("\r\n", "\n")
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
        if width > self._max_width:
            self._max_width = width
        tag = ""
        if self._tagger is not None:
            raw = self._tagger(event)
            tag = self._tags.get(raw)
            if tag is None:
                tag = inert(raw)[:TAG_WIDTH]
                if len(self._tags) > 4096:
                    self._tags.clear()
                self._tags[raw] = tag
        return (seq, event.timestamp, tag, text, spans, cut, widths)

    def _passes(self, entry: Entry) -> bool:
        if self._filter is not None and self._filter.search(entry[_TEXT]) is None:
            return False
        return not self._errors_only or looks_like_error(entry[_TEXT])

    def _passing(self, entries: list[Entry]) -> list[Entry]:
        if self._filter is None and not self._errors_only:
            return entries
        return [e for e in entries if self._passes(e)]

    def _place(self, entries: Iterable[Entry]) -> None:
        """Lay out entries after the last shown one."""
        starts = self._starts
        end = self._end
        shown = self._shown
        if not self._wrap and not self._expanded:
            for entry in entries:
                shown.append(entry)
                starts.append(end)
                end += len(entry[_WIDTHS])
        else:
            rows = self._rows
            for entry in entries:
                shown.append(entry)
                starts.append(end)
                end += rows(entry)
        self._end = end
        if self._cursor is None and shown:
            self._cursor = shown[-1][_SEQ]

    def _trim(self) -> None:
        """Drop the oldest entries past max_lines, and everything that pointed at them."""
        excess = len(self._entries) - self.max_lines
        if excess <= 0:
            return
        first = self._entries[excess][_SEQ]
        del self._entries[:excess]
        if self._expanded:
            for seq in [seq for seq in self._expanded if seq < first]:
                del self._expanded[seq]
        gone = bisect_left(self._shown, first, key=_seq)
        if gone:
            del self._shown[:gone]
            del self._starts[:gone]
        gone = bisect_left(self._match_seqs, first)
        if gone:
            del self._match_seqs[:gone]
        if self._cursor is not None and self._cursor < first:
            self._cursor = self._shown[0][_SEQ] if self._shown else None

    # -- layout ---------------------------------------------------------------------------

    @property
    def _prefix_width(self) -> int:
        return (STAMP_WIDTH if self._timestamps else 0) + (
            TAG_WIDTH + 1 if self._tagger is not None else 0
        )

    def _capacity(self) -> tuple[int, int]:
        """Cells of message on an entry's first row and on its continuation rows."""
        if self._layout_width <= 0:  # no size yet: one row a line until the first resize
            return 1 << 30, 1 << 30
        width = self._layout_width - self._prefix_width
        return max(1, width), max(1, width - INDENT)

    def _widths(self, entry: Entry) -> tuple[int, ...]:
        expanded = self._expanded.get(entry[_SEQ]) if self._expanded else None
        return entry[_WIDTHS] if expanded is None else expanded[1]

    def _lines(self, entry: Entry) -> Sequence[str]:
        expanded = self._expanded.get(entry[_SEQ]) if self._expanded else None
        if expanded is not None:
            return expanded[0]
        return entry[_TEXT].split("\n") if len(entry[_WIDTHS]) > 1 else (entry[_TEXT],)

    def _rows(self, entry: Entry) -> int:
        widths = self._widths(entry)
        if not self._wrap:
            return len(widths)
        first, rest = self._capacity()
        width = widths[0]
        rows = 1 if width <= first else 1 + -(-(width - first) // rest)
        for width in widths[1:]:
            rows += 1 if width <= rest else -(-width // rest)
        return rows

    def _row_spans(self, entry: Entry) -> list[tuple[int, int, int | None]]:
        """Each row of an entry as (line, first cell, end cell or None for the rest)."""
        widths = self._widths(entry)
        if not self._wrap:
            return [(line, 0, None) for line in range(len(widths))]
        first, rest = self._capacity()
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

    def _relayout(self) -> None:
        """Lay every shown entry out again (wrap, width, prefix changed), keeping the view."""
        self._layout_width = self._view_size().width
        self._rebuild(self._shown)

    def _prefix_changed(self) -> None:
        """The timestamp or tag column came or went: only wrapped rows need laying out."""
        if self._wrap:
            self._relayout()
        else:
            self._gen += 1
            self._cache.clear()
            self._flush(force=True, repaint=True)

    def _refilter(self) -> None:
        """Choose the shown entries again (the filter changed), keeping the cursor's line."""
        self._rebuild([e for e in self._entries if self._passes(e)])
        self._post_changed(now=True)

    def _rebuild(self, shown: list[Entry]) -> None:
        anchor = self._anchor()
        self._shown = []
        self._starts = array("q")
        self._end = 0
        self._place(shown)
        self._rematch()
        self._gen += 1
        self._cache.clear()
        self._restore(anchor)

    def _rematch(self) -> None:
        if self._search is None:
            self._match_seqs = []
        else:
            search = self._search.search
            self._match_seqs = [e[_SEQ] for e in self._shown if search(e[_TEXT])]

    def _anchor(self) -> tuple[int, int] | None:
        """What the view shows: the top row's entry seq and its offset from the view's top."""
        if self._following or not self._shown:
            return None
        self._sync_base()
        index = self._index_at(self._top + round(self.scroll_y))
        if index is None:
            return None
        offset = self._starts[index] - self._top - round(self.scroll_y)
        if self._cursor is not None:
            cursor = self._cursor_index()
            if cursor is not None:
                row = self._starts[cursor] - self._top - round(self.scroll_y)
                if 0 <= row < self._view_size().height:
                    return self._shown[cursor][_SEQ], row
        return self._shown[index][_SEQ], offset

    def _restore(self, anchor: tuple[int, int] | None) -> None:
        """Scroll so the anchored entry sits where it was (or at the end when following)."""
        if self._cursor is not None and self._shown:
            index = min(bisect_left(self._shown, self._cursor, key=_seq), len(self._shown) - 1)
            self._cursor = self._shown[index][_SEQ]
        y = None
        if anchor is not None and self._shown:
            seq, offset = anchor
            index = min(bisect_left(self._shown, seq, key=_seq), len(self._shown) - 1)
            y = max(0, self._starts[index] - self._top - offset)
        self._flush(force=True, y=y, repaint=True)

    @property
    def _top(self) -> int:
        return self._starts[0] if self._shown else self._end

    def _index_at(self, row: int) -> int | None:
        """Index of the shown entry drawn on absolute `row`."""
        if not self._shown or row < self._starts[0] or row >= self._end:
            return None
        return bisect_right(self._starts, row) - 1

    def _entry_rows(self, index: int) -> int:
        following = index + 1
        return (self._starts[following] if following < len(self._starts) else self._end) - (
            self._starts[index]
        )

    def _view_size(self) -> Size:
        return self.scrollable_content_region.size

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
        if self._base != self._top or self._flushed_end != self._end or self._dirty:
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
        height = self._view_size().height
        old_top = self._base + round(self.scroll_y)
        top = self._top
        total = self._end - top
        if self._wrap:
            width = self._view_size().width
        else:
            width = self._prefix_width + INDENT + self._max_width
        if self._following:
            if self._shown:
                self._cursor = self._shown[-1][_SEQ]
            y = max(0, total - height)
        elif y is None:
            y = max(0, old_top - top)
        new_rows = self._flushed_end < top + y + height
        changed = repaint or self._following or top + y != old_top or new_rows
        self._base = top
        self._flushed_end = self._end
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
        self.set_reactive(LogView.virtual_size, size)
        self._scroll_update(size)

    # -- messages -------------------------------------------------------------------------

    def _state(self) -> tuple:
        return (
            self._following,
            self._waiting,
            len(self._match_seqs),
            self.match_index,
            len(self._entries),
            len(self._shown),
            self._filter,
            self._errors_only,
            self._wrap,
            self._timestamps,
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
        self._search = parse_pattern(pattern)
        self._sync_base()
        self._rematch()
        self._gen += 1
        self.refresh()
        if self._match_seqs and self._cursor is not None:
            index = bisect_left(self._match_seqs, self._cursor)
            if index == len(self._match_seqs):
                index -= 1
            self._goto(self._match_seqs[index])
        self._post_changed(now=True)
        return len(self._match_seqs)

    def next_match(self) -> bool:
        """Move the cursor to the next match, wrapping around; False when there is none."""
        return self._step_match(1)

    def previous_match(self) -> bool:
        """Move the cursor to the previous match, wrapping around; False when there is none."""
        return self._step_match(-1)

    def _step_match(self, direction: int) -> bool:
        seqs = self._match_seqs
        if not seqs:
            return False
        self._sync_base()
        cursor = self._cursor if self._cursor is not None else seqs[0]
        if direction > 0:
            index = bisect_right(seqs, cursor)
            target = seqs[index] if index < len(seqs) else seqs[0]
        else:
            index = bisect_left(seqs, cursor) - 1
            target = seqs[index] if index >= 0 else seqs[-1]
        self._goto(target)
        self._post_changed(now=True)
        return True

    def set_filter(self, pattern: str | None) -> None:
        """Show only the lines matching `pattern` (None or "": every line)."""
        self._filter = parse_pattern(pattern)
        self._refilter()

    # -- the cursor -----------------------------------------------------------------------

    def _cursor_index(self) -> int | None:
        if not self._shown or self._cursor is None:
            return None
        return min(bisect_left(self._shown, self._cursor, key=_seq), len(self._shown) - 1)

    def _goto(self, seq: int) -> None:
        """Put the cursor on the shown entry `seq`, stop following, and bring it into view."""
        self._following = False
        self._cursor = seq
        index = self._cursor_index()
        if index is not None:
            self._reveal(index)
        self.refresh()

    def _reveal(self, index: int) -> None:
        """Scroll the least that shows the entry at `index` (its top, if it is too tall)."""
        height = self._view_size().height
        top = self._starts[index] - self._top
        bottom = top + self._entry_rows(index)
        y = round(self.scroll_y)
        if top < y:
            y = top
        elif bottom > y + height:
            y = min(top, bottom - height)
        self._scroll_y(y)

    def _scroll_y(self, y: int) -> None:
        self._scrolling = True
        try:
            self.scroll_to(y=y, animate=False, immediate=True)
        finally:
            self._scrolling = False

    def _move(self, index: int, *, up: bool) -> None:
        """A key moved the cursor to `index`: stop following if it went up."""
        if not self._shown:
            if up:
                self.post_message(self.ReachedTop(self))
            return
        index = max(0, min(index, len(self._shown) - 1))
        if up and self._following:
            self._following = False
            self._waiting = 0
        self._cursor = self._shown[index][_SEQ]
        self._reveal(index)
        self.refresh()
        if up and index == 0:
            self.post_message(self.ReachedTop(self))
        self._post_changed(now=True)

    def action_cursor_up(self) -> None:
        """Move the cursor up a line; stops following."""
        self._sync_base()
        index = self._cursor_index()
        self._move((index if index is not None else 0) - 1, up=True)

    def action_cursor_down(self) -> None:
        """Move the cursor down a line."""
        self._sync_base()
        index = self._cursor_index()
        if index is not None and not self._following:
            self._move(index + 1, up=False)

    def action_page_up(self) -> None:
        """Move a page up; stops following."""
        self._sync_base()
        self._page(-1)

    def action_page_down(self) -> None:
        """Move a page down."""
        self._sync_base()
        if not self._following:
            self._page(1)

    def _page(self, direction: int) -> None:
        index = self._cursor_index()
        if index is None:
            self._move(0, up=direction < 0)
            return
        height = self._view_size().height
        y = round(self.scroll_y)
        screen_row = max(0, min(self._starts[index] - self._top - y, height - 1))
        new_y = max(0, min(y + direction * height, self.max_scroll_y))
        if new_y == y:
            target = 0 if direction < 0 else len(self._shown) - 1
        else:
            self._scroll_y(new_y)
            target = self._index_at(self._top + new_y + screen_row)
            if target is None:
                target = len(self._shown) - 1
            if direction < 0 and target >= index:
                target = max(0, index - 1)
        self._move(target, up=direction < 0)

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
        self.following = not self._following

    def action_toggle_wrap(self) -> None:
        """Wrap long lines, or scroll sideways."""
        self.wrap = not self._wrap

    def action_toggle_timestamps(self) -> None:
        """Show or hide the timestamps."""
        self.timestamps = not self._timestamps

    def action_next_match(self) -> None:
        """The next search match (n)."""
        if not self.next_match():
            self.app.bell()

    def action_previous_match(self) -> None:
        """The previous search match (N)."""
        if not self.previous_match():
            self.app.bell()

    def action_toggle_json(self) -> None:
        """Expand the cursor's JSON line over several rows, or collapse it."""
        self._sync_base()
        index = self._cursor_index()
        if index is None:
            return
        entry = self._shown[index]
        seq = entry[_SEQ]
        before = self._entry_rows(index)
        if seq in self._expanded:
            del self._expanded[seq]
        else:
            expanded = _expand_json(entry)
            if expanded is None:
                return
            self._expanded[seq] = expanded
            self._max_width = max(self._max_width, *expanded[1])
        delta = self._rows(entry) - before
        if delta:
            starts = self._starts
            tail = array("q", (start + delta for start in starts[index + 1 :]))
            starts[index + 1 :] = tail
            self._end += delta
        self._flush(force=True, repaint=True)
        if not self._following:
            self._reveal(index)

    # -- scrolling by mouse and scrollbar -------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._scrolling or round(new_value) >= round(old_value):
            return
        # The operator scrolled up (wheel or scrollbar): stop following, keep the view.
        if self._following and round(new_value) < self.max_scroll_y:
            self._following = False
            self._waiting = 0
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
        if not self._following and self.is_vertical_scroll_end and not event.ctrl:
            self.following = True

    def on_resize(self, event: events.Resize) -> None:
        """Wrap again for a new width; keep following at the end of a new height."""
        if self._wrap and self._view_size().width != self._layout_width:
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
        self._styles = self._cursor_styles = None
        self._gen += 1
        self._cache.clear()

    def _get_styles(self, cursor: bool) -> _Styles:
        if self._styles is None or self._cursor_styles is None:
            get = self.get_component_rich_style
            base = self.rich_style
            plain = _Styles(
                base,
                get("logview--timestamp"),
                get("logview--tag"),
                get("logview--marker"),
                get("logview--match"),
                get("logview--current-match"),
            )
            under = Style.from_color(bgcolor=get("logview--cursor").bgcolor)
            self._styles = plain
            self._cursor_styles = _Styles(
                base + under,
                plain.stamp + under,
                plain.tag + under,
                plain.marker + under,
                plain.match,
                plain.current,
            )
        return self._cursor_styles if cursor else self._styles

    def render_line(self, y: int) -> Strip:
        """One row of the view: a row of the entry drawn there, cropped to the width."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        row = self._base + scroll_y + y
        index = self._index_at(row)
        if index is None:
            return Strip.blank(width, self.rich_style)
        entry = self._shown[index]
        cursor = entry[_SEQ] == self._cursor
        strip = self._row_strip(entry, row - self._starts[index], cursor)
        style = self._get_styles(cursor).base
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def _row_strip(self, entry: Entry, row: int, cursor: bool) -> Strip:
        key = (self._gen, entry[_SEQ], row, cursor, entry[_SEQ] in self._expanded)
        strip = self._cache.get(key)
        if strip is not None:
            return strip
        styles = self._get_styles(cursor)
        spans = self._row_spans(entry)
        line, start, end = spans[min(row, len(spans) - 1)]
        if start == 0 and line == 0:
            prefix: list[Segment] = []
            if self._timestamps:
                prefix.append(Segment(_stamp(entry[_TS]) + " ", styles.stamp))
            if self._tagger is not None:
                prefix.append(Segment(entry[_TAG].ljust(TAG_WIDTH) + " ", styles.tag))
        else:
            prefix = [Segment(" " * (self._prefix_width + INDENT), styles.base)]
        content = self._line_strip(entry, line, styles, cursor)
        if end is not None:
            content = content.crop(start, end)
        strip = Strip([*prefix, *content])
        self._cache[key] = strip
        return strip

    def _line_strip(self, entry: Entry, line: int, styles: _Styles, cursor: bool) -> Strip:
        """A whole line of an entry, with its colours, the cut marker and search hits."""
        lines = self._lines(entry)
        text = lines[line]
        expanded = entry[_SEQ] in self._expanded
        widths = self._widths(entry)
        hits = []
        if self._search is not None:
            hits = [m.span() for m in self._search.finditer(text) if m.end() > m.start()]
        marker = entry[_CUT] and not expanded and line == len(lines) - 1
        spans = entry[_SPANS] if not expanded else None
        if not (hits or marker or spans):
            return Strip([Segment(text, styles.base)], widths[line])
        rich_text = Text(text, style=styles.base, no_wrap=True, end="")
        if spans:
            offset = sum(len(part) + 1 for part in lines[:line])
            for i in range(0, len(spans), 3):
                start, end, state = spans[i : i + 3]
                if end > offset and start < offset + len(text):
                    rich_text.stylize(sgr_style(state), max(0, start - offset), end - offset)
        if marker:
            rich_text.stylize(styles.marker, len(text) - entry[_CUT])
        hit_style = styles.current if cursor else styles.match
        for start, end in hits:
            rich_text.stylize(hit_style, start, end)
        return Strip(list(rich_text.render(self.app.console)), widths[line])

    # -- saving ---------------------------------------------------------------------------

    def shown_lines(self) -> list[str]:
        """The plain text of every shown line, as shown (timestamps and tags per the
        toggles, a trace's continuation lines indented), for saving to a file."""
        out: list[str] = []
        stamps = self._timestamps
        tags = self._tagger is not None
        indent = " " * (self._prefix_width + INDENT)
        for entry in self._shown:
            lines = self._lines(entry)
            head = ""
            if stamps:
                head = _stamp(entry[_TS]) + " "
            if tags:
                head += entry[_TAG].ljust(TAG_WIDTH) + " "
            out.append(head + lines[0])
            out.extend(indent + line for line in lines[1:])
        return out
