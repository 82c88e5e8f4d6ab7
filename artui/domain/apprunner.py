"""Plain data for App Runner: services, operations, statuses and what each status allows.

Nothing here imports AWS or Textual libraries. Status values AWS adds later parse to
UNKNOWN (keeping the raw string), so a new value is shown, never a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TypeVar

_P = TypeVar("_P", bound="Parsable")


class Parsable(str, Enum):
    @classmethod
    def parse(cls: type[_P], value: str | None) -> _P:
        """The member for `value`, or UNKNOWN when AWS sends something new (or nothing)."""
        try:
            return cls(value)
        except ValueError:
            return cls("UNKNOWN")


class ServiceStatus(Parsable):
    CREATE_FAILED = "CREATE_FAILED"
    RUNNING = "RUNNING"
    DELETED = "DELETED"
    DELETE_FAILED = "DELETE_FAILED"
    PAUSED = "PAUSED"
    OPERATION_IN_PROGRESS = "OPERATION_IN_PROGRESS"
    UNKNOWN = "UNKNOWN"


class OperationStatus(Parsable):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    FAILED = "FAILED"
    SUCCEEDED = "SUCCEEDED"
    ROLLBACK_IN_PROGRESS = "ROLLBACK_IN_PROGRESS"
    ROLLBACK_FAILED = "ROLLBACK_FAILED"
    ROLLBACK_SUCCEEDED = "ROLLBACK_SUCCEEDED"
    UNKNOWN = "UNKNOWN"


class OperationType(Parsable):
    START_DEPLOYMENT = "START_DEPLOYMENT"
    CREATE_SERVICE = "CREATE_SERVICE"
    PAUSE_SERVICE = "PAUSE_SERVICE"
    RESUME_SERVICE = "RESUME_SERVICE"
    DELETE_SERVICE = "DELETE_SERVICE"
    UPDATE_SERVICE = "UPDATE_SERVICE"
    UNKNOWN = "UNKNOWN"


# What the services list and a service's view say while each operation runs.
DOING = {
    OperationType.START_DEPLOYMENT: "deploying",
    OperationType.CREATE_SERVICE: "creating",
    OperationType.PAUSE_SERVICE: "pausing",
    OperationType.RESUME_SERVICE: "resuming",
    OperationType.DELETE_SERVICE: "deleting",
    OperationType.UPDATE_SERVICE: "updating",
}


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
# A busy service whose operation is known says what it is doing instead (DOING).
SHORT_LABELS: dict[ServiceStatus, str] = {
    ServiceStatus.RUNNING: "running",
    ServiceStatus.OPERATION_IN_PROGRESS: "busy",
    ServiceStatus.PAUSED: "paused",
    ServiceStatus.CREATE_FAILED: "failed",
    ServiceStatus.DELETE_FAILED: "del fail",
    ServiceStatus.DELETED: "deleted",
    ServiceStatus.UNKNOWN: "unknown",
}


def refusal(status: ServiceStatus, change: OperationType | None) -> str | None:
    """Why a change starting `change` (None: one starting no operation) is not allowed on a
    service in `status`, or None when it is.

    The rules are the Developer Guide's ("Pausing / resuming", "Deletion"): a busy service
    refuses every change; a paused one refuses deployments and updates; a failed creation
    can be rebuilt (an update) or deleted.
    """
    if status is ServiceStatus.OPERATION_IN_PROGRESS:
        return "an operation is in progress: the service accepts no change until it ends"
    if status is ServiceStatus.DELETED:
        return "the service is deleted"
    if status is ServiceStatus.UNKNOWN:
        return "its status is unknown to artui, so what App Runner allows is unknown"
    if status is ServiceStatus.CREATE_FAILED:
        if change in (OperationType.DELETE_SERVICE, OperationType.UPDATE_SERVICE):
            return None
        return "the service failed to create: read its deployment log, then rebuild or delete it"
    if status is ServiceStatus.DELETE_FAILED:
        if change is OperationType.DELETE_SERVICE:
            return None
        return "the service failed to delete: only deleting it again is possible"
    if status is ServiceStatus.PAUSED and change is OperationType.START_DEPLOYMENT:
        return "a paused service cannot be deployed: resume it first"
    if status is ServiceStatus.PAUSED and change is OperationType.UPDATE_SERVICE:
        return "a paused service cannot be updated: resume it first"
    if status is ServiceStatus.PAUSED and change is OperationType.PAUSE_SERVICE:
        return "the service is already paused"
    if status is not ServiceStatus.PAUSED and change is OperationType.RESUME_SERVICE:
        return "only a paused service can be resumed"
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
    # The operation in progress (read from ListOperations by the engine) while the status
    # says one is; None when not read, or the read failed.
    running: OperationType | None = None
    # The AWS profile it was listed through (None: botocore's default chain): the engine
    # reads and changes it through that profile's connection.
    profile: str | None = None

    @property
    def account(self) -> str:
        """The account id its ARN names ('' if the ARN is not one)."""
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 5 and parts[0] == "arn" else ""

    @property
    def place(self) -> str:
        """Where a change to it lands, for every confirmation: 'us-east-1, account
        123456789012 (profile prod)'."""
        words = self.region
        if self.account:
            words += f", account {self.account}"
        if self.profile:
            words += f" (profile {self.profile})"
        return words

    @property
    def status_label(self) -> str:
        if self.status is ServiceStatus.UNKNOWN:
            return f"unknown ({self.raw_status})" if self.raw_status else "unknown"
        return str(self.status.value)

    @property
    def doing(self) -> str | None:
        """What is being done while an operation runs ('deploying'), when it is known."""
        if self.status is not ServiceStatus.OPERATION_IN_PROGRESS or self.running is None:
            return None
        return DOING.get(self.running)

    @property
    def short_label(self) -> str:
        """A word of at most 9 letters for the services table: what a busy service is
        doing when known ('deploying'), else its status ('busy')."""
        return self.doing or SHORT_LABELS[self.status]

    @property
    def tone(self) -> Tone:
        return SERVICE_TONES[self.status]


