"""Messages: intents (a key press, posted to the app) and answers (from the app's workers
to the active screen). Intents go to the app directly rather than bubbling: Textual stops
a bubble at the pump that was active when the message was made (a screen, for a pane
started from the screen's on_mount). Data flows aws -> engine/store -> messages -> widgets.

Dataclasses, as Textual allows; a burst of updates that only replace each other merges
(`can_replace`), so it costs one repaint.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from artui.domain import Action, Operation, Service
from artui.engine.services import Snapshot

# -- intents: one place (the app) turns each into a worker -------------------------------


@dataclass
class OpenService(Message):
    """Show a service's view."""

    service: Service


@dataclass
class RefreshRequested(Message):
    """Poll the services list now (`r`)."""


@dataclass
class DescribeRequested(Message):
    """DescribeService for `service`; the answer lands in the store."""

    service: Service


@dataclass
class ActionRequested(Message):
    """The operator pressed an action's key for `service`: check, confirm, send once."""

    service: Service
    action: Action


@dataclass
class WatchOperations(Message):
    """Keep `service`'s operations polled while `on` (the activity pane is shown)."""

    service: Service
    on: bool


@dataclass
class OlderOperationsRequested(Message):
    """Page in the next 20 older operations of `service`."""

    service: Service


@dataclass
class DeploymentLogRequested(Message):
    """Read the deployment log of `operation` on `service` into the store."""

    service: Service
    operation: Operation


# -- answers -------------------------------------------------------------------------------


@dataclass
class ServicesChanged(Message):
    """A new snapshot of the services list (also sent as each poll starts)."""

    snapshot: Snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ServicesChanged)


@dataclass
class StoreChanged(Message):
    """Something of `kind` under `key` (a service ARN) changed in the store."""

    kind: str
    key: str
