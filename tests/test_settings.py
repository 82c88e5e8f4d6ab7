"""Settings: YAML file, flags over it, and errors that name the line and key."""

from __future__ import annotations

import math
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from artui.domain.errors import ConfigError
from artui.settings import DEMO_REGIONS, Settings, config_path, load_file, resolve


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


# The usual way to say "no settings file", with --config or $ARTUI_CONFIG.
NO_FILE = Path(os.devnull)

AWS_PROFILES = "[default]\n[profile prod]\n[profile staging]\n[profile ops]\n"


def aws_config(directory: Path, monkeypatch: pytest.MonkeyPatch, text: str = AWS_PROFILES) -> Path:
    """botocore's config file holding `text` (the profiles prod, staging, ops by default), no
    credentials file, and App Runner's endpoint AWS's own: whatever this machine has."""
    directory.mkdir(exist_ok=True)
    config = directory / "aws-config"
    config.write_text(text)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(directory / "no-credentials"))
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_APPRUNNER", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return config


@pytest.fixture(autouse=True)
def aws_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """resolve() checks profiles against botocore's files: these, not the machine's."""
    return aws_config(tmp_path / "aws", monkeypatch)


def test_no_file_at_the_default_place_gives_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARTUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_path() == (tmp_path / "artui" / "config.yaml", None)
    assert resolve() == Settings()


@pytest.mark.parametrize("named_by", ["--config", "$ARTUI_CONFIG"])
def test_a_named_file_that_is_missing_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named_by: str
) -> None:
    """A typo in the name must not quietly drop what the file says (read_only: true)."""
    write(tmp_path, "read_only: true\n")
    typo = tmp_path / "confg.yaml"
    with pytest.raises(ConfigError) as caught:
        if named_by == "--config":
            resolve(path=typo)
        else:
            monkeypatch.setenv("ARTUI_CONFIG", str(typo))
            resolve()
    assert str(caught.value) == f"{typo}: no such settings file (named by {named_by})"


def test_the_flag_names_the_file_before_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flag, variable = tmp_path / "flag.yaml", tmp_path / "variable.yaml"
    flag.write_text("refresh: 7\n")
    variable.write_text("refresh: 9\n")
    monkeypatch.setenv("ARTUI_CONFIG", str(variable))
    assert resolve().refresh == 9
    assert resolve(path=flag).refresh == 7


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


@pytest.mark.parametrize(
    "text, expected",
    [
        ("read_only: true\n", True),
        ("read_only: false\n", False),
        ("profile: ops\n", False),
    ],
    ids=["true", "false", "missing"],
)
def test_read_only_in_file(tmp_path: Path, text: str, expected: bool) -> None:
    assert load_file(write(tmp_path, text)).read_only is expected


@pytest.mark.parametrize(
    "value, shown",
    [
        ('"yes"', "'yes'"),
        ("1", "1"),
        ("[true]", "a list"),
        ("null", "None"),
        ("{enabled: true}", "a mapping"),
    ],
    ids=["quoted-yes", "number", "list", "null", "mapping"],
)
def test_read_only_must_be_a_yaml_boolean(tmp_path: Path, value: str, shown: str) -> None:
    path = write(tmp_path, f"profile: ops\nread_only: {value}\n")
    assert refused(path) == (
        f"{path} line 2, key 'read_only': read_only must be true or false, got {shown}"
    )


@pytest.mark.parametrize(
    "text, flag, demo",
    [
        ("profile: ops\n", True, False),
        ("read_only: true\n", False, False),
        ("read_only: false\n", True, False),
        ("read_only: true\n", False, True),
        ("profile: ops\n", True, True),
    ],
    ids=["flag", "file-without-flag", "flag-over-file-false", "file-demo", "flag-demo"],
)
def test_read_only_flag_only_turns_it_on(tmp_path: Path, text: str, flag: bool, demo: bool) -> None:
    assert resolve(path=write(tmp_path, text), read_only=flag, demo=demo).read_only is True


def test_read_only_is_off_unless_asked() -> None:
    assert resolve(path=NO_FILE).read_only is False
    assert resolve(path=NO_FILE, demo=True).read_only is False


def test_unknown_setting_lists_read_only(tmp_path: Path) -> None:
    message = refused(write(tmp_path, "readonly: true\n"))
    assert (
        "unknown setting (known: profile, profiles, regions, refresh, read_only, max_lines, "
        "metrics_refresh, error_threshold, timezone, keys, theme)"
    ) in message


def test_bad_flag_is_named() -> None:
    with pytest.raises(ConfigError, match="--region: 'useast1'"):
        resolve(path=NO_FILE, regions=["useast1"])


