"""Colours for what statuses mean (domain.Tone), in one place."""

from __future__ import annotations

from rich.text import Text

from artui.domain.apprunner import Tone
from artui.ui.text import shown

TONE_STYLES: dict[Tone, str] = {
    Tone.GOOD: "bold green",
    Tone.BUSY: "bold cyan",
    Tone.IDLE: "bold yellow",
    Tone.BAD: "bold red",
    Tone.GONE: "dim",
    Tone.UNKNOWN: "bold magenta",
}


def toned(label: str, tone: Tone) -> Text:
    """`label` as inert Text in its tone's colour."""
    return shown(label, TONE_STYLES[tone])
