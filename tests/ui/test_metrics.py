"""The metrics pane (`m`) through the Pilot against the simulator's own CloudWatch over real
HTTP: the five charts, range keys, the percentile fallback, deployment marks at their time,
no data and no traffic, a failing read that keeps the charts, and reads that stop when the
pane is hidden."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import boto3
import pytest
from conftest import aim_botocore_at, client_kwargs, control
from textual.widgets import Static

from artui.engine.metrics import CHART_KIND, CHARTS
from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.panes.metrics import MetricsPane
from artui.ui.screens.service import ServiceScreen
from tests.uihelp import select, shown, wait_until

REGION = "us-east-1"


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    """A stopped-clock demo region with its traffic model; the app's clock is the sim's."""
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("TZ", "UTC")  # the axes and the marks print local times
    time.tzset()
    with Simulator(regions=(REGION,), services=7, time_scale=0, world=False) as simulator:
        aim_botocore_at(simulator, monkeypatch.setenv)
        yield simulator
    monkeypatch.undo()
    time.tzset()


def sim_now(sim: Simulator) -> float:
    return control(sim, "GET", "/_sim/clock")["now"]


def app_for(sim: Simulator) -> ArtuiApp:
    """An app whose clock reads the simulator's (stopped) clock."""
    now = sim_now(sim)
    return build_app(Settings(regions=(REGION,), refresh=30), clock=lambda: now)


def pane(app: ArtuiApp) -> MetricsPane:
    return app.screen.query_one(MetricsPane)


def text_of(app: ArtuiApp, selector: str) -> str:
    return shown(app.screen.query_one(selector, Static))


def charts(app: ArtuiApp) -> list[str]:
    """The charts on screen as plain text, in order (hidden ones left out)."""
    boxes = app.screen.query(".metrics-chart").results(Static)
    return [shown(box) for box in boxes if box.display]


def status(app: ArtuiApp) -> str:
    return text_of(app, "#status")


def metric_reads(sim: Simulator) -> int:
    served = control(sim, "GET", "/_sim/requests")["requests"]
    return sum(r["operation"] == "GetMetricData" for r in served)


async def open_metrics(pilot, name: str) -> MetricsPane:
    """`m` on the services list: the service opens on its metrics pane, read once."""
    await select(pilot, name)
    await pilot.press("m")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ServiceScreen), "the service")
    metrics = pane(pilot.app)
    await wait_until(pilot, lambda: metrics.known.fetched_at is not None, "GetMetricData")
    await pilot.pause()
    return metrics


