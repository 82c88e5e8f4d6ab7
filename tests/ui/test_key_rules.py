"""The keys an operator can trust (issue 23, "slips that change production"), pressed through
the Pilot against the simulator, its request log the judge of what was sent:

- no key a reader types sends or opens a change on any pane, nor in help;
- a change's dialog starts on Cancel: `enter` alone sends nothing, `y` confirms;
- `q` goes back one level and quits only from the list; `ctrl+c` quits from anywhere (130);
- read-only mode offers no change, in the footer or in `?`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.screen import ModalScreen
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.panes.custom_domains import DomainsPane
from artui.ui.screens.confirm import ConfirmScreen, DeleteScreen
from artui.ui.screens.custom_domains import LinkScreen
from artui.ui.screens.help import REFUSED, HelpScreen
from artui.ui.screens.service import ServiceScreen
from artui.ui.screens.services import ServicesScreen
from artui.ui.tabs import tab
from tests.ui.test_actions import calls, make_app, toasted, toasts
from tests.ui.test_custom_domains import drawn
from tests.uihelp import select, wait_until

# What a reader of a pane types: less, vim and k9s keys (page, follow, top and bottom, move,
# search, next match, quit, help).
READER_KEYS = (
    *("d", "u", "b", "f", "g", "G", "j", "k", "h", "l"),
    *("space", "n", "N", "q", "slash", "question_mark"),
)
# The keys that change the service on the overview, where they belong: the walk leaves them
# out there (the tests below press them on purpose).
OVERVIEW_CHANGES = {"d", "u", "b"}
# Every call that changes AWS.
MUTATING = {
    "StartDeployment",
    "PauseService",
    "ResumeService",
    "DeleteService",
    "UpdateService",
    "AssociateCustomDomain",
    "DisassociateCustomDomain",
    "CreateAutoScalingConfiguration",
}
CHANGE_DIALOGS = (ConfirmScreen, DeleteScreen, LinkScreen)
# A running service with two custom domains (so unlink would have something to act on).
SERVICE = "checkout-api"
# The change keys' footer words, and the domains pane's.
SERVICE_CHANGES = {"d", "p", "u", "ctrl+d", "b"}
DOMAIN_CHANGES = {"A", "X"}
CONFIG_CHANGES = {"R", "I", "B", "H", "T", "V"}


@pytest.fixture
def sim(fresh_sim: Simulator) -> Simulator:
    return fresh_sim


def change_dialog_open(app: ArtuiApp) -> bool:
    return any(isinstance(screen, CHANGE_DIALOGS) for screen in app.screen_stack)


def pane_shown(app: ArtuiApp) -> str | None:
    screen = app.screen
    return screen.pane.TAB.id if isinstance(screen, ServiceScreen) else None


def footer_keys(app: ArtuiApp) -> set[str]:
    return {key.key for key in app.screen.query(FooterKey)}


async def back_on(pilot, pane_id: str) -> None:
    """Undo what a reader's key did (help open, a field open, another pane, back on the list)
    until the service's view shows `pane_id` with no field or dialog over it."""
    app = pilot.app
    for _ in range(10):
        if isinstance(app.screen, ModalScreen):
            await pilot.press("escape")
        elif isinstance(app.screen, ServicesScreen):
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the view")
        elif isinstance(app.focused, Input):
            await pilot.press("escape")  # a search or filter field: closes, or goes back
        elif pane_shown(app) != pane_id:
            await pilot.press(tab(pane_id).key)
        else:
            return
        await pilot.pause()
    raise AssertionError(f"could not get back to the {pane_id} pane")


async def press_each(
    pilot, sim: Simulator, keys: tuple[str, ...], where: str, reset: Callable[[], Awaitable[None]]
) -> None:
    """Press each key, then check that no change was opened or sent; `reset` puts back the
    state the next key is pressed in."""
    app = pilot.app
    for key in keys:
        await pilot.press(key)
        await pilot.pause()
        assert not change_dialog_open(app), f"{key!r} opened a change's dialog in {where}"
        assert not toasted(app, "not sent"), f"{key!r} asked for a change in {where}"
        assert calls(sim, MUTATING) == [], f"{key!r} sent a change in {where}"
        await reset()


