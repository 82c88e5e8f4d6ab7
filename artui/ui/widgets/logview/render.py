"""The log view's rows as Strips: prefix columns, SGR colours, the cut marker, search hits.

Only visible rows are rendered, each cached as a Strip keyed by entry and row, as Textual's
`Log` does; the cache is bounded. Log text is never parsed as markup: it becomes a
`rich.text.Text` as it is, styled only by spans this package built (`ansi.sgr_style`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, cast

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.strip import Strip

from .ansi import sgr_style
from .entries import CUT, INDENT, SEQ, SPANS, TAG, TAG_WIDTH, TS, Entry, LogEntries, stamp


class RowStyles(NamedTuple):
    """The styles of one kind of row (the cursor's, or any other)."""

    base: Style
    stamp: Style
    tag: Style
    marker: Style
    match: Style
    current: Style


def row_styles(base: Style, component: Callable[[str], Style]) -> tuple[RowStyles, RowStyles]:
    """The styles of a plain row and of the cursor's row, from the view's own style and its
    component classes (`component` gives the style of one)."""
    plain = RowStyles(
        base,
        component("logview--timestamp"),
        component("logview--tag"),
        component("logview--marker"),
        component("logview--match"),
        component("logview--current-match"),
    )
    under = Style.from_color(bgcolor=component("logview--cursor").bgcolor)
    cursor = RowStyles(
        base + under,
        plain.stamp + under,
        plain.tag + under,
        plain.marker + under,
        plain.match,
        plain.current,
    )
    return plain, cursor


class RowPainter:
    """Draws the rows of `entries` as they are laid out, caching each row's Strip."""

    def __init__(self, entries: LogEntries, cache_size: int = 1024) -> None:
        self.entries = entries
        self._gen = 0  # bumped whenever every cached row is stale
        self._cache: LRUCache[tuple, Strip] = LRUCache(cache_size)

    def forget(self) -> None:
        """Every cached row is stale: the layout, the search or the styles changed."""
        self._gen += 1
        self._cache.clear()

    def row(
        self, entry: Entry, row: int, cursor: bool, styles: RowStyles, console: Console
    ) -> Strip:
        """Row `row` of `entry` (0: its first), uncropped; `styles` are the cursor's row
        styles when `cursor`."""
        entries = self.entries
        key = (self._gen, entry[SEQ], row, cursor, entry[SEQ] in entries.expanded)
        strip = self._cache.get(key)
        if strip is not None:
            return strip
        spans = entries.row_spans(entry)
        line, start, end = spans[min(row, len(spans) - 1)]
        if start == 0 and line == 0:
            prefix: list[Segment] = []
            if entries.timestamps:
                prefix.append(Segment(stamp(entry[TS]) + " ", styles.stamp))
            if entries.tagger is not None:
                prefix.append(Segment(entry[TAG].ljust(TAG_WIDTH) + " ", styles.tag))
        else:
            prefix = [Segment(" " * (entries.prefix_width + INDENT), styles.base)]
        content = self._line(entry, line, cursor, styles, console)
        if end is not None:
            content = content.crop(start, end)
        strip = Strip([*prefix, *content])
        self._cache[key] = strip
        return strip

    def _line(
        self, entry: Entry, line: int, cursor: bool, styles: RowStyles, console: Console
    ) -> Strip:
        """A whole line of an entry, with its colours, the cut marker and search hits."""
        entries = self.entries
        lines = entries.lines(entry)
        text = lines[line]
        expanded = entry[SEQ] in entries.expanded
        widths = entries.widths(entry)
        hits = []
        if entries.search is not None:
            hits = [m.span() for m in entries.search.finditer(text) if m.end() > m.start()]
        marker = entry[CUT] and not expanded and line == len(lines) - 1
        spans = entry[SPANS] if not expanded else None
        if not (hits or marker or spans):
            return Strip([Segment(text, styles.base)], widths[line])
        rich_text = Text(text, style=styles.base, no_wrap=True, end="")
        if spans:
            offset = sum(len(part) + 1 for part in lines[:line])
            for i in range(0, len(spans), 3):
                # Spans hold (start, end, state) triples flat: see ansi.decode_sgr.
                start, end, state = cast("tuple[int, int, str]", spans[i : i + 3])
                if end > offset and start < offset + len(text):
                    rich_text.stylize(sgr_style(state), max(0, start - offset), end - offset)
        if marker:
            rich_text.stylize(styles.marker, len(text) - entry[CUT])
        hit_style = styles.current if cursor else styles.match
        for start, end in hits:
            rich_text.stylize(hit_style, start, end)
        return Strip(list(rich_text.render(console)), widths[line])