async def test_five_charts_with_the_simulators_data(sim: Simulator) -> None:
    app = app_for(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        metrics = await open_metrics(pilot, "checkout-api")
        assert metrics.active
        drawn = charts(app)
        titles = [c.split("\n")[0].split("   ")[0] for c in drawn]
        assert titles == [
            "Requests per minute",
            "Responses per minute",
            "Latency (ms)",
            "Active instances",
            "CPU and memory (%)",
        ]
        assert len(CHARTS) == len(titles)
        # Each chart has a plot (a y axis and a time axis), not a message.
        for chart in drawn:
            assert "┤" in chart and "└" in chart, chart
        assert "2xx" in drawn[1] and "4xx" in drawn[1] and "5xx" in drawn[1]
        assert "p50" in drawn[2] and "p99" in drawn[2]
        header = text_of(app, "#metrics-header")
        # The demo's incident began with a deployment 70 minutes ago: the pane opens on 3h.
        assert "checkout-api" in header and "last 3h (" in header and ", a point a minute" in header
        assert "read 0s ago" in header
        assert "metrics read" in status(app)


async def test_range_keys_read_again_with_the_new_period(sim: Simulator) -> None:
    app = app_for(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        metrics = await open_metrics(pilot, "checkout-api")
        assert metrics.range.label == "3h"  # where the latest deployment shows
        before = metric_reads(sim)
        await pilot.press("h")
        assert metrics.range.label == "12h"
        await wait_until(pilot, lambda: metrics.known.value is not None, "the 12h read")
        assert metrics.known.value.range.period == 300
        assert "last 12h (" in text_of(app, "#metrics-header")
        # The first read of a range says it is reading, not a blank pane (looked at before
        # the app has had a turn to read: the key's action, called here, draws at once).
        metrics.action_use_range("1d")
        assert "Reading the last 1d" in text_of(app, "#metrics-message")
        assert charts(app) == []
        await pilot.press("4")  # the same range: nothing changes
        assert metrics.range.label == "1d"
        await wait_until(pilot, lambda: metrics.known.value is not None, "the 1d read")
        await pilot.pause()
        chart = metrics.known.value
        assert chart.range.period == 300
        header = text_of(app, "#metrics-header")
        assert "last 1d (" in header and ", a point every 5 minutes" in header
        assert metric_reads(sim) > before
        assert len(charts(app)) == len(CHARTS)
        # The time axis spans the day: ticks six hours apart at 80 columns.
        axis = charts(app)[0].split("\n")[-1]
        assert axis.count(":00") >= 3, axis
        await pilot.press("h", "h")
        assert metrics.range.label == "1h"  # 1d → 1w → 1h: round to the first


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("error", "Average: percentiles refused (InvalidParameterValue)"),
        ("empty", "Average: no percentile data"),
    ],
)
async def test_latency_falls_back_to_average_and_says_why(
    sim: Simulator, mode: str, words: str
) -> None:
    control(sim, "POST", "/_sim/cloudwatch", {"percentiles": mode})
    app = app_for(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_metrics(pilot, "checkout-api")
        latency = charts(app)[2]
        title = latency.split("\n")[0]
        assert title.startswith(f"Latency (ms) — {words}")
        assert "average" in title and "p99" not in title
        assert "┤" in latency  # the Average is drawn


async def test_a_deployment_is_marked_at_its_time(sim: Simulator) -> None:
    client = boto3.client("apprunner", **client_kwargs(sim))
    services = client.list_services()["ServiceSummaryList"]
    arn = next(s["ServiceArn"] for s in services if s["ServiceName"] == "checkout-api")
    client.start_deployment(ServiceArn=arn)
    control(sim, "POST", "/_sim/clock", {"advance": 1200})
    op = client.list_operations(ServiceArn=arn)["OperationSummaryList"][0]
    assert op["Type"] == "START_DEPLOYMENT"
    started: datetime = op["StartedAt"]
    app = app_for(sim)
    now = sim_now(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        metrics = await open_metrics(pilot, "checkout-api")
        await wait_until(pilot, lambda: metrics.marks(), "the operations")
        await pilot.pause()
        legend = text_of(app, "#metrics-marks")
        assert f"D {time.strftime('%H:%M', time.gmtime(started.timestamp()))} Deployment" in legend
        # On every chart: the letter on the top row, in the column of its time, over a line.
        for chart in charts(app):
            rows = chart.split("\n")[1:]
            frame = rows[-2]  # └──┬──… : the x axis
            left = frame.index("└") + 1
            right = len(frame.rstrip())
            share = (started.timestamp() - (now - 3600)) / 3600
            expected = left + round(share * (right - left - 1))
            column = rows[0].index("D")
            assert abs(column - expected) <= 1, (column, expected, chart)
            # The data draws over the line: some of it shows, below the letter.
            assert "┊" in [row[column] for row in rows[1:-2]], chart


async def test_a_paused_service_has_no_data_and_says_so(sim: Simulator) -> None:
    app = app_for(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        metrics = await open_metrics(pilot, "web-frontend")  # the demo's paused service
        # It opens where its latest deployment shows, before the pause: the last hour has
        # no data.
        await pilot.press("1")
        await wait_until(pilot, lambda: metrics.known.fetched_at is not None, "the 1h read")
        await pilot.pause()
        message = text_of(app, "#metrics-message")
        assert "No data for the last 1h (paused, new, or not published yet)." in message
        assert charts(app) == []
        assert "P " in text_of(app, "#metrics-marks") or "No deployment" in text_of(
            app, "#metrics-marks"
        )


async def test_no_traffic_says_so(sim: Simulator) -> None:
    control(sim, "POST", "/_sim/cloudwatch", {"traffic": {"service": "checkout-api", "rpm": 0}})
    app = app_for(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        metrics = await open_metrics(pilot, "checkout-api")
        drawn = charts(app)
        for chart in drawn[:3]:  # requests, responses, latency
            assert f"no traffic in the last {metrics.range.label}" in chart, chart
        # ActiveInstances has datapoints (zeros without requests, as the guide says): drawn
        assert "┤" in drawn[3]


async def test_a_failing_read_keeps_the_charts_marked_stale(sim: Simulator) -> None:
    app = app_for(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        metrics = await open_metrics(pilot, "checkout-api")
        drawn = charts(app)
        control(
            sim,
            "POST",
            "/_sim/faults",
            {
                "operation": "GetMetricData",
                "error": "InvalidParameterValue",
                "message": "no",
                "count": -1,
            },
        )
        await pilot.press("r")
        await wait_until(pilot, lambda: metrics.known.error is not None, "the failed read")
        await pilot.pause()
        assert charts(app) == drawn
        read = time.strftime("%H:%M", time.gmtime(metrics.known.fetched_at))
        assert f"metrics failing, last read {read} UTC (e: errors)" in status(app)
        control(sim, "DELETE", "/_sim/faults")


async def test_reads_stop_when_the_pane_is_hidden_and_start_again(sim: Simulator) -> None:
    app = app_for(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        metrics = await open_metrics(pilot, "checkout-api")
        assert app.session.watched(CHART_KIND) and app.session.watched("operations")
        await pilot.press("i")
        await wait_until(
            pilot,
            lambda: not app.session.watched(CHART_KIND) and not app.session.watched("operations"),
            "reads stopped",
        )
        assert not metrics.active
        await pilot.press("m")
        await wait_until(
            pilot,
            lambda: app.session.watched(CHART_KIND) and app.session.watched("operations"),
            "reads again",
        )


async def test_help_lists_the_metrics_keys(sim: Simulator) -> None:
    app = app_for(sim)
    async with app.run_test(size=(80, 40)) as pilot:
        await open_metrics(pilot, "checkout-api")
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: app.screen.query("#help-keys"), "help")
        keys = text_of(app, "#help-keys")
        for key, words in [
            ("h", "Range: 1h, 3h, 12h, 1d, 1w"),
            ("1", "The last 1h"),
            ("5", "The last 1w"),
            ("↓ j", "Scroll down"),
            ("↑ k", "Scroll up"),
            ("home g", "Top"),
        ]:
            assert any(
                line.strip().startswith(key) and words in line for line in keys.splitlines()
            ), (key, keys)
