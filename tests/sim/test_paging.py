"""Paging that holds while the listing changes between pages (boto3 over HTTP).

A NextToken resumes after the last item returned, not at an offset: an item deleted
between two pages skips no live one, and one created between them is listed once, if its
place is ahead. Each test has its own empty simulator with its clock stopped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import control, make_boto3

from artui.sim import Simulator
from artui.sim.apprunner.operations import DURATIONS

IMAGE = "public.ecr.aws/artui-demo/hello:v1"
SOURCE = {"ImageRepository": {"ImageIdentifier": IMAGE, "ImageRepositoryType": "ECR_PUBLIC"}}
SETTLE = max(DURATIONS.values()) + 1


@pytest.fixture
def client() -> Iterator[Any]:
    with Simulator(regions=("us-east-1",), services=0, time_scale=0, world=False) as sim:
        boto = make_boto3(sim, "apprunner")
        boto.sim = sim
        yield boto


def settle(client: Any) -> None:
    control(client.sim, "POST", "/_sim/clock", {"advance": SETTLE})


def names(page: dict[str, Any]) -> list[str]:
    return [s["ServiceName"] for s in page["ServiceSummaryList"]]


def create(client: Any, name: str) -> str:
    arn: str = client.create_service(ServiceName=name, SourceConfiguration=SOURCE)["Service"][
        "ServiceArn"
    ]
    return arn


def delete(client: Any, arn: str) -> None:
    client.delete_service(ServiceArn=arn)
    settle(client)  # a service leaves ListServices once its deletion ends


def test_list_services_skips_nothing_when_a_listed_service_is_deleted(client: Any) -> None:
    arns = {f"svc-{i}": create(client, f"svc-{i}") for i in range(1, 8)}
    settle(client)
    first = client.list_services(MaxResults=3)
    assert names(first) == ["svc-1", "svc-2", "svc-3"]
    # Between the pages: the first listed is deleted, and a new service is created.
    delete(client, arns["svc-1"])
    create(client, "svc-8")
    second = client.list_services(MaxResults=3, NextToken=first["NextToken"])
    assert names(second) == ["svc-4", "svc-5", "svc-6"]
    # The service the token ends on may go too: the next page still starts after it.
    delete(client, arns["svc-6"])
    third = client.list_services(MaxResults=3, NextToken=second["NextToken"])
    assert names(third) == ["svc-7", "svc-8"]
    assert "NextToken" not in third


def test_list_services_same_instant_ties_keep_their_order(client: Any) -> None:
    # Created at one simulated instant (the clock is stopped): the name decides.
    for name in ("tie-c", "tie-a", "tie-b"):
        create(client, name)
    first = client.list_services(MaxResults=1)
    create(client, "tie-0")  # same instant, sorts before the token's place: not listed
    create(client, "tie-bb")  # same instant, after it: listed
    rest: list[str] = []
    page = first
    while "NextToken" in page:
        page = client.list_services(MaxResults=1, NextToken=page["NextToken"])
        rest += names(page)
    assert names(first) == ["tie-a"]
    assert rest == ["tie-b", "tie-bb", "tie-c"]


def test_list_operations_pages_stay_put_when_operations_begin(client: Any) -> None:
    arn = create(client, "busy")
    settle(client)
    for _ in range(4):
        client.start_deployment(ServiceArn=arn)
        settle(client)
    before = [op["Id"] for op in client.list_operations(ServiceArn=arn)["OperationSummaryList"]]
    assert len(before) == 5
    first = client.list_operations(ServiceArn=arn, MaxResults=2)
    # A new operation goes to the front (newest first): an offset would repeat an item.
    client.pause_service(ServiceArn=arn)
    second = client.list_operations(ServiceArn=arn, MaxResults=2, NextToken=first["NextToken"])
    third = client.list_operations(ServiceArn=arn, MaxResults=2, NextToken=second["NextToken"])
    paged = [op["Id"] for page in (first, second, third) for op in page["OperationSummaryList"]]
    assert paged == before
    assert "NextToken" not in third
    # Read afresh, the new one leads.
    now = client.list_operations(ServiceArn=arn)["OperationSummaryList"]
    assert now[0]["Type"] == "PAUSE_SERVICE" and [op["Id"] for op in now[1:]] == before


def test_a_configuration_listing_skips_nothing_when_one_is_deleted(client: Any) -> None:
    arns = {
        name: client.create_auto_scaling_configuration(AutoScalingConfigurationName=name)[
            "AutoScalingConfiguration"
        ]["AutoScalingConfigurationArn"]
        for name in ("cfg-a", "cfg-b", "cfg-c", "cfg-d", "cfg-e", "cfg-f", "cfg-g")
    }

    def listed(page: dict[str, Any]) -> list[str]:
        summaries = page["AutoScalingConfigurationSummaryList"]
        return [c["AutoScalingConfigurationName"] for c in summaries]

    first = client.list_auto_scaling_configurations(MaxResults=3)
    # By name: App Runner's DefaultConfiguration sorts first.
    assert listed(first) == ["DefaultConfiguration", "cfg-a", "cfg-b"]
    client.delete_auto_scaling_configuration(AutoScalingConfigurationArn=arns["cfg-a"])
    client.delete_auto_scaling_configuration(AutoScalingConfigurationArn=arns["cfg-b"])
    client.create_auto_scaling_configuration(AutoScalingConfigurationName="cfg-h")
    client.create_auto_scaling_configuration(AutoScalingConfigurationName="cfg-0")  # behind
    second = client.list_auto_scaling_configurations(MaxResults=3, NextToken=first["NextToken"])
    assert listed(second) == ["cfg-c", "cfg-d", "cfg-e"]
    third = client.list_auto_scaling_configurations(MaxResults=3, NextToken=second["NextToken"])
    assert listed(third) == ["cfg-f", "cfg-g", "cfg-h"]
    assert "NextToken" not in third
