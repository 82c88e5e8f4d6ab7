"""Which account artui acts on: in the header, in every confirmation, and two profiles at
once against the simulator (an account by access key, as in moto), one of them failing."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from textual.widgets import Static
from uihelp import aim_botocore_at, shown, table_rows, wait_until

from artui.domain.apprunner import ServiceStatus
from artui.launch import build_app
from artui.settings import Account, Settings
from artui.sim.server import Simulator
from artui.ui.screens.confirm import ConfirmScreen
from artui.ui.screens.service import ServiceScreen

REGION = "us-east-1"
PROD, STAGING = "123456789012", "210987654321"

_KEYS = "aws_access_key_id = {key}\naws_secret_access_key = secret\n"
# A profile whose SSO login has not been run (or has expired): no cached token.
_SSO = (
    "sso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n"
    "sso_account_id = 210987654321\nsso_role_name = ops\n"
)


def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, staging: str) -> None:
    """An AWS config with `prod` (the simulator's default account) and `staging`."""
    config = tmp_path / "config"
    config.write_text(
        f"[profile prod]\n{_KEYS.format(key=PROD)}region = {REGION}\n"
        f"[profile staging]\n{staging}region = {REGION}\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    # The SSO token cache looked in: empty, so staging's login is missing.
    monkeypatch.setenv("HOME", str(tmp_path))


def two_profiles() -> Settings:
    return Settings(profiles=(Account("prod"), Account("staging")), regions=(REGION,), refresh=3600)


def title(app) -> str:
    return shown(app.screen.query_one("#title", Static))


def status(app) -> str:
    return shown(app.screen.query_one("#status", Static))


@pytest.fixture
def aimed(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(sim, monkeypatch.setenv)
    return sim


async def test_the_header_names_the_profile_and_the_account(aimed: Simulator) -> None:
    app = build_app(Settings(regions=(REGION,), refresh=3600, read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: PROD in title(app), "the account in the header")
        assert title(app).startswith(f"artui · default {PROD}")
        assert "READ-ONLY" in title(app)
        await wait_until(pilot, lambda: table_rows(app), "the services")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the view")
        name = app.screen.service.name
        assert title(app).startswith(f"artui · default {PROD} (demo) READ-ONLY · {name}")


async def test_two_profiles_list_two_fleets_and_one_failing_keeps_the_other(
    aimed: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles(tmp_path, monkeypatch, _SSO)
    app = build_app(two_profiles())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: table_rows(app), "prod's services")
        await wait_until(pilot, lambda: "aws sso login --profile staging" in status(app), "why")
        assert "staging/us-east-1" in status(app)
        await wait_until(pilot, lambda: f"prod {PROD}" in title(app), "prod's account")
        assert "staging (account …)" in title(app)  # not read: its login is missing
        prod_rows = table_rows(app)
        assert prod_rows and all(
            row[1] == app.session.identity_of("prod").short for row in prod_rows
        )
        # The login is run (here: the profile gets keys) and r reads staging: no restart.
        profiles(tmp_path, monkeypatch, _KEYS.format(key=STAGING))
        await pilot.press("r")
        # (The session's simulator is shared: prod may hold more than the seed by now.)
        await wait_until(pilot, lambda: len({row[1] for row in table_rows(app)}) == 2, "staging")
        # Its rows may come before STS has named its account (the column says `staging`).
        await wait_until(pilot, lambda: f"staging {STAGING}" in title(app), "staging's account")
        shorts = {app.session.identity_of(p).short for p in ("prod", "staging")}
        await wait_until(pilot, lambda: {row[1] for row in table_rows(app)} == shorts, "column")
        arns = {s.arn.split(":")[4] for s in app.snapshot.services}
        assert arns == {PROD, STAGING}


async def test_a_confirmation_names_the_account_and_acts_through_its_profile(
    aimed: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles(tmp_path, monkeypatch, _KEYS.format(key=STAGING))
    app = build_app(two_profiles())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: len({r[1] for r in table_rows(app)}) == 2, "both fleets")
        staged = next(
            s
            for s in app.snapshot.services
            if s.profile == "staging" and s.status is ServiceStatus.RUNNING
        )
        table = app.services_screen.table
        keys = [r.key.value for r in table.ordered_rows]
        table.move_cursor(row=keys.index(staged.arn))
        await pilot.pause()
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the dialog")
        text = " ".join(shown(s) for s in app.screen.query(Static))
        assert f"account {STAGING} (profile staging)" in text
        await pilot.press("y")
        # The deployment went to staging's account, through staging's credentials.
        client = boto3.client(
            "apprunner",
            region_name=REGION,
            endpoint_url=aimed.endpoint,
            aws_access_key_id=STAGING,
            aws_secret_access_key="secret",
        )

        def deployed() -> bool:
            listed = client.list_operations(ServiceArn=staged.arn)["OperationSummaryList"]
            return any(op["Type"] == "START_DEPLOYMENT" for op in listed)

        await wait_until(pilot, deployed, "StartDeployment in staging's account")


async def test_the_palette_adds_a_profile_and_removes_one_without_a_restart(
    aimed: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.ui.test_palette import choose

    profiles(tmp_path, monkeypatch, _KEYS.format(key=STAGING))
    app = build_app(Settings(profile="prod", regions=(REGION,), refresh=3600))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: table_rows(app), "prod's services")
        await choose(pilot, "add profile staging", "Add profile staging")
        await wait_until(
            pilot, lambda: {s.profile for s in app.snapshot.services} == {"prod", "staging"}, "both"
        )
        await wait_until(pilot, lambda: f"staging {STAGING}" in title(app), "staging's account")
        await choose(pilot, "remove profile prod", "Remove profile prod")
        await wait_until(
            pilot, lambda: {s.profile for s in app.snapshot.services} == {"staging"}, "prod gone"
        )
        assert {s.profile for s in app.snapshot.services} == {"staging"}
        assert "prod" not in title(app)
