"""CloudWatch for the `AWS/AppRunner` namespace, answered by the simulator itself.

GetMetricData whose queries all read AWS/AppRunner (MetricStat, or expressions beside
them), GetMetricStatistics of that namespace (`statistics`: the same figures) and
ListMetrics of that namespace are computed from the traffic model
(`artui.sim.world.metrics`) when asked, over the caller's account's services (its own
metrics, as CloudWatch keeps them per account); nothing is stored. ListMetrics without a
Namespace lists those and moto's together (`listing`). Every other CloudWatch call (other
namespaces, PutMetricData, alarms...) goes on to moto, in the caller's account.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web

from artui.sim.cloudwatch.listing import Source, list_everything
from artui.sim.cloudwatch.protocol import Call, CloudWatchError, decode, operation_of
from artui.sim.cloudwatch.queries import Served, get_metric_data, list_metrics
from artui.sim.cloudwatch.statistics import get_metric_statistics
from artui.sim.world.metrics import NAMESPACE, TrafficModel

if TYPE_CHECKING:
    from artui.sim.accounts import Accounts

PERCENTILE_MODES = ("serve", "empty", "error")
OPERATIONS = ("GetMetricData", "GetMetricStatistics", "ListMetrics")


class CloudWatch:
    """The simulator's AWS/AppRunner CloudWatch: which calls are its own, and their answers.

    `percentiles` (a control): "serve" answers them; "empty" answers percentile queries
    with no values (StatusCode Complete), as CloudWatch does for a metric without
    percentile data; "error" refuses a GetMetricData naming one (InvalidParameterValue).
    """

    def __init__(self, accounts: Accounts, model: TrafficModel) -> None:
        self.accounts = accounts
        self.model = model
        self.percentiles = "serve"
        self._listings: dict[Any, list[dict[str, Any]]] = {}

    def claim(self, request: web.Request, body: bytes) -> Call | None:
        """The decoded call if it is one this simulator answers; None sends it to moto."""
        found = operation_of(request)
        if found is None or found[1] not in OPERATIONS:
            return None
        protocol, operation = found
        try:
            params = decode(request, protocol, body)
        except (ValueError, OSError, EOFError):  # moto has its own words for a bad body
            return None
        if operation == "ListMetrics":
            # Without a namespace: every namespace, App Runner's among them (`merges`).
            namespace = params.get("Namespace")
            return Call(protocol, operation, params) if namespace in (None, NAMESPACE) else None
        if operation == "GetMetricStatistics":
            return (
                Call(protocol, operation, params) if params.get("Namespace") == NAMESPACE else None
            )
        queries = params.get("MetricDataQueries")
        if not isinstance(queries, list) or not queries:
            return None
        ours = False
        for query in queries:
            if not isinstance(query, dict):
                return None
            stat = query.get("MetricStat")
            if stat is None:
                continue  # an expression: answered beside our own queries
            metric = stat.get("Metric") if isinstance(stat, dict) else None
            if not isinstance(metric, dict) or metric.get("Namespace") != NAMESPACE:
                return None
            ours = True
        return Call(protocol, operation, params) if ours else None

    def snapshot(self, account: str, region: str) -> list[Served]:
        """The account's services in the region (deleted ones too: their metrics outlive
        them), read under its backend's lock."""
        backend = self.accounts.get(account)
        with backend.lock:
            services = [
                (s, list(reversed(s.operations))) for s in backend.regions.get(region, {}).values()
            ]
        return [Served.of(s.name, s.id, self.model.profile(s), ops) for s, ops in services]

    @staticmethod
    def merges(call: Call) -> bool:
        """Whether `call` lists every namespace: the simulator's metrics and moto's."""
        return call.operation == "ListMetrics" and call.params.get("Namespace") is None

    async def list_everything(
        self, call: Call, services: Sequence[Served], now: float, moto: Source
    ) -> dict[str, Any]:
        """ListMetrics without a namespace: AWS/AppRunner's, then what `moto` lists."""

        async def ours(params: dict[str, Any]) -> dict[str, Any]:
            return await asyncio.to_thread(
                list_metrics, params, services, self.model, now, self._listings
            )

        return await list_everything(call.params, ours, moto)

    def answer(self, call: Call, services: Sequence[Served], now: float) -> dict[str, Any]:
        """The answer to `call`; CloudWatchError when CloudWatch would refuse it."""
        if call.operation == "ListMetrics":
            return list_metrics(call.params, services, self.model, now, self._listings)
        if call.operation == "GetMetricStatistics":
            return get_metric_statistics(call.params, services, self.model, now, self.percentiles)
        return get_metric_data(call.params, services, self.model, now, self.percentiles)

    def settings(self) -> dict[str, Any]:
        """The control's view: percentile mode and the request rates set per service."""
        overrides = self.model.rpm_overrides()
        traffic = []
        for backend in self.accounts.backends():
            with backend.lock:
                for region, table in backend.regions.items():
                    for service in table.values():
                        if service.id in overrides:
                            traffic.append(
                                {
                                    "service": service.name,
                                    "account": backend.account,
                                    "region": region,
                                    "serviceId": service.id,
                                    "rpm": overrides[service.id],
                                }
                            )
        return {"percentiles": self.percentiles, "traffic": traffic}


__all__ = ["PERCENTILE_MODES", "CloudWatch", "CloudWatchError"]
