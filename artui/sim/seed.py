"""The demo services every region starts with, deterministic from a seed."""

from __future__ import annotations

import random
from typing import Any

from artui.sim.apprunner.autoscaling import AutoScalingConfiguration
from artui.sim.apprunner.failures import BUILD, HEALTH_CHECK
from artui.sim.apprunner.ids import (
    ACCOUNT_ID,
    new_operation_id,
    new_service_id,
    new_service_url,
)
from artui.sim.apprunner.operations import DURATIONS, Operation
from artui.sim.apprunner.services import DEFAULT_HEALTH_CHECK, ServiceRecord

NAMES = (
    "checkout-api",
    "payments-worker",
    "web-frontend",
    "orders-service",
    "inventory-sync",
    "auth-gateway",
    "search-indexer",
    "notifications",
    "reporting-api",
    "image-resizer",
    "recommendations",
    "billing-portal",
)
DAY = 86400.0

# Index roles, so the demo always has a story: the first service is the one in trouble
# (its 5xx rise over the last hour after a deployment), one is paused, one failed to create.
TROUBLED_INDEX = 0
# A code repository whose every StartDeployment fails to build (ServiceRecord.deploy_failure);
# RUNNING in the demo, so the operator can deploy it and watch the deployment fail.
FAILING_INDEX = 1
PAUSED_INDEX = 2
DEPLOYING_INDEX = 3  # with in_flight: a deployment under way at start (N >= 6)
# How far into its run the in-flight deployment is at `now`, as a fraction of its
# (speed-adjusted) duration: relative, so even the sped-up demo opens with most of it to go.
IN_FLIGHT_ELAPSED = 0.3


def service_name(index: int) -> str:
    """The i-th demo service name; wraps around with a numeric suffix."""
    base = NAMES[index % len(NAMES)]
    return base if index < len(NAMES) else f"{base}-{index // len(NAMES) + 1}"


def seed_region(
    region: str,
    count: int,
    seed: int,
    now: float,
    autoscaling: AutoScalingConfiguration,
    in_flight: bool = False,
    speedup: float = 1.0,
) -> list[ServiceRecord]:
    """`count` demo services for one region, settled as of `now`, using `autoscaling`.

    `in_flight` also starts a deployment just before `now` (for the demo: something moving).
    """
    rng = random.Random(f"{seed}:{region}")
    services = []
    for index in range(count):
        services.append(_service(rng, region, index, count, now, in_flight, speedup, autoscaling))
    for service in services:
        service.settle(now)
    return services


def _role(index: int, count: int, in_flight: bool) -> str:
    if count >= 3 and index == count - 1:
        return "create_failed"
    if count >= 3 and index == (PAUSED_INDEX if count > 3 else 1):
        return "paused"
    if in_flight and count >= 6 and index == DEPLOYING_INDEX:
        return "deploying"
    if index == TROUBLED_INDEX:
        return "troubled"
    return "running"


def _source(rng: random.Random, region: str, name: str, index: int, role: str) -> dict[str, Any]:
    if index % 3 == 1 and role != "create_failed":
        return {
            "CodeRepository": {
                "RepositoryUrl": f"https://github.com/example-org/{name}",
                "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
                "CodeConfiguration": {"ConfigurationSource": "REPOSITORY"},
            },
            "AutoDeploymentsEnabled": True,
            "AuthenticationConfiguration": {
                "ConnectionArn": (
                    f"arn:aws:apprunner:{region}:{ACCOUNT_ID}:connection/github-example/"
                    f"{rng.getrandbits(128):032x}"
                )
            },
        }
    tag = f"v1.{rng.randint(2, 40)}.{rng.randint(0, 9)}"
    if index % 2 == 0:
        image = f"public.ecr.aws/artui-demo/{name}:{tag}"
        kind = "ECR_PUBLIC"
    else:
        image = f"{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{name}:{tag}"
        kind = "ECR"
    repo: dict[str, Any] = {
        "ImageIdentifier": image,
        "ImageRepositoryType": kind,
        "ImageConfiguration": {"Port": "8080"},
    }
    source: dict[str, Any] = {"ImageRepository": repo, "AutoDeploymentsEnabled": False}
    if kind == "ECR":
        source["AuthenticationConfiguration"] = {
            "AccessRoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/service-role/AppRunnerECRAccessRole"
        }
    return source


