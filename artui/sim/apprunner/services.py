"""The simulator's service record and the ServiceSummary and Service documents it answers with.

Transitions are computed lazily from the simulated clock (`settle`), so no timers are
needed and a test that advances the clock sees exactly the same history every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from artui.sim.apprunner.configs import AutoScalingConfiguration
from artui.sim.apprunner.custom_domains import DomainRecord
from artui.sim.apprunner.ids import service_arn
from artui.sim.apprunner.operations import OUTCOME, Operation

# App Runner's defaults when CreateService names no health check.
DEFAULT_HEALTH_CHECK: dict[str, object] = {
    "Protocol": "TCP",
    "Path": "/",
    "Interval": 5,
    "Timeout": 2,
    "HealthyThreshold": 1,
    "UnhealthyThreshold": 5,
}


@dataclass
class ServiceRecord:
    """A service and its operation history (newest operation first)."""

    name: str
    id: str
    account: str
    region: str
    url: str
    created_at: float
    updated_at: float
    status: str  # the settled status; OPERATION_IN_PROGRESS is derived
    source: dict[str, Any]
    instance: dict[str, Any]
    health: dict[str, Any]
    network: dict[str, Any]
    autoscaling: AutoScalingConfiguration
    observability: dict[str, Any] | None = None
    encryption: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    operations: list[Operation] = field(default_factory=list)
    deleted_at: float | None = None
    # Makes every StartDeployment fail for this reason (a `failures.REASONS` value): the
    # demo's service whose next deployment fails. `failures.failure` applies it.
    deploy_failure: str | None = None
    # Forced by the control API: reported as Status, never used for the rules.
    status_override: str | None = None
    # Forced by the control API: members laid over DescribeService's answer as they are, to
    # see how a client copes with what AWS might send one day.
    reported_override: dict[str, Any] = field(default_factory=dict)
    # Custom domains, oldest first (`domains` keeps their lifecycle and rules).
    domains: list[DomainRecord] = field(default_factory=list)

    @property
    def arn(self) -> str:
        return service_arn(self.account, self.region, self.name, self.id)

    def settle(self, now: float) -> None:
        """Apply the outcome of every operation that has ended by `now`."""
        for op in reversed(self.operations):
            if op.applied or now < op.ended_at:
                continue
            op.applied = True
            ok, failed = OUTCOME[op.type]
            self.status = (failed or self.status) if op.fails else ok
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

    def summary(self, now: float) -> dict[str, Any]:
        """The ServiceSummary document."""
        self.settle(now)  # before reading UpdatedAt, so it names the latest change
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
            AutoScalingConfigurationSummary=self.autoscaling.summary(in_use=True),
            NetworkConfiguration=self.network,
        )
        if self.encryption:
            doc["EncryptionConfiguration"] = self.encryption
        if self.observability:
            doc["ObservabilityConfiguration"] = self.observability
        for key, value in self.reported_override.items():
            if isinstance(value, dict) and isinstance(doc.get(key), dict):
                doc[key] = {**doc[key], **value}
            else:
                doc[key] = value
        return doc
