"""Accounts: each access key's account sees its own fleet, its own moto stores, its own
identity; real HTTP throughout (boto3 against the running simulator).

An access key id of exactly 12 digits is that account; any other key is 123456789012.
The accounts here (2109876543xx) are used by no other test: moto's stores are
process-wide.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.config import Config
from conftest import aim_botocore_at, control, make_aio, make_boto3

from artui.sim import Simulator
from artui.sim.accounts import DEMO_ALIAS
from tests.eventually import eventually

REGION = "us-east-1"
DEFAULT = "123456789012"
FIRST = "210987654301"
SECOND = "210987654302"
THIRD = "210987654303"
FROZEN = 1_795_000_000.0  # 2026-11-18 11:06:40 UTC
IMAGE = "public.ecr.aws/nginx/nginx:latest"


@pytest.fixture(scope="module")
def asim() -> Iterator[Simulator]:
    """Two regions of the 4-service demo, on a stopped clock, no world."""
    with Simulator(
        regions=(REGION, "eu-west-1"), services=4, time_scale=0, world=False, start_time=FROZEN
    ) as simulator:
        yield simulator


def client(sim: Simulator, service: str, key: str, region: str = REGION) -> Any:
    """A boto3 client signed with access key id `key`."""
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=sim.endpoint,
        aws_access_key_id=key,
        aws_secret_access_key="testing",
        config=Config(inject_host_prefix=False, retries={"total_max_attempts": 1}),
    )


def fleet(sim: Simulator, key: str, region: str = REGION) -> dict[str, str]:
    """ServiceName -> ServiceArn of the account `key` names."""
    found = client(sim, "apprunner", key, region).list_services()["ServiceSummaryList"]
    return {s["ServiceName"]: s["ServiceArn"] for s in found}


def test_two_access_keys_see_two_fleets(asim):
    default, first, second = fleet(asim, "testing"), fleet(asim, FIRST), fleet(asim, SECOND)
    # The same demo in each account: the same names, each with ids and ARNs of its own.
    assert len(default) == 4
    assert set(default) == set(first) == set(second)
    assert not set(default.values()) & set(first.values())
    assert not set(first.values()) & set(second.values())
    for arns, account in ((default, DEFAULT), (first, FIRST), (second, SECOND)):
        assert all(arn.split(":")[4] == account for arn in arns.values())
        assert all(
            arn.startswith(f"arn:aws:apprunner:{REGION}:{account}:service/")
            for arn in arns.values()
        )
    # Any key that is not 12 digits is the default account; the same fleet every time.
    assert fleet(asim, "AKIAIOSFODNN7EXAMPLE") == default
    assert fleet(asim, "1234567890123") == default  # 13 digits
    assert fleet(asim, FIRST) == first
    # Every region of the account, its own region in its ARNs.
    eu = fleet(asim, FIRST, "eu-west-1")
    assert set(eu) == set(first)
    assert all(arn.startswith(f"arn:aws:apprunner:eu-west-1:{FIRST}:") for arn in eu.values())


def test_everything_an_account_is_handed_carries_its_account(asim):
    apprunner = client(asim, "apprunner", FIRST)
    for arn in fleet(asim, FIRST).values():
        service = apprunner.describe_service(ServiceArn=arn)["Service"]
        assert (
            service["AutoScalingConfigurationSummary"]["AutoScalingConfigurationArn"].split(":")[4]
            == FIRST
        )
        for op in apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]:
            assert op["TargetArn"] == arn
        source = service["SourceConfiguration"]
        image = source.get("ImageRepository", {}).get("ImageIdentifier", "")
        if source.get("ImageRepository", {}).get("ImageRepositoryType") == "ECR":
            assert image.startswith(f"{FIRST}.dkr.ecr.{REGION}.amazonaws.com/")
        for value in source.get("AuthenticationConfiguration", {}).values():
            assert f":{FIRST}:" in value
    configs = apprunner.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]
    assert [c["AutoScalingConfigurationArn"].split(":")[4] for c in configs] == [FIRST]
    made = apprunner.create_vpc_connector(VpcConnectorName="mine", Subnets=["subnet-1a"])
    assert made["VpcConnector"]["VpcConnectorArn"].split(":")[4] == FIRST
    # Another account's configuration is nothing this one can see.
    other = client(asim, "apprunner", SECOND)
    with pytest.raises(other.exceptions.ResourceNotFoundException):
        other.describe_vpc_connector(VpcConnectorArn=made["VpcConnector"]["VpcConnectorArn"])
    # Its own demo connector, and not the one made in the first account.
    listed = other.list_vpc_connectors()["VpcConnectors"]
    assert [(c["VpcConnectorName"], c["VpcConnectorArn"].split(":")[4]) for c in listed] == [
        ("prod-vpc-connector", SECOND)
    ]


def test_a_service_made_in_one_account_is_invisible_to_another(asim):
    first, second = client(asim, "apprunner", FIRST), client(asim, "apprunner", SECOND)
    made = first.create_service(
        ServiceName="only-in-first",
        SourceConfiguration={
            "ImageRepository": {"ImageIdentifier": IMAGE, "ImageRepositoryType": "ECR_PUBLIC"}
        },
    )["Service"]
    arn = made["ServiceArn"]
    assert arn.startswith(f"arn:aws:apprunner:{REGION}:{FIRST}:service/only-in-first/")
    assert "only-in-first" in fleet(asim, FIRST)
    assert "only-in-first" not in fleet(asim, SECOND)
    assert "only-in-first" not in fleet(asim, "testing")
    for call in (second.describe_service, second.list_operations, second.pause_service):
        with pytest.raises(second.exceptions.ResourceNotFoundException):
            call(ServiceArn=arn)
    with pytest.raises(second.exceptions.ResourceNotFoundException):
        second.list_tags_for_resource(ResourceArn=arn)
    # The same ARN with the other account's id names nothing either.
    with pytest.raises(second.exceptions.ResourceNotFoundException):
        second.describe_service(ServiceArn=arn.replace(FIRST, SECOND))
    # Its name is free in the other account.
    also = second.create_service(
        ServiceName="only-in-first",
        SourceConfiguration={
            "ImageRepository": {"ImageIdentifier": IMAGE, "ImageRepositoryType": "ECR_PUBLIC"}
        },
    )["Service"]
    assert also["ServiceArn"].split(":")[4] == SECOND
    assert first.describe_service(ServiceArn=arn)["Service"]["ServiceId"] == made["ServiceId"]


def test_the_environment_reaches_sts_and_iam(asim, monkeypatch):
    env = asim.env()
    assert env["AWS_ENDPOINT_URL_STS"] == env["AWS_ENDPOINT_URL_IAM"] == asim.endpoint
    keys = list(env)
    assert keys.index("AWS_ENDPOINT_URL_IAM") < keys.index("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(asim, monkeypatch.setenv)
    # botocore's own chain, aimed by env() alone (a new session each: a session keeps the
    # credentials it found): the default account, its alias.
    sts = boto3.session.Session().client("sts")
    assert sts.get_caller_identity()["Account"] == DEFAULT
    iam = boto3.session.Session().client("iam")
    assert iam.list_account_aliases()["AccountAliases"] == [DEMO_ALIAS]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FIRST)
    sts = boto3.session.Session().client("sts")
    assert sts.get_caller_identity()["Account"] == FIRST


@pytest.mark.parametrize(("key", "account"), [(FIRST, FIRST), (SECOND, SECOND), ("x", DEFAULT)])
def test_get_caller_identity_answers_for_each_account(asim, key, account):
    identity = client(asim, "sts", key).get_caller_identity()
    assert identity["Account"] == account
    assert identity["Arn"].split(":")[4] == account
    # Regional STS too (botocore's default since 1.36 is the regional endpoint).
    assert client(asim, "sts", key, "eu-west-1").get_caller_identity()["Account"] == account


def test_only_the_default_account_has_an_alias(asim):
    assert client(asim, "iam", "testing").list_account_aliases()["AccountAliases"] == ["demo"]
    assert client(asim, "iam", DEFAULT).list_account_aliases()["AccountAliases"] == ["demo"]
    assert client(asim, "iam", FIRST).list_account_aliases()["AccountAliases"] == []


def test_each_account_has_its_own_ecr_repositories(asim):
    arns = fleet(asim, FIRST)
    apprunner, ecr = client(asim, "apprunner", FIRST), client(asim, "ecr", FIRST)
    images = {
        name: apprunner.describe_service(ServiceArn=arn)["Service"]["SourceConfiguration"]
        .get("ImageRepository", {})
        .get("ImageIdentifier")
        for name, arn in arns.items()
    }
    private = {n: i for n, i in images.items() if i and i.startswith(f"{FIRST}.dkr.ecr.")}
    assert private
    for name, identifier in private.items():
        found = ecr.describe_images(repositoryName=name)["imageDetails"]
        assert {d["registryId"] for d in found} == {FIRST}
        assert identifier.rpartition(":")[2] in {t for d in found for t in d["imageTags"]}
        # The default account's repository of the same name holds other images.
        theirs = client(asim, "ecr", "testing").describe_images(repositoryName=name)
        assert {d["registryId"] for d in theirs["imageDetails"]} == {DEFAULT}
        assert {d["imageDigest"] for d in theirs["imageDetails"]}.isdisjoint(
            d["imageDigest"] for d in found
        )


def test_metrics_are_the_callers_accounts(asim):
    def listed(key: str) -> set[str]:
        cw = client(asim, "cloudwatch", key)
        metrics = cw.list_metrics(Namespace="AWS/AppRunner", MetricName="Requests")["Metrics"]
        return {d["Value"] for m in metrics for d in m["Dimensions"] if d["Name"] == "ServiceID"}

    def ids(key: str) -> set[str]:
        found = client(asim, "apprunner", key).list_services()["ServiceSummaryList"]
        return {s["ServiceId"] for s in found if s["Status"] != "CREATE_FAILED"}

    assert listed(THIRD) == ids(THIRD)
    assert listed(THIRD).isdisjoint(listed("testing"))
    # The default account asking for the other's service by its dimensions gets no data.
    summary = next(
        s
        for s in client(asim, "apprunner", THIRD).list_services()["ServiceSummaryList"]
        if s["Status"] == "RUNNING"
    )
    now = datetime.fromtimestamp(FROZEN, timezone.utc)
    request = {
        "MetricDataQueries": [
            {
                "Id": "r",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/AppRunner",
                        "MetricName": "Requests",
                        "Dimensions": [
                            {"Name": "ServiceName", "Value": summary["ServiceName"]},
                            {"Name": "ServiceID", "Value": summary["ServiceId"]},
                        ],
                    },
                    "Period": 60,
                    "Stat": "Sum",
                },
            }
        ],
        "StartTime": now - timedelta(minutes=10),
        "EndTime": now,
    }
    theirs = client(asim, "cloudwatch", THIRD).get_metric_data(**request)
    assert theirs["MetricDataResults"][0]["Values"]
    mine = client(asim, "cloudwatch", "testing").get_metric_data(**request)
    assert mine["MetricDataResults"][0]["Values"] == []


def test_logs_are_put_and_read_in_the_callers_account(asim):
    group, stream = "/accounts/test", "s"
    mine, theirs = client(asim, "logs", FIRST), client(asim, "logs", SECOND)
    for logs in (mine, theirs):
        try:
            logs.delete_log_group(logGroupName=group)
        except logs.exceptions.ResourceNotFoundException:
            pass
    mine.create_log_group(logGroupName=group)
    mine.create_log_stream(logGroupName=group, logStreamName=stream)
    # PutLogEvents is the simulator's own (judged by its clock): into the caller's account.
    stamp = int(FROZEN * 1000) - 60_000
    mine.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": stamp, "message": "first's"}],
    )
    with pytest.raises(theirs.exceptions.ResourceNotFoundException):
        theirs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": stamp, "message": "second's"}],
        )
    assert theirs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
    found = mine.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert [g["arn"].split(":")[4] for g in found] == [FIRST]


def test_the_demo_world_writes_each_accounts_logs_into_that_account():
    region = "sa-east-1"  # no other test writes here: moto's state is process-wide
    with Simulator(regions=(region,), services=2, time_scale=1000, world=True, seed=5) as sim:
        # An account that first calls after the start: the world backfills it on a tick.
        services = client(sim, "apprunner", THIRD, region).list_services()["ServiceSummaryList"]
        defaults = client(sim, "apprunner", "testing", region).list_services()["ServiceSummaryList"]
        running = [s for s in services if s["Status"] == "RUNNING"]
        assert running

        def groups(key: str) -> set[str]:
            logs = client(sim, "logs", key, region)
            found = logs.describe_log_groups(logGroupNamePrefix="/aws/apprunner/")["logGroups"]
            return {g["logGroupName"] for g in found}

        for service in running:
            group = f"/aws/apprunner/{service['ServiceName']}/{service['ServiceId']}/service"
            eventually(lambda g=group: g in groups(THIRD), f"{group} in {THIRD}")
            events = client(sim, "logs", THIRD, region).filter_log_events(
                logGroupName=group, logStreamNames=["events"]
            )["events"]
            assert any("Service creation started" in e["message"] for e in events)
            assert group not in groups("testing")
        for service in defaults:
            assert not any(service["ServiceId"] in g for g in groups(THIRD))


def test_a_control_call_acts_in_the_account_it_names(asim):
    name = next(iter(fleet(asim, FIRST)))
    path = f"/_sim/services/{name}/status"
    try:
        control(asim, "POST", path, {"account": FIRST, "status": "WARPING"})
        apprunner = client(asim, "apprunner", FIRST)
        statuses = {
            s["ServiceName"]: s["Status"] for s in apprunner.list_services()["ServiceSummaryList"]
        }
        assert statuses[name] == "WARPING"
        others = {
            s["ServiceName"]: s["Status"]
            for s in client(asim, "apprunner", SECOND).list_services()["ServiceSummaryList"]
        }
        assert others[name] != "WARPING"
    finally:
        control(asim, "POST", path, {"account": FIRST, "status": None})


# -- latency faults ------------------------------------------------------------------------


@pytest.fixture
def slow(asim: Simulator) -> Iterator[Simulator]:
    """The module's simulator; its faults are cleared after each test."""
    yield asim
    control(asim, "DELETE", "/_sim/faults")


