"""A service's configuration: DescribeService, then the resources it names, read together.

The service's own read must succeed; each related read (auto scaling, VPC connector, VPC
ingress connection, observability, tags) may fail on its own (a role allowed DescribeService but not
DescribeVpcConnector): the pane shows the rest and says what could not be read.

Auto scaling, VPC connector and observability configurations are shared by many services,
and a region's VPC ingress connections are listed in one call: reads that share a `Linked`
make each of those once (`artui export` reads a whole region through one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

from artui.aws.errors import aws_errors
from artui.domain.apprunner import HealthCheck
from artui.domain.configuration import (
    AutoScaling,
    Configuration,
    Image,
    Network,
    Secret,
    Source,
    Tracing,
    Variable,
    VpcConnector,
    VpcIngressConnection,
    ecr_repository,
)
from artui.domain.errors import ArtuiError

T = TypeVar("T")
# ListVpcIngressConnections' largest page.
INGRESS_PAGE_SIZE = 100


class Linked:
    """Reads of resources many services name, each made once however many ask for it (a
    failed one fails for each that asked, with AWS's words)."""

    def __init__(self) -> None:
        self._reads: dict[tuple[str, str], asyncio.Future[Any]] = {}

    async def once(self, what: str, key: str, call: Callable[[], Awaitable[T]]) -> T:
        """`call()`'s answer for (`what`, `key`), from the first read that asked."""
        read = self._reads.get((what, key))
        if read is None:
            read = self._reads[(what, key)] = asyncio.ensure_future(call())
        # shield: one asker cancelled must not cancel the read the others wait on
        result: T = await asyncio.shield(read)
        return result


async def _ingress_by_service(client: Any) -> dict[str, str]:
    """The region's VPC ingress connections: service ARN to connection ARN (the first
    listed, as a service holds at most one)."""
    found: dict[str, str] = {}
    request: dict[str, Any] = {"MaxResults": INGRESS_PAGE_SIZE}
    while True:
        page = await client.list_vpc_ingress_connections(**request)
        for summary in page.get("VpcIngressConnectionSummaryList") or ():
            if isinstance(summary, dict) and summary.get("ServiceArn"):
                found.setdefault(
                    str(summary["ServiceArn"]), str(summary.get("VpcIngressConnectionArn", ""))
                )
        token = page.get("NextToken")
        if not token:
            return found
        request = {**request, "NextToken": token}


def _text(value: Any) -> str | None:
    """A value AWS sent as text (anything else, as its text; absent as None)."""
    return None if value is None else str(value)


def _pairs(mapping: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in mapping.items()} if isinstance(mapping, dict) else {}


def source(cfg: dict[str, Any]) -> Source:
    """SourceConfiguration as artui shows it: image or code, how it builds and runs."""
    auto = cfg.get("AutoDeploymentsEnabled")
    role = (cfg.get("AuthenticationConfiguration") or {}).get("AccessRoleArn")
    if image := cfg.get("ImageRepository"):
        run = image.get("ImageConfiguration") or {}
        return Source(
            kind="image",
            identifier=str(image.get("ImageIdentifier", "?")),
            repository_type=_text(image.get("ImageRepositoryType")),
            auto_deployments=auto,
            access_role=role,
            start_command=_text(run.get("StartCommand")),
            port=_text(run.get("Port")),
            variables=_variables(run),
            secrets=_secrets(run),
        )
    if code := cfg.get("CodeRepository"):
        version = code.get("SourceCodeVersion") or {}
        config = code.get("CodeConfiguration") or {}
        values = config.get("CodeConfigurationValues") or {}
        return Source(
            kind="code",
            identifier=str(code.get("RepositoryUrl", "?")),
            repository_type=_text(version.get("Type")),
            version=_text(version.get("Value")),
            source_directory=_text(code.get("SourceDirectory")),
            auto_deployments=auto,
            access_role=role,
            runtime=_text(values.get("Runtime")),
            build_command=_text(values.get("BuildCommand")),
            start_command=_text(values.get("StartCommand")),
            port=_text(values.get("Port")),
            configuration_source=_text(config.get("ConfigurationSource")),
            variables=_variables(values),
            secrets=_secrets(values),
        )
    return Source(kind="unknown", identifier="—", auto_deployments=auto, access_role=role)


def _variables(run: dict[str, Any]) -> tuple[Variable, ...]:
    pairs = _pairs(run.get("RuntimeEnvironmentVariables"))
    return tuple(Variable(name, value) for name, value in sorted(pairs.items()))


def _secrets(run: dict[str, Any]) -> tuple[Secret, ...]:
    pairs = _pairs(run.get("RuntimeEnvironmentSecrets"))
    return tuple(Secret(name, arn) for name, arn in sorted(pairs.items()))


def health_check(hc: dict[str, Any]) -> HealthCheck:
    """HealthCheckConfiguration as artui holds it."""
    return HealthCheck(
        protocol=hc.get("Protocol"),
        path=hc.get("Path"),
        interval=hc.get("Interval"),
        timeout=hc.get("Timeout"),
        healthy_threshold=hc.get("HealthyThreshold"),
        unhealthy_threshold=hc.get("UnhealthyThreshold"),
    )


def configuration(item: dict[str, Any]) -> Configuration:
    """DescribeService's Service as a Configuration (the related resources not yet read)."""
    instance = item.get("InstanceConfiguration") or {}
    hc = item.get("HealthCheckConfiguration") or {}
    network = item.get("NetworkConfiguration") or {}
    ingress = network.get("IngressConfiguration") or {}
    egress = network.get("EgressConfiguration") or {}
    observability = item.get("ObservabilityConfiguration") or {}
    scaling = item.get("AutoScalingConfigurationSummary") or {}
    return Configuration(
        source=source(item.get("SourceConfiguration") or {}),
        cpu=_text(instance.get("Cpu")),
        memory=_text(instance.get("Memory")),
        instance_role=_text(instance.get("InstanceRoleArn")),
        health_check=health_check(hc),
        auto_scaling=AutoScaling(
            arn=str(scaling.get("AutoScalingConfigurationArn", "")),
            name=str(scaling.get("AutoScalingConfigurationName", "?")),
            revision=scaling.get("AutoScalingConfigurationRevision"),
            status=_text(scaling.get("Status")),
        )
        if scaling
        else None,
        network=Network(
            public_ingress=ingress.get("IsPubliclyAccessible"),
            egress=_text(egress.get("EgressType")),
            vpc_connector_arn=_text(egress.get("VpcConnectorArn")),
            ip_address_type=_text(network.get("IpAddressType")),
        ),
        observability_enabled=observability.get("ObservabilityEnabled"),
        observability_arn=_text(observability.get("ObservabilityConfigurationArn")),
        encryption_key=_text((item.get("EncryptionConfiguration") or {}).get("KmsKey")),
    )


async def read(client: Any, arn: str) -> Configuration:
    """DescribeService, then the auto scaling configuration, the VPC connector, the VPC
    ingress connection, the observability configuration and the tags, those five at once."""
    with aws_errors():
        item = (await client.describe_service(ServiceArn=arn))["Service"]
    return await related_to(client, item, Linked())


async def related_to(client: Any, item: dict[str, Any], linked: Linked) -> Configuration:
    """DescribeService's `item` as a Configuration, with the resources it names read at
    once; the shared ones through `linked`."""
    arn = str(item.get("ServiceArn", ""))
    config = configuration(item)
    problems: list[tuple[str, str]] = []

    async def related(what: str, call: Callable[[], Awaitable[T]]) -> T | None:
        try:
            with aws_errors():
                return await call()
        except ArtuiError as exc:
            problems.append((what, str(exc)))
            return None

    async def scaling() -> AutoScaling | None:
        summary = config.auto_scaling
        if summary is None or not summary.arn:
            return summary
        answer = await linked.once(
            "auto scaling",
            summary.arn,
            lambda: client.describe_auto_scaling_configuration(
                AutoScalingConfigurationArn=summary.arn
            ),
        )
        found = answer.get("AutoScalingConfiguration") or {}
        return replace(
            summary,
            revision=found.get("AutoScalingConfigurationRevision", summary.revision),
            latest=found.get("Latest"),
            min_size=found.get("MinSize"),
            max_size=found.get("MaxSize"),
            max_concurrency=found.get("MaxConcurrency"),
            status=_text(found.get("Status")) or summary.status,
        )

    async def connector() -> VpcConnector | None:
        connector_arn = config.network.vpc_connector_arn
        if not connector_arn:
            return None
        answer = await linked.once(
            "VPC connector",
            connector_arn,
            lambda: client.describe_vpc_connector(VpcConnectorArn=connector_arn),
        )
        found = answer.get("VpcConnector") or {}
        return VpcConnector(
            arn=connector_arn,
            name=str(found.get("VpcConnectorName", "?")),
            subnets=tuple(str(s) for s in found.get("Subnets") or ()),
            security_groups=tuple(str(s) for s in found.get("SecurityGroups") or ()),
            status=_text(found.get("Status")),
        )

    async def ingress() -> VpcIngressConnection | None:
        # DescribeService does not name it: the region's list says which service holds
        # which (a service holds at most one).
        ingress_arn = (
            await linked.once("VPC ingress connections", "", lambda: _ingress_by_service(client))
        ).get(arn)
        if not ingress_arn:
            return None
        found = (
            await client.describe_vpc_ingress_connection(VpcIngressConnectionArn=ingress_arn)
        ).get("VpcIngressConnection") or {}
        vpc = found.get("IngressVpcConfiguration") or {}
        return VpcIngressConnection(
            arn=ingress_arn,
            name=str(found.get("VpcIngressConnectionName", "?")),
            status=_text(found.get("Status")),
            vpc_id=_text(vpc.get("VpcId")),
            endpoint_id=_text(vpc.get("VpcEndpointId")),
            domain_name=_text(found.get("DomainName")),
        )

    async def tracing() -> Tracing | None:
        tracing_arn = config.observability_arn
        if not config.observability_enabled or not tracing_arn:
            return None
        answer = await linked.once(
            "observability",
            tracing_arn,
            lambda: client.describe_observability_configuration(
                ObservabilityConfigurationArn=tracing_arn
            ),
        )
        found = answer.get("ObservabilityConfiguration") or {}
        return Tracing(
            arn=tracing_arn,
            name=str(found.get("ObservabilityConfigurationName", "?")),
            revision=found.get("ObservabilityConfigurationRevision"),
            vendor=_text((found.get("TraceConfiguration") or {}).get("Vendor")),
        )

    async def tags() -> tuple[tuple[str, str], ...]:
        answer = await client.list_tags_for_resource(ResourceArn=arn)
        return tuple(
            (str(t.get("Key", "")), str(t.get("Value", "")))
            for t in answer.get("Tags") or ()
            if isinstance(t, dict)
        )

    auto_scaling, vpc_connector, vpc_ingress, traced, tagged = await asyncio.gather(
        related("DescribeAutoScalingConfiguration", scaling),
        related("DescribeVpcConnector", connector),
        related("ListVpcIngressConnections", ingress),
        related("DescribeObservabilityConfiguration", tracing),
        related("ListTagsForResource", tags),
    )
    return replace(
        config,
        auto_scaling=auto_scaling or config.auto_scaling,
        vpc_connector=vpc_connector,
        vpc_ingress=vpc_ingress,
        tracing=traced,
        tags=tagged,
        problems=tuple(problems),
    )


# How many of a repository's images a rollback offers: the newest, by push time.
IMAGES = 100


async def images(ecr: Any, identifier: str) -> tuple[Image, ...] | None:
    """The private ECR repository's images that `identifier` names, newest first (None for
    an image elsewhere: ECR Public, another registry)."""
    found = ecr_repository(identifier)
    if found is None:
        return None
    account, _, name = found
    with aws_errors():
        answer = await ecr.describe_images(
            registryId=account, repositoryName=name, maxResults=IMAGES
        )
    listed = [
        Image(
            digest=str(d.get("imageDigest", "")),
            tags=tuple(str(t) for t in d.get("imageTags") or ()),
            pushed_at=d.get("imagePushedAt"),
        )
        for d in answer.get("imageDetails") or ()
        if isinstance(d, dict)
    ]
    # ECR promises no order: newest first by push time, the untimed last.
    listed.sort(
        key=lambda i: (i.pushed_at is not None, i.pushed_at and i.pushed_at.timestamp()),
        reverse=True,
    )
    return tuple(listed)
