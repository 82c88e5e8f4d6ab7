"""A service's whole configuration, as the configuration pane shows it: DescribeService's
source, instance, health check, network and observability, and the resources it names
(the auto scaling configuration, the VPC connector, the observability configuration, the
tags).

A variable's value is held here and nowhere else: it is shown only on the line the
operator revealed, and `__repr__` leaves it out, so that no log record, error or journal
entry that formats a configuration carries it. A secret's value is never read at all: a
secret is its name and the ARN it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from artui.domain.apprunner import HealthCheck

MASK = "••••••••"


@dataclass(frozen=True)
class Variable:
    """A runtime environment variable: its name, and its value (never in a repr)."""

    name: str
    value: str = field(repr=False)


@dataclass(frozen=True)
class Secret:
    """A runtime environment secret: its name and the Secrets Manager or SSM ARN it comes
    from. App Runner hands the value to the instances; artui never fetches it."""

    name: str
    source: str


@dataclass(frozen=True)
class Source:
    """Where the service's code comes from and how it runs."""

    kind: str  # "image", "code" or "unknown"
    identifier: str  # the image identifier, or the repository URL
    repository_type: str | None = None  # ECR, ECR_PUBLIC; for code, its version's type
    version: str | None = None  # a code repository's branch or commit
    source_directory: str | None = None
    auto_deployments: bool | None = None
    access_role: str | None = None
    runtime: str | None = None
    build_command: str | None = None
    start_command: str | None = None
    port: str | None = None
    configuration_source: str | None = None  # code: API or REPOSITORY (apprunner.yaml)
    variables: tuple[Variable, ...] = ()
    secrets: tuple[Secret, ...] = ()


@dataclass(frozen=True)
class AutoScaling:
    """DescribeAutoScalingConfiguration's answer (or, when that read failed, what
    DescribeService's summary says)."""

    arn: str
    name: str
    revision: int | None = None
    latest: bool | None = None
    min_size: int | None = None
    max_size: int | None = None
    max_concurrency: int | None = None
    status: str | None = None


@dataclass(frozen=True)
class VpcConnector:
    """DescribeVpcConnector's answer."""

    arn: str
    name: str
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    status: str | None = None


@dataclass(frozen=True)
class Network:
    """Ingress and egress: public or private, default or through a VPC connector."""

    public_ingress: bool | None = None
    egress: str | None = None  # DEFAULT or VPC
    vpc_connector_arn: str | None = None
    ip_address_type: str | None = None


@dataclass(frozen=True)
class Tracing:
    """DescribeObservabilityConfiguration's answer."""

    arn: str
    name: str
    revision: int | None = None
    vendor: str | None = None  # AWSXRAY, or None when the configuration traces nothing


@dataclass(frozen=True)
class Configuration:
    """Everything a service is made of, as artui could read it. A related read that
    failed leaves its part None and says why in `problems` (what was read, AWS's words)."""

    source: Source
    cpu: str | None = None
    memory: str | None = None
    instance_role: str | None = None
    health_check: HealthCheck = HealthCheck()
    auto_scaling: AutoScaling | None = None
    network: Network = Network()
    vpc_connector: VpcConnector | None = None
    observability_enabled: bool | None = None
    observability_arn: str | None = None
    tracing: Tracing | None = None
    encryption_key: str | None = None
    tags: tuple[tuple[str, str], ...] | None = None
    problems: tuple[tuple[str, str], ...] = ()
