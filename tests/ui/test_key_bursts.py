"""Keys that arrive in one read (a paste, a laggy SSH link flushing its buffer): each goes, in
order, to whatever is on top when it is handled; at most one dialog is ever open; a failing
key action is journaled and shown, never fatal."""

from __future__ import annotations

import pytest
from conftest import control
from textual import events
from textual.screen import ModalScreen
from textual.widgets import ContentSwitcher, Static

from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.screens.confirm import ConfirmScreen
from artui.ui.screens.service import ServiceScreen
from artui.ui.screens.services import ServicesScreen
from tests.uihelp import select, shown, wait_until

REGION = "us-east-1"
CHARACTERS = {"enter": "\r", "escape": "\x1b"}


@pytest.fixture
def sim(fresh_sim: Simulator) -> Simulator:
    return fresh_sim


def make_app() -> ArtuiApp:
    return build_app(Settings(regions=(REGION,), refresh=1))


def burst(app: ArtuiApp, *keys: str) -> None:
    """`keys` as the driver posts the keys of one read: all queued before any is handled."""
    for key in keys:
        app.post_message(events.Key(key, CHARACTERS.get(key, key)))


def sent(sim: Simulator, operation: str) -> int:
    served = control(sim, "GET", "/_sim/requests")["requests"]
    return sum(1 for r in served if r["operation"] == operation)


def dialogs(app: ArtuiApp) -> int:
    return sum(isinstance(screen, ModalScreen) for screen in app.screen_stack)


async def test_a_hundred_d_open_one_dialog(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "orders-service")
        burst(app, *["d"] * 100)
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the dialog")
        await pilot.pause()
        assert dialogs(app) == 1
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ServicesScreen), "the list")
        assert dialogs(app) == 0
    assert sent(sim, "StartDeployment") == 0


async def test_d_y_in_one_read_deploys_once(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "orders-service")
        control(sim, "DELETE", "/_sim/requests")
        burst(app, "d", "y", "d", "y")
        await wait_until(pilot, lambda: sent(sim, "StartDeployment") == 1, "the deployment")
        await wait_until(pilot, lambda: dialogs(app) == 0, "no dialog left")
    assert sent(sim, "StartDeployment") == 1


async def test_enter_then_a_pane_key_in_one_read_opens_that_pane_once(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "orders-service")
        burst(app, "enter", "a")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        screen = app.screen
        assert isinstance(screen, ServiceScreen)
        await wait_until(
            pilot,
            lambda: screen.is_mounted and screen.query_one(ContentSwitcher).current == "activity",
            "the activity pane",
        )
        assert sum(isinstance(s, ServiceScreen) for s in app.screen_stack) == 1
        assert app.internal is None


async def test_a_failing_key_action_is_shown_and_the_app_carries_on(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: ServicesScreen) -> None:
        raise OSError("the directory artui started in is gone")

    monkeypatch.setattr(ServicesScreen, "action_sort", broken)
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "orders-service")
        await pilot.press("o")
        await wait_until(pilot, lambda: app.internal is not None, "the failure journaled")
        assert app.internal is not None and "directory artui started in" in app.internal.message
        status = shown(app.screen.query_one("#status", Static))
        assert "internal error" in status and "directory artui started in is gone" in status
        assert app.internal.operation == "artui: the action sort"
        await pilot.press("j")  # still answering keys
        assert app.is_running
