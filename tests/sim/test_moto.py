"""CloudWatch and CloudWatch Logs: moto behind the simulator's port, through aiobotocore.

AWS/AppRunner metrics are the simulator's own (tests/sim/test_cloudwatch.py); every other
namespace still goes to moto.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

from conftest import control, make_aio, make_boto3

NAMESPACE = "Artui/ProxyTest"  # not AWS/AppRunner, which the simulator answers itself


async def test_cloudwatch_cbor_put_get_list_through_the_proxy(sim):
    cm, cw = await make_aio(sim, "cloudwatch")
    try:
        assert cw.meta.service_model.protocol == "smithy-rpc-v2-cbor"
        control(sim, "DELETE", "/_sim/requests")
        service_id = uuid.uuid4().hex
        dims = [
            {"Name": "ServiceName", "Value": "proxy-test"},
            {"Name": "ServiceID", "Value": service_id},
        ]
        now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        await cw.put_metric_data(
            Namespace=NAMESPACE,
            MetricData=[
                {
                    "MetricName": "Requests",
                    "Dimensions": dims,
                    "Timestamp": now - timedelta(minutes=m),
                    "Value": float(10 + m),
                }
                for m in range(5)
            ],
        )
        data = await cw.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "r",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": NAMESPACE,
                            "MetricName": "Requests",
                            "Dimensions": dims,
                        },
                        "Period": 60,
                        "Stat": "Sum",
                    },
                }
            ],
            StartTime=now - timedelta(minutes=10),
            EndTime=now + timedelta(minutes=1),
        )
        assert sorted(data["MetricDataResults"][0]["Values"]) == [10.0, 11.0, 12.0, 13.0, 14.0]
        listed = await cw.list_metrics(
            Namespace=NAMESPACE, Dimensions=[{"Name": "ServiceID", "Value": service_id}]
        )
        # moto lists a metric once per PutMetricData datum (AWS lists it once): compare sets.
        assert {m["MetricName"] for m in listed["Metrics"]} == {"Requests"}
        entries = control(sim, "GET", "/_sim/requests")["requests"]
        assert [(e["operation"], e["service"], e["status"]) for e in entries] == [
            ("PutMetricData", "cloudwatch", 200),
            ("GetMetricData", "cloudwatch", 200),
            ("ListMetrics", "cloudwatch", 200),
        ]
    finally:
        await cm.__aexit__(None, None, None)


async def test_logs_put_filter_and_live_tail_through_the_proxy(sim):
    cm, logs = await make_aio(sim, "logs", region="eu-west-1")
    try:
        group = f"/aws/apprunner/proxy-test/{uuid.uuid4().hex}/application"
        await logs.create_log_group(logGroupName=group)
        await logs.create_log_stream(logGroupName=group, logStreamName="instance/abc")
        now_ms = int(time.time() * 1000)
        await logs.put_log_events(
            logGroupName=group,
            logStreamName="instance/abc",
            logEvents=[
                {"timestamp": now_ms + i, "message": f"line {i} {'ERROR' if i % 2 else 'INFO'}"}
                for i in range(6)
            ],
        )
        found = await logs.filter_log_events(logGroupName=group, filterPattern="ERROR")
        assert [e["message"] for e in found["events"]] == [
            "line 1 ERROR",
            "line 3 ERROR",
            "line 5 ERROR",
        ]
        # The group exists in eu-west-1 only: moto keys its state by region too.
        cm2, us = await make_aio(sim, "logs", region="us-east-1")
        try:
            us_groups = await us.describe_log_groups(logGroupNamePrefix=group)
            assert us_groups["logGroups"] == []
        finally:
            await cm2.__aexit__(None, None, None)

        arn = (await logs.describe_log_groups(logGroupNamePrefix=group))["logGroups"][0]["arn"]
        response = await logs.start_live_tail(logGroupIdentifiers=[arn.removesuffix(":*")])
        # The simulator answers Live Tail itself (tests/sim/test_livetail.py): the session
        # opens; the first message says so.
        stream = response["responseStream"]
        async for event in stream:
            assert next(iter(event)) == "sessionStart"
            break
        stream.close()
    finally:
        await cm.__aexit__(None, None, None)


def test_boto3_logs_through_the_proxy(sim):
    logs = make_boto3(sim, "logs")
    group = f"/artui/boto3/{uuid.uuid4().hex}"
    logs.create_log_group(logGroupName=group)
    names = [
        g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    ]
    assert names == [group]
