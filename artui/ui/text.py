"""Text from outside artui (AWS, the simulator, a settings file) as the UI shows it."""

from __future__ import annotations

from rich.text import Text

from artui.domain.inert import inert


def shown(value: object, style: str = "", *, lines: bool = False) -> Text:
    """`value` as inert Text: control characters made visible, never parsed as markup."""
    return Text(inert(str(value), lines=lines), style=style)
