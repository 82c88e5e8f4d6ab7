"""The metrics pane opens on a range that shows the latest deployment (the demo's incident
began with one 70 minutes ago, which the last hour misses), or says that it is further
back; a range the operator picks stays."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from conftest import aim_botocore_at, control

from artui.domain.apprunner import Operation, OperationStatus, OperationType
from artui.domain.format import duration
from artui.domain.series import RANGES
from artui.engine.metrics import CHART_KIND, chart_key
from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.panes.metrics import MetricsPane, latest_deployment, opening_range
from artui.ui.screens.service import ServiceScreen
from tests.uihelp import select, shown, wait_until

REGION = "us-east-1"
HOUR = 3600
DAY = 86400
NOW = 1_795_000_000.0


def op(kind: OperationType, started: float | None) -> Operation:
    at = datetime.fromtimestamp(started, timezone.utc) if started is not None else None
    return Operation(
        id=f"{kind.value}-{started}", type=kind, status=OperationStatus.SUCCEEDED, started_at=at
    )


@pytest.mark.parametrize(
    ("age", "label"),
    [
        (20 * 60, "1h"),
        (45 * 60, "1h"),
        (70 * 60, "3h"),  # the demo's incident
        (50 * 60, "3h"),  # in the last hour, but at its edge: nothing before it would show
        (8 * HOUR, "12h"),
        (16 * HOUR, "1d"),
        (20 * HOUR, "1w"),  # past three quarters of a day
        (3 * DAY, "1w"),
        (6.5 * DAY, "1w"),  # only the longest range holds it, nearer its edge
        (8 * DAY, "1h"),  # further back than any range: the last hour, and the pane says so
    ],
)
def test_the_shortest_range_with_time_before_the_deployment(age: float, label: str) -> None:
    assert opening_range(NOW - age, NOW).label == label


def test_no_deployment_opens_on_the_last_hour() -> None:
    assert opening_range(None, NOW) == RANGES[0]


def test_the_latest_deployment_is_a_deployment_an_update_or_the_creation() -> None:
    operations = [
        op(OperationType.RESUME_SERVICE, NOW - 60),
        op(OperationType.PAUSE_SERVICE, NOW - 120),
        op(OperationType.UPDATE_SERVICE, NOW - 2 * HOUR),
        op(OperationType.START_DEPLOYMENT, NOW - 3 * HOUR),
        op(OperationType.START_DEPLOYMENT, None),
    ]
    assert latest_deployment(operations) == NOW - 2 * HOUR
    assert latest_deployment(operations[:2]) is None
    assert latest_deployment([op(OperationType.CREATE_SERVICE, NOW - DAY)]) == NOW - DAY


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    """A stopped-clock demo region; times on screen in UTC whatever the machine's zone."""
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with Simulator(regions=(REGION,), services=7, time_scale=0, world=False) as simulator:
        aim_botocore_at(simulator, monkeypatch.setenv)
        yield simulator


def app_for(sim: Simulator) -> ArtuiApp:
    now = control(sim, "GET", "/_sim/clock")["now"]
    settings = Settings(regions=(REGION,), refresh=30, timezone="utc")
    return build_app(settings, clock=lambda: now)


async def open_metrics(pilot, name: str) -> MetricsPane:
    """`m` on the list: the metrics pane once its charts are read."""
    await select(pilot, name)
    await pilot.press("m")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ServiceScreen), "the service")
    pane = pilot.app.screen.query_one(MetricsPane)
    await wait_until(pilot, lambda: pane.known.fetched_at is not None, "GetMetricData")
    await pilot.pause()
    return pane


def text(app: ArtuiApp, selector: str) -> str:
    return shown(app.screen.query_one(selector))


async def test_opens_on_the_range_of_the_incidents_deployment_and_reads_only_that(
    sim: Simulator,
) -> None:
    app = app_for(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_metrics(pilot, "checkout-api")
        assert pane.range.label == "3h"
        marks = text(app, "#metrics-marks")
        assert "D " in marks and "Deployment" in marks, marks
        assert "latest deployment" not in marks
        # The range was settled before any read: the last hour's charts were never asked for.
        scope = app.scope_of(pane.service)
        assert (
            app.store.get(CHART_KIND, scope, chart_key(pane.service, RANGES[0])).fetched_at is None
        )


async def test_a_range_the_operator_picks_stays_and_says_where_the_deployment_is(
    sim: Simulator,
) -> None:
    app = app_for(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_metrics(pilot, "checkout-api")
        deployed = latest_deployment(pane._operations())
        assert deployed is not None
        await pilot.press("1")
        assert pane.range.label == "1h"
        await wait_until(pilot, lambda: pane.known.fetched_at is not None, "the 1h read")
        # A later answer of ListOperations does not take the operator's range away.
        await pilot.press("r")
        await wait_until(pilot, lambda: app.session.watched("operations"), "the operations")
        await pilot.pause()
        assert pane.range.label == "1h"
        when = time.strftime("%H:%M", time.gmtime(deployed))
        ago = duration(app.clock() - deployed)  # 70 minutes, give or take the seeding's second
        assert ago in ("1h09m", "1h10m")
        assert f"latest deployment {when} UTC, {ago} ago" in text(app, "#metrics-marks")


async def test_a_deployment_further_back_than_a_week_is_said(sim: Simulator) -> None:
    control(sim, "POST", "/_sim/clock", {"advance": 8 * DAY})
    app = app_for(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_metrics(pilot, "checkout-api")
        deployed = latest_deployment(pane._operations())
        assert deployed is not None and app.clock() - deployed > 7 * DAY
        assert pane.range.label == "1h"
        when = time.strftime("%m-%d %H:%M", time.gmtime(deployed))
        marks = text(app, "#metrics-marks")
        assert f"latest deployment {when} UTC, {duration(app.clock() - deployed)} ago" in marks


async def test_operations_that_cannot_be_read_leave_the_last_hour(sim: Simulator) -> None:
    control(
        sim,
        "POST",
        "/_sim/faults",
        {
            "operation": "ListOperations",
            "error": "InvalidRequestException",
            "status": 400,
            "message": "no",
            "count": -1,
        },
    )
    app = app_for(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_metrics(pilot, "checkout-api")
        assert pane.range == RANGES[0]
        assert "last 1h (" in text(app, "#metrics-header")
    control(sim, "DELETE", "/_sim/faults")
