"""CloudWatch GetMetricData for the services list and the metrics pane: up to 500 queries a
call (CloudWatch's limit), each answer's pages (NextToken) gathered into one series per query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from artui.aws.clients import Clients
from artui.aws.errors import aws_errors
from artui.series import MAX_QUERIES, NAMESPACE, Query, Series, series_from


def metric_query(query_id: str, query: Query) -> dict[str, Any]:
    """One MetricDataQueries entry for `query`."""
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": NAMESPACE,
                "MetricName": query.metric,
                "Dimensions": [
                    {"Name": "ServiceName", "Value": query.service_name},
                    {"Name": "ServiceID", "Value": query.service_id},
                ],
            },
            "Period": query.period,
            "Stat": query.stat,
        },
        "ReturnData": True,
    }


class Metrics:
    """CloudWatch metrics, region by region, through the shared clients."""

    def __init__(self, clients: Clients) -> None:
        self._clients = clients

    async def read(
        self, region: str, queries: Sequence[Query], start: float, end: float
    ) -> dict[Query, Series]:
        """Every query's series from `start` to `end` (epoch seconds): ceil(len/500) calls,
        more only when CloudWatch pages an answer."""
        found: dict[Query, Series] = {}
        with aws_errors():
            client = await self._clients.get("cloudwatch", region)
            for i in range(0, len(queries), MAX_QUERIES):
                chunk = queries[i : i + MAX_QUERIES]
                found.update(await self._call(client, chunk, start, end))
        return found

    async def _call(
        self, client: Any, chunk: Sequence[Query], start: float, end: float
    ) -> dict[Query, Series]:
        # Ids must start with a lower-case letter; the index maps answers back to queries.
        by_id = {f"q{n}": query for n, query in enumerate(chunk)}
        request: dict[str, Any] = {
            "MetricDataQueries": [metric_query(i, q) for i, q in by_id.items()],
            "StartTime": datetime.fromtimestamp(start, timezone.utc),
            "EndTime": datetime.fromtimestamp(end, timezone.utc),
            "ScanBy": "TimestampAscending",
        }
        times: dict[str, list[float]] = {i: [] for i in by_id}
        values: dict[str, list[float]] = {i: [] for i in by_id}
        while True:
            page = await client.get_metric_data(**request)
            for result in page.get("MetricDataResults") or ():
                query_id = result.get("Id")
                if query_id not in by_id:
                    continue
                times[query_id].extend(t.timestamp() for t in result.get("Timestamps") or ())
                values[query_id].extend(result.get("Values") or ())
            token = page.get("NextToken")
            if not token or token == request.get("NextToken"):
                break
            request["NextToken"] = token
        return {query: series_from(query.period, times[i], values[i]) for i, query in by_id.items()}
