"""Odd data never ends the app: a bad field falls back to its raw value, and a bug met while
drawing or in a worker is shown (status line, `e`, the log file) while the app carries on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import control
from textual.widgets import Static

import artui.engine.services
import artui.ui.panes.overview
from artui.launch import build_app
from artui.logfile import log_path
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.messages import RefreshRequested
from artui.ui.screens.errors import ErrorsScreen
from artui.ui.screens.service import ServiceScreen
from artui.ui.screens.services import ServicesScreen
from tests.uihelp import (
    aim_botocore_at,
    described,
    fail_list_services,
    loaded,
    shown,
    table_rows,
    wait_until,
)

REGION = "us-east-1"


@pytest.fixture
def aws_env(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    aim_botocore_at(sim, monkeypatch.setenv)
    yield sim
    control(sim, "DELETE", "/_sim/faults")


def make_app() -> ArtuiApp:
    return build_app(Settings(regions=(REGION,), refresh=3600))


def status(app: ArtuiApp) -> str:
    return shown(app.screen.query_one("#status", Static))


def first_name(app: ArtuiApp) -> str:
    return table_rows(app)[0][0]


async def test_a_cpu_that_is_not_a_number_shows_as_it_came(aws_env: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        name = first_name(app)
        odd = {"InstanceConfiguration": {"Cpu": "²²²", "Memory": "½ GB"}}
        control(aws_env, "POST", f"/_sim/services/{name}/reported", {"fields": odd})
        try:
            await pilot.press("enter")
            await wait_until(pilot, lambda: described(app), "DescribeService's answer")
            body = shown(app.screen.query_one("#overview-body", Static))
            assert "²²² / ½ GB" in body
            assert app.internal is None and app.is_running
        finally:
            control(aws_env, "POST", f"/_sim/services/{name}/reported", {"fields": {}})


async def test_a_bug_while_drawing_is_shown_and_logged_not_fatal(
    aws_env: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise ValueError("a field nobody expected")

    monkeypatch.setattr(artui.ui.panes.overview, "overview_table", broken)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        await wait_until(pilot, lambda: "internal error" in status(app), "the status line")
        assert "ValueError: a field nobody expected" in status(app)
        body = shown(app.screen.query_one("#overview-body", Static))
        assert "cannot be shown: ValueError: a field nobody expected" in body

        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorsScreen), "the errors view")
        listed = shown(app.screen.query_one("#errors-body", Static))
        assert "artui: the overview" in listed
        assert f"the traceback is in {log_path()}" in listed
        await pilot.press("escape", "escape")  # errors closed, then back to the list
        await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen), "the list")
        assert app.is_running
    log = log_path().read_text()
    assert "internal error in the overview" in log
    assert "Traceback" in log and "ValueError: a field nobody expected" in log


async def test_a_worker_that_raises_is_shown_not_fatal(
    aws_env: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the poller could not start")

    monkeypatch.setattr(artui.engine.services, "refresher", broken)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: "internal error" in status(app), "the status line")
        assert "RuntimeError: the poller could not start" in status(app)
        assert app.is_running
    assert "RuntimeError: the poller could not start" in log_path().read_text()


async def test_errors_view_lists_each_error_in_full(aws_env: Simulator) -> None:
    message = "User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: " + (
        "apprunner:ListServices on resource: * because no identity-based policy allows it"
    )
    fail_list_services(aws_env, "AccessDeniedException", message, region=REGION)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "e: errors" in status(app), "the pointer to e")
        # At 80 columns the status line cannot hold AWS's message...
        assert len(status(app)) > app.size.width
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorsScreen), "the errors view")
        listed = " ".join(shown(app.screen.query_one("#errors-body", Static)).split())
        # ... the errors view does: when, region, operation, the message, what comes next.
        assert f"{REGION} ListServices" in listed
        assert f"AccessDeniedException: {message}" in listed
        assert "next: artui tries again in 60s; no data" in listed

        # While it is open, a new answer from AWS joins the list (as `r` below would fetch).
        control(aws_env, "DELETE", "/_sim/faults")
        # (a credential error: not retried by botocore, so it answers at once)
        fail_list_services(aws_env, "ExpiredTokenException", "token expired", region=REGION)
        app.post_message(RefreshRequested())
        body = app.screen.query_one("#errors-body", Static)
        await wait_until(pilot, lambda: "token expired" in shown(body), "the new error")
        assert f"AccessDeniedException: {message[:40]}" in shown(body)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen), "the list")
