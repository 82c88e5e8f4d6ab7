"""`keys:` and `theme:` (their shape, with lines for the app's errors) and the default file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from artui.settings import Account, Settings, default_file, load_file
from tests.test_settings import refused, write


def test_keys_are_kept_with_their_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "refresh: 5\nkeys:\n  refresh: f5,ctrl+r\n  action.deploy: D\n"
        "  help: 'f1, question_mark'\n",
    )
    assert load_file(path).keys == (
        ("refresh", "f5,ctrl+r", 3),
        ("action.deploy", "D", 4),
        ("help", "f1, question_mark", 5),
    )
    assert load_file(write(tmp_path, "keys: {quit_130: ctrl+q}\n")).keys == (
        ("quit_130", "ctrl+q", 1),
    )
    assert load_file(write(tmp_path, "keys: {}\n")).keys == ()
    assert Settings().keys == ()


@pytest.mark.parametrize(
    "entry, expected",
    [
        ("Refresh: f5", "'Refresh' is not a binding id (lowercase letters, digits, _ and ."),
        ("'action deploy': f5", "'action deploy' is not a binding id"),
        ("5: f5", "5 is not a binding id"),
        (f"{'x' * 65}: f5", "is not a binding id"),
        ("refresh: 5", "the keys for refresh must be key names separated by commas, like "),
        ("refresh: ''", "the keys for refresh must be key names"),
        ("refresh: 'f5,,ctrl+r'", "the keys for refresh must be key names"),
        ("refresh: 'f5,'", "the keys for refresh must be key names"),
        ("refresh: 'ctrl r'", "got 'ctrl r'"),
        ("refresh: [f5]", "got a list"),
        ("refresh: null", "got None"),
        (f"refresh: {'a,' * 60}b", "the keys for refresh must be key names"),
        ('refresh: "f5\\e[31m"', "the keys for refresh contain control characters, got 'f5\\x1b"),
    ],
)
def test_keys_of_the_wrong_shape(tmp_path: Path, entry: str, expected: str) -> None:
    path = write(tmp_path, f"refresh: 5\nkeys:\n  help: f1\n  {entry}\n")
    message = refused(path)
    assert message.startswith(f"{path} line 4, key 'keys': ")
    assert expected in message


def test_keys_must_be_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "keys: [f5]\n")
    assert refused(path).startswith(f"{path} line 1, key 'keys': keys must be a mapping")


def test_a_binding_given_keys_twice_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "keys:\n  refresh: f5\n  help: f1\n  refresh: ctrl+r\n")
    assert refused(path) == (
        f"{path} line 4, key 'keys': binding refresh is given keys twice (first on line 2)"
    )


def test_theme(tmp_path: Path) -> None:
    assert load_file(write(tmp_path, "theme: nord\n")).theme == "nord"
    assert load_file(write(tmp_path, "theme: catppuccin-mocha\n")).theme == "catppuccin-mocha"
    assert Settings().theme is None


@pytest.mark.parametrize(
    "value, shown",
    [
        ("'nord dark'", "'nord dark'"),
        ("'-dark'", "'-dark'"),
        ("''", "''"),
        ("7", "7"),
        ("[nord]", "a list"),
        ("null", "None"),
        ('"nord\\e]0;x\\a"', "'nord\\x1b]0;x\\x07'"),
        ("x" * 65, "'" + "x" * 58 + "…"),
    ],
)
def test_theme_must_be_a_short_plain_name(tmp_path: Path, value: str, shown: str) -> None:
    path = write(tmp_path, f"profile: ops\ntheme: {value}\n")
    message = refused(path)
    assert message.startswith(
        f"{path} line 2, key 'theme': theme must be a theme's name like nord or textual-light"
    )
    assert message.endswith(f"got {shown}")


# -- artui config --default ----------------------------------------------------------------------


def test_the_default_file_loads_as_the_defaults(tmp_path: Path) -> None:
    text = default_file()
    assert load_file(write(tmp_path, text)) == Settings()
    for key in (
        "profile",
        "profiles",
        "regions",
        "refresh",
        "read_only",
        "max_lines",
        "metrics_refresh",
        "error_threshold",
        "timezone",
        "keys",
        "theme",
    ):
        assert re.search(rf"^#?{key}:", text, re.MULTILINE), key


def uncommented(text: str, lines: list[str]) -> str:
    for line in lines:
        assert f"\n#{line}\n" in text
        text = text.replace(f"\n#{line}\n", f"\n{line}\n")
    return text


@pytest.mark.parametrize(
    "lines, expected",
    [
        (["profile: prod"], Settings(profile="prod")),
        (["profiles: [prod, staging]"], Settings(profiles=(Account("prod"), Account("staging")))),
        (
            ["profiles: {prod: [us-east-1, eu-west-1], staging: null}"],
            Settings(profiles=(Account("prod", ("us-east-1", "eu-west-1")), Account("staging"))),
        ),
        (["regions: [us-east-1, eu-west-1]"], Settings(regions=("us-east-1", "eu-west-1"))),
        (["theme: nord"], Settings(theme="nord")),
    ],
    ids=["profile", "profiles-list", "profiles-mapping", "regions", "theme"],
)
def test_each_commented_example_is_a_valid_setting(
    tmp_path: Path, lines: list[str], expected: Settings
) -> None:
    assert load_file(write(tmp_path, uncommented(default_file(), lines))) == expected


def test_the_commented_keys_example_is_valid(tmp_path: Path) -> None:
    text = uncommented(default_file(), ["keys:", "  refresh: f5,ctrl+r", "  help: f1"])
    line = text.splitlines().index("keys:") + 1
    assert load_file(write(tmp_path, text)).keys == (
        ("refresh", "f5,ctrl+r", line + 1),
        ("help", "f1", line + 2),
    )
