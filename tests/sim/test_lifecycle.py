"""Service lifecycle as the Developer Guide describes it, driven by the simulated clock."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from conftest import control, make_boto3

from artui.sim.apprunner.limits import DELETED_KEPT
from artui.sim.apprunner.operations import DURATIONS

IMAGE = "public.ecr.aws/artui-demo/hello:v1"


def advance(sim, seconds: float) -> None:
    control(sim, "POST", "/_sim/clock", {"advance": seconds})


def _image(image: str) -> dict:
    return {"ImageRepository": {"ImageIdentifier": image, "ImageRepositoryType": "ECR_PUBLIC"}}


async def _create(client, image: str = IMAGE, source: dict | None = None) -> dict:
    name = f"life-{uuid.uuid4().hex[:8]}"
    out = await client.create_service(
        ServiceName=name,
        SourceConfiguration=source or _image(image),
        Tags=[{"Key": "suite", "Value": "lifecycle"}],
    )
    return out


async def _status(client, arn: str) -> str:
    return (await client.describe_service(ServiceArn=arn))["Service"]["Status"]


async def _ops(client, arn: str) -> list[dict]:
    return (await client.list_operations(ServiceArn=arn))["OperationSummaryList"]


async def _running_service(sim, client) -> str:
    created = await _create(client)
    advance(sim, DURATIONS["CREATE_SERVICE"])
    return created["Service"]["ServiceArn"]


async def test_create_goes_pending_in_progress_then_running(frozen, apprunner):
    created = await _create(apprunner)
    arn = created["Service"]["ServiceArn"]
    assert created["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    op = (await _ops(apprunner, arn))[0]
    assert (op["Id"], op["Type"], op["Status"]) == (
        created["OperationId"],
        "CREATE_SERVICE",
        "PENDING",
    )
    assert "EndedAt" not in op
    advance(frozen, DURATIONS["CREATE_SERVICE"] * 0.5)
    assert (await _ops(apprunner, arn))[0]["Status"] == "IN_PROGRESS"
    assert await _status(apprunner, arn) == "OPERATION_IN_PROGRESS"
    advance(frozen, DURATIONS["CREATE_SERVICE"] * 0.5)
    op = (await _ops(apprunner, arn))[0]
    assert op["Status"] == "SUCCEEDED"
    assert (op["EndedAt"] - op["StartedAt"]).total_seconds() == pytest.approx(240)
    service = (await apprunner.describe_service(ServiceArn=arn))["Service"]
    assert service["Status"] == "RUNNING"
    assert service["UpdatedAt"] == op["EndedAt"]


async def test_deploy_pause_refuses_deploy_resume(frozen, apprunner):
    arn = await _running_service(frozen, apprunner)
    deployment = await apprunner.start_deployment(ServiceArn=arn)
    assert await _status(apprunner, arn) == "OPERATION_IN_PROGRESS"
    advance(frozen, DURATIONS["START_DEPLOYMENT"])
    op = (await _ops(apprunner, arn))[0]
    assert (op["Id"], op["Type"], op["Status"]) == (
        deployment["OperationId"],
        "START_DEPLOYMENT",
        "SUCCEEDED",
    )

    paused = await apprunner.pause_service(ServiceArn=arn)
    assert paused["Service"]["Status"] == "OPERATION_IN_PROGRESS" and paused["OperationId"]
    advance(frozen, DURATIONS["PAUSE_SERVICE"])
    assert await _status(apprunner, arn) == "PAUSED"

    name = paused["Service"]["ServiceName"]
    # The model gives StartDeployment no InvalidStateException: a refusal is InvalidRequest.
    with pytest.raises(apprunner.exceptions.InvalidRequestException) as err:
        await apprunner.start_deployment(ServiceArn=arn)
    assert err.value.response["Error"]["Message"] == (
        f"Service {name} is PAUSED; resume it before deploying."
    )
    with pytest.raises(apprunner.exceptions.InvalidStateException, match="PAUSED"):
        await apprunner.update_service(ServiceArn=arn, InstanceConfiguration={"Cpu": "2048"})
    with pytest.raises(apprunner.exceptions.InvalidStateException, match="already PAUSED"):
        await apprunner.pause_service(ServiceArn=arn)
    # Tags are not part of the definition: allowed while paused.
    await apprunner.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])

    await apprunner.resume_service(ServiceArn=arn)
    advance(frozen, DURATIONS["RESUME_SERVICE"])
    assert await _status(apprunner, arn) == "RUNNING"
    with pytest.raises(apprunner.exceptions.InvalidStateException, match="only a PAUSED"):
        await apprunner.resume_service(ServiceArn=arn)
    types = [op["Type"] for op in await _ops(apprunner, arn)]
    assert types == [
        "RESUME_SERVICE",
        "PAUSE_SERVICE",
        "START_DEPLOYMENT",
        "CREATE_SERVICE",
    ]


async def test_busy_service_refuses_every_change(frozen, apprunner):
    arn = await _running_service(frozen, apprunner)
    deployment = await apprunner.start_deployment(ServiceArn=arn)
    # StartDeployment's refusal is InvalidRequest: its model lists no InvalidStateException.
    calls = [
        (apprunner.start_deployment, apprunner.exceptions.InvalidRequestException),
        (apprunner.pause_service, apprunner.exceptions.InvalidStateException),
        (apprunner.resume_service, apprunner.exceptions.InvalidStateException),
        (apprunner.delete_service, apprunner.exceptions.InvalidStateException),
    ]
    for call, refused in calls:
        with pytest.raises(refused) as err:
            await call(ServiceArn=arn)
        message = err.value.response["Error"]["Message"]
        assert "START_DEPLOYMENT" in message and deployment["OperationId"] in message
    with pytest.raises(apprunner.exceptions.InvalidStateException, match="in progress"):
        await apprunner.update_service(ServiceArn=arn, InstanceConfiguration={"Cpu": "2048"})
    advance(frozen, DURATIONS["START_DEPLOYMENT"])
    assert await _status(apprunner, arn) == "RUNNING"


async def test_update_service_applies_changes_when_done(frozen, apprunner):
    arn = await _running_service(frozen, apprunner)
    out = await apprunner.update_service(
        ServiceArn=arn, InstanceConfiguration={"Cpu": "2048", "Memory": "4096"}
    )
    assert out["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    advance(frozen, DURATIONS["UPDATE_SERVICE"])
    service = (await apprunner.describe_service(ServiceArn=arn))["Service"]
    assert service["InstanceConfiguration"]["Cpu"] == "2048"
    assert (await _ops(apprunner, arn))[0]["Type"] == "UPDATE_SERVICE"


async def test_delete_leaves_the_list_and_describes_as_deleted(frozen, apprunner):
    arn = await _running_service(frozen, apprunner)
    deleted = await apprunner.delete_service(ServiceArn=arn)
    assert deleted["Service"]["Status"] == "OPERATION_IN_PROGRESS" and deleted["OperationId"]
    listed = {s["ServiceArn"] for s in (await apprunner.list_services())["ServiceSummaryList"]}
    assert arn in listed
    advance(frozen, DURATIONS["DELETE_SERVICE"])
    listed = {s["ServiceArn"] for s in (await apprunner.list_services())["ServiceSummaryList"]}
    assert arn not in listed
    service = (await apprunner.describe_service(ServiceArn=arn))["Service"]
    assert service["Status"] == "DELETED" and service["DeletedAt"]
    assert (await _ops(apprunner, arn))[0]["Status"] == "SUCCEEDED"
    with pytest.raises(apprunner.exceptions.InvalidRequestException, match="DELETED"):
        await apprunner.start_deployment(ServiceArn=arn)


async def test_fail_create_version_ends_create_failed_rebuild_or_delete(frozen, apprunner):
    created = await _create(apprunner, image="public.ecr.aws/artui-demo/hello:fail-create")
    arn = created["Service"]["ServiceArn"]
    advance(frozen, DURATIONS["CREATE_SERVICE"])
    assert await _status(apprunner, arn) == "CREATE_FAILED"
    assert (await _ops(apprunner, arn))[0]["Status"] == "FAILED"
    calls = [
        (apprunner.start_deployment, apprunner.exceptions.InvalidRequestException),
        (apprunner.pause_service, apprunner.exceptions.InvalidStateException),
        (apprunner.resume_service, apprunner.exceptions.InvalidStateException),
    ]
    for call, refused in calls:
        with pytest.raises(refused, match="rebuild it with UpdateService, or delete it"):
            await call(ServiceArn=arn)
    await apprunner.delete_service(ServiceArn=arn)
    advance(frozen, DURATIONS["DELETE_SERVICE"])
    assert await _status(apprunner, arn) == "DELETED"


async def _demo_connection(apprunner: Any) -> str:
    listed = await apprunner.list_connections(ConnectionName="github-example")
    return str(listed["ConnectionSummaryList"][0]["ConnectionArn"])


async def test_fail_create_code_version_ends_create_failed(frozen, apprunner):
    source = {
        "CodeRepository": {
            "RepositoryUrl": "https://github.com/example-org/hello",
            "SourceCodeVersion": {"Type": "BRANCH", "Value": "fail-create"},
            "CodeConfiguration": {"ConfigurationSource": "REPOSITORY"},
        },
        # The demo's GitHub connection, AVAILABLE in every seeded region.
        "AuthenticationConfiguration": {"ConnectionArn": await _demo_connection(apprunner)},
    }
    created = await _create(apprunner, source=source)
    advance(frozen, DURATIONS["CREATE_SERVICE"])
    assert await _status(apprunner, created["Service"]["ServiceArn"]) == "CREATE_FAILED"


@pytest.mark.parametrize(
    "image",
    [
        "public.ecr.aws/x/failover:v1",
        "public.ecr.aws/artui-demo/fail:v1",
        "public.ecr.aws/artui-demo/hello:fail",
        "public.ecr.aws/artui-demo/hello:fail-create-2",
        "public.ecr.aws/artui-demo/hello:FAIL-CREATE",
        "public.ecr.aws/artui-demo/fail-create",  # a repository so named, with no tag
    ],
)
async def test_only_the_exact_version_fails_create(frozen, apprunner, image):
    created = await _create(apprunner, image=image)
    advance(frozen, DURATIONS["CREATE_SERVICE"])
    assert await _status(apprunner, created["Service"]["ServiceArn"]) == "RUNNING"


async def test_image_named_failover_creates_updates_and_deploys_fine(frozen, apprunner):
    created = await _create(apprunner, image="public.ecr.aws/x/failover:v1")
    arn = created["Service"]["ServiceArn"]
    advance(frozen, DURATIONS["CREATE_SERVICE"])
    assert await _status(apprunner, arn) == "RUNNING"
    await apprunner.update_service(
        ServiceArn=arn, SourceConfiguration=_image("public.ecr.aws/x/failover:v2")
    )
    advance(frozen, DURATIONS["UPDATE_SERVICE"])
    service = (await apprunner.describe_service(ServiceArn=arn))["Service"]
    assert service["SourceConfiguration"]["ImageRepository"]["ImageIdentifier"] == (
        "public.ecr.aws/x/failover:v2"
    )
    assert (await _ops(apprunner, arn))[0]["Status"] == "SUCCEEDED"
    await apprunner.start_deployment(ServiceArn=arn)
    advance(frozen, DURATIONS["START_DEPLOYMENT"])
    assert (await _ops(apprunner, arn))[0]["Status"] == "SUCCEEDED"
    assert await _status(apprunner, arn) == "RUNNING"


async def test_fail_update_version_fails_the_update_and_rolls_back(frozen, apprunner):
    arn = await _running_service(frozen, apprunner)
    await apprunner.update_service(
        ServiceArn=arn,
        SourceConfiguration=_image("public.ecr.aws/artui-demo/hello:fail-update"),
    )
    advance(frozen, DURATIONS["UPDATE_SERVICE"])
    service = (await apprunner.describe_service(ServiceArn=arn))["Service"]
    assert service["Status"] == "RUNNING"
    assert service["SourceConfiguration"]["ImageRepository"]["ImageIdentifier"] == IMAGE
    assert (await _ops(apprunner, arn))[0]["Status"] == "FAILED"
    # The failed update left the old source: deployments and other updates succeed.
    await apprunner.start_deployment(ServiceArn=arn)
    advance(frozen, DURATIONS["START_DEPLOYMENT"])
    assert (await _ops(apprunner, arn))[0]["Status"] == "SUCCEEDED"


async def test_fail_deploy_version_creates_then_every_deployment_fails(frozen, apprunner):
    created = await _create(apprunner, image="public.ecr.aws/artui-demo/hello:fail-deploy")
    arn = created["Service"]["ServiceArn"]
    advance(frozen, DURATIONS["CREATE_SERVICE"])
    assert await _status(apprunner, arn) == "RUNNING"
    for _ in range(2):
        await apprunner.start_deployment(ServiceArn=arn)
        advance(frozen, DURATIONS["START_DEPLOYMENT"])
        assert (await _ops(apprunner, arn))[0]["Status"] == "FAILED"
        assert await _status(apprunner, arn) == "RUNNING"


async def test_name_can_be_reused_after_delete(frozen, apprunner):
    created = await _create(apprunner)
    advance(frozen, DURATIONS["CREATE_SERVICE"])
    arn = created["Service"]["ServiceArn"]
    await apprunner.delete_service(ServiceArn=arn)
    advance(frozen, DURATIONS["DELETE_SERVICE"])
    again = await apprunner.create_service(
        ServiceName=created["Service"]["ServiceName"],
        SourceConfiguration=created["Service"]["SourceConfiguration"],
    )
    assert again["Service"]["ServiceId"] != created["Service"]["ServiceId"]


def test_the_longest_deleted_services_are_forgotten_past_the_hundredth(fresh_sim) -> None:
    client = make_boto3(fresh_sim, "apprunner")
    deleted = []
    for n in range(DELETED_KEPT + 2):
        arn = client.create_service(ServiceName=f"churn-{n}", SourceConfiguration=_image(IMAGE))[
            "Service"
        ]["ServiceArn"]
        advance(fresh_sim, DURATIONS["CREATE_SERVICE"])
        client.delete_service(ServiceArn=arn)
        advance(fresh_sim, DURATIONS["DELETE_SERVICE"])
        deleted.append(arn)
    client.list_services()  # a listing is where the forgetting happens
    for arn in deleted[:2]:
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.describe_service(ServiceArn=arn)
    for arn in deleted[2:]:
        assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == "DELETED"
    # The demo's live services are untouched.
    assert len(client.list_services()["ServiceSummaryList"]) == 7
