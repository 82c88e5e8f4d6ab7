"""ANSI in log text (artui/ui/widgets/logview/ansi.py): SGR colours are kept as spans over
inert text, and nothing else in a line is obeyed. Plain functions: no app."""

from __future__ import annotations

import pytest
from rich.style import Style

from artui.ui.widgets.logview.ansi import Spans, decode_sgr, sgr_style
from tests.ui.test_hostile_text import BYTES, CLIPBOARD, LINK, NEVER, TITLE, WIPE


def styled(spans: Spans) -> list[tuple[int, int, Style]]:
    """The spans as (start, end, style)."""
    return [(a, b, sgr_style(state)) for a, b, state in zip(*[iter(spans)] * 3, strict=True)]


def test_sgr_colours_are_kept_and_nothing_else_is_obeyed() -> None:
    text, spans = decode_sgr("a\x1b[31mred\x1b[0m \x1b[1;38;5;208mx\x1b[8mhidden\x1b]8;;u\x07\tz")
    assert text == "ared x" + "hidden␛]8;;u␇" + " " * 5 + "z"  # the tab to column 24
    styles = styled(spans)
    assert styles[0] == (1, 4, Style.parse("color(1)"))
    bold_orange = [s for s in styles if s[2].bold]
    assert bold_orange and bold_orange[0][2].color.number == 208
    assert not any(style.conceal or style.link for _, _, style in styles)
    assert decode_sgr("plain") == ("plain", ())


@pytest.mark.parametrize("hostile", [WIPE, TITLE, CLIPBOARD, LINK, BYTES, "\x1b[7;99HPWNED"])
def test_decoded_text_carries_no_escape_or_control(hostile: str) -> None:
    text, _ = decode_sgr(f"before {hostile} after\x1b[32m green")
    assert "\x1b" not in text and "\x07" not in text
    assert not any(raw in text for raw in NEVER)
    assert text.startswith("before ") and text.endswith(" after green")


def test_the_colours_of_a_wipe_are_kept_and_the_wipe_shown() -> None:
    text, spans = decode_sgr(WIPE)
    assert text == "␛[2JRED␛[H"
    assert styled(spans) == [(4, 7, Style.parse("color(1)"))]


def test_conceal_blink_and_out_of_range_colours_are_ignored() -> None:
    assert decode_sgr("\x1b[8mhidden\x1b[5mblink\x1b[6mfast") == ("hiddenblinkfast", ())
    assert sgr_style("38;5;300") == Style.null()
    assert sgr_style("38;2;1;2;999") == Style.null()
    assert sgr_style("38;2;1;2;3|48;5;4") == Style.parse("#010203 on color(4)")


def test_a_reset_drops_the_colour_and_the_history_is_bounded() -> None:
    assert decode_sgr("\x1b[1m\x1b[mplain") == ("plain", ())
    assert decode_sgr("\x1b[31mr\x1b[0mplain")[1] == (0, 1, "31")
    line = "".join(f"\x1b[{31 + i % 7}m{i}" for i in range(12))
    text, spans = decode_sgr(line)
    assert text == "01234567891011"
    states = spans[2::3]
    assert all(state.count("|") <= 7 for state in states)  # at most 8 sequences remembered
    assert states[-1].endswith("|35") and sgr_style(states[-1]).color.number == 5


def test_tabs_expand_from_the_column_the_decoded_text_reached() -> None:
    text, spans = decode_sgr("ab\x1b[31m\tc\nd\x1b[1m\te")
    assert text == "ab      c\nd       e"
    assert spans == (2, 11, "31", 11, 19, "31|1")
