"""Deploy, pause, resume, delete and rebuild, pressed through the Pilot against the simulator:
what the operator sees, and what the simulator received (its request log)."""

from __future__ import annotations

import re

import boto3
import pytest
from conftest import control
from textual.widgets import Input, Static

from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.screens.confirm import ConfirmScreen, DeleteScreen
from artui.ui.screens.service import ServiceScreen
from tests.uihelp import select, shown, table_rows, wait_until

REGION = "us-east-1"
MUTATING = {"StartDeployment", "PauseService", "ResumeService", "DeleteService", "UpdateService"}


@pytest.fixture
def sim(fresh_sim: Simulator) -> Simulator:
    return fresh_sim


def make_app(refresh: float = 1, read_only: bool = False) -> ArtuiApp:
    return build_app(Settings(regions=(REGION,), refresh=refresh, read_only=read_only))


def calls(sim: Simulator, names: set[str] | None = None) -> list[str]:
    """The App Runner operations the simulator served, in order (only `names`, if given)."""
    served = [r["operation"] for r in control(sim, "GET", "/_sim/requests")["requests"]]
    return [op for op in served if names is None or op in names]


def toasts(app: ArtuiApp) -> list[str]:
    """Every notification on screen, as 'title: message'."""
    return [f"{n.title}: {n.message}" for n in app._notifications]


def toasted(app: ArtuiApp, *words: str) -> bool:
    return any(all(w in t for w in words) for t in toasts(app))


def advance(sim: Simulator, seconds: float) -> None:
    control(sim, "POST", "/_sim/clock", {"advance": seconds})


def status_of(sim: Simulator, name: str) -> str:
    client = boto3.client("apprunner", region_name=REGION, endpoint_url=sim.endpoint)
    services = client.list_services(MaxResults=20)["ServiceSummaryList"]
    return next(s["Status"] for s in services if s["ServiceName"] == name)


def arn_of(sim: Simulator, name: str) -> str:
    client = boto3.client("apprunner", region_name=REGION, endpoint_url=sim.endpoint)
    services = client.list_services(MaxResults=20)["ServiceSummaryList"]
    return next(s["ServiceArn"] for s in services if s["ServiceName"] == name)


async def confirm_dialog(pilot) -> ConfirmScreen:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), "the dialog")
    return pilot.app.screen  # type: ignore[return-value]


def dialog_text(screen: ConfirmScreen | DeleteScreen) -> str:
    return " ".join(shown(s) for s in screen.query(Static))


async def test_deploy_confirms_sends_once_and_reports_how_it_ended(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "orders-service")
        control(sim, "DELETE", "/_sim/requests")
        await pilot.press("d")
        dialog = await confirm_dialog(pilot)
        assert "Deploy orders-service in us-east-1, account 123456789012?" in dialog_text(dialog)
        await pilot.press("y")
        await wait_until(pilot, lambda: toasted(app, "Deploy orders-service: started"), "start")
        assert calls(sim, MUTATING) == ["StartDeployment"]
        # The list says what it is doing, with the action's elapsed time in the status line.
        await wait_until(
            pilot,
            lambda: ["orders-service", "deploying"] == table_rows(app)[3][:2],
            "the service deploying in the list",
        )
        assert "deploy orders-service" in shown(app.screen.query_one("#status", Static))
        advance(sim, 400)
        await wait_until(
            pilot, lambda: toasted(app, "Deploy orders-service: succeeded"), "the outcome"
        )
    assert calls(sim, MUTATING) == ["StartDeployment"]
    assert status_of(sim, "orders-service") == "RUNNING"


async def test_a_double_press_sends_one_deployment(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "auth-gateway")
        control(sim, "DELETE", "/_sim/requests")
        await pilot.press("d", "y")
        await wait_until(pilot, lambda: toasted(app, "auth-gateway: started"), "the start")
        # Each key also clears the toasts on show: each is looked for before the next key.
        await pilot.press("d")
        await wait_until(pilot, lambda: toasted(app, "already under way"), "the refusal")
        await pilot.press("y", "d")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
    assert calls(sim, MUTATING) == ["StartDeployment"]


async def test_paused_service_refuses_deploy_before_any_call(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "web-frontend")
        await pilot.press("d")
        await wait_until(
            pilot,
            lambda: toasted(app, "Deploy web-frontend: not sent", "resume it first"),
            "the refusal",
        )
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("p")
        await wait_until(pilot, lambda: toasted(app, "already paused"), "the pause refusal")
    assert calls(sim, MUTATING) == []


