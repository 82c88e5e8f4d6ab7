"""CloudWatch for AWS/AppRunner, answered by the simulator from its traffic model.

Real HTTP throughout: boto3 and aiobotocore clients (botocore 1.43 resolves CloudWatch to
JSON 1.0), and botocore's own rpc-v2-cbor serializer and parser for the CBOR protocol.
The simulator's clock stands still at FROZEN, so every figure is the same on every run.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import botocore.session
import pytest
from botocore import parsers, serialize
from botocore.awsrequest import HeadersDict
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator
from conftest import control, make_aio, make_boto3

from artui.sim import Simulator

FROZEN = 1_795_000_000.0  # 2026-11-18 11:06:40 UTC
NOW = datetime.fromtimestamp(FROZEN, timezone.utc)
LAST_MINUTE = NOW.replace(second=0) - timedelta(minutes=1)  # the newest whole minute
NAMESPACE = "AWS/AppRunner"
_MODEL = botocore.session.get_session().get_service_model("cloudwatch")


def checked(client: Any) -> Any:
    """`client` with each 200 answer checked against CloudWatch's output shape in botocore's
    model: types, required members and enum values (conftest's check is App Runner's)."""

    def after(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if http_response.status_code == 200:
            doc = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
            report = ParamValidator().validate(doc, model.output_shape)
            assert not report.has_errors(), report.generate_report()
            _check_enums(doc, model.output_shape, model.name)

    client.meta.events.register("after-call.cloudwatch", after)
    return client


def _check_enums(value: Any, shape: Any, path: str) -> None:
    if isinstance(value, dict) and shape.type_name == "structure":
        for key, member in value.items():
            _check_enums(member, shape.members[key], f"{path}.{key}")
    elif isinstance(value, list) and shape.type_name == "list":
        for n, item in enumerate(value):
            _check_enums(item, shape.member, f"{path}[{n}]")
    elif getattr(shape, "enum", None):
        assert value in shape.enum, f"{path}: {value!r} not in {shape.enum}"


@pytest.fixture(scope="module")
def cwsim() -> Iterator[Simulator]:
    """The 7-service demo on a stopped clock, no world: metrics come from the model alone."""
    with Simulator(services=7, time_scale=0, world=False, start_time=FROZEN) as simulator:
        yield simulator


@pytest.fixture
def cw(cwsim: Simulator) -> Iterator[Any]:
    """A boto3 CloudWatch client, its answers checked; the controls are reset after each test."""
    yield checked(make_boto3(cwsim, "cloudwatch"))
    control(cwsim, "DELETE", "/_sim/faults")
    control(cwsim, "POST", "/_sim/cloudwatch", {"percentiles": "serve"})


def services(sim: Simulator) -> dict[str, dict[str, Any]]:
    """ServiceName -> ListServices summary."""
    found = make_boto3(sim, "apprunner").list_services(MaxResults=20)["ServiceSummaryList"]
    return {s["ServiceName"]: s for s in found}


def dims(service: dict[str, Any], reverse: bool = False) -> list[dict[str, str]]:
    """ServiceName and ServiceID dimensions of a service (or ServiceID first)."""
    out = [
        {"Name": "ServiceName", "Value": service["ServiceName"]},
        {"Name": "ServiceID", "Value": service["ServiceId"]},
    ]
    return out[::-1] if reverse else out


def query(qid: str, service: dict[str, Any], metric: str, stat: str, period: int = 60) -> dict:
    """One MetricStat query."""
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": dims(service)},
            "Period": period,
            "Stat": stat,
        },
    }


def series(
    client: Any, queries: list[dict], minutes: int = 60, end: datetime = NOW, **extra: Any
) -> dict[str, dict[float, float]]:
    """Id -> {epoch seconds: value} over the `minutes` before `end`, all pages gathered."""
    out: dict[str, dict[float, float]] = {q["Id"]: {} for q in queries}
    request = {
        "MetricDataQueries": queries,
        "StartTime": end - timedelta(minutes=minutes),
        "EndTime": end,
        **extra,
    }
    while True:
        page = client.get_metric_data(**request)
        for result in page["MetricDataResults"]:
            for t, v in zip(result["Timestamps"], result["Values"], strict=True):
                out[result["Id"]][t.timestamp()] = v
        if "NextToken" not in page:
            return out
        request["NextToken"] = page["NextToken"]


def error_of(call: Any) -> dict[str, Any]:
    """The botocore error of a call that must fail."""
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response


# -- ListMetrics --------------------------------------------------------------------------


def test_list_metrics_names_each_metric_once_per_dimension_set(cwsim, cw):
    listed = []
    page: dict[str, Any] = {"Namespace": NAMESPACE}
    while True:
        answer = cw.list_metrics(**page)
        listed.extend(answer["Metrics"])
        if "NextToken" not in answer:
            break
        page["NextToken"] = answer["NextToken"]
    keys = [
        (m["MetricName"], tuple((d["Name"], d["Value"]) for d in m["Dimensions"])) for m in listed
    ]
    assert len(keys) == len(set(keys))
    served = {name for name, s in services(cwsim).items() if s["Status"] != "CREATE_FAILED"}
    service_level = [m for m in listed if len(m["Dimensions"]) == 2]
    # Every service that has served: the eight metrics, each once.
    assert len(service_level) == 8 * len(served)
    assert {m["Dimensions"][0]["Value"] for m in service_level} == served
    per_instance = [m for m in listed if len(m["Dimensions"]) == 3]
    assert [d["Name"] for d in per_instance[0]["Dimensions"]] == [
        "ServiceName",
        "ServiceID",
        "Instance",
    ]
    names = [m["MetricName"] for m in per_instance]
    assert names.count("CPUUtilization") == names.count("MemoryUtilization") > 0
    assert set(names) == {"CPUUtilization", "MemoryUtilization"}


def test_list_metrics_filters(cwsim, cw):
    checkout = services(cwsim)["checkout-api"]
    by_name = cw.list_metrics(Namespace=NAMESPACE, MetricName="Requests")["Metrics"]
    assert {m["MetricName"] for m in by_name} == {"Requests"}
    mine = cw.list_metrics(
        Namespace=NAMESPACE, Dimensions=[{"Name": "ServiceID", "Value": checkout["ServiceId"]}]
    )["Metrics"]
    assert {d["Value"] for m in mine for d in m["Dimensions"] if d["Name"] == "ServiceID"} == {
        checkout["ServiceId"]
    }
    instances = cw.list_metrics(
        Namespace=NAMESPACE,
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "ServiceID", "Value": checkout["ServiceId"]}, {"Name": "Instance"}],
        RecentlyActive="PT3H",
    )["Metrics"]
    # Those serving in the last three hours: at least the instances active now.
    active = series(cw, [query("a", checkout, "ActiveInstances", "Maximum")], minutes=1)["a"]
    assert len(instances) >= list(active.values())[0]
    # The paused service stopped long ago: not recently active.
    paused = services(cwsim)["web-frontend"]
    recent = cw.list_metrics(
        Namespace=NAMESPACE,
        Dimensions=[{"Name": "ServiceID", "Value": paused["ServiceId"]}],
        RecentlyActive="PT3H",
    )["Metrics"]
    assert recent == []


def test_list_metrics_pages_500_at_a_time():
    with Simulator(services=100, quota=1000, time_scale=0, world=False, start_time=FROZEN) as sim:
        cw = checked(make_boto3(sim, "cloudwatch"))
        pages = []
        page: dict[str, Any] = {"Namespace": NAMESPACE}
        while True:
            answer = cw.list_metrics(**page)
            pages.append(answer["Metrics"])
            if "NextToken" not in answer:
                break
            page["NextToken"] = answer["NextToken"]
        assert len(pages) > 1
        assert all(len(p) == 500 for p in pages[:-1]) and 0 < len(pages[-1]) <= 500
        listed = [m for p in pages for m in p]
        keys = {(m["MetricName"], json.dumps(m["Dimensions"])) for m in listed}
        assert len(keys) == len(listed)
        served = {n for n, s in services_all(sim).items() if s["Status"] != "CREATE_FAILED"}
        assert len([m for m in listed if len(m["Dimensions"]) == 2]) == 8 * len(served)
        # 500 queries over 500 metrics of 100 services in one call.
        queries = [
            {
                "Id": f"q{n}",
                "MetricStat": {"Metric": m, "Period": 300, "Stat": "Average"},
            }
            for n, m in enumerate(listed[:500])
        ]
        answer = cw.get_metric_data(
            MetricDataQueries=queries, StartTime=NOW - timedelta(hours=3), EndTime=NOW
        )
        assert len(answer["MetricDataResults"]) == 500


MERGED_REGION = "af-south-1"  # no other test writes here: moto's state is process-wide


@pytest.fixture(scope="module")
def merged() -> Iterator[Simulator]:
    """A stopped-clock demo whose region's moto CloudWatch holds 600 metrics of another
    namespace, 3 of them named Requests."""
    with Simulator(
        regions=(MERGED_REGION,), services=7, time_scale=0, world=False, start_time=FROZEN
    ) as simulator:
        cw = make_boto3(simulator, "cloudwatch", MERGED_REGION)
        cw.put_metric_data(
            Namespace="Artui/Merged",
            MetricData=[
                {
                    "MetricName": "Requests" if n < 3 else f"Other{n}",
                    "Dimensions": [{"Name": "Shard", "Value": str(n)}],
                    "Value": 1.0,
                }
                for n in range(600)
            ],
        )
        yield simulator


def every_page(client: Any, **request: Any) -> list[list[dict[str, Any]]]:
    """Each page of a ListMetrics listing."""
    pages = []
    while True:
        answer = client.list_metrics(**request)
        pages.append(answer["Metrics"])
        if "NextToken" not in answer:
            return pages
        request["NextToken"] = answer["NextToken"]


def keys(metrics: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(namespace, name, dimensions) of each listed metric."""
    return [(m["Namespace"], m["MetricName"], json.dumps(m["Dimensions"])) for m in metrics]


