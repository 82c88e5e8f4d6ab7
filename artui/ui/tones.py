"""Colours for what statuses mean (domain.Tone), in one place."""

from __future__ import annotations

from rich.text import Text

from artui.domain import Tone

TONE_STYLES: dict[Tone, str] = {
    Tone.GOOD: "bold green",
    Tone.BUSY: "bold cyan",
    Tone.IDLE: "bold yellow",
    Tone.BAD: "bold red",
    Tone.GONE: "dim",
    Tone.UNKNOWN: "bold magenta",
}


def toned(label: str, tone: Tone) -> Text:
    """`label` as a Text in its tone's colour (never parsed as markup)."""
    return Text(label, style=TONE_STYLES[tone])
