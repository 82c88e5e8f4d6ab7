"""The footer at 80 columns: the focused pane's own keys first and always shown, then the
screen's, then the app's, cut by whole keys with `?` (help) kept."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.panes import Pane
from artui.ui.panes.activity import ActivityPane
from artui.ui.panes.custom_domains import DomainsPane
from artui.ui.panes.logs import LogsPane
from artui.ui.panes.metrics import MetricsPane
from artui.ui.screens.service import ServiceScreen
from artui.ui.widgets.footer import GLOBAL, OWN, SCREEN, Footer, Slot, fit, slot_width
from tests.uihelp import described, select, wait_until

REGION = "us-east-1"


def keys(fitted: list[tuple[Slot, bool]]) -> list[str]:
    return [slot.key if shown else f"({slot.key})" for slot, shown in fitted]


SLOTS = [
    Slot(OWN, "f", "Follow"),
    Slot(OWN, "s", "Source"),
    Slot(SCREEN, "esc", "Back"),
    Slot(SCREEN, "r", "Refresh"),
    Slot(GLOBAL, "e", "Errors"),
    Slot(GLOBAL, "?", "Help", pinned=True),
]


def test_a_compact_key_is_its_key_a_space_its_words_and_a_margin() -> None:
    assert slot_width(Slot(OWN, "^d", "Delete"), True, compact=True) == 10
    assert slot_width(Slot(OWN, "^d", "Delete"), False, compact=True) == 3
    assert slot_width(Slot(OWN, "⏎", "Open"), True, compact=False) == 8


def test_everything_shows_when_it_fits() -> None:
    assert keys(fit(SLOTS, 80)) == ["f", "s", "esc", "r", "e", "?"]


def test_the_apps_keys_go_first_then_the_screens_never_help() -> None:
    width = sum(slot_width(s, True, True) for s in SLOTS)
    errors = slot_width(SLOTS[4], True, True)
    assert keys(fit(SLOTS, width - 1)) == ["f", "s", "esc", "r", "?"]
    assert keys(fit(SLOTS, width - errors - 1)) == ["f", "s", "esc", "?"]
    assert keys(fit(SLOTS, 26)) == ["f", "s", "?"]


def test_the_panes_own_keys_go_bare_rather_than_away() -> None:
    # f Follow (9) s Source (9) ? Help (7): 25 columns; bare, s takes 2.
    assert keys(fit(SLOTS, 25)) == ["f", "s", "?"]
    assert keys(fit(SLOTS, 24)) == ["f", "(s)", "?"]
    assert keys(fit(SLOTS, 10)) == ["(f)", "(s)", "?"]


def visible(app: ArtuiApp) -> list[FooterKey]:
    """The footer's keys wholly on screen."""
    footer = app.screen.query_one(Footer)
    width = app.screen.size.width
    return [k for k in footer.query(FooterKey) if k.region.width and k.region.right <= width]


def own_keys(app: ArtuiApp) -> list[str]:
    """The keys the focused pane (or the list's table) offers itself, as the footer shows them."""
    screen = app.screen
    return [
        app.get_key_display(binding)
        for namespace, binding, _, _ in screen.active_bindings.values()
        if binding.show and namespace is not screen and namespace is not app
    ]


async def footer_holds_the_own_keys(pilot, what: str) -> list[str]:
    app = pilot.app
    own = own_keys(app)

    def shown() -> list[str]:
        return [k.key_display for k in visible(app)]

    await wait_until(pilot, lambda: set(own) <= set(shown()) and "?" in shown(), what)
    return shown()


PANES: list[tuple[str, type[Pane]]] = [
    ("a", ActivityPane),
    ("l", LogsPane),
    ("m", MetricsPane),
    ("c", DomainsPane),
]


@pytest.mark.parametrize("size", [(80, 24), (60, 24)], ids=["80x24", "60x24"])
async def test_each_panes_own_keys_show(fresh_sim: Simulator, size: tuple[int, int]) -> None:
    app = build_app(Settings(regions=(REGION,), refresh=30))
    async with app.run_test(size=size) as pilot:
        await select(pilot, "checkout-api")
        own = own_keys(app)
        assert "⏎" in own
        await footer_holds_the_own_keys(pilot, "the list's keys")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        await wait_until(pilot, lambda: described(app), "DescribeService")
        await footer_holds_the_own_keys(pilot, "the overview's keys")
        for key, kind in PANES:
            await pilot.press(key)
            await wait_until(
                pilot, lambda kind=kind: app.screen.pane.__class__ is kind, kind.TAB.id
            )
            await pilot.pause()
            own = own_keys(app)
            assert own, f"the {kind.TAB.id} pane offers keys of its own"
            shown = await footer_holds_the_own_keys(pilot, f"the {kind.TAB.id} pane's keys")
            # Own keys first, in the footer's order.
            assert shown[: len(own)] == own, (kind.TAB.id, shown, own)
            footer = app.screen.query_one(Footer)
            assert all(k.region.right <= size[0] for k in footer.query(FooterKey)), kind.TAB.id


async def test_keys_given_up_when_narrow_come_back_when_wider(fresh_sim: Simulator) -> None:
    app = build_app(Settings(regions=(REGION,), refresh=30))
    async with app.run_test(size=(40, 24)) as pilot:
        await select(pilot, "checkout-api")
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        own = await footer_holds_the_own_keys(pilot, "the logs pane's keys")
        # At 40 columns: the pane's own keys (some bare) and help, nothing else.
        assert set(own) == {*own_keys(app), "?"}
        assert any(not k.description for k in visible(app))
        await pilot.resize_terminal(160, 24)
        await wait_until(
            pilot,
            lambda: len(visible(app)) > len(own) and all(k.description for k in visible(app)),
            "the screen's keys back, and every description, at 160 columns",
        )
