"""Where artui writes what went wrong, so an error on screen (or a crash) can be read in full.

The file is `$XDG_STATE_HOME/artui/artui.log` (default `~/.local/state/artui/artui.log`),
kept under a megabyte with one older copy. It is only created when something is logged,
private (0600) and never through a link (see artui.files).

One record is cut to MAX_RECORD characters (each line to MAX_LINE, then the middle lines
out), keeping its head (the message, the outer frames) and its tail (the innermost frames,
the exception). Without the cap, one crash with a traceback or an error message of many
megabytes would rotate the file twice (before it is written and at the next record) and
leave nothing of what led up to it. With it, a rotation comes only once the file is within
one record of the megabyte, so the older copy always holds over 960 kB of what came before.
"""

from __future__ import annotations

import logging
import os
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path

from artui.files import open_private

LOGGER = "artui"
_MAX_BYTES = 1_000_000
# At most 4 bytes a character in UTF-8 (6 for a lone surrogate written as `\udXXX`): a
# record's 32,000 characters stay under a fifth of the file whatever they hold.
MAX_RECORD = 32_000
MAX_LINE = 2_000
# Of a cut record, this share of MAX_RECORD goes to its head, the rest to its tail.
_HEAD_SHARE = 4


def log_path() -> Path:
    """The log file's path (it may not exist yet)."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "artui" / "artui.log"


def cut(text: str) -> str:
    """`text` within MAX_RECORD characters: each line within MAX_LINE, then lines from the
    middle left out, each cut said where it was made."""
    lines = [
        line if len(line) <= MAX_LINE else f"{line[:MAX_LINE]} … [+{len(line) - MAX_LINE:,} chars]"
        for line in text.split("\n")
    ]
    if sum(len(line) + 1 for line in lines) <= MAX_RECORD:
        return "\n".join(lines)
    head = _fitting(lines, MAX_RECORD // _HEAD_SHARE)
    rest = lines[head:]
    tail = _fitting(rest[::-1], MAX_RECORD - MAX_RECORD // _HEAD_SHARE)
    left_out = len(rest) - tail
    return "\n".join([*lines[:head], f"… [{left_out:,} lines left out] …", *rest[left_out:]])


def _fitting(lines: list[str], budget: int) -> int:
    """How many of `lines`, from the first, fit in `budget` characters."""
    used = 0
    for count, line in enumerate(lines):
        used += len(line) + 1
        if used > budget:
            return count
    return len(lines)


class _CutFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return cut(super().format(record))


class _PrivateRotatingFileHandler(RotatingFileHandler):
    """A RotatingFileHandler whose file artui.files opens: 0600, never through a link."""

    def _open(self) -> TextIOWrapper:
        return open_private(Path(self.baseFilename), append=True)[1]


def setup() -> Path | None:
    """Send artui's log records to the file; its path, or None if it cannot be written."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)
    # The app owns the terminal: records must not fall through to stderr, not even by
    # logging's last resort when no file could be opened.
    logger.propagate = False
    path = log_path()
    for handler in logger.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            return path
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.path.lexists(path):
            # Whatever is there (a link, a FIFO, a hard link) is refused now, so the operator
            # is told there is no log file rather than a record failing later.
            open_private(path, append=True)[1].close()
        # delay: no empty file for a session where nothing went wrong.
        handler = _PrivateRotatingFileHandler(path, maxBytes=_MAX_BYTES, backupCount=1, delay=True)
    except OSError:
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())
        return None
    handler.setFormatter(_CutFormatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    return path


def logger() -> logging.Logger:
    """artui's logger."""
    return logging.getLogger(LOGGER)