async def test_no_reader_key_changes_anything_on_any_pane_or_in_help(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, SERVICE)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the view")
        for pane_id in ("overview", "activity", "logs", "metrics", "domains", "configuration"):
            await back_on(pilot, pane_id)
            if pane_id == "domains":  # a domain highlighted: unlink would have its target
                pane = app.screen.query_one(DomainsPane)
                await wait_until(pilot, lambda: drawn(pane), "the domains drawn")  # noqa: B023
            keys = READER_KEYS
            if pane_id == "overview":
                keys = tuple(k for k in READER_KEYS if k not in OVERVIEW_CHANGES)
            await press_each(
                pilot,
                sim,
                keys,
                f"the {pane_id} pane",
                lambda pane_id=pane_id: back_on(pilot, pane_id),
            )

        # Help, opened over the overview (where the change keys work below it).
        async def into_help() -> None:
            await back_on(pilot, "overview")
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")

        await into_help()
        await press_each(pilot, sim, READER_KEYS, "help", into_help)
    assert calls(sim, MUTATING) == []
    assert not any("not sent" in toast for toast in toasts(app))


async def test_change_keys_are_offered_on_the_list_and_the_overview_only(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(120, 24)) as pilot:
        await select(pilot, SERVICE)
        await wait_until(pilot, lambda: {"d", "p"} <= footer_keys(app), "deploy on the list")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the view")
        await wait_until(pilot, lambda: {"d", "p"} <= footer_keys(app), "deploy on the overview")
        for pane_id in ("activity", "logs", "metrics", "domains", "configuration"):
            await pilot.press(tab(pane_id).key)
            await wait_until(
                pilot,
                lambda: (
                    pane_shown(app) == pane_id  # noqa: B023
                    and footer_keys(app)
                    and not footer_keys(app) & SERVICE_CHANGES
                ),
                f"no change key in the {pane_id} footer",
            )
        # The configuration pane's own changes are capitals.
        await wait_until(pilot, lambda: CONFIG_CHANGES <= footer_keys(app), "R, I, B, H, T and V")
        await pilot.press(tab("domains").key)
        # The domains pane's own changes are capitals.
        await wait_until(pilot, lambda: DOMAIN_CHANGES <= footer_keys(app), "A and X")
        assert not {"n", "x"} & footer_keys(app)


# -- confirmations start on Cancel -----------------------------------------------------------


async def test_enter_alone_confirms_nothing_and_y_does(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "orders-service")
        for change, verb in (("d", "Deploy"), ("p", "Pause")):
            await pilot.press(change)
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the dialog")
            assert app.focused is not None and app.focused.id == "confirm-cancel"
            await pilot.press("enter")
            await wait_until(
                pilot,
                lambda: toasted(app, f"{verb} orders-service cancelled"),  # noqa: B023
                f"{verb} cancelled",
            )
            assert isinstance(app.screen, ServicesScreen)
        assert calls(sim, MUTATING) == []
        await pilot.press("d", "y")
        await wait_until(pilot, lambda: toasted(app, "Deploy orders-service: started"), "deploy")
    assert calls(sim, MUTATING) == ["StartDeployment"]


async def test_enter_presses_the_focused_button(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "orders-service")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the dialog")
        await pilot.press("tab")  # to the Deploy button: a second, deliberate key
        assert app.focused is not None and app.focused.id == "confirm-yes"
        await pilot.press("enter")
        await wait_until(pilot, lambda: toasted(app, "Deploy orders-service: started"), "deploy")
    assert calls(sim, MUTATING) == ["StartDeployment"]


