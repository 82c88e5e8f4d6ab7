"""Every request the migration plan builds is one botocore's ECS model accepts: by the stock
ParamValidator (artui/aws/ecs_model.py) and by the simulator's stricter one, which also
checks maximums, patterns and enums, and reads the request as the JSON file it is written to."""

from __future__ import annotations

import json
from typing import Any

import pytest
from migration_records import EVERYTHING, ROWS, record

from artui.aws.ecs_model import input_shape, invalid, operation_model
from artui.domain.export import ServiceRecord
from artui.domain.migration import REQUEST_ORDER, plan
from artui.sim.apprunner.validate import problems

RECORDS: list[tuple[str, ServiceRecord, bool]] = [
    ("clean", record(), False),
    *((row.id, row.record, False) for row in ROWS),
    ("everything", EVERYTHING, False),
    ("everything-with-values", EVERYTHING, True),
]


def strict(request: dict[str, Any]) -> list[str]:
    """The simulator's validator on the request as written to JSON and read back."""
    return [p.message for p in problems(json.loads(json.dumps(request)), input_shape())]


@pytest.mark.parametrize(
    ("name", "one", "with_values"), RECORDS, ids=[name for name, _, _ in RECORDS]
)
def test_every_request_fits_the_model(name: str, one: ServiceRecord, with_values: bool) -> None:
    request = plan(one, with_values=with_values).request
    assert invalid(request) == []
    assert strict(request) == []


def test_a_broken_request_is_reported_by_both() -> None:
    request = plan(EVERYTHING).request
    broken = {
        **request,
        "cpuArchitecture": "SPARC",
        "primaryContainer": {**request["primaryContainer"], "containerPort": "8000"},
        "tags": [{"key": "", "value": "x"}],
    }
    del broken["infrastructureRoleArn"]
    stock = invalid(broken)
    assert any("infrastructureRoleArn" in line for line in stock)
    assert any("primaryContainer.containerPort" in line for line in stock)
    assert any("tags[0].key" in line for line in stock)
    found = strict(broken)
    assert any("infrastructureRoleArn" in line for line in found)
    assert any("cpuArchitecture" in line for line in found)  # an enum: only the strict one
    assert any("containerPort" in line for line in found)


def test_the_request_order_is_the_models() -> None:
    members = list(input_shape().members)
    assert list(REQUEST_ORDER) == members
    assert operation_model().name == "CreateExpressGatewayService"
