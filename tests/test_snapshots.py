"""Snapshots of the main screens at 80x24 and 120x36, on the frozen demo."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from artui.sim.seed import service_name
from artui.sim.server import DEMO_SERVICES, Simulator
from artui.ui.panes.activity import ActivityPane
from artui.ui.screens.confirm import ConfirmScreen, DeleteScreen
from artui.ui.widgets.logview import LogView
from tests.uihelp import (
    aim_botocore_at,
    described,
    frozen_app,
    frozen_simulator,
    loaded,
    select,
    wait_until,
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
    assert snap_compare(frozen_app(), terminal_size=size, run_before=loaded)


def test_filtered(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
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
        await loaded(pilot)
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
        await select(pilot, name)
        await pilot.press(key)
        await wait_until(
            pilot, lambda: isinstance(pilot.app.screen, (ConfirmScreen, DeleteScreen)), "dialog"
        )

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=run_before)


# The logs pane's lines: fixed text at fixed times before the frozen clock.
LOG_LINES = [
    ("0f3a9c1e7b", "INFO  GET /api/cart 200 38ms"),
    (
        "0f3a9c1e7b",
        '{"level": "info", "msg": "request served", "path": "/api/items", "status": 200}',
    ),
    ("7d41b2e9aa", "WARN  slow query took 1840ms on /api/search?q=shoes"),
    ("7d41b2e9aa", "INFO  GET /health 200 2ms"),
    ("0f3a9c1e7b", "ERROR POST /api/checkout 502 upstream payments timed out after 3000ms"),
    ("7d41b2e9aa", "INFO  GET /api/orders 200 55ms"),
]


def write_frozen_logs(sim: Simulator, name: str) -> None:
    """checkout-api's application log holding LOG_LINES only (other tests' lines dropped)."""
    import boto3

    from tests.conftest import client_kwargs
    from tests.uihelp import FROZEN_NOW

    apprunner = boto3.client("apprunner", **client_kwargs(sim))
    services = apprunner.list_services()["ServiceSummaryList"]
    sid = next(s["ServiceId"] for s in services if s["ServiceName"] == name)
    group = f"/aws/apprunner/{name}/{sid}/application"
    logs = boto3.client("logs", **client_kwargs(sim))
    try:
        logs.delete_log_group(logGroupName=group)
    except logs.exceptions.ResourceNotFoundException:
        pass
    logs.create_log_group(logGroupName=group)
    for instance in sorted({i for i, _ in LOG_LINES}):
        stream = f"instance/{instance}"
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[
                {"timestamp": int((FROZEN_NOW - 120 + 7 * n) * 1000), "message": line}
                for n, (i, line) in enumerate(LOG_LINES)
                if i == instance
            ],
        )


def test_logs(snap_compare, frozen: Simulator) -> None:
    write_frozen_logs(frozen, "checkout-api")

    async def run_before(pilot) -> None:
        await select(pilot, "checkout-api")
        await pilot.press("l")
        view = pilot.app.screen.query_one(LogView)
        await wait_until(pilot, lambda: view.held == len(LOG_LINES), "the lines")
        status = pilot.app.screen.query_one("#status")
        await wait_until(pilot, lambda: "Live Tail" in str(status.content), "Live Tail")

    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=run_before)
