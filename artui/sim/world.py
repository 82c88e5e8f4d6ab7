"""The demo world: writes logs and metrics into moto the way App Runner would.

For every service in every region:

- `/aws/apprunner/<name>/<id>/application`, streams `instance/<instance-id>`: request lines,
  JSON lines, warnings and errors, a few per second per running service;
- `/aws/apprunner/<name>/<id>/service`, stream `events`: lifecycle lines as operations start
  and end; stream `deployment/<operation id without dashes>` (as in the guide's example)
  for each CREATE_SERVICE, START_DEPLOYMENT and UPDATE_SERVICE, spread over its duration;
- `AWS/AppRunner` metrics per wall-clock minute with dimensions ServiceName, ServiceID
  (CPU and memory also per instance, with Instance last): 3 hours backfilled at start.

The first demo service is the incident: its 5xx responses climb over the last hour.
Log and metric timestamps are real wall-clock time, as CloudWatch queries are; only the
backfilled history uses the simulated times of past operations.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from artui.sim.backend import AppRunnerBackend
from artui.sim.model import DEPLOYING_TYPES, Operation, ServiceRecord
from artui.sim.seed import TROUBLED_INDEX, service_name

log = logging.getLogger(__name__)

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
BACKFILL_MINUTES = 180
TICK_SECONDS = 1.5
LINES_PER_SECOND = 2.0  # per running service
INCIDENT_MINUTES = 60
_LOG_RETENTION_MS = 13 * 86400 * 1000  # moto, like AWS, drops events older than 14 days
_PATHS = ("/", "/api/items", "/api/cart", "/api/orders", "/health", "/api/search?q=shoes")


def application_group(service: ServiceRecord) -> str:
    """The application log group's name."""
    return f"/aws/apprunner/{service.name}/{service.id}/application"


def service_group(service: ServiceRecord) -> str:
    """The service log group's name."""
    return f"/aws/apprunner/{service.name}/{service.id}/service"


def deployment_stream(operation_id: str) -> str:
    """The deployment log stream of an operation."""
    return "deployment/" + operation_id.replace("-", "")


@dataclass
class _Tracked:
    """What the writer knows of one service."""

    service: ServiceRecord
    rng: random.Random
    instances: list[str]
    base_rpm: float
    latency_ms: float
    troubled: bool
    announced: set[str] = field(default_factory=set)  # op ids whose start was logged
    finished: set[str] = field(default_factory=set)  # op ids whose end was logged
    deploy_lines: dict[str, int] = field(default_factory=dict)  # op id -> lines written
    streams: set[str] = field(default_factory=set)  # "group:stream" (or "group:") created