def test_list_metrics_without_a_namespace_lists_app_runner_and_moto(merged):
    cw = checked(make_boto3(merged, "cloudwatch", MERGED_REGION))
    ours = [m for p in every_page(cw, Namespace=NAMESPACE, MetricName="Requests") for m in p]
    theirs = [m for p in every_page(cw, Namespace="Artui/Merged", MetricName="Requests") for m in p]
    assert len(ours) == 6 and len(theirs) == 3
    pages = every_page(cw, MetricName="Requests")
    assert len(pages) == 1
    assert sorted(keys(pages[0])) == sorted(keys(ours + theirs))


def test_list_metrics_of_every_namespace_pages_through_both(merged):
    cw = checked(make_boto3(merged, "cloudwatch", MERGED_REGION))
    ours = [m for p in every_page(cw, Namespace=NAMESPACE) for m in p]
    theirs = [m for p in every_page(cw, Namespace="Artui/Merged") for m in p]
    assert 0 < len(ours) < 500 and len(theirs) == 600
    pages = every_page(cw)
    assert all(0 < len(p) <= 500 for p in pages) and len(pages) >= 3
    listed = keys([m for p in pages for m in p])
    assert len(listed) == len(set(listed))  # nothing twice
    assert sorted(listed) == sorted(keys(ours + theirs))  # nothing left out
    # App Runner's first, then moto's: the first page is topped up to 500.
    assert keys(pages[0][: len(ours)]) == keys(ours) and len(pages[0]) == 500


