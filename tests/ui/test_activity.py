"""The activity pane (`a`) through the Pilot against the simulator: operations newest first,
paged on demand, live while running, filtered, and each deployment's log one key away."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from conftest import control
from textual.widgets import Static

from artui.domain.apprunner import LogSource, LogSourceKind
from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.panes.activity import MORE, ActivityPane
from artui.ui.panes.logs import LogsPane
from artui.ui.screens.service import ServiceScreen
from tests.ui.test_actions import REGION, arn_of, calls, toasted
from tests.uihelp import aim_botocore_at, cell_text, select, shown, wait_until


@pytest.fixture
def sim(fresh_sim: Simulator) -> Simulator:
    return fresh_sim


def apprunner(sim: Simulator):
    return boto3.client("apprunner", region_name=REGION, endpoint_url=sim.endpoint)


def sim_now(sim: Simulator) -> float:
    return control(sim, "GET", "/_sim/clock")["now"]


def pane(app: ArtuiApp) -> ActivityPane:
    return app.screen.query_one(ActivityPane)


def rows(app: ArtuiApp) -> list[list[str]]:
    table = pane(app).table
    return [[cell_text(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def row_keys(app: ArtuiApp) -> list[str]:
    table = pane(app).table
    return [str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)]


async def open_activity(pilot, name: str) -> None:
    await select(pilot, name)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ServiceScreen), "the service")
    await pilot.press("a")
    await wait_until(pilot, lambda: pane(pilot.app).known.fetched_at, "ListOperations")
    await pilot.pause()


async def test_operations_newest_first_in_words(sim: Simulator) -> None:
    answer = apprunner(sim).list_operations(ServiceArn=arn_of(sim, "web-frontend"))
    expected = answer["OperationSummaryList"]
    app = build_app(Settings(regions=(REGION,), refresh=30))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_activity(pilot, "web-frontend")
        assert row_keys(app) == [o["Id"] for o in expected]
        words = {
            "START_DEPLOYMENT": "Deployment",
            "CREATE_SERVICE": "Create",
            "PAUSE_SERVICE": "Pause",
            "RESUME_SERVICE": "Resume",
        }
        assert [r[:2] for r in rows(app)] == [[words[o["Type"]], o["Status"]] for o in expected]
        assert rows(app)[0][0] == "Pause"  # the demo's paused service: its pause came last
        status = shown(app.screen.query_one("#status", Static))
        assert f"{len(expected)} operations" in status


async def test_more_than_twenty_operations_are_paged_in_on_demand(sim: Simulator) -> None:
    client = apprunner(sim)
    arn = arn_of(sim, "auth-gateway")
    for _ in range(22):
        client.start_deployment(ServiceArn=arn)
        control(sim, "POST", "/_sim/clock", {"advance": 400})
    total = (
        22 + len(client.list_operations(ServiceArn=arn, MaxResults=20)["OperationSummaryList"]) - 20
    )
    everything = []
    token = None
    while True:
        kwargs = {"ServiceArn": arn, "MaxResults": 20, **({"NextToken": token} if token else {})}
        answer = client.list_operations(**kwargs)
        everything += [o["Id"] for o in answer["OperationSummaryList"]]
        token = answer.get("NextToken")
        if not token:
            break
    assert len(everything) > 20 and total <= len(everything)
    app = build_app(Settings(regions=(REGION,), refresh=30))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_activity(pilot, "auth-gateway")
        # One page of 20, then a last row that pages in the rest when the cursor gets there.
        assert row_keys(app) == [*everything[:20], MORE]
        assert "20 operations+" in shown(app.screen.query_one("#status", Static))
        control(sim, "DELETE", "/_sim/requests")
        pane(app).table.move_cursor(row=20)
        await wait_until(pilot, lambda: MORE not in row_keys(app), "the older page")
        assert row_keys(app) == everything
        assert calls(sim, {"ListOperations"}) == ["ListOperations"] * (
            len(calls(sim, {"ListOperations"}))
        )


async def test_a_running_operation_counts_up_and_ends(sim: Simulator) -> None:
    client = apprunner(sim)
    client.start_deployment(ServiceArn=arn_of(sim, "orders-service"))
    # Less than half a second from a whole number: float epochs never round it below 42.
    now = [sim_now(sim) + 42.4]
    app = build_app(Settings(regions=(REGION,), refresh=1), clock=lambda: now[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await open_activity(pilot, "orders-service")
        assert rows(app)[0][:2] == ["Deployment", "PENDING"] or rows(app)[0][:2] == [
            "Deployment",
            "IN_PROGRESS",
        ]
        assert rows(app)[0][3:] == ["running", "42s"]
        assert "Deployment running 42s" in shown(app.screen.query_one("#status", Static))
        now[0] += 23
        await wait_until(pilot, lambda: rows(app)[0][4] == "1m05s", "the time counting up")
        control(sim, "POST", "/_sim/clock", {"advance": 400})
        await wait_until(pilot, lambda: rows(app)[0][1] == "SUCCEEDED", "the end, polled")
        assert rows(app)[0][3] != "running"


async def test_slash_filters_the_operations(sim: Simulator) -> None:
    app = build_app(Settings(regions=(REGION,), refresh=30))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_activity(pilot, "web-frontend")
        everything = rows(app)
        await pilot.press("slash", *"pause")
        await wait_until(pilot, lambda: len(rows(app)) < len(everything), "the filter")
        assert {r[0] for r in rows(app)} == {"Pause"}
        assert "filter 'pause'" in shown(app.screen.query_one("#status", Static))
        await pilot.press("enter", "escape")
        await wait_until(pilot, lambda: rows(app) == everything, "the filter cleared")
        assert isinstance(app.screen, ServiceScreen)  # escape cleared; a second one goes back
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ServiceScreen), "back")
        # Leaving the service stops polling its operations.
        await wait_until(
            pilot, lambda: not app.session.watched("operations"), "the activity poll stopped"
        )


@pytest.mark.parametrize("visited", [False, True], ids=["first-visit", "visited-before"])
async def test_the_cursor_goes_to_the_operation_just_started(sim: Simulator, visited: bool) -> None:
    arn = arn_of(sim, "checkout-api")
    previous = apprunner(sim).list_operations(ServiceArn=arn)["OperationSummaryList"][0]["Id"]
    app = build_app(Settings(regions=(REGION,), refresh=30))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        if visited:
            # The activity already holds the operations, its cursor on the newest: without
            # care it would stay there as the new one arrives above it.
            await open_activity(pilot, "checkout-api")
            assert pane(app).selected().id == previous
            await pilot.press("i")
        else:
            await select(pilot, "checkout-api")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        await pilot.press("d", "y")
        await wait_until(pilot, lambda: toasted(app, "checkout-api: started"), "the start")
        started = apprunner(sim).list_operations(ServiceArn=arn)["OperationSummaryList"][0]
        assert started["Type"] == "START_DEPLOYMENT" and started["Id"] != previous
        await pilot.press("a")
        await wait_until(pilot, lambda: started["Id"] in row_keys(app), "the new operation's row")
        assert row_keys(app)[:2] == [started["Id"], previous]
        assert pane(app).selected().id == started["Id"]
        # Once: the operator's own move wins over the polls that follow.
        await pilot.press("j")
        assert pane(app).selected().id == previous
        fetched = pane(app).known.fetched_at
        await pilot.press("r")
        await wait_until(pilot, lambda: pane(app).known.fetched_at != fetched, "a poll")
        await pilot.pause()
        assert pane(app).selected().id == previous
        await pilot.press("k", "enter")
        logs = app.screen.query_one(LogsPane)
        await wait_until(pilot, lambda: logs.active, "the logs pane")
        assert logs.source == LogSource(LogSourceKind.DEPLOYMENT, started["Id"])
        header = shown(app.screen.query_one("#logs-header", Static))
        assert header.startswith(f"deployment {started['Id'][:8]}")


@pytest.fixture(scope="module")
def world() -> Iterator[Simulator]:
    """The demo world writing deployment logs into moto. Its own seed: moto's state is
    process-wide, and another seed-7 simulator would name the same log groups and ids."""
    with Simulator(regions=(REGION,), services=7, time_scale=1, world=True, seed=23) as simulator:
        yield simulator


async def test_enter_opens_the_deployment_log(
    world: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(world, monkeypatch.setenv)
    app = build_app(Settings(regions=(REGION,), refresh=30))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_activity(pilot, "checkout-api")
        first = pane(app).operations[0]
        assert first.type_label == "Deployment"
        await pilot.press("enter")
        logs = app.screen.query_one(LogsPane)
        await wait_until(pilot, lambda: logs.active, "the logs pane")
        await wait_until(pilot, lambda: logs.view.held > 2, "the deployment's lines")
        lines = logs.view.shown_lines()
        assert any(f"Deployment with ID : {first.id} started" in line for line in lines)
        header = shown(app.screen.query_one("#logs-header", Static))
        assert header.startswith(f"deployment {first.id[:8]}  from its start")
        await pilot.press("a", "j", "j")
        op = pane(app).selected()
        assert op is not None


async def test_a_failed_deployment_is_told_and_its_log_says_why(
    world: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(world, monkeypatch.setenv)
    app = build_app(Settings(regions=(REGION,), refresh=1))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_activity(pilot, "payments-worker")
        # Changes are offered on the overview only (d pages down where a reader is).
        await pilot.press("i", "d", "y")
        await wait_until(pilot, lambda: toasted(app, "payments-worker: started"), "the start")
        await pilot.press("a")
        # The new operation is in the activity at once, running.
        await wait_until(
            pilot, lambda: rows(app)[0][0] == "Deployment" and rows(app)[0][3] == "running", "row"
        )
        control(world, "POST", "/_sim/clock", {"advance": 400})
        await wait_until(pilot, lambda: toasted(app, "Deploy payments-worker: failed"), "failure")
        failed = [n for n in app._notifications if "failed" in n.title]
        assert failed[0].severity == "error"
        await wait_until(pilot, lambda: rows(app)[0][1] == "FAILED", "FAILED in the activity")
        # The cursor went to the operation the operator started as it arrived.
        assert pane(app).selected() == pane(app).operations[0]
        await pilot.press("enter")
        log = app.screen.query_one(LogsPane).view
        await wait_until(
            pilot,
            lambda: any("Failure reason : Build failed" in x for x in log.shown_lines()),
            "the build error in the deployment log",
        )
        assert any("Failed to build your application source code" in x for x in log.shown_lines())
    assert (
        apprunner(world).describe_service(ServiceArn=arn_of(world, "payments-worker"))["Service"][
            "Status"
        ]
        == "RUNNING"
    )
