"""A busy service on the list says what it is doing ('deploying'), whoever started it, and
only the busy services cost a ListOperations: through the Pilot, against the simulator."""

from __future__ import annotations

import boto3
import pytest
from conftest import control
from textual.pilot import Pilot

from artui.domain.apprunner import Tone
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.widgets.services_table import STATUS, Row, ServicesTable, layout
from tests.ui.test_actions import REGION, arn_of, calls, make_app
from tests.uihelp import cell_text, loaded, wait_until

LISTED = {"ListServices", "ListOperations"}


@pytest.fixture
def sim(fresh_sim: Simulator) -> Simulator:
    return fresh_sim


def listed_status(app: ArtuiApp, arn: str) -> str:
    """The status cell of the service's row, as on screen (names may be cut at 80 columns)."""
    table = app.services_screen.query_one(ServicesTable)
    column = table.get_column_index(STATUS)
    return cell_text(table.get_row(arn)[column])


async def refreshed(pilot: Pilot, sim: Simulator, times: int) -> None:
    """Press `r` `times`, each time waiting for the list's ListServices to be served."""
    for _ in range(times):
        await refreshed_once(pilot, sim)


async def refreshed_once(pilot: Pilot, sim: Simulator) -> None:
    before = len(calls(sim, {"ListServices"}))
    await pilot.press("r")
    await wait_until(pilot, lambda: len(calls(sim, {"ListServices"})) > before, "a list refresh")


async def test_a_deployment_someone_else_started_shows_as_deploying(sim: Simulator) -> None:
    arn = arn_of(sim, "orders-service")
    app = make_app(refresh=3600)  # the list polls once, then when `r` or a change asks
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await wait_until(pilot, lambda: app.session.sessions[0].services is not None, "the poller")
        assert listed_status(app, arn) == "running"
        control(sim, "DELETE", "/_sim/requests")
        await refreshed(pilot, sim, 3)
        # Nothing is in progress: no service has its operations read.
        assert calls(sim, {"ListOperations"}) == []

        # Deployed with another client, not through artui.
        boto3.client("apprunner", region_name=REGION, endpoint_url=sim.endpoint).start_deployment(
            ServiceArn=arn
        )
        control(sim, "DELETE", "/_sim/requests")
        await refreshed(pilot, sim, 1)
        await wait_until(pilot, lambda: listed_status(app, arn) == "deploying", "deploying")
        await refreshed(pilot, sim, 2)
        # Each refresh reads the one busy service's operations, once; not the six others'.
        await wait_until(
            pilot, lambda: len(calls(sim, {"ListOperations"})) >= 3, "three refreshes read"
        )
        served = calls(sim, LISTED)
        pairs = len(calls(sim, {"ListOperations"}))
        assert served[: 2 * pairs] == ["ListServices", "ListOperations"] * pairs
        assert served[2 * pairs :] in ([], ["ListServices"])  # a refresh under way

        # Once it has ended, the reads end with it.
        control(sim, "POST", "/_sim/clock", {"advance": 400})
        await refreshed(pilot, sim, 1)
        await wait_until(pilot, lambda: listed_status(app, arn) == "running", "running again")
        control(sim, "DELETE", "/_sim/requests")
        await refreshed(pilot, sim, 3)
        assert calls(sim, {"ListOperations"}) == []


@pytest.mark.parametrize("word", ["deploying", "resuming", "del fail", "running"])
def test_a_busy_word_fits_at_80_columns_without_cutting_names(word: str) -> None:
    rows = [
        Row("payments-worker", word, Tone.BUSY, "us-east-1", "1h ago", "x" * 38),
        Row("recommendations", "running", Tone.GOOD, "eu-west-1", "5d ago", "y" * 38),
    ]
    shape = layout(80, rows)
    widths = {key: width for key, _, width in shape.columns}
    assert sum(w + 2 for w in widths.values()) + 2 <= 80
    assert widths["name"] == len("payments-worker") and widths["status"] == max(len(word), 7)
    assert shape.spark == 10
    # The short region's header gives way only when the room is needed.
    labels = {key: label for key, label, _ in shape.columns}
    assert labels["region"] == ("Region" if len(word) <= 7 else "Rgn")
