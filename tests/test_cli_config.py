"""`artui config --default`, `artui --help`, subcommand dispatch, and fleet flags at start."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from artui import cli, launch
from artui.cli import main
from artui.settings import Account, Settings, default_file, load_file
from tests.test_settings import aws_config, no_hang


@pytest.fixture(autouse=True)
def aws_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """botocore's files hold the profiles prod, staging and ops; no settings file."""
    monkeypatch.setenv("ARTUI_CONFIG", os.devnull)
    return aws_config(tmp_path / "aws", monkeypatch)


def test_config_default_prints_a_file_that_loads_as_the_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "--default"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == (default_file(), "")
    written = tmp_path / "config.yaml"
    written.write_text(out)
    assert load_file(written) == Settings()


def test_config_without_what_to_print_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["config"])
    assert done.value.code == 2
    assert "artui config: error: one of the arguments --default is required" in (
        capsys.readouterr().err
    )


def test_a_subcommand_is_one_entry_in_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """`artui status` (and the next) is one line in SUBCOMMANDS: it gets the rest of argv."""
    seen: list[list[str]] = []
    monkeypatch.setitem(cli.SUBCOMMANDS, "status", lambda argv: seen.append(argv) or 3)
    assert main(["status", "--profile", "prod"]) == 3
    assert seen == [["--profile", "prod"]]
    assert set(cli.SUBCOMMANDS) >= {"sim", "config"}


@pytest.mark.parametrize(
    "named",
    [
        # the settings file and how it is found
        "--config FILE, else $ARTUI_CONFIG, else $XDG_CONFIG_HOME/artui/config.yaml",
        "~/.config/artui/config.yaml",
        # the environment
        "ARTUI_CONFIG",
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
        "AWS_PROFILE",
        "AWS_CONFIG_FILE",
        "AWS_ENDPOINT_URL_APPRUNNER",
        "botocore's usual AWS_* chain",
        "TERM",
        "NO_COLOR",
        # the log file
        "$XDG_STATE_HOME/artui/artui.log (~/.local/state/artui/artui.log)",
        # the subcommands
        "artui sim ",
        "artui status ",
        "artui config --default ",
        "artui export ",
        "artui migrate ",
        # the exit statuses
        "0        ok",
        "1        crashed",
        "for status and export: a service is failing",
        "2        usage or settings error",
        "3        for status, export and migrate: a profile, region or service could not be read",
        "128+N    ended by signal N",
    ],
)
def test_help_names_it(named: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    assert named in capsys.readouterr().out


def reaching_the_app(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> Settings:
    """The Settings `artui argv` hands the app, stopped before Textual takes the terminal."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    seen: list[Settings] = []

    def capture(settings: Settings, **kwargs: object) -> None:
        seen.append(settings)
        raise RuntimeError("stop here")

    monkeypatch.setattr(launch, "build_app", capture)
    with no_hang():
        assert main(argv) == 1
    capsys.readouterr()
    return seen[0]


def test_profile_repeated_reaches_the_demo_as_several(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    argv = ["--demo", "--profile", "prod", "--profile", "staging", "--region", "eu-west-1"]
    settings = reaching_the_app(argv, tmp_path, monkeypatch, capsys)
    assert settings.accounts() == (
        Account("prod", ("eu-west-1",)),
        Account("staging", ("eu-west-1",)),
    )
    one = reaching_the_app(["--demo", "--profile", "prod"], tmp_path, monkeypatch, capsys)
    assert (one.profile, one.profiles) == (None, ())


@pytest.mark.parametrize(
    "argv, says",
    [
        (["--profile", "prd"], "artui: --profile: no profile 'prd' in "),
        (["--profile", "prod", "--profile", "prod"], "--profile: profile 'prod' is given twice"),
        (["--region", "us-eat-1"], "--region: 'us-eat-1' is not an AWS region (did you mean "),
        (["--region", "us-west-1"], "--region: App Runner is not offered in us-west-1"),
    ],
)
def test_unknown_names_stop_artui_at_start(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err
    if "prd" in argv:
        assert err.endswith("(did you mean 'prod'?)\n")
