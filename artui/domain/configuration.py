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

import re
from dataclasses import dataclass, field
from datetime import datetime

from artui.domain.apprunner import HealthCheck

MASK = "••••••••"

# The CPU and memory pairs App Runner supports (InstanceConfiguration in the API reference),
# in the units DescribeService answers with: CPU units and MB. The simulator keeps its own
# copy (it stands alone); a test checks the two agree.
INSTANCE_SIZES: dict[str, tuple[str, ...]] = {
    "256": ("512", "1024"),
    "512": ("1024",),
    "1024": ("2048", "3072", "4096"),
    "2048": ("4096", "6144"),
    "4096": ("8192", "10240", "12288"),
}
# The guide's auto scaling limits: instances per service (by default), requests an
# instance takes at once.
MAX_SIZE = 25
MAX_CONCURRENCY = 200
# The configuration every account has, shared by every service that names no other.
DEFAULT_SCALING = "DefaultConfiguration"


def scaling_name(current: str | None, service_name: str) -> str:
    """The auto scaling configuration a scale makes a new revision of: the service's own,
    or, when it runs on the shared default, one named after the service (4 to 32 letters,
    digits, - and _, as CreateAutoScalingConfiguration takes)."""
    if current and current != DEFAULT_SCALING:
        return current
    name = re.sub(r"[^A-Za-z0-9_-]", "-", service_name)[:32]
    return name if len(name) >= 4 else f"{name}-scaling"


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
class VpcIngressConnection:
    """The service's VPC ingress connection (DescribeVpcIngressConnection): how a private
    service is reached from one VPC, through its interface endpoint."""

    arn: str
    name: str
    status: str | None = None
    vpc_id: str | None = None
    endpoint_id: str | None = None
    domain_name: str | None = None


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
class Image:
    """One image of the service's ECR repository (DescribeImages)."""

    digest: str
    tags: tuple[str, ...] = ()
    pushed_at: datetime | None = None

    def identifier(self, repository: str) -> str:
        """The ImageIdentifier that names this image: `repository:tag`, or by digest when
        it has no tag."""
        return f"{repository}:{self.tags[0]}" if self.tags else f"{repository}@{self.digest}"


def ecr_repository(identifier: str) -> tuple[str, str, str] | None:
    """(registry account, region, repository name) of a private ECR image identifier
    (`123456789012.dkr.ecr.us-east-1.amazonaws.com/name:tag`), or None for any other."""
    found = _PRIVATE_ECR.match(identifier)
    if found is None:
        return None
    return found["account"], found["region"], found["name"]


_PRIVATE_ECR = re.compile(
    r"^(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<name>[a-z0-9._/-]+?)(?::[\w.-]+|@sha256:[0-9a-f]{64})?$"
)


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
    vpc_ingress: VpcIngressConnection | None = None
    observability_enabled: bool | None = None
    observability_arn: str | None = None
    tracing: Tracing | None = None
    encryption_key: str | None = None
    tags: tuple[tuple[str, str], ...] | None = None
    # The repository's images, newest first, for a private ECR image (None: not read).
    images: tuple[Image, ...] | None = None
    problems: tuple[tuple[str, str], ...] = ()
