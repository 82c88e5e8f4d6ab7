"""The command line: bad input is a clear message and exit status 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from artui import __version__
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


def test_bad_region_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("ARTUI_CONFIG", str(tmp_path / "absent.yaml"))
    assert main(["--region", "moon-1"]) == 2
    assert "--region: 'moon-1' is not an AWS region name" in capsys.readouterr().err