async def test_the_unlink_dialog_starts_on_cancel(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await select(pilot, SERVICE)
        await pilot.press("enter", "c")
        await wait_until(pilot, lambda: pane_shown(app) == "domains", "the domains pane")
        pane = app.screen.query_one(DomainsPane)
        await wait_until(pilot, lambda: drawn(pane), "the domains drawn")
        await pilot.press("X")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the dialog")
        assert app.focused is not None and app.focused.id == "confirm-cancel"
        await pilot.press("enter")
        await wait_until(pilot, lambda: toasted(app, "cancelled: nothing was sent"), "cancel")
        assert pane_shown(app) == "domains"
    assert calls(sim, MUTATING) == []


# -- q goes back one level; ctrl+c quits from anywhere ---------------------------------------


async def test_q_goes_back_from_every_pane_and_quits_only_from_the_list(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select(pilot, SERVICE)
        for pane_id in ("overview", "activity", "logs", "metrics", "domains"):
            await pilot.press(tab(pane_id).key)
            await wait_until(pilot, lambda: pane_shown(app) == pane_id, "the pane")  # noqa: B023
            await pilot.press("q")
            await wait_until(pilot, lambda: app.screen is app.services_screen, "back")
            assert app.is_running
        await pilot.press("d")  # a dialog: q cancels it, and the list stays
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the dialog")
        await pilot.press("q")
        await wait_until(pilot, lambda: app.screen is app.services_screen, "the dialog gone")
        assert app.is_running
        await pilot.press("q")
    assert app.return_code == 0
    assert calls(sim, MUTATING) == []


@pytest.mark.parametrize("where", ["a dialog", "a search field"])
async def test_ctrl_c_quits_from_anywhere_with_130(sim: Simulator, where: str) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select(pilot, SERVICE)
        if where == "a dialog":
            await pilot.press("d")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the dialog")
        else:  # an Input, which binds ctrl+c to copy
            await pilot.press("l", "slash")
            await wait_until(pilot, lambda: isinstance(app.focused, Input), "the search field")
        await pilot.press("ctrl+c")
    assert app.return_code == 130
    assert calls(sim, MUTATING) == []


# -- read-only mode offers no change -----------------------------------------------------------


async def test_read_only_offers_no_change_in_the_footer_or_in_help(sim: Simulator) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await select(pilot, SERVICE)
        await wait_until(pilot, lambda: "r" in footer_keys(app), "the list's footer")
        assert not footer_keys(app) & SERVICE_CHANGES

        async def help_keys() -> tuple[set[str], set[str]]:
            """The keys `?` offers, and those it lists as refused."""
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
            rows = app.screen.rows
            await pilot.press("escape")
            assert ("", REFUSED) in rows
            heading = rows.index(("", REFUSED))
            return {key for key, _ in rows[:heading]}, {key for key, _ in rows[heading + 1 :]}

        offered, refused = await help_keys()
        assert not offered & {"d", "p", "u", "^d", "ctrl+d"}
        assert {"d", "p", "u"} <= refused
        await pilot.press("enter")  # the overview, where the keys would be
        await wait_until(pilot, lambda: "r" in footer_keys(app), "the view's footer")
        assert not footer_keys(app) & SERVICE_CHANGES
        offered, refused = await help_keys()
        assert not offered & {"d", "p", "u"} and {"d", "p", "u"} <= refused
        await pilot.press("c")
        pane = app.screen.query_one(DomainsPane)
        await wait_until(pilot, lambda: drawn(pane), "the domains drawn")
        await wait_until(pilot, lambda: "z" in footer_keys(app), "the domains footer")
        assert not footer_keys(app) & DOMAIN_CHANGES
        offered, refused = await help_keys()
        assert not offered & DOMAIN_CHANGES and DOMAIN_CHANGES <= refused
        # Pressed anyway, a refused key says why, and nothing is sent.
        await pilot.press("A")
        await wait_until(pilot, lambda: toasted(app, "artui is read-only"), "the refusal")
        assert not change_dialog_open(app)
    assert calls(sim, MUTATING) == []
