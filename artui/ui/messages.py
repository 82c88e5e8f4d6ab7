"""Messages from workers to widgets: data flows aws -> poller -> messages -> widgets."""

from __future__ import annotations

from textual.message import Message

from artui.poller import Snapshot


class ServicesUpdated(Message):
    """A new snapshot of the services list (also sent as each poll starts)."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class BackendFailed(Message):
    """Connecting failed before any poll: no credentials, no region, a bad profile."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error
