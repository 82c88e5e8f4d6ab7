"""Issue 25, the keymap: `keys:` moves any artui key by its binding id. A keymap is checked
before the app is built (an unknown id, a key that is not one, a clash: a ConfigError naming
the file, the line and the id); the keys it moves work when pressed, and `?`, the footer and
the service view's tabs show them where they are."""

from __future__ import annotations

import pytest
from conftest import control

from artui.domain.errors import ConfigError
from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.keymap import binding_ids, check_keymap, keymap_of
from artui.ui.screens.confirm import ConfirmScreen
from artui.ui.screens.errors import ErrorsScreen
from artui.ui.screens.help import HelpScreen
from artui.ui.screens.service import ServiceScreen
from tests.ui.test_actions import MUTATING, calls, toasted
from tests.uihelp import select, wait_until

REGION = "us-east-1"
SOURCE = "/home/op/.config/artui/config.yaml"


def settings(*keys: tuple[str, str, int], **more: object) -> Settings:
    return Settings(regions=(REGION,), keys=keys, source=SOURCE, **more)  # type: ignore[arg-type]


def refused(*keys: tuple[str, str, int]) -> str:
    with pytest.raises(ConfigError) as caught:
        check_keymap(settings(*keys))
    return str(caught.value)


def test_binding_ids_are_artuis_each_with_where_it_works() -> None:
    ids = binding_ids()
    assert ids["help"] == ("ArtuiApp",)
    assert ids["palette"] == ("ArtuiApp",)
    assert set(ids["action.deploy"]) == {"ServicesScreen", "ServiceScreen"}
    assert {"pane.logs", "logs.follow", "table.first", "configuration.resize"} <= set(ids)
    # A read-only twin follows its key (never named itself); Textual's own have no id.
    assert not [i for i in ids if i.endswith(".read_only")]
    assert None not in ids


def test_a_keymap_moves_a_key_and_its_read_only_twin() -> None:
    assert check_keymap(settings(("errors", "E", 4), ("action.deploy", "f5,D", 5))) == {
        "errors": "E",
        "errors.read_only": "E",
        "action.deploy": "f5,D",
        "action.deploy.read_only": "f5,D",
    }
    assert check_keymap(settings()) == {}
    # Two keys swapped clash with nothing: each leaves the key the other takes.
    assert check_keymap(settings(("action.deploy", "p", 2), ("action.pause", "d", 3)))


def test_an_unknown_id_is_refused_with_the_file_the_line_and_the_nearest_ids() -> None:
    message = refused(("help", "f1", 2), ("errrors", "E", 3))
    assert message.startswith(f"{SOURCE} line 3, key 'keys': errrors is not the id of an artui")
    assert "did you mean 'errors'" in message
    message = refused(("action.deploy.read_only", "D", 7))
    assert "line 7" in message and "'action.deploy'" in message
    assert "python -m artui.ui.keymap" in refused(("zzzz", "D", 1))


def test_a_clash_is_refused_naming_the_other_binding() -> None:
    # d onto p: pause keeps p, on the same screens.
    message = refused(("action.deploy", "p", 6))
    assert message.startswith(f"{SOURCE} line 6, key 'keys': action.deploy: 'p' is already the")
    assert "'action.pause'" in message
    # A key onto one Textual keeps on the same widget (a table's sideways move).
    assert "Textual's cursor_right" in refused(("table.first", "right", 2))
    # Onto one of the app's priority keys: those answer first on every screen.
    assert "'quit_130'" in refused(("services.sort", "ctrl+c", 3))
    assert "'palette'" in refused(("services.sort", "ctrl+p", 3))
    # A priority key moved onto a character would take it from every text field.
    assert "types a character" in refused(("palette", "x", 4))
    # The palette moved off ctrl+p frees it.
    assert check_keymap(settings(("palette", "ctrl+k", 1), ("services.sort", "ctrl+p", 2)))


def test_a_key_that_is_not_one_is_refused() -> None:
    for keys in ("F1", "ctl+d", "", "f5,,d"):
        message = refused(("help", keys, 9))
        assert message.startswith(f"{SOURCE} line 9, key 'keys': help: "), keys
    assert "did you mean 'f1'?" in refused(("help", "F1", 2))


def test_build_app_checks_the_keymap_and_the_theme_before_building() -> None:
    with pytest.raises(ConfigError, match="errrors"):
        build_app(settings(("errrors", "E", 3)))
    with pytest.raises(ConfigError, match="theme"):
        build_app(settings(theme="nordd"))


@pytest.fixture
def sim(fresh_sim: Simulator) -> Simulator:
    return fresh_sim


def keyed_app(*keys: tuple[str, str, int], read_only: bool = False) -> ArtuiApp:
    return build_app(settings(*keys, refresh=1, read_only=read_only))


def rows_of_help(app: ArtuiApp) -> dict[str, str]:
    assert isinstance(app.screen, HelpScreen)
    return {description: keys for keys, description in app.screen.rows if keys}


async def test_keys_moved_work_when_pressed_and_help_shows_them(sim: Simulator) -> None:
    app = keyed_app(("help", "f1", 2), ("errors", "E", 3), ("action.deploy", "D", 4))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await select(pilot, "orders-service")
        await pilot.press("question_mark")  # no longer help's key
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help on f1")
        rows = rows_of_help(app)
        assert rows["Help"] == "f1"
        assert rows["Deploy (StartDeployment)"] == "D"
        assert rows["Errors"] == "E"
        assert "d" not in {k for keys in rows.values() for k in keys.split()}
        await pilot.press("escape")
        await pilot.press("E")
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorsScreen), "errors on E")
        await pilot.press("escape")
        control(sim, "DELETE", "/_sim/requests")
        await pilot.press("d")  # no longer deploy's key: nothing opens
        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "deploy on D")
        await pilot.press("n")
    assert calls(sim, MUTATING) == []


async def test_a_moved_change_key_is_refused_in_read_only_as_before(sim: Simulator) -> None:
    # The read-only twin moves with its key: D says read-only, d says nothing.
    app = keyed_app(("action.deploy", "D", 4), read_only=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "orders-service")
        await pilot.press("D")
        await wait_until(pilot, lambda: toasted(app, "artui is read-only"), "D refused")
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        assert rows_of_help(app)["Deploy (StartDeployment)"] == "D"
    assert calls(sim, MUTATING) == []


async def test_the_service_views_tabs_name_a_moved_pane_key(sim: Simulator) -> None:
    app = keyed_app(("pane.logs", "L", 2))
    async with app.run_test(size=(100, 30)) as pilot:
        await select(pilot, "orders-service")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the view")
        screen = app.screen
        assert isinstance(screen, ServiceScreen)
        assert " L Logs" in screen.query_one("#tabs").content.plain  # type: ignore[attr-defined]
        await pilot.press("L")
        await wait_until(pilot, lambda: screen.pane.TAB.id == "logs", "the logs pane on L")


def test_keymap_of_gives_textual_the_twins_too() -> None:
    assert keymap_of(settings(("back", "backspace", 1))) == {
        "back": "backspace",
        "back.read_only": "backspace",
    }
