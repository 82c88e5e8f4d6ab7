"""Deployments that fail, and why: the demo's payments-worker fails to build, a `fail-deploy`
image fails its health check; either way the service stays RUNNING its previous version,
and the deployment log and service events say what went wrong, as App Runner's do. And the
triggers for the other failed statuses: a rollback that succeeds or fails (ROLLBACK_*), a
deletion that fails (DELETE_FAILED) and its retry.

App Runner calls go through botocore over HTTP; the logs are read back from moto, where
the demo world wrote them. The clock is stopped and moved only by the control API.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import control, make_boto3

from artui.sim import Simulator
from artui.sim.apprunner import failures
from artui.sim.apprunner.operations import DURATIONS, ROLLBACK_FRACTION
from artui.sim.server import DEMO_SERVICES, DEMO_SPEEDUP
from artui.sim.world import deployment_stream
from tests.eventually import eventually

REGION = "ca-central-1"  # no other test writes here: moto's state is process-wide
BUILD_ERROR = "[Build] ERROR: No matching distribution found for payments-sdk==4.2.0"


@pytest.fixture(scope="module")
def demo() -> Iterator[Simulator]:
    """The demo as `artui --demo` seeds it (world, speedup), on a stopped clock."""
    simulator = Simulator(
        regions=(REGION,),
        services=DEMO_SERVICES,
        time_scale=0,
        speedup=DEMO_SPEEDUP,
        world=True,
        seed=7,
    )
    simulator.start()
    yield simulator
    simulator.stop()


def advance(sim: Simulator, op_type: str) -> None:
    """Move the clock past one operation of `op_type` (sped up as the demo's are)."""
    control(sim, "POST", "/_sim/clock", {"advance": DURATIONS[op_type] / DEMO_SPEEDUP + 1})


def named(sim: Simulator, name: str) -> dict:
    services = make_boto3(sim, "apprunner", REGION).list_services()["ServiceSummaryList"]
    return next(s for s in services if s["ServiceName"] == name)


def log_lines(sim: Simulator, service: dict, stream: str) -> list[str]:
    """The messages of one stream in the service's log group, oldest first ([] if none yet)."""
    logs = make_boto3(sim, "logs", REGION)
    group = f"/aws/apprunner/{service['ServiceName']}/{service['ServiceId']}/service"
    try:
        found = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [e["message"] for e in found["events"]]


def deploy_and_finish(sim: Simulator, service: dict, ended: str = "FAILED") -> tuple[str, dict]:
    """StartDeployment, then the clock past its end, where it `ended`; (operation id, the
    service after)."""
    apprunner = make_boto3(sim, "apprunner", REGION)
    op_id = apprunner.start_deployment(ServiceArn=service["ServiceArn"])["OperationId"]
    advance(sim, "START_DEPLOYMENT")
    op = apprunner.list_operations(ServiceArn=service["ServiceArn"])["OperationSummaryList"][0]
    assert (op["Id"], op["Type"], op["Status"]) == (op_id, "START_DEPLOYMENT", ended)
    after = apprunner.describe_service(ServiceArn=service["ServiceArn"])["Service"]
    assert after["UpdatedAt"] == op["EndedAt"]
    return op_id, after


def test_payments_worker_fails_to_build_and_stays_on_its_version(demo):
    apprunner = make_boto3(demo, "apprunner", REGION)
    service = named(demo, "payments-worker")
    assert service["Status"] == "RUNNING"  # the operator can press deploy on it
    before = apprunner.describe_service(ServiceArn=service["ServiceArn"])["Service"]
    assert "CodeRepository" in before["SourceConfiguration"]

    op_id, after = deploy_and_finish(demo, service)
    assert after["Status"] == "RUNNING"
    assert after["SourceConfiguration"] == before["SourceConfiguration"]

    expected_end = (
        f"[AppRunner] Deployment with ID : {op_id} failed. Failure reason : Build failed."
    )
    lines = eventually(
        lambda: (
            (got := log_lines(demo, service, deployment_stream(op_id)))
            and got[-1] == expected_end
            and got
        ),
        "the deployment's log to end with its failure",
    )
    assert lines[0] == f"[AppRunner] Deployment with ID : {op_id} started."
    assert BUILD_ERROR in lines
    assert lines[-2] == (
        "[AppRunner] Failed to build your application source code. "
        "Reason: Failed to execute 'build' command."
    )
    # The build stopped there: nothing was deployed, so nothing was health-checked.
    assert not [line for line in lines if "Provisioning" in line or "health check" in line]
    assert not [line for line in lines if "completed successfully" in line]

    events = eventually(
        lambda: _after(log_lines(demo, service, "events"), op_id), "the deployment's events"
    )
    assert events == [
        f"[AppRunner] Deployment with ID : {op_id} started. Triggering event : MANUAL_DEPLOYMENT",
        expected_end,
        "[AppRunner] No new version was deployed. The service stays on the previous version.",
        "[AppRunner] Service status is set to RUNNING.",
    ]

    # Every deployment of it fails the same way, until someone fixes the build.
    again, _ = deploy_and_finish(demo, service)
    eventually(
        lambda: BUILD_ERROR in log_lines(demo, service, deployment_stream(again)),
        "the build error in the next deployment's log",
    )


def created_running(sim: Simulator, name: str, image: str) -> dict:
    """A new service of a public `image`, its creation ended: CreateService's Service."""
    apprunner = make_boto3(sim, "apprunner", REGION)
    created = apprunner.create_service(
        ServiceName=name,
        SourceConfiguration={
            "ImageRepository": {"ImageIdentifier": image, "ImageRepositoryType": "ECR_PUBLIC"}
        },
    )["Service"]
    advance(sim, "CREATE_SERVICE")
    return created


def test_fail_deploy_image_fails_its_health_check_and_rolls_back(demo):
    image = "public.ecr.aws/artui-demo/failing:fail-deploy"
    created = created_running(demo, "fails-its-health-check", image)
    assert named(demo, created["ServiceName"])["Status"] == "RUNNING"

    op_id, after = deploy_and_finish(demo, created)
    assert after["Status"] == "RUNNING"
    assert after["SourceConfiguration"]["ImageRepository"]["ImageIdentifier"] == image

    expected_end = (
        f"[AppRunner] Deployment with ID : {op_id} failed. Failure reason : Health check failed."
    )
    lines = eventually(
        lambda: (
            (got := log_lines(demo, created, deployment_stream(op_id)))
            and got[-1] == expected_end
            and got
        ),
        "the deployment's log to end with its failure",
    )
    assert any(line.startswith("[AppRunner] Health check failed on protocol") for line in lines)
    assert not [line for line in lines if line.startswith("[Build]")]
    events = eventually(
        lambda: _after(log_lines(demo, created, "events"), op_id), "the deployment's events"
    )
    assert events[1:] == [
        expected_end,
        "[AppRunner] Rollback to the previous version completed.",
        "[AppRunner] Service status is set to RUNNING.",
    ]


def test_a_rollback_that_fails_says_so_in_the_events(demo):
    created = created_running(
        demo, "rolls-back-badly", "public.ecr.aws/artui-demo/failing:rollback-fails"
    )
    op_id, after = deploy_and_finish(demo, created, ended="ROLLBACK_FAILED")
    assert after["Status"] == "RUNNING"
    events = eventually(
        lambda: _after(log_lines(demo, created, "events"), op_id), "the deployment's events"
    )
    assert "[AppRunner] Rollback to the previous version failed." in events
    assert "[AppRunner] Rollback to the previous version completed." not in events


def test_a_failed_creation_names_its_cause(demo):
    service = named(demo, "search-indexer")  # the demo's last service failed to create
    assert service["Status"] == "CREATE_FAILED"
    ops = make_boto3(demo, "apprunner", REGION).list_operations(ServiceArn=service["ServiceArn"])
    (op,) = ops["OperationSummaryList"]
    events = eventually(
        lambda: _after(log_lines(demo, service, "events"), op["Id"]), "the creation's events"
    )
    assert events[-3:] == [
        f"[AppRunner] Deployment with ID : {op['Id']} failed. "
        "Failure reason : Health check failed.",
        "[AppRunner] Service creation failed. The application failed its health check: "
        "check the port and health check configuration.",
        "[AppRunner] Service status is set to CREATE_FAILED.",
    ]


def _after(events: list[str], op_id: str) -> list[str]:
    """The events from an operation's start to its status line (empty until it is there)."""
    starts = [i for i, line in enumerate(events) if f"ID : {op_id} started" in line]
    if not starts:
        return []
    tail = events[starts[0] :]
    ends = [i for i, line in enumerate(tail) if "Service status is set to" in line]
    return tail[: ends[0] + 1] if ends else []


IMAGE_SOURCE = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/x/app:v1"}}
CODE_SOURCE = {"CodeRepository": {"SourceCodeVersion": {"Type": "BRANCH", "Value": "main"}}}


@pytest.mark.parametrize(
    ("op_type", "source", "deploy_failure", "reason"),
    [
        ("START_DEPLOYMENT", CODE_SOURCE, "build", "build"),
        ("START_DEPLOYMENT", CODE_SOURCE, "health-check", "health-check"),
        # An image has nothing to build: it fails where an image can, its health check.
        ("START_DEPLOYMENT", IMAGE_SOURCE, "build", "health-check"),
        ("START_DEPLOYMENT", CODE_SOURCE, None, None),
        # The service's own failure is for its deployments only.
        ("UPDATE_SERVICE", CODE_SOURCE, "build", None),
        ("PAUSE_SERVICE", CODE_SOURCE, "build", None),
        (
            "START_DEPLOYMENT",
            {"ImageRepository": {"ImageIdentifier": "x/a:fail-deploy"}},
            None,
            "health-check",
        ),
        (
            "CREATE_SERVICE",
            {"ImageRepository": {"ImageIdentifier": "x/a:fail-create"}},
            None,
            "health-check",
        ),
        (
            "UPDATE_SERVICE",
            {"ImageRepository": {"ImageIdentifier": "x/a:fail-update"}},
            None,
            "health-check",
        ),
    ],
)
def test_failures_decide_the_reason(op_type, source, deploy_failure, reason):
    assert failures.failure(op_type, source, deploy_failure) == reason


def test_an_unknown_failure_reason_is_refused():
    with pytest.raises(ValueError, match="not a failure reason"):
        failures.failure("START_DEPLOYMENT", CODE_SOURCE, "cosmic-rays")


# -- rollbacks and failed deletions, on a bare simulator -------------------------------

BARE_REGION = "us-east-1"


@pytest.fixture
def bare() -> Iterator[Simulator]:
    """No demo services, no world, the clock stopped: operations end when a test says."""
    with Simulator(regions=(BARE_REGION,), services=0, time_scale=0, world=False) as sim:
        yield sim


def image(tag: str) -> dict:
    return {
        "ImageRepository": {
            "ImageIdentifier": f"public.ecr.aws/artui-demo/app:{tag}",
            "ImageRepositoryType": "ECR_PUBLIC",
        }
    }


def move(sim: Simulator, seconds: float) -> None:
    control(sim, "POST", "/_sim/clock", {"advance": seconds})


def running(sim: Simulator, client, name: str, tag: str) -> str:
    """A new service on `tag`, RUNNING; its ARN."""
    arn = client.create_service(ServiceName=name, SourceConfiguration=image(tag))["Service"][
        "ServiceArn"
    ]
    move(sim, DURATIONS["CREATE_SERVICE"] + 1)
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
    return arn


def seconds(start, end) -> float:
    return (end - start).total_seconds()


def latest(client, arn: str) -> dict:
    return client.list_operations(ServiceArn=arn)["OperationSummaryList"][0]


def status(client, arn: str) -> str:
    return client.describe_service(ServiceArn=arn)["Service"]["Status"]


@pytest.mark.parametrize(
    ("tag", "ended"),
    [("rollback-succeeds", "ROLLBACK_SUCCEEDED"), ("rollback-fails", "ROLLBACK_FAILED")],
)
def test_an_update_that_rolls_back(bare, tag, ended):
    client = make_boto3(bare, "apprunner", BARE_REGION)
    arn = running(bare, client, "rolls-back", "v1")
    client.update_service(ServiceArn=arn, SourceConfiguration=image(tag))
    duration = DURATIONS["UPDATE_SERVICE"]
    move(bare, duration * ROLLBACK_FRACTION - 1)
    op = latest(client, arn)
    assert (op["Type"], op["Status"]) == ("UPDATE_SERVICE", "IN_PROGRESS")
    # The health check fails: App Runner rolls back while the service stays busy.
    move(bare, 2)
    op = latest(client, arn)
    assert op["Status"] == "ROLLBACK_IN_PROGRESS"
    assert seconds(op["StartedAt"], op["UpdatedAt"]) == pytest.approx(
        duration * ROLLBACK_FRACTION, abs=0.01
    )
    assert "EndedAt" not in op
    assert status(client, arn) == "OPERATION_IN_PROGRESS"
    move(bare, duration)
    op = latest(client, arn)
    assert op["Status"] == ended
    assert op["EndedAt"] == op["UpdatedAt"]
    assert seconds(op["StartedAt"], op["EndedAt"]) == pytest.approx(duration, abs=0.01)
    service = client.describe_service(ServiceArn=arn)["Service"]
    # Either way the update did not take, and the service keeps its status (RUNNING).
    assert service["Status"] == "RUNNING"
    assert service["SourceConfiguration"]["ImageRepository"]["ImageIdentifier"].endswith(":v1")


def test_a_deployment_that_rolls_back_and_its_rollback_fails(bare):
    client = make_boto3(bare, "apprunner", BARE_REGION)
    # CreateService takes the version as an ordinary one: nothing to roll back to yet.
    arn = running(bare, client, "deploys-badly", "rollback-fails")
    assert latest(client, arn)["Status"] == "SUCCEEDED"
    op_id = client.start_deployment(ServiceArn=arn)["OperationId"]
    move(bare, DURATIONS["START_DEPLOYMENT"] * ROLLBACK_FRACTION + 1)
    assert (latest(client, arn)["Id"], latest(client, arn)["Status"]) == (
        op_id,
        "ROLLBACK_IN_PROGRESS",
    )
    move(bare, DURATIONS["START_DEPLOYMENT"])
    assert latest(client, arn)["Status"] == "ROLLBACK_FAILED"
    assert status(client, arn) == "RUNNING"


def test_a_failed_deletion_leaves_delete_failed_and_a_retry_deletes(bare):
    client = make_boto3(bare, "apprunner", BARE_REGION)
    arn = running(bare, client, "hard-to-delete", "fail-delete")
    client.delete_service(ServiceArn=arn)
    move(bare, DURATIONS["DELETE_SERVICE"] + 1)
    op = latest(client, arn)
    assert (op["Type"], op["Status"]) == ("DELETE_SERVICE", "FAILED")
    assert status(client, arn) == "DELETE_FAILED"
    listed = client.list_services()["ServiceSummaryList"]
    assert [(s["ServiceName"], s["Status"]) for s in listed] == [
        ("hard-to-delete", "DELETE_FAILED")
    ]
    # The guide: a DELETE_FAILED service can only be deleted again. (StartDeployment's
    # model lists no InvalidStateException: it refuses with InvalidRequestException.)
    for call, refusal in (
        (
            lambda: client.start_deployment(ServiceArn=arn),
            client.exceptions.InvalidRequestException,
        ),
        (lambda: client.pause_service(ServiceArn=arn), client.exceptions.InvalidStateException),
        (
            lambda: client.update_service(ServiceArn=arn, SourceConfiguration=image("v2")),
            client.exceptions.InvalidStateException,
        ),
    ):
        with pytest.raises(refusal) as err:
            call()
        message = err.value.response["Error"]["Message"]
        assert message == "Service hard-to-delete is DELETE_FAILED; retry deleting it."
    client.delete_service(ServiceArn=arn)
    move(bare, DURATIONS["DELETE_SERVICE"] + 1)
    assert latest(client, arn)["Status"] == "SUCCEEDED"
    assert status(client, arn) == "DELETED"
    assert client.list_services()["ServiceSummaryList"] == []


@pytest.mark.parametrize(
    ("op_type", "tag", "reason", "rollback"),
    [
        ("UPDATE_SERVICE", "rollback-succeeds", "health-check", "SUCCEEDED"),
        ("START_DEPLOYMENT", "rollback-fails", "health-check", "FAILED"),
        # A new service has nothing to roll back to; pausing deploys nothing.
        ("CREATE_SERVICE", "rollback-succeeds", None, None),
        ("PAUSE_SERVICE", "rollback-fails", None, None),
        # Exact versions only, as the other triggers.
        ("UPDATE_SERVICE", "rollback-succeeds-2", None, None),
        # The old triggers still end FAILED, with no rollback status.
        ("UPDATE_SERVICE", "fail-update", "health-check", None),
        # Deletion is `delete_failure`'s alone.
        ("DELETE_SERVICE", "fail-delete", None, None),
    ],
)
def test_rollback_triggers(op_type, tag, reason, rollback):
    found = failures.failure(op_type, image(tag))
    assert found == reason
    assert failures.rollback(op_type, image(tag)) == rollback


@pytest.mark.parametrize(
    ("tag", "status", "reason"),
    [
        ("fail-delete", "RUNNING", "deletion"),
        ("fail-delete", "PAUSED", "deletion"),
        ("fail-delete", "CREATE_FAILED", "deletion"),
        ("fail-delete", "DELETE_FAILED", None),  # the retry succeeds
        ("fail-deletes", "RUNNING", None),
        ("fail-update", "RUNNING", None),
    ],
)
def test_delete_failure(tag, status, reason):
    assert failures.delete_failure(image(tag), status) == reason
