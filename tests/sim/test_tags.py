"""Tags on every App Runner resource, as the model's ResourceArn says ("the ARN of an App
Runner resource"): services, auto scaling and observability configurations, VPC connectors,
connections and VPC ingress connections. A deleted resource's tags are gone with it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import control, make_boto3

from artui.sim import Simulator

TAGS = [{"Key": "team", "Value": "payments"}]


@pytest.fixture(scope="module")
def tsim() -> Iterator[Simulator]:
    with Simulator(regions=("us-east-1",), services=2, time_scale=0, world=False) as simulator:
        yield simulator


@pytest.fixture
def client(tsim: Simulator) -> Any:
    return make_boto3(tsim, "apprunner")


def _resources(client: Any, suffix: str, service: int) -> dict[str, str]:
    """One resource of each kind, made with TAGS (the ingress connection for the
    `service`-th service: one per service): kind -> ARN."""
    service_arn = client.list_services()["ServiceSummaryList"][service]["ServiceArn"]
    return {
        "autoscaling": client.create_auto_scaling_configuration(
            AutoScalingConfigurationName=f"tagged-{suffix}", Tags=TAGS
        )["AutoScalingConfiguration"]["AutoScalingConfigurationArn"],
        "observability": client.create_observability_configuration(
            ObservabilityConfigurationName=f"tagged-{suffix}", Tags=TAGS
        )["ObservabilityConfiguration"]["ObservabilityConfigurationArn"],
        "connector": client.create_vpc_connector(
            VpcConnectorName=f"tagged-{suffix}", Subnets=["subnet-0a1b2c3d"], Tags=TAGS
        )["VpcConnector"]["VpcConnectorArn"],
        "connection": client.create_connection(
            ConnectionName=f"tagged-{suffix}", ProviderType="GITHUB", Tags=TAGS
        )["Connection"]["ConnectionArn"],
        "ingress": client.create_vpc_ingress_connection(
            ServiceArn=service_arn,
            VpcIngressConnectionName=f"tagged-{suffix}",
            IngressVpcConfiguration={"VpcId": "vpc-0a1b2c3d", "VpcEndpointId": "vpce-0a1b2c3d"},
            Tags=TAGS,
        )["VpcIngressConnection"]["VpcIngressConnectionArn"],
    }


def _tags(client: Any, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceArn=arn)["Tags"]}


def test_every_kind_of_resource_keeps_its_tags_and_takes_more(client: Any) -> None:
    made = _resources(client, "one", 0)
    for kind, arn in made.items():
        assert _tags(client, arn) == {"team": "payments"}, kind
        client.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
        client.untag_resource(ResourceArn=arn, TagKeys=["team"])
        assert _tags(client, arn) == {"env": "prod"}, kind


def test_a_deleted_resource_has_no_tags(tsim: Simulator, client: Any) -> None:
    made = _resources(client, "two", 1)
    control(tsim, "POST", "/_sim/clock", {"advance": 600})  # the ingress connection AVAILABLE
    client.delete_vpc_ingress_connection(VpcIngressConnectionArn=made["ingress"])
    client.delete_auto_scaling_configuration(AutoScalingConfigurationArn=made["autoscaling"])
    client.delete_observability_configuration(ObservabilityConfigurationArn=made["observability"])
    client.delete_vpc_connector(VpcConnectorArn=made["connector"])
    client.delete_connection(ConnectionArn=made["connection"])
    control(tsim, "POST", "/_sim/clock", {"advance": 600})  # ... and DELETED
    for arn in made.values():
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.list_tags_for_resource(ResourceArn=arn)


def test_an_arn_of_no_app_runner_resource_is_refused(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.list_tags_for_resource(
            ResourceArn="arn:aws:apprunner:us-east-1:123456789012:widget/name/1/abc"
        )
