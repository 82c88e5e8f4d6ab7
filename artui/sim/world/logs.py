"""The demo's log lines: application requests, service events and deployment scripts.

Names follow the guide: `/aws/apprunner/<name>/<id>/application` with `instance/<id>`
streams, and `/aws/apprunner/<name>/<id>/service` with `events` and
`deployment/<operation id without dashes>` streams.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from artui.sim.apprunner.failures import BUILD, HEALTH_CHECK
from artui.sim.apprunner.operations import DEPLOYING_TYPES, OUTCOME, Operation
from artui.sim.apprunner.services import ServiceRecord

if TYPE_CHECKING:
    from artui.sim.world import Tracked

# What the events stream says after "Failure reason :", by `failures` reason.
FAILURE_REASONS: dict[str, str] = {
    BUILD: "Build failed.",
    HEALTH_CHECK: "Health check failed.",
}
# The guide's causes of a failed creation ("When service creation fails"), by reason.
_CREATE_CAUSES: dict[str, str] = {
    BUILD: "The build process failed: check your application code and build commands.",
    HEALTH_CHECK: "The application failed its health check: check the port and health check "
    "configuration.",
}
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


def op_events(tracked: Tracked, op: Operation, sim_now: float) -> list[tuple[str, float, str]]:
    """(stream, timestamp in ms, line) in the service group for an operation: its start,
    its deployment lines so far and its end, each written once.

    Every line carries the simulated time it happened at (the operation's StartedAt and
    EndedAt, a deployment line its share of the way between), not the time the writer
    got to it: a clock run fast, or moved on by `POST /_sim/clock`, may pass a whole
    deployment between two of its ticks.
    """
    service = tracked.service
    out: list[tuple[str, float, str]] = []
    if op.id not in tracked.announced and sim_now >= op.started_at:
        tracked.announced.add(op.id)
        out += [("events", op.started_at * 1000, line) for line in _start_lines(op)]
    if op.type in DEPLOYING_TYPES:
        script = _deployment_script(service, op)
        progress = 1.0 if sim_now >= op.ended_at else (sim_now - op.started_at) / op.duration
        due = sum(1 for frac, _ in script if frac <= progress)
        done = tracked.deploy_lines.get(op.id, 0)
        for frac, line in script[done:due]:
            ts = op.started_at + frac * op.duration
            out.append((deployment_stream(op.id), ts * 1000, line))
        tracked.deploy_lines[op.id] = max(done, due)
    if op.id not in tracked.finished and sim_now >= op.ended_at:
        tracked.finished.add(op.id)
        out += [("events", op.ended_at * 1000, line) for line in _end_lines(service, op)]
    return out


def app_line(tracked: Tracked, ts: float) -> tuple[str, str]:
    """(stream, line) of one application log line at `ts`, from one of the instances."""
    rng = tracked.rng
    instance = rng.choice(tracked.instances)
    error_rate = tracked.error_fraction(ts) if tracked.troubled else 0.004
    stamp = datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds")
    stamp = stamp.replace("+00:00", "Z")
    roll = rng.random()
    path = rng.choice(_PATHS)
    if roll < error_rate:
        line = rng.choice(
            [
                f"{stamp} ERROR POST /api/checkout 502 upstream payments timed out after 3000ms",
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
            f"{stamp} INFO  GET {path} {status} {round(tracked.latency_ms * rng.uniform(0.5, 2))}ms"
        )
    return f"instance/{instance}", line


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


def _end_lines(service: ServiceRecord, op: Operation) -> list[str]:
    status = _status_after(service, op)
    if op.type in DEPLOYING_TYPES and op.failure is not None:
        lines = [_failed_line(op)]
        if op.type == "CREATE_SERVICE":
            lines.append(f"[AppRunner] Service creation failed. {_CREATE_CAUSES[op.failure]}")
        elif status == "RUNNING" and op.failure == BUILD:
            # Nothing new reached an instance: there is nothing to roll back.
            lines.append(
                "[AppRunner] No new version was deployed. The service stays on the previous "
                "version."
            )
        elif status == "RUNNING" and op.rollback == "FAILED":
            # `rollback-fails`: the service keeps its status, but the rollback did not finish.
            lines.append("[AppRunner] Rollback to the previous version failed.")
        elif status == "RUNNING":
            lines.append("[AppRunner] Rollback to the previous version completed.")
        return [*lines, f"[AppRunner] Service status is set to {status}."]
    lines = (
        [f"[AppRunner] Deployment with ID : {op.id} succeeded."]
        if op.type in DEPLOYING_TYPES
        else []
    )
    return [*lines, f"[AppRunner] Service status is set to {status}."]


def _failed_line(op: Operation) -> str:
    reason = FAILURE_REASONS.get(op.failure or "", op.failure)
    return f"[AppRunner] Deployment with ID : {op.id} failed. Failure reason : {reason}"


def _build_failure(service: ServiceRecord) -> list[tuple[float, str]]:
    """pip failing on a pinned version that was never published, then App Runner's verdict:
    the build stops here and nothing is deployed."""
    # The team's own SDK, named after the service: payments-worker needs payments-sdk.
    package = f"{service.name.split('-')[0]}-sdk==4.2.0"
    return [
        (0.4, "[Build] Collecting flask==3.0.3"),
        (0.46, "[Build] Collecting gunicorn==22.0.0"),
        (0.52, f"[Build] Collecting {package}"),
        (
            0.6,
            f"[Build] ERROR: Could not find a version that satisfies the requirement {package} "
            "(from versions: 3.9.1, 4.0.0, 4.1.2)",
        ),
        (0.61, f"[Build] ERROR: No matching distribution found for {package}"),
        (
            0.62,
            "[Build] The command '/bin/sh -c pip install -r requirements.txt' returned a "
            "non-zero code: 1",
        ),
        (
            0.7,
            "[AppRunner] Failed to build your application source code. "
            "Reason: Failed to execute 'build' command.",
        ),
    ]


def _status_after(service: ServiceRecord, op: Operation) -> str:
    """The settled status `op` left behind, replayed from the service's history."""
    status = "RUNNING"
    # A copy: the API may start another operation on this list meanwhile.
    for earlier in reversed(list(service.operations)):
        ok, failed = OUTCOME[earlier.type]
        status = (failed or status) if earlier.fails else ok
        if earlier is op:
            break
    return status


def _deployment_script(service: ServiceRecord, op: Operation) -> list[tuple[float, str]]:
    """(fraction of the operation's duration, line) for a deployment log.

    A build failure stops after the failing build step; a health check failure after the
    check. Either way the last line names the reason, as the events stream does.
    """
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
        ]
        if op.failure == BUILD:
            return [*lines, *_build_failure(service), (1.0, _failed_line(op))]
        lines += [
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
            (1.0, _failed_line(op)),
        ]
    else:
        lines += [
            (0.9, f"[AppRunner] Health check on {check} is successful."),
            (1.0, "[AppRunner] Deployment completed successfully."),
        ]
    return lines
