"""Messages: intents (a key press, posted to the app) and answers (from the app's workers
to the active screen). Intents go to the app directly rather than bubbling: Textual stops
a bubble at the pump that was active when the message was made (a screen, for a pane
started from the screen's on_mount). Data flows aws -> engine/store -> messages -> widgets.

Dataclasses, as Textual allows; a burst of updates that only replace each other merges
(`can_replace`), so it costs one repaint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message
from textual.message_pump import MessagePump

from artui.domain.apprunner import LogEvent, LogSource, Service
from artui.domain.series import Range
from artui.engine.services import Snapshot
from artui.engine.store import Kind

# -- intents: one place (the app) turns each into a worker -------------------------------


@dataclass
class RefreshRequested(Message):
    """Poll the services list now (`r`)."""


@dataclass
class Watch(Message):
    """Keep `kind` (DETAIL, operations, custom domains) of `service` read while `on` (a pane
    showing it is on screen); `on` again reads now (`r`)."""

    kind: Kind[Any]
    service: Service
    on: bool


@dataclass
class WatchMetrics(Message):
    """Keep `service`'s charts over `range` read while a metrics pane shows them; a None
    range stops reading."""

    service: Service
    range: Range | None


@dataclass
class OlderOperationsRequested(Message):
    """Page in the next 20 older operations of `service`."""

    service: Service


@dataclass
class TailRequested(Message):
    """Tail `source` of `service` from `since_ms` on, lines to `to`; a None source stops
    `to`'s tail (its pane is hidden: a Live Tail session costs by the minute)."""

    to: MessagePump
    service: Service
    source: LogSource | None = None
    since_ms: int = 0
    token: int = 0  # echoed in each LogLines: a batch of an earlier tail is told apart


@dataclass
class OlderLogsRequested(Message):
    """Read `source`'s lines from `span_s` before `before_ms` up to it, lines to `to`."""

    to: MessagePump
    service: Service
    source: LogSource
    before_ms: int
    span_s: float
    limit: int
    token: int = 0


# -- answers -------------------------------------------------------------------------------


@dataclass
class ServicesChanged(Message):
    """A new snapshot of the services list (also sent as each poll starts)."""

    snapshot: Snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ServicesChanged)


@dataclass
class LogLines(Message):
    """A batch of a tail's lines (`older`: read on demand, to go above the others;
    `exhausted`: there are none older)."""

    token: int
    events: list[LogEvent]
    older: bool = False
    exhausted: bool = False


@dataclass
class StoreChanged(Message):
    """Something of `kind` under `key` (a service ARN) changed in the store."""

    kind: str
    key: str
