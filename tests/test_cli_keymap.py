"""A keymap or theme the app cannot take stops artui before it starts: exit status 2, one
line naming the file, the line and the id (or the theme) with the nearest names."""

from __future__ import annotations

from pathlib import Path

import pytest

from artui.cli import main


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "keys:\n  help: f1\n  errrors: E\n",
            "line 3, key 'keys': errrors is not the id of an artui key (did you mean 'errors'",
        ),
        (
            "keys:\n  action.deploy: p\n",
            "line 2, key 'keys': action.deploy: 'p' is already the key of 'action.pause'",
        ),
        ("theme: nordd\n", "key 'theme': 'nordd' is not one of Textual's themes (did you mean"),
    ],
)
def test_a_bad_keymap_or_theme_exits_2_naming_the_line(
    text: str,
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(text)
    monkeypatch.setenv("ARTUI_CONFIG", str(config))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("TERM", "xterm-256color")
    assert main(["--demo"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"artui: {config}")
    assert says in err
    assert "Traceback" not in err
