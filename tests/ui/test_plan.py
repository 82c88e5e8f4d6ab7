"""Issue 27 in the TUI: `e` on the configuration pane shows the open service's Amazon ECS
Express Mode plan, the report and the request as `artui.domain.migration` writes them for
the service's record (its latest DescribeService, its configuration, its custom domains),
read-only and copyable, in read-only mode too; `?` lists its keys; escape goes back."""

from __future__ import annotations

import json

import pytest
from conftest import control
from textual.widgets import Static, TextArea

from artui.domain import migration, migration_report
from artui.domain.export import ServiceRecord
from artui.engine import configuration, custom_domains
from artui.engine.services import DETAIL
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.screens.help import HelpScreen
from artui.ui.screens.plan import NOTICE, READING, PlanScreen
from artui.ui.screens.service import ServiceScreen
from tests.ui.test_actions import MUTATING, calls, make_app, toasted
from tests.ui.test_configuration import open_configuration
from tests.uihelp import shown, wait_until

# A running service of the demo with two custom domains.
NAME = "checkout-api"


@pytest.fixture
def sim(fresh_sim: Simulator) -> Simulator:
    return fresh_sim


def record_of(app: ArtuiApp, screen: PlanScreen) -> ServiceRecord:
    """The service's record as the store holds it: DescribeService's service, the
    configuration pane's read, the custom domains' read."""
    arn = screen.service.arn
    scope = app.scope_of(screen.service)
    detail = app.store.get(DETAIL, scope, arn).value
    assert detail is not None
    config = app.store.get(configuration.KIND, scope, arn).value
    domains = app.store.get(custom_domains.KIND, scope, arn).value
    assert config is not None and domains is not None
    return ServiceRecord(detail.service, config, domains.domains)


def view_text(app: ArtuiApp) -> str:
    screen = app.screen
    assert isinstance(screen, PlanScreen)
    return screen.area().text


def status(app: ArtuiApp) -> str:
    return shown(app.screen.query_one("#status", Static))


async def open_plan(pilot, app: ArtuiApp) -> PlanScreen:
    """The configuration pane of NAME, then `x`: the plan, once built."""
    await open_configuration(pilot, app, NAME)
    await pilot.press("x")
    await wait_until(pilot, lambda: isinstance(app.screen, PlanScreen), "the plan screen")
    screen = app.screen
    assert isinstance(screen, PlanScreen)
    await wait_until(pilot, lambda: screen.plan is not None, "the plan built")
    await pilot.pause()
    return screen


async def test_the_plan_shows_the_report_and_the_request_and_copies_them(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_plan(pilot, app)
        record = record_of(app, screen)
        assert record.custom_domains is not None and len(record.custom_domains) == 2
        # Read for the plan (the domains pane never showed), while the plan is open.
        assert app.session.watched(custom_domains.KIND) == {screen.service.arn}
        expected = migration.plan(record)
        report = migration_report.service_report(expected)
        request = json.dumps(expected.request, indent=2)

        title = shown(screen.query_one("#title", Static))
        assert (
            title.startswith("artui · default 123456789012")
            and f"ECS Express plan · {NAME}" in title
        )
        assert shown(screen.query_one("#plan-notice", Static)) == NOTICE
        assert screen.area("report").read_only and screen.area("request").read_only
        assert view_text(app) == report
        assert isinstance(app.focused, TextArea) and app.focused.id == "report"

        await pilot.press("y")
        assert app.clipboard == report
        lines = len(report.splitlines())
        await wait_until(
            pilot, lambda: toasted(app, f"Copied the report ({lines} line"), "the report copied"
        )

        await pilot.press("2")
        await wait_until(pilot, lambda: view_text(app) == request, "the request on show")
        assert isinstance(app.focused, TextArea) and app.focused.id == "request"
        await pilot.press("y")
        assert app.clipboard == request
        lines = len(request.splitlines())
        await wait_until(
            pilot, lambda: toasted(app, f"Copied the request ({lines} line"), "the request copied"
        )
        await pilot.press("tab")  # the other view: the report again
        await wait_until(pilot, lambda: view_text(app) == report, "the report again")
        await pilot.press("1")
        assert view_text(app) == report

        # Typing into a read-only view changes nothing.
        await pilot.press("x", "enter", "backspace")
        assert view_text(app) == report

        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service view")
        assert app.screen.pane.TAB.id == "configuration"
        stopped = lambda: not app.session.watched(custom_domains.KIND)  # noqa: E731
        await wait_until(pilot, stopped, "the custom domains no longer read")
        await pilot.press("x", "q")  # q goes back too
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "back with q")
    assert calls(sim, MUTATING) == []


async def test_help_on_the_plan_lists_its_keys(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(pilot, app)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        listed = app.screen.rows
        keys = {key for key, _ in listed}
        described = " ".join(words for _, words in listed)
        assert {"y", "esc", "q", "1", "2"} <= keys  # (esc: escape, as Textual shows it)
        assert "Copy the whole view" in described
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, PlanScreen), "the plan again")


async def test_help_on_the_configuration_pane_lists_the_plan_key(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_configuration(pilot, app, NAME)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        rows = dict(app.screen.rows)
        assert "Amazon ECS Express Mode plan" in rows["x"]


async def test_read_only_mode_offers_the_plan(sim: Simulator) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_plan(pilot, app)
        expected = migration.plan(record_of(app, screen))
        assert view_text(app) == migration_report.service_report(expected)
        await pilot.press("y")
        assert app.clipboard == migration_report.service_report(expected)
    assert calls(sim, MUTATING) == []


async def test_custom_domains_not_read_are_said_so(sim: Simulator) -> None:
    message = "User is not authorized to perform apprunner:DescribeCustomDomains"
    fault = {"operation": "DescribeCustomDomains", "error": "AccessDeniedException"}
    control(sim, "POST", "/_sim/faults", {**fault, "status": 400, "message": message, "count": -1})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_plan(pilot, app)
        assert screen.plan is not None
        record = screen.plan.record
        assert record.custom_domains is None
        assert record.configuration is not None
        problems = record.configuration.problems
        assert any(what == "DescribeCustomDomains" and message in why for what, why in problems)
        assert view_text(app) == migration_report.service_report(migration.plan(record))
        await wait_until(pilot, lambda: "custom domains not read" in status(app), "said so")
        assert READING not in status(app)
    control(sim, "DELETE", "/_sim/faults")