def timed(call: Any, **params: Any) -> tuple[float, Any]:
    """(seconds taken, answer) of one call."""
    began = time.perf_counter()
    answer = call(**params)
    return time.perf_counter() - began, answer


def test_a_latency_fault_delays_an_app_runner_call(slow):
    armed = control(slow, "POST", "/_sim/faults", {"latency_ms": 400, "operation": "ListServices"})
    assert armed["faults"] == [
        {
            "operation": "ListServices",
            "region": None,
            "service": None,
            "account": None,
            "latency_ms": 400,
            "count": -1,  # until cleared, unless a count is given
        }
    ]
    apprunner = make_boto3(slow, "apprunner")
    for _ in range(2):
        took, answer = timed(apprunner.list_services)
        assert took >= 0.4
        assert answer["ServiceSummaryList"]  # served as ever, after the wait
    assert len(control(slow, "GET", "/_sim/faults")["faults"]) == 1


def test_a_latency_fault_delays_cloudwatch_calls_the_simulator_answers_and_moto_answers(slow):
    control(slow, "POST", "/_sim/faults", {"latency_ms": 300, "service": "cloudwatch"})
    cw = make_boto3(slow, "cloudwatch")
    # Answered by the simulator (AWS/AppRunner) ...
    took, _ = timed(cw.list_metrics, Namespace="AWS/AppRunner", MetricName="Requests")
    assert took >= 0.3
    now = datetime.fromtimestamp(FROZEN, timezone.utc)
    took, answer = timed(
        cw.get_metric_data,
        MetricDataQueries=[
            {
                "Id": "m",
                "MetricStat": {
                    "Metric": {"Namespace": "Custom/Accounts", "MetricName": "Hits"},
                    "Period": 60,
                    "Stat": "Sum",
                },
            }
        ],
        StartTime=now - timedelta(minutes=5),
        EndTime=now,
    )
    # ... and by moto, through the simulator's proxy (another namespace).
    assert took >= 0.3
    assert answer["MetricDataResults"][0]["Id"] == "m"
    took, _ = timed(cw.list_metrics, Namespace="Custom/Accounts")
    assert took >= 0.3
    seen = [
        (e["operation"], e["service"], e["status"])
        for e in control(slow, "GET", "/_sim/requests")["requests"][-3:]
    ]
    assert seen == [
        ("ListMetrics", "cloudwatch", 200),
        ("GetMetricData", "cloudwatch", 200),
        ("ListMetrics", "cloudwatch", 200),
    ]


