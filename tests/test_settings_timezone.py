"""The `timezone` setting: local (the default) or utc, checked with its line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from artui.domain.errors import ConfigError
from artui.settings import Settings, load_file


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_local_unless_the_file_says_utc(tmp_path: Path) -> None:
    assert Settings().timezone == "local"
    assert load_file(write(tmp_path, "profile: ops\n")).timezone == "local"
    assert load_file(write(tmp_path, "timezone: utc\n")).timezone == "utc"
    # As the zone is usually written, too.
    assert load_file(write(tmp_path, "timezone: UTC\n")).timezone == "utc"
    assert load_file(write(tmp_path, "timezone: local\n")).timezone == "local"


@pytest.mark.parametrize(
    ("value", "shown"),
    [("Europe/Paris", "'Europe/Paris'"), ("0", "0"), ("true", "True"), ("[utc]", "a list")],
    ids=["zone-name", "number", "bool", "list"],
)
def test_anything_else_names_the_line_and_key(tmp_path: Path, value: str, shown: str) -> None:
    path = write(tmp_path, f"profile: ops\n\ntimezone: {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_file(path)
    assert str(caught.value) == (
        f"{path} line 3, key 'timezone': timezone must be local (the machine's zone) or utc, "
        f"got {shown}"
    )