def _service(
    rng: random.Random,
    region: str,
    index: int,
    count: int,
    now: float,
    in_flight: bool,
    speedup: float,
    autoscaling: AutoScalingConfiguration,
) -> ServiceRecord:
    name = service_name(index)
    role = _role(index, count, in_flight)
    created = now - rng.uniform(2.0, 9.0) * DAY
    cpu, memory = rng.choice(
        [("1024", "2048"), ("1024", "2048"), ("2048", "4096"), ("512", "1024")]
    )
    instance: dict[str, Any] = {"Cpu": cpu, "Memory": memory}
    if rng.random() < 0.5:
        instance["InstanceRoleArn"] = f"arn:aws:iam::{ACCOUNT_ID}:role/{name}-instance"
    if rng.random() < 0.5:
        health: dict[str, Any] = {
            "Protocol": "HTTP",
            "Path": "/health",
            "Interval": 10,
            "Timeout": 5,
            "HealthyThreshold": 1,
            "UnhealthyThreshold": 5,
        }
    else:
        health = dict(DEFAULT_HEALTH_CHECK)
    service = ServiceRecord(
        name=name,
        id=new_service_id(rng),
        region=region,
        url=new_service_url(rng, region),
        created_at=created,
        updated_at=created,
        status="OPERATION_IN_PROGRESS",
        source=_source(rng, region, name, index, role),
        instance=instance,
        health=health,
        network={
            "EgressConfiguration": {"EgressType": "DEFAULT"},
            "IngressConfiguration": {"IsPubliclyAccessible": True},
            "IpAddressType": "IPV4",
        },
        autoscaling=autoscaling,
        observability={"ObservabilityEnabled": False},
        tags={"team": rng.choice(["shop", "platform", "growth"]), "env": "prod"},
    )
    if rng.random() < 0.3:
        service.encryption = {
            "KmsKey": f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/"
            f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-{rng.getrandbits(16):04x}-"
            f"{rng.getrandbits(16):04x}-{rng.getrandbits(48):012x}"
        }
    if role != "create_failed" and index == FAILING_INDEX:
        service.deploy_failure = BUILD
    history: list[Operation] = []

    def add(op_type: str, start: float, failure: str | None = None) -> None:
        history.append(
            Operation(
                id=new_operation_id(rng),
                type=op_type,
                target_arn=service.arn,
                started_at=start,
                duration=DURATIONS[op_type] / speedup,
                failure=failure,
            )
        )

    add("CREATE_SERVICE", created, HEALTH_CHECK if role == "create_failed" else None)
    if role != "create_failed":
        # A few deployments spread between creation and now, one of them failed.
        paused_at = now - rng.uniform(3, 20) * 3600
        cutoff = paused_at - 600 if role == "paused" else now - 2 * 3600
        t = created
        for _ in range(rng.randint(2, 6)):
            t += rng.uniform(0.2, 1.0) * DAY
            if t > cutoff:
                break
            add("START_DEPLOYMENT", t, _past_failure(rng, service) if rng.random() < 0.15 else None)
        if role == "troubled":
            add("START_DEPLOYMENT", now - 70 * 60)  # the deployment that started the incident
        if role == "paused":
            add("PAUSE_SERVICE", paused_at)
        if role == "deploying":
            elapsed = IN_FLIGHT_ELAPSED * DURATIONS["START_DEPLOYMENT"] / speedup
            add("START_DEPLOYMENT", now - elapsed)
    history.sort(key=lambda op: op.started_at, reverse=True)
    service.operations = history
    return service


def _past_failure(rng: random.Random, service: ServiceRecord) -> str:
    """Why a past deployment failed: a code repository's may not have built."""
    if "CodeRepository" in service.source and rng.random() < 0.5:
        return BUILD
    return HEALTH_CHECK
