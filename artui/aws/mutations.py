"""Calls that change something in AWS: never retried by botocore, refused in read-only mode.

botocore's standard retry mode retries a 5xx, a throttle or a dropped connection by sending
the request again. For StartDeployment that could mean two deployments from one key press:
App Runner may have started the first before the answer was lost. So a call that changes
state is sent once; when it fails in a way that leaves its outcome unknown, the actions
engine (artui/engine/actions.py) reads ListOperations before the operator's next attempt
is sent, and says so if the first attempt did start an operation.
"""

from __future__ import annotations

from typing import Any

from artui.domain.errors import ReadOnlyError

# App Runner's read operations all start with one of these; everything else changes state.
_READS = ("List", "Describe", "Get")
# Only App Runner's calls change anything artui cares about; logs and metrics are read.
_GUARDED = frozenset({"apprunner"})


def changes_state(service: str, operation: str) -> bool:
    """Whether `operation` of `service` (a client's hyphenized service id) changes state."""
    return service in _GUARDED and not operation.startswith(_READS)


def refuse_changes(client: Any) -> None:
    """Make `client` raise ReadOnlyError before sending any call that changes state."""
    service = client.meta.service_model.service_id.hyphenize()

    def refuse(model: Any, **_: Any) -> None:
        if changes_state(service, model.name):
            raise ReadOnlyError(f"artui is read-only: {model.name} was not sent")

    client.meta.events.register(f"before-call.{service}", refuse, unique_id="artui-read-only")
