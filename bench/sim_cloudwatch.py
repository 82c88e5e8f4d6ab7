"""Seconds the simulator takes to answer CloudWatch for AWS/AppRunner. Prints a table.

    python bench/sim_cloudwatch.py [--repeat 3]

One GetMetricData of 500 queries over 3 hours (Period 60) on the 7-service demo and on a
500-service fleet (a different service per query); the queries cycle through the eight
metrics and, for RequestLatency, Sum/Average/Maximum/p50/p99. Then ListMetrics of the
namespace (every page). "first" is a fresh simulator's first call, nothing cached yet;
"again" the best of the repeats after it. "http" is the simulator alone: the CBOR request
posted and the whole answer read, unparsed; "boto3" adds botocore building and parsing it
(its CBOR parser is pure Python). The target: the simulator under 1 s.
"""

from __future__ import annotations

import argparse
import time
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import cbor2
from botocore.config import Config

from artui.sim.server import Simulator
from artui.sim.world.metrics import SERVICE_METRICS

NOW = 1_795_000_000.0
STATS = ("Sum", "Average", "Maximum", "p50", "p99")


def client(sim: Simulator, service: str) -> Any:
    """A boto3 client for the simulator, one attempt per call."""
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=sim.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}, read_timeout=120),
    )


def queries(services: list[dict[str, Any]], count: int = 500) -> list[dict[str, Any]]:
    """`count` MetricStat queries cycling through services, metrics and statistics."""
    out = []
    for n in range(count):
        service = services[n % len(services)]
        metric = SERVICE_METRICS[n % len(SERVICE_METRICS)]
        stat = (
            STATS[(n // len(SERVICE_METRICS)) % len(STATS)] if metric == "RequestLatency" else "Sum"
        )
        out.append(
            {
                "Id": f"q{n}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/AppRunner",
                        "MetricName": metric,
                        "Dimensions": [
                            {"Name": "ServiceName", "Value": service["ServiceName"]},
                            {"Name": "ServiceID", "Value": service["ServiceId"]},
                        ],
                    },
                    "Period": 60,
                    "Stat": stat,
                },
            }
        )
    return out


def post_cbor(sim: Simulator, operation: str, params: dict[str, Any]) -> bytes:
    """POST a CloudWatch rpc-v2-cbor request to the simulator; the raw answer."""
    request = urllib.request.Request(
        f"{sim.endpoint}/service/GraniteServiceVersion20100801/operation/{operation}",
        data=cbor2.dumps(params, datetime_as_timestamp=True),
        method="POST",
        headers={"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read()


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    began = time.perf_counter()
    result = call()
    return time.perf_counter() - began, result


def measure(services: int, repeat: int) -> list[tuple[str, float, float, str]]:
    """(what, first seconds, best repeat seconds, note) for one simulator size."""
    rows = []
    with Simulator(
        services=services,
        quota=max(1000, services),
        time_scale=0,
        world=False,
        start_time=NOW,
    ) as sim:
        apprunner, cw = client(sim, "apprunner"), client(sim, "cloudwatch")
        listed: list[dict[str, Any]] = []
        page: dict[str, Any] = {"MaxResults": 20}
        while True:
            answer = apprunner.list_services(**page)
            listed.extend(answer["ServiceSummaryList"])
            if not answer.get("NextToken"):
                break
            page["NextToken"] = answer["NextToken"]
        end = datetime.fromtimestamp(NOW, timezone.utc)
        request = {
            "MetricDataQueries": queries(listed),
            "StartTime": end - timedelta(hours=3),
            "EndTime": end,
        }

        def get_http() -> Any:
            return cbor2.loads(post_cbor(sim, "GetMetricData", request))

        def get_boto3() -> Any:
            return cw.get_metric_data(**request)

        def list_http() -> Any:
            found, params = [], {"Namespace": "AWS/AppRunner"}
            while True:
                answer = cbor2.loads(post_cbor(sim, "ListMetrics", params))
                found.extend(answer["Metrics"])
                if "NextToken" not in answer:
                    return found
                params["NextToken"] = answer["NextToken"]

        def list_boto3() -> Any:
            found = []
            for page in cw.get_paginator("list_metrics").paginate(Namespace="AWS/AppRunner"):
                found.extend(page["Metrics"])
            return found

        calls = (
            ("GetMetricData 500 q x 3 h, http", get_http),
            ("GetMetricData 500 q x 3 h, boto3", get_boto3),
            ("ListMetrics all pages, http", list_http),
            ("ListMetrics all pages, boto3", list_boto3),
        )
        for what, call in calls:
            sim.metrics._cache.clear()  # each "first" starts from nothing computed
            first, result = timed(call)
            again = min(timed(call)[0] for _ in range(repeat))
            if isinstance(result, dict):
                points = sum(len(r["Values"]) for r in result["MetricDataResults"])
                note = f"{points} points"
            else:
                note = f"{len(result)} metrics"
            rows.append((f"{services:>3} services  {what}", first, again, note))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'':46} {'first':>8} {'again':>8}")
    for size in (7, 500):
        for what, first, again, note in measure(size, args.repeat):
            print(f"{what:46} {first:7.3f}s {again:7.3f}s  {note}")


if __name__ == "__main__":
    main()
