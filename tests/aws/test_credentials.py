"""Credentials are resolved once per launch: a credential_process runs once, an MFA code is
asked once, in the TUI, and the role is assumed once (against the simulator over HTTP)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import control
from textual.widgets import Input

from artui.boot.prefetch import Prefetch
from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.messages import RefreshRequested
from artui.ui.screens.prompt import PromptScreen
from tests.eventually import eventually
from tests.uihelp import loaded, wait_until

COUNTING_PROCESS = """
import json, sys
with open(sys.argv[1], "a") as runs:
    runs.write("run\\n")
print(json.dumps({
    "Version": 1,
    "AccessKeyId": "testing",
    "SecretAccessKey": "testing",
    "SessionToken": "counted",
    "Expiration": "2099-01-01T00:00:00Z",
}))
"""


def profile_env(sim: Simulator, config: Path) -> dict[str, str]:
    """This environment without AWS settings, pointed at `sim`, with `config` as ~/.aws/config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({k: v for k, v in sim.env().items() if k.startswith("AWS_ENDPOINT_URL")})
    env["AWS_ENDPOINT_URL_STS"] = sim.endpoint
    env["AWS_CONFIG_FILE"] = str(config)
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    return env


def test_credential_process_runs_once_per_launch(sim: Simulator, tmp_path: Path) -> None:
    script, runs = tmp_path / "creds.py", tmp_path / "runs"
    script.write_text(COUNTING_PROCESS)
    config = tmp_path / "config"
    config.write_text(f"[profile counted]\ncredential_process = {sys.executable} {script} {runs}\n")
    control(sim, "DELETE", "/_sim/requests")
    env = profile_env(sim, config)
    env["TERM"] = "xterm-256color"
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "artui", "--profile", "counted", "--region", "us-east-1"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
    )
    os.close(slave)

    def own_polls() -> int:
        calls = control(sim, "GET", "/_sim/requests")["requests"]
        return sum(c["operation"] == "ListServices" for c in calls)

    try:
        # The child's list, then at least one poll of the app's own: both signed. Reading
        # the terminal meanwhile, and while it leaves: a full pty would block its writes.
        eventually(lambda: own_polls() >= 2, "a poll of artui's own", pause=lambda: drain(master))
        os.write(master, b"q")
        eventually(lambda: proc.poll() is not None, "artui to leave", pause=lambda: drain(master))
        assert proc.wait(timeout=1) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert runs.read_text().splitlines() == ["run"]


def drain(master: int) -> None:
    """Read what the app wrote, waiting at most a moment (never blocking on a quiet pty)."""
    if select.select([master], [], [], 0.2)[0]:
        try:
            os.read(master, 65536)
        except OSError:  # the app has closed the terminal
            pass


@pytest.fixture
def mfa_profile(sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    config = tmp_path / "config"
    config.write_text(
        "[profile base]\n"
        "aws_access_key_id = testing\n"
        "aws_secret_access_key = testing\n"
        "[profile ops]\n"
        "source_profile = base\n"
        "role_arn = arn:aws:iam::123456789012:role/ops\n"
        "mfa_serial = arn:aws:iam::123456789012:mfa/operator\n"
    )
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    for key, value in profile_env(sim, config).items():
        if key.startswith("AWS_"):
            monkeypatch.setenv(key, value)
    control(sim, "DELETE", "/_sim/requests")
    return "ops"


@pytest.mark.parametrize("prefetched", [True, False], ids=["prefetch child", "in the app"])
async def test_mfa_code_is_asked_in_the_tui_once(
    sim: Simulator, mfa_profile: str, prefetched: bool
) -> None:
    settings = Settings(profile=mfa_profile, regions=("us-east-1",), refresh=3600)
    prefetch = Prefetch.start(settings) if prefetched else None
    app = build_app(settings, prefetch=prefetch)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(
                pilot,
                lambda: isinstance(app.screen, PromptScreen) and isinstance(app.focused, Input),
                "the MFA prompt, ready for the code",
            )
            assert "arn:aws:iam::123456789012:mfa/operator" in app.screen.question
            assert app.screen.query_one(Input).password  # the code is not shown
            await pilot.press(*"123456", "enter")
            await loaded(pilot)
            # The app's own poll, on the same credentials: no second prompt, no second role.
            app.post_message(RefreshRequested())
            await wait_until(
                pilot,
                lambda: (
                    sum(
                        c["operation"] == "ListServices"
                        for c in control(sim, "GET", "/_sim/requests")["requests"]
                    )
                    >= 2
                ),
                "a poll of the app's own",
            )
            assert not isinstance(app.screen, PromptScreen)
    finally:
        if prefetch is not None:
            prefetch.close()
    calls = control(sim, "GET", "/_sim/requests")["requests"]
    # One AssumeRole (the code asked once); GetCallerIdentity is the header's account.
    sts = [c["operation"] for c in calls if c["service"] == "sts"]
    assert [op for op in sts if op != "GetCallerIdentity"] == ["AssumeRole"]
