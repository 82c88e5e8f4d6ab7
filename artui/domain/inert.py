"""Text artui did not write, made safe to show: it is displayed, never obeyed by the terminal.

Anyone who can edit a service (or a log line, or a settings file) chooses the text artui
shows. Rich strips only a few control characters, so an ESC in an image identifier would
reach the terminal as a command: clear the screen, retitle the window, write the clipboard
(OSC 52), plant a link (OSC 8). `inert` swaps every character a terminal could act on for a
visible stand-in, so the operator sees that it is there and nothing happens:

- C0 controls (NUL..US) and DEL: the Unicode control pictures (`␀`, `␛`, `␡`), so an
  escape sequence shows as `␛[2J`; tab is kept (Rich expands it); a newline is kept only
  where the caller shows several lines;
- C1 controls (U+0080..U+009F, e.g. the one-byte CSI `\\x9b`): written as `\\x9b`;
- bidi embeddings, overrides and isolates, and the line and paragraph separators, which
  can reorder or break what follows them: written as `<U+202E>`;
- lone surrogates (JSON's `"\\ud800"` decodes to one), which UTF-8 cannot encode: a
  terminal write, a file or the clipboard would raise, and their width is unknown to the
  layout: written as `<U+D800>`.

Rich markup in the text stays inert because artui wraps data in `Text`, never parses it.
"""

from __future__ import annotations

import re

_C0 = {code: chr(0x2400 + code) for code in range(0x20) if code != 0x09}
_DEL = {0x7F: "\u2421"}
_C1 = {code: f"\\x{code:02x}" for code in range(0x80, 0xA0)}
_BIDI = {
    code: f"<U+{code:04X}>"
    for code in (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F))
    + tuple(range(0x2066, 0x206A))
}
_SURROGATES = {code: f"<U+{code:04X}>" for code in range(0xD800, 0xE000)}
_TABLE = {**_C0, **_DEL, **_C1, **_BIDI, **_SURROGATES}
_TABLE_LINES = {k: v for k, v in _TABLE.items() if k != 0x0A}
# A fast path: most text has none of these, and str.translate copies every character.
_UNSAFE = frozenset(chr(code) for code in _TABLE)


def inert(text: str, *, lines: bool = False) -> str:
    """`text` with every control and reordering character shown as a visible stand-in.

    With `lines`, newlines are kept (a log message over several lines).
    """
    if _UNSAFE.isdisjoint(text):
        return text
    return text.translate(_TABLE_LINES if lines else _TABLE)


def code(value: object) -> str:
    """`value` as a Markdown code span that AWS's text cannot break out of: no backticks,
    no newlines, every control character shown (`inert`)."""
    text = re.sub(r"[`\r\n]+", " ", str(value)).strip()
    return f"`{inert(text)}`" if text else "(empty)"
