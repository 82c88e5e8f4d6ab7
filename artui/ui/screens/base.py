"""What every artui screen shares: a `#status` line whose ages keep counting."""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

from artui.errors import describe
from artui.humanize import ago
from artui.ui.text import shown

# How long a bug caught while drawing stays at the front of every status line.
INTERNAL_SHOWN = 300


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
        try:
            line = self.status_text()
        except Exception as exc:
            # Not through internal_error's own status repaint: that would come back here.
            line = shown(f"cannot show the status: {describe(exc)}", "bold magenta")
        internal = getattr(self.app, "internal", None)
        now = self.app.clock()  # type: ignore[attr-defined]
        if internal is not None and now - internal.at < INTERNAL_SHOWN:
            bug = Text(f"internal error {ago(now - internal.at)} (e): ", style="bold magenta")
            bug.append_text(shown(internal.message, "magenta"))
            line = bug.append("  ").append_text(line)
        if line != self._status:
            self._status = line
            self.query_one("#status", Static).update(line)
