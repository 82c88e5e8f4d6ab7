"""VPC ingress connections through boto3 over HTTP: PENDING_CREATION to AVAILABLE, updates,
deletion, the statuses each action needs, one per service, the quota, the filters and
paging, failures on demand, and what they mean for their service.

Each test has a fresh simulator of its own, clock stopped: a change ends when the test
advances it. Every 200 is shape-checked (conftest's make_boto3); refusals are checked as raw
AWS error bodies.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import control, make_boto3, raw_apprunner, refused, validate_error

from artui.sim import Simulator
from artui.sim.apprunner.ingress import CREATE_SECONDS, DELETE_SECONDS, UPDATE_SECONDS
from artui.sim.apprunner.operations import DURATIONS

ACCOUNT = "123456789012"
PREFIX = f"arn:aws:apprunner:us-east-1:{ACCOUNT}"
SOURCE = {
    "ImageRepository": {
        "ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
        "ImageRepositoryType": "ECR_PUBLIC",
    }
}
VPC = {"VpcId": "vpc-0a1b2c3d", "VpcEndpointId": "vpce-0a1b2c3d4e"}
PRIVATE = {"IngressConfiguration": {"IsPubliclyAccessible": False}}


@pytest.fixture
def isim() -> Iterator[Simulator]:
    with Simulator(regions=("us-east-1",), services=1, time_scale=0, world=False) as simulator:
        yield simulator


@pytest.fixture
def client(isim: Simulator) -> Any:
    return make_boto3(isim, "apprunner")


def _advance(sim: Simulator, seconds: float) -> None:
    control(sim, "POST", "/_sim/clock", {"advance": seconds})


def _service(client: Any, sim: Simulator, source: dict[str, Any] = SOURCE) -> str:
    out = client.create_service(
        ServiceName=f"private-{uuid.uuid4().hex[:8]}",
        SourceConfiguration=source,
        NetworkConfiguration=PRIVATE,
    )
    _advance(sim, DURATIONS["CREATE_SERVICE"])
    return str(out["Service"]["ServiceArn"])


def _create(client: Any, service: str, name: str, **vpc: str) -> dict[str, Any]:
    out = client.create_vpc_ingress_connection(
        ServiceArn=service,
        VpcIngressConnectionName=name,
        IngressVpcConfiguration={**VPC, **vpc},
    )
    return dict(out["VpcIngressConnection"])


def _describe(client: Any, arn: str) -> dict[str, Any]:
    out = client.describe_vpc_ingress_connection(VpcIngressConnectionArn=arn)
    return dict(out["VpcIngressConnection"])


def _listed(client: Any, **params: Any) -> list[str]:
    out = client.list_vpc_ingress_connections(**params)["VpcIngressConnectionSummaryList"]
    return [c["VpcIngressConnectionArn"] for c in out]


# -- lifecycle -------------------------------------------------------------------------


def test_create_update_delete(isim: Simulator, client: Any) -> None:
    service = _service(client, isim)
    now = control(isim, "GET", "/_sim/clock")["now"]
    made = _create(client, service, "private-link")
    arn = made["VpcIngressConnectionArn"]
    assert re.fullmatch(rf"{PREFIX}:vpcingressconnection/private-link/[0-9a-f]{{32}}", arn)
    assert made["Status"] == "PENDING_CREATION"
    assert (made["ServiceArn"], made["AccountId"]) == (service, ACCOUNT)
    assert made["IngressVpcConfiguration"] == VPC
    assert made["CreatedAt"].timestamp() == pytest.approx(now)
    assert "DeletedAt" not in made
    # App Runner's domain for the service inside the VPC: not its public URL.
    url = client.describe_service(ServiceArn=service)["Service"]["ServiceUrl"]
    assert made["DomainName"].endswith(".us-east-1.awsapprunner.com")
    assert made["DomainName"] != url
    _advance(isim, CREATE_SECONDS - 1)
    assert _describe(client, arn)["Status"] == "PENDING_CREATION"
    _advance(isim, 1)
    assert _describe(client, arn) == {**made, "Status": "AVAILABLE"}

    moved = client.update_vpc_ingress_connection(
        VpcIngressConnectionArn=arn,
        IngressVpcConfiguration={**VPC, "VpcEndpointId": "vpce-99ff"},
    )["VpcIngressConnection"]
    assert moved["Status"] == "PENDING_UPDATE"
    assert moved["IngressVpcConfiguration"]["VpcEndpointId"] == "vpce-99ff"
    assert moved["DomainName"] == made["DomainName"]
    _advance(isim, UPDATE_SECONDS)
    assert _describe(client, arn)["Status"] == "AVAILABLE"

    deleting = client.delete_vpc_ingress_connection(VpcIngressConnectionArn=arn)[
        "VpcIngressConnection"
    ]
    assert deleting["Status"] == "PENDING_DELETION"
    deleted_at = deleting["DeletedAt"]  # the guide's example answers it at once
    assert _listed(client) == [arn]
    _advance(isim, DELETE_SECONDS)
    gone = _describe(client, arn)
    assert (gone["Status"], gone["DeletedAt"]) == ("DELETED", deleted_at)
    assert _listed(client) == []


def test_durations_follow_the_speedup() -> None:
    with Simulator(
        regions=("us-east-1",), services=1, time_scale=0, world=False, speedup=10
    ) as sim:
        client = make_boto3(sim, "apprunner")
        out = client.create_service(ServiceName="fast", SourceConfiguration=SOURCE)
        _advance(sim, DURATIONS["CREATE_SERVICE"])
        arn = _create(client, out["Service"]["ServiceArn"], "fast-link")["VpcIngressConnectionArn"]
        _advance(sim, CREATE_SECONDS / 10 - 1)
        assert _describe(client, arn)["Status"] == "PENDING_CREATION"
        _advance(sim, 1)
        assert _describe(client, arn)["Status"] == "AVAILABLE"


def test_the_service_shows_what_it_was_given(isim: Simulator, client: Any) -> None:
    service = _service(client, isim)
    _create(client, service, "shown-link")
    _advance(isim, CREATE_SECONDS)
    network = client.describe_service(ServiceArn=service)["Service"]["NetworkConfiguration"]
    # Private is the service's own setting (CreateService above); the ingress connection is
    # its own resource, listed by the service's ARN.
    assert network["IngressConfiguration"] == {"IsPubliclyAccessible": False}
    assert len(_listed(client, Filter={"ServiceArn": service})) == 1


# -- what each status allows -------------------------------------------------------------


def test_a_change_waits_for_the_last_one(isim: Simulator, client: Any) -> None:
    arn = _create(client, _service(client, isim), "busy-link")["VpcIngressConnectionArn"]
    update = {"VpcIngressConnectionArn": arn, "IngressVpcConfiguration": VPC}
    delete = {"VpcIngressConnectionArn": arn}
    for operation, params in (
        ("UpdateVpcIngressConnection", update),
        ("DeleteVpcIngressConnection", delete),
    ):
        message = refused(isim, operation, params, "InvalidStateException")
        assert "PENDING_CREATION" in message
    _advance(isim, CREATE_SECONDS)
    client.update_vpc_ingress_connection(**update)
    refused(isim, "DeleteVpcIngressConnection", delete, "InvalidStateException")
    _advance(isim, UPDATE_SECONDS)
    client.delete_vpc_ingress_connection(**delete)
    refused(isim, "DeleteVpcIngressConnection", delete, "InvalidStateException")
    refused(isim, "UpdateVpcIngressConnection", update, "InvalidStateException")
    _advance(isim, DELETE_SECONDS)
    for operation, params in (
        ("UpdateVpcIngressConnection", update),
        ("DeleteVpcIngressConnection", delete),
    ):
        assert "DELETED" in refused(isim, operation, params, "InvalidStateException")


def test_a_failed_creation_can_be_updated_or_deleted(isim: Simulator, client: Any) -> None:
    service = _service(client, isim)
    arn = _create(client, service, "failing-link", VpcEndpointId="vpce-failcreate")[
        "VpcIngressConnectionArn"
    ]
    _advance(isim, CREATE_SECONDS)
    assert _describe(client, arn)["Status"] == "FAILED_CREATION"
    client.update_vpc_ingress_connection(VpcIngressConnectionArn=arn, IngressVpcConfiguration=VPC)
    _advance(isim, UPDATE_SECONDS)
    assert _describe(client, arn)["Status"] == "AVAILABLE"
    # A failed update keeps the endpoint the connection had.
    client.update_vpc_ingress_connection(
        VpcIngressConnectionArn=arn,
        IngressVpcConfiguration={**VPC, "VpcEndpointId": "vpce-failupdate"},
    )
    _advance(isim, UPDATE_SECONDS)
    failed = _describe(client, arn)
    assert failed["Status"] == "FAILED_UPDATE"
    assert failed["IngressVpcConfiguration"] == VPC
    client.delete_vpc_ingress_connection(VpcIngressConnectionArn=arn)
    _advance(isim, DELETE_SECONDS)
    assert _describe(client, arn)["Status"] == "DELETED"


# -- refusals ------------------------------------------------------------------------


def test_one_per_service(isim: Simulator, client: Any) -> None:
    service = _service(client, isim)
    first = _create(client, service, "first-link")["VpcIngressConnectionArn"]
    params = {
        "ServiceArn": service,
        "VpcIngressConnectionName": "second-link",
        "IngressVpcConfiguration": VPC,
    }
    assert "first-link" in refused(
        isim, "CreateVpcIngressConnection", params, "InvalidRequestException"
    )
    _advance(isim, CREATE_SECONDS)
    client.delete_vpc_ingress_connection(VpcIngressConnectionArn=first)
    refused(isim, "CreateVpcIngressConnection", params, "InvalidRequestException")
    _advance(isim, DELETE_SECONDS)
    # Once the first is DELETED the service may have another; one endpoint serves many.
    client.create_vpc_ingress_connection(**params)
    other = _service(client, isim)
    _create(client, other, "other-link")


def test_a_name_is_taken_once(isim: Simulator, client: Any) -> None:
    _create(client, _service(client, isim), "same-name")
    params = {
        "ServiceArn": _service(client, isim),
        "VpcIngressConnectionName": "same-name",
        "IngressVpcConfiguration": VPC,
    }
    refused(isim, "CreateVpcIngressConnection", params, "InvalidRequestException")


def test_ten_a_region(isim: Simulator, client: Any) -> None:
    services = [_service(client, isim) for _ in range(11)]
    for i, service in enumerate(services[:10]):
        _create(client, service, f"link-{i:02d}")
    params = {
        "ServiceArn": services[10],
        "VpcIngressConnectionName": "link-10",
        "IngressVpcConfiguration": VPC,
    }
    assert "10" in refused(
        isim, "CreateVpcIngressConnection", params, "ServiceQuotaExceededException"
    )


@pytest.mark.parametrize(
    ("vpc", "words"),
    [
        pytest.param({"VpcId": "vpc-0a1b2c3d"}, "VpcEndpointId", id="no-endpoint"),
        pytest.param({"VpcEndpointId": "vpce-0a1b"}, "VpcId", id="no-vpc"),
        pytest.param({**VPC, "VpcId": "vpce-0a1b"}, "VpcId", id="vpc-not-a-vpc-id"),
        pytest.param({**VPC, "VpcEndpointId": "sg-0a1b"}, "VpcEndpointId", id="not-an-endpoint"),
        pytest.param({**VPC, "VpcEndpointId": ""}, "VpcEndpointId", id="empty-endpoint"),
    ],
)
def test_create_needs_a_vpc_and_an_endpoint(
    isim: Simulator, client: Any, vpc: dict[str, str], words: str
) -> None:
    params = {
        "ServiceArn": _service(client, isim),
        "VpcIngressConnectionName": "shaped-link",
        "IngressVpcConfiguration": vpc,
    }
    assert words in refused(isim, "CreateVpcIngressConnection", params, "InvalidRequestException")
    assert _listed(client) == []


def test_update_cannot_change_the_vpc(isim: Simulator, client: Any) -> None:
    arn = _create(client, _service(client, isim), "fixed-vpc")["VpcIngressConnectionArn"]
    _advance(isim, CREATE_SECONDS)
    params = {
        "VpcIngressConnectionArn": arn,
        "IngressVpcConfiguration": {**VPC, "VpcId": "vpc-ffff"},
    }
    refused(isim, "UpdateVpcIngressConnection", params, "InvalidRequestException")
    assert _describe(client, arn)["Status"] == "AVAILABLE"


def test_a_service_that_failed_or_is_gone_gets_none(isim: Simulator, client: Any) -> None:
    failed = client.create_service(
        ServiceName="broken",
        SourceConfiguration={
            "ImageRepository": {
                "ImageIdentifier": "public.ecr.aws/me/app:fail-create",
                "ImageRepositoryType": "ECR_PUBLIC",
            }
        },
    )["Service"]["ServiceArn"]
    deleted = _service(client, isim)
    client.delete_service(ServiceArn=deleted)
    status, doc = _raw_create(isim, deleted, "while-deleting")
    validate_error("CreateVpcIngressConnection", status, doc, "InvalidStateException")
    _advance(isim, DURATIONS["CREATE_SERVICE"])
    for arn in (failed, deleted):
        status, doc = _raw_create(isim, arn, "too-late")
        validate_error("CreateVpcIngressConnection", status, doc, "InvalidStateException")
    # The model lists no ResourceNotFoundException for CreateVpcIngressConnection.
    unknown = f"{PREFIX}:service/ghost/{'0' * 32}"
    status, doc = _raw_create(isim, unknown, "ghost-link")
    validate_error("CreateVpcIngressConnection", status, doc, "InvalidRequestException")
    assert _listed(client) == []


def _raw_create(sim: Simulator, service: str, name: str) -> tuple[int, dict[str, Any]]:
    params = {
        "ServiceArn": service,
        "VpcIngressConnectionName": name,
        "IngressVpcConfiguration": VPC,
    }
    return raw_apprunner(sim, "CreateVpcIngressConnection", params)


@pytest.mark.parametrize(
    ("arn", "code"),
    [
        pytest.param(
            f"{PREFIX}:vpcingressconnection/ghost-link/{'0' * 32}",
            "ResourceNotFoundException",
            id="unknown",
        ),
        pytest.param(
            f"arn:aws:apprunner:us-east-1:111111111111:vpcingressconnection/x-link/{'0' * 32}",
            "ResourceNotFoundException",
            id="another-account",
        ),
        pytest.param(f"{PREFIX}:vpcconnector/x/1/{'0' * 32}", "InvalidRequestException", id="kind"),
        pytest.param(
            f"arn:aws:apprunner:eu-west-1:{ACCOUNT}:vpcingressconnection/x-link/{'0' * 32}",
            "InvalidRequestException",
            id="other-region",
        ),
    ],
)
def test_what_names_no_ingress_connection_here(isim: Simulator, arn: str, code: str) -> None:
    refused(isim, "DescribeVpcIngressConnection", {"VpcIngressConnectionArn": arn}, code)
    refused(isim, "DeleteVpcIngressConnection", {"VpcIngressConnectionArn": arn}, code)
    params = {"VpcIngressConnectionArn": arn, "IngressVpcConfiguration": VPC}
    refused(isim, "UpdateVpcIngressConnection", params, code)


# -- the service's deletion --------------------------------------------------------------


def test_a_service_with_one_is_not_deleted(isim: Simulator, client: Any) -> None:
    service = _service(client, isim)
    arn = _create(client, service, "holding-link")["VpcIngressConnectionArn"]
    message = refused(isim, "DeleteService", {"ServiceArn": service}, "InvalidRequestException")
    assert "holding-link" in message
    assert client.describe_service(ServiceArn=service)["Service"]["Status"] == "RUNNING"
    _advance(isim, CREATE_SECONDS)
    client.delete_vpc_ingress_connection(VpcIngressConnectionArn=arn)
    refused(isim, "DeleteService", {"ServiceArn": service}, "InvalidRequestException")
    _advance(isim, DELETE_SECONDS)
    client.delete_service(ServiceArn=service)
    _advance(isim, DURATIONS["DELETE_SERVICE"])
    assert client.describe_service(ServiceArn=service)["Service"]["Status"] == "DELETED"


# -- listing -----------------------------------------------------------------------------


def test_list_filters_and_pages(isim: Simulator, client: Any) -> None:
    one, two, three = (_service(client, isim) for _ in range(3))
    a = _create(client, one, "link-a")["VpcIngressConnectionArn"]
    b = _create(client, two, "link-b", VpcEndpointId="vpce-bbbb")["VpcIngressConnectionArn"]
    c = _create(client, three, "link-c")["VpcIngressConnectionArn"]
    assert _listed(client) == [a, b, c]
    summaries = client.list_vpc_ingress_connections(Filter={"ServiceArn": two})[
        "VpcIngressConnectionSummaryList"
    ]
    assert summaries == [{"VpcIngressConnectionArn": b, "ServiceArn": two}]
    assert _listed(client, Filter={"VpcEndpointId": VPC["VpcEndpointId"]}) == [a, c]
    both = {"ServiceArn": three, "VpcEndpointId": VPC["VpcEndpointId"]}
    assert _listed(client, Filter=both) == [c]
    assert _listed(client, Filter={"ServiceArn": one, "VpcEndpointId": "vpce-bbbb"}) == []
    seen: list[str] = []
    params: dict[str, Any] = {"MaxResults": 2}
    while True:
        page = client.list_vpc_ingress_connections(**params)
        seen += [s["VpcIngressConnectionArn"] for s in page["VpcIngressConnectionSummaryList"]]
        if "NextToken" not in page:
            break
        params["NextToken"] = page["NextToken"]
    assert seen == [a, b, c]
    token = client.list_vpc_ingress_connections(MaxResults=1)["NextToken"]
    params = {"Filter": {"ServiceArn": one}, "NextToken": token}
    refused(isim, "ListVpcIngressConnections", params, "InvalidRequestException")
