"""Services and operations as the simulator keeps them, and how time moves them along.

Transitions are computed lazily from the simulated clock (`settle`), so no timers are
needed and a test that advances the clock sees exactly the same history every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ACCOUNT_ID = "123456789012"

# Simulated seconds each operation takes; real App Runner is in this range.
# App Runner's defaults when CreateService names no health check.
DEFAULT_HEALTH_CHECK: dict[str, object] = {
    "Protocol": "TCP",
    "Path": "/",
    "Interval": 5,
    "Timeout": 2,
    "HealthyThreshold": 1,
    "UnhealthyThreshold": 5,
}

DURATIONS: dict[str, float] = {
    "CREATE_SERVICE": 240.0,
    "START_DEPLOYMENT": 180.0,
    "UPDATE_SERVICE": 120.0,
    "PAUSE_SERVICE": 45.0,
    "RESUME_SERVICE": 90.0,
    "DELETE_SERVICE": 60.0,
}
# Share of an operation's duration spent PENDING before IN_PROGRESS.
PENDING_FRACTION = 0.1

# Which settled status each operation leaves behind, on success and on failure.
# A failed deployment or update rolls back, so the service keeps RUNNING the old version.
_OUTCOME: dict[str, tuple[str, str]] = {
    "CREATE_SERVICE": ("RUNNING", "CREATE_FAILED"),
    "START_DEPLOYMENT": ("RUNNING", "RUNNING"),
    "UPDATE_SERVICE": ("RUNNING", "RUNNING"),
    "PAUSE_SERVICE": ("PAUSED", "PAUSED"),
    "RESUME_SERVICE": ("RUNNING", "RUNNING"),
    "DELETE_SERVICE": ("DELETED", "DELETE_FAILED"),
}

DEPLOYING_TYPES = frozenset({"CREATE_SERVICE", "START_DEPLOYMENT", "UPDATE_SERVICE"})


@dataclass
class Operation:
    """One asynchronous App Runner operation with a fixed start, duration and outcome."""

    id: str
    type: str
    target_arn: str
    started_at: float
    duration: float
    fails: bool = False
    applied: bool = False
    # What an UPDATE_SERVICE would change, applied on success only.
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def ended_at(self) -> float:
        return self.started_at + self.duration

    def status_at(self, now: float) -> str:
        """PENDING, IN_PROGRESS, then SUCCEEDED or FAILED."""
        if now >= self.ended_at:
            return "FAILED" if self.fails else "SUCCEEDED"
        if now < self.started_at + self.duration * PENDING_FRACTION:
            return "PENDING"
        return "IN_PROGRESS"

    def summary(self, now: float) -> dict[str, Any]:
        """The OperationSummary document."""
        status = self.status_at(now)
        doc: dict[str, Any] = {
            "Id": self.id,
            "Type": self.type,
            "Status": status,
            "TargetArn": self.target_arn,
            "StartedAt": self.started_at,
        }
        if status in ("SUCCEEDED", "FAILED"):
            doc["EndedAt"] = self.ended_at
            doc["UpdatedAt"] = self.ended_at
        elif status == "IN_PROGRESS":
            doc["UpdatedAt"] = self.started_at + self.duration * PENDING_FRACTION
        else:
            doc["UpdatedAt"] = self.started_at
        return doc


@dataclass
class ServiceRecord:
    """A service and its operation history (newest operation first)."""

    name: str
    id: str
    region: str
    url: str
    created_at: float
    updated_at: float
    status: str  # the settled status; OPERATION_IN_PROGRESS is derived
    source: dict[str, Any]
    instance: dict[str, Any]
    health: dict[str, Any]
    network: dict[str, Any]
    autoscaling: dict[str, Any]
    observability: dict[str, Any] | None = None
    encryption: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    operations: list[Operation] = field(default_factory=list)
    deleted_at: float | None = None
    # Forced by the control API: reported as Status, never used for the rules.
    status_override: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:apprunner:{self.region}:{ACCOUNT_ID}:service/{self.name}/{self.id}"

    def settle(self, now: float) -> None:
        """Apply the outcome of every operation that has ended by `now`."""
        for op in reversed(self.operations):
            if op.applied or now < op.ended_at:
                continue
            op.applied = True
            ok, failed = _OUTCOME[op.type]
            self.status = failed if op.fails else ok
            self.updated_at = op.ended_at
            if not op.fails and op.changes:
                for key, value in op.changes.items():
                    setattr(self, key, value)
            if self.status == "DELETED":
                self.deleted_at = op.ended_at
        # Starting an operation updates the service too (seeded in-flight ones included).
        for op in self.operations:
            if not op.applied and op.started_at <= now:
                self.updated_at = max(self.updated_at, op.started_at)

    def running_operation(self, now: float) -> Operation | None:
        """The operation still in flight at `now`, if any."""
        self.settle(now)
        for op in self.operations:
            if not op.applied:
                return op
        return None

    def true_status(self, now: float) -> str:
        """The status the lifecycle rules act on."""
        return "OPERATION_IN_PROGRESS" if self.running_operation(now) else self.status

    def reported_status(self, now: float) -> str:
        """The status the API reports (a forced override wins)."""
        return self.status_override or self.true_status(now)

    def image(self) -> str:
        """The image or repository the service deploys; used for the 'fail' convention."""
        image = self.source.get("ImageRepository", {}).get("ImageIdentifier")
        if image:
            return str(image)
        return str(self.source.get("CodeRepository", {}).get("RepositoryUrl", ""))

    def summary(self, now: float) -> dict[str, Any]:
        """The ServiceSummary document."""
        return {
            "ServiceName": self.name,
            "ServiceId": self.id,
            "ServiceArn": self.arn,
            "ServiceUrl": self.url,
            "CreatedAt": self.created_at,
            "UpdatedAt": self.updated_at,
            "Status": self.reported_status(now),
        }

    def describe(self, now: float) -> dict[str, Any]:
        """The full Service document."""
        doc = self.summary(now)
        if self.deleted_at is not None:
            doc["DeletedAt"] = self.deleted_at
        doc.update(
            SourceConfiguration=self.source,
            InstanceConfiguration=self.instance,
            HealthCheckConfiguration=self.health,
            AutoScalingConfigurationSummary=self.autoscaling,
            NetworkConfiguration=self.network,
        )
        if self.encryption:
            doc["EncryptionConfiguration"] = self.encryption
        if self.observability:
            doc["ObservabilityConfiguration"] = self.observability
        return doc