def test_a_latency_fault_without_an_operation_delays_every_call(slow):
    control(slow, "POST", "/_sim/faults", {"latency_ms": 250, "count": 3})
    took, identity = timed(client(slow, "sts", FIRST).get_caller_identity)
    assert took >= 0.25 and identity["Account"] == FIRST
    took, _ = timed(client(slow, "iam", "testing").list_account_aliases)
    assert took >= 0.25
    took, _ = timed(make_boto3(slow, "apprunner").list_services)
    assert took >= 0.25
    assert control(slow, "GET", "/_sim/faults")["faults"] == []  # three calls, then gone


def test_a_latency_fault_matches_only_its_region_and_account(slow):
    fault = {"latency_ms": 100, "region": "eu-west-1", "account": FIRST, "count": 1}
    control(slow, "POST", "/_sim/faults", fault)
    client(slow, "apprunner", FIRST).list_services()  # us-east-1
    client(slow, "apprunner", SECOND, "eu-west-1").list_services()  # another account
    assert len(control(slow, "GET", "/_sim/faults")["faults"]) == 1
    took, _ = timed(client(slow, "apprunner", FIRST, "eu-west-1").list_services)
    assert took >= 0.1
    assert control(slow, "GET", "/_sim/faults")["faults"] == []


def test_a_latency_fault_and_an_error_fault_both_act_on_a_call(slow):
    control(slow, "POST", "/_sim/faults", {"operation": "ListServices", "latency_ms": 300})
    control(slow, "POST", "/_sim/faults", {"operation": "ListServices", "count": 1})
    apprunner = make_boto3(slow, "apprunner")
    began = time.perf_counter()
    with pytest.raises(apprunner.exceptions.ClientError) as err:
        apprunner.list_services()
    assert time.perf_counter() - began >= 0.3
    assert err.value.response["Error"]["Code"] == "ThrottlingException"
    took, answer = timed(apprunner.list_services)  # the error is spent; the delay is not
    assert took >= 0.3 and answer["ServiceSummaryList"]


async def test_a_delayed_call_never_holds_up_the_others(slow):
    control(slow, "POST", "/_sim/faults", {"latency_ms": 2000, "operation": "ListServices"})
    cm, apprunner = await make_aio(slow, "apprunner")
    try:
        delayed = asyncio.ensure_future(apprunner.list_services())
        quick = asyncio.ensure_future(apprunner.list_auto_scaling_configurations())
        done, _ = await asyncio.wait({delayed, quick}, return_when=asyncio.FIRST_COMPLETED)
        assert done == {quick}
        assert (await delayed)["ServiceSummaryList"]
    finally:
        await cm.__aexit__(None, None, None)


def test_the_latency_bounds_are_accepted(slow):
    for latency in (1, 60_000):
        armed = control(
            slow, "POST", "/_sim/faults", {"latency_ms": latency, "operation": "ListVpcConnectors"}
        )
        assert armed["faults"][-1]["latency_ms"] == latency