def test_list_metrics_of_every_namespace_refuses_another_listings_token(merged):
    cw = checked(make_boto3(merged, "cloudwatch", MERGED_REGION))
    token = cw.list_metrics()["NextToken"]
    response = error_of(lambda: cw.list_metrics(MetricName="Other9", NextToken=token))
    assert response["Error"]["Code"] == "InvalidParameterValue"


def test_list_metrics_without_a_namespace_over_cbor(merged):
    # Unsigned: the simulator's first region, for its metrics and for moto's alike.
    status, listed = cbor_call(merged, "ListMetrics", {"MetricName": "Requests"})
    assert status == 200
    assert {m["Namespace"] for m in listed["Metrics"]} == {NAMESPACE, "Artui/Merged"}
    assert len(listed["Metrics"]) == 9


def services_all(sim: Simulator) -> dict[str, dict[str, Any]]:
    """Every service of the region, all ListServices pages."""
    apprunner = make_boto3(sim, "apprunner")
    out: dict[str, dict[str, Any]] = {}
    page: dict[str, Any] = {"MaxResults": 20}
    while True:
        answer = apprunner.list_services(**page)
        out.update({s["ServiceName"]: s for s in answer["ServiceSummaryList"]})
        if "NextToken" not in answer:
            return out
        page["NextToken"] = answer["NextToken"]


