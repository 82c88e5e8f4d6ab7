"""App Runner operations: how long each takes, its statuses over time, what it leaves behind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from artui.sim.apprunner.ids import next_sequence

# Simulated seconds each operation takes; real App Runner is in this range.
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
# Where in its duration a deployment that rolls back fails its health check (as its
# deployment log says, in `world.logs`) and turns ROLLBACK_IN_PROGRESS until it ends.
ROLLBACK_FRACTION = 0.9

# Which settled status each operation leaves behind, on success and on failure (None: the
# status it had). A failed deployment or update rolls back: a RUNNING service keeps running
# the old version, and a CREATE_FAILED one that an update failed to rebuild stays failed.
OUTCOME: dict[str, tuple[str, str | None]] = {
    "CREATE_SERVICE": ("RUNNING", "CREATE_FAILED"),
    "START_DEPLOYMENT": ("RUNNING", None),
    "UPDATE_SERVICE": ("RUNNING", None),
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
    # Why it fails (a `failures.REASONS` value, or `failures.DELETION`), or None when it
    # succeeds.
    failure: str | None = None
    # How the rollback after its failure ends (SUCCEEDED or FAILED: `failures.rollback`), or
    # None when it ends FAILED without one.
    rollback: str | None = None
    applied: bool = False
    # What an UPDATE_SERVICE would change, applied on success only.
    changes: dict[str, Any] = field(default_factory=dict)
    # The order operations were made in, for two begun at one instant (`paging.sort_key`).
    sequence: int = field(default_factory=next_sequence)

    @property
    def ended_at(self) -> float:
        return self.started_at + self.duration

    @property
    def fails(self) -> bool:
        """Whether it ends FAILED."""
        return self.failure is not None

    @property
    def rollback_at(self) -> float:
        """When a rolling-back operation turns ROLLBACK_IN_PROGRESS."""
        return self.started_at + self.duration * ROLLBACK_FRACTION

    def status_at(self, now: float) -> str:
        """PENDING, IN_PROGRESS, then SUCCEEDED or FAILED; one that rolls back turns
        ROLLBACK_IN_PROGRESS, then ends ROLLBACK_SUCCEEDED or ROLLBACK_FAILED."""
        rollback = self.rollback
        if now >= self.ended_at:
            if rollback is not None:
                return f"ROLLBACK_{rollback}"
            return "FAILED" if self.fails else "SUCCEEDED"
        if now < self.started_at + self.duration * PENDING_FRACTION:
            return "PENDING"
        if rollback is not None and now >= self.rollback_at:
            return "ROLLBACK_IN_PROGRESS"
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
        if now >= self.ended_at:
            doc["EndedAt"] = self.ended_at
            doc["UpdatedAt"] = self.ended_at
        elif status == "ROLLBACK_IN_PROGRESS":
            doc["UpdatedAt"] = self.rollback_at
        elif status == "IN_PROGRESS":
            doc["UpdatedAt"] = self.started_at + self.duration * PENDING_FRACTION
        else:
            doc["UpdatedAt"] = self.started_at
        return doc