class DemoWorld:
    """Background writer of demo logs and metrics into moto."""

    def __init__(self, backend: AppRunnerBackend, moto_endpoint: str, seed: int = 7) -> None:
        self.backend = backend
        self.moto_endpoint = moto_endpoint
        self.seed = seed
        self.tracked: dict[str, _Tracked] = {}
        self._logs: dict[str, Any] = {}
        self._cw: dict[str, Any] = {}
        self._last_minute = 0
        self._pending: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        self.ready = asyncio.Event()

    async def run(self) -> None:
        """Backfill, then write forever; errors are logged, never raised."""
        from aiobotocore.config import AioConfig
        from aiobotocore.session import get_session

        session = get_session()
        config = AioConfig(retries={"max_attempts": 2}, inject_host_prefix=False)
        async with AsyncExitStack() as stack:
            for region in list(self.backend.regions):
                await self._open_clients(stack, session, config, region)
            try:
                await self._backfill()
            except Exception:
                log.exception("demo world backfill failed")
            self.ready.set()
            while True:
                await asyncio.sleep(TICK_SECONDS)
                try:
                    for region in list(self.backend.regions):
                        if region not in self._logs:
                            await self._open_clients(stack, session, config, region)
                    await self._tick()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("demo world tick failed")

    async def _open_clients(
        self, stack: AsyncExitStack, session: Any, config: Any, region: str
    ) -> None:
        common = {
            "region_name": region,
            "endpoint_url": self.moto_endpoint,
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
            "config": config,
        }
        self._logs[region] = await stack.enter_async_context(
            session.create_client("logs", **common)
        )
        self._cw[region] = await stack.enter_async_context(
            session.create_client("cloudwatch", **common)
        )

    # -- bookkeeping -------------------------------------------------------------

    def _snapshot(self) -> list[tuple[str, ServiceRecord, str, list[Operation]]]:
        """(region, service, status, operations oldest first), read under the backend lock."""
        out = []
        with self.backend.lock:
            now = self.backend.clock.now()
            for region, table in self.backend.regions.items():
                for service in table.values():
                    status = service.true_status(now)
                    out.append((region, service, status, list(reversed(service.operations))))
        return out

    def _track(self, service: ServiceRecord) -> _Tracked:
        tracked = self.tracked.get(service.arn)
        if tracked is None:
            rng = random.Random(f"{self.seed}:world:{service.id}")
            tracked = _Tracked(
                service=service,
                rng=rng,
                instances=[f"{rng.getrandbits(128):032x}" for _ in range(rng.randint(1, 3))],
                base_rpm=rng.uniform(300, 2400),
                latency_ms=rng.uniform(25, 120),
                troubled=service.name == service_name(TROUBLED_INDEX),
            )
            self.tracked[service.arn] = tracked
        return tracked

    async def _ensure_log(
        self, region: str, tracked: _Tracked, group: str, stream: str | None = None
    ) -> None:
        """Create `group` (and `stream` in it, if given) once; moto may already have them."""
        key = f"{group}:{stream or ''}"
        if key in tracked.streams:
            return
        client = self._logs[region]
        calls: list[tuple[Any, dict[str, str]]] = [
            (client.create_log_group, {"logGroupName": group})
        ]
        if stream is not None:
            calls.append(
                (client.create_log_stream, {"logGroupName": group, "logStreamName": stream})
            )
        for call, kwargs in calls:
            try:
                await call(**kwargs)
            except client.exceptions.ResourceAlreadyExistsException:
                pass
        tracked.streams.add(key)

    def _emit(self, region: str, group: str, stream: str, ts_ms: int, message: str) -> None:
        self._pending.setdefault((region, group, stream), []).append(
            {"timestamp": int(ts_ms), "message": message}
        )

    async def _flush(self, tracked_by_group: dict[str, _Tracked]) -> None:
        """One PutLogEvents per stream with everything queued for it."""
        pending, self._pending = self._pending, {}
        now_ms = time.time() * 1000
        for (region, group, stream), events in pending.items():
            events = [e for e in events if now_ms - e["timestamp"] < _LOG_RETENTION_MS]
            if not events:
                continue
            events.sort(key=lambda e: e["timestamp"])
            await self._ensure_log(region, tracked_by_group[group], group, stream)
            for i in range(0, len(events), 5000):
                await self._logs[region].put_log_events(
                    logGroupName=group, logStreamName=stream, logEvents=events[i : i + 5000]
                )

    # -- writing -----------------------------------------------------------------

    async def _backfill(self) -> None:
        real_now = time.time()
        groups: dict[str, _Tracked] = {}
        datums: dict[str, list[dict[str, Any]]] = {}
        for region, service, status, ops in self._snapshot():
            if status == "DELETED":
                continue
            tracked = self._track(service)
            groups[service_group(service)] = tracked
            groups[application_group(service)] = tracked
            await self._ensure_log(region, tracked, service_group(service), "events")
            if _ever_served(ops):
                await self._ensure_log(region, tracked, application_group(service))
            for op in ops:
                self._op_events(region, tracked, op, real_now, history=True)
            if status in ("RUNNING", "OPERATION_IN_PROGRESS"):
                for i in range(40):
                    ts = real_now - 300 + i * 7.5
                    self._app_line(region, tracked, ts)
            minute_now = int(real_now // 60)
            for minute in range(minute_now - BACKFILL_MINUTES, minute_now):
                if _serving_at(ops, minute * 60.0):
                    datums.setdefault(region, []).extend(
                        self._metric_points(tracked, minute, real_now, per_instance=False)
                    )
            self._last_minute = minute_now
        await self._flush(groups)
        for region, items in datums.items():
            await self._put_metrics(region, items)

    async def _tick(self) -> None:
        real_now = time.time()
        groups: dict[str, _Tracked] = {}
        datums: dict[str, list[dict[str, Any]]] = {}
        minute_now = int(real_now // 60)
        new_minute = minute_now > self._last_minute
        for region, service, status, ops in self._snapshot():
            if service.arn not in self.tracked and status == "DELETED":
                continue
            tracked = self._track(service)
            groups[service_group(service)] = tracked
            groups[application_group(service)] = tracked
            for op in ops:
                self._op_events(region, tracked, op, real_now, history=False)
            serving = status == "RUNNING" or (
                status == "OPERATION_IN_PROGRESS"
                and ops
                and ops[-1].type in ("START_DEPLOYMENT", "UPDATE_SERVICE", "PAUSE_SERVICE")
            )
            if not serving:
                continue
            count = _poisson(tracked.rng, LINES_PER_SECOND * TICK_SECONDS)
            for i in range(count):
                self._app_line(
                    region, tracked, real_now - TICK_SECONDS + i * TICK_SECONDS / max(count, 1)
                )
            if new_minute:
                datums.setdefault(region, []).extend(
                    self._metric_points(tracked, minute_now - 1, real_now, per_instance=True)
                )
        if new_minute:
            self._last_minute = minute_now
        await self._flush(groups)
        for region, items in datums.items():
            await self._put_metrics(region, items)

    def _op_events(
        self, region: str, tracked: _Tracked, op: Operation, real_now: float, history: bool
    ) -> None:
        """Log an operation's start, its deployment lines so far, and its end."""
        service = tracked.service
        sim_now = self.backend.clock.now()
        group = service_group(service)
        # Live events carry wall-clock time; history keeps the operation's own times.
        started_ts = op.started_at if history else real_now
        if op.id not in tracked.announced and sim_now >= op.started_at:
            tracked.announced.add(op.id)
            for line in _start_lines(op):
                self._emit(region, group, "events", started_ts * 1000, line)
        if op.type in DEPLOYING_TYPES:
            script = _deployment_script(service, op)
            progress = 1.0 if sim_now >= op.ended_at else (sim_now - op.started_at) / op.duration
            due = sum(1 for frac, _ in script if frac <= progress)
            done = tracked.deploy_lines.get(op.id, 0)
            for frac, line in script[done:due]:
                ts = op.started_at + frac * op.duration if history else real_now
                self._emit(region, group, deployment_stream(op.id), ts * 1000, line)
            tracked.deploy_lines[op.id] = max(done, due)
        if op.id not in tracked.finished and sim_now >= op.ended_at:
            tracked.finished.add(op.id)
            ended_ts = op.ended_at if history else real_now
            for line in _end_lines(op):
                self._emit(region, group, "events", ended_ts * 1000, line)
            if not history and op.type in ("START_DEPLOYMENT", "RESUME_SERVICE", "UPDATE_SERVICE"):
                # New instances replace the old ones, as App Runner does.
                tracked.instances = [
                    f"{tracked.rng.getrandbits(128):032x}" for _ in range(len(tracked.instances))
                ]

    def _app_line(self, region: str, tracked: _Tracked, ts: float) -> None:
        rng = tracked.rng
        instance = rng.choice(tracked.instances)
        error_rate = _error_fraction(tracked, ts) if tracked.troubled else 0.004
        stamp = datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds")
        stamp = stamp.replace("+00:00", "Z")
        roll = rng.random()
        path = rng.choice(_PATHS)
        if roll < error_rate:
            line = rng.choice(
                [
                    f"{stamp} ERROR POST /api/checkout 502 "
                    "upstream payments timed out after 3000ms",
                    f"{stamp} ERROR GET {path} 500 connection pool exhausted (size=20)",
                    json.dumps(
                        {
                            "level": "error",
                            "msg": "request failed",
                            "path": path,
                            "status": 503,
                            "error": "circuit breaker open",
                        }
                    ),
                ]
            )
        elif roll < error_rate + 0.05:
            line = f"{stamp} WARN  slow query took {rng.randint(500, 2500)}ms on {path}"
        elif roll < error_rate + 0.35:
            line = json.dumps(
                {
                    "level": "info",
                    "msg": "request served",
                    "method": "GET",
                    "path": path,
                    "status": 200,
                    "latency_ms": round(tracked.latency_ms * rng.uniform(0.5, 2)),
                }
            )
        else:
            status = 404 if rng.random() < 0.03 else 200
            line = (
                f"{stamp} INFO  GET {path} {status} "
                f"{round(tracked.latency_ms * rng.uniform(0.5, 2))}ms"
            )
        self._emit(
            region, application_group(tracked.service), f"instance/{instance}", ts * 1000, line
        )

    def _metric_points(
        self, tracked: _Tracked, minute: int, real_now: float, per_instance: bool
    ) -> list[dict[str, Any]]:
        service = tracked.service
        rng = random.Random(f"{service.id}:{minute}")
        diurnal = 1 + 0.3 * math.sin(2 * math.pi * (minute % 1440) / 1440)
        requests = round(tracked.base_rpm * diurnal * rng.uniform(0.9, 1.1))
        frac5 = (
            _error_fraction(tracked, minute * 60.0) if tracked.troubled else 0.002 * rng.random()
        )
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

    async def _put_metrics(self, region: str, datums: list[dict[str, Any]]) -> None:
        for i in range(0, len(datums), 1000):
            await self._cw[region].put_metric_data(
                Namespace=NAMESPACE, MetricData=datums[i : i + 1000]
            )


def _serving_at(ops: list[Operation], t: float) -> bool:
    """Whether a service (operations oldest first) served traffic at time t."""
    serving = False
    for op in ops:
        if op.started_at > t:
            break
        if t < op.ended_at:
            return serving and op.type != "CREATE_SERVICE"
        if op.type == "CREATE_SERVICE":
            serving = not op.fails
        elif op.type in ("PAUSE_SERVICE", "DELETE_SERVICE"):
            serving = False
        elif op.type == "RESUME_SERVICE":
            serving = True
    return serving


def _ever_served(ops: list[Operation]) -> bool:
    """Whether a service ever got past its creation (so it has application logs)."""
    return any(op.type == "CREATE_SERVICE" and not op.fails for op in ops)


def _error_fraction(tracked: _Tracked, t: float) -> float:
    """The troubled service's 5xx share: rising through the last hour before start."""
    start = getattr(tracked, "_incident_start", None)
    if start is None:
        start = time.time() - INCIDENT_MINUTES * 60
        tracked._incident_start = start  # type: ignore[attr-defined]
    progress = min(1.0, max(0.0, (t - start) / (INCIDENT_MINUTES * 60)))
    return 0.003 + 0.22 * progress**1.5


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method; mean is small (a few lines per tick).
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _start_lines(op: Operation) -> list[str]:
    if op.type == "CREATE_SERVICE":
        return [
            "[AppRunner] Service creation started.",
            f"[AppRunner] Deployment with ID : {op.id} started. Triggering event : SERVICE_CREATE",
        ]
    if op.type == "START_DEPLOYMENT":
        return [
            f"[AppRunner] Deployment with ID : {op.id} started. "
            "Triggering event : MANUAL_DEPLOYMENT"
        ]
    if op.type == "UPDATE_SERVICE":
        return [
            f"[AppRunner] Deployment with ID : {op.id} started. "
            "Triggering event : CONFIGURATION_UPDATE"
        ]
    return {
        "PAUSE_SERVICE": ["[AppRunner] Pausing service."],
        "RESUME_SERVICE": ["[AppRunner] Resuming service."],
        "DELETE_SERVICE": ["[AppRunner] Deleting service."],
    }.get(op.type, [])


def _end_lines(op: Operation) -> list[str]:
    if op.type == "CREATE_SERVICE" and op.fails:
        return [
            f"[AppRunner] Deployment with ID : {op.id} failed. "
            "Failure reason : Health check failed.",
            "[AppRunner] Service creation failed.",
            "[AppRunner] Service status is set to CREATE_FAILED.",
        ]
    if op.type in DEPLOYING_TYPES and op.fails:
        return [
            f"[AppRunner] Deployment with ID : {op.id} failed. "
            "Failure reason : Health check failed.",
            "[AppRunner] Rollback to the previous version completed.",
            "[AppRunner] Service status is set to RUNNING.",
        ]
    lines = (
        [f"[AppRunner] Deployment with ID : {op.id} succeeded."]
        if op.type in DEPLOYING_TYPES
        else []
    )
    final = {"PAUSE_SERVICE": "PAUSED", "DELETE_SERVICE": "DELETED"}.get(op.type, "RUNNING")
    return [*lines, f"[AppRunner] Service status is set to {final}."]


def _deployment_script(service: ServiceRecord, op: Operation) -> list[tuple[float, str]]:
    """(fraction of the operation's duration, line) for a deployment log."""
    health = service.health
    port = (
        service.source.get("ImageRepository", {}).get("ImageConfiguration", {}).get("Port", "8080")
    )
    check = (
        f"protocol `{health.get('Protocol', 'TCP')}` [Path: '{health.get('Path', '/')}'], "
        f"[Port: '{port}']"
    )
    lines: list[tuple[float, str]] = [(0.0, f"[AppRunner] Deployment with ID : {op.id} started.")]
    if "CodeRepository" in service.source:
        repo = service.source["CodeRepository"]["RepositoryUrl"]
        lines += [
            (0.05, f"[AppRunner] Pulling source code from {repo} (branch main)."),
            (0.12, "[AppRunner] Starting source code build."),
            (0.2, "[Build] Step 1/5 : FROM public.ecr.aws/docker/library/python:3.11-slim"),
            (0.28, "[Build] Step 2/5 : COPY . /app"),
            (0.36, "[Build] Step 3/5 : RUN pip install -r requirements.txt"),
            (0.44, "[Build] Successfully installed 42 packages"),
            (0.5, "[Build] Step 4/5 : EXPOSE 8080"),
            (0.52, '[Build] Step 5/5 : CMD ["python", "app.py"]'),
            (0.55, "[AppRunner] Source code build completed successfully."),
        ]
    else:
        image = service.source.get("ImageRepository", {}).get("ImageIdentifier", "")
        lines += [
            (0.05, f"[AppRunner] Pulling image {image} from ECR repository."),
            (0.3, "[AppRunner] Successfully pulled your application image from ECR."),
        ]
    lines += [
        (
            0.6,
            "[AppRunner] Provisioning instances and deploying image "
            "for publicly accessible service.",
        ),
        (0.75, f"[AppRunner] Performing health check on {check}."),
    ]
    if op.fails:
        lines += [
            (
                0.9,
                f"[AppRunner] Health check failed on {check}. Check your configured port number.",
            ),
            (
                1.0,
                f"[AppRunner] Deployment with ID : {op.id} failed. "
                "Failure reason : Health check failed.",
            ),
        ]
    else:
        lines += [
            (0.9, f"[AppRunner] Health check on {check} is successful."),
            (1.0, "[AppRunner] Deployment completed successfully."),
        ]
    return lines
