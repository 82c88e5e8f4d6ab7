"""Plain data for App Runner: services, operations, statuses and what each status allows.

Nothing here imports AWS or Textual libraries. Status values AWS adds later parse to
UNKNOWN (keeping the raw string), so a new value is shown, never a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class _Parsable(str, Enum):
    @classmethod
    def parse(cls, value: str | None):
        """The member for `value`, or UNKNOWN when AWS sends something new (or nothing)."""
        try:
            return cls(value)
        except ValueError:
            return cls("UNKNOWN")


class ServiceStatus(_Parsable):
    CREATE_FAILED = "CREATE_FAILED"
    RUNNING = "RUNNING"
    DELETED = "DELETED"
    DELETE_FAILED = "DELETE_FAILED"
    PAUSED = "PAUSED"
    OPERATION_IN_PROGRESS = "OPERATION_IN_PROGRESS"
    UNKNOWN = "UNKNOWN"


class OperationStatus(_Parsable):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    FAILED = "FAILED"
    SUCCEEDED = "SUCCEEDED"
    ROLLBACK_IN_PROGRESS = "ROLLBACK_IN_PROGRESS"
    ROLLBACK_FAILED = "ROLLBACK_FAILED"
    ROLLBACK_SUCCEEDED = "ROLLBACK_SUCCEEDED"
    UNKNOWN = "UNKNOWN"


class OperationType(_Parsable):
    START_DEPLOYMENT = "START_DEPLOYMENT"
    CREATE_SERVICE = "CREATE_SERVICE"
    PAUSE_SERVICE = "PAUSE_SERVICE"
    RESUME_SERVICE = "RESUME_SERVICE"
    DELETE_SERVICE = "DELETE_SERVICE"
    UPDATE_SERVICE = "UPDATE_SERVICE"
    UNKNOWN = "UNKNOWN"


class Tone(str, Enum):
    """What a status means to an operator; the UI maps each tone to a colour."""

    GOOD = "good"
    BUSY = "busy"
    IDLE = "idle"
    BAD = "bad"
    GONE = "gone"
    UNKNOWN = "unknown"


SERVICE_TONES: dict[ServiceStatus, Tone] = {
    ServiceStatus.RUNNING: Tone.GOOD,
    ServiceStatus.OPERATION_IN_PROGRESS: Tone.BUSY,
    ServiceStatus.PAUSED: Tone.IDLE,
    ServiceStatus.CREATE_FAILED: Tone.BAD,
    ServiceStatus.DELETE_FAILED: Tone.BAD,
    ServiceStatus.DELETED: Tone.GONE,
    ServiceStatus.UNKNOWN: Tone.UNKNOWN,
}


# Short words for narrow tables: the colour carries the meaning, the overview the full value.
SHORT_LABELS: dict[ServiceStatus, str] = {
    ServiceStatus.RUNNING: "running",
    ServiceStatus.OPERATION_IN_PROGRESS: "busy",
    ServiceStatus.PAUSED: "paused",
    ServiceStatus.CREATE_FAILED: "failed",
    ServiceStatus.DELETE_FAILED: "del fail",
    ServiceStatus.DELETED: "deleted",
    ServiceStatus.UNKNOWN: "unknown",
}


class Action(str, Enum):
    DEPLOY = "deploy"
    PAUSE = "pause"
    RESUME = "resume"
    DELETE = "delete"
    UPDATE = "update"


def refusal(status: ServiceStatus, action: Action) -> str | None:
    """Why `action` is not allowed on a service in `status`, or None when it is.

    The rules are the Developer Guide's ("Pausing / resuming", "Deletion"): a busy service
    refuses every change; a paused one refuses deployments and updates; a failed creation
    can be rebuilt (an update) or deleted.
    """
    if status is ServiceStatus.OPERATION_IN_PROGRESS:
        return "an operation is in progress; wait for it to finish"
    if status is ServiceStatus.DELETED:
        return "the service is deleted"
    if status is ServiceStatus.UNKNOWN:
        return "its status is unknown to artui"
    if status is ServiceStatus.CREATE_FAILED:
        if action in (Action.DELETE, Action.UPDATE):
            return None
        return "the service failed to create; rebuild it (update) or delete it"
    if status is ServiceStatus.DELETE_FAILED:
        if action is Action.DELETE:
            return None
        return "the service failed to delete; only delete is possible"
    if status is ServiceStatus.PAUSED and action in (Action.DEPLOY, Action.UPDATE, Action.PAUSE):
        return "the service is paused; resume it first"
    if status is ServiceStatus.RUNNING and action is Action.RESUME:
        return "the service is already running"
    return None


@dataclass(frozen=True)
class Service:
    """One row of ListServices, tagged with the region it came from."""

    name: str
    id: str
    arn: str
    region: str
    status: ServiceStatus
    raw_status: str
    url: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def status_label(self) -> str:
        if self.status is ServiceStatus.UNKNOWN:
            return f"unknown ({self.raw_status})" if self.raw_status else "unknown"
        return self.status.value

    @property
    def short_label(self) -> str:
        """A word of at most 8 letters for the services table."""
        return SHORT_LABELS[self.status]

    @property
    def tone(self) -> Tone:
        return SERVICE_TONES[self.status]


@dataclass(frozen=True)
class HealthCheck:
    protocol: str | None = None
    path: str | None = None
    interval: int | None = None
    timeout: int | None = None
    healthy_threshold: int | None = None
    unhealthy_threshold: int | None = None


@dataclass(frozen=True)
class ServiceDetail:
    """DescribeService's answer, flattened to what the overview shows."""

    service: Service
    source: str
    source_kind: str
    cpu: str | None
    memory: str | None
    health_check: HealthCheck
    auto_scaling: str | None
    instance_role: str | None = None


@dataclass(frozen=True)
class Operation:
    id: str
    type: OperationType
    status: OperationStatus
    target_arn: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    updated_at: datetime | None = None
