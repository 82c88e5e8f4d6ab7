"""App Runner's API over one account's in-memory state, region by region: AppRunnerBackend
and its handlers.

Conventions worth knowing:

- One AppRunnerBackend per account (`artui.sim.accounts` keeps them): the ARNs it hands out
  carry its account, and an ARN of another account names nothing here
  (ResourceNotFoundException), as AWS answers a caller for what it cannot see.

- Failures on demand come from exact source versions (`fail-create`, `fail-deploy`,
  `fail-update`, `fail-delete`, `rollback-succeeds`, `rollback-fails`, a `-broken` tag) or
  from a service's own `deploy_failure` (the demo's payments-worker); `failures` decides
  and documents them, with the reason each failure gives.
- What each status refuses is `lifecycle.refusal` (`custom_domains.refusal` for linking and
  unlinking custom domains), answered as InvalidStateException.
- Deleted services: DeleteService answers OPERATION_IN_PROGRESS; the service stays in
  ListServices until the delete operation ends, then leaves the list. DescribeService and
  ListOperations still answer for it with Status DELETED (AWS keeps describing deleted
  services for a while), and its name may be reused.
- A status forced through the control API is only reported; the lifecycle rules keep
  acting on the real status.
- Every request is first checked against botocore's model (`validate`), then against App
  Runner's own rules (`rules`, the quota, the lifecycle), before anything changes.
- UpdateService lays what it names over the service's configuration (`rules.merge`); what
  it leaves out stays as it was.
- Configuration resources (`configs`): auto scaling and observability configurations in
  revisions, VPC connectors; what a service names must exist and be active (else
  InvalidRequestException), and one a live service uses (or an update in flight will) can't
  be deleted (InvalidRequestException: the model lists no other error for Delete*).
- Connections (`connections`): a code repository's ConnectionArn must name an AVAILABLE
  connection of the service's account and region (InvalidRequestException), and one a live
  service uses can't be deleted. VPC ingress connections (`ingress`): one per service, with
  their own lifecycle; a service with one can't be deleted until it is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from artui.sim.apprunner import custom_domains, failures, ingress, rules
from artui.sim.apprunner.configs import (
    DEFAULT_NAME,
    AutoScalingConfiguration,
    ObservabilityConfiguration,
    RegionConfigs,
    Registry,
    Revision,
    VpcConnector,
    autoscaling_sizes,
    subnet_ids,
)
from artui.sim.apprunner.connections import Connections, connection_arn
from artui.sim.apprunner.ids import (
    DEFAULT_ACCOUNT,
    SERVICE_ARN_RE,
    id_random,
    new_config_id,
    new_operation_id,
    new_service_id,
    new_service_url,
)
from artui.sim.apprunner.lifecycle import refusal
from artui.sim.apprunner.limits import DEFAULT_QUOTA, DELETED_KEPT
from artui.sim.apprunner.operations import DURATIONS, Operation
from artui.sim.apprunner.paging import Pager
from artui.sim.apprunner.services import DEFAULT_HEALTH_CHECK, ServiceRecord
from artui.sim.apprunner.validate import check, operation_model
from artui.sim.clock import SimClock
from artui.sim.errors import ApiError, invalid_request, invalid_state, not_found

# How long before the simulator's start each region's DefaultConfiguration was created:
# before any demo service (those are 2 to 12.5 days old).
_DEFAULT_CONFIG_AGE = 30 * 86400.0


class AppRunnerBackend:
    """One account's services in every region, and the App Runner operations that act on
    them."""

    def __init__(
        self,
        clock: SimClock,
        seed: int = 7,
        speedup: float = 1.0,
        quota: int = DEFAULT_QUOTA,
        account: str = DEFAULT_ACCOUNT,
        started: float | None = None,
        ids_seed: int | None = None,
    ) -> None:
        """`started`: when the simulator started (simulated time; default: now), which
        each region's DefaultConfiguration predates. `ids_seed` is mixed into the ids it
        draws (`ids.IdRandom`; None: the seed's own draws)."""
        self.clock = clock
        self.account = account
        self.speedup = speedup
        self.quota = quota
        self.lock = threading.RLock()
        self.regions: dict[str, dict[str, ServiceRecord]] = {}
        self.configs: dict[str, RegionConfigs] = {}
        self.connections: dict[str, Connections] = {}
        self.ingress: dict[str, ingress.IngressConnections] = {}
        self.rng = id_random(seed, ids_seed, account, "runtime")
        self.pager = Pager()
        self._started = clock.now() if started is None else started
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
            "CreateAutoScalingConfiguration": self.create_autoscaling_configuration,
            "ListAutoScalingConfigurations": self.list_autoscaling_configurations,
            "DescribeAutoScalingConfiguration": self.describe_autoscaling_configuration,
            "DeleteAutoScalingConfiguration": self.delete_autoscaling_configuration,
            "UpdateDefaultAutoScalingConfiguration": self.update_default_autoscaling,
            "ListServicesForAutoScalingConfiguration": self.list_services_for_autoscaling,
            "CreateObservabilityConfiguration": self.create_observability_configuration,
            "ListObservabilityConfigurations": self.list_observability_configurations,
            "DescribeObservabilityConfiguration": self.describe_observability_configuration,
            "DeleteObservabilityConfiguration": self.delete_observability_configuration,
            "CreateVpcConnector": self.create_vpc_connector,
            "ListVpcConnectors": self.list_vpc_connectors,
            "DescribeVpcConnector": self.describe_vpc_connector,
            "DeleteVpcConnector": self.delete_vpc_connector,
            "AssociateCustomDomain": self.associate_custom_domain,
            "DescribeCustomDomains": self.describe_custom_domains,
            "DisassociateCustomDomain": self.disassociate_custom_domain,
            "CreateConnection": self.create_connection,
            "ListConnections": self.list_connections,
            "DeleteConnection": self.delete_connection,
            "CreateVpcIngressConnection": self.create_vpc_ingress_connection,
            "DescribeVpcIngressConnection": self.describe_vpc_ingress_connection,
            "ListVpcIngressConnections": self.list_vpc_ingress_connections,
            "UpdateVpcIngressConnection": self.update_vpc_ingress_connection,
            "DeleteVpcIngressConnection": self.delete_vpc_ingress_connection,
        }

    @property
    def operations(self) -> Sequence[str]:
        """Names of the App Runner operations implemented."""
        return tuple(self._handlers)

    def region(self, name: str) -> dict[str, ServiceRecord]:
        """A region's services by ARN (an unseen region starts empty)."""
        return self.regions.setdefault(name, {})

    def region_configs(self, region: str) -> RegionConfigs:
        """A region's configuration resources (an unseen region has only the default)."""
        configs = self.configs.get(region)
        if configs is None:
            configs = RegionConfigs.new(self.account, region, self._started - _DEFAULT_CONFIG_AGE)
            self.configs[region] = configs
        return configs

    def region_connections(self, region: str) -> Connections:
        """A region's connections to source code providers."""
        found = self.connections.get(region)
        if found is None:
            found = self.connections[region] = Connections(self.account, region)
        return found

    def region_ingress(self, region: str) -> ingress.IngressConnections:
        """A region's VPC ingress connections."""
        found = self.ingress.get(region)
        if found is None:
            found = self.ingress[region] = ingress.IngressConnections(self.account, region)
        return found

    def default_autoscaling(self, region: str) -> AutoScalingConfiguration:
        """The region's default auto scaling configuration: what a new service gets when it
        names none (the DefaultConfiguration unless UpdateDefaultAutoScalingConfiguration
        named another)."""
        return self.region_configs(region).default_autoscaling()

    def call(self, operation: str, region: str, params: Any) -> dict[str, Any]:
        """Run one App Runner operation; raises ApiError."""
        handler = self._handlers.get(operation)
        if handler is None:
            raise ApiError("UnknownOperationException", f"Operation {operation} is not supported.")
        params = check(operation, params)
        with self.lock:
            return handler(region, params)

    # -- lookups -----------------------------------------------------------------

    def find(self, region: str, arn: str, member: str = "ServiceArn") -> ServiceRecord:
        """The service an ARN names in this region: `service/NAME/ID`, or `service/NAME` for
        the live service of that name."""
        match = SERVICE_ARN_RE.match(arn)
        if not match:
            raise invalid_request(f"{member} '{arn}' is not a valid App Runner service ARN.")
        if match.group(1) != region:
            raise invalid_request(
                f"{member} is in region {match.group(1)}, but the request went to {region}."
            )
        service: ServiceRecord | None
        if match.group(2) != self.account:
            # Another account's ARN: nothing this caller can see.
            service = None
        elif match.group(4) is None:
            # `service/NAME`, which the guide allows: the live service of that name.
            return self._live_named(region, match.group(3))
        else:
            service = self.region(region).get(arn)
        if service is None:
            raise not_found(f"Service {arn} can't be found.")
        return service

    def find_tagged(self, region: str, arn: str) -> _Tagged:
        """The resource a tagging call names (any App Runner resource, as the model says);
        a deleted one's tags are gone with it."""
        kind = arn.split(":", 5)[-1].partition("/")[0] if arn.count(":") >= 5 else ""
        now = self.clock.now()
        configs = self.region_configs(region)
        registries: dict[str, Registry[Any]] = {
            AutoScalingConfiguration.KIND: configs.autoscaling,
            ObservabilityConfiguration.KIND: configs.observability,
            VpcConnector.KIND: configs.vpc_connectors,
        }
        if kind in registries:
            return registries[kind].find(arn, partial=False, active=True, member="ResourceArn")
        if kind == "connection":
            return self.region_connections(region).find(arn, "ResourceArn")
        if kind == "vpcingressconnection":
            item = self.region_ingress(region).find(arn, now)
            if item.status == "DELETED":
                raise not_found(f"Resource {arn} is deleted.")
            return item
        service = self.find(region, arn, "ResourceArn")
        service.settle(now)
        if service.status == "DELETED":
            raise not_found(f"Resource {arn} is deleted.")
        return service

    def live_services(self, region: str, now: float) -> list[ServiceRecord]:
        """Services not yet DELETED, oldest first; past DELETED_KEPT deleted ones, the
        longest gone are forgotten (ResourceNotFoundException from then on)."""
        out = []
        gone = []
        table = self.region(region)
        for service in table.values():
            if service.deleted_at is None:
                service.settle(now)
            if service.deleted_at is not None:
                gone.append(service)  # for good: not settled again
            elif service.status != "DELETED":
                out.append(service)
        if len(gone) > DELETED_KEPT:
            gone.sort(key=lambda s: (s.deleted_at or 0.0, s.id))
            for service in gone[: len(gone) - DELETED_KEPT]:
                del table[service.arn]
        out.sort(key=lambda s: (s.created_at, s.name))
        return out

    # -- lifecycle ---------------------------------------------------------------

    def check_allowed(
        self,
        service: ServiceRecord,
        action: str,
        now: float,
        rules: Callable[..., str | None] = refusal,
    ) -> None:
        """Refuse `action` where the guide forbids it (`rules`: the lifecycle's, or the
        custom domains' `custom_domains.refusal`): InvalidStateException, or
        InvalidRequestException for an operation whose model lists no InvalidStateException
        (StartDeployment: the API reference gives it none)."""
        running = service.running_operation(now)
        message = rules(
            service.true_status(now),
            action,
            service=f"Service {service.name}",
            operation=f"{running.type} {running.id}" if running else None,
        )
        if message is not None:
            errors = {shape.name for shape in operation_model(action).error_shapes}
            if "InvalidStateException" in errors:
                raise invalid_state(message)
            raise invalid_request(message)

    def begin(
        self,
        service: ServiceRecord,
        op_type: str,
        now: float,
        changes: dict[str, Any] | None = None,
    ) -> Operation:
        """Start an operation on a service now; `failures` decides its outcome."""
        changes = changes or {}
        source = changes.get("source", service.source)
        op = Operation(
            id=new_operation_id(self.rng),
            type=op_type,
            target_arn=service.arn,
            started_at=now,
            duration=DURATIONS[op_type] / self.speedup,
            failure=failures.failure(op_type, source, service.deploy_failure),
            rollback=failures.rollback(op_type, source),
            changes=changes,
        )
        service.operations.insert(0, op)
        service.updated_at = now
        return op

    # -- operations --------------------------------------------------------------

    def create_service(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        name = params["ServiceName"]
        live = self.live_services(region, now)
        if len(live) >= self.quota:
            raise ApiError(
                "ServiceQuotaExceededException",
                f"You have reached the quota of {self.quota} services in {region}. Delete a "
                "service, or ask AWS for a higher quota.",
            )
        if any(s.name == name for s in live):
            raise invalid_request("Service with the provided name already exists")
        autoscaling = self.default_autoscaling(region)
        if "AutoScalingConfigurationArn" in params:
            autoscaling = self._named_autoscaling(region, params["AutoScalingConfigurationArn"])
        network = self._network(region, params.get("NetworkConfiguration", {}))
        observability = self._observability(
            region, params.get("ObservabilityConfiguration", {"ObservabilityEnabled": False})
        )
        service = ServiceRecord(
            name=name,
            id=new_service_id(self.rng),
            account=self.account,
            region=region,
            url=new_service_url(self.rng, region),
            created_at=now,
            updated_at=now,
            status="OPERATION_IN_PROGRESS",
            source=self._connected(
                region, rules.source(params["SourceConfiguration"], account=self.account)
            ),
            instance=rules.instance(params.get("InstanceConfiguration", {})),
            health=rules.health_check(
                {**DEFAULT_HEALTH_CHECK, **params.get("HealthCheckConfiguration", {})}
            ),
            network=network,
            autoscaling=autoscaling,
            observability=observability,
            encryption=params.get("EncryptionConfiguration"),
            tags=_tags(params.get("Tags", [])),
        )
        op = self.begin(service, "CREATE_SERVICE", now)
        self.region(region)[service.arn] = service
        return {"Service": service.describe(now), "OperationId": op.id}

    def list_services(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        services = self.live_services(region, now)
        return self.pager.listing(
            "ListServices",
            region,
            "ServiceSummaryList",
            services,
            params,
            lambda s: s.summary(now),
        )

    def describe_service(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        service = self.find(region, params["ServiceArn"])
        return {"Service": service.describe(now)}

    def list_operations(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        service = self.find(region, params["ServiceArn"])
        service.settle(now)
        return self.pager.listing(
            "ListOperations",
            service.arn,
            "OperationSummaryList",
            service.operations,
            params,
            lambda op: op.summary(now),
        )

    def start_deployment(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        service = self.find(region, params["ServiceArn"])
        self.check_allowed(service, "StartDeployment", now)
        op = self.begin(service, "START_DEPLOYMENT", now)
        return {"OperationId": op.id}

    def update_service(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        service = self.find(region, params["ServiceArn"])
        self.check_allowed(service, "UpdateService", now)
        # Every change is worked out (and refused) before the operation starts.
        changes: dict[str, Any] = {}
        if "SourceConfiguration" in params:
            changes["source"] = self._connected(
                region, rules.source(params["SourceConfiguration"], service.source, self.account)
            )
        if "InstanceConfiguration" in params:
            changes["instance"] = rules.instance(params["InstanceConfiguration"], service.instance)
        if "HealthCheckConfiguration" in params:
            changes["health"] = rules.merge(
                service.health, params["HealthCheckConfiguration"], "HealthCheckConfiguration"
            )
        if "NetworkConfiguration" in params:
            changes["network"] = self._network(
                region, params["NetworkConfiguration"], service.network
            )
        if "ObservabilityConfiguration" in params:
            changes["observability"] = self._observability(
                region, params["ObservabilityConfiguration"]
            )
        if "AutoScalingConfigurationArn" in params:
            arn = params["AutoScalingConfigurationArn"]
            changes["autoscaling"] = self._named_autoscaling(region, arn)
        op = self.begin(service, "UPDATE_SERVICE", now, changes=changes)
        return {"Service": service.describe(now), "OperationId": op.id}

    def pause_service(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        return self._simple(region, params, "PauseService", "PAUSE_SERVICE")

    def resume_service(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        return self._simple(region, params, "ResumeService", "RESUME_SERVICE")

    def delete_service(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        service = self.find(region, params["ServiceArn"])
        self._refuse_if_ingress(region, service.arn)
        self.check_allowed(service, "DeleteService", now)
        failure = failures.delete_failure(service.source, service.true_status(now))
        op = self.begin(service, "DELETE_SERVICE", now)
        # A deletion's outcome is `delete_failure`'s: it depends on whether this is a retry.
        op.failure = failure
        return {"Service": service.describe(now), "OperationId": op.id}

    def _simple(
        self, region: str, params: dict[str, Any], action: str, op_type: str
    ) -> dict[str, Any]:
        now = self.clock.now()
        service = self.find(region, params["ServiceArn"])
        self.check_allowed(service, action, now)
        op = self.begin(service, op_type, now)
        return {"Service": service.describe(now), "OperationId": op.id}

    def list_tags(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        service = self.find_tagged(region, params["ResourceArn"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in service.tags.items()]}

    def tag_resource(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        service = self.find_tagged(region, params["ResourceArn"])
        service.tags.update(_tags(params["Tags"]))
        return {}

    def untag_resource(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        service = self.find_tagged(region, params["ResourceArn"])
        for key in params["TagKeys"]:
            service.tags.pop(key, None)
        return {}

    # -- configuration resources -------------------------------------------------

    def create_autoscaling_configuration(
        self, region: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        registry = self.region_configs(region).autoscaling
        name = params["AutoScalingConfigurationName"]
        concurrency, low, high = autoscaling_sizes(params)
        registry.check_quota(name)
        config = registry.add(
            AutoScalingConfiguration(
                region,
                self.clock.now(),
                name=name,
                revision=registry.next_revision(name),
                id=new_config_id(self.rng),
                provided=False,
                max_concurrency=concurrency,
                min_size=low,
                max_size=high,
                is_default=False,
                tags=_tags(params.get("Tags", [])),
                account=self.account,
            )
        )
        return {"AutoScalingConfiguration": self._autoscaling_doc(region, config)}

    def list_autoscaling_configurations(
        self, region: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        registry = self.region_configs(region).autoscaling
        name = params.get("AutoScalingConfigurationName")
        latest_only = params.get("LatestOnly", True)  # the model: "Default: true"
        configs = _listed(registry, name, latest_only)
        used = self._used_arns(region)
        return self.pager.listing(
            "ListAutoScalingConfigurations",
            f"{region}\n{name}\n{latest_only}",
            "AutoScalingConfigurationSummaryList",
            configs,
            params,
            lambda c: c.summary(c.arn in used),
        )

    def describe_autoscaling_configuration(
        self, region: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        registry = self.region_configs(region).autoscaling
        config = registry.find(params["AutoScalingConfigurationArn"])
        return {"AutoScalingConfiguration": self._autoscaling_doc(region, config)}

    def delete_autoscaling_configuration(
        self, region: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        registry = self.region_configs(region).autoscaling
        arn = params["AutoScalingConfigurationArn"]
        config = registry.find(arn, active=True)
        doomed = [config]
        if params.get("DeleteAllRevisions"):
            if arn.rstrip("/").endswith(f"/{config.name}"):
                doomed = registry.active(config.name)
            else:
                raise invalid_request(
                    "With DeleteAllRevisions, AutoScalingConfigurationArn must end with the "
                    f".../{config.name} of the configuration, with no revision."
                )
        used = self._used_arns(region)
        for item in doomed:
            which = f"{item.name} revision {item.revision}"
            if item.is_default:
                raise invalid_request(
                    f"Auto scaling configuration {which} is the default; make another the "
                    "default (UpdateDefaultAutoScalingConfiguration) before deleting it."
                )
            if item.arn in used:
                raise invalid_request(
                    f"Auto scaling configuration {which} is used by a service; associate the "
                    "service with another configuration before deleting it."
                )
        now = self.clock.now()
        for item in doomed:
            item.deleted_at = now
        return {"AutoScalingConfiguration": self._autoscaling_doc(region, config)}

    def update_default_autoscaling(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        registry = self.region_configs(region).autoscaling
        config = registry.find(params["AutoScalingConfigurationArn"], active=True)
        for item in registry:
            item.is_default = item is config
        return {"AutoScalingConfiguration": self._autoscaling_doc(region, config)}

    def list_services_for_autoscaling(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        registry = self.region_configs(region).autoscaling
        config = registry.find(params["AutoScalingConfigurationArn"])
        services = [
            s for s in self.live_services(region, self.clock.now()) if s.autoscaling is config
        ]
        return self.pager.listing(
            "ListServicesForAutoScalingConfiguration",
            config.arn,
            "ServiceArnList",
            services,
            params,
            lambda s: s.arn,
        )

    def create_observability_configuration(
        self, region: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        registry = self.region_configs(region).observability
        name = params["ObservabilityConfigurationName"]
        if name == DEFAULT_NAME:
            raise invalid_request(
                f"The name {DEFAULT_NAME} is reserved: create an observability configuration "
                "with another name."
            )
        registry.check_quota(name)
        config = registry.add(
            ObservabilityConfiguration(
                region,
                self.clock.now(),
                name=name,
                revision=registry.next_revision(name),
                id=new_config_id(self.rng),
                trace=params.get("TraceConfiguration"),
                tags=_tags(params.get("Tags", [])),
                account=self.account,
            )
        )
        return {"ObservabilityConfiguration": config.describe(registry.is_latest(config))}

    def list_observability_configurations(
        self, region: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        registry = self.region_configs(region).observability
        name = params.get("ObservabilityConfigurationName")
        latest_only = params.get("LatestOnly", True)  # the model: "Default: true"
        return self.pager.listing(
            "ListObservabilityConfigurations",
            f"{region}\n{name}\n{latest_only}",
            "ObservabilityConfigurationSummaryList",
            _listed(registry, name, latest_only),
            params,
            lambda c: c.summary(),
        )

    def describe_observability_configuration(
        self, region: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        registry = self.region_configs(region).observability
        config = registry.find(params["ObservabilityConfigurationArn"])
        return {"ObservabilityConfiguration": config.describe(registry.is_latest(config))}

    def delete_observability_configuration(
        self, region: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        registry = self.region_configs(region).observability
        config = registry.find(params["ObservabilityConfigurationArn"], active=True)
        if config.arn in self._used_arns(region):
            raise invalid_request(
                f"Observability configuration {config.name} revision {config.revision} is "
                "used by a service; turn the service's observability off or name another "
                "configuration before deleting it."
            )
        config.deleted_at = self.clock.now()
        return {"ObservabilityConfiguration": config.describe(registry.is_latest(config))}

    def create_vpc_connector(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        registry = self.region_configs(region).vpc_connectors
        name = params["VpcConnectorName"]
        subnet_ids(params)
        if registry.active(name):
            raise invalid_request(f"A VPC connector named {name} already exists.")
        registry.check_quota(name, revisions=False)
        connector = registry.add(
            VpcConnector(
                region,
                self.clock.now(),
                name=name,
                revision=registry.next_revision(name),
                id=new_config_id(self.rng),
                subnets=list(params["Subnets"]),
                security_groups=list(params.get("SecurityGroups", [])),
                tags=_tags(params.get("Tags", [])),
                account=self.account,
            )
        )
        return {"VpcConnector": connector.describe()}

    def list_vpc_connectors(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        registry = self.region_configs(region).vpc_connectors
        return self.pager.listing(
            "ListVpcConnectors",
            region,
            "VpcConnectors",
            registry.active(),
            params,
            lambda c: c.describe(),
        )

    def describe_vpc_connector(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        registry = self.region_configs(region).vpc_connectors
        connector = registry.find(params["VpcConnectorArn"], partial=False)
        return {"VpcConnector": connector.describe()}

    def delete_vpc_connector(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        registry = self.region_configs(region).vpc_connectors
        connector = registry.find(params["VpcConnectorArn"], partial=False, active=True)
        if connector.arn in self._used_arns(region):
            raise invalid_request(
                f"VPC connector {connector.name} is used by a service; change the service's "
                "egress before deleting it."
            )
        connector.deleted_at = self.clock.now()
        return {"VpcConnector": connector.describe()}

    def associate_custom_domain(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        service = self.find(region, params["ServiceArn"])
        self.check_allowed(service, "AssociateCustomDomain", now, custom_domains.refusal)
        # botocore's model documents EnableWWWSubdomain as "Default: true".
        www = params.get("EnableWWWSubdomain", True)
        domain = custom_domains.associate(
            service, params["DomainName"], www, now, self.rng, self.speedup
        )
        return custom_domains.answer(service, CustomDomain=domain.describe(now))

    def describe_custom_domains(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        service = self.find(region, params["ServiceArn"])
        service.settle(now)
        held = [] if service.status == "DELETED" else custom_domains.held(service, now)
        page = self.pager.listing(
            "DescribeCustomDomains",
            service.arn,
            "CustomDomains",
            held,
            params,
            lambda d: d.describe(now),
        )
        return custom_domains.answer(service, **page)

    def disassociate_custom_domain(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        service = self.find(region, params["ServiceArn"])
        self.check_allowed(service, "DisassociateCustomDomain", now, custom_domains.refusal)
        domain = custom_domains.disassociate(service, params["DomainName"], now)
        return custom_domains.answer(service, CustomDomain=domain.describe(now))

    # -- connections -------------------------------------------------------------

    def create_connection(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        connection = self.region_connections(region).create(
            params["ConnectionName"],
            params["ProviderType"],
            self.clock.now(),
            self.rng,
            _tags(params.get("Tags", [])),
        )
        return {"Connection": connection.describe()}

    def list_connections(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("ConnectionName")
        return self.pager.listing(
            "ListConnections",
            f"{region}\n{name}",
            "ConnectionSummaryList",
            self.region_connections(region).live(name),
            params,
            lambda c: c.describe(),
        )

    def delete_connection(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        connection = self.region_connections(region).find(params["ConnectionArn"])
        if connection.arn in self._used_arns(region):
            raise invalid_request(
                f"Connection {connection.name} is used by a service; delete the service or "
                "move it to another connection before deleting it."
            )
        connection.status = "DELETED"
        return {"Connection": connection.describe()}

    def _connected(self, region: str, source: dict[str, Any]) -> dict[str, Any]:
        """`source`, once the connection its code repository names is found AVAILABLE."""
        arn = connection_arn(source)
        if arn is not None:
            member = "SourceConfiguration.AuthenticationConfiguration.ConnectionArn"
            self.region_connections(region).usable(arn, member)
        return source

    # -- VPC ingress connections ---------------------------------------------------

    def create_vpc_ingress_connection(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        try:
            service = self.find(region, params["ServiceArn"])
        except ApiError as exc:  # the model lists no ResourceNotFoundException here
            raise invalid_request(exc.message) from None
        running = service.running_operation(now)
        message = ingress.service_refusal(
            f"Service {service.name}", service.true_status(now), running.type if running else None
        )
        if message is not None:
            raise invalid_state(message)
        item = self.region_ingress(region).create(
            {**params, "ServiceArn": service.arn},
            now,
            self.rng,
            self.speedup,
            _tags(params.get("Tags", [])),
        )
        return {"VpcIngressConnection": item.describe(now)}

    def describe_vpc_ingress_connection(
        self, region: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        now = self.clock.now()
        item = self.region_ingress(region).find(params["VpcIngressConnectionArn"], now)
        return {"VpcIngressConnection": item.describe(now)}

    def list_vpc_ingress_connections(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        wanted = params.get("Filter", {})
        items = [
            c
            for c in self.region_ingress(region).live(now)
            if wanted.get("ServiceArn", c.service_arn) == c.service_arn
            and wanted.get("VpcEndpointId", c.endpoint_id) == c.endpoint_id
        ]
        return self.pager.listing(
            "ListVpcIngressConnections",
            f"{region}\n{wanted.get('ServiceArn')}\n{wanted.get('VpcEndpointId')}",
            "VpcIngressConnectionSummaryList",
            items,
            params,
            lambda c: c.summary(),
        )

    def update_vpc_ingress_connection(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        registry = self.region_ingress(region)
        item = registry.find(params["VpcIngressConnectionArn"], now)
        registry.update(item, params["IngressVpcConfiguration"], now, self.speedup)
        return {"VpcIngressConnection": item.describe(now)}

    def delete_vpc_ingress_connection(self, region: str, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        registry = self.region_ingress(region)
        item = registry.find(params["VpcIngressConnectionArn"], now)
        registry.delete(item, now, self.speedup)
        return {"VpcIngressConnection": item.describe(now)}

    def _refuse_if_ingress(self, region: str, service_arn: str) -> None:
        """InvalidRequestException if the service still has a VPC ingress connection."""
        held = self.region_ingress(region).of_service(service_arn, self.clock.now())
        if held is not None:
            raise invalid_request(
                f"The service has VPC ingress connection {held.name} ({held.status}); delete "
                "it, and wait for it to be DELETED, before deleting the service."
            )

    def _named_autoscaling(self, region: str, arn: str) -> AutoScalingConfiguration:
        return self.region_configs(region).autoscaling.named(arn)

    def _network(
        self, region: str, config: dict[str, Any], current: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A NetworkConfiguration as the service will hold it; its connector must exist."""
        out = rules.network(config, current)
        egress = out["EgressConfiguration"]
        if "VpcConnectorArn" in egress:
            connector = self.region_configs(region).vpc_connectors.named(
                egress["VpcConnectorArn"],
                "NetworkConfiguration.EgressConfiguration.VpcConnectorArn",
            )
            out["EgressConfiguration"] = {**egress, "VpcConnectorArn": connector.arn}
        return out

    def _observability(self, region: str, config: dict[str, Any]) -> dict[str, Any]:
        """A ServiceObservabilityConfiguration as the service will hold it: the full ARN of
        the revision it names (`…/name` is the latest), which must exist."""
        arn = config.get("ObservabilityConfigurationArn")
        if not config["ObservabilityEnabled"]:
            if arn is not None:
                raise invalid_request(
                    "ObservabilityConfigurationArn is only valid with ObservabilityEnabled true."
                )
            return {"ObservabilityEnabled": False}
        if arn is None:
            raise invalid_request(
                "ObservabilityEnabled true needs an ObservabilityConfigurationArn."
            )
        found = self.region_configs(region).observability.named(arn)
        return {"ObservabilityEnabled": True, "ObservabilityConfigurationArn": found.arn}

    def _autoscaling_doc(self, region: str, config: AutoScalingConfiguration) -> dict[str, Any]:
        registry = self.region_configs(region).autoscaling
        return config.describe(config.arn in self._used_arns(region), registry.is_latest(config))

    def _used_arns(self, region: str) -> set[str]:
        """ARNs of the configuration resources and connections live services use, or will
        once the update in flight ends."""
        out: set[str] = set()
        for service in self.live_services(region, self.clock.now()):
            views: list[dict[str, Any]] = [
                {
                    "source": service.source,
                    "autoscaling": service.autoscaling,
                    "network": service.network,
                    "observability": service.observability,
                }
            ]
            views += [op.changes for op in service.operations if not op.applied]
            for view in views:
                if "autoscaling" in view:
                    out.add(view["autoscaling"].arn)
                egress = (view.get("network") or {}).get("EgressConfiguration", {})
                if "VpcConnectorArn" in egress:
                    out.add(egress["VpcConnectorArn"])
                observability = view.get("observability") or {}
                if "ObservabilityConfigurationArn" in observability:
                    out.add(observability["ObservabilityConfigurationArn"])
                connection = connection_arn(view.get("source"))
                if connection is not None:
                    out.add(connection)
        return out

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

    def add_dns_records(
        self, region: str, name: str, service_name: str | None, caa: str | None
    ) -> tuple[ServiceRecord, dict[str, Any]]:
        """Put domain `name`'s validation records in the simulated DNS (CAA naming `caa`).

        The domain of `service_name`, or of the first live service holding it; a domain
        past waiting for its records is left as it is. Returns the service and the
        CustomDomain document; raises ResourceNotFoundException.
        """
        with self.lock:
            now = self.clock.now()
            if service_name is not None:
                candidates = [self._live_named(region, service_name)]
            else:
                candidates = self.live_services(region, now)
            for service in candidates:
                domain = custom_domains.find(service, name, now)
                if domain is not None:
                    domain.add_records(now, caa)
                    return service, domain.describe(now)
            where = f"service {service_name}" if service_name else "any service"
            raise not_found(f"Domain {name} is not associated with {where} in {region}.")

    def force_domain_reported(
        self, region: str, service_name: str, name: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        """Make a domain report `fields` over its own (empty clears them); its document."""
        with self.lock:
            now = self.clock.now()
            domain = custom_domains.find(self._live_named(region, service_name), name, now)
            if domain is None:
                raise not_found(f"Domain {name} is not associated with {service_name}.")
            domain.reported_override = dict(fields)
            return domain.describe(now)

    def dns_report(self) -> list[dict[str, Any]]:
        """Every live service's domains, for the control API."""
        with self.lock:
            now = self.clock.now()
            return [
                {
                    "service": service.name,
                    "account": self.account,
                    "region": region,
                    "domain": domain.name,
                    "status": domain.status(now),
                    "records_added": domain.records_added_at is not None,
                    "caa": domain.caa,
                }
                for region in list(self.regions)
                for service in self.live_services(region, now)
                for domain in custom_domains.held(service, now)
            ]

    def complete_handshake(self, region: str, name: str) -> dict[str, Any]:
        """Complete connection `name`'s handshake, as the console does: PENDING_HANDSHAKE
        turns AVAILABLE (an AVAILABLE one stays so). Its Connection document; raises
        ResourceNotFoundException."""
        with self.lock:
            connection = self.region_connections(region).named(name)
            connection.status = "AVAILABLE"
            return connection.describe()

    def connections_report(self) -> list[dict[str, Any]]:
        """Every live connection, in every region, for the control API."""
        with self.lock:
            return [
                {**c.describe(), "account": self.account, "region": region}
                for region, registry in list(self.connections.items())
                for c in registry.live()
            ]

    def _live_named(self, region: str, name: str) -> ServiceRecord:
        for service in self.live_services(region, self.clock.now()):
            if service.name == name:
                return service
        raise not_found(f"No service named {name} in {region}.")


R = TypeVar("R", bound=Revision)


class _Tagged(Protocol):
    """Any App Runner resource: it carries tags."""

    tags: dict[str, str]


def _listed(registry: Registry[R], name: str | None, latest_only: bool) -> list[R]:
    """Active revisions (of `name`, if given), by name then revision; only each name's
    latest if `latest_only`."""
    items = registry.active(name)
    if latest_only:
        items = [r for r in items if registry.is_latest(r)]
    return items


def _tags(tags: list[dict[str, str]]) -> dict[str, str]:
    # The model checks a key's length and `aws:` prefix, but leaves the key optional.
    if any("Key" not in tag for tag in tags):
        raise invalid_request("Every tag needs a Key.")
    return {tag["Key"]: tag.get("Value", "") for tag in tags}
