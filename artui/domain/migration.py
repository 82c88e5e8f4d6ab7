"""A plan for moving one App Runner service to Amazon ECS Express Mode: the
CreateExpressGatewayService request that reproduces it, and what does not carry over.

Pure: it reads a ServiceRecord (artui/domain/export.py) and never calls anything. The
request is checked against botocore's ECS model in artui/aws/ecs_model.py before it is
written.

A variable's value is in the request only `with_values`; it is never in a finding or a
placeholder. Text from AWS reaches a finding's words only through `code`. The report's
Markdown is artui/domain/migration_report.py.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

from artui.domain.configuration import Configuration, Source
from artui.domain.export import ServiceRecord
from artui.domain.inert import code


@dataclass(frozen=True)
class Finding:
    """One thing that does not carry over as it is, for one service."""

    rule: str  # the rule's id, e.g. "code-repository"
    field: str  # the App Runner field that caused it, e.g. "SourceConfiguration.CodeRepository"
    value: str  # that field's value, as the report quotes it
    action: bool  # True: the move does not work until it is done; False: a thing to check
    line: str  # what does not carry over
    todo: str  # what to do about it


@dataclass(frozen=True)
class Placeholder:
    """A value of the request artui cannot know, written as `text` for the operator to fill."""

    text: str  # what the request holds, e.g. "<infrastructure-role-arn>"
    field: str  # where in the request, e.g. "infrastructureRoleArn"
    why: str  # what to put there


@dataclass(frozen=True)
class Plan:
    """One service's plan: the request (CreateExpressGatewayService's parameters), what
    does not carry over, and the placeholders the request holds."""

    record: ServiceRecord
    request: dict[str, Any]
    findings: tuple[Finding, ...]
    placeholders: tuple[Placeholder, ...]

    @property
    def clean(self) -> bool:
        """Whether it carries over with no action (checks and placeholders aside)."""
        return not any(f.action for f in self.findings)


# CreateExpressGatewayService's members in the model's order, so the written JSON reads
# as the API reference does (a test checks it against botocore's model).
REQUEST_ORDER = (
    "executionRoleArn",
    "infrastructureRoleArn",
    "serviceName",
    "cluster",
    "healthCheckPath",
    "primaryContainer",
    "taskRoleArn",
    "networkConfiguration",
    "cpu",
    "memory",
    "cpuArchitecture",
    "scalingTarget",
    "tags",
    "taskDefinitionArn",
)
CLUSTER = "<cluster>"
INFRASTRUCTURE_ROLE = "<infrastructure-role-arn>"
EXECUTION_ROLE = "<execution-role-arn>"
# App Runner's port when none is set; ECS's would be 80, so the request always names one.
DEFAULT_PORT = 8080
# App Runner runs every service on x86-64.
CPU_ARCHITECTURE = "X86_64"
SCALING_METRIC = "REQUEST_COUNT_PER_TARGET"
# Tag keys AWS reserves: ECS refuses them in a request.
_RESERVED_TAG = "aws:"


def _size(text: str | None, unit: str) -> str | None:
    """CPU units or MB as App Runner sends them ("1024"), also from the console's words
    ("1 vCPU", "2 GB"); anything else as it is, for the model check to refuse."""
    if text is None:
        return None
    found = re.fullmatch(rf"\s*([0-9.]+)\s*{unit}\s*", text, re.IGNORECASE)
    return str(int(float(found[1]) * 1024)) if found else text.strip()


def _command(start: str) -> list[str]:
    """The start command as ECS's command list; one shlex cannot split runs in a shell."""
    try:
        return shlex.split(start)
    except ValueError:
        return ["/bin/sh", "-c", start]


