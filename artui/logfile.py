"""Where artui writes what went wrong, so an error on screen (or a crash) can be read in full.

The file is `$XDG_STATE_HOME/artui/artui.log` (default `~/.local/state/artui/artui.log`),
kept under a megabyte with one older copy. It is only created when something is logged.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOGGER = "artui"
_MAX_BYTES = 1_000_000


def log_path() -> Path:
    """The log file's path (it may not exist yet)."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "artui" / "artui.log"


def setup() -> Path | None:
    """Send artui's log records to the file; its path, or None if it cannot be written."""
    logger = logging.getLogger(LOGGER)
    path = log_path()
    for handler in logger.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # delay: no empty file for a session where nothing went wrong.
        handler = RotatingFileHandler(path, maxBytes=_MAX_BYTES, backupCount=1, delay=True)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    # The app owns the terminal: records must not fall through to stderr.
    logger.propagate = False
    return path


def logger() -> logging.Logger:
    """artui's logger."""
    return logging.getLogger(LOGGER)
