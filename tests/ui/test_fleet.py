"""The services list's metrics: sparklines, figures, the 5xx mark and sorting, driven through
Pilot against the simulator's own CloudWatch over HTTP on a stopped clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import control
from textual.widgets import Static

from artui.domain.apprunner import Tone
from artui.engine import metrics
from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.screens.help import HelpScreen
from artui.ui.screens.service import ServiceScreen
from artui.ui.widgets.logview import LogView
from artui.ui.widgets.services_table import NOW_LABEL, Row, ServicesTable, layout, short_region
from artui.ui.widgets.sparkline import BARS, GAP, buckets, sparkline
from tests.uihelp import (
    FROZEN_NOW,
    aim_botocore_at,
    fleet_read,
    fleet_shown,
    select,
    shown,
    table_rows,
    wait_until,
)

REGION = "us-east-1"
# Columns at 80x24: name, status, region, requests, 5xx, figures.
NAME, STATUS, REQUESTS, ERRORS, NOW = 0, 1, 3, 4, 5


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    # A stopped clock: the app's clock reads the same instant, so every read sees one hour.
    with Simulator(
        regions=(REGION,), services=7, time_scale=0, world=False, start_time=FROZEN_NOW
    ) as simulator:
        yield simulator


@pytest.fixture
def aws_env(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(sim, monkeypatch.setenv)
    control(sim, "DELETE", "/_sim/faults")
    yield sim
    control(sim, "DELETE", "/_sim/faults")


def make_app(**settings: float) -> ArtuiApp:
    return build_app(
        Settings(regions=(REGION,), refresh=3600, **settings),  # type: ignore[arg-type]
        clock=lambda: FROZEN_NOW,
    )


def status_text(app: ArtuiApp) -> str:
    return shown(app.screen.query_one("#status", Static))


def rows_by_name(app: ArtuiApp) -> dict[str, list[str]]:
    return {row[NAME]: row for row in table_rows(app)}


def bar_level(cell: str) -> list[int | None]:
    return [None if c == GAP else BARS.index(c) for c in cell]


async def test_sparklines_and_figures_show_and_checkout_api_is_marked(aws_env: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await fleet_shown(pilot)
        rows = rows_by_name(app)
        checkout = rows["checkout-api"]
        # Its 5xx climbs through the hour: the sparkline ends higher than it starts.
        errors = bar_level(checkout[ERRORS])
        assert len(errors) == 10 and None not in errors
        assert errors[-1] == len(BARS) - 1 and errors[0] < errors[-1]
        assert checkout[NOW].split()[1].startswith("!")
        assert set(checkout[REQUESTS]) <= set(BARS) and len(checkout[REQUESTS]) == 10
        for name in ("auth-gateway", "inventory-sync", "payments-worker"):
            row = rows[name]
            rpm, share, latency = row[NOW].split()
            assert float(rpm.rstrip("k")) > 0
            assert share.endswith("%") and not share.startswith("!")
            assert latency.endswith(("ms", "s"))
            assert set(row[REQUESTS]) <= set(BARS)
        # A paused service publishes nothing: gaps and no figures, never zero bars.
        assert rows["web-frontend"][REQUESTS] == GAP * 10
        assert rows["web-frontend"][NOW] == "no data"
        assert "! 1 over 5% 5xx" in status_text(app)
        header = [str(c.label) for c in app.screen.query_one(ServicesTable).columns.values()]
        assert header[NOW] == NOW_LABEL
        calls = control(aws_env, "GET", "/_sim/requests")["requests"]
        assert any(c["operation"] == "GetMetricData" for c in calls)


async def test_o_sorts_by_5xx_then_requests_then_name_the_cursor_on_the_first_row(
    aws_env: Simulator,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await fleet_shown(pilot)
        by_name = [row[NAME] for row in table_rows(app)]
        await select(pilot, "payments-worker")
        table = app.screen.query_one(ServicesTable)
        title = app.screen.query_one("#title", Static)
        assert "by name" in shown(title)

        await pilot.press("o")
        assert "by 5xx share" in shown(title)
        rows = table_rows(app)
        assert rows[0][NAME] == "checkout-api"
        # The cursor goes where the sort put what matters, so `l` opens checkout-api's logs.
        assert table.cursor_row == 0
        # Services without figures go last.
        assert {r[NAME] for r in rows[-2:]} == {"web-frontend", "search-indexer"}

        await pilot.press("o")
        assert "by requests" in shown(title)
        rows = table_rows(app)
        rpm = [float(r[NOW].split()[0].replace("k", "e3")) for r in rows if "%" in r[NOW]]
        assert rpm == sorted(rpm, reverse=True)
        assert table.cursor_row == 0

        await pilot.press("o")
        assert [row[NAME] for row in table_rows(app)] == by_name
        assert table.cursor_row == 0

        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert ("o", "Sort: by name, by 5xx share, by requests (highest first), in turn") in (
            app.screen.rows
        )


async def test_wider_terminals_show_more_columns_and_longer_sparklines(
    aws_env: Simulator,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await fleet_shown(pilot)
        table = app.screen.query_one(ServicesTable)
        assert [str(c.label) for c in table.columns.values()][:3] == ["Name", "Status", "Region"]
        assert len(table.columns) == 6
        assert table_rows(app)[0][2] == "use1"
        await pilot.resize_terminal(200, 30)
        await wait_until(pilot, lambda: len(table.columns) == 8, "Updated and URL")
        row = rows_by_name(app)["checkout-api"]
        assert row[2] == REGION and len(row[REQUESTS]) == 30
        assert row[-1].endswith(".awsapprunner.com")
        # The widest table still fits: nothing scrolls sideways.
        assert table.virtual_size.width <= table.size.width


async def test_a_lower_threshold_marks_more(aws_env: Simulator) -> None:
    app = make_app(error_threshold=0.01)
    async with app.run_test(size=(80, 24)) as pilot:
        await fleet_shown(pilot)
        with_figures = [r for r in table_rows(app) if "%" in r[NOW]]
        marked = [r for r in with_figures if r[NOW].split()[1].startswith("!")]
        assert len(marked) > 1
        assert f"! {len(marked)} over 0.01% 5xx" in status_text(app)


async def test_a_service_without_traffic_says_so(aws_env: Simulator) -> None:
    quiet = {"service": "auth-gateway", "region": REGION}
    control(aws_env, "POST", "/_sim/cloudwatch", {"traffic": {**quiet, "rpm": 0}})
    try:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await fleet_shown(pilot)
            row = rows_by_name(app)["auth-gateway"]
            assert row[NOW] == "no traffic"
            # Zero is data, not a gap: the lowest bar all along.
            assert row[REQUESTS] == BARS[0] * 10
    finally:
        control(aws_env, "POST", "/_sim/cloudwatch", {"traffic": {**quiet, "rpm": None}})


async def test_a_failing_read_keeps_the_figures_and_says_so(aws_env: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await fleet_shown(pilot)
        before = table_rows(app)
        fault = {"operation": "GetMetricData", "error": "AccessDenied", "status": 403}
        control(aws_env, "POST", "/_sim/faults", {**fault, "count": -1})
        await pilot.press("r")  # reads the list and its metrics
        await wait_until(pilot, lambda: "metrics failing" in status_text(app), "the failure")
        assert table_rows(app) == before
        # Said before the list's own words: the status line is cut at 80 columns.
        assert status_text(app).startswith("! 1 over 5% 5xx  metrics failing, figures from")
        assert "! 1 over 5% 5xx" in status_text(app)
        control(aws_env, "DELETE", "/_sim/faults")
        await pilot.press("r")
        await wait_until(pilot, lambda: "metrics failing" not in status_text(app), "recovery")


async def test_the_list_catches_up_with_a_read_made_while_a_service_was_open(
    aws_env: Simulator,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await fleet_shown(pilot)
        await select(pilot, "checkout-api")
        await pilot.press("enter")
        assert isinstance(app.screen, ServiceScreen)
        control(aws_env, "POST", "/_sim/faults", {"operation": "GetMetricData", "count": -1})
        await pilot.press("r")  # the service view's `r` refreshes the list and its metrics
        scope = app.scopes[0]
        await wait_until(
            pilot, lambda: app.store.get(metrics.FLEET_KIND, scope).error, "the failed read"
        )
        await pilot.press("escape")
        assert app.screen is app.services_screen
        assert "metrics failing" in status_text(app)


# -- at fleet size -------------------------------------------------------------------------

BIG = 200


@pytest.fixture(scope="module")
def big_sim() -> Iterator[Simulator]:
    with Simulator(
        regions=(REGION,),
        services=BIG,
        quota=BIG,
        time_scale=0,
        world=False,
        start_time=FROZEN_NOW,
    ) as simulator:
        yield simulator


@pytest.fixture
def big_env(big_sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(big_sim, monkeypatch.setenv)
    yield big_sim


def cells_of(table: ServicesTable) -> dict[str, list[Any]]:
    """The table's cells by row key, as the objects it holds (nothing drawn by reading)."""
    return {key.value: table.get_row(key) for key in table.rows}


