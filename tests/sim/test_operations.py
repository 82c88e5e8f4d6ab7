"""The simulator serves every operation of botocore's App Runner model and nothing else, and
the README's "## The simulator" lists exactly those."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import botocore.session
import pytest
from conftest import raw_apprunner

from artui.sim import Simulator
from artui.sim.apprunner.api import AppRunnerBackend
from artui.sim.clock import SimClock

MODEL = botocore.session.get_session().get_service_model("apprunner")
README = Path(__file__).resolve().parents[2] / "README.md"
BULLET = "- Every operation of botocore's App Runner model"


def readme_operations() -> list[str]:
    """The names in backticks in the README's bullet of served operations, in order."""
    section = README.read_text().split("## The simulator", 1)[1].split("\n## ", 1)[0]
    start = section.index(BULLET)
    # The bullet runs to the next line that starts another bullet (or ends the list).
    lines = section[start:].splitlines()
    bullet = [lines[0], *_continuation(lines[1:])]
    return re.findall(r"`([A-Za-z]+)`", " ".join(bullet))


def _continuation(lines: list[str]) -> Iterator[str]:
    for line in lines:
        if not line.startswith("  "):
            return
        yield line


def test_the_backend_serves_exactly_the_models_operations() -> None:
    served = AppRunnerBackend(SimClock(0.0, 0.0)).operations
    assert len(served) == len(set(served))
    assert sorted(served) == sorted(MODEL.operation_names)


def test_the_readme_lists_exactly_the_served_operations() -> None:
    listed = readme_operations()
    assert len(listed) == len(set(listed)), listed
    assert sorted(listed) == sorted(MODEL.operation_names)
    assert f"{len(MODEL.operation_names)} (" in README.read_text().split(BULLET, 1)[1][:40]


@pytest.fixture(scope="module")
def osim() -> Iterator[Simulator]:
    with Simulator(regions=("us-east-1",), services=1, time_scale=0, world=False) as simulator:
        yield simulator


@pytest.mark.parametrize("operation", sorted(MODEL.operation_names))
def test_every_operation_is_answered_over_http(osim: Simulator, operation: str) -> None:
    # A member no operation has: the model's check refuses it, so nothing changes.
    status, doc = raw_apprunner(osim, operation, {"NoSuchMember": 1})
    assert status == 400
    assert doc["__type"] == "SerializationException", doc


def test_an_operation_outside_the_model_is_unknown(osim: Simulator) -> None:
    status, doc = raw_apprunner(osim, "CreateVpcEgressConnection", {})
    assert (status, doc["__type"]) == (400, "UnknownOperationException")