# -- GetMetricData: statistics -----------------------------------------------------------


def test_a_running_service_has_a_figure_every_minute_up_to_now(cwsim, cw):
    service = services(cwsim)["orders-service"]
    got = series(cw, [query("r", service, "Requests", "Sum")])["r"]
    assert len(got) == 60
    assert max(got) == LAST_MINUTE.timestamp()
    assert all(v > 0 for v in got.values())


def test_counts_add_up_and_periods_agree(cwsim, cw):
    service = services(cwsim)["auth-gateway"]
    names = ("Requests", "2xxStatusResponses", "4xxStatusResponses", "5xxStatusResponses")
    minute = series(cw, [query(f"m{i}", service, n, "Sum") for i, n in enumerate(names)])
    for t, total in minute["m0"].items():
        assert total == minute["m1"][t] + minute["m2"][t] + minute["m3"][t]
    stats = ("Sum", "SampleCount", "Average", "Minimum", "Maximum", "p50")
    five = series(
        cw,
        [query(s.lower(), service, "Requests", s, period=300) for s in stats],
        end=NOW.replace(second=0),
    )
    assert len(five["sum"]) == 12
    for start, total in five["sum"].items():
        values = [minute["m0"][start + 60 * k] for k in range(5)]
        assert total == sum(values)
        assert five["samplecount"][start] == 5
        assert five["average"][start] == pytest.approx(sum(values) / 5)
        assert five["minimum"][start] == min(values)
        assert five["maximum"][start] == max(values)
        assert five["p50"][start] == sorted(values)[2]


def test_latency_statistics_are_one_distribution(cwsim, cw):
    service = services(cwsim)["payments-worker"]
    stats = ("SampleCount", "Sum", "Average", "Minimum", "Maximum", "p50", "p99", "p99.9")
    for period in (60, 600):
        got = series(
            cw,
            [query(f"s{i}", service, "RequestLatency", s, period) for i, s in enumerate(stats)]
            + [query("requests", service, "Requests", "Sum", period)],
            end=NOW.replace(second=0),
        )
        by_stat = dict(zip(stats, (got[f"s{i}"] for i in range(len(stats))), strict=True))
        assert len(by_stat["Average"]) == 3600 // period
        for t, mean in by_stat["Average"].items():
            # One sample per request, the mean of all of them.
            assert by_stat["SampleCount"][t] == got["requests"][t]
            assert by_stat["Sum"][t] == pytest.approx(mean * by_stat["SampleCount"][t])
            assert by_stat["Minimum"][t] < by_stat["p50"][t] < mean < by_stat["p99"][t]
            assert by_stat["p99"][t] < by_stat["p99.9"][t] <= by_stat["Maximum"][t]


def test_a_bucket_of_latency_adds_its_minutes(cwsim, cw):
    service = services(cwsim)["payments-worker"]
    end = NOW.replace(second=0)
    stats = ("SampleCount", "Sum", "Maximum", "Minimum")
    one = series(
        cw, [query(s.lower(), service, "RequestLatency", s) for s in stats], minutes=10, end=end
    )
    ten = series(
        cw,
        [query(s.lower(), service, "RequestLatency", s, 600) for s in stats],
        minutes=10,
        end=end,
    )
    (start,) = ten["sum"]
    assert ten["samplecount"][start] == sum(one["samplecount"].values())
    assert ten["sum"][start] == pytest.approx(sum(one["sum"].values()))
    assert ten["maximum"][start] == max(one["maximum"].values())
    assert ten["minimum"][start] == min(one["minimum"].values())


def test_dimensions_in_either_order(cwsim, cw):
    service = services(cwsim)["checkout-api"]
    forward = query("f", service, "Requests", "Sum")
    backward = query("b", service, "Requests", "Sum")
    backward["MetricStat"]["Metric"]["Dimensions"] = dims(service, reverse=True)
    got = series(cw, [forward, backward])
    assert got["f"] == got["b"] and len(got["f"]) == 60


