"""GetMetricStatistics for `AWS/AppRunner`, answered from the same figures as GetMetricData.

Each statistic of the call is worked out as the GetMetricData query with that `Stat`
(`queries.points`: the same buckets, retention and reductions), so the two APIs agree
datapoint by datapoint; the datapoints then gather a bucket's statistics in one entry,
with the metric's unit. What CloudWatch's API reference says, and is followed here:

- Statistics (up to 5 of the basic ones) or ExtendedStatistics (up to 10 percentiles,
  p0.0 to p100), one of the two and not both;
- Period: 60 or a multiple of 60 (1, 5, 10, 20 and 30 too, as GetMetricData takes them);
- at most 1,440 datapoints a call: more is refused with CloudWatch's own words
  (InvalidParameterCombination, "You have requested up to N datapoints, ...");
- a Unit other than the metric's gives no datapoints ("the results ... are null").

The words of the other refusals are CloudWatch's where known (StartTime/EndTime), the
simulator's otherwise, under the query codes of the model's error shapes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from artui.sim.cloudwatch.protocol import CloudWatchError, epoch
from artui.sim.cloudwatch.queries import BASIC_STATS, Served, percentile, points, valid_period
from artui.sim.world.metrics import UNITS, TrafficModel

MAX_DATAPOINTS = 1440
MAX_STATISTICS = 5
MAX_EXTENDED = 10
REQUIRED = ("Namespace", "MetricName", "StartTime", "EndTime", "Period")


def get_metric_statistics(
    params: dict[str, Any],
    services: Sequence[Served],
    model: TrafficModel,
    now: float,
    percentiles: str = "serve",
) -> dict[str, Any]:
    """GetMetricStatistics' answer; CloudWatchError for a request CloudWatch refuses."""
    for name in REQUIRED:
        if params.get(name) is None:
            raise CloudWatchError("MissingParameter", f"The parameter {name} is required.")
    start, end = _time_range(params)
    period = params["Period"]
    if not valid_period(period):
        raise CloudWatchError(
            "InvalidParameterValue",
            f"The value {str(period)[:32]} for parameter Period is not valid: the period must "
            "be 1, 5, 10, 20, 30, 60 or a multiple of 60 seconds.",
        )
    basic, extended = _statistics(params)
    if percentiles == "error" and extended:
        raise CloudWatchError(
            "InvalidParameterValue",
            f"The value {extended[0]} for parameter ExtendedStatistics is not supported (the "
            "simulator's percentiles control is set to error).",
        )
    requested = math.ceil((end - start) / period)
    if requested > MAX_DATAPOINTS:
        raise CloudWatchError(
            "InvalidParameterCombination",
            f"You have requested up to {requested} datapoints, which exceeds the limit of "
            f"{MAX_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, "
            "or decreasing the time range.",
        )
    name = params["MetricName"]
    metric = {
        "Namespace": params["Namespace"],
        "MetricName": name,
        "Dimensions": params.get("Dimensions") or [],
    }
    unit = UNITS.get(name, "Count")
    by_dims = {(s.name, s.id): s for s in services}
    # Bucket timestamp -> its datapoint, filled a statistic at a time.
    datapoints: dict[int, dict[str, Any]] = {}
    for stat in (*basic, *extended):
        query = {"Metric": metric, "Period": period, "Stat": stat, "Unit": params.get("Unit")}
        for t, value in points(query, by_dims, model, start, end, now, percentiles):
            point = datapoints.setdefault(t, {"Timestamp": t, "Unit": unit})
            if stat in extended:
                point.setdefault("ExtendedStatistics", {})[stat] = value
            else:
                point[stat] = value
    return {"Label": name, "Datapoints": [datapoints[t] for t in sorted(datapoints)]}


def _time_range(params: dict[str, Any]) -> tuple[float, float]:
    start, end = epoch(params["StartTime"]), epoch(params["EndTime"])
    for name, value in (("StartTime", start), ("EndTime", end)):
        if value is None:
            raise CloudWatchError(
                "InvalidParameterValue", f"The parameter {name} must be a timestamp."
            )
    assert start is not None and end is not None
    if start == end:
        raise CloudWatchError(
            "InvalidParameterValue", "The parameter StartTime must not equal parameter EndTime."
        )
    if start > end:
        raise CloudWatchError(
            "InvalidParameterValue",
            "The parameter StartTime must be less than the parameter EndTime.",
        )
    return start, end


def _statistics(params: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(Statistics, ExtendedStatistics) asked for, each checked."""
    basic, extended = params.get("Statistics") or [], params.get("ExtendedStatistics") or []
    if not isinstance(basic, list) or not isinstance(extended, list):
        raise CloudWatchError(
            "InvalidParameterValue", "Statistics and ExtendedStatistics must be lists."
        )
    if basic and extended:
        raise CloudWatchError(
            "InvalidParameterCombination",
            "Must specify either Statistics or ExtendedStatistics, but not both.",
        )
    if not basic and not extended:
        raise CloudWatchError(
            "InvalidParameterCombination", "Must specify either Statistics or ExtendedStatistics."
        )
    if len(basic) > MAX_STATISTICS or len(extended) > MAX_EXTENDED:
        which, most = (
            ("Statistics", MAX_STATISTICS) if basic else ("ExtendedStatistics", MAX_EXTENDED)
        )
        raise CloudWatchError(
            "InvalidParameterValue",
            f"The collection {which} must not have a size greater than {most}.",
        )
    for stat in basic:
        if stat not in BASIC_STATS:
            raise CloudWatchError(
                "InvalidParameterValue",
                f"The value {str(stat)[:64]} for parameter Statistics is not valid: use "
                "SampleCount, Average, Sum, Minimum or Maximum.",
            )
    for stat in extended:
        if percentile(stat) is None:
            raise CloudWatchError(
                "InvalidParameterValue",
                f"The value {str(stat)[:64]} for parameter ExtendedStatistics is not a valid "
                "percentile: use p0.0 to p100.",
            )
    # Each statistic once: a repeated one would only be worked out twice.
    return list(dict.fromkeys(basic)), list(dict.fromkeys(extended))


__all__ = ["get_metric_statistics"]
