"""GetMetricStatistics for AWS/AppRunner: the same figures as GetMetricData, over real HTTP.

boto3 speaks JSON 1.0 (botocore 1.43's pick for CloudWatch); botocore's rpc-v2-cbor
serializer and parser check the CBOR protocol. The clock stands still at FROZEN.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from conftest import control, make_boto3

from artui.sim import Simulator
from tests.sim.test_cloudwatch import (
    FROZEN,
    LAST_MINUTE,
    NAMESPACE,
    NOW,
    cbor_call,
    checked,
    dims,
    error_of,
    query,
    series,
    services,
)

BASIC = ["Sum", "Average", "Minimum", "Maximum", "SampleCount"]
PERCENTILES = ["p50", "p90", "p99", "p99.9"]


@pytest.fixture(scope="module")
def statsim() -> Iterator[Simulator]:
    """The 7-service demo on a stopped clock, no world."""
    with Simulator(services=7, time_scale=0, world=False, start_time=FROZEN) as simulator:
        yield simulator


@pytest.fixture
def cw(statsim: Simulator) -> Iterator[Any]:
    """A boto3 CloudWatch client, its answers checked against the model."""
    yield checked(make_boto3(statsim, "cloudwatch"))
    control(statsim, "DELETE", "/_sim/faults")
    control(statsim, "POST", "/_sim/cloudwatch", {"percentiles": "serve"})


def statistics(
    client: Any, service: dict, metric: str, period: int, minutes: int, **stats: Any
) -> dict[float, dict[str, Any]]:
    """Epoch seconds -> datapoint, over the `minutes` before NOW."""
    answer = client.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName=metric,
        Dimensions=dims(service),
        StartTime=NOW - timedelta(minutes=minutes),
        EndTime=NOW,
        Period=period,
        **stats,
    )
    assert answer["Label"] == metric
    points = {p["Timestamp"].timestamp(): p for p in answer["Datapoints"]}
    assert len(points) == len(answer["Datapoints"])  # one datapoint a bucket
    return points


@pytest.mark.parametrize(
    ("metric", "period", "minutes"),
    [
        ("Requests", 60, 30),
        ("Requests", 300, 120),
        ("RequestLatency", 60, 30),
        ("RequestLatency", 600, 180),
        ("ActiveInstances", 3600, 1440),
        ("CPUUtilization", 120, 90),
    ],
)
def test_statistics_agree_with_get_metric_data(statsim, cw, metric, period, minutes):
    service = services(statsim)["orders-service"]
    got = statistics(cw, service, metric, period, minutes, Statistics=BASIC)
    ext = statistics(cw, service, metric, period, minutes, ExtendedStatistics=PERCENTILES)
    queries = [
        query(stat.lower().replace(".", "_"), service, metric, stat, period)
        for stat in BASIC + PERCENTILES
    ]
    data = series(cw, queries, minutes=minutes)
    assert got and set(got) == set(ext) == set(data["sum"])
    unit = {"RequestLatency": "Milliseconds", "CPUUtilization": "Percent"}.get(metric, "Count")
    for t, point in got.items():
        assert point["Unit"] == unit
        for stat in BASIC:
            assert point[stat] == data[stat.lower()][t], (stat, t)
        assert ext[t]["ExtendedStatistics"] == {
            p: data[p.replace(".", "_")][t] for p in PERCENTILES
        }
        assert point["Minimum"] <= point["Average"] <= point["Maximum"]


def test_the_buckets_start_at_the_minute_and_end_before_now(statsim, cw):
    service = services(statsim)["checkout-api"]
    got = statistics(cw, service, "Requests", 60, 15, Statistics=["Sum"])
    assert max(got) == LAST_MINUTE.timestamp()  # the minute now is in has no figure yet
    assert len(got) == 15
    assert all(p["Sum"] > 0 for p in got.values())


def test_a_unit_other_than_the_metrics_gives_no_datapoints(statsim, cw):
    service = services(statsim)["orders-service"]
    assert statistics(cw, service, "Requests", 60, 10, Statistics=["Sum"], Unit="Count")
    assert statistics(cw, service, "Requests", 60, 10, Statistics=["Sum"], Unit="Seconds") == {}


def test_other_dimensions_give_no_datapoints(statsim, cw):
    service = services(statsim)["orders-service"]
    answer = cw.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName="Requests",
        Dimensions=[{"Name": "ServiceName", "Value": service["ServiceName"]}],
        StartTime=NOW - timedelta(minutes=10),
        EndTime=NOW,
        Period=60,
        Statistics=["Sum"],
    )
    assert answer["Datapoints"] == []


def test_zero_requests_gives_zero_active_instances(statsim, cw):
    service = services(statsim)["inventory-sync"]
    before = statistics(cw, service, "ActiveInstances", 60, 10, Statistics=["Maximum"])
    assert all(p["Maximum"] >= 1 for p in before.values())
    control(
        statsim, "POST", "/_sim/cloudwatch", {"traffic": {"service": "inventory-sync", "rpm": 0}}
    )
    try:
        quiet = statistics(cw, service, "ActiveInstances", 60, 10, Statistics=["Maximum"])
    finally:
        control(
            statsim,
            "POST",
            "/_sim/cloudwatch",
            {"traffic": {"service": "inventory-sync", "rpm": None}},
        )
    assert set(quiet) == set(before) and all(p["Maximum"] == 0 for p in quiet.values())


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"Period": 90}, "InvalidParameterValue", "Period is not valid"),
        (
            {"Period": 60, "StartTime": NOW - timedelta(days=2)},
            "InvalidParameterCombination",
            "You have requested up to 2880 datapoints, which exceeds the limit of 1440.",
        ),
        ({"ExtendedStatistics": ["p99"]}, "InvalidParameterCombination", "but not both"),
        ({"Statistics": ["Sum"], "StartTime": NOW}, "InvalidParameterValue", "must not equal"),
        (
            {"Statistics": ["Sum"], "StartTime": NOW + timedelta(minutes=1)},
            "InvalidParameterValue",
            "StartTime must be less than the parameter EndTime",
        ),
        (
            {"Statistics": None, "ExtendedStatistics": ["p101"]},
            "InvalidParameterValue",
            "not a valid percentile",
        ),
    ],
)
def test_refusals(statsim, cw, change, code, words):
    service = services(statsim)["orders-service"]
    request: dict[str, Any] = {
        "Namespace": NAMESPACE,
        "MetricName": "Requests",
        "Dimensions": dims(service),
        "StartTime": NOW - timedelta(hours=1),
        "EndTime": NOW,
        "Period": 60,
        "Statistics": ["Sum"],
    }
    request.update(change)
    request = {k: v for k, v in request.items() if v is not None}
    response = error_of(lambda: cw.get_metric_statistics(**request))
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] == code
    assert words in response["Error"]["Message"]


def test_a_missing_parameter_is_cloudwatchs_missing_parameter(statsim):
    # botocore checks required members itself: a raw JSON 1.0 call leaves one out.
    body = {"Namespace": NAMESPACE, "MetricName": "Requests", "StartTime": FROZEN - 600}
    body |= {"EndTime": FROZEN, "Statistics": ["Sum"]}
    request = urllib.request.Request(
        statsim.endpoint + "/",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "X-Amz-Target": "GraniteServiceVersion20100801.GetMetricStatistics",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 400
    assert caught.value.headers["x-amzn-query-error"] == "MissingParameter;Sender"
    doc = json.loads(caught.value.read())
    assert doc == {
        "__type": "com.amazonaws.cloudwatch#MissingRequiredParameterException",
        "message": "The parameter Period is required.",
    }


def test_a_day_at_one_minute_is_the_most_allowed(statsim, cw):
    service = services(statsim)["orders-service"]
    got = statistics(cw, service, "Requests", 60, 1440, Statistics=["SampleCount"])
    assert len(got) == 1440 and {p["SampleCount"] for p in got.values()} == {1.0}


def test_percentile_controls(statsim, cw):
    service = services(statsim)["orders-service"]
    control(statsim, "POST", "/_sim/cloudwatch", {"percentiles": "empty"})
    assert statistics(cw, service, "RequestLatency", 60, 10, ExtendedStatistics=["p99"]) == {}
    control(statsim, "POST", "/_sim/cloudwatch", {"percentiles": "error"})
    response = error_of(
        lambda: statistics(cw, service, "RequestLatency", 60, 10, ExtendedStatistics=["p99"])
    )
    assert response["Error"]["Code"] == "InvalidParameterValue"


def test_rpc_v2_cbor_agrees_with_json(statsim, cw):
    service = services(statsim)["orders-service"]
    params = {
        "Namespace": NAMESPACE,
        "MetricName": "RequestLatency",
        "Dimensions": dims(service),
        "StartTime": NOW - timedelta(minutes=30),
        "EndTime": NOW,
        "Period": 300,
        "Statistics": ["Average", "Maximum"],
    }
    status, parsed = cbor_call(statsim, "GetMetricStatistics", params)
    assert status == 200
    by_json = cw.get_metric_statistics(**params)
    assert parsed["Datapoints"] == by_json["Datapoints"] and len(parsed["Datapoints"]) == 6
    params["Period"] = 45
    status, parsed = cbor_call(statsim, "GetMetricStatistics", params)
    assert (status, parsed["Error"]["Code"]) == (400, "InvalidParameterValue")


def test_other_namespaces_still_go_to_moto(statsim, cw):
    answer = cw.get_metric_statistics(
        Namespace="Artui/Elsewhere",
        MetricName="Requests",
        StartTime=NOW - timedelta(minutes=10),
        EndTime=NOW,
        Period=60,
        Statistics=["Sum"],
    )
    assert answer["Datapoints"] == []
