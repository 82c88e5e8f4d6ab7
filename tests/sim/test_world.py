"""The demo world writes App Runner-shaped logs into moto; metrics come from the same
traffic model, answered by the simulator itself (tests/sim/test_cloudwatch.py in detail)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from conftest import control, make_boto3

from artui.sim import Simulator
from artui.sim.world import SERVICE_METRICS, deployment_stream
from tests.eventually import eventually

REGION = "ap-southeast-2"  # no other test writes here: moto's state is process-wide


@pytest.fixture(scope="module")
def world() -> Iterator[Simulator]:
    simulator = Simulator(regions=(REGION,), services=3, time_scale=1000, world=True, seed=11)
    simulator.start()
    yield simulator
    simulator.stop()


def _services(sim: Simulator) -> list[dict]:
    return make_boto3(sim, "apprunner", REGION).list_services()["ServiceSummaryList"]


def test_world_writes_log_groups_and_streams(world):
    logs = make_boto3(world, "logs", REGION)
    services = _services(world)
    running = [s for s in services if s["Status"] == "RUNNING"]
    assert running

    def groups() -> set[str]:
        found = logs.describe_log_groups(logGroupNamePrefix="/aws/apprunner/")["logGroups"]
        return {g["logGroupName"] for g in found}

    for service in running:
        prefix = f"/aws/apprunner/{service['ServiceName']}/{service['ServiceId']}"
        eventually(
            lambda p=prefix: {f"{p}/application", f"{p}/service"} <= groups(),
            f"the log groups under {prefix}",
        )
        app_streams = eventually(
            lambda p=prefix: logs.describe_log_streams(logGroupName=f"{p}/application")[
                "logStreams"
            ],
            f"a stream in {prefix}/application",
        )
        assert all(s["logStreamName"].startswith("instance/") for s in app_streams)
        assert 1 <= len(app_streams) <= 3
        svc_streams = {
            s["logStreamName"]
            for s in logs.describe_log_streams(logGroupName=f"{prefix}/service")["logStreams"]
        }
        assert "events" in svc_streams
        assert any(name.startswith("deployment/") for name in svc_streams)
        events = logs.filter_log_events(logGroupName=f"{prefix}/service", logStreamNames=["events"])
        assert any("[AppRunner]" in e["message"] for e in events["events"])


def test_world_services_have_app_runner_metrics(world):
    cw = make_boto3(world, "cloudwatch", REGION)
    metrics = cw.list_metrics(Namespace="AWS/AppRunner")["Metrics"]
    assert {m["MetricName"] for m in metrics} == set(SERVICE_METRICS)
    service_level = [m for m in metrics if len(m["Dimensions"]) == 2]
    assert {tuple(d["Name"] for d in m["Dimensions"]) for m in service_level} == {
        ("ServiceName", "ServiceID")
    }


def test_log_instances_are_the_metrics_instances(world):
    logs = make_boto3(world, "logs", REGION)
    cw = make_boto3(world, "cloudwatch", REGION)
    service = next(s for s in _services(world) if s["Status"] == "RUNNING")
    group = f"/aws/apprunner/{service['ServiceName']}/{service['ServiceId']}/application"
    streams = eventually(
        lambda: logs.describe_log_streams(logGroupName=group)["logStreams"], f"a stream in {group}"
    )
    logged = {s["logStreamName"].removeprefix("instance/") for s in streams}
    measured = {
        d["Value"]
        for m in cw.list_metrics(
            Namespace="AWS/AppRunner",
            MetricName="CPUUtilization",
            Dimensions=[{"Name": "ServiceID", "Value": service["ServiceId"]}],
            RecentlyActive="PT3H",
        )["Metrics"]
        for d in m["Dimensions"]
        if d["Name"] == "Instance"
    }
    assert logged <= measured


def test_the_troubled_service_has_rising_5xx(world):
    cw = make_boto3(world, "cloudwatch", REGION)
    troubled = next(s for s in _services(world) if s["ServiceName"] == "checkout-api")
    dims = [
        {"Name": "ServiceName", "Value": troubled["ServiceName"]},
        {"Name": "ServiceID", "Value": troubled["ServiceId"]},
    ]
    # The incident's climb ends when the simulator started (simulated time): fixed times
    # around it, as the clock runs 1000 times faster here.
    started = datetime.fromtimestamp(world.metrics.epoch, timezone.utc)

    def errors(start_minutes: int, end_minutes: int) -> float:
        result = cw.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "e",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/AppRunner",
                            "MetricName": "5xxStatusResponses",
                            "Dimensions": dims,
                        },
                        "Period": 60,
                        "Stat": "Sum",
                    },
                }
            ],
            StartTime=started - timedelta(minutes=start_minutes),
            EndTime=started - timedelta(minutes=end_minutes),
        )
        return sum(result["MetricDataResults"][0]["Values"])

    assert errors(15, 0) > 5 * max(errors(150, 135), 1.0)


def test_world_logs_a_new_deployment(world):
    apprunner = make_boto3(world, "apprunner", REGION)
    logs = make_boto3(world, "logs", REGION)
    created = apprunner.create_service(
        ServiceName="world-newcomer",
        SourceConfiguration={
            "ImageRepository": {
                "ImageIdentifier": "public.ecr.aws/artui-demo/newcomer:v1",
                "ImageRepositoryType": "ECR_PUBLIC",
            }
        },
    )
    service = created["Service"]
    group = f"/aws/apprunner/{service['ServiceName']}/{service['ServiceId']}/service"
    stream = deployment_stream(created["OperationId"])

    def deployment_lines() -> list[str]:
        try:
            found = logs.get_log_events(logGroupName=group, logStreamName=stream)
        except logs.exceptions.ResourceNotFoundException:
            return []
        return [e["message"] for e in found["events"]]

    lines = eventually(
        lambda: [m for m in deployment_lines() if "completed successfully" in m],
        "the deployment's completed line",
    )
    assert lines
    assert deployment_lines()[0].startswith("[AppRunner] Deployment with ID")
    events = eventually(
        lambda: [
            e["message"]
            for e in logs.filter_log_events(logGroupName=group, logStreamNames=["events"])["events"]
            if "RUNNING" in e["message"]
        ],
        "the RUNNING status event",
    )
    assert events == ["[AppRunner] Service status is set to RUNNING."]


CLOCK_REGION = "eu-west-3"  # no other test writes here: moto's state is process-wide


def test_operation_logs_are_stamped_by_the_simulators_clock():
    # A stopped clock, moved by hand: a day on, then past the deployment's end.
    with Simulator(
        regions=(CLOCK_REGION,), services=3, time_scale=0, world=True, seed=5
    ) as simulator:
        apprunner = make_boto3(simulator, "apprunner", CLOCK_REGION)
        logs = make_boto3(simulator, "logs", CLOCK_REGION)
        control(simulator, "POST", "/_sim/clock", {"advance": 86400})
        service = next(
            s for s in apprunner.list_services()["ServiceSummaryList"] if s["Status"] == "RUNNING"
        )
        operation = apprunner.start_deployment(ServiceArn=service["ServiceArn"])["OperationId"]
        control(simulator, "POST", "/_sim/clock", {"advance": 3600})
        now = simulator.clock.now()
        listed = apprunner.list_operations(ServiceArn=service["ServiceArn"])
        op = next(o for o in listed["OperationSummaryList"] if o["Id"] == operation)
        started, ended = op["StartedAt"].timestamp(), op["EndedAt"].timestamp()
        assert started < ended < now - 60
        group = f"/aws/apprunner/{service['ServiceName']}/{service['ServiceId']}/service"

        def read(stream: str) -> list[dict]:
            try:
                return logs.get_log_events(
                    logGroupName=group, logStreamName=stream, startFromHead=True
                )["events"]
            except logs.exceptions.ResourceNotFoundException:
                return []

        def finished() -> list[dict] | None:
            found = read(deployment_stream(operation))
            return found if found and "completed" in found[-1]["message"] else None

        def lifecycle() -> list[dict] | None:
            found = [e for e in read("events") if operation in e["message"]]
            return found if any("succeeded" in e["message"] for e in found) else None

        deployment = eventually(finished, "the deployment log's last line")
        events = eventually(lifecycle, "the deployment's start and end in the events stream")
        start_line, end_line = events[0], events[-1]
        assert "started" in start_line["message"] and "succeeded" in end_line["message"]
        # Where ListOperations puts the operation, within a second.
        assert abs(start_line["timestamp"] / 1000 - started) < 1
        assert abs(end_line["timestamp"] / 1000 - ended) < 1
        assert abs(deployment[0]["timestamp"] / 1000 - started) < 1
        assert abs(deployment[-1]["timestamp"] / 1000 - ended) < 1
        stamps = [e["timestamp"] for e in deployment]
        assert stamps == sorted(stamps) and len(set(stamps)) > 2  # spread over the deployment


def test_serve_forever_prints_exports_and_stops_on_sigint():
    proc = subprocess.Popen(
        [sys.executable, "-m", "artui", "sim", "--port", "0", "--services", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines = [proc.stdout.readline().strip() for _ in range(10)]
        keys = [line.split("=", 1)[0] for line in lines]
        assert keys == [
            "export AWS_ENDPOINT_URL_APPRUNNER",
            "export AWS_ENDPOINT_URL_CLOUDWATCH",
            "export AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
            "export AWS_ENDPOINT_URL_ECR",
            "export AWS_ENDPOINT_URL_STS",
            "export AWS_ENDPOINT_URL_IAM",
            "export AWS_DISABLE_HOST_PREFIX_INJECTION",
            "export AWS_ACCESS_KEY_ID",
            "export AWS_SECRET_ACCESS_KEY",
            "export AWS_DEFAULT_REGION",
        ]
        assert lines[0].split("=", 1)[1].startswith("http://127.0.0.1:")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
        assert proc.returncode == 0
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
