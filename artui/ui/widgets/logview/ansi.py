"""ANSI in log text: SGR colours decoded by hand into spans, every other escape made inert.

Log text is untrusted. Only SGR sequences are obeyed, and only as Rich styles built here
(never links, conceal or blink); everything else goes through `artui.domain.inert.inert` and shows
as `␛...`, so nothing in a log line reaches the terminal raw.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rich.ansi import SGR_STYLE_MAP
from rich.color import Color
from rich.style import Style

from artui.domain.inert import inert

TAB_SIZE = 8

_SGR = re.compile(r"\x1b\[([0-9;]{0,64})m")
# What an application's colours may do: no conceal (hides text), no blink.
_SGR_STYLES = {
    code: Style.parse(SGR_STYLE_MAP[code])
    for code in (1, 2, 3, 4, 7, 9, 21, 22, 23, 24, 27, 29, 39, 49)
    + tuple(range(30, 38))
    + tuple(range(40, 48))
    + tuple(range(90, 98))
    + tuple(range(100, 108))
}

# Flat (start, end, state) triples: see `decode_sgr`.
Spans = tuple[int | str, ...]


def _sgr(style: Style, params: str) -> Style:
    """`style` after one SGR sequence's parameters; unknown or unsafe codes are ignored."""
    codes = iter([int(code) if code else 0 for code in params.split(";")])
    for code in codes:
        if code == 0:
            style = Style.null()
        elif code in _SGR_STYLES:
            style += _SGR_STYLES[code]
        elif code in (38, 48):
            kind = next(codes, None)
            color: Color | None = None
            if kind == 5:
                index = next(codes, 256)
                color = Color.from_ansi(index) if index < 256 else None
            elif kind == 2:
                rgb = (next(codes, 256), next(codes, 256), next(codes, 256))
                color = Color.from_rgb(*rgb) if max(rgb) < 256 else None
            if color is not None:
                style += Style.from_color(color) if code == 38 else Style.from_color(None, color)
    return style


@lru_cache(maxsize=1024)
def sgr_style(state: str) -> Style:
    """The style a run of SGR sequences leaves in force; `state` is their parameters, in
    order, joined by "|" (as `decode_sgr` records them)."""
    style = Style.null()
    for params in state.split("|"):
        style = _sgr(style, params)
    return style


def _expand_tabs(chunk: str, column: int) -> str:
    if "\t" not in chunk:
        return chunk
    return ("x" * column + chunk).expandtabs(TAB_SIZE)[column:]


def decode_sgr(message: str) -> tuple[str, Spans]:
    """The inert text of `message` with its SGR sequences taken out, and their colours as
    spans over that text: a flat tuple of (start, end, state) triples, the state being the
    SGR parameters in force (see `sgr_style`). Any other escape sequence stays, inert.

    Flat, and strings rather than Styles, so that an entry holds nothing the garbage
    collector must keep tracking (a tuple is untracked one nesting level per collection).
    """
    parts: list[str] = []
    spans: list[int | str] = []
    state = ""
    length = column = position = 0

    def add(chunk: str) -> None:
        nonlocal length, column
        chunk = _expand_tabs(inert(chunk, lines=True), column)
        parts.append(chunk)
        if state and sgr_style(state):
            spans.extend((length, length + len(chunk), state))
        length += len(chunk)
        newline = chunk.rfind("\n")
        column = len(chunk) - newline - 1 if newline >= 0 else column + len(chunk)

    for match in _SGR.finditer(message):
        if match.start() > position:
            add(message[position : match.start()])
        params = match.group(1)
        # A reset makes what came before moot; otherwise keep a bounded history.
        if params[:1] in ("", "0") or not state:
            state = params
        else:
            state = (
                f"{state}|{params}"
                if state.count("|") < 7
                else f"{state.split('|', 1)[1]}|{params}"
            )
        position = match.end()
    if position < len(message):
        add(message[position:])
    return "".join(parts), tuple(spans)
