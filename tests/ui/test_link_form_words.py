"""The link form's www checkbox says on or off in words, not by colour alone, and names
the www domain it would link as the name is typed (plain text, never markup)."""

from __future__ import annotations

from textual.widgets import Checkbox, Input

from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.screens.custom_domains import LinkScreen
from tests.uihelp import select, table_rows, wait_until

REGION = "us-east-1"


def label(form: LinkScreen) -> str:
    return form.query_one("#link-www", Checkbox).label.plain


async def test_the_www_box_says_on_and_off(fresh_sim: Simulator) -> None:
    app = build_app(Settings(regions=(REGION,), refresh=30))
    async with app.run_test(size=(80, 24)) as pilot:
        await select(pilot, "checkout-api")
        service = app.services_screen.acted_on()
        assert service is not None and table_rows(app)
        # Opened as the domains pane opens it (whichever key that is).
        app.push_screen(LinkScreen(service, None))
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, LinkScreen) and app.screen.query("#link-www"),
            "the link form",
        )
        form = app.screen
        assert isinstance(form, LinkScreen)
        assert label(form) == "Also link www.<domain> (not with a wildcard): off"
        await pilot.press(*"Shop.Example.com")
        await wait_until(pilot, lambda: "shop.example.com" in label(form), "the name")
        assert label(form) == "Also link www.shop.example.com: off"
        form.query_one(Checkbox).focus()
        await pilot.press("space")
        await wait_until(pilot, lambda: label(form).endswith(": on"), "on")
        assert label(form) == "Also link www.shop.example.com: on"
        await pilot.press("space")
        await wait_until(pilot, lambda: label(form).endswith(": off"), "off again")
        # What is typed is shown as typed: brackets are not markup.
        form.query_one("#link-name", Input).value = "[b]x.example.com"
        await wait_until(pilot, lambda: "[b]" in label(form), "the brackets")
        assert label(form) == "Also link www.[b]x.example.com: off"
