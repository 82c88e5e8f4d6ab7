"""The status line's words: how old the data is, and what went wrong."""

from __future__ import annotations

from rich.text import Text

from artui.domain.format import ago
from artui.domain.inert import inert
from artui.engine.services import Snapshot


def errors_text(snapshot: Snapshot) -> str:
    """Each failing region with what AWS answered, inert."""
    return inert("; ".join(f"{region}: {err}" for region, err in snapshot.errors.items()))


def freshness(snapshot: Snapshot, now: float) -> Text:
    """'updated 3s ago', or STALE with the data's age and the errors; ↻ while polling."""
    line = Text()
    age = ago(snapshot.age(now))
    if snapshot.stale:
        line.append(f"STALE, data from {age} (e: errors): ", style="bold red")
        line.append(errors_text(snapshot), style="red")
    else:
        line.append(f"updated {age}", style="dim")
        if snapshot.last_error is not None:
            when, what = snapshot.last_error
            line.append(f"  last error {ago(now - when)} (e): {inert(what)}", style="yellow")
    if snapshot.polling:
        line.append("  ↻", style="cyan")
    return line