def test_per_instance_cpu(cwsim, cw):
    service = services(cwsim)["orders-service"]
    listed = cw.list_metrics(
        Namespace=NAMESPACE,
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "ServiceID", "Value": service["ServiceId"]}, {"Name": "Instance"}],
        RecentlyActive="PT3H",
    )["Metrics"]
    queries = [
        {"Id": f"i{n}", "MetricStat": {"Metric": m, "Period": 60, "Stat": "Average"}}
        for n, m in enumerate(listed)
    ]
    got = series(cw, queries, minutes=10)
    current = [s for s in got.values() if LAST_MINUTE.timestamp() in s]
    assert current and all(0 < v <= 100 for s in current for v in s.values())


def test_the_troubled_service_5xx_share_climbed(cwsim, cw):
    service = services(cwsim)["checkout-api"]

    def share(end: datetime) -> float:
        got = series(
            cw,
            [
                query("e", service, "5xxStatusResponses", "Sum", 600),
                query("r", service, "Requests", "Sum", 600),
            ],
            minutes=10,
            end=end,
        )
        return sum(got["e"].values()) / sum(got["r"].values())

    recent, before = share(NOW.replace(second=0)), share(NOW.replace(second=0) - timedelta(hours=2))
    assert recent > 0.1 > 0.01 > before


def test_expressions_are_answered_as_not_evaluated(cwsim, cw):
    service = services(cwsim)["orders-service"]
    answer = cw.get_metric_data(
        MetricDataQueries=[
            {**query("r", service, "Requests", "Sum"), "ReturnData": False},
            query("e5", service, "5xxStatusResponses", "Sum"),
            {"Id": "rate", "Expression": "e5 / r * 100", "Label": "5xx rate"},
        ],
        StartTime=NOW - timedelta(minutes=5),
        EndTime=NOW,
    )
    results = {r["Id"]: r for r in answer["MetricDataResults"]}
    assert set(results) == {"e5", "rate"}  # ReturnData false: left out
    assert results["e5"]["Label"] == "5xxStatusResponses"
    assert results["e5"]["StatusCode"] == "Complete"
    assert results["rate"]["StatusCode"] == "InternalError"
    assert results["rate"]["Label"] == "5xx rate"
    assert "does not evaluate metric math" in results["rate"]["Messages"][0]["Value"]


def test_scan_by_orders_the_points(cwsim, cw):
    service = services(cwsim)["orders-service"]
    for scan, newest_first in (("TimestampDescending", True), ("TimestampAscending", False)):
        answer = cw.get_metric_data(
            MetricDataQueries=[query("r", service, "Requests", "Sum")],
            StartTime=NOW - timedelta(minutes=5),
            EndTime=NOW,
            ScanBy=scan,
        )
        stamps = answer["MetricDataResults"][0]["Timestamps"]
        assert len(stamps) == 5
        assert stamps == sorted(stamps, reverse=newest_first)


def test_nothing_older_than_15_days_or_after_now(cwsim, cw):
    service = services(cwsim)["orders-service"]
    old = series(
        cw, [query("r", service, "Requests", "Sum", 3600)], minutes=60, end=NOW - timedelta(days=16)
    )
    assert old["r"] == {}
    future = series(
        cw, [query("r", service, "Requests", "Sum")], minutes=120, end=NOW + timedelta(hours=1)
    )
    assert max(future["r"]) == LAST_MINUTE.timestamp()


def test_a_sub_minute_period_gets_one_point_a_minute(cwsim, cw):
    service = services(cwsim)["orders-service"]
    fine = series(
        cw, [query("r", service, "Requests", "Sum", 10)], minutes=5, end=NOW.replace(second=0)
    )
    minute = series(
        cw, [query("r", service, "Requests", "Sum")], minutes=5, end=NOW.replace(second=0)
    )
    assert fine == minute


# -- paging and refusals ------------------------------------------------------------------


def test_max_datapoints_pages_with_next_token(cwsim, cw):
    service = services(cwsim)["auth-gateway"]
    queries = [
        query(f"q{i}", service, m, "Sum")
        for i, m in enumerate(("Requests", "4xxStatusResponses", "5xxStatusResponses"))
    ]
    whole = series(cw, queries)
    first = cw.get_metric_data(
        MetricDataQueries=queries, StartTime=NOW - timedelta(hours=1), EndTime=NOW, MaxDatapoints=50
    )
    assert "NextToken" in first
    assert sum(len(r["Values"]) for r in first["MetricDataResults"]) == 50
    assert first["MetricDataResults"][0]["StatusCode"] == "PartialData"
    paged = series(cw, queries, MaxDatapoints=50)
    assert paged == whole and sum(len(s) for s in whole.values()) == 180