def drawn(table: ServicesTable, column: int) -> int:
    """How many cells of a column have been drawn."""
    return sum(1 for row in cells_of(table).values() if row[column].drawn)


async def fleet_in_table(pilot: Any) -> ServicesTable:
    """Wait for the whole fleet's rows and its metrics, without reading (drawing) a cell."""
    app = pilot.app
    table = app.screen.query_one(ServicesTable)
    await wait_until(pilot, lambda: table.row_count == BIG and fleet_read(app), "the fleet")
    await pilot.pause()  # the StoreChanged posted with the store's update repaints the list
    return table


async def test_at_fleet_size_only_rows_on_screen_are_drawn_and_o_moves_rows(
    big_env: Simulator,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = await fleet_in_table(pilot)
        on_screen = table.size.height  # rows shown, and the header
        assert 0 < drawn(table, REQUESTS) <= on_screen
        assert 0 < drawn(table, NOW) <= on_screen
        before = cells_of(table)
        await select(pilot, "checkout-api")  # reads (draws) every row
        by_name = [row[NAME] for row in table_rows(app)]
        marked = {row[NAME] for row in table_rows(app) if "!" in row[NOW]}
        assert "checkout-api" in marked
        # A service over the threshold has its name in red in place, as soon as its figures
        # say so: not only once a sort moves its row.
        red = {k for k in before if before[k][NAME].text.style == "bold red"}
        assert {before[k][NAME].plain for k in red} == marked
        await pilot.press("o")
        # Sorted by moving rows: every cell the table holds is the one it held.
        after = cells_of(table)
        assert after.keys() == before.keys()
        moved = {
            (after[k][NAME].plain, column)
            for k in after
            for column, (a, b) in enumerate(zip(after[k], before[k], strict=True))
            if a is not b
        }
        assert moved == set()
        assert after[table.coordinate_to_cell_key((0, 0)).row_key.value][NAME].text.style == (
            "bold red"
        )
        rows = table_rows(app)
        assert rows[0][NAME] == "checkout-api" == rows[table.cursor_row][NAME]
        shares = [float(r[NOW].split()[1].strip("!%")) for r in rows if "%" in r[NOW]]
        assert len(shares) >= BIG - 2 and shares == sorted(shares, reverse=True)
        await pilot.press("o", "o")
        assert [r[NAME] for r in table_rows(app)] == by_name


async def test_at_fleet_size_a_filter_and_escape_keep_rows_order_and_cursor(
    big_env: Simulator,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = await fleet_in_table(pilot)
        everything = [row[NAME] for row in table_rows(app)]
        # Most rows leave (the table is filled again), then a few (they are removed).
        for needle in ("checkout", "checkout-api-1"):
            await pilot.press("slash", *needle, "enter")
            assert [r[NAME] for r in table_rows(app)] == [n for n in everything if needle in n]
            assert table.cursor_row == 0
            await pilot.press("escape")
            assert [r[NAME] for r in table_rows(app)] == everything
        # A name shown whole (at 80 columns a long one is cut), far down the list.
        target = next(n for n in reversed(everything) if "…" not in n)
        await select(pilot, target)
        await pilot.press("o")
        assert table.cursor_row == 0  # where the sort put what matters
        # In the order chosen: the matches, then everything again, from the top.
        needle = target.rsplit("-", 1)[0]
        in_order = [r[NAME] for r in table_rows(app)]
        await pilot.press("slash", *needle, "enter")
        assert [r[NAME] for r in table_rows(app)] == [n for n in in_order if needle in n]
        await pilot.press("escape")
        assert [r[NAME] for r in table_rows(app)] == in_order
        assert table.cursor_row == 0


# -- the pieces, without an app ------------------------------------------------------------


def test_sparkline_draws_gaps_as_gaps_and_sums_buckets() -> None:
    # Six minutes into three cells: sums; a cell with no minute of data is a gap.
    assert buckets([1, 2, None, None, 0, None], 3) == [3, None, 0]
    line = sparkline([2, 2, None, None, 0, None, 8, 8], 4)
    assert line.plain == f"{BARS[2]}{GAP}{BARS[0]}{BARS[-1]}"
    # Fewer points than cells: each keeps a cell, at the right.
    assert sparkline([None, 1.0], 4).plain == f"{GAP}{GAP}{GAP}{BARS[-1]}"
    # A floor for the top keeps small values low instead of filling the cell.
    assert sparkline([1.0], 1, top=100.0).plain == BARS[0]


@pytest.mark.parametrize("width", [80, 100, 120, 160, 200])
def test_layout_fits_the_width_with_every_figure(width: int) -> None:
    rows = [
        Row("payments-worker", "running", Tone.GOOD, "ap-southeast-2", "21h ago", "x" * 38),
        Row("web-frontend", "del fail", Tone.BAD, "us-east-1", "5d ago", "y" * 38),
    ]
    shape = layout(width, rows)
    assert {"name", "status", "region", "requests", "errors", "now"} <= set(shape.keys)
    assert sum(w + 2 for _, _, w in shape.columns) + 2 <= width
    assert 60 % shape.spark == 0 and shape.spark >= 10
    assert short_region("ap-southeast-2") == "apse2"


async def test_o_g_l_E_typed_ahead_reach_the_top_services_error_lines(aws_env: Simulator) -> None:
    """Issue 23: keys typed ahead act in order, each on what is on screen when it is handled;
    the sort puts the service over the 5xx threshold on top and the cursor with it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await fleet_shown(pilot)
        await select(pilot, "payments-worker")
        await pilot.press("o", "g", "l", "E")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        screen = app.screen
        assert isinstance(screen, ServiceScreen)
        assert screen.service.name == "checkout-api"
        assert screen.pane.TAB.id == "logs"
        await wait_until(pilot, lambda: screen.query_one(LogView).errors_only, "errors only")
