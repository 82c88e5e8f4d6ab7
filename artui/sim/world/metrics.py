"""The demo's `AWS/AppRunner` metrics: one minute's points for a service, and putting them."""

from __future__ import annotations

import math
import random
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from artui.sim.world import Tracked

NAMESPACE = "AWS/AppRunner"
SERVICE_METRICS = (
    "Requests",
    "2xxStatusResponses",
    "4xxStatusResponses",
    "5xxStatusResponses",
    "RequestLatency",
    "ActiveInstances",
    "CPUUtilization",
    "MemoryUtilization",
)
_UNITS = {
    "RequestLatency": "Milliseconds",
    "CPUUtilization": "Percent",
    "MemoryUtilization": "Percent",
}
# PutMetricData takes at most 1000 datums a call.
_PUT_BATCH = 1000


def metric_points(tracked: Tracked, minute: int, per_instance: bool) -> list[dict[str, Any]]:
    """A service's MetricData for one wall-clock minute (also per instance, if asked)."""
    service = tracked.service
    rng = random.Random(f"{service.id}:{minute}")
    diurnal = 1 + 0.3 * math.sin(2 * math.pi * (minute % 1440) / 1440)
    requests = round(tracked.base_rpm * diurnal * rng.uniform(0.9, 1.1))
    frac5 = tracked.error_fraction(minute * 60.0) if tracked.troubled else 0.002 * rng.random()
    e5 = round(requests * frac5)
    e4 = round(requests * 0.02 * rng.uniform(0.5, 1.5))
    latency = tracked.latency_ms * rng.uniform(0.85, 1.2) * (1 + 12 * frac5)
    cpu = min(95.0, 12 + 35 * diurnal * rng.uniform(0.8, 1.2) + 80 * frac5)
    memory = 35 + 15 * rng.random()
    values = {
        "Requests": requests,
        "2xxStatusResponses": requests - e4 - e5,
        "4xxStatusResponses": e4,
        "5xxStatusResponses": e5,
        "RequestLatency": round(latency, 1),
        "ActiveInstances": len(tracked.instances),
        "CPUUtilization": round(cpu, 1),
        "MemoryUtilization": round(memory, 1),
    }
    stamp = datetime.fromtimestamp(minute * 60.0, timezone.utc)
    dims = [
        {"Name": "ServiceName", "Value": service.name},
        {"Name": "ServiceID", "Value": service.id},
    ]
    out = [
        {
            "MetricName": name,
            "Dimensions": dims,
            "Timestamp": stamp,
            "Value": float(value),
            "Unit": _UNITS.get(name, "Count"),
        }
        for name, value in values.items()
    ]
    if per_instance:
        for instance in tracked.instances:
            idims = [*dims, {"Name": "Instance", "Value": instance}]
            for name in ("CPUUtilization", "MemoryUtilization"):
                out.append(
                    {
                        "MetricName": name,
                        "Dimensions": idims,
                        "Timestamp": stamp,
                        "Value": round(values[name] * rng.uniform(0.8, 1.2), 1),
                        "Unit": "Percent",
                    }
                )
    return out


async def put_metrics(cloudwatch: Any, datums: list[dict[str, Any]]) -> None:
    """Put `datums` into the `AWS/AppRunner` namespace through a CloudWatch client."""
    for i in range(0, len(datums), _PUT_BATCH):
        await cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=datums[i : i + _PUT_BATCH])
