"""Hostile settings through the command line: `artui: <message>` and status 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from artui import launch
from artui.cli import main
from artui.settings import Settings, resolve
from tests.test_settings import aws_config, billion_laughs, no_hang


@pytest.fixture(autouse=True)
def aws_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """resolve() checks profiles against botocore's files: these, not the machine's."""
    return aws_config(tmp_path / "aws", monkeypatch)


def run(
    config: Path | str,
    argv: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> str:
    """Run `artui argv` with ARTUI_CONFIG=config; assert it fails cleanly; the message."""
    monkeypatch.setenv("ARTUI_CONFIG", str(config))
    with no_hang():
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("artui: ")
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    "content, expected",
    [
        pytest.param(
            b"refresh: !!python/object/apply:os.system ['echo pwned']\n",
            "line 1, key 'refresh': YAML tag '!!python/object/apply:os.system'",
            id="python-tag",
        ),
        pytest.param(
            b"profile: ops\nrefresh: !seconds 5\n",
            "line 2, key 'refresh': YAML tag '!seconds'",
            id="local-tag",
        ),
        pytest.param(
            b"profile: \xff\xfeops\n", "line 1: not UTF-8 text (byte 0xff at offset 9)", id="latin1"
        ),
        pytest.param(
            billion_laughs("regions").encode(), "aliases are not allowed", id="alias-bomb"
        ),
        pytest.param(
            b"#" * 1_000_000,
            ": 1000000 bytes is too large for a settings file (the limit is 16 KiB)",
            id="oversize",
        ),
        pytest.param(
            b"refresh: .nan\n", "line 1, key 'refresh': refresh must be a number", id="nan"
        ),
        pytest.param(
            b"regions: |\n  us-east-1\n",
            "line 1, key 'regions': 'us-east-1\\n' is not an AWS region name",
            id="region-newline",
        ),
        pytest.param(
            b"refresh: 5\nprofile: ops\nrefresh: 10\n",
            "line 3, key 'refresh': duplicate key (first set on line 1)",
            id="duplicate-key",
        ),
        pytest.param(
            b'profile: ops\nread_only: "yes"\n',
            "line 2, key 'read_only': read_only must be true or false, got 'yes'",
            id="read-only-quoted-yes",
        ),
        pytest.param(
            b"read_only: 1\n",
            "line 1, key 'read_only': read_only must be true or false, got 1",
            id="read-only-number",
        ),
    ],
)
def test_bad_settings_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    expected: str,
) -> None:
    config = tmp_path / "config.yaml"
    config.write_bytes(content)
    err = run(config, [], monkeypatch, capsys)
    assert err.startswith(f"artui: {config}")
    assert expected in err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    err = run("/dev/zero", [], monkeypatch, capsys)
    assert err == "artui: /dev/zero: is a character device, not a settings file " + (
        "(a small YAML text file)\n"
    )


def test_fifo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "config.yaml"
    os.mkfifo(fifo)
    err = run(fifo, [], monkeypatch, capsys)
    assert f"artui: {fifo}: is a named pipe, not a settings file" in err


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999"])
def test_refresh_flag_not_finite(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    err = run(os.devnull, [f"--refresh={value}"], monkeypatch, capsys)
    assert err.startswith("artui: --refresh: refresh must be a number of seconds from 1 to 3600")


def test_profile_flag_with_control_characters(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    err = run(os.devnull, ["--profile", "ops\x1b]0;pwned\x07"], monkeypatch, capsys)
    assert "\x1b" not in err  # quoted, so the terminal never sees the escape sequence
    assert err.startswith("artui: --profile: profile name 'ops\\x1b]0;pwned\\x07' contains")


def test_duplicate_regions_from_file_and_flags_are_dropped(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("regions: [us-east-1, eu-west-1, us-east-1]\n")
    assert resolve(path=config).regions == ("us-east-1", "eu-west-1")
    flags = ["us-east-1", "us-east-1", "eu-west-1", "us-east-1"]
    assert resolve(path=config, regions=flags).regions == ("us-east-1", "eu-west-1")


@pytest.mark.parametrize(
    "file, argv, expected",
    [
        (None, ["--demo"], False),
        (None, ["--demo", "--read-only"], True),
        (b"read_only: true\n", ["--demo"], True),
        (b"read_only: false\n", ["--demo", "--read-only"], True),
        (b"read_only: false\n", ["--demo"], False),
        (b"read_only: true\n", ["--demo", "--config", "{config}"], True),
    ],
    ids=["neither", "flag", "file-without-flag", "flag-over-file-false", "file-false", "--config"],
)
def test_read_only_reaches_the_app(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    file: bytes | None,
    argv: list[str],
    expected: bool,
) -> None:
    config = tmp_path / "config.yaml"
    if file is not None:
        config.write_bytes(file)
    named = [arg.format(config=config) for arg in argv]
    # Named by --config, the file is read from there only: the variable names no file.
    by_variable = config if file is not None and named == argv else os.devnull
    monkeypatch.setenv("ARTUI_CONFIG", str(by_variable))
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    seen: list[Settings] = []

    def capture(settings: Settings, **kwargs: object) -> None:
        seen.append(settings)
        # Stop before Textual takes the terminal: the settings are all this test needs.
        raise RuntimeError("stop here")

    monkeypatch.setattr(launch, "build_app", capture)
    with no_hang():
        assert main(named) == 1
    capsys.readouterr()
    assert [s.read_only for s in seen] == [expected]
    assert seen[0].demo


@pytest.mark.parametrize("named_by", ["--config", "$ARTUI_CONFIG"])
def test_a_named_file_that_is_missing_stops_artui(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    named_by: str,
) -> None:
    """A typo in the name of a `read_only: true` file: exit 2 naming it, never a console
    that can change things."""
    (tmp_path / "config.yaml").write_bytes(b"read_only: true\n")
    typo = tmp_path / "confg.yaml"
    started: list[object] = []
    monkeypatch.setattr(launch, "build_app", lambda *args, **kwargs: started.append(args))
    if named_by == "--config":
        err = run(os.devnull, ["--demo", "--config", str(typo)], monkeypatch, capsys)
    else:
        err = run(typo, ["--demo"], monkeypatch, capsys)
    assert err == f"artui: {typo}: no such settings file (named by {named_by})\n"
    assert started == []


@pytest.mark.skipif(not Path("/proc/self/environ").is_file(), reason="no /proc")
def test_a_proc_file_is_read_no_further_than_the_limit() -> None:
    """A /proc file's size stats as 0 however much it streams: the read itself stops at the
    limit. /proc/self/environ of the artui reading it holds the 100 kB given to it here."""
    env = dict(os.environ, ARTUI_CONFIG="/proc/self/environ", PADDING="x" * 100_000)
    done = subprocess.run(
        [sys.executable, "-m", "artui"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,  # a guard against a hang, not a measure
    )
    assert (done.returncode, done.stderr) == (
        2,
        "artui: /proc/self/environ: more than 16384 bytes is too large for a settings file "
        "(the limit is 16 KiB)\n",
    )
