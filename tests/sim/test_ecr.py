"""ECR for rollbacks: the demo's private ECR repositories in moto, on the simulator's clock,
and the `-broken` image whose deployment fails its health check (boto3 over HTTP).

Its own simulator, clock stopped at a fixed instant (as the frozen demo the snapshots use):
push times must count back from the simulator's now, never the machine's. moto's store is
process-wide and the last simulator to start seeds it, so each test here reads the
repositories right after its own simulator started.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from conftest import aim_botocore_at, control, make_boto3

from artui.sim import Simulator, ecr
from artui.sim.apprunner import failures
from artui.sim.apprunner.operations import DURATIONS

REGION = "us-east-1"
ACCOUNT = "123456789012"
START = 1_795_000_000.0  # the frozen demo's instant, far from this machine's clock
DAY = 86400.0
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/"
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def _start(monkeypatch: pytest.MonkeyPatch) -> Simulator:
    simulator = Simulator(
        regions=(REGION,), services=7, time_scale=0, world=False, start_time=START
    )
    simulator.start()
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(simulator, monkeypatch.setenv)
    return simulator


@pytest.fixture
def esim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    simulator = _start(monkeypatch)
    yield simulator
    simulator.stop()


def _services(sim: Simulator) -> dict[str, dict[str, Any]]:
    apprunner = make_boto3(sim, "apprunner")
    out = {}
    for summary in apprunner.list_services()["ServiceSummaryList"]:
        out[summary["ServiceName"]] = apprunner.describe_service(ServiceArn=summary["ServiceArn"])[
            "Service"
        ]
    return out


def _private(service: dict[str, Any]) -> tuple[str, str] | None:
    image = service["SourceConfiguration"].get("ImageRepository", {})
    identifier = image.get("ImageIdentifier", "")
    if image.get("ImageRepositoryType") != "ECR" or not identifier.startswith(REGISTRY):
        return None
    repository, _, tag = identifier[len(REGISTRY) :].rpartition(":")
    return repository, tag


def _images(repository: str) -> list[dict[str, Any]]:
    # A plain client from botocore's own chain: only the simulator's env() aims it.
    client = boto3.client("ecr")
    return client.describe_images(repositoryName=repository)["imageDetails"]


def _advance(sim: Simulator, op_type: str) -> None:
    control(sim, "POST", "/_sim/clock", {"advance": DURATIONS[op_type] + 1})


def test_env_exports_the_ecr_endpoint_and_ecr_calls_reach_moto_through_it(esim):
    env = esim.env()
    assert env["AWS_ENDPOINT_URL_ECR"] == esim.endpoint
    assert os.environ["AWS_ENDPOINT_URL_ECR"] == esim.endpoint
    keys = list(env)
    assert keys.index("AWS_ENDPOINT_URL_ECR") < keys.index("AWS_ACCESS_KEY_ID")
    control(esim, "DELETE", "/_sim/requests")
    repositories = boto3.client("ecr").describe_repositories()["repositories"]
    assert {"orders-service", "auth-gateway"} <= {r["repositoryName"] for r in repositories}
    entries = control(esim, "GET", "/_sim/requests")["requests"]
    assert [(e["service"], e["operation"], e["status"]) for e in entries] == [
        ("ecr", "DescribeRepositories", 200)
    ]


def test_private_ecr_services_have_their_repository_seeded_on_the_simulators_clock(esim):
    now = control(esim, "GET", "/_sim/clock")["now"]
    assert now == START
    services = _services(esim)
    private = {name: _private(s) for name, s in services.items() if _private(s)}
    # Every demo service built from an image runs a private ECR image of the account.
    images = {name for name, s in services.items() if "ImageRepository" in s["SourceConfiguration"]}
    assert set(private) == images and {"orders-service", "auth-gateway"} <= images
    for name, (repository, tag) in private.items():
        images = _images(repository)
        assert 4 <= len(images) <= 5, images  # the current tag and 3 or 4 earlier ones
        pushed = [image["imagePushedAt"].timestamp() for image in images]
        assert pushed == sorted(pushed, reverse=True)  # newest first
        assert len(set(pushed)) == len(pushed)
        tags = [image["imageTags"] for image in images]
        assert all(len(t) == 1 for t in tags)
        assert tags[0] == [tag]  # the newest is what the service runs
        digests = [image["imageDigest"] for image in images]
        assert all(DIGEST.fullmatch(d) for d in digests) and len(set(digests)) == len(digests)
        # Pushed before the service was made from it, the earlier ones weeks back: on the
        # simulator's clock, not this machine's.
        assert pushed[0] < services[name]["CreatedAt"].timestamp()
        assert all(START - 8 * 7 * DAY < t < START for t in pushed)
        assert pushed[0] - pushed[-1] >= 3 * 2 * DAY
        for image in images:
            assert image["repositoryName"] == repository
            assert image["registryId"] == ACCOUNT
            assert image["imageSizeInBytes"] > 10 * 1024 * 1024
        listed = boto3.client("ecr").list_images(repositoryName=repository)["imageIds"]
        assert sorted((i["imageTag"], i["imageDigest"]) for i in listed) == sorted(
            (t[0], d) for t, d in zip(tags, digests, strict=True)
        )
    # The one broken image: orders-service's, two versions back.
    broken = [
        (name, image["imageTags"][0])
        for name, (repository, _) in private.items()
        for image in _images(repository)
        if image["imageTags"][0].endswith("-broken")
    ]
    assert [name for name, _ in broken] == ["orders-service"]
    assert _images("orders-service")[2]["imageTags"] == [broken[0][1]]


def test_the_seed_is_the_same_every_run_and_moves_with_the_simulators_clock():
    def plan(start: float) -> list[ecr.SeededRepository]:
        simulator = Simulator(
            regions=(REGION,), services=7, time_scale=0, world=False, start_time=start
        )
        return simulator.repositories

    first, again, later = plan(START), plan(START), plan(START + 365 * DAY)
    assert first == again
    assert [r.name for r in first] == [r.name for r in later]
    for now, moved in zip(first, later, strict=True):
        assert moved.created_at - now.created_at == 365 * DAY
        assert [(i.tag, i.digest, i.manifest) for i in now.images] == [
            (i.tag, i.digest, i.manifest) for i in moved.images
        ]
        shifts = {m.pushed_at - i.pushed_at for i, m in zip(now.images, moved.images, strict=True)}
        assert shifts == {365 * DAY}


def _update_image(sim: Simulator, arn: str, identifier: str) -> str:
    apprunner = make_boto3(sim, "apprunner")
    out = apprunner.update_service(
        ServiceArn=arn,
        SourceConfiguration={
            "ImageRepository": {"ImageIdentifier": identifier, "ImageRepositoryType": "ECR"}
        },
    )
    return out["OperationId"]


def _operation(sim: Simulator, arn: str, operation_id: str) -> dict[str, Any]:
    ops = make_boto3(sim, "apprunner").list_operations(ServiceArn=arn)["OperationSummaryList"]
    return next(op for op in ops if op["Id"] == operation_id)


def test_deploying_the_broken_earlier_image_fails_and_keeps_the_old_one(esim):
    service = _services(esim)["orders-service"]
    arn, (repository, current) = service["ServiceArn"], _private(service)
    assert service["Status"] == "RUNNING"
    broken = next(
        image["imageTags"][0]
        for image in _images(repository)
        if image["imageTags"][0].endswith(failures.BROKEN_SUFFIX)
    )
    operation = _update_image(esim, arn, f"{REGISTRY}{repository}:{broken}")
    assert _services(esim)["orders-service"]["Status"] == "OPERATION_IN_PROGRESS"
    _advance(esim, "UPDATE_SERVICE")
    assert _operation(esim, arn, operation)["Status"] == "FAILED"
    after = _services(esim)["orders-service"]
    assert after["Status"] == "RUNNING"
    assert after["SourceConfiguration"]["ImageRepository"]["ImageIdentifier"] == (
        f"{REGISTRY}{repository}:{current}"
    )
    # What the update did not name is kept, as before it.
    assert after["SourceConfiguration"] == service["SourceConfiguration"]


def test_deploying_a_sound_earlier_image_succeeds(esim):
    service = _services(esim)["orders-service"]
    arn, (repository, current) = service["ServiceArn"], _private(service)
    previous = _images(repository)[1]["imageTags"][0]
    assert previous != current and not previous.endswith(failures.BROKEN_SUFFIX)
    operation = _update_image(esim, arn, f"{REGISTRY}{repository}:{previous}")
    _advance(esim, "UPDATE_SERVICE")
    assert _operation(esim, arn, operation)["Status"] == "SUCCEEDED"
    after = _services(esim)["orders-service"]
    assert after["Status"] == "RUNNING"
    image = after["SourceConfiguration"]["ImageRepository"]
    assert image["ImageIdentifier"] == f"{REGISTRY}{repository}:{previous}"
    assert (
        image["ImageConfiguration"]
        == (service["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"])
    )


@pytest.mark.parametrize(
    ("op_type", "version", "fails"),
    [
        ("UPDATE_SERVICE", "v1.7.0-broken", True),
        ("CREATE_SERVICE", "v1.7.0-broken", True),
        ("START_DEPLOYMENT", "v1.7.0-broken", True),
        ("UPDATE_SERVICE", "broken", False),
        ("UPDATE_SERVICE", "-broken", False),
        ("UPDATE_SERVICE", "v1.7.0-broken-2", False),
        ("UPDATE_SERVICE", "v1.7.0-BROKEN", False),
        ("PAUSE_SERVICE", "v1.7.0-broken", False),
    ],
)
def test_only_a_version_ending_in_broken_fails_its_health_check(op_type, version, fails):
    source = {"ImageRepository": {"ImageIdentifier": f"{REGISTRY}orders-service:{version}"}}
    assert failures.failure(op_type, source) == (failures.HEALTH_CHECK if fails else None)
    code = {"CodeRepository": {"SourceCodeVersion": {"Type": "BRANCH", "Value": version}}}
    assert failures.failure(op_type, code) == (failures.HEALTH_CHECK if fails else None)
