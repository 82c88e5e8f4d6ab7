"""Every file artui writes (a saved log, the log file) is opened here, and only here.

They carry log lines, ARNs and account ids, so they are private (0600). A save's name is
predictable and may land in the shared temp dir: a file is created new, never opened
through a link someone planted at its name, and a name already taken gives way to the
next free one (`name-2.log`, `name-3.log`, ...) rather than being overwritten.
"""

from __future__ import annotations

import errno
import os
import stat
from io import TextIOWrapper
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
