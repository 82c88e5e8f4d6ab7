"""Snapshots of the main screens at 80x24 and 120x36, on the frozen demo."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from artui.engine.activity import KIND as OPERATIONS
from artui.sim.seed import service_name
from artui.sim.server import DEMO_SERVICES, Simulator
from artui.ui.panes.activity import ActivityPane
from artui.ui.panes.configuration import ConfigurationPane
from artui.ui.panes.custom_domains import DomainsPane
from artui.ui.panes.metrics import MetricsPane
from artui.ui.screens.confirm import ConfirmScreen, DeleteScreen
from artui.ui.screens.custom_domains import LinkScreen
from artui.ui.widgets.logview import LogView
from tests.uihelp import (
    FROZEN_LOG_LINES,
    accounts_shown,
    aim_botocore_at,
    described,
    fleet_shown,
    frozen_app,
    frozen_simulator,
    loaded,
    select,
    two_accounts_app,
    wait_until,
    write_frozen_logs,
)


@pytest.fixture(scope="module")
def frozen() -> Iterator[Simulator]:
    with frozen_simulator() as sim:
        yield sim


@pytest.fixture(autouse=True)
def frozen_env(frozen: Simulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(frozen, monkeypatch.setenv)
    monkeypatch.setenv("TZ", "UTC")  # the overview prints local times
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_services_screen(snap_compare, size: tuple[int, int]) -> None:
    # The list with its sparklines and figures: checkout-api's 5xx marked.
    assert snap_compare(frozen_app(), terminal_size=size, run_before=fleet_shown)


def test_two_accounts(snap_compare, tmp_path, monkeypatch) -> None:
    # Two profiles, two simulated accounts (an account per 12-digit access key): the header
    # names both, the list has an account column, at 80 columns.
    app = two_accounts_app(tmp_path, monkeypatch.setenv)
    assert snap_compare(app, terminal_size=(80, 24), run_before=accounts_shown)


def test_services_by_5xx(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await fleet_shown(pilot)
        await pilot.press("o")

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=run_before)


def test_filtered(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await fleet_shown(pilot)
        await pilot.press("slash", *"pay")

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=run_before)


def test_overview(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: described(pilot.app), "DescribeService")

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=run_before)


def test_help(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await fleet_shown(pilot)  # the list shows behind the help
        await pilot.press("question_mark")

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=run_before)


def test_activity(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await select(pilot, "checkout-api")
        await pilot.press("enter")
        await wait_until(pilot, lambda: described(pilot.app), "DescribeService")
        await pilot.press("a")
        pane = pilot.app.screen.query_one(ActivityPane)
        await wait_until(pilot, lambda: pane.known.fetched_at, "ListOperations")

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("checkout-api", "d"),
        ("checkout-api", "p"),
        ("web-frontend", "u"),
        ("checkout-api", "ctrl+d"),
        (service_name(DEMO_SERVICES - 1), "b"),
    ],
    ids=["deploy", "pause", "resume", "delete", "rebuild"],
)
def test_confirmation(snap_compare, name: str, key: str) -> None:
    async def run_before(pilot) -> None:
        await fleet_shown(pilot)  # the list shows behind the dialog
        await select(pilot, name)
        await pilot.press(key)
        await wait_until(
            pilot, lambda: isinstance(pilot.app.screen, (ConfirmScreen, DeleteScreen)), "dialog"
        )

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=run_before)


def test_logs(snap_compare, frozen: Simulator) -> None:
    write_frozen_logs(frozen, "checkout-api")

    async def run_before(pilot) -> None:
        await select(pilot, "checkout-api")
        await pilot.press("l")
        view = pilot.app.screen.query_one(LogView)
        await wait_until(pilot, lambda: view.held == len(FROZEN_LOG_LINES), "the lines")
        status = pilot.app.screen.query_one("#status")
        await wait_until(pilot, lambda: "Live Tail" in str(status.content), "Live Tail")

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=run_before)


def test_metrics(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await select(pilot, "checkout-api")
        await pilot.press("m")
        await wait_until(pilot, lambda: pilot.app.screen.query(MetricsPane), "the metrics pane")
        pane = pilot.app.screen.query_one(MetricsPane)
        scope = pilot.app.scope_of(pane.service)
        store = pilot.app.store
        await wait_until(pilot, lambda: pane.known.fetched_at, "GetMetricData")
        await wait_until(
            pilot, lambda: store.get(OPERATIONS, scope, pane.service.arn).value, "the marks"
        )
        await pilot.pause()

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=run_before)


async def _domains_shown(pilot, name: str) -> DomainsPane:
    await select(pilot, name)
    await pilot.press("enter", "c")
    await wait_until(pilot, lambda: pilot.app.screen.query(DomainsPane), "the domains pane")
    pane = pilot.app.screen.query_one(DomainsPane)
    await wait_until(pilot, lambda: pane.options.option_count, "DescribeCustomDomains")
    return pane


@pytest.mark.parametrize("name", ["checkout-api", "payments-worker"])
def test_domains(snap_compare, name: str) -> None:
    # checkout-api: one domain active, one waiting for DNS; payments-worker: a root domain
    # waiting (alias advice) and a wildcard refused for its CAA records.
    async def run_before(pilot) -> None:
        await _domains_shown(pilot, name)

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("name", ["orders-service"])
def test_configuration(snap_compare, name: str) -> None:
    # orders-service: variables and secrets, a VPC connector, tracing on.
    async def run_before(pilot) -> None:
        await select(pilot, name)
        await pilot.press("enter", "C")
        await wait_until(pilot, lambda: pilot.app.screen.query(ConfigurationPane), "the pane")
        pane = pilot.app.screen.query_one(ConfigurationPane)
        await wait_until(pilot, lambda: pane.options.option_count > 20, "the configuration")

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize(
    ("keys", "form"),
    [
        (["R"], "ResizeScreen"),
        (["I"], "ScaleScreen"),
        (["B"], "RollBackScreen"),
        (["H"], "HealthCheckScreen"),
        (["V"], "VariableScreen"),
        (["R", "j", "enter"], "ConfirmScreen"),
    ],
    ids=["resize", "scale", "rollback", "health", "variable", "confirm-diff"],
)
def test_configuration_dialogs(snap_compare, keys: list[str], form: str) -> None:
    # auth-gateway: running, a private ECR image with earlier versions, two variables.
    async def run_before(pilot) -> None:
        await select(pilot, "auth-gateway")
        await pilot.press("enter", "C")
        await wait_until(pilot, lambda: pilot.app.screen.query(ConfigurationPane), "the pane")
        pane = pilot.app.screen.query_one(ConfigurationPane)
        await wait_until(pilot, lambda: pane.options.option_count > 20, "the configuration")
        await pilot.press(*keys)
        await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == form, form)

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=run_before)


def test_link_form(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await _domains_shown(pilot, "checkout-api")
        await pilot.press("A")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, LinkScreen), "the form")
        await pilot.press(*"*.shop.example.com", "enter")
        hint = pilot.app.screen.query_one("#link-hint")
        await wait_until(pilot, lambda: "Nothing was sent" in str(hint.content), "the refusal")

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=run_before)
