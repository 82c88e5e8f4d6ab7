"""The lean install: without the `sim` extra, `artui --demo` and `artui sim` say how to add it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from artui.boot import extras
from artui.domain.errors import ConfigError

# What `pip install artui` (no extra) lacks. The finder raises as a missing module would, so
# both `import moto` and importlib.util.find_spec("moto") fail as they would there.
WITHOUT_SIM = """
import sys
from importlib.abc import MetaPathFinder

BLOCKED = {"moto", "flask", "flask_cors"}


class Refuse(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, Refuse())
import artui.cli

sys.exit(artui.cli.main(sys.argv[1:]))
"""


def _run_without_sim(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ARTUI_CONFIG=os.devnull)
    try:
        return subprocess.run(
            [sys.executable, "-c", WITHOUT_SIM, *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"artui {' '.join(args)} without the sim extra did not exit within 60 s")


@pytest.mark.parametrize("args", [["--demo"], ["sim"]], ids=["demo", "sim"])
def test_missing_sim_extra_is_a_message_not_a_traceback(args: list[str]) -> None:
    done = _run_without_sim(args)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("artui: the simulator needs the [sim] extra")
    assert "install" in lines[0] and "[sim]" in lines[0].split("add it with:")[1]


def test_require_sim_is_silent_when_the_extra_is_installed() -> None:
    extras.require_sim()  # the test venv has it: `make test` installs .[sim,test]


def test_require_sim_names_the_missing_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extras, "SIM_MODULES", ("moto", "no_such_module_artui_test"))
    with pytest.raises(ConfigError) as raised:
        extras.require_sim()
    message = str(raised.value)
    assert "(no_such_module_artui_test not installed)" in message
    assert "\n" not in message


@pytest.fixture
def from_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extras, "_artui_requirement", lambda: ("/src/artui[sim]", False))
    monkeypatch.setattr(extras, "_extra_requirements", lambda: ["moto[cloudwatch,logs]>=5.2"])


@pytest.mark.usefixtures("from_checkout")
def test_command_for_a_pipx_venv(tmp_path: Path) -> None:
    venv = tmp_path / "artui"
    venv.mkdir()
    (venv / "pipx_metadata.json").write_text("{}")
    command = extras.install_command(str(venv))
    assert command == "pipx inject artui 'moto[cloudwatch,logs]>=5.2'"


@pytest.mark.usefixtures("from_checkout")
def test_command_for_a_uv_tool(tmp_path: Path) -> None:
    (tmp_path / "uv-receipt.toml").write_text("[tool]\n")
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    command = extras.install_command(str(tmp_path))
    assert command == f"uv tool install --python {python} '/src/artui[sim]'"


@pytest.mark.usefixtures("from_checkout")
def test_command_for_a_plain_venv(tmp_path: Path) -> None:
    command = extras.install_command(str(tmp_path))
    assert command == f"{sys.executable} -m pip install '/src/artui[sim]'"


class _Dist:
    def __init__(self, direct_url: dict[str, object] | None) -> None:
        self.text = None if direct_url is None else json.dumps(direct_url)

    def read_text(self, name: str) -> str | None:
        return self.text if name == "direct_url.json" else None


@pytest.mark.parametrize(
    ("direct_url", "expected"),
    [
        (
            {"url": "file:///home/op/artui", "dir_info": {"editable": True}},
            ("/home/op/artui[sim]", True),
        ),
        ({"url": "file:///home/op/artui", "dir_info": {}}, ("/home/op/artui[sim]", False)),
        (
            {
                "url": "https://example.com/op/artui.git",
                "vcs_info": {"vcs": "git", "commit_id": "abc", "requested_revision": "main"},
            },
            ("artui[sim] @ git+https://example.com/op/artui.git@main", False),
        ),
        (
            {"url": "file:///tmp/artui-0.1.0-py3-none-any.whl", "archive_info": {}},
            ("artui[sim] @ file:///tmp/artui-0.1.0-py3-none-any.whl", False),
        ),
    ],
    ids=["editable", "directory", "git", "wheel"],
)
def test_requirement_follows_where_artui_came_from(
    monkeypatch: pytest.MonkeyPatch, direct_url: dict[str, object], expected: tuple[str, bool]
) -> None:
    monkeypatch.setattr(extras.metadata, "distribution", lambda name: _Dist(direct_url))
    assert extras._artui_requirement() == expected


def test_the_built_wheel_carries_the_license(tmp_path: Path) -> None:
    # No build isolation: the test extra holds the setuptools pyproject.toml asks for, so
    # the build needs no network (and no certificate that a moved calendar would expire).
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(tmp_path), str(root)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    import zipfile

    (wheel,) = tmp_path.glob("artui-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        licenses = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert licenses, names
        text = archive.read(licenses[0]).decode()
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert text == (root / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0" in text
    assert "License-Expression: Apache-2.0" in metadata.splitlines()
