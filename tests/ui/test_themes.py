"""Issue 25, themes: `theme:` picks one of Textual's (an unknown name refused with the
nearest), artui's own look by default, the terminal's 16 colours on a terminal that has so
few; with NO_COLOR the app runs and every state is still told in words."""

from __future__ import annotations

import pytest
from textual.filter import Monochrome, NoColor

from artui.domain.errors import ConfigError
from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.keymap import check_keymap
from artui.ui.themes import ANSI, DEFAULT, check_theme, few_colours, theme_for, theme_names
from tests.uihelp import loaded, table_rows

REGION = "us-east-1"


@pytest.fixture
def sim(fresh_sim: Simulator) -> Simulator:
    return fresh_sim


def test_a_theme_is_one_of_textuals_or_refused_with_the_nearest() -> None:
    assert {DEFAULT, ANSI, "nord"} <= set(theme_names())
    assert check_theme(Settings(theme="nord")) == "nord"
    assert check_theme(Settings()) is None
    with pytest.raises(ConfigError) as caught:
        check_keymap(Settings(theme="textual-drak", source="/etc/artui.yaml"))
    message = str(caught.value)
    assert message.startswith("/etc/artui.yaml, key 'theme': 'textual-drak' is not one")
    assert "did you mean 'textual-dark'" in message


@pytest.mark.parametrize(
    ("environ", "few"),
    [
        ({"TERM": "linux"}, True),
        ({"TERM": "xterm-16color"}, True),
        ({"TERM": "xterm-256color"}, False),
        ({"TERM": "linux", "COLORTERM": "truecolor"}, False),
        ({"TERM": "xterm"}, False),  # most say xterm and show 256 colours or more
        ({}, False),
    ],
)
def test_a_terminal_with_16_colours_is_told_by_term(environ: dict[str, str], few: bool) -> None:
    assert few_colours(environ) is few
    assert theme_for(Settings(), environ) == (ANSI if few else None)


def test_the_settings_theme_wins_then_textuals_own_variable() -> None:
    assert theme_for(Settings(theme="nord"), {"TERM": "linux"}) == "nord"
    assert theme_for(Settings(), {"TERM": "linux", "TEXTUAL_THEME": "dracula"}) is None


async def test_the_default_look_and_a_chosen_theme(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    app = build_app(Settings(regions=(REGION,), refresh=3600))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        assert app.theme == DEFAULT
    app = build_app(Settings(regions=(REGION,), refresh=3600, theme=ANSI))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        assert app.theme == ANSI
        assert app.current_theme.ansi  # the terminal's own colours


async def test_no_color_runs_and_tells_each_status_in_words(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = build_app(Settings(regions=(REGION,), refresh=3600))
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert app.no_color
        assert any(isinstance(f, (NoColor, Monochrome)) for f in app.get_line_filters())
        # A good, an idle and a bad state side by side, each its word (tones.py only
        # colours the word).
        statuses = {row[1] for row in table_rows(app)}
        assert {"running", "paused", "failed"} <= statuses, statuses
        assert app.snapshot is not None
        assert statuses == {s.short_label for s in app.snapshot.services}
