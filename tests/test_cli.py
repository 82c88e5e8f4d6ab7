"""The command line: bad input is a clear message and exit status 2, never a traceback."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest

from artui import __version__, launch, logfile
from artui.boot.terminal import HANDLED
from artui.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"artui {__version__}"


def test_malformed_settings_file_names_line_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("profile: ops\nrefresh: often\n")
    monkeypatch.setenv("ARTUI_CONFIG", str(config))
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("artui: ")
    assert f"{config} line 2, key 'refresh'" in err
    assert "Traceback" not in err


def test_bad_region_flag(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("ARTUI_CONFIG", os.devnull)
    assert main(["--region", "moon-1"]) == 2
    assert "--region: 'moon-1' is not an AWS region name" in capsys.readouterr().err


# -- artui sim: its flags --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--port", "99999"], "--port: 99999 is not a port: use 1 to 65535 (0: any free port)"),
        (["--port", "-1"], "--port: -1 is not a port"),
        (["--port", "http"], "--port: 'http' is not a port number"),
        (["--services", "-5"], "--services: -5 is out of range: use 0 to 500"),
        (["--services", "100000"], "--services: 100000 is out of range: use 0 to 500"),
        (["--services", "many"], "--services: 'many' is not a whole number"),
        (["--quota", "0"], "--quota: 0 is out of range: use 1 to 10000"),
        (["--quota", "1e3"], "--quota: '1e3' is not a whole number"),
        (["--speed", "0"], "--speed: 0 is out of range: use 1 (AWS's pace) to 1000"),
        (["--speed", "0.5"], "--speed: 0.5 is out of range"),
        (["--speed", "-9"], "--speed: -9 is out of range"),
        (["--speed", "1001"], "--speed: 1001 is out of range"),
        (["--speed", "nan"], "--speed: nan is out of range"),
        (["--speed", "inf"], "--speed: inf is out of range"),
        (["--speed", "fast"], "--speed: 'fast' is not a number"),
        (["--host", ""], "--host: '' is not a host"),
        (["--host", "::1"], "--host: '::1' is not a host: use an IPv4 address or a host name"),
        (["--host", "127.0.0.1:4599"], "--host: '127.0.0.1:4599' is not a host"),
        (["--host", "local host"], "--host: 'local host' is not a host"),
        (["--seed", "-1"], "--seed: -1 is out of range: use 0 to 18446744073709551615"),
        (["--seed", "x"], "--seed: 'x' is not a whole number"),
    ],
)
def test_sim_flags_out_of_range(args: list[str], says: str, capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["sim", *args])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err


def test_sim_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["sim", "--port", str(port), "--services", "0"]) == 1
    err = capsys.readouterr().err
    assert f"artui sim: cannot listen on 127.0.0.1:{port}:" in err
    assert "Traceback" not in err


# -- the app's start-up ------------------------------------------------------------------------


@pytest.fixture
def tui(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A terminal artui can run in, no settings file, and a log file of the test's own."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("ARTUI_CONFIG", os.devnull)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return logfile.log_path()


@pytest.mark.parametrize("term", ["dumb", "", None], ids=["dumb", "empty", "unset"])
def test_a_dumb_terminal_is_refused(
    tui: Path, term: str | None, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    if term is None:
        monkeypatch.delenv("TERM")
    else:
        monkeypatch.setenv("TERM", term)
    assert main(["--demo"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("artui: this terminal (")
    assert "cannot show a full-screen app; run artui in a terminal such as xterm" in err


def test_startup_failure_is_one_line_and_the_log_has_the_traceback(
    tui: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("wiring broke")

    monkeypatch.setattr(launch, "build_app", broken)
    before = {sig: signal.getsignal(sig) for sig in HANDLED}
    assert main(["--demo"]) == 1
    err = capsys.readouterr().err
    assert err == f"artui: RuntimeError: wiring broke (details in {tui})\n"
    log = tui.read_text()
    assert "Traceback (most recent call last)" in log
    assert "RuntimeError: wiring broke" in log
    assert {sig: signal.getsignal(sig) for sig in HANDLED} == before  # handed back


def test_sigterm_while_loading_exits_143(tui: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def terminated(*args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # artui's handler turns it into SystemExit

    monkeypatch.setattr(launch, "build_app", terminated)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as done:
        main(["--demo"])
    assert done.value.code == 143
    assert signal.getsignal(signal.SIGTERM) is before


def test_sim_region_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sim", "--region", "us-east-1\n"]) == 2
    err = capsys.readouterr().err
    assert "--region: 'us-east-1\\n' is not an AWS region name" in err
    assert "Traceback" not in err
