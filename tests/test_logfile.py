"""The log file: private, never written through a link, every record written whatever text it
holds, and one huge record never rotating away what came before it."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from artui import logfile


@pytest.fixture
def fresh_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A state folder of the test's own; the handlers setup adds are taken away after."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    logger = logging.getLogger(logfile.LOGGER)
    before = list(logger.handlers)
    yield logfile.log_path()
    for handler in logger.handlers:
        if handler not in before:
            logger.removeHandler(handler)
            handler.close()


def logged(path: Path) -> str:
    """Everything the log holds, the older copy first."""
    older = path.with_name(path.name + ".1")
    return "".join(p.read_text() for p in (older, path) if p.exists())


def test_the_log_is_private(fresh_log: Path) -> None:
    assert logfile.setup() == fresh_log
    logfile.logger().error("arn:aws:apprunner:us-east-1:123456789012:service/orders/x")
    assert stat.S_IMODE(fresh_log.stat().st_mode) == 0o600
    assert "123456789012" in fresh_log.read_text()


def test_a_log_an_older_artui_left_readable_is_made_private(fresh_log: Path) -> None:
    fresh_log.parent.mkdir(parents=True)
    fresh_log.write_text("2024-01-01 00:00:00 ERROR from before\n")
    fresh_log.chmod(0o644)
    logfile.setup()
    logfile.logger().error("now")
    assert stat.S_IMODE(fresh_log.stat().st_mode) == 0o600
    assert logged(fresh_log).splitlines()[0].endswith("from before")


@pytest.mark.parametrize("link", ["symlink", "hard link"])
def test_a_link_planted_at_the_log_is_not_followed(
    fresh_log: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str], link: str
) -> None:
    target = tmp_path / "precious"
    target.write_text("keep me\n")
    target.chmod(0o644)
    fresh_log.parent.mkdir(parents=True)
    if link == "symlink":
        fresh_log.symlink_to(target)
    else:
        os.link(target, fresh_log)
    assert logfile.setup() is None  # the operator is told "no log file could be written"
    logfile.logger().error("a record with nowhere to go")
    assert target.read_text() == "keep me\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    # Nothing reaches the terminal the app draws on, not even logging's last resort.
    assert capfd.readouterr() == ("", "")


def test_a_record_holding_a_lone_surrogate_is_written(fresh_log: Path) -> None:
    """JSON decodes "\\ud800" into a str UTF-8 cannot encode: the record still lands."""
    logfile.setup()
    logfile.logger().warning("AWS said %s", "bad \ud800 text")
    logfile.logger().warning("the next record")
    text = logged(fresh_log)
    assert "AWS said bad \\ud800 text" in text
    assert "the next record" in text


def huge_message() -> str:
    """An error message of 3 MB on one line (an AWS answer pasted into an exception)."""
    return "x" * 3_000_000


def many_lines() -> str:
    """An error message of 100,000 lines."""
    return "\n".join(f"detail {i}" for i in range(100_000))


@pytest.mark.parametrize("message", [huge_message, many_lines], ids=["one-long-line", "lines"])
def test_a_huge_traceback_leaves_the_earlier_records(fresh_log: Path, message) -> None:  # type: ignore[no-untyped-def]
    """Uncut, the crash's record rotates the file, and the next record rotates it again:
    everything before the crash would be gone."""
    logfile.setup()
    for i in range(2000):  # ~100 kB of history
        logfile.logger().warning("record %d before the crash", i)
    text = message()
    try:
        raise RuntimeError(text)
    except RuntimeError:
        logfile.logger().exception("artui crashed")
    logfile.logger().error("artui crashed (exit status 1)")
    kept = logged(fresh_log)
    assert all(f"record {i} before the crash" in kept for i in range(2000))
    # The crash's record keeps its head and its tail: where it starts, where it ends.
    assert "ERROR artui crashed\nTraceback (most recent call last):" in kept
    assert "RuntimeError: " + text[:100] in kept
    assert text.rsplit("\n", 1)[-1][:100] in kept  # the message's last line
    assert "artui crashed (exit status 1)" in kept
    assert len(kept) < 200_000


def test_a_cut_record_says_what_was_left_out() -> None:
    long_line = "y" * 5000
    assert logfile.cut(long_line) == "y" * 2000 + " … [+3,000 chars]"
    lines = [f"frame {i}" for i in range(10_000)]
    cut = logfile.cut("\n".join(lines)).split("\n")
    assert cut[0] == "frame 0" and cut[-1] == "frame 9999"
    marker = next(line for line in cut if "left out" in line)
    assert marker == f"… [{10_000 - len(cut) + 1:,} lines left out] …"
    assert sum(len(line) + 1 for line in cut) <= logfile.MAX_RECORD + len(marker) + 1
    assert logfile.cut("short\ntext") == "short\ntext"


def test_the_log_folder_is_private(fresh_log: Path) -> None:
    logfile.setup()
    assert stat.S_IMODE(os.stat(fresh_log.parent).st_mode) == 0o700


def test_replace_private_replaces_a_link_and_never_writes_through_it(tmp_path: Path) -> None:
    """`artui export -o FILE` over a link someone planted: the link is replaced by a private
    file, the file it pointed at is untouched, and nothing is left beside it."""
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    planted = tmp_path / "fleet.yaml"
    planted.symlink_to(victim)
    logfile.replace_private(planted, "exported\n")
    assert victim.read_text() == "keep me\n"
    assert not planted.is_symlink() and planted.read_text() == "exported\n"
    assert stat.S_IMODE(planted.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fleet.yaml", "victim"]
    # An old world-readable file at the name ends private too.
    planted.chmod(0o644)
    logfile.replace_private(planted, "again\n")
    assert stat.S_IMODE(planted.stat().st_mode) == 0o600 and planted.read_text() == "again\n"