def test_a_foreign_next_token_is_refused(cwsim, cw):
    service = services(cwsim)["auth-gateway"]
    response = error_of(
        lambda: cw.get_metric_data(
            MetricDataQueries=[query("r", service, "Requests", "Sum")],
            StartTime=NOW - timedelta(hours=1),
            EndTime=NOW,
            NextToken="bm90IGEgdG9rZW4=",
        )
    )
    assert response["Error"]["Code"] == "InvalidNextToken"


def test_more_than_500_queries_are_refused(cwsim, cw):
    service = services(cwsim)["auth-gateway"]
    response = error_of(
        lambda: cw.get_metric_data(
            MetricDataQueries=[query(f"q{i}", service, "Requests", "Sum") for i in range(501)],
            StartTime=NOW - timedelta(hours=1),
            EndTime=NOW,
        )
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] == "ValidationError"
    assert response["Error"]["Message"] == (
        "The collection MetricDataQueries must not have a size greater than 500."
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"Period": 45}, "MetricDataQueries.member.1.MetricStat.Period is not valid"),
        ({"Period": 90}, "MetricDataQueries.member.1.MetricStat.Period is not valid"),
        ({"Stat": "Median"}, "MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic"),
        ({"Stat": "p100.5"}, "MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic"),
    ],
)
def test_bad_period_or_statistic_is_refused(cwsim, cw, change, words):
    service = services(cwsim)["auth-gateway"]
    bad = query("r", service, "Requests", "Sum")
    bad["MetricStat"].update(change)
    response = error_of(
        lambda: cw.get_metric_data(
            MetricDataQueries=[bad], StartTime=NOW - timedelta(hours=1), EndTime=NOW
        )
    )
    assert response["Error"]["Code"] == "ValidationError"
    assert words in response["Error"]["Message"]


def test_start_must_precede_end(cwsim, cw):
    service = services(cwsim)["auth-gateway"]
    response = error_of(
        lambda: cw.get_metric_data(
            MetricDataQueries=[query("r", service, "Requests", "Sum")], StartTime=NOW, EndTime=NOW
        )
    )
    assert (
        response["Error"]["Message"] == "The parameter StartTime must not equal parameter EndTime."
    )


# -- controls and faults ------------------------------------------------------------------


def test_percentile_controls(cwsim, cw):
    service = services(cwsim)["orders-service"]
    queries = [
        query("avg", service, "RequestLatency", "Average"),
        query("p99", service, "RequestLatency", "p99"),
    ]
    assert control(cwsim, "GET", "/_sim/cloudwatch")["percentiles"] == "serve"
    settings = control(cwsim, "POST", "/_sim/cloudwatch", {"percentiles": "empty"})
    assert settings["percentiles"] == "empty"
    answer = cw.get_metric_data(
        MetricDataQueries=queries, StartTime=NOW - timedelta(minutes=10), EndTime=NOW
    )
    results = {r["Id"]: r for r in answer["MetricDataResults"]}
    assert len(results["avg"]["Values"]) == 10
    assert results["p99"]["Values"] == [] and results["p99"]["StatusCode"] == "Complete"
    control(cwsim, "POST", "/_sim/cloudwatch", {"percentiles": "error"})
    response = error_of(
        lambda: cw.get_metric_data(
            MetricDataQueries=queries, StartTime=NOW - timedelta(minutes=10), EndTime=NOW
        )
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] == "InvalidParameterValue"
    # Without percentiles the same call goes through.
    assert cw.get_metric_data(
        MetricDataQueries=queries[:1], StartTime=NOW - timedelta(minutes=10), EndTime=NOW
    )


def test_control_refuses_bad_bodies(cwsim):
    for body in (
        {"percentiles": "sometimes"},
        {"traffic": {"service": "checkout-api"}},
        {"other": 1},
    ):
        with pytest.raises(urllib.error.HTTPError) as caught:
            control(cwsim, "POST", "/_sim/cloudwatch", body)
        assert caught.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as caught:
        control(cwsim, "POST", "/_sim/cloudwatch", {"traffic": {"service": "nope", "rpm": 0}})
    assert caught.value.code == 404


