"""App Runner's API over per-region in-memory state: AppRunnerBackend and its handlers.

Conventions worth knowing:

- Failures on demand come from exact source versions (`fail-create`, `fail-deploy`,
  `fail-update`); `failures` decides and documents them.
- What each status refuses is `lifecycle.refusal`, answered as InvalidStateException.
- Deleted services: DeleteService answers OPERATION_IN_PROGRESS; the service stays in
  ListServices until the delete operation ends, then leaves the list. DescribeService and
  ListOperations still answer for it with Status DELETED (AWS keeps describing deleted
  services for a while), and its name may be reused.
- A status forced through the control API is only reported; the lifecycle rules keep
  acting on the real status.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

from artui.sim.apprunner import failures
from artui.sim.apprunner.ids import (
    SERVICE_ARN_RE,
    default_autoscaling,
    new_operation_id,
    new_service_id,
    new_service_url,
)
from artui.sim.apprunner.lifecycle import refusal
from artui.sim.apprunner.limits import DEFAULT_QUOTA
from artui.sim.apprunner.operations import DURATIONS, Operation
from artui.sim.apprunner.paging import listing
from artui.sim.apprunner.services import DEFAULT_HEALTH_CHECK, ServiceRecord
from artui.sim.clock import SimClock
from artui.sim.errors import ApiError, invalid_request, invalid_state, not_found

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-_]{3,39}$")


class AppRunnerBackend:
    """Every region's services, and the App Runner operations that act on them."""

    def __init__(
        self, clock: SimClock, seed: int = 7, speedup: float = 1.0, quota: int = DEFAULT_QUOTA
    ) -> None:
        self.clock = clock
        self.speedup = speedup
        self.quota = quota
        self.lock = threading.RLock()
        self.regions: dict[str, dict[str, ServiceRecord]] = {}
        self.rng = random.Random(f"{seed}:runtime")
        self._handlers: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
            "CreateService": self.create_service,
            "ListServices": self.list_services,
            "DescribeService": self.describe_service,
            "ListOperations": self.list_operations,
            "StartDeployment": self.start_deployment,
            "PauseService": self.pause_service,
            "ResumeService": self.resume_service,
            "DeleteService": self.delete_service,
            "UpdateService": self.update_service,
            "ListTagsForResource": self.list_tags,
            "TagResource": self.tag_resource,
            "UntagResource": self.untag_resource,
        }

    @property
    def operations(self) -> Sequence[str]:
        """Names of the App Runner operations implemented."""
        return tuple(self._handlers)

    def region(self, name: str) -> dict[str, ServiceRecord]:
        """A region's services by ARN (an unseen region starts empty)."""
        return self.regions.setdefault(name, {})

    def call(self, operation: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one App Runner operation; raises ApiError."""
        handler = self._handlers.get(operation)
        if handler is None:
            raise ApiError("UnknownOperationException", f"Operation {operation} is not supported.")
        if not isinstance(params, dict):
            raise invalid_request("The request body must be a JSON object.")
        with self.lock:
            return handler(region, params)

    # -- lookups -----------------------------------------------------------------

    def find(self, region: str, arn: Any, member: str = "ServiceArn") -> ServiceRecord:
        """The service an ARN names in this region."""
        if not isinstance(arn, str) or not arn:
            raise invalid_request(f"1 validation error detected: {member} must not be null.")
        match = SERVICE_ARN_RE.match(arn)
        if not match:
            raise invalid_request(f"{member} '{arn}' is not a valid App Runner service ARN.")
        if match.group(1) != region:
            raise invalid_request(
                f"{member} is in region {match.group(1)}, but the request went to {region}."
            )
        service = self.region(region).get(arn)
        if service is None:
            raise not_found(f"Service {arn} can't be found.")
        return service

    def live_services(self, region: str, now: float) -> list[ServiceRecord]:
        """Services not yet DELETED, oldest first."""
        out = []
        for service in self.region(region).values():
            service.settle(now)
            if service.status != "DELETED":
                out.append(service)
        out.sort(key=lambda s: (s.created_at, s.name))
        return out

    # -- lifecycle ---------------------------------------------------------------

    def check_allowed(self, service: ServiceRecord, action: str, now: float) -> None:
        """Refuse `action` with InvalidStateException where the guide forbids it."""
        running = service.running_operation(now)
        message = refusal(
            service.true_status(now),
            action,
            service=f"Service {service.name}",
            operation=f"{running.type} {running.id}" if running else None,
        )
        if message is not None:
            raise invalid_state(message)

    def begin(
        self,
        service: ServiceRecord,
        op_type: str,
        now: float,
        changes: dict[str, Any] | None = None,
    ) -> Operation:
        """Start an operation on a service now; `failures` decides its outcome."""
        changes = changes or {}
        op = Operation(
            id=new_operation_id(self.rng),
            type=op_type,
            target_arn=service.arn,
            started_at=now,
            duration=DURATIONS[op_type] / self.speedup,
            fails=failures.fails(op_type, changes.get("source", service.source)),
            changes=changes,
        )
        service.operations.insert(0, op)
        service.updated_at = now
        return op

    # -- operations --------------------------------------------------------------

    def create_service(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        name = params.get("ServiceName")
        source = params.get("SourceConfiguration")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise invalid_request(
                "ServiceName must be 4 to 40 characters: letters, digits, '-' and '_', "
                "starting with a letter or digit."
            )
        if not isinstance(source, dict) or not (
            source.get("ImageRepository") or source.get("CodeRepository")
        ):
            raise invalid_request(
                "SourceConfiguration must have an ImageRepository or a CodeRepository."
            )
        if any(s.name == name for s in self.live_services(region, now)):
            raise invalid_request("Service with the provided name already exists")
        tags = _tags_from_list(params.get("Tags", []))
        service = ServiceRecord(
            name=name,
            id=new_service_id(self.rng),
            region=region,
            url=new_service_url(self.rng, region),
            created_at=now,
            updated_at=now,
            status="OPERATION_IN_PROGRESS",
            source=_with_defaults_source(source),
            instance={"Cpu": "1024", "Memory": "2048", **params.get("InstanceConfiguration", {})},
            health={**DEFAULT_HEALTH_CHECK, **params.get("HealthCheckConfiguration", {})},
            network=params.get("NetworkConfiguration")
            or {
                "EgressConfiguration": {"EgressType": "DEFAULT"},
                "IngressConfiguration": {"IsPubliclyAccessible": True},
                "IpAddressType": "IPV4",
            },
            autoscaling=default_autoscaling(region, self.rng, now),
            observability=params.get("ObservabilityConfiguration")
            or {"ObservabilityEnabled": False},
            encryption=params.get("EncryptionConfiguration"),
            tags=tags,
        )
        op = self.begin(service, "CREATE_SERVICE", now)
        self.region(region)[service.arn] = service
        return {"Service": service.describe(now), "OperationId": op.id}

    def list_services(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        services = self.live_services(region, now)
        return listing("services", "ServiceSummaryList", services, params, lambda s: s.summary(now))

    def describe_service(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        service = self.find(region, params.get("ServiceArn"))
        return {"Service": service.describe(now)}

    def list_operations(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        service = self.find(region, params.get("ServiceArn"))
        service.settle(now)
        return listing(
            "operations",
            "OperationSummaryList",
            service.operations,
            params,
            lambda op: op.summary(now),
        )

    def start_deployment(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        service = self.find(region, params.get("ServiceArn"))
        self.check_allowed(service, "StartDeployment", now)
        op = self.begin(service, "START_DEPLOYMENT", now)
        return {"OperationId": op.id}

    def update_service(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        service = self.find(region, params.get("ServiceArn"))
        self.check_allowed(service, "UpdateService", now)
        changes: dict[str, Any] = {}
        if isinstance(params.get("SourceConfiguration"), dict):
            changes["source"] = _with_defaults_source(params["SourceConfiguration"])
        for member, attr in (
            ("InstanceConfiguration", "instance"),
            ("HealthCheckConfiguration", "health"),
            ("NetworkConfiguration", "network"),
            ("ObservabilityConfiguration", "observability"),
        ):
            if isinstance(params.get(member), dict):
                changes[attr] = {**(getattr(service, attr) or {}), **params[member]}
        op = self.begin(service, "UPDATE_SERVICE", now, changes=changes)
        return {"Service": service.describe(now), "OperationId": op.id}

    def pause_service(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        return self._simple(region, params, "PauseService", "PAUSE_SERVICE")

    def resume_service(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        return self._simple(region, params, "ResumeService", "RESUME_SERVICE")

    def delete_service(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        return self._simple(region, params, "DeleteService", "DELETE_SERVICE")

    def _simple(
        self, region: str, params: dict[str, Any], action: str, op_type: str
    ) -> dict[str, Any]:
        now = self.clock.now()
        service = self.find(region, params.get("ServiceArn"))
        self.check_allowed(service, action, now)
        op = self.begin(service, op_type, now)
        return {"Service": service.describe(now), "OperationId": op.id}

    def list_tags(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        service = self.find(region, params.get("ResourceArn"), "ResourceArn")
        return {"Tags": [{"Key": k, "Value": v} for k, v in service.tags.items()]}

    def tag_resource(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        service = self.find(region, params.get("ResourceArn"), "ResourceArn")
        service.tags.update(_tags_from_list(params.get("Tags")))
        return {}

    def untag_resource(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        service = self.find(region, params.get("ResourceArn"), "ResourceArn")
        keys = params.get("TagKeys")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise invalid_request("TagKeys must be a list of strings.")
        for key in keys:
            service.tags.pop(key, None)
        return {}

    # -- control hooks -----------------------------------------------------------

    def force_status(self, region: str, name: str, status: str | None) -> ServiceRecord:
        """Make a service report `status` (None clears it)."""
        with self.lock:
            service = self._live_named(region, name)
            service.status_override = status or None
            return service

    def force_reported(self, region: str, name: str, fields: dict[str, Any]) -> ServiceRecord:
        """Make DescribeService report `fields` over the service's own (empty clears them)."""
        with self.lock:
            service = self._live_named(region, name)
            service.reported_override = dict(fields)
            return service

    def _live_named(self, region: str, name: str) -> ServiceRecord:
        for service in self.live_services(region, self.clock.now()):
            if service.name == name:
                return service
        raise not_found(f"No service named {name} in {region}.")


def _tags_from_list(tags: Any) -> dict[str, str]:
    if not isinstance(tags, list):
        raise invalid_request("Tags must be a list of {Key, Value} objects.")
    out: dict[str, str] = {}
    for tag in tags:
        if not isinstance(tag, dict) or not isinstance(tag.get("Key"), str) or not tag["Key"]:
            raise invalid_request("Each tag needs a non-empty Key.")
        if tag["Key"].startswith("aws:"):
            raise invalid_request("Tag keys starting with 'aws:' are reserved.")
        out[tag["Key"]] = str(tag.get("Value", ""))
    return out


def _with_defaults_source(source: dict[str, Any]) -> dict[str, Any]:
    out = dict(source)
    out.setdefault("AutoDeploymentsEnabled", False)
    return out
