"""GetMetricData and ListMetrics for `AWS/AppRunner`, answered from the traffic model.

Pure functions of a snapshot of the region's services, the model and the clock's `now`,
so they can run in a worker thread. What they follow (CloudWatch's API reference):

- Buckets start at StartTime rounded down to the minute (for a Period under 60, to a
  multiple of the Period) and step by Period up to EndTime (exclusive); a minute's figures
  fall in the bucket holding the minute's start. A bucket without a minute of data is
  absent. Only whole minutes before `now` have data, and only for the last 15 days (the
  retention of 60 s data; the 5-minute and hourly roll-ups are not modelled).
- Period: 60 or a multiple of 60; 1, 5, 10, 20 and 30 are valid too (for high-resolution
  metrics), and App Runner's metrics being standard resolution, such a Period gets one
  point per minute (the other buckets are empty) and nothing older than 3 hours.
- Statistics over a bucket: counts and gauges (one figure per minute): Sum adds, Average is
  the mean per-minute figure, SampleCount the minutes with data, pNN the nearest-rank
  percentile of the minutes' figures. RequestLatency (a distribution per minute):
  SampleCount adds the requests, Sum adds requests x mean, Average = Sum / SampleCount,
  Minimum/Maximum are the extremes of the minutes, and pNN is the sample-weighted mean of
  the minutes' pNN (an approximation of the mixture's percentile that stays between the
  minutes' own).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from artui.sim import wire
from artui.sim.apprunner.operations import Operation
from artui.sim.cloudwatch.protocol import CloudWatchError, epoch
from artui.sim.world.metrics import (
    INSTANCE_METRICS,
    LATENCY_SIGMA,
    NAMESPACE,
    SERVICE_METRICS,
    UNITS,
    Profile,
    TrafficModel,
    latency_extremes,
    latency_quantile,
    serving_spans,
)

MAX_QUERIES = 500
MAX_DATAPOINTS = 100_800
LIST_PAGE = 500
RETENTION = 15 * 86400.0
HIGH_RESOLUTION_RETENTION = 3 * 3600.0
RECENT = 3 * 3600.0
LISTED_FOR = 14 * 86400.0  # ListMetrics shows metrics with data in the last two weeks
SUB_MINUTE_PERIODS = (1, 5, 10, 20, 30)
BASIC_STATS = ("Sum", "Average", "Minimum", "Maximum", "SampleCount")
_PERCENTILE = re.compile(r"p(\d{1,2}(?:\.\d{1,2})?|100(?:\.0{1,2})?)")
_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")
_ID_PATTERN = "^[a-z][a-zA-Z0-9_]*$"
_SERVICE_DIMS = frozenset({"ServiceName", "ServiceID"})
_INSTANCE_DIMS = frozenset({"ServiceName", "ServiceID", "Instance"})
_NOT_EVALUATED = (
    "The artui simulator does not evaluate metric math or Metrics Insights expressions; "
    "only MetricStat queries of AWS/AppRunner are answered."
)


@dataclass(frozen=True)
class Served:
    """One service as a query sees it: its profile and operations (oldest first)."""

    name: str
    id: str
    profile: Profile
    ops: Sequence[Operation]
    spans: list[tuple[float, float]] = field(default_factory=list)

    @classmethod
    def of(cls, name: str, service_id: str, profile: Profile, ops: Sequence[Operation]) -> Served:
        """A Served with its serving spans worked out."""
        return cls(name, service_id, profile, ops, serving_spans(ops))


def percentile(stat: Any) -> float | None:
    """The fraction a `pNN` / `pNN.N` statistic names, or None for any other statistic."""
    match = _PERCENTILE.fullmatch(stat) if isinstance(stat, str) else None
    return float(match.group(1)) / 100 if match else None


def valid_period(period: Any) -> bool:
    """1, 5, 10, 20, 30, 60 or a multiple of 60 (CloudWatch's rule)."""
    if not wire.is_number(period, (int,)):
        return False
    return period in SUB_MINUTE_PERIODS or (period >= 60 and period % 60 == 0)


# -- GetMetricData -----------------------------------------------------------------------


def get_metric_data(
    params: dict[str, Any],
    services: Sequence[Served],
    model: TrafficModel,
    now: float,
    percentiles: str = "serve",
) -> dict[str, Any]:
    """GetMetricData's answer (one page of it); CloudWatchError for a request it refuses."""
    queries = params.get("MetricDataQueries")
    if not isinstance(queries, list) or not queries:
        raise CloudWatchError("ValidationError", "The parameter MetricDataQueries is required.")
    if len(queries) > MAX_QUERIES:
        raise CloudWatchError(
            "ValidationError",
            f"The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}.",
        )
    start, end = _time_range(params)
    scan = params.get("ScanBy", "TimestampDescending")
    if scan not in ("TimestampDescending", "TimestampAscending"):
        raise CloudWatchError(
            "ValidationError",
            f"The value {str(scan)[:64]} for parameter ScanBy is not valid: use "
            "TimestampDescending or TimestampAscending.",
        )
    most = params.get("MaxDatapoints", MAX_DATAPOINTS)
    if not wire.is_number(most, (int,)) or most < 1:
        raise CloudWatchError(
            "ValidationError", "The parameter MaxDatapoints must be a whole number of 1 or more."
        )
    # CloudWatch returns at most 100,800 points a call; a larger MaxDatapoints pages there.
    most = min(most, MAX_DATAPOINTS)
    _check_queries(queries)
    if percentiles == "error":
        for n, query in enumerate(queries, 1):
            stat = (query.get("MetricStat") or {}).get("Stat")
            if percentile(stat) is not None:
                raise CloudWatchError(
                    "InvalidParameterValue",
                    f"The value {stat} for parameter MetricDataQueries.member.{n}.MetricStat.Stat"
                    " is not supported (the simulator's percentiles control is set to error).",
                )
    offset = 0
    fingerprint = request_fingerprint(params)
    token = params.get("NextToken")
    if token is not None:
        offset, now = _read_token(token, fingerprint)
    by_dims = {(s.name, s.id): s for s in services}
    descending = scan == "TimestampDescending"
    answers: list[tuple[dict[str, Any], list[tuple[int, float]] | None]] = []
    for query in queries:
        if query.get("ReturnData") is False:
            continue
        label = query.get("Label")
        stat_query = query.get("MetricStat")
        if not isinstance(stat_query, dict):
            result = {
                "Id": query.get("Id"),
                "Label": label or query.get("Id"),
                "Timestamps": [],
                "Values": [],
                "StatusCode": "InternalError",
                "Messages": [{"Code": "InternalError", "Value": _NOT_EVALUATED}],
            }
            answers.append((result, None))
            continue
        metric = stat_query.get("Metric") or {}
        found = points(stat_query, by_dims, model, start, end, now, percentiles)
        if descending:
            found.reverse()
        result = {"Id": query.get("Id"), "Label": label or metric.get("MetricName", "")}
        answers.append((result, found))
    return _page(answers, offset, most, now, fingerprint)


def _time_range(params: dict[str, Any]) -> tuple[float, float]:
    start, end = epoch(params.get("StartTime")), epoch(params.get("EndTime"))
    for name, value in (("StartTime", start), ("EndTime", end)):
        if value is None:
            raise CloudWatchError("ValidationError", f"The parameter {name} is required.")
    assert start is not None and end is not None
    if start == end:
        raise CloudWatchError(
            "ValidationError", "The parameter StartTime must not equal parameter EndTime."
        )
    if start > end:
        raise CloudWatchError(
            "ValidationError", "The parameter StartTime must be less than the parameter EndTime."
        )
    return start, end


def _check_queries(queries: list[Any]) -> None:
    # CloudWatch reports every bad member at once, one line each.
    problems: list[str] = []
    seen: set[str] = set()
    for n, query in enumerate(queries, 1):
        member = f"MetricDataQueries.member.{n}"
        if not isinstance(query, dict):
            problems.append(f"The parameter {member} must be a structure.")
            continue
        query_id = query.get("Id")
        if not isinstance(query_id, str) or not _ID.fullmatch(query_id):
            problems.append(
                f"The value {str(query_id)[:255]} for parameter {member}.Id is not matching "
                f"the expected pattern {_ID_PATTERN}."
            )
        elif query_id in seen:
            problems.append("The values for parameter id in MetricDataQueries are not unique.")
        else:
            seen.add(query_id)
        stat_query, expression = query.get("MetricStat"), query.get("Expression")
        if (stat_query is None) == (expression is None):
            problems.append(f"Exactly one of MetricStat and Expression must be given in {member}.")
        if not isinstance(stat_query, dict):
            continue
        stat = stat_query.get("Stat")
        if not isinstance(stat, str) or (stat not in BASIC_STATS and percentile(stat) is None):
            problems.append(
                f"The value {str(stat)[:64]} for parameter {member}.MetricStat.Stat is not a "
                "valid statistic."
            )
        period = stat_query.get("Period")
        if not valid_period(period):
            problems.append(
                f"The value {str(period)[:32]} for parameter {member}.MetricStat.Period is "
                "not valid: the period must be 1, 5, 10, 20, 30, 60 or a multiple of 60 "
                "seconds."
            )
    if problems:
        raise CloudWatchError("ValidationError", "\n".join(dict.fromkeys(problems)))


def _dimensions(metric: dict[str, Any]) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for dim in metric.get("Dimensions") or ():
        if not isinstance(dim, dict) or dim.get("Name") in out:
            return None
        out[str(dim.get("Name"))] = str(dim.get("Value"))
    return out


def _minutes(served: Served, first: int, last: int) -> list[int]:
    """Minutes in [first, last) at whose start the service was serving."""
    out: list[int] = []
    for span_start, span_end in served.spans:
        lo = max(first, math.ceil(span_start / 60))
        hi = last if span_end == math.inf else min(last, math.ceil(span_end / 60))
        if lo < hi:
            out.extend(range(lo, hi))
    return out


def points(
    stat_query: dict[str, Any],
    by_dims: dict[tuple[str, str], Served],
    model: TrafficModel,
    start: float,
    end: float,
    now: float,
    percentiles: str,
) -> list[tuple[int, float]]:
    """(bucket timestamp, value) of one MetricStat query, oldest first."""
    metric = stat_query.get("Metric") or {}
    name = metric.get("MetricName")
    stat, period = stat_query["Stat"], stat_query["Period"]
    fraction = percentile(stat)
    if fraction is not None and percentiles == "empty":
        return []
    if metric.get("Namespace") != NAMESPACE or name not in SERVICE_METRICS:
        return []
    unit = stat_query.get("Unit")
    if unit is not None and unit != UNITS.get(name, "Count"):
        return []
    dims = _dimensions(metric)
    if dims is None or set(dims) not in (_SERVICE_DIMS, _INSTANCE_DIMS):
        return []
    instance = dims.get("Instance")
    if instance is not None and name not in INSTANCE_METRICS:
        return []
    served = by_dims.get((dims["ServiceName"], dims["ServiceID"]))
    if served is None:
        return []
    step = 60 if period >= 60 else period
    origin = int(start // step * step)
    # Only whole minutes before now, and within the retention of what `period` can read.
    keep = HIGH_RESOLUTION_RETENTION if period < 60 else RETENTION
    first = max(math.ceil(origin / 60), math.ceil((now - keep) / 60))
    last = min(math.ceil(end / 60), math.floor(now / 60))
    minutes = _minutes(served, first, last)
    if instance is not None:
        minutes = _instance_minutes(model, served, instance, minutes)
    if not minutes:
        return []
    profile = served.profile
    if name == "RequestLatency":
        counts = model.column(profile, "Requests", minutes)
        means = model.column(profile, "RequestLatency", minutes)
        samples = [s for s in zip(minutes, counts, means, strict=True) if s[1] > 0]
        return _buckets(samples, origin, period, lambda group: _latency(group, stat, fraction))
    if instance is not None:
        which = 0 if name == "CPUUtilization" else 1
        values = [(m, model.instance_minute(profile, instance, m)[which]) for m in minutes]
    else:
        values = list(zip(minutes, model.column(profile, name, minutes), strict=True))
    if period == 60 and origin % 60 == 0 and stat != "SampleCount":
        # One minute per bucket: every statistic of a single figure is the figure.
        return [(m * 60, v) for m, v in values]
    return _buckets(values, origin, period, lambda group: _figures(group, stat, fraction))


def _instance_minutes(
    model: TrafficModel, served: Served, instance: str, minutes: list[int]
) -> list[int]:
    for gen_start, gen_end, ids in model.generations(served.profile, served.ops):
        if instance in ids:
            return [m for m in minutes if gen_start <= m * 60 < gen_end]
    return []


def _buckets(items: list[Any], origin: int, period: int, reduce: Any) -> list[tuple[int, float]]:
    """Group per-minute items (minute first, in order) into buckets and reduce each."""
    out: list[tuple[int, float]] = []
    group: list[Any] = []
    current = None
    for item in items:
        bucket = (item[0] * 60 - origin) // period
        if bucket != current and group:
            out.append((origin + current * period, reduce(group)))  # type: ignore[operator]
            group = []
        current = bucket
        group.append(item)
    if group:
        out.append((origin + current * period, reduce(group)))  # type: ignore[operator]
    return out


def _figures(group: list[tuple[int, float]], stat: str, fraction: float | None) -> float:
    values = [v for _, v in group]
    if stat == "Sum":
        return float(sum(values))
    if stat == "Average":
        return sum(values) / len(values)
    if stat == "Minimum":
        return float(min(values))
    if stat == "Maximum":
        return float(max(values))
    if stat == "SampleCount":
        return float(len(values))
    assert fraction is not None
    ranked = sorted(values)
    return float(ranked[max(0, math.ceil(fraction * len(ranked)) - 1)])


def _latency(group: list[tuple[int, float, float]], stat: str, fraction: float | None) -> float:
    count = sum(n for _, n, _ in group)
    if stat == "SampleCount":
        return count
    total = sum(n * mean for _, n, mean in group)
    if stat == "Sum":
        return total
    if stat == "Average":
        return total / count
    if stat == "Minimum":
        return min(_extremes(n, mean)[0] for _, n, mean in group)
    if stat == "Maximum":
        return max(_extremes(n, mean)[1] for _, n, mean in group)
    assert fraction is not None
    weighted, top = 0.0, 0.0
    for _, n, mean in group:
        value = _minute_percentile(n, mean, fraction)
        weighted += n * value
        top = max(top, value)
    # A weighted mean never exceeds its largest term; rounding must not make it so.
    return min(weighted / count, top)


def _extremes(samples: float, mean: float) -> tuple[float, float]:
    return (mean, mean) if samples <= 1 else latency_extremes(mean, samples)


def _minute_percentile(samples: float, mean: float, fraction: float) -> float:
    # Between the minute's own Minimum and Maximum, which one sample makes the mean.
    if samples <= 1:
        return mean
    edge = 0.5 / samples
    return latency_quantile(mean, min(max(fraction, edge), 1 - edge))


def _page(
    answers: list[tuple[dict[str, Any], list[tuple[int, float]] | None]],
    offset: int,
    most: int,
    now: float,
    fingerprint: str,
) -> dict[str, Any]:
    """The page of `most` datapoints from `offset`, across the queries in order."""
    results = []
    seen = 0
    stop = offset + most
    for result, points in answers:
        if points is None:
            results.append(result)
            continue
        first, last = seen, seen + len(points)
        seen = last
        chunk = points[max(0, offset - first) : max(0, stop - first)]
        result["Timestamps"] = [t for t, _ in chunk]
        result["Values"] = [v for _, v in chunk]
        result["StatusCode"] = "PartialData" if last > stop else "Complete"
        results.append(result)
    doc: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
    if seen > stop:
        doc["NextToken"] = make_token({"o": stop, "n": now, "f": fingerprint})
    return doc


def request_fingerprint(params: dict[str, Any]) -> str:
    """What a NextToken belongs to: the same request, bar the token itself."""
    same = {k: v for k, v in params.items() if k != "NextToken"}
    text = json.dumps(same, sort_keys=True, default=lambda v: epoch(v) or str(v))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_token(state: dict[str, Any]) -> str:
    """An opaque NextToken carrying `state`."""
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def _read_token(token: Any, fingerprint: str) -> tuple[int, float]:
    try:
        state = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        if state["f"] == fingerprint:
            return int(state["o"]), float(state["n"])
    except (ValueError, TypeError, KeyError):
        pass
    raise CloudWatchError("InvalidNextToken", "The next token specified is invalid.")


# -- ListMetrics -------------------------------------------------------------------------


def list_metrics(
    params: dict[str, Any],
    services: Sequence[Served],
    model: TrafficModel,
    now: float,
    cache: dict[Any, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """ListMetrics' answer for AWS/AppRunner (one page of 500).

    `cache` keeps listings between the pages of one listing (a token carries the first
    page's `now`), so paging through thousands of metrics lists them once.
    """
    fingerprint = request_fingerprint(params)
    offset = 0
    if params.get("NextToken") is not None:
        try:
            offset, now = _read_token(params["NextToken"], fingerprint)
        except CloudWatchError:
            raise CloudWatchError(
                "InvalidParameterValue", "The value for parameter NextToken is not valid."
            ) from None
    key = (fingerprint, now, tuple((s.id, len(s.ops)) for s in services))
    found = cache.get(key) if cache is not None else None
    if found is None:
        found = _listing(params, services, model, now)
        if cache is not None:
            if len(cache) >= 8:
                cache.clear()
            cache[key] = found
    doc: dict[str, Any] = {"Metrics": found[offset : offset + LIST_PAGE]}
    if len(found) > offset + LIST_PAGE:
        doc["NextToken"] = make_token({"o": offset + LIST_PAGE, "n": now, "f": fingerprint})
    return doc


def _listing(
    params: dict[str, Any], services: Sequence[Served], model: TrafficModel, now: float
) -> list[dict[str, Any]]:
    """Every metric ListMetrics names for `params`: per service that served in the last two
    weeks (three hours with RecentlyActive), its 8 metrics, then CPU and memory per
    instance that served then."""
    name = params.get("MetricName")
    recent = params.get("RecentlyActive")
    if recent not in (None, "PT3H"):
        raise CloudWatchError(
            "InvalidParameterValue",
            f"The value {str(recent)[:32]} for parameter RecentlyActive is not valid: use PT3H.",
        )
    wanted = []
    for dim in params.get("Dimensions") or ():
        if not isinstance(dim, dict) or not isinstance(dim.get("Name"), str):
            raise CloudWatchError(
                "InvalidParameterValue", "Each dimension filter must have a Name."
            )
        wanted.append((dim["Name"], dim.get("Value")))
    since = now - (RECENT if recent else LISTED_FOR)
    found: list[dict[str, Any]] = []
    for served in services:
        active = [(a, b) for a, b in served.spans if a < now and b > since]
        if not active:
            continue
        base = [
            {"Name": "ServiceName", "Value": served.name},
            {"Name": "ServiceID", "Value": served.id},
        ]
        entries = [(metric, base) for metric in SERVICE_METRICS]
        for gen_start, gen_end, ids in model.generations(served.profile, served.ops):
            if not any(a < gen_end and b > gen_start for a, b in active):
                continue
            for instance in ids:
                dims = [*base, {"Name": "Instance", "Value": instance}]
                entries.extend((metric, dims) for metric in INSTANCE_METRICS)
        for metric, dims in entries:
            if name is not None and metric != name:
                continue
            if not all(
                any(d["Name"] == n and (v is None or d["Value"] == v) for d in dims)
                for n, v in wanted
            ):
                continue
            found.append({"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": dims})
    return found


__all__ = [
    "LATENCY_SIGMA",
    "Served",
    "get_metric_data",
    "list_metrics",
    "make_token",
    "percentile",
    "points",
    "request_fingerprint",
]