async def test_pause_warns_of_lost_state_and_resume_brings_it_back(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "inventory-sync")
        await pilot.press("p")
        dialog = await confirm_dialog(pilot)
        text = dialog_text(dialog)
        assert "loses its state" in text and "cannot be deployed until it is resumed" in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: toasted(app, "cancelled: nothing was sent"), "cancel")
        assert calls(sim, MUTATING) == []
        await pilot.press("p", "y")
        await wait_until(pilot, lambda: toasted(app, "Pause inventory-sync: started"), "pause")
        advance(sim, 400)
        await wait_until(pilot, lambda: toasted(app, "Pause inventory-sync: succeeded"), "paused")
        await wait_until(pilot, lambda: "paused" in table_rows(app)[2], "paused in the list")
        await pilot.press("u")
        dialog = await confirm_dialog(pilot)
        assert "Resume inventory-sync in us-east-1, account 123456789012?" in dialog_text(dialog)
        await pilot.press("y")
        await wait_until(pilot, lambda: toasted(app, "Resume inventory-sync: started"), "resume")
    assert calls(sim, MUTATING) == ["PauseService", "ResumeService"]


async def test_delete_needs_the_name_typed(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "checkout-api")
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, DeleteScreen), "the dialog")
        text = dialog_text(app.screen)
        assert "Delete checkout-api in us-east-1, account 123456789012?" in text
        assert "new URL" in text and "Pausing (p) is the reversible alternative" in text
        await pilot.press(*"checkout", "enter")
        await wait_until(
            pilot, lambda: "nothing was sent" in dialog_text(app.screen), "the wrong name"
        )
        assert calls(sim, MUTATING) == []
        field = app.screen.query_one(Input)
        field.value = ""
        await pilot.press(*"checkout-api", "enter")
        await wait_until(pilot, lambda: toasted(app, "Delete checkout-api: started"), "delete")
    assert calls(sim, MUTATING) == ["DeleteService"]


async def test_read_only_sends_nothing_whatever_is_pressed(sim: Simulator) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "orders-service")
        assert shown(app.screen.query_one("#status", Static)).startswith("READ-ONLY")
        for key, answer in (("d", "y"), ("p", "y"), ("u", "y"), ("ctrl+d", "enter")):
            await pilot.press(key)
            await wait_until(pilot, lambda: toasted(app, "artui is read-only"), f"{key} refused")
            # The answer finds no dialog (and clears the toast, as any key does).
            await pilot.press(answer)
            await wait_until(pilot, lambda: not toasted(app, "artui is read-only"), "cleared")
            assert not isinstance(app.screen, (ConfirmScreen, DeleteScreen))
        await pilot.press("enter")  # the service view says it too
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        assert shown(app.screen.query_one("#status", Static)).startswith("READ-ONLY")
        await pilot.press("d", "y", "b", "y")
        # Below the UI, the clients refuse any call that changes state before it is sent.
        gateway = app.session.sessions[0].gateway
        assert gateway is not None
        from artui.domain.changes import Deploy
        from artui.domain.errors import ReadOnlyError

        with pytest.raises(ReadOnlyError):
            await gateway.apprunner.apply(REGION, arn_of(sim, "orders-service"), Deploy())
    assert calls(sim, MUTATING) == []


async def test_state_changed_meanwhile_shows_aws_answer_and_refreshes(sim: Simulator) -> None:
    app = make_app(refresh=3600)  # the list polls once, then only when asked
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "orders-service")
        await wait_until(pilot, lambda: app.session.sessions[0].services is not None, "the poller")
        # Someone else deploys between the list and the key: the list still says running.
        client = boto3.client("apprunner", region_name=REGION, endpoint_url=sim.endpoint)
        client.start_deployment(ServiceArn=arn_of(sim, "orders-service"))
        control(sim, "DELETE", "/_sim/requests")
        assert table_rows(app)[3][:2] == ["orders-service", "running"]
        await pilot.press("p")
        await confirm_dialog(pilot)
        await pilot.press("y")
        await wait_until(
            pilot,
            lambda: toasted(app, "Pause orders-service failed", "InvalidStateException"),
            "AWS's answer",
        )
        assert calls(sim, MUTATING) == ["PauseService"]
        # The list refreshes at once and shows the truth (someone else's deployment, named);
        # nothing else was sent.
        await wait_until(
            pilot, lambda: table_rows(app)[3][1] == "deploying", "deploying in the list"
        )
        assert len(table_rows(app)) == 7
    assert calls(sim, MUTATING) == ["PauseService"]


async def test_outcome_is_told_after_the_operator_moved_to_another_service(
    sim: Simulator,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "payments-worker")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        await pilot.press("d", "y")
        await wait_until(pilot, lambda: toasted(app, "payments-worker: started"), "the start")
        await pilot.press("escape")
        await select(pilot, "auth-gateway")
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, ServiceScreen) and app.screen.service.name == "auth-gateway"
            ),
            "another service",
        )
        advance(sim, 400)
        await wait_until(
            pilot,
            lambda: toasted(app, "Deploy payments-worker: ") and not app.actions.underway,
            "the outcome, told on another service's screen",
        )
        assert app.screen.service.name == "auth-gateway"


