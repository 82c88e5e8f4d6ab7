"""The status line every screen ends with: how old the data is, and what went wrong."""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

from artui.humanize import ago
from artui.poller import Snapshot


def errors_text(snapshot: Snapshot) -> str:
    """Each failing region with what AWS answered."""
    return "; ".join(f"{region}: {err}" for region, err in snapshot.errors.items())


def freshness(snapshot: Snapshot, now: float) -> Text:
    """'updated 3s ago', or STALE with the data's age and the errors; ↻ while polling."""
    line = Text()
    age = ago(snapshot.age(now))
    if snapshot.stale:
        line.append(f"STALE, data from {age}: ", style="bold red")
        line.append(errors_text(snapshot), style="red")
    else:
        line.append(f"updated {age}", style="dim")
        if snapshot.last_error is not None:
            when, what = snapshot.last_error
            line.append(f"  last error {ago(now - when)}: {what}", style="yellow")
    if snapshot.polling:
        line.append("  ↻", style="cyan")
    return line


class StatusScreen(Screen):
    """A screen with a `#status` line whose ages keep counting between polls."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._status: Text | None = None

    def on_mount(self) -> None:
        # Textual calls this as well as a subclass's on_mount (handlers run up the MRO):
        # subclasses must not call it again. Once a second; repaints only on change.
        self.set_interval(1, self.update_status)

    def status_text(self) -> Text:
        """What the status line should say now."""
        return Text()

    def update_status(self) -> None:
        """Repaint the status line if what it says has changed."""
        line = self.status_text()
        if line != self._status:
            self._status = line
            self.query_one("#status", Static).update(line)