# Hostile input: every case ends in a ConfigError naming the file, the line and the key.


def billion_laughs(key: str) -> str:
    """Nine anchors, each a list of nine aliases of the one before: 9**9 items expanded."""
    lines = [f"{key}:", "  - &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for before, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"  - &{name} [{', '.join([f'*{before}'] * 9)}]")
    return "\n".join(lines) + "\n"


@contextmanager
def no_hang(seconds: int = 10) -> Iterator[None]:
    """Turn a hang (a FIFO waiting for a writer) into a failure instead of a stuck run."""

    def fail(signum: int, frame: object) -> None:
        raise AssertionError(f"still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def refused(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_file(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    return message


@pytest.mark.parametrize(
    "text, tag",
    [
        ("profile: ops\nrefresh: !!python/object/apply:os.system ['true']\n", "!!python/object"),
        ("profile: ops\nrefresh: !seconds 5\n", "'!seconds'"),
    ],
)
def test_unknown_yaml_tag_names_line_and_key(tmp_path: Path, text: str, tag: str) -> None:
    message = refused(write(tmp_path, text))
    assert "line 2, key 'refresh': YAML tag " in message
    assert tag in message


@pytest.mark.parametrize(
    "text, problem",
    [
        ("refresh: !!int soon\n", "invalid literal"),
        ("refresh: !!bool maybe\n", "KeyError"),
        ("refresh: !!timestamp tomorrow\n", "cannot read the value"),
        ("regions: !!str [us-east-1]\n", "expected a scalar node"),
    ],
)
def test_core_tag_with_a_value_it_cannot_take(tmp_path: Path, text: str, problem: str) -> None:
    message = refused(write(tmp_path, text))
    assert "line 1, key '" in message
    assert problem in message


def test_non_utf8_file_names_the_byte_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(b"profile: ops\nregions: [caf\xe9-west-1]\n")
    assert refused(path) == f"{path} line 2: not UTF-8 text (byte 0xe9 at offset 26)"


def test_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    path = write(tmp_path, billion_laughs("regions"))
    message = refused(path)
    assert "key 'regions'" in message
    assert "aliases are not allowed" in message
    assert len(message) - len(str(path)) < 200


def test_a_single_alias_is_refused_too(tmp_path: Path) -> None:
    message = refused(write(tmp_path, "profile: &p ops\nregions: [*p]\n"))
    assert "line 1, key 'regions': the value anchored here is reused by an alias" in message


def test_oversize_file_is_refused_with_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "# padding\n" * 100_000)
    assert refused(path) == (
        f"{path}: 1000000 bytes is too large for a settings file (the limit is 16 KiB)"
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_not_read() -> None:
    assert refused(Path("/dev/zero")) == (
        "/dev/zero: is a character device, not a settings file (a small YAML text file)"
    )


def test_dev_null_means_no_settings() -> None:
    assert load_file(Path(os.devnull)) == Settings()


def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "config.yaml"
    os.mkfifo(fifo)
    with no_hang():
        assert "is a named pipe, not a settings file" in refused(fifo)


def test_directory_is_refused(tmp_path: Path) -> None:
    assert "is a directory, not a settings file" in refused(tmp_path)


@pytest.mark.parametrize(
    "text",
    [".nan", ".inf", "-.inf", "3601", "1" + "0" * 400],
    ids=["nan", "inf", "-inf", "3601", "huge"],
)
def test_refresh_in_file_must_be_finite_and_at_most_an_hour(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, f"profile: ops\nrefresh: {text}\n")
    message = refused(path)
    assert "line 2, key 'refresh': refresh must be a number of seconds from 1 to 3600" in message
    assert len(message) - len(str(path)) < 200


@pytest.mark.parametrize("value", [math.nan, math.inf, 1e9])
def test_refresh_flag_must_be_finite_and_at_most_an_hour(value: float) -> None:
    with pytest.raises(ConfigError, match="--refresh: refresh must be a number of seconds from 1"):
        resolve(path=NO_FILE, refresh=value)


@pytest.mark.parametrize(
    "text",
    ["regions: |\n  us-east-1\n", 'regions: ["us-east-1\\n"]\n', 'regions: "us-east-1\\n"\n'],
)
def test_region_with_a_trailing_newline_is_refused(tmp_path: Path, text: str) -> None:
    message = refused(write(tmp_path, text))
    assert "line 1, key 'regions': 'us-east-1\\n' is not an AWS region name" in message


def test_region_flag_with_a_trailing_newline_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"--region: 'us-east-1\\n' is not"):
        resolve(path=NO_FILE, regions=["us-east-1\n"])


def test_duplicate_key_names_the_second_line(tmp_path: Path) -> None:
    path = write(tmp_path, "profile: ops\nrefresh: 5\nprofile: prod\n")
    assert refused(path) == f"{path} line 3, key 'profile': duplicate key (first set on line 1)"


def test_duplicate_regions_keep_first_seen_order(tmp_path: Path) -> None:
    path = write(tmp_path, "regions: [eu-west-1, us-east-1, eu-west-1, us-east-1]\n")
    assert load_file(path).regions == ("eu-west-1", "us-east-1")
    flags = ["us-east-1", "ap-south-1", "us-east-1", "ap-south-1", "eu-west-1"]
    settings = resolve(path=path, regions=flags)
    assert settings.regions == ("us-east-1", "ap-south-1", "eu-west-1")


def test_profile_with_control_characters_is_refused(tmp_path: Path) -> None:
    message = refused(write(tmp_path, 'profile: "ops\\x1b[31m"\n'))
    assert "line 1, key 'profile': profile name 'ops\\x1b[31m' contains control characters" in (
        message
    )
    with pytest.raises(ConfigError, match="--profile: profile name 'ops\\\\n' contains control"):
        resolve(path=NO_FILE, profile="ops\n")


def test_error_message_quotes_a_long_value_short(tmp_path: Path) -> None:
    path = write(tmp_path, f"regions: [{'x' * 10_000}]\n")
    message = refused(path)
    assert "line 1, key 'regions': 'xxx" in message
    assert "…" in message
    assert len(message) - len(str(path)) < 200


@pytest.mark.parametrize(
    "text, expected",
    [
        ("regions: " + "[" * 5000 + "\n", "line 1: brackets nested more than 20 deep"),
        ("- " * 5000 + "\n", "nested too deeply"),
    ],
)
def test_deep_nesting_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in refused(write(tmp_path, text))


def test_control_character_in_the_file_names_the_line(tmp_path: Path) -> None:
    message = refused(write(tmp_path, "profile: ops\nregions: [us-\x00east-1]\n"))
    assert "line 2: not valid YAML (character U+0000 is not allowed)" in message


def test_max_lines_in_file(tmp_path: Path) -> None:
    assert load_file(write(tmp_path, "max_lines: 200000\n")).max_lines == 200_000
    assert load_file(write(tmp_path, "profile: ops\n")).max_lines == 50_000


@pytest.mark.parametrize(
    "value, shown",
    [
        ("999", "999"),
        ("2000000", "2000000"),
        ("15000.0", "15000.0"),
        ("true", "True"),
        ("lots", "'lots'"),
    ],
    ids=["too-few", "too-many", "float", "bool", "word"],
)
def test_max_lines_must_be_a_whole_number_in_range(tmp_path: Path, value: str, shown: str) -> None:
    path = write(tmp_path, f"profile: ops\nmax_lines: {value}\n")
    assert refused(path) == (
        f"{path} line 2, key 'max_lines': max_lines must be a whole number from 1,000 to "
        f"1,000,000, got {shown}"
    )


def test_metrics_settings_in_file(tmp_path: Path) -> None:
    settings = load_file(write(tmp_path, "metrics_refresh: 120\nerror_threshold: 2.5\n"))
    assert (settings.metrics_refresh, settings.error_threshold) == (120.0, 2.5)
    defaults = load_file(write(tmp_path, "profile: ops\n"))
    assert (defaults.metrics_refresh, defaults.error_threshold) == (60.0, 5.0)


@pytest.mark.parametrize(
    "key, value, shown, rule",
    [
        ("metrics_refresh", "30", "30", "a number of seconds from 60 to 3600"),
        ("metrics_refresh", "true", "True", "a number of seconds from 60 to 3600"),
        ("metrics_refresh", ".nan", "nan", "a number of seconds from 60 to 3600"),
        ("error_threshold", "0", "0", "a percentage above 0 and at most 100"),
        ("error_threshold", "101", "101", "a percentage above 0 and at most 100"),
        ("error_threshold", "5%", "'5%'", "a percentage above 0 and at most 100"),
    ],
    ids=["refresh-too-often", "refresh-bool", "refresh-nan", "zero", "over-100", "percent-sign"],
)
def test_metrics_settings_are_checked(
    tmp_path: Path, key: str, value: str, shown: str, rule: str
) -> None:
    path = write(tmp_path, f"profile: ops\n{key}: {value}\n")
    message = refused(path)
    assert message.startswith(f"{path} line 2, key '{key}': {key} must be {rule}")
    assert message.endswith(f"got {shown}")
