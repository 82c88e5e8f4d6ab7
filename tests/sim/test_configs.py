"""Configuration resources through boto3 over HTTP: auto scaling and observability
configurations (revisions, `Latest`, partial ARNs, quotas, the default, deletion rules) and
VPC connectors; CreateService and UpdateService check what they name exists.

Each test has a fresh simulator of its own (quotas are per region and tests fill them),
clock stopped: operations end when a test advances it. Every 200 is shape-checked
(conftest's make_boto3); refusals are checked as raw AWS error bodies where it matters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import control, make_boto3, refused

from artui.sim import Simulator
from artui.sim.apprunner.operations import DURATIONS

ACCOUNT = "123456789012"
PREFIX = f"arn:aws:apprunner:us-east-1:{ACCOUNT}"
IMAGE = "public.ecr.aws/aws-containers/hello-app-runner:latest"
SOURCE = {"ImageRepository": {"ImageIdentifier": IMAGE, "ImageRepositoryType": "ECR_PUBLIC"}}


@pytest.fixture
def csim() -> Iterator[Simulator]:
    with Simulator(regions=("us-east-1",), services=2, time_scale=0, world=False) as simulator:
        yield simulator


@pytest.fixture
def client(csim: Simulator) -> Any:
    return make_boto3(csim, "apprunner")


def _settle(sim: Simulator) -> None:
    control(sim, "POST", "/_sim/clock", {"advance": max(DURATIONS.values()) + 1})


def _code(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return str(caught.value.response["Error"]["Code"])


def _asc(client: Any, name: str, **sizes: Any) -> dict[str, Any]:
    out = client.create_auto_scaling_configuration(AutoScalingConfigurationName=name, **sizes)
    return dict(out["AutoScalingConfiguration"])


def _service(client: Any, sim: Simulator, **extra: Any) -> str:
    import uuid

    out = client.create_service(
        ServiceName=f"cfg-{uuid.uuid4().hex[:8]}", SourceConfiguration=SOURCE, **extra
    )
    _settle(sim)
    return str(out["Service"]["ServiceArn"])


# -- auto scaling --------------------------------------------------------------------


def test_revisions_count_up_and_latest_moves(client: Any) -> None:
    first = _asc(client, "high-availability", MinSize=3, MaxSize=10, MaxConcurrency=50)
    assert first["AutoScalingConfigurationRevision"] == 1
    assert (first["Latest"], first["Status"], first["IsDefault"]) == (True, "ACTIVE", False)
    assert (first["MinSize"], first["MaxSize"], first["MaxConcurrency"]) == (3, 10, 50)
    assert first["HasAssociatedService"] is False
    assert first["AutoScalingConfigurationArn"].startswith(
        f"{PREFIX}:autoscalingconfiguration/high-availability/1/"
    )
    second = _asc(client, "high-availability", MinSize=2)
    assert second["AutoScalingConfigurationRevision"] == 2
    assert (second["MinSize"], second["MaxSize"], second["MaxConcurrency"]) == (2, 25, 100)
    again = client.describe_auto_scaling_configuration(
        AutoScalingConfigurationArn=first["AutoScalingConfigurationArn"]
    )["AutoScalingConfiguration"]
    assert again["Latest"] is False
    # Partial ARNs: the name is its latest active revision, name/revision that revision.
    by_name = client.describe_auto_scaling_configuration(
        AutoScalingConfigurationArn=f"{PREFIX}:autoscalingconfiguration/high-availability"
    )["AutoScalingConfiguration"]
    assert by_name["AutoScalingConfigurationArn"] == second["AutoScalingConfigurationArn"]
    by_revision = client.describe_auto_scaling_configuration(
        AutoScalingConfigurationArn=f"{PREFIX}:autoscalingconfiguration/high-availability/1"
    )["AutoScalingConfiguration"]
    assert by_revision["AutoScalingConfigurationArn"] == first["AutoScalingConfigurationArn"]


def test_list_latest_only_by_default(client: Any) -> None:
    _asc(client, "low-cost", MaxSize=2)
    _asc(client, "low-cost", MaxSize=3)
    listed = client.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]
    pairs = [
        (s["AutoScalingConfigurationName"], s["AutoScalingConfigurationRevision"]) for s in listed
    ]
    assert pairs == [("DefaultConfiguration", 1), ("low-cost", 2)]
    every = client.list_auto_scaling_configurations(
        AutoScalingConfigurationName="low-cost", LatestOnly=False
    )["AutoScalingConfigurationSummaryList"]
    assert [s["AutoScalingConfigurationRevision"] for s in every] == [1, 2]
    page = client.list_auto_scaling_configurations(LatestOnly=False, MaxResults=1)
    assert len(page["AutoScalingConfigurationSummaryList"]) == 1 and page["NextToken"]


@pytest.mark.parametrize(
    ("sizes", "words"),
    [
        pytest.param({"MinSize": 5, "MaxSize": 4}, "MinSize", id="min-over-max"),
        pytest.param({"MaxSize": 26}, "25", id="max-over-25"),
        pytest.param({"MinSize": 26}, "25", id="min-over-model-max"),
        pytest.param({"MaxConcurrency": 201}, "200", id="concurrency-over-200"),
        pytest.param({"MaxConcurrency": 0}, "1", id="concurrency-zero"),
    ],
)
def test_sizes_outside_the_rules_are_refused(
    csim: Simulator, client: Any, sizes: dict[str, int], words: str
) -> None:
    params = {"AutoScalingConfigurationName": "bad-sizes", **sizes}
    message = refused(csim, "CreateAutoScalingConfiguration", params, "InvalidRequestException")
    assert words in message
    listed = client.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]
    assert "bad-sizes" not in {s["AutoScalingConfigurationName"] for s in listed}


def test_quota_of_ten_revisions_per_name(csim: Simulator, client: Any) -> None:
    for _ in range(10):
        _asc(client, "many-revisions")
    message = refused(
        csim,
        "CreateAutoScalingConfiguration",
        {"AutoScalingConfigurationName": "many-revisions"},
        "ServiceQuotaExceededException",
    )
    assert "10" in message
    # Deleting a revision makes room; the next one keeps counting up.
    client.delete_auto_scaling_configuration(
        AutoScalingConfigurationArn=f"{PREFIX}:autoscalingconfiguration/many-revisions/4"
    )
    assert _asc(client, "many-revisions")["AutoScalingConfigurationRevision"] == 11


def test_quota_of_ten_names(csim: Simulator, client: Any) -> None:
    for i in range(10):
        _asc(client, f"name-{i:02d}")
    refused(
        csim,
        "CreateAutoScalingConfiguration",
        {"AutoScalingConfigurationName": "one-too-many"},
        "ServiceQuotaExceededException",
    )
    # A new revision of a name already held is no new name.
    assert _asc(client, "name-00")["AutoScalingConfigurationRevision"] == 2


def test_service_uses_a_named_configuration(csim: Simulator, client: Any) -> None:
    first = _asc(client, "busy-hours", MinSize=2)
    second = _asc(client, "busy-hours", MinSize=4)
    arn = _service(
        client, csim, AutoScalingConfigurationArn=f"{PREFIX}:autoscalingconfiguration/busy-hours"
    )
    summary = client.describe_service(ServiceArn=arn)["Service"]["AutoScalingConfigurationSummary"]
    assert summary["AutoScalingConfigurationArn"] == second["AutoScalingConfigurationArn"]
    listed = client.list_services_for_auto_scaling_configuration(
        AutoScalingConfigurationArn=second["AutoScalingConfigurationArn"]
    )["ServiceArnList"]
    assert listed == [arn]
    # In use: neither it nor all revisions can be deleted; the unused revision can.
    for params in (
        {"AutoScalingConfigurationArn": second["AutoScalingConfigurationArn"]},
        {
            "AutoScalingConfigurationArn": f"{PREFIX}:autoscalingconfiguration/busy-hours",
            "DeleteAllRevisions": True,
        },
    ):
        message = refused(csim, "DeleteAutoScalingConfiguration", params, "InvalidRequestException")
        assert "used by a service" in message
    deleted = client.delete_auto_scaling_configuration(
        AutoScalingConfigurationArn=first["AutoScalingConfigurationArn"]
    )["AutoScalingConfiguration"]
    assert deleted["Status"] == "INACTIVE" and "DeletedAt" in deleted
    # An update moves the service to revision 1? Gone: refused. To the default: then free.
    refused(
        csim,
        "UpdateService",
        {"ServiceArn": arn, "AutoScalingConfigurationArn": first["AutoScalingConfigurationArn"]},
        "InvalidRequestException",
    )
    default = f"{PREFIX}:autoscalingconfiguration/DefaultConfiguration"
    client.update_service(ServiceArn=arn, AutoScalingConfigurationArn=default)
    # Until the update ends, the service still holds it.
    refused(
        csim,
        "DeleteAutoScalingConfiguration",
        {"AutoScalingConfigurationArn": second["AutoScalingConfigurationArn"]},
        "InvalidRequestException",
    )
    _settle(csim)
    assert (
        client.list_services_for_auto_scaling_configuration(
            AutoScalingConfigurationArn=second["AutoScalingConfigurationArn"]
        )["ServiceArnList"]
        == []
    )
    client.delete_auto_scaling_configuration(
        AutoScalingConfigurationArn=f"{PREFIX}:autoscalingconfiguration/busy-hours",
        DeleteAllRevisions=True,
    )
    listed_names = {
        s["AutoScalingConfigurationName"]
        for s in client.list_auto_scaling_configurations(LatestOnly=False)[
            "AutoScalingConfigurationSummaryList"
        ]
    }
    assert "busy-hours" not in listed_names


def test_delete_all_revisions_needs_the_name_only(csim: Simulator, client: Any) -> None:
    config = _asc(client, "spare")
    message = refused(
        csim,
        "DeleteAutoScalingConfiguration",
        {
            "AutoScalingConfigurationArn": config["AutoScalingConfigurationArn"],
            "DeleteAllRevisions": True,
        },
        "InvalidRequestException",
    )
    assert ".../spare" in message


def test_update_default(csim: Simulator, client: Any) -> None:
    default = client.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"][0]
    assert default["IsDefault"] is True and default["HasAssociatedService"] is True
    refused(
        csim,
        "DeleteAutoScalingConfiguration",
        {"AutoScalingConfigurationArn": default["AutoScalingConfigurationArn"]},
        "InvalidRequestException",
    )
    mine = _asc(client, "house-default", MaxSize=5)
    made = client.update_default_auto_scaling_configuration(
        AutoScalingConfigurationArn=f"{PREFIX}:autoscalingconfiguration/house-default"
    )["AutoScalingConfiguration"]
    assert made["IsDefault"] is True
    assert made["AutoScalingConfigurationArn"] == mine["AutoScalingConfigurationArn"]
    old = client.describe_auto_scaling_configuration(
        AutoScalingConfigurationArn=default["AutoScalingConfigurationArn"]
    )["AutoScalingConfiguration"]
    assert old["IsDefault"] is False
    # A service naming none now gets the new default.
    arn = _service(client, csim)
    summary = client.describe_service(ServiceArn=arn)["Service"]["AutoScalingConfigurationSummary"]
    assert summary["AutoScalingConfigurationArn"] == mine["AutoScalingConfigurationArn"]
    assert summary["IsDefault"] is True


@pytest.mark.parametrize(
    "operation",
    [
        "DescribeAutoScalingConfiguration",
        "DeleteAutoScalingConfiguration",
        "UpdateDefaultAutoScalingConfiguration",
        "ListServicesForAutoScalingConfiguration",
    ],
)
def test_unknown_configuration_is_not_found(csim: Simulator, operation: str) -> None:
    params = {"AutoScalingConfigurationArn": f"{PREFIX}:autoscalingconfiguration/nowhere/3"}
    refused(csim, operation, params, "ResourceNotFoundException")


# -- observability -------------------------------------------------------------------


def _oc(client: Any, name: str, tracing: bool = True) -> dict[str, Any]:
    extra = {"TraceConfiguration": {"Vendor": "AWSXRAY"}} if tracing else {}
    out = client.create_observability_configuration(ObservabilityConfigurationName=name, **extra)
    return dict(out["ObservabilityConfiguration"])


def test_observability_revisions_and_service(csim: Simulator, client: Any) -> None:
    first = _oc(client, "xray-tracing")
    second = _oc(client, "xray-tracing", tracing=False)
    assert first["TraceConfiguration"] == {"Vendor": "AWSXRAY"}
    assert "TraceConfiguration" not in second
    assert second["ObservabilityConfigurationRevision"] == 2 and second["Latest"] is True
    listed = client.list_observability_configurations()["ObservabilityConfigurationSummaryList"]
    assert [s["ObservabilityConfigurationRevision"] for s in listed] == [2]
    arn = _service(
        client,
        csim,
        ObservabilityConfiguration={
            "ObservabilityEnabled": True,
            "ObservabilityConfigurationArn": f"{PREFIX}:observabilityconfiguration/xray-tracing/1",
        },
    )
    service = client.describe_service(ServiceArn=arn)["Service"]
    assert service["ObservabilityConfiguration"] == {
        "ObservabilityEnabled": True,
        "ObservabilityConfigurationArn": first["ObservabilityConfigurationArn"],
    }
    message = refused(
        csim,
        "DeleteObservabilityConfiguration",
        {"ObservabilityConfigurationArn": first["ObservabilityConfigurationArn"]},
        "InvalidRequestException",
    )
    assert "used by a service" in message
    # Turning it off frees the configuration once the update is over.
    client.update_service(
        ServiceArn=arn, ObservabilityConfiguration={"ObservabilityEnabled": False}
    )
    _settle(csim)
    gone = client.delete_observability_configuration(
        ObservabilityConfigurationArn=first["ObservabilityConfigurationArn"]
    )["ObservabilityConfiguration"]
    assert gone["Status"] == "INACTIVE"


@pytest.mark.parametrize(
    "observability",
    [
        pytest.param(
            {
                "ObservabilityEnabled": True,
                "ObservabilityConfigurationArn": f"{PREFIX}:observabilityconfiguration/ghost",
            },
            id="unknown",
        ),
        pytest.param({"ObservabilityEnabled": True}, id="enabled-without-arn"),
        pytest.param(
            {
                "ObservabilityEnabled": False,
                "ObservabilityConfigurationArn": f"{PREFIX}:observabilityconfiguration/ghost",
            },
            id="disabled-with-arn",
        ),
    ],
)
def test_service_observability_refused(
    csim: Simulator, client: Any, observability: dict[str, Any]
) -> None:
    services = client.list_services()["ServiceSummaryList"]
    refused(
        csim,
        "CreateService",
        {
            "ServiceName": "never-made",
            "SourceConfiguration": SOURCE,
            "ObservabilityConfiguration": observability,
        },
        "InvalidRequestException",
    )
    refused(
        csim,
        "UpdateService",
        {"ServiceArn": services[0]["ServiceArn"], "ObservabilityConfiguration": observability},
        "InvalidRequestException",
    )
    assert client.list_services()["ServiceSummaryList"] == services


def test_observability_default_name_is_reserved(csim: Simulator) -> None:
    refused(
        csim,
        "CreateObservabilityConfiguration",
        {"ObservabilityConfigurationName": "DefaultConfiguration"},
        "InvalidRequestException",
    )


def test_observability_quota(csim: Simulator, client: Any) -> None:
    for _ in range(10):
        _oc(client, "traced")
    refused(
        csim,
        "CreateObservabilityConfiguration",
        {"ObservabilityConfigurationName": "traced"},
        "ServiceQuotaExceededException",
    )


# -- VPC connectors ------------------------------------------------------------------


def _vpc(client: Any, name: str, **extra: Any) -> dict[str, Any]:
    out = client.create_vpc_connector(
        VpcConnectorName=name, Subnets=["subnet-0a1b2c3d", "subnet-4e5f6a7b"], **extra
    )
    return dict(out["VpcConnector"])


def test_vpc_connector_life(csim: Simulator, client: Any) -> None:
    connector = _vpc(client, "orders-vpc", SecurityGroups=["sg-0123abcd"])
    arn = connector["VpcConnectorArn"]
    assert arn.startswith(f"{PREFIX}:vpcconnector/orders-vpc/1/")
    assert connector["Status"] == "ACTIVE" and connector["SecurityGroups"] == ["sg-0123abcd"]
    assert client.describe_vpc_connector(VpcConnectorArn=arn)["VpcConnector"] == connector
    assert client.list_vpc_connectors()["VpcConnectors"] == [connector]
    # The name is taken; a partial ARN is not accepted (the model: "a full VPC connector ARN").
    refused(
        csim,
        "CreateVpcConnector",
        {"VpcConnectorName": "orders-vpc", "Subnets": ["subnet-1"]},
        "InvalidRequestException",
    )
    refused(
        csim,
        "DescribeVpcConnector",
        {"VpcConnectorArn": f"{PREFIX}:vpcconnector/orders-vpc"},
        "InvalidRequestException",
    )
    service = _service(
        client,
        csim,
        NetworkConfiguration={"EgressConfiguration": {"EgressType": "VPC", "VpcConnectorArn": arn}},
    )
    egress = client.describe_service(ServiceArn=service)["Service"]["NetworkConfiguration"][
        "EgressConfiguration"
    ]
    assert egress == {"EgressType": "VPC", "VpcConnectorArn": arn}
    refused(csim, "DeleteVpcConnector", {"VpcConnectorArn": arn}, "InvalidRequestException")
    # Back to public egress: the connector is let go, and can be deleted.
    client.update_service(
        ServiceArn=service, NetworkConfiguration={"EgressConfiguration": {"EgressType": "DEFAULT"}}
    )
    _settle(csim)
    egress = client.describe_service(ServiceArn=service)["Service"]["NetworkConfiguration"][
        "EgressConfiguration"
    ]
    assert egress == {"EgressType": "DEFAULT"}
    deleted = client.delete_vpc_connector(VpcConnectorArn=arn)["VpcConnector"]
    assert deleted["Status"] == "INACTIVE" and "DeletedAt" in deleted
    assert client.list_vpc_connectors()["VpcConnectors"] == []
    assert client.describe_vpc_connector(VpcConnectorArn=arn)["VpcConnector"]["Status"] == (
        "INACTIVE"
    )
    refused(csim, "DeleteVpcConnector", {"VpcConnectorArn": arn}, "ResourceNotFoundException")


@pytest.mark.parametrize(
    "egress",
    [
        pytest.param(
            {"EgressType": "VPC", "VpcConnectorArn": f"{PREFIX}:vpcconnector/ghost/1/{'0' * 32}"},
            id="unknown-connector",
        ),
        pytest.param({"EgressType": "VPC"}, id="vpc-without-connector"),
        pytest.param(
            {"EgressType": "DEFAULT", "VpcConnectorArn": f"{PREFIX}:vpcconnector/x/1/{'0' * 32}"},
            id="default-with-connector",
        ),
    ],
)
def test_service_egress_refused(csim: Simulator, client: Any, egress: dict[str, Any]) -> None:
    services = client.list_services()["ServiceSummaryList"]
    network = {"EgressConfiguration": egress}
    refused(
        csim,
        "CreateService",
        {
            "ServiceName": "never-made",
            "SourceConfiguration": SOURCE,
            "NetworkConfiguration": network,
        },
        "InvalidRequestException",
    )
    refused(
        csim,
        "UpdateService",
        {"ServiceArn": services[0]["ServiceArn"], "NetworkConfiguration": network},
        "InvalidRequestException",
    )
    assert client.list_services()["ServiceSummaryList"] == services


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"Subnets": []}, id="no-subnet"),
        pytest.param({"Subnets": ["vpc-123"]}, id="not-a-subnet"),
        pytest.param({"Subnets": ["subnet-1"], "SecurityGroups": ["group-1"]}, id="not-a-group"),
    ],
)
def test_vpc_connector_refused(csim: Simulator, params: dict[str, Any]) -> None:
    refused(
        csim,
        "CreateVpcConnector",
        {"VpcConnectorName": "bad-one", **params},
        "InvalidRequestException",
    )


def test_vpc_connector_quota(csim: Simulator, client: Any) -> None:
    for i in range(10):
        _vpc(client, f"connector-{i}")
    refused(
        csim,
        "CreateVpcConnector",
        {"VpcConnectorName": "connector-x", "Subnets": ["subnet-1"]},
        "ServiceQuotaExceededException",
    )


# -- the demo's services -------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> Iterator[Simulator]:
    with Simulator(regions=("us-east-1",), services=12, time_scale=0, world=False) as simulator:
        yield simulator


def _runtime_values(service: dict[str, Any]) -> dict[str, Any]:
    source = service["SourceConfiguration"]
    if "ImageRepository" in source:
        return dict(source["ImageRepository"].get("ImageConfiguration", {}))
    code = source["CodeRepository"]["CodeConfiguration"]
    return dict(code.get("CodeConfigurationValues", {}))


def test_demo_services_carry_variables_and_secrets(demo: Simulator) -> None:
    client = make_boto3(demo, "apprunner")
    services = [
        client.describe_service(ServiceArn=s["ServiceArn"])["Service"]
        for s in client.list_services()["ServiceSummaryList"]
    ]
    by_name = {s["ServiceName"]: s for s in services}
    orders = _runtime_values(by_name["orders-service"])
    assert orders["RuntimeEnvironmentVariables"]["DATABASE_URL"].startswith(
        "postgres://app:"
    ) and orders["RuntimeEnvironmentVariables"]["DATABASE_URL"].endswith(
        "@orders-db.internal:5432/orders"
    )
    secrets = [
        arn
        for s in services
        for arn in _runtime_values(s).get("RuntimeEnvironmentSecrets", {}).values()
    ]
    assert any(a.startswith(f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:") for a in secrets)
    assert any(a.startswith(f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/") for a in secrets)
    assert sum(1 for s in services if _runtime_values(s).get("StartCommand")) >= 6
    # One code repository keeps its settings in apprunner.yaml.
    code = [s for s in services if "CodeRepository" in s["SourceConfiguration"]]
    sources = {
        s["SourceConfiguration"]["CodeRepository"]["CodeConfiguration"]["ConfigurationSource"]
        for s in code
    }
    assert sources == {"API", "REPOSITORY"}


def test_one_demo_service_runs_in_a_vpc_with_tracing(demo: Simulator) -> None:
    client = make_boto3(demo, "apprunner")
    (connector,) = client.list_vpc_connectors()["VpcConnectors"]
    assert len(connector["Subnets"]) == 3 and connector["SecurityGroups"]
    (tracing,) = client.list_observability_configurations()["ObservabilityConfigurationSummaryList"]
    described = client.describe_observability_configuration(
        ObservabilityConfigurationArn=tracing["ObservabilityConfigurationArn"]
    )["ObservabilityConfiguration"]
    assert described["TraceConfiguration"] == {"Vendor": "AWSXRAY"}
    in_vpc = []
    for summary in client.list_services()["ServiceSummaryList"]:
        service = client.describe_service(ServiceArn=summary["ServiceArn"])["Service"]
        egress = service["NetworkConfiguration"]["EgressConfiguration"]
        if egress["EgressType"] == "VPC":
            in_vpc.append(service["ServiceName"])
            assert egress["VpcConnectorArn"] == connector["VpcConnectorArn"]
            assert service["ObservabilityConfiguration"] == {
                "ObservabilityEnabled": True,
                "ObservabilityConfigurationArn": described["ObservabilityConfigurationArn"],
            }
    assert in_vpc == ["orders-service"]
    # In use: neither can be deleted.
    refused(
        demo,
        "DeleteVpcConnector",
        {"VpcConnectorArn": connector["VpcConnectorArn"]},
        "InvalidRequestException",
    )
    refused(
        demo,
        "DeleteObservabilityConfiguration",
        {"ObservabilityConfigurationArn": described["ObservabilityConfigurationArn"]},
        "InvalidRequestException",
    )
