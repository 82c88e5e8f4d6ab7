"""What every artui screen shares: a `#status` line whose ages keep counting."""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static


class StatusScreen(Screen):
    """A screen with a `#status` line, repainted once a second only when it changes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._status: Text | None = None

    def on_mount(self) -> None:
        # Textual calls this as well as a subclass's on_mount (handlers run up the MRO):
        # subclasses must not call it again.
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