def test_traffic_control_sets_zero_requests(cwsim, cw):
    service = services(cwsim)["inventory-sync"]
    queries = [
        query("r", service, "Requests", "Sum"),
        query("lat", service, "RequestLatency", "Average"),
        query("n", service, "ActiveInstances", "Maximum"),
    ]
    before = series(cw, queries, minutes=10)
    settings = control(
        cwsim, "POST", "/_sim/cloudwatch", {"traffic": {"service": "inventory-sync", "rpm": 0}}
    )
    assert settings["traffic"] == [
        {
            "service": "inventory-sync",
            "account": "123456789012",
            "region": "us-east-1",
            "serviceId": service["ServiceId"],
            "rpm": 0,
        }
    ]
    try:
        quiet = series(cw, queries, minutes=10)
        assert list(quiet["r"].values()) == [0.0] * 10  # zeros, not gaps: it still runs
        assert quiet["lat"] == {}  # no requests, no latency
        # The guide: ActiveInstances is zero while there are no requests (a figure, not a gap).
        assert list(quiet["n"].values()) == [0.0] * 10
        assert set(before["n"].values()) and 0.0 not in before["n"].values()
    finally:
        control(
            cwsim,
            "POST",
            "/_sim/cloudwatch",
            {"traffic": {"service": "inventory-sync", "rpm": None}},
        )
    assert series(cw, queries, minutes=10) == before


def test_active_instances_is_zero_in_each_minute_without_requests(cwsim, cw):
    service = services(cwsim)["inventory-sync"]
    queries = [
        query("r", service, "Requests", "Sum"),
        query("n", service, "ActiveInstances", "Maximum"),
    ]
    # Half a request a minute: some minutes get one, some none.
    control(
        cwsim, "POST", "/_sim/cloudwatch", {"traffic": {"service": "inventory-sync", "rpm": 0.5}}
    )
    try:
        got = series(cw, queries, minutes=120)
    finally:
        control(
            cwsim,
            "POST",
            "/_sim/cloudwatch",
            {"traffic": {"service": "inventory-sync", "rpm": None}},
        )
    assert set(got["r"]) == set(got["n"]) and len(got["r"]) == 120
    idle = [t for t, v in got["r"].items() if v == 0]
    busy = [t for t, v in got["r"].items() if v > 0]
    assert idle and busy
    assert all(got["n"][t] == 0 for t in idle)
    assert all(1 <= got["n"][t] <= got["r"][t] for t in busy)


def test_faults_fail_get_metric_data(cwsim, cw):
    service = services(cwsim)["orders-service"]
    control(cwsim, "DELETE", "/_sim/requests")
    control(
        cwsim,
        "POST",
        "/_sim/faults",
        {"operation": "GetMetricData", "error": "ThrottlingException"},
    )
    request = {
        "MetricDataQueries": [query("r", service, "Requests", "Sum")],
        "StartTime": NOW - timedelta(minutes=5),
        "EndTime": NOW,
    }
    response = error_of(lambda: cw.get_metric_data(**request))
    assert response["Error"]["Code"] == "ThrottlingException"
    assert response["Error"]["Message"] == "Rate exceeded"
    assert cw.get_metric_data(**request)["MetricDataResults"][0]["Values"]
    entries = control(cwsim, "GET", "/_sim/requests")["requests"]
    assert [(e["operation"], e["service"], e["region"], e["status"]) for e in entries] == [
        ("GetMetricData", "cloudwatch", "us-east-1", 400),
        ("GetMetricData", "cloudwatch", "us-east-1", 200),
    ]


def test_a_paused_service_leaves_gaps(fresh_sim):
    apprunner = make_boto3(fresh_sim, "apprunner")
    cw = checked(make_boto3(fresh_sim, "cloudwatch"))
    service = services(fresh_sim)["orders-service"]
    apprunner.pause_service(ServiceArn=service["ServiceArn"])
    control(fresh_sim, "POST", "/_sim/clock", {"advance": 1800})
    ops = apprunner.list_operations(ServiceArn=service["ServiceArn"])["OperationSummaryList"]
    paused_at = ops[0]["EndedAt"].timestamp()
    end = datetime.fromtimestamp(fresh_sim.clock.now(), timezone.utc)
    got = series(cw, [query("r", service, "Requests", "Sum")], minutes=40, end=end)["r"]
    assert got and all(v > 0 for v in got.values())  # gaps, never zeros
    assert max(got) < paused_at
    # StartTime rounded down to the minute: the first bucket.
    assert min(got) == math.floor((end.timestamp() - 2400) / 60) * 60


