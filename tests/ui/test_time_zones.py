"""Every time on screen in one zone, named beside it: the machine's (`timezone: local`, the
default) or UTC (`timezone: utc`), whatever the machine's zone is."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from artui.domain import format as fmt
from artui.domain.format import Zone
from artui.engine.journal import Failure
from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.panes.activity import ActivityPane
from artui.ui.panes.metrics import MetricsPane
from artui.ui.screens.errors import failure_text
from artui.ui.screens.service import ServiceScreen
from artui.ui.widgets.logview.entries import stamp
from tests.uihelp import cell_text, described, select, shown, wait_until

REGION = "us-east-1"
# The machine's zone for these tests: Paris's, as a POSIX rule (no tz database needed).
PARIS = "CET-1CEST,M3.5.0,M10.5.0/3"


@pytest.fixture
def in_paris(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's zone is Paris's; afterwards, as it was, and artui on local times."""
    monkeypatch.setenv("TZ", PARIS)
    time.tzset()
    yield
    fmt.use_timezone("local")  # as every other test expects it
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def paris(fresh_sim: Simulator, in_paris: None) -> Simulator:
    """A fresh demo region, seen from Paris."""
    return fresh_sim


def written(zone: Zone, at: float, pattern: str) -> str:
    """`at` as the test expects it in `zone`, straight from the C library."""
    return time.strftime(pattern, time.gmtime(at) if zone == "utc" else time.localtime(at))


def label(zone: Zone, at: float) -> str:
    return "UTC" if zone == "utc" else time.strftime("%Z", time.localtime(at))


@pytest.mark.parametrize("zone", ["local", "utc"])
async def test_every_pane_writes_its_times_in_the_zone_and_names_it(
    paris: Simulator, zone: Zone
) -> None:
    app = build_app(Settings(regions=(REGION,), refresh=30, timezone=zone))
    now = time.time()
    assert label(zone, now) in (("UTC",) if zone == "utc" else ("CET", "CEST"))
    async with app.run_test(size=(80, 24)) as pilot:
        await select(pilot, "checkout-api")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        await wait_until(pilot, lambda: described(app), "DescribeService")
        await pilot.pause()

        # The overview: created and updated, to the second, with the zone.
        service = app.screen.service
        overview = shown(app.screen.query_one("#overview-body"))
        created = service.created_at.timestamp()
        assert f"{written(zone, created, '%Y-%m-%d %H:%M:%S')} {label(zone, created)}" in overview

        # The activity: the zone in the time columns' headers; start and end to the second.
        await pilot.press("a")
        activity = app.screen.query_one(ActivityPane)
        await wait_until(pilot, lambda: activity.known.fetched_at, "ListOperations")
        await pilot.pause()
        table = activity.table
        headers = [cell_text(column.label) for column in table.columns.values()]
        zone_now = label(zone, app.clock())
        assert headers[2:4] == [f"Started {zone_now}", f"Ended {zone_now}"]
        op = next(o for o in activity.operations if o.ended_at is not None)
        cells = [cell_text(c) for c in table.get_row(op.id)]
        start, end = op.started_at.timestamp(), op.ended_at.timestamp()
        assert cells[2] == written(zone, start, "%Y-%m-%d %H:%M:%S")
        same_day = written(zone, start, "%F") == written(zone, end, "%F")
        assert cells[3] == written(zone, end, "%H:%M:%S" if same_day else "%m-%d %H:%M:%S")

        # The metrics: the range's ends and their zone in the header, the axes in that zone.
        await pilot.press("m")
        metrics = app.screen.query_one(MetricsPane)
        await wait_until(pilot, lambda: metrics.known.fetched_at, "GetMetricData")
        await pilot.pause()
        header = shown(app.screen.query_one("#metrics-header"))
        clock = app.clock()
        begin = clock - metrics.range.seconds
        pattern = (
            "%H:%M" if written(zone, begin, "%F") == written(zone, clock, "%F") else "%m-%d %H:%M"
        )
        ends = f"{written(zone, begin, pattern)}–{written(zone, clock, pattern)}"
        assert f"last {metrics.range.label} ({ends} {label(zone, clock)})" in header

        # The logs: the header names the zone the lines' stamps are written in.
        await pilot.press("l")
        await wait_until(pilot, lambda: app.screen.query("#logs-header"), "the logs pane")
        header = shown(app.screen.query_one("#logs-header"))
        assert f"times {label(zone, app.clock())}" in header


@pytest.mark.parametrize("zone", ["local", "utc"])
def test_the_errors_list_writes_when_in_the_zone(in_paris: None, zone: Zone) -> None:
    fmt.use_timezone(zone)
    at = 1_795_000_000.0  # 2026-11-18 11:06:40 UTC, 12:06:40 in Paris
    failure = Failure(
        at, "us-east-1", "ListServices", "throttled", "retries", count=3, since=at - 60
    )
    line = failure_text(failure, at + 5).plain.splitlines()[0]
    first = written(zone, at - 60, "%H:%M:%S")
    assert line.startswith(f"{written(zone, at, '%H:%M:%S')} {label(zone, at)} (5s ago)  ")
    assert f"3 times since {first}" in line


@pytest.mark.parametrize("zone", ["local", "utc"])
def test_log_line_stamps_are_written_in_the_zone(in_paris: None, zone: Zone) -> None:
    at = 1_795_000_000  # 2026-11-18 11:06:40 UTC, 12:06:40 in Paris
    other: Zone = "utc" if zone == "local" else "local"
    fmt.use_timezone(other)
    assert stamp(at * 1000 + 250) == f"{written(other, at, '%H:%M:%S')}.250"
    # The zone changed after a stamp was cached: the cache does not answer for the old zone.
    fmt.use_timezone(zone)
    assert stamp(at * 1000 + 250) == f"{written(zone, at, '%H:%M:%S')}.250"
