"""`inert`: text from outside artui shown with a visible stand-in for every character a
terminal would act on. One test per class of character."""

from __future__ import annotations

import unicodedata

import pytest

from artui.domain.inert import inert


def test_plain_text_is_unchanged() -> None:
    text = "checkout-api · café 日本 ✓ [bold]not markup[/bold]"
    assert inert(text) is text


def test_escape_sequences_show_their_escape() -> None:
    wipe = "\x1b[2J\x1b[31mRED\x1b[0m\x1b[H"
    assert inert(wipe) == "␛[2J␛[31mRED␛[0m␛[H"
    # OSC 0/2 (window title), OSC 52 (clipboard), OSC 8 (links), ended by BEL or ST.
    assert inert("\x1b]0;title\x07") == "␛]0;title␇"
    assert inert("\x1b]52;c;aGVsbG8=\x1b\\") == "␛]52;c;aGVsbG8=␛\\"
    assert inert("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\") == "␛]8;;http://x␛\\link␛]8;;␛\\"


@pytest.mark.parametrize("code", [c for c in range(0x20) if c not in (0x09, 0x0A)])
def test_c0_controls_become_control_pictures(code: int) -> None:
    assert inert(f"a{chr(code)}b") == f"a{chr(0x2400 + code)}b"


def test_tab_is_kept_and_newline_only_where_lines_are_shown() -> None:
    assert inert("a\tb") == "a\tb"
    assert inert("a\nb") == "a␊b"
    assert inert("a\nb\x1b", lines=True) == "a\nb␛"


def test_delete_becomes_its_picture() -> None:
    assert inert("a\x7fb") == "a␡b"


@pytest.mark.parametrize("code", range(0x80, 0xA0))
def test_c1_controls_are_written_out(code: int) -> None:
    # \x9b is a one-byte CSI to terminals that read 8-bit controls.
    assert inert(f"a{chr(code)}b") == f"a\\x{code:02x}b"


@pytest.mark.parametrize(
    "char",
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"],
)
def test_bidi_overrides_and_isolates_are_named(char: str) -> None:
    assert inert(f"txt{char}exe.") == f"txt<U+{ord(char):04X}>exe."


@pytest.mark.parametrize("char", ["\u200e", "\u200f", "\u061c", "\u2028", "\u2029"])
def test_direction_marks_and_line_separators_are_named(char: str) -> None:
    assert inert(char) == f"<U+{ord(char):04X}>"


def test_no_control_character_survives() -> None:
    everything = "".join(chr(c) for c in range(0x2100))
    left = {c for c in inert(everything) if unicodedata.category(c) == "Cc"}
    assert left == {"\t"}


@pytest.mark.parametrize("code", [0xD800, 0xDBFF, 0xDC00, 0xDFFF])
def test_lone_surrogates_are_named_and_the_result_encodes(code: int) -> None:
    text = f"bad{chr(code)}byte"
    assert inert(text) == f"bad<U+{code:04X}>byte"
    inert(text).encode("utf-8")  # what a terminal, a file or the clipboard needs
