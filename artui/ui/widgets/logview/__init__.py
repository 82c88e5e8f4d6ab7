"""The log view: CloudWatch log events as lines, bounded, lazy, and safe to show.

`ansi` decodes SGR colours and makes every other escape inert, `patterns` reads search and
filter patterns, `entries` holds the lines and their layout (no Textual), `render` draws a
row, `scroller` scrolls and caps the repaints, and `view` is the widget.
"""

from .ansi import decode_sgr, sgr_style
from .entries import INDENT, STAMP_WIDTH, TAG_WIDTH, LogEntries
from .patterns import looks_like_error, parse_pattern
from .scroller import FLUSH_INTERVAL
from .view import CHANGED_INTERVAL, LogView

__all__ = [
    "CHANGED_INTERVAL",
    "FLUSH_INTERVAL",
    "INDENT",
    "STAMP_WIDTH",
    "TAG_WIDTH",
    "LogEntries",
    "LogView",
    "decode_sgr",
    "looks_like_error",
    "parse_pattern",
    "sgr_style",
]
