"""Service records for the migration plan's tests: a clean one, and one row per rule with
the change that triggers it (tests/domain/test_migration.py checks the finding,
tests/aws/test_ecs_model.py that every request they give is one the ECS model accepts)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from artui.domain.apprunner import HealthCheck, Service, ServiceStatus
from artui.domain.configuration import (
    AutoScaling,
    Configuration,
    Network,
    Secret,
    Source,
    Tracing,
    Variable,
    VpcConnector,
    VpcIngressConnection,
)
from artui.domain.custom_domains import CustomDomain, DomainStatus
from artui.domain.export import ServiceRecord

ACCOUNT = "123456789012"
IMAGE = "public.ecr.aws/acme/shop:1.4"
PRIVATE_IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop:1.4"
REPO = "https://github.com/acme/shop"
CONNECTOR = f"arn:aws:apprunner:us-east-1:{ACCOUNT}:vpcconnector/db/1/abc"
ACCESS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/AppRunnerECRAccess"
INSTANCE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/shop-instance"
SECRET_ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db-password-AbCdEf"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def service(name: str = "shop", status: str = "RUNNING") -> Service:
    """A ListServices row in us-east-1."""
    return Service(
        name=name,
        id="0123456789abcdef",
        arn=f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/{name}/0123456789abcdef",
        region="us-east-1",
        status=ServiceStatus.parse(status),
        raw_status=status,
    )


def clean_configuration() -> Configuration:
    """A public ECR Public image with an HTTP health check: nothing that fails to carry over."""
    return Configuration(
        source=Source(kind="image", identifier=IMAGE, repository_type="ECR_PUBLIC", port="8000"),
        cpu="1024",
        memory="2048",
        health_check=HealthCheck(protocol="HTTP", path="/health", interval=5, timeout=2),
        network=Network(public_ingress=True),
        tags=(("team", "web"),),
    )


def record(
    configuration: Configuration | None = None,
    *,
    status: str = "RUNNING",
    domains: tuple[CustomDomain, ...] | None = (),
    name: str = "shop",
) -> ServiceRecord:
    """A record that was read: its configuration (clean unless given) and custom domains."""
    return ServiceRecord(
        service=service(name, status),
        configuration=configuration or clean_configuration(),
        custom_domains=domains,
    )


def with_source(**changes: Any) -> Configuration:
    """The clean configuration with its source changed."""
    config = clean_configuration()
    return replace(config, source=replace(config.source, **changes))


def with_config(**changes: Any) -> Configuration:
    """The clean configuration with some fields changed."""
    return replace(clean_configuration(), **changes)


def domain(name: str, www: bool = False) -> CustomDomain:
    return CustomDomain(name=name, www=www, status=DomainStatus.ACTIVE, raw_status="ACTIVE")


CODE_SOURCE = Source(
    kind="code",
    identifier=REPO,
    repository_type="BRANCH",
    version="main",
    runtime="PYTHON_3",
    build_command="pip install -r requirements.txt",
    start_command="python app.py",
    port="8000",
    configuration_source="API",
)
CONNECTED = Network(public_ingress=True, egress="VPC", vpc_connector_arn=CONNECTOR)
DB_CONNECTOR = VpcConnector(
    arn=CONNECTOR,
    name="db",
    subnets=("subnet-0aaa1111", "subnet-0bbb2222"),
    security_groups=("sg-0ccc3333",),
)


@dataclass(frozen=True)
class Row:
    """A record that triggers `rule`: the finding's field and value, a piece of its line,
    and the other rules the same record triggers."""

    id: str
    record: ServiceRecord
    rule: str
    field: str
    value: str
    line: str
    also: frozenset[str] = field(default_factory=frozenset)


ROWS = (
    Row(
        "code-repository",
        record(replace(clean_configuration(), source=CODE_SOURCE)),
        "code-repository",
        "SourceConfiguration.CodeRepository.RepositoryUrl",
        REPO,
        "builds this service from source (runtime `PYTHON_3`",
    ),
    Row(
        "code-repository-apprunner-yaml",
        record(
            replace(
                clean_configuration(),
                source=replace(
                    CODE_SOURCE,
                    configuration_source="REPOSITORY",
                    runtime=None,
                    build_command=None,
                    start_command=None,
                    port=None,
                ),
            )
        ),
        "code-repository",
        "SourceConfiguration.CodeRepository.RepositoryUrl",
        REPO,
        "apprunner.yaml",
    ),
    Row(
        "auto-deployments",
        record(with_source(auto_deployments=True)),
        "auto-deployments",
        "SourceConfiguration.AutoDeploymentsEnabled",
        "true",
        "does not redeploy",
    ),
    Row(
        "execution-role",
        record(
            with_source(identifier=PRIVATE_IMAGE, repository_type="ECR", access_role=ACCESS_ROLE)
        ),
        "execution-role",
        "SourceConfiguration.AuthenticationConfiguration.AccessRoleArn",
        ACCESS_ROLE,
        "build.apprunner.amazonaws.com",
    ),
    Row(
        "task-role",
        record(with_config(instance_role=INSTANCE_ROLE)),
        "task-role",
        "InstanceConfiguration.InstanceRoleArn",
        INSTANCE_ROLE,
        "tasks.apprunner.amazonaws.com",
    ),
    Row(
        "tcp-health-check",
        record(with_config(health_check=HealthCheck(protocol="TCP", interval=10, timeout=5))),
        "tcp-health-check",
        "HealthCheckConfiguration.Protocol",
        "TCP",
        "opening a TCP connection",
    ),
    Row(
        "paused",
        record(status="PAUSED"),
        "paused",
        "Status",
        "PAUSED",
        "Express has no pause",
    ),
    Row(
        "concurrency",
        record(
            with_config(
                auto_scaling=AutoScaling(
                    arn="", name="shop", min_size=1, max_size=5, max_concurrency=80
                )
            )
        ),
        "concurrency",
        "AutoScalingConfiguration.MaxConcurrency",
        "80",
        "requests per task per minute",
    ),
    Row(
        "custom-domains",
        record(domains=(domain("example.com", www=True), domain("api.example.com"))),
        "custom-domains",
        "CustomDomains[].DomainName",
        "example.com, api.example.com, www.example.com",
        "served by the load balancer",
    ),
    Row(
        "vpc-connector",
        record(with_config(network=CONNECTED, vpc_connector=DB_CONNECTOR)),
        "vpc-connector",
        "NetworkConfiguration.EgressConfiguration.VpcConnectorArn",
        CONNECTOR,
        "tasks themselves run in subnets `subnet-0aaa1111`, `subnet-0bbb2222`",
        frozenset({"outbound-ips"}),
    ),
    Row(
        "private-ingress",
        record(
            with_config(
                network=Network(public_ingress=False),
                vpc_ingress=VpcIngressConnection(
                    arn="arn:x", name="shop-ingress", vpc_id="vpc-0ddd", endpoint_id="vpce-0eee"
                ),
            )
        ),
        "private-ingress",
        "NetworkConfiguration.IngressConfiguration.IsPubliclyAccessible",
        "false",
        "endpoint `vpce-0eee`",
    ),
    Row(
        "xray",
        record(
            with_config(
                observability_enabled=True,
                observability_arn="arn:obs",
                tracing=Tracing(arn="arn:obs", name="tracing", vendor="AWSXRAY"),
            )
        ),
        "xray",
        "ObservabilityConfiguration.ObservabilityEnabled",
        "true",
        "collects the service's X-Ray traces",
    ),
    Row(
        "outbound-ips-default",
        record(with_config(network=Network(public_ingress=True, egress="DEFAULT"))),
        "outbound-ips",
        "NetworkConfiguration.EgressConfiguration.EgressType",
        "DEFAULT",
        "leaves from App Runner's addresses",
    ),
    Row(
        "outbound-ips-vpc",
        record(with_config(network=CONNECTED, vpc_connector=DB_CONNECTOR)),
        "outbound-ips",
        "NetworkConfiguration.EgressConfiguration.EgressType",
        "VPC",
        "the tasks run in the same subnets",
        frozenset({"vpc-connector"}),
    ),
    Row(
        "unread-related",
        record(
            with_config(
                network=Network(public_ingress=True, vpc_connector_arn=CONNECTOR),
                problems=(("DescribeVpcConnector", "AccessDeniedException: not allowed"),),
            )
        ),
        "unread",
        "DescribeVpcConnector",
        "AccessDeniedException: not allowed",
        "could not read what `DescribeVpcConnector` answers",
        frozenset({"vpc-connector"}),
    ),
    Row(
        "unread-custom-domains",
        record(domains=None),
        "unread",
        "DescribeCustomDomains",
        "not read",
        "the plan may miss what it holds",
    ),
    Row(
        "encryption-key",
        record(with_config(encryption_key=KEY)),
        "encryption-key",
        "EncryptionConfiguration.KmsKey",
        KEY,
        "customer key",
    ),
    Row(
        "unknown-source",
        record(with_source(kind="unknown", identifier="—")),
        "unknown-source",
        "SourceConfiguration",
        "neither ImageRepository nor CodeRepository",
        "where the service's code comes from",
    ),
)

# One record with everything at once: every variable, secret, tag and network part.
VARIABLE_VALUE = "planted-Value-7f3a9"
EVERYTHING = record(
    Configuration(
        source=Source(
            kind="image",
            identifier=PRIVATE_IMAGE,
            repository_type="ECR",
            auto_deployments=True,
            access_role=ACCESS_ROLE,
            start_command='gunicorn -b "0.0.0.0:8000" app:app',
            port="8000",
            variables=(Variable("DB_HOST", "db.internal"), Variable("API_TOKEN", VARIABLE_VALUE)),
            secrets=(Secret("DB_PASSWORD", SECRET_ARN),),
        ),
        cpu="2048",
        memory="4096",
        instance_role=INSTANCE_ROLE,
        health_check=HealthCheck(protocol="TCP"),
        auto_scaling=AutoScaling(arn="", name="shop", min_size=2, max_size=10, max_concurrency=50),
        network=Network(public_ingress=False, egress="VPC", vpc_connector_arn=CONNECTOR),
        vpc_connector=DB_CONNECTOR,
        observability_enabled=True,
        tracing=Tracing(arn="arn:obs", name="tracing", vendor="AWSXRAY"),
        encryption_key=KEY,
        tags=(("team", "web"), ("aws:cloudformation:stack-name", "shop"), ("cost", "")),
    ),
    status="PAUSED",
    domains=(domain("example.com", www=True),),
)