@dataclass(frozen=True)
class Identity:
    """Who a profile acts as (STS GetCallerIdentity), and the account's alias if IAM says."""

    account: str
    arn: str = ""
    alias: str | None = None

    @property
    def short(self) -> str:
        """The alias, else the account id's last four digits (`…9012`): an account column."""
        return self.alias or f"…{self.account[-4:]}"

    @property
    def words(self) -> str:
        """'123456789012 (demo)', or the id alone when the account has no alias."""
        return f"{self.account} ({self.alias})" if self.alias else self.account


@dataclass(frozen=True)
class HealthCheck:
    protocol: str | None = None
    path: str | None = None
    interval: int | None = None
    timeout: int | None = None
    healthy_threshold: int | None = None
    unhealthy_threshold: int | None = None

    @property
    def words(self) -> str:
        """'HTTP /health, every 5s, timeout 2s, healthy after 1, unhealthy after 5'."""
        if not self.protocol:
            return "—"
        where = self.protocol
        if self.protocol == "HTTP" and self.path:
            where = f"{self.protocol} {self.path}"
        return (
            f"{where}, every {self.interval}s, timeout {self.timeout}s, "
            f"healthy after {self.healthy_threshold}, unhealthy after {self.unhealthy_threshold}"
        )


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

    @property
    def status_label(self) -> str:
        """The status, or what is being done while an operation runs ('deleting')."""
        return self.service.doing or self.service.status_label


# Words for operation types, as an operator says them.
OPERATION_WORDS: dict[OperationType, str] = {
    OperationType.START_DEPLOYMENT: "Deployment",
    OperationType.CREATE_SERVICE: "Create",
    OperationType.UPDATE_SERVICE: "Update",
    OperationType.PAUSE_SERVICE: "Pause",
    OperationType.RESUME_SERVICE: "Resume",
    OperationType.DELETE_SERVICE: "Delete",
    OperationType.UNKNOWN: "unknown",
}
OPERATION_TONES: dict[OperationStatus, Tone] = {
    OperationStatus.PENDING: Tone.BUSY,
    OperationStatus.IN_PROGRESS: Tone.BUSY,
    OperationStatus.ROLLBACK_IN_PROGRESS: Tone.BUSY,
    OperationStatus.SUCCEEDED: Tone.GOOD,
    OperationStatus.ROLLBACK_SUCCEEDED: Tone.IDLE,
    OperationStatus.FAILED: Tone.BAD,
    OperationStatus.ROLLBACK_FAILED: Tone.BAD,
    OperationStatus.UNKNOWN: Tone.UNKNOWN,
}
# How an ended operation turned out, for the notification that reports it.
OUTCOME_WORDS: dict[OperationStatus, str] = {
    OperationStatus.SUCCEEDED: "succeeded",
    OperationStatus.FAILED: "failed",
    OperationStatus.ROLLBACK_SUCCEEDED: "failed and was rolled back",
    OperationStatus.ROLLBACK_FAILED: "failed, and its rollback failed too",
}
RUNNING_OPERATION = frozenset(
    {OperationStatus.PENDING, OperationStatus.IN_PROGRESS, OperationStatus.ROLLBACK_IN_PROGRESS}
)
# Ended without its change taking, rolled back or not.
FAILED_OPERATION = frozenset(
    {OperationStatus.FAILED, OperationStatus.ROLLBACK_SUCCEEDED, OperationStatus.ROLLBACK_FAILED}
)
# Operations that deploy code and so have a `deployment/<id>` log stream. The guide names
# CreateService and StartDeployment; an UpdateService deploys too.
LOGGED_OPERATIONS = frozenset(
    {OperationType.CREATE_SERVICE, OperationType.START_DEPLOYMENT, OperationType.UPDATE_SERVICE}
)