# -- protocols and routing ------------------------------------------------------------------


def cbor_call(sim: Simulator, operation: str, params: dict[str, Any]) -> tuple[int, Any]:
    """(status, parsed) of a call serialized and parsed by botocore's rpc-v2-cbor code."""
    model = _MODEL.operation_model(operation)
    request = serialize.create_serializer("smithy-rpc-v2-cbor").serialize_to_request(params, model)
    http = urllib.request.Request(
        sim.endpoint + request["url_path"],
        data=request["body"],
        method=request["method"],
        headers=dict(request["headers"]),
    )
    try:
        with urllib.request.urlopen(http, timeout=30) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        status, headers, body = exc.code, exc.headers, exc.read()
    parsed = parsers.create_parser("smithy-rpc-v2-cbor").parse(
        {"status_code": status, "headers": HeadersDict(headers.items()), "body": body},
        model.output_shape,
    )
    return status, parsed


def test_rpc_v2_cbor(cwsim, cw):
    service = services(cwsim)["orders-service"]
    params = {
        "MetricDataQueries": [
            query("r", service, "Requests", "Sum"),
            query("p", service, "RequestLatency", "p99"),
        ],
        "StartTime": NOW - timedelta(minutes=10),
        "EndTime": NOW,
        "ScanBy": "TimestampAscending",
    }
    status, parsed = cbor_call(cwsim, "GetMetricData", params)
    assert status == 200
    by_json = cw.get_metric_data(**params)
    assert parsed["MetricDataResults"] == by_json["MetricDataResults"]
    assert parsed["MetricDataResults"][0]["Timestamps"][-1] == LAST_MINUTE
    status, listed = cbor_call(
        cwsim, "ListMetrics", {"Namespace": NAMESPACE, "MetricName": "Requests"}
    )
    assert status == 200 and len(listed["Metrics"]) == 6
    params["MetricDataQueries"][0]["MetricStat"]["Period"] = 45
    status, parsed = cbor_call(cwsim, "GetMetricData", params)
    assert status == 400
    assert parsed["Error"]["Code"] == "ValidationError"
    control(cwsim, "POST", "/_sim/cloudwatch", {"percentiles": "error"})
    params["MetricDataQueries"][0]["MetricStat"]["Period"] = 60
    status, parsed = cbor_call(cwsim, "GetMetricData", params)
    assert (status, parsed["Error"]["Code"]) == (400, "InvalidParameterValue")


def test_json_errors_carry_the_query_code(cwsim):
    body = json.dumps(
        {"MetricDataQueries": [], "StartTime": FROZEN - 60, "EndTime": FROZEN}
    ).encode()
    request = urllib.request.Request(
        cwsim.endpoint + "/",
        data=body,
        method="POST",
        headers={
            "X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    request.data = json.dumps({"Namespace": NAMESPACE, "RecentlyActive": "PT1H"}).encode()
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 400
    assert caught.value.headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    assert json.loads(caught.value.read())["__type"].endswith("#InvalidParameterValueException")


async def test_aiobotocore_reads_metrics(cwsim):
    service = services(cwsim)["orders-service"]
    cm, cw = await make_aio(cwsim, "cloudwatch")
    try:
        answer = await cw.get_metric_data(
            MetricDataQueries=[query("r", service, "Requests", "Sum")],
            StartTime=NOW - timedelta(minutes=10),
            EndTime=NOW,
        )
        assert len(answer["MetricDataResults"][0]["Values"]) == 10
    finally:
        await cm.__aexit__(None, None, None)


def test_other_namespaces_go_to_moto(cwsim, cw):
    service = services(cwsim)["orders-service"]
    other = query("o", service, "Requests", "Sum")
    other["MetricStat"]["Metric"]["Namespace"] = "Artui/Elsewhere"
    # One foreign query sends the whole call to moto, which has no App Runner data.
    mixed = series(cw, [query("r", service, "Requests", "Sum"), other], minutes=10)
    assert mixed == {"r": {}, "o": {}}
    listed = cw.list_metrics(Namespace="Artui/Elsewhere")["Metrics"]
    assert listed == []
