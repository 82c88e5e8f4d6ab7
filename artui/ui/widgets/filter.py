"""The filter line under a table: hidden until `/`, typed into, then kept or cleared."""

from __future__ import annotations

from textual.widgets import Input


class FilterField(Input):
    """An Input that starts hidden; its owner reacts to Changed and Submitted."""

    def __init__(self, placeholder: str, *, id: str) -> None:
        super().__init__(placeholder=placeholder, id=id)
        self.display = False

    def open(self) -> None:
        """Show the field and take the keys now (not after a refresh, as focus() would),
        so keys typed fast after `/` land in it."""
        self.display = True
        self.screen.set_focus(self)

    def clear(self) -> None:
        """Empty and hide the field."""
        self.value = ""
        self.display = False
