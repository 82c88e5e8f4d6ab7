"""Issue 23, "the cursor follows" and `?`: g/G and home/end reach the first and last row of
every table and list; `?` lists artui's keys for where the operator is, grouped, without
Textual's internals, and scrolls with the reader's keys."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll
from textual.widgets import DataTable, OptionList

from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.panes.activity import MORE, ActivityPane
from artui.ui.panes.custom_domains import DomainsPane
from artui.ui.screens.help import GROUPS, HelpScreen
from artui.ui.screens.service import ServiceScreen
from artui.ui.widgets.services_table import ServicesTable
from tests.ui.test_actions import make_app
from tests.ui.test_custom_domains import drawn
from tests.uihelp import select, wait_until

# A service with operations to move through and two custom domains with their records.
SERVICE = "checkout-api"
# What Textual binds that is not artui's to offer (focus cycling, its copy and quit keys,
# sideways paging), as `?` would display them.
TEXTUAL_INTERNALS = {"tab", "shift+tab", "super+c", "^q", "^pgup", "^pgdn", "ctrl+pageup"}


@pytest.fixture
def sim(fresh_sim: Simulator) -> Simulator:
    return fresh_sim


def cursor_at(widget: DataTable | OptionList) -> int | None:
    return widget.cursor_row if isinstance(widget, DataTable) else widget.highlighted


def last_row(widget: DataTable | OptionList) -> int:
    return (widget.row_count if isinstance(widget, DataTable) else widget.option_count) - 1


async def first_and_last(pilot, widget: DataTable | OptionList, where: str) -> None:
    """G and end reach the last row, g and home the first, from wherever the cursor is."""
    assert last_row(widget) >= 2, f"too few rows in {where} to tell"
    for to_last, to_first in (("G", "g"), ("end", "home")):
        await pilot.press(to_last)
        await wait_until(pilot, lambda: cursor_at(widget) == last_row(widget), f"{where}: last")
        await pilot.press("k")  # off the edge, so that the next key has to move it
        await pilot.press(to_first)
        await wait_until(pilot, lambda: cursor_at(widget) == 0, f"{where}: {to_first} to first")


async def test_g_G_home_and_end_reach_the_first_and_last_row_everywhere(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select(pilot, SERVICE)
        await first_and_last(pilot, app.screen.query_one(ServicesTable), "the services list")

        await select(pilot, SERVICE)
        await pilot.press("enter", "a")
        await wait_until(pilot, lambda: app.screen.query(ActivityPane), "the activity pane")
        table = app.screen.query_one(ActivityPane).query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count >= 3, "the operations")
        # G onto the "more" row pages in the older operations, the cursor where that row was.
        await pilot.press("G")
        await wait_until(pilot, lambda: MORE not in table.rows, "every operation paged in")
        assert 0 < table.cursor_row < last_row(table)
        await first_and_last(pilot, table, "the activity")

        await pilot.press("c")
        pane = app.screen.query_one(DomainsPane)
        await wait_until(pilot, lambda: drawn(pane), "the domains drawn")
        await first_and_last(pilot, pane.options, "the domains")


def help_rows_of(app: ArtuiApp) -> list[tuple[str, str]]:
    assert isinstance(app.screen, HelpScreen)
    return app.screen.rows


async def test_help_lists_artuis_keys_grouped_without_textual_internals(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select(pilot, SERVICE)
        for where, keys in (("list", ()), ("logs", ("enter", "l")), ("domains", ("c",))):
            await pilot.press(*keys)
            if where != "list":
                await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "view")
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
            rows = help_rows_of(app)
            headings = [text for key, text in rows if not key]
            assert headings == list(GROUPS), where
            keys_shown = {k for key, _ in rows for k in key.split()}
            assert not keys_shown & TEXTUAL_INTERNALS, where
            # Each key once: a binding's keys share a row, a key bound twice shows once.
            listed = [k for key, _ in rows for k in key.split()]
            assert len(listed) == len(set(listed)), where
            assert {"?", "e", "^c"} <= keys_shown, where
            await pilot.press("escape")
        # Here, on the domains pane: its own keys first, moving included.
        assert rows[0] == ("", "Here")
        here = {k for key, _ in rows[1 : rows.index(("", "This screen"))] for k in key.split()}
        assert {"A", "X", "y", "v", "z", "j", "k", "g", "G"} <= here


async def test_help_scrolls_with_j_k_and_g_G(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select(pilot, SERVICE)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        scroll = app.screen.query_one("#help", VerticalScroll)
        await wait_until(pilot, lambda: scroll.max_scroll_y > 2, "more keys than fit at 80x24")
        await pilot.press("j", "j")
        await wait_until(pilot, lambda: scroll.scroll_y >= 2, "j scrolled down")
        await pilot.press("k")
        await wait_until(pilot, lambda: scroll.scroll_y < 2, "k scrolled up")
        await pilot.press("G")
        await wait_until(pilot, lambda: scroll.scroll_y == scroll.max_scroll_y, "G: the end")
        await pilot.press("g")
        await wait_until(pilot, lambda: scroll.scroll_y == 0, "g: the top")
        assert isinstance(app.screen, HelpScreen)
