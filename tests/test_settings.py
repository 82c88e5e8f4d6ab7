"""Settings: YAML file, flags over it, and errors that name the line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from artui.errors import ConfigError
from artui.settings import DEMO_REGIONS, Settings, load_file, resolve


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_file(tmp_path / "absent.yaml") == Settings()


def test_file_values_and_flags_over_them(tmp_path: Path) -> None:
    path = write(tmp_path, "profile: ops\nregions: [us-east-1, eu-west-1]\nrefresh: 10\n")
    assert load_file(path) == Settings(
        profile="ops", regions=("us-east-1", "eu-west-1"), refresh=10
    )
    flags = resolve(path=path, regions=["ap-south-1"], refresh=3)
    assert flags == Settings(profile="ops", regions=("ap-south-1",), refresh=3)


def test_demo_ignores_the_profile_and_defaults_regions(tmp_path: Path) -> None:
    settings = resolve(path=write(tmp_path, "profile: prod\n"), demo=True)
    assert settings.profile is None
    assert settings.regions == DEMO_REGIONS


@pytest.mark.parametrize(
    "text, expected",
    [
        ("profile: ops\nrefresh: soon\n", "line 2, key 'refresh'"),
        ("regions:\n  - us-east-1\n  - Narnia\n", "line 2, key 'regions': 'Narnia'"),
        ("profile: ops\ncolour: red\n", "line 2, key 'colour': unknown setting"),
        ("refresh: 0.5\n", "line 1, key 'refresh'"),
        ("regions: [us-east-1\nprofile: x\n", "not valid YAML"),
        ("- just\n- a list\n", "line 1: expected keys"),
    ],
)
def test_malformed_file_names_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_file(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_bad_flag_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--region: 'useast1'"):
        resolve(path=tmp_path / "none.yaml", regions=["useast1"])
