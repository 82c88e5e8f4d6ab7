"""Where artui writes what went wrong, so an error on screen (or a crash) can be read in full.

The file is `$XDG_STATE_HOME/artui/artui.log` (default `~/.local/state/artui/artui.log`),
kept under a megabyte with one older copy. It is only created when something is logged,
private (0600) and never through a link (`open_private`, below).

One record is cut to MAX_RECORD characters (each line to MAX_LINE, then the middle lines
out), keeping its head (the message, the outer frames) and its tail (the innermost frames,
the exception). Without the cap, one crash with a traceback or an error message of many
megabytes would rotate the file twice (before it is written and at the next record) and
leave nothing of what led up to it. With it, a rotation comes only once the file is within
one record of the megabyte, so the older copy always holds over 960 kB of what came before.

Every file artui writes (a saved log, the log file, an export or a migration plan) is
opened by `open_private`, and only there. They carry log lines, ARNs and account ids, so
they are private (0600). A save's name is predictable and may land in the shared temp
dir: a file is created new, never opened through a link someone planted at its name, and a
name already taken gives way to the next free one (`name-2.log`, `name-3.log`, ...) rather
than being overwritten. A file named on the command line (`-o`) is replaced whole
(`replace_private`): written new beside it, then renamed over it.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Literal

MODE = 0o600
ENCODING = "utf-8"
# Text from AWS may hold lone surrogates (JSON decodes "\ud800"): strict UTF-8 would fail the
# write and lose the line, "replace" would hide what was there. `\ud800` keeps it readable.
ERRORS = "backslashreplace"
# Names tried before giving up: a thousand saves in one second is not an operator.
MAX_NAMES = 1000
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: a FIFO planted at the name must not hang the open until a reader comes.
_CONTINUED = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


def _numbered(path: Path, n: int) -> Path:
    return path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")


def open_private(path: Path, *, append: bool = False) -> tuple[Path, TextIOWrapper]:
    """A private (0600) UTF-8 text file opened for writing, and the path it has.

    By default the file is new: created exclusively (O_CREAT|O_EXCL, which never follows a
    link) at `path`, or at the first free name after it. With `append` it is the file at
    exactly `path`, continued if it is there (the log file, from one session to the next):
    still never through a link, only a regular file with no other name, made private if an
    older artui left it readable. Raises OSError when neither can be done.
    """
    if append:
        return path, _text(_continued(path), "a")
    for n in range(1, MAX_NAMES + 1):
        candidate = _numbered(path, n)
        try:
            fd = os.open(candidate, _NEW, MODE)
        except FileExistsError:  # a file, a directory or a link (even a dangling one)
            continue
        return candidate, _text(fd, "w")
    raise FileExistsError(
        errno.EEXIST, f"it and the next {MAX_NAMES - 1} names are taken", str(path)
    )


def replace_private(path: Path, text: str) -> None:
    """`text` as the file at `path`, private (0600), replacing what was there: written to a
    new file beside it (`open_private`), then renamed over `path`, so a link planted at the
    name is replaced, never followed, and no reader sees half a file. Raises OSError."""
    temp, out = open_private(path.with_name(f".{path.name}.part"))
    try:
        with out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _continued(path: Path) -> int:
    fd = os.open(path, _CONTINUED, MODE)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if info.st_nlink != 1:  # a hard link planted at the name would write into its twin
            raise OSError(errno.EMLINK, "the file has other names (hard links)", str(path))
        if stat.S_IMODE(info.st_mode) != MODE:
            os.fchmod(fd, MODE)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _text(fd: int, mode: Literal["w", "a"]) -> TextIOWrapper:
    try:
        return open(fd, mode, encoding=ENCODING, errors=ERRORS)
    except BaseException:
        os.close(fd)
        raise


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
    """A RotatingFileHandler whose file `open_private` opens: 0600, never through a link."""

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