async def test_a_failed_call_is_not_retried_and_the_next_press_reads_first(
    sim: Simulator,
) -> None:
    fault = {"operation": "StartDeployment", "error": "InternalServiceErrorException"}
    control(sim, "POST", "/_sim/faults", {**fault, "status": 500, "message": "boom", "count": 1})
    app = make_app(refresh=3600)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "orders-service")
        control(sim, "DELETE", "/_sim/requests")
        await pilot.press("d", "y")
        await wait_until(pilot, lambda: toasted(app, "Deploy orders-service failed"), "failure")
        # botocore's retries would have sent it up to five times.
        assert calls(sim, MUTATING) == ["StartDeployment"]
        control(sim, "DELETE", "/_sim/requests")
        await pilot.press("d", "y")
        await wait_until(pilot, lambda: toasted(app, "orders-service: started"), "the start")
    # Before sending again, artui looked for an operation the lost attempt might have started.
    assert calls(sim, {"ListOperations", "StartDeployment"})[:2] == [
        "ListOperations",
        "StartDeployment",
    ]


async def test_create_failed_offers_rebuild_with_the_current_configuration(
    sim: Simulator,
) -> None:
    client = boto3.client("apprunner", region_name=REGION, endpoint_url=sim.endpoint)
    arn = arn_of(sim, "search-indexer")
    before = client.describe_service(ServiceArn=arn)["Service"]
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "search-indexer")
        assert any(b.binding.id == "action.rebuild" for b in app.screen.active_bindings.values())
        await pilot.press("d")
        await wait_until(
            pilot, lambda: toasted(app, "failed to create", "b rebuilds"), "the refusal's advice"
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        overview = shown(app.screen.query_one("#overview-body", Static))
        assert "rebuild (b) or delete it (ctrl+d)" in overview
        await pilot.press("b")
        dialog = await confirm_dialog(pilot)
        assert "Rebuild search-indexer in us-east-1, account 123456789012?" in dialog_text(dialog)
        await pilot.press("y")
        await wait_until(pilot, lambda: toasted(app, "Rebuild search-indexer: started"), "rebuild")
    assert calls(sim, MUTATING) == ["UpdateService"]
    after = client.describe_service(ServiceArn=arn)["Service"]
    assert after["SourceConfiguration"] == before["SourceConfiguration"]
    assert after["Status"] == "OPERATION_IN_PROGRESS"


async def test_rebuild_key_is_hidden_for_a_running_service(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "orders-service")
        await pilot.press("b")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
    assert calls(sim, MUTATING) == []


async def test_the_overview_reads_describe_again_until_the_operation_ends(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "orders-service")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        body = lambda: shown(app.screen.query_one("#overview-body", Static))  # noqa: E731
        await wait_until(pilot, lambda: "CPU / memory" in body(), "DescribeService's answer")
        await pilot.press("d")
        await confirm_dialog(pilot)
        await pilot.press("y")
        await wait_until(pilot, lambda: toasted(app, "orders-service: started"), "the start")
        advance(sim, 400)
        await wait_until(pilot, lambda: toasted(app, "orders-service: succeeded"), "the end")
        # Nothing pressed since: the overview's own poll reads the service as it now is.
        control(sim, "DELETE", "/_sim/requests")
        await wait_until(pilot, lambda: "DescribeService" in calls(sim), "a DescribeService")
        await wait_until(
            pilot, lambda: re.search(r"Status +RUNNING", body()), "the overview running again"
        )
        # Back on the list: the view's poll stops with it; the list's own goes on.
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ServiceScreen), "the list")
        control(sim, "DELETE", "/_sim/requests")
        await wait_until(
            pilot, lambda: calls(sim, {"ListServices"}) == ["ListServices"] * 2, "two list polls"
        )
        assert "DescribeService" not in calls(sim)


async def test_a_service_deleted_by_someone_else_says_deleting_then_deleted(
    sim: Simulator,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "orders-service")
        await pilot.press("a")  # any pane: the view itself follows DescribeService
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        title = lambda: shown(app.screen.query_one("#title", Static))  # noqa: E731
        await wait_until(pilot, lambda: "RUNNING" in title(), "running")
        client = boto3.client("apprunner", region_name=REGION, endpoint_url=sim.endpoint)
        client.delete_service(ServiceArn=arn_of(sim, "orders-service"))
        await wait_until(pilot, lambda: "deleting" in title(), lambda: f"deleting: {title()}")
        advance(sim, 400)
        await wait_until(pilot, lambda: "DELETED" in title(), lambda: f"deleted: {title()}")