@dataclass(frozen=True)
class Operation:
    """One row of ListOperations."""

    id: str
    type: OperationType
    status: OperationStatus
    target_arn: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    updated_at: datetime | None = None
    raw_type: str = ""
    raw_status: str = ""

    @property
    def type_label(self) -> str:
        """The type in words; a type artui does not know shows as AWS sent it."""
        if self.type is OperationType.UNKNOWN:
            return f"unknown ({self.raw_type})" if self.raw_type else "unknown"
        return OPERATION_WORDS[self.type]

    @property
    def status_label(self) -> str:
        if self.status is OperationStatus.UNKNOWN:
            return f"unknown ({self.raw_status})" if self.raw_status else "unknown"
        return str(self.status.value)

    @property
    def tone(self) -> Tone:
        return OPERATION_TONES[self.status]

    @property
    def running(self) -> bool:
        """True until the operation has ended (an unknown status counts as ended)."""
        return self.status in RUNNING_OPERATION

    @property
    def has_log(self) -> bool:
        """Whether the operation deploys, and so writes a deployment log."""
        return self.type in LOGGED_OPERATIONS

    @property
    def outcome(self) -> str:
        """How the operation ended, in words."""
        return OUTCOME_WORDS.get(self.status, f"ended {self.status_label}")

    def elapsed(self, now: float) -> float | None:
        """Seconds from start to end (or to `now` while it runs); None without a start."""
        if self.started_at is None:
            return None
        end = self.ended_at.timestamp() if self.ended_at is not None else now
        return max(0.0, end - self.started_at.timestamp())


@dataclass(frozen=True)
class OperationsPage:
    """A service's operations as far as they have been paged in, newest first."""

    operations: tuple[Operation, ...]
    # Where the next (older) page starts; None once every operation is in.
    next_token: str | None = None

    @property
    def running(self) -> Operation | None:
        """The operation in progress, if any."""
        return next((op for op in self.operations if op.running), None)


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One CloudWatch Logs event; times are epoch milliseconds, as CloudWatch gives them."""

    timestamp: int
    message: str
    stream: str = ""  # the log stream: `instance/<id>`, `events`, `deployment/<id>`
    event_id: str = ""  # FilterLogEvents gives one; Live Tail does not
    ingested: int = 0  # when CloudWatch took it in (ms); 0 when unknown


class LogSourceKind(str, Enum):
    """The logs App Runner writes for a service (the guide's "Viewing logs")."""

    APPLICATION = "application"  # the app's own output, one stream per instance
    EVENTS = "events"  # the service's lifecycle events
    DEPLOYMENT = "deployment"  # one operation's build and rollout


@dataclass(frozen=True)
class LogSource:
    """One log the logs pane can show; a deployment's is one operation's."""

    kind: LogSourceKind
    operation_id: str = ""

    @property
    def label(self) -> str:
        """How the pane names it."""
        if self.kind is LogSourceKind.DEPLOYMENT:
            return f"deployment {self.operation_id[:8]}"
        return {"application": "application", "events": "service events"}[self.kind.value]


def same_operation(stream: str, operation_id: str) -> bool:
    """Whether `stream` is the `deployment/` stream of `operation_id`: the guide's example
    drops the id's dashes, so either form matches."""
    if not stream.startswith("deployment/"):
        return False
    suffix = stream.removeprefix("deployment/")
    return suffix.replace("-", "").lower() == operation_id.replace("-", "").lower()


@dataclass(frozen=True)
class TailUpdate:
    """One message of a Live Tail session: its start, or a batch of new events."""

    events: tuple[LogEvent, ...] = ()
    started: bool = False
    sampled: bool = False  # more than 500 arrived in a second: AWS sent a sample
