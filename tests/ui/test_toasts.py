"""Toasts keep out of the way: above the status line and the footer, never over a dialog
(they wait for it to close), and gone at the next key, which still does what it does."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets._toast import Toast

from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.screens.prompt import PromptScreen
from artui.ui.widgets.footer import Footer
from artui.ui.widgets.services_table import ServicesTable
from tests.uihelp import select, wait_until

REGION = "us-east-1"


def toasts(app: ArtuiApp) -> list[Toast]:
    """The toasts drawn on the screen on top."""
    return [t for t in app.screen.query(Toast) if t.region.area]


def clear_of(app: ArtuiApp, *widgets: Widget) -> bool:
    """Every toast on show lies clear of every one of `widgets`."""
    regions: list[Region] = [w.region for w in widgets]
    return all(not t.region.overlaps(r) for t in toasts(app) for r in regions)


def toasted(app: ArtuiApp, words: str) -> bool:
    return any(words in str(t.render()) for t in toasts(app))


def bottom_rows(app: ArtuiApp) -> tuple[Widget, Widget]:
    return app.screen.query_one("#status"), app.screen.query_one(Footer)


@pytest.mark.parametrize(("key", "dialog"), [("question_mark", "#help"), ("d", "#confirm")])
async def test_a_toast_waits_for_the_dialog_then_goes_at_a_key(
    fresh_sim: Simulator, key: str, dialog: str
) -> None:
    app = build_app(Settings(regions=(REGION,), refresh=30))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "checkout-api")
        # On the list: above the status line and the footer.
        app.notify("the first", title="Deploy checkout-api: started")
        await wait_until(pilot, lambda: toasted(app, "the first"), "the first toast")
        assert clear_of(app, *bottom_rows(app))

        # The key that opens the dialog clears the toast on show, and opens the dialog.
        await pilot.press(key)
        await wait_until(pilot, lambda: app.screen.query(dialog), "the dialog")
        box = app.screen.query_one(dialog)
        assert not toasts(app)
        # Raised while the dialog is on top: it waits, never over the dialog.
        app.notify("the second", title="Deploy checkout-api: succeeded")
        for _ in range(5):
            await pilot.pause()
            assert clear_of(app, box) and not toasts(app)

        # The dialog closes: the toast shows, in full, clear of the status line and footer.
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.screen.is_modal, "the dialog closed")
        await wait_until(pilot, lambda: toasted(app, "the second"), "the waiting toast")
        assert not toasted(app, "the first")
        assert clear_of(app, *bottom_rows(app))

        # Any key clears it, and does what it does: j moves down the list.
        table = app.screen.query_one(ServicesTable)
        row = table.cursor_row
        await pilot.press("j")
        await wait_until(pilot, lambda: not toasts(app), "no toast after a key")
        assert table.cursor_row == row + 1


async def test_a_toast_on_show_when_a_dialog_opens_by_itself_waits_too(
    fresh_sim: Simulator,
) -> None:
    app = build_app(Settings(regions=(REGION,), refresh=30))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "checkout-api")
        app.tell("ListServices: throttled", title="Error (e lists them)", severity="error")
        await wait_until(pilot, lambda: toasted(app, "throttled"), "the toast")
        # A question from a worker (an MFA code), not a key: the toast does not lie over it.
        app.push_screen(PromptScreen("MFA code for arn:aws:iam::123456789012:mfa/ops:"))
        await wait_until(pilot, lambda: app.screen.query("#prompt"), "the prompt")
        prompt = app.screen.query_one("#prompt")
        await pilot.pause()
        assert clear_of(app, prompt) and not toasts(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: toasted(app, "throttled"), "the toast back")
        assert clear_of(app, *bottom_rows(app))
