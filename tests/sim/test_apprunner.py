"""App Runner's API as the simulator serves it, through aiobotocore and boto3 over HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from conftest import (
    SIM_SERVICES,
    VALIDATED,
    client_kwargs,
    control,
    make_aio,
    make_boto3,
    validate_error,
)

from artui.sim.seed import service_name

IMAGE = "public.ecr.aws/artui-demo/hello:v1"


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def _all_services(client, page_size: int = 20) -> tuple[list[dict], int]:
    services, pages, token = [], 0, None
    while True:
        kwargs = {"MaxResults": page_size, **({"NextToken": token} if token else {})}
        page = await client.list_services(**kwargs)
        pages += 1
        services.extend(page["ServiceSummaryList"])
        token = page.get("NextToken")
        if not token:
            return services, pages


async def test_list_services_pages_with_next_token(apprunner):
    services, pages = await _all_services(apprunner, page_size=2)
    names = [s["ServiceName"] for s in services]
    assert pages >= 3
    assert len(names) == len(set(names))
    assert {service_name(i) for i in range(SIM_SERVICES)} <= set(names)
    # The session's simulator also holds what other test files created (which ones depend
    # on how the files are spread over workers): the default page is at most 20, ListServices'
    # default and most, with a token exactly when there are more.
    default_page = await apprunner.list_services()
    assert len(default_page["ServiceSummaryList"]) == min(len(services), 20)
    assert bool(default_page.get("NextToken")) == (len(services) > 20)


async def test_list_services_rejects_max_results_over_20(apprunner):
    with pytest.raises(apprunner.exceptions.InvalidRequestException) as err:
        await apprunner.list_services(MaxResults=21)
    assert "20" in err.value.response["Error"]["Message"]


async def test_list_services_rejects_a_forged_token(apprunner):
    with pytest.raises(apprunner.exceptions.InvalidRequestException, match="NextToken"):
        await apprunner.list_services(NextToken="not-a-token")


def test_max_results_below_one_rejected_by_the_server(sim):
    # botocore refuses MaxResults=0 itself, so turn its validation off to see the server's.
    import boto3
    from botocore.config import Config

    raw = boto3.client("apprunner", config=Config(parameter_validation=False), **client_kwargs(sim))
    with pytest.raises(raw.exceptions.InvalidRequestException, match="greater than or equal to 1"):
        raw.list_services(MaxResults=0)


async def test_seeded_world_has_a_status_mix(apprunner):
    services, _ = await _all_services(apprunner)
    statuses = {s["ServiceName"]: s["Status"] for s in services}
    assert "PAUSED" in statuses.values()
    assert "CREATE_FAILED" in statuses.values()
    assert (
        list(statuses.values()).count("RUNNING")
        + list(statuses.values()).count("OPERATION_IN_PROGRESS")
        >= 3
    )
    for summary in services:
        assert summary["ServiceArn"] == (
            f"arn:aws:apprunner:us-east-1:123456789012:service/"
            f"{summary['ServiceName']}/{summary['ServiceId']}"
        )
        assert summary["ServiceUrl"].endswith(".us-east-1.awsapprunner.com")
        assert len(summary["ServiceId"]) == 32


async def test_describe_service_returns_the_full_service(apprunner):
    services, _ = await _all_services(apprunner)
    kinds = set()
    for summary in services:
        service = (await apprunner.describe_service(ServiceArn=summary["ServiceArn"]))["Service"]
        assert service["ServiceName"] == summary["ServiceName"]
        assert service["InstanceConfiguration"]["Cpu"]
        assert service["AutoScalingConfigurationSummary"]["AutoScalingConfigurationName"] == (
            "DefaultConfiguration"
        )
        assert service["HealthCheckConfiguration"]["Protocol"] in ("TCP", "HTTP")
        kinds |= set(service["SourceConfiguration"]) & {"ImageRepository", "CodeRepository"}
    assert kinds == {"ImageRepository", "CodeRepository"}


async def test_list_operations_pages_and_describes_history(apprunner):
    services, _ = await _all_services(apprunner)
    arn = next(s["ServiceArn"] for s in services if s["ServiceName"] == service_name(0))
    first = await apprunner.list_operations(ServiceArn=arn, MaxResults=1)
    assert len(first["OperationSummaryList"]) == 1 and first["NextToken"]
    page = await apprunner.list_operations(ServiceArn=arn)
    ops = page["OperationSummaryList"]
    while "NextToken" in page:  # the busy first service has more than one page
        page = await apprunner.list_operations(ServiceArn=arn, NextToken=page["NextToken"])
        ops += page["OperationSummaryList"]
    assert ops[0]["Id"] == first["OperationSummaryList"][0]["Id"]
    assert ops[-1]["Type"] == "CREATE_SERVICE"
    assert all(op["TargetArn"] == arn for op in ops)
    started = [op["StartedAt"] for op in ops]
    assert started == sorted(started, reverse=True)  # newest first
    with pytest.raises(apprunner.exceptions.InvalidRequestException):
        await apprunner.list_operations(ServiceArn=arn, MaxResults=50)


async def test_unknown_service_is_resource_not_found(apprunner):
    arn = "arn:aws:apprunner:us-east-1:123456789012:service/nope-nope/" + "0" * 32
    with pytest.raises(apprunner.exceptions.ResourceNotFoundException) as err:
        await apprunner.describe_service(ServiceArn=arn)
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(apprunner.exceptions.InvalidRequestException):
        await apprunner.describe_service(ServiceArn="arn:aws:s3:::bucket")


async def test_duplicate_name_is_invalid_request(apprunner):
    with pytest.raises(apprunner.exceptions.InvalidRequestException) as err:
        await apprunner.create_service(
            ServiceName=service_name(0),
            SourceConfiguration={
                "ImageRepository": {"ImageIdentifier": IMAGE, "ImageRepositoryType": "ECR_PUBLIC"}
            },
        )
    assert err.value.response["Error"]["Message"] == "Service with the provided name already exists"


async def test_tags_round_trip(apprunner):
    services, _ = await _all_services(apprunner)
    arn = services[0]["ServiceArn"]
    await apprunner.tag_resource(ResourceArn=arn, Tags=[{"Key": "owner", "Value": "ops"}])
    tags = {
        t["Key"]: t["Value"]
        for t in (await apprunner.list_tags_for_resource(ResourceArn=arn))["Tags"]
    }
    assert tags["owner"] == "ops" and tags["env"] == "prod"
    await apprunner.untag_resource(ResourceArn=arn, TagKeys=["owner"])
    tags = {t["Key"] for t in (await apprunner.list_tags_for_resource(ResourceArn=arn))["Tags"]}
    assert "owner" not in tags


async def test_regions_are_isolated(sim, apprunner):
    cm, eu = await make_aio(sim, "apprunner", region="eu-west-1")
    try:
        name = _unique("eu-only")
        created = await eu.create_service(
            ServiceName=name,
            SourceConfiguration={
                "ImageRepository": {"ImageIdentifier": IMAGE, "ImageRepositoryType": "ECR_PUBLIC"}
            },
        )
        arn = created["Service"]["ServiceArn"]
        assert ":eu-west-1:" in arn
        assert created["Service"]["ServiceUrl"].endswith(".eu-west-1.awsapprunner.com")
        eu_names = {s["ServiceName"] for s in (await _all_services(eu))[0]}
        us_services = (await _all_services(apprunner))[0]
        assert name in eu_names
        assert name not in {s["ServiceName"] for s in us_services}
        # Same seeded names, different services.
        eu_ids = {s["ServiceId"] for s in (await _all_services(eu))[0]}
        assert not eu_ids & {s["ServiceId"] for s in us_services}
        with pytest.raises(apprunner.exceptions.InvalidRequestException, match="eu-west-1"):
            await apprunner.describe_service(ServiceArn=arn)
    finally:
        await cm.__aexit__(None, None, None)


def test_boto3_sees_the_same_api(sim):
    client = make_boto3(sim, "apprunner", region="eu-west-1")
    names = {s["ServiceName"] for s in client.list_services()["ServiceSummaryList"]}
    assert service_name(0) in names


def _raw_call(sim, target: str, body: bytes) -> tuple[int, dict, dict[str, str]]:
    """POST straight to the simulator (no botocore): status, JSON body and headers."""
    request = urllib.request.Request(sim.endpoint + "/", data=body, method="POST")
    request.add_header("X-Amz-Target", target)
    request.add_header("Content-Type", "application/x-amz-json-1.0")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc), dict(exc.headers)


def test_error_body_shape_and_unknown_operation(sim):
    status, doc, _ = _raw_call(sim, "AppRunner.FlyToTheMoon", b"{}")
    assert status == 400
    assert doc["__type"] == "UnknownOperationException"
    status, doc, _ = _raw_call(sim, "AppRunner.DescribeService", b"{}")
    assert (status, doc["__type"]) == (400, "InvalidRequestException")
    assert "serviceArn" in doc["Message"]  # AWS names members in lower camel case
    status, doc, _ = _raw_call(sim, "AppRunner.ListServices", b"{not json")
    assert (status, doc["__type"]) == (400, "SerializationException")


def test_modelled_errors_have_aws_bodies(sim):
    status, listed, _ = _raw_call(sim, "AppRunner.ListServices", b"{}")
    assert status == 200
    # RUNNING (nothing in flight) or CREATE_FAILED can't be resumed, whatever ran before.
    settled = next(
        s for s in listed["ServiceSummaryList"] if s["Status"] in ("RUNNING", "CREATE_FAILED")
    )
    missing = "arn:aws:apprunner:us-east-1:123456789012:service/nope-nope/" + "0" * 32
    cases = [
        ("ResumeService", {"ServiceArn": settled["ServiceArn"]}, "InvalidStateException"),
        ("DescribeService", {"ServiceArn": missing}, "ResourceNotFoundException"),
        ("ListServices", {"MaxResults": 21}, "InvalidRequestException"),
    ]
    for operation, params, code in cases:
        status, doc, headers = _raw_call(sim, f"AppRunner.{operation}", json.dumps(params).encode())
        validate_error(operation, status, doc, code)
        assert headers["x-amzn-ErrorType"] == code
        assert headers["Content-Type"].startswith("application/x-amz-json-1.0")


async def test_every_call_is_shape_checked(apprunner):
    # Makes its own calls, so it holds whichever tests ran before it, or none.
    start = len(VALIDATED)
    arn = (await apprunner.list_services())["ServiceSummaryList"][0]["ServiceArn"]
    await apprunner.describe_service(ServiceArn=arn)
    await apprunner.list_operations(ServiceArn=arn)
    await apprunner.tag_resource(ResourceArn=arn, Tags=[{"Key": "checked", "Value": "yes"}])
    await apprunner.list_tags_for_resource(ResourceArn=arn)
    await apprunner.untag_resource(ResourceArn=arn, TagKeys=["checked"])
    assert VALIDATED[start:] == [
        "ListServices",
        "DescribeService",
        "ListOperations",
        "TagResource",
        "ListTagsForResource",
        "UntagResource",
    ]


def test_a_service_arn_without_its_id_names_the_live_service(fresh_sim):
    # The guide: a service's ARN is `...:service/service-name[/service-id]`; the model's
    # pattern for every ServiceArn and ResourceArn allows it.
    client = make_boto3(fresh_sim, "apprunner")
    short = "arn:aws:apprunner:us-east-1:123456789012:service/short-arn"
    source = {"ImageRepository": {"ImageIdentifier": IMAGE, "ImageRepositoryType": "ECR_PUBLIC"}}
    first = client.create_service(ServiceName="short-arn", SourceConfiguration=source)
    full = first["Service"]["ServiceArn"]
    assert full.startswith(short + "/")
    assert client.describe_service(ServiceArn=short)["Service"]["ServiceArn"] == full
    control(fresh_sim, "POST", "/_sim/clock", {"advance": 1000})
    # Reads, tags and changes all take it.
    client.tag_resource(ResourceArn=short, Tags=[{"Key": "team", "Value": "core"}])
    assert client.list_tags_for_resource(ResourceArn=full)["Tags"] == [
        {"Key": "team", "Value": "core"}
    ]
    paused = client.pause_service(ServiceArn=short)
    assert paused["Service"]["ServiceArn"] == full
    operations = client.list_operations(ServiceArn=short)["OperationSummaryList"]
    assert [op["Type"] for op in operations] == ["PAUSE_SERVICE", "CREATE_SERVICE"]
    assert {op["TargetArn"] for op in operations} == {full}
    control(fresh_sim, "POST", "/_sim/clock", {"advance": 1000})
    client.delete_service(ServiceArn=short)
    control(fresh_sim, "POST", "/_sim/clock", {"advance": 1000})
    # Deleted: the full ARN still describes it; no live service has the name.
    assert client.describe_service(ServiceArn=full)["Service"]["Status"] == "DELETED"
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_service(ServiceArn=short)
    # The name reused: the short ARN names the new service.
    second = client.create_service(ServiceName="short-arn", SourceConfiguration=source)
    assert second["Service"]["ServiceArn"] != full
    described = client.describe_service(ServiceArn=short)["Service"]
    assert described["ServiceArn"] == second["Service"]["ServiceArn"]
    # Another account's, or another region's, is not this one.
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_service(ServiceArn=short.replace("123456789012", "210987654321"))
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.describe_service(ServiceArn=short.replace("us-east-1", "eu-west-1"))