class _Builder:
    """Collects one service's request, findings and placeholders."""

    def __init__(self, record: ServiceRecord, config: Configuration, with_values: bool) -> None:
        self.record = record
        self.config = config
        self.with_values = with_values
        self.request: dict[str, Any] = {}
        self.findings: list[Finding] = []
        self.placeholders: list[Placeholder] = []

    def find(
        self, rule: str, field: str, value: object, action: bool, line: str, todo: str
    ) -> None:
        self.findings.append(Finding(rule, field, str(value), action, line, todo))

    def hold(self, text: str, field: str, why: str) -> str:
        self.placeholders.append(Placeholder(text, field, why))
        return text

    def build(self) -> Plan:
        config = self.config
        self.unread()
        self.request["executionRoleArn"] = self.execution_role(config.source)
        self.request["infrastructureRoleArn"] = self.hold(
            INFRASTRUCTURE_ROLE,
            "infrastructureRoleArn",
            "an IAM role ECS assumes to create the service's load balancer, target group, "
            "security groups and scaling; App Runner has no such role",
        )
        self.request["serviceName"] = self.record.service.name
        self.request["cluster"] = self.hold(
            CLUSTER, "cluster", "the ECS cluster to create the service in"
        )
        self.request["healthCheckPath"] = self.health_check()
        self.request["primaryContainer"] = self.container(config.source)
        if config.instance_role:
            self.request["taskRoleArn"] = config.instance_role
            self.task_role(config.instance_role)
        network = self.network()
        if network:
            self.request["networkConfiguration"] = network
        for name, value in (
            ("cpu", _size(config.cpu, "vCPU")),
            ("memory", _size(config.memory, "GB")),
        ):
            if value is not None:
                self.request[name] = value
        self.request["cpuArchitecture"] = CPU_ARCHITECTURE
        scaling = self.scaling()
        if scaling:
            self.request["scalingTarget"] = scaling
        tags = [
            {"key": k, "value": v}
            for k, v in config.tags or ()
            if not k.lower().startswith(_RESERVED_TAG)
        ]
        if tags:
            self.request["tags"] = tags
        self.paused()
        self.private_ingress()
        self.custom_domains()
        self.tracing()
        self.encryption()
        self.outbound()
        request = {k: self.request[k] for k in REQUEST_ORDER if k in self.request}
        # Actions first, then checks, each in the order found.
        findings = sorted(self.findings, key=lambda f: not f.action)
        return Plan(self.record, request, tuple(findings), tuple(self.placeholders))

    # -- the request, part by part ------------------------------------------------------

    def execution_role(self, source: Source) -> str:
        if not source.access_role:
            return self.hold(
                EXECUTION_ROLE,
                "executionRoleArn",
                "a task execution role (trusting ecs-tasks.amazonaws.com) that pulls the image, "
                "writes the logs and reads the secrets",
            )
        secrets = (
            " It also reads the secrets (secretsmanager:GetSecretValue, ssm:GetParameters, "
            "kms:Decrypt for a customer key), which App Runner's instance role read."
            if source.secrets
            else ""
        )
        self.find(
            "execution-role",
            "SourceConfiguration.AuthenticationConfiguration.AccessRoleArn",
            source.access_role,
            True,
            "The request uses App Runner's access role as the task execution role, but an "
            "access role trusts build.apprunner.amazonaws.com, and ECS assumes the execution "
            "role as ecs-tasks.amazonaws.com.",
            "Add ecs-tasks.amazonaws.com to the role's trust policy (or make a new execution "
            "role) and give it what AmazonECSTaskExecutionRolePolicy allows: pull from ECR and "
            f"write CloudWatch logs.{secrets}",
        )
        return source.access_role

    def task_role(self, role: str) -> None:
        self.find(
            "task-role",
            "InstanceConfiguration.InstanceRoleArn",
            role,
            True,
            "The instance role becomes the task role, but an instance role trusts "
            "tasks.apprunner.amazonaws.com, not ECS.",
            "Add ecs-tasks.amazonaws.com to the role's trust policy (or make a task role with "
            "the same permissions).",
        )

    def health_check(self) -> str:
        hc = self.config.health_check
        if hc.protocol == "HTTP":
            return hc.path or "/"
        self.find(
            "tcp-health-check",
            "HealthCheckConfiguration.Protocol",
            hc.protocol or "TCP (App Runner's default)",
            True,
            "App Runner checks the service's health by opening a TCP connection to its port; "
            "the load balancer Express creates checks it over HTTP at healthCheckPath, and a "
            "task that does not answer there with a success status is replaced.",
            "Give the application a path that answers 200 quickly and without depending on "
            "other services (such as /health), and set healthCheckPath to it: the request "
            "holds `/` until then.",
        )
        return "/"

    def container(self, source: Source) -> dict[str, Any]:
        out: dict[str, Any] = {"image": self.image(source)}
        port = source.port or ""
        out["containerPort"] = int(port) if port.isdigit() else DEFAULT_PORT
        environment = []
        for variable in source.variables:
            if self.with_values:
                value = variable.value
            else:
                value = self.hold(
                    f"<value of {variable.name}>",
                    f"primaryContainer.environment[{variable.name}]",
                    "the variable's value (left out: write the plan with values to carry it)",
                )
            environment.append({"name": variable.name, "value": value})
        if source.start_command:
            out["command"] = _command(source.start_command)
        if environment:
            out["environment"] = environment
        if source.secrets:
            out["secrets"] = [{"name": s.name, "valueFrom": s.source} for s in source.secrets]
        if source.auto_deployments:
            self.find(
                "auto-deployments",
                "SourceConfiguration.AutoDeploymentsEnabled",
                "true",
                False,
                "App Runner deploys every new image (or commit) by itself; Express does not "
                "redeploy when the image changes.",
                "Have the pipeline that pushes the image deploy it too "
                "(UpdateExpressGatewayService with the new image).",
            )
        return out

    def image(self, source: Source) -> str:
        if source.kind == "image":
            return source.identifier
        if source.kind == "code":
            return self.code_repository(source)
        self.find(
            "unknown-source",
            "SourceConfiguration",
            "neither ImageRepository nor CodeRepository",
            True,
            "artui could not tell where the service's code comes from.",
            "Name the image to run in primaryContainer.image.",
        )
        return self.hold("<image>", "primaryContainer.image", "the image to run")

    def code_repository(self, source: Source) -> str:
        version = (
            f" ({source.repository_type or 'BRANCH'} {source.version})" if source.version else ""
        )
        text = self.hold(
            f"<image built from {source.identifier}{version}>",
            "primaryContainer.image",
            "the URI of the image the build pipeline pushes (in Amazon ECR)",
        )
        how = []
        if source.runtime:
            how.append(f"runtime {code(source.runtime)}")
        if source.build_command:
            how.append(f"build command {code(source.build_command)}")
        if source.source_directory and source.source_directory != "/":
            how.append(f"source directory {code(source.source_directory)}")
        built = f" ({', '.join(how)})" if how else ""
        branch = f"{code(source.version)}" if source.version else "the repository"
        from_file = (
            " Its build, start command, port and environment are in apprunner.yaml in the "
            "repository (configuration source REPOSITORY), which DescribeService does not "
            "answer with: carry them from the file into the Dockerfile and the request."
            if source.configuration_source == "REPOSITORY"
            else ""
        )
        self.find(
            "code-repository",
            "SourceConfiguration.CodeRepository.RepositoryUrl",
            source.identifier,
            True,
            f"App Runner builds this service from source{built}; Express runs an image, and "
            f"there is none yet.{from_file}",
            "Set up a build pipeline (CodeBuild, CodePipeline or the repository's CI) that "
            f"builds {branch} into an image with a Dockerfile on the same runtime, pushes it "
            "to Amazon ECR, and put its URI in primaryContainer.image.",
        )
        return text

    def network(self) -> dict[str, Any]:
        config = self.config
        network = config.network
        if network.egress != "VPC" and not network.vpc_connector_arn:
            return {}
        connector = config.vpc_connector
        out: dict[str, Any] = {}
        if connector is not None:
            if connector.subnets:
                out["subnets"] = list(connector.subnets)
            if connector.security_groups:
                out["securityGroups"] = list(connector.security_groups)
        where = (
            f"subnets {', '.join(code(s) for s in connector.subnets)}"
            if connector is not None and connector.subnets
            else "the connector's subnets (not read)"
        )
        self.find(
            "vpc-connector",
            "NetworkConfiguration.EgressConfiguration.VpcConnectorArn",
            network.vpc_connector_arn or "—",
            True,
            "In App Runner the VPC connector carries outbound traffic only; under ECS the "
            f"tasks themselves run in {where}, and the request gives Express the same subnets "
            "for its load balancer.",
            "Give those subnets routes out (a NAT gateway, or VPC endpoints for ECR api and "
            "dkr, S3, CloudWatch Logs, and Secrets Manager or SSM for secrets) so the tasks "
            "can pull the image and write logs; let the load balancer reach the container "
            "port through the security groups named (an inbound rule); and, for a public "
            "service, check the load balancer is internet-facing, which private subnets "
            "alone do not give.",
        )
        return out

    def scaling(self) -> dict[str, Any]:
        scaling = self.config.auto_scaling
        if scaling is None or None in (scaling.min_size, scaling.max_size, scaling.max_concurrency):
            return {}
        self.find(
            "concurrency",
            "AutoScalingConfiguration.MaxConcurrency",
            scaling.max_concurrency,
            False,
            f"App Runner scales on requests in flight per instance (at most "
            f"{scaling.max_concurrency} at once); Express's {SCALING_METRIC} counts requests "
            "per task per minute, so the same number means far less traffic per task.",
            "The request carries the number only as a starting point. Pick the target from "
            "App Runner's metrics: requests a task handles in a minute ≈ concurrency × 60 / "
            "average latency in seconds (Requests, RequestLatency and ActiveInstances tell "
            "what one instance really served), then watch the task count after the move.",
        )
        return {
            "minTaskCount": scaling.min_size,
            "maxTaskCount": scaling.max_size,
            "autoScalingMetric": SCALING_METRIC,
            "autoScalingTargetValue": scaling.max_concurrency,
        }

    # -- what does not carry over ----------------------------------------------------------

    def unread(self) -> None:
        problems = list(self.config.problems)
        if self.record.custom_domains is None and not any(
            "CustomDomain" in what for what, _ in problems
        ):
            problems.append(("DescribeCustomDomains", "not read"))
        for what, why in problems:
            self.find(
                "unread",
                what,
                why,
                True,
                f"artui could not read what {code(what)} answers, so the plan may miss what it "
                "holds.",
                "Allow the read (or read it by hand) and plan the service again.",
            )

    def paused(self) -> None:
        service = self.record.service
        if service.raw_status != "PAUSED" and service.status.value != "PAUSED":
            return
        self.find(
            "paused",
            "Status",
            "PAUSED",
            True,
            "The service is paused, and Express has no pause: an Express service starts its "
            "tasks when it is created, and its load balancer is billed while it exists, "
            "with tasks or without.",
            "Decide whether it moves at all: if it should stay stopped, create it only when "
            "it is needed; if it should run, resume it on App Runner first and check it works "
            "before moving it.",
        )

    def private_ingress(self) -> None:
        network = self.config.network
        ingress = self.config.vpc_ingress
        if network.public_ingress is not False and ingress is None:
            return
        through = ""
        if ingress is not None:
            parts = [f"VPC ingress connection {code(ingress.name)}"]
            parts += [f"VPC {code(ingress.vpc_id)}"] if ingress.vpc_id else []
            parts += [f"endpoint {code(ingress.endpoint_id)}"] if ingress.endpoint_id else []
            through = f" ({', '.join(parts)})"
        self.find(
            "private-ingress",
            "NetworkConfiguration.IngressConfiguration.IsPubliclyAccessible",
            "false" if network.public_ingress is False else "not read",
            True,
            "The service is private: it is reached from a VPC through an interface endpoint"
            f"{through}, which Express does not use.",
            "Check that the load balancer Express creates is internal (that follows from the "
            "subnets it is given; confirm it once created), point the clients at its DNS name "
            "instead of the ingress connection's, then delete the VPC ingress connection.",
        )

    def custom_domains(self) -> None:
        domains = self.record.custom_domains or ()
        if not domains:
            return
        names = [d.name for d in domains] + [f"www.{d.name}" for d in domains if d.www]
        roots = [d.name for d in domains if d.root]
        alias = (
            f" (for the root domain{'s' if len(roots) > 1 else ''} "
            f"{', '.join(code(r) for r in roots)}, an alias record: DNS allows no CNAME there)"
            if roots
            else ""
        )
        self.find(
            "custom-domains",
            "CustomDomains[].DomainName",
            ", ".join(names),
            True,
            f"App Runner serves {', '.join(code(n) for n in names)} with certificates of its "
            "own; under Express they are served by the load balancer, with a certificate "
            "you hold.",
            "In this order, so there is no downtime: (1) request an ACM certificate in this "
            "region for the names, validated by DNS, and add its validation records; (2) once "
            "issued, add it to the load balancer's HTTPS listener (a listener certificate) and "
            "check a rule sends those host names to the service; (3) lower the TTL of the "
            "records that point at App Runner and wait out the old TTL; (4) check the service "
            "answers on the load balancer for each name (curl --resolve); (5) move each "
            f"CNAME to the load balancer's DNS name{alias}; (6) once App Runner's Requests "
            "metric shows no traffic, disassociate the domains from App Runner and delete "
            "its validation records.",
        )

    def tracing(self) -> None:
        config = self.config
        tracing = config.tracing
        if not config.observability_enabled:
            return
        if tracing is not None and tracing.vendor != "AWSXRAY":
            return
        which = (
            f" (configuration {code(tracing.name)}, vendor AWSXRAY)"
            if tracing is not None
            else " (its vendor not read)"
        )
        self.find(
            "xray",
            "ObservabilityConfiguration.ObservabilityEnabled",
            "true",
            True,
            f"App Runner collects the service's X-Ray traces{which}; Express runs no "
            "collector, and primaryContainer holds one container only.",
            "Register a task definition with the application and an AWS Distro for "
            "OpenTelemetry collector (or X-Ray daemon) sidecar, give the task role X-Ray "
            "write permissions, and pass it as taskDefinitionArn.",
        )

    def encryption(self) -> None:
        key = self.config.encryption_key
        if not key:
            return
        self.find(
            "encryption-key",
            "EncryptionConfiguration.KmsKey",
            key,
            False,
            "App Runner encrypts the service's stored copy of its source with this customer "
            "key; the request has no such setting.",
            "Encrypt with the key where the data lives now if it must be: the ECR repository "
            "(set at its creation) and the CloudWatch log group.",
        )

    def outbound(self) -> None:
        egress = self.config.network.egress
        if egress == "DEFAULT":
            self.find(
                "outbound-ips",
                "NetworkConfiguration.EgressConfiguration.EgressType",
                egress,
                False,
                "Outbound traffic leaves from App Runner's addresses today; under ECS it "
                "leaves from the tasks' own public IP addresses, or through the NAT gateway of "
                "their subnets.",
                "Change any allow list that admits this service by address (a database or "
                "partner firewall); for one fixed address, run the tasks in private subnets "
                "behind a NAT gateway with an Elastic IP.",
            )
        elif egress == "VPC":
            self.find(
                "outbound-ips",
                "NetworkConfiguration.EgressConfiguration.EgressType",
                egress,
                False,
                "Outbound traffic leaves through the VPC connector's subnets today (through "
                "their NAT gateway, if they have one); the tasks run in the same subnets.",
                "Keep the tasks in those private subnets, as the request does, and the "
                "addresses seen outside stay the same; rules that admit the connector's "
                "security groups keep working while the tasks use the same groups.",
            )


def plan(record: ServiceRecord, *, with_values: bool = False) -> Plan:
    """The plan for one service that was read (record.error is None)."""
    if record.error is not None:
        raise ValueError(f"{record.service.name} was not read: it has no plan")
    config = record.configuration
    if config is None:
        config = Configuration(
            source=Source(kind="unknown", identifier="—"),
            problems=(("DescribeService", "no configuration was read"),),
        )
    return _Builder(record, config, with_values).build()
