"""Fixtures of the export and migration tests: the demo world in two regions, a planted
variable value, and botocore's chain aimed at it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from conftest import aim_botocore_at, client_kwargs, control

from artui.sim.seed import DEMO_SEED
from artui.sim.server import Simulator

REGIONS = ("us-east-1", "eu-west-1")
PLANTED_NAME = "EXPORT_PLANTED"


@pytest.fixture(scope="module")
def demo_world() -> Iterator[Simulator]:
    """The demo's services in two regions on a stopped clock (nothing moves unless a test
    advances it) and without traffic; each module that asks has its own."""
    with Simulator(regions=REGIONS, time_scale=0, world=False, ids_seed=DEMO_SEED) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def demo_planted(demo_world: Simulator) -> str:
    """A unique value in a variable of the first us-east-1 service (a new revision of its
    configuration, run to the end on the simulator's clock); returns the value."""
    value = f"planted-{uuid.uuid4().hex}"
    client = boto3.client("apprunner", **client_kwargs(demo_world, "us-east-1"))
    arn = next(
        s["ServiceArn"]
        for s in client.list_services()["ServiceSummaryList"]
        if s["Status"] == "RUNNING"
        and "ImageRepository"
        in client.describe_service(ServiceArn=s["ServiceArn"])["Service"]["SourceConfiguration"]
    )
    source = client.describe_service(ServiceArn=arn)["Service"]["SourceConfiguration"]
    image = source["ImageRepository"]
    run = image.setdefault("ImageConfiguration", {})
    run.setdefault("RuntimeEnvironmentVariables", {})[PLANTED_NAME] = value
    client.update_service(ServiceArn=arn, SourceConfiguration=source)
    control(demo_world, "POST", "/_sim/clock", {"advance": 3600})
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
    return value


@pytest.fixture
def demo_aimed(
    demo_world: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Simulator]:
    """botocore's chain aimed at `demo_world`, a settings file naming both regions."""
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(demo_world, monkeypatch.setenv)
    path = tmp_path / "config.yaml"
    path.write_text("regions: [us-east-1, eu-west-1]\n")
    monkeypatch.setenv("ARTUI_CONFIG", str(path))
    yield demo_world
    control(demo_world, "DELETE", "/_sim/faults")
