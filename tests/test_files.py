"""artui.logfile.open_private: every file artui writes is private, new, never through a link."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from artui.logfile import MAX_NAMES, open_private


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_new_file_is_private(tmp_path: Path) -> None:
    path, out = open_private(tmp_path / "save.log")
    with out:
        out.write("arn:aws:apprunner:us-east-1:123456789012:service/x\n")
    assert path == tmp_path / "save.log"
    assert mode(path) == 0o600


def test_a_taken_name_gives_way_to_the_next_free_one(tmp_path: Path) -> None:
    wanted = tmp_path / "save.log"
    wanted.write_text("the first save\n")
    (tmp_path / "save-2.log").mkdir()
    path, out = open_private(wanted)
    with out:
        out.write("the second save\n")
    assert path == tmp_path / "save-3.log"
    assert wanted.read_text() == "the first save\n"
    assert path.read_text() == "the second save\n"


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
def test_a_planted_link_is_not_followed(tmp_path: Path, dangling: bool) -> None:
    target = tmp_path / "victim"
    if not dangling:
        target.write_text("keep me\n")
    wanted = tmp_path / "save.log"
    wanted.symlink_to(target)
    path, out = open_private(wanted)
    with out:
        out.write("lines\n")
    assert path == tmp_path / "save-2.log"
    assert wanted.is_symlink()
    assert target.exists() is not dangling
    if not dangling:
        assert target.read_text() == "keep me\n"


def test_when_every_name_is_taken_it_says_so(tmp_path: Path) -> None:
    wanted = tmp_path / "save.log"
    wanted.touch()
    for n in range(2, MAX_NAMES + 1):
        (tmp_path / f"save-{n}.log").touch()
    with pytest.raises(FileExistsError):
        open_private(wanted)


def test_lone_surrogates_are_written_not_refused(tmp_path: Path) -> None:
    path, out = open_private(tmp_path / "save.log")
    with out:
        out.write("bad \ud800 text\n")
    assert path.read_text() == "bad \\ud800 text\n"


def test_append_continues_the_file_and_makes_it_private(tmp_path: Path) -> None:
    log = tmp_path / "artui.log"
    log.write_text("before\n")
    log.chmod(0o644)
    path, out = open_private(log, append=True)
    with out:
        out.write("after\n")
    assert path == log
    assert log.read_text() == "before\nafter\n"
    assert mode(log) == 0o600


def test_append_creates_the_file_private(tmp_path: Path) -> None:
    path, out = open_private(tmp_path / "artui.log", append=True)
    out.close()
    assert mode(path) == 0o600


def test_append_refuses_a_link_a_fifo_and_a_hard_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    victim.chmod(0o644)
    link = tmp_path / "link.log"
    link.symlink_to(victim)
    hard = tmp_path / "hard.log"
    os.link(victim, hard)
    fifo = tmp_path / "fifo.log"
    os.mkfifo(fifo)
    for planted in (link, hard, fifo):  # a FIFO must not hang the open: O_NONBLOCK
        with pytest.raises(OSError):
            open_private(planted, append=True)
    assert victim.read_text() == "keep me\n"
    assert mode(victim) == 0o644
