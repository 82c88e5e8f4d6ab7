"""The request log, injected faults, and the `/_sim/` control API that exposes them."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from artui.sim.errors import ApiError

if TYPE_CHECKING:
    from artui.sim.apprunner.api import AppRunnerBackend

REQUEST_LOG_LIMIT = 10_000


class RequestLog:
    """What the simulator served, newest last, bounded."""

    def __init__(self, limit: int = REQUEST_LOG_LIMIT) -> None:
        self._items: deque[dict[str, Any]] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def record(self, operation: str, service: str, region: str, status: int) -> None:
        """Remember one served request."""
        entry = {
            "operation": operation,
            "service": service,
            "region": region,
            "status": status,
            "time": time.time(),
        }
        with self._lock:
            self._items.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        """A copy of the log."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """Forget every request."""
        with self._lock:
            self._items.clear()


@dataclass
class Fault:
    """Fail the next `count` matching App Runner calls (-1: until cleared)."""

    operation: str | None
    region: str | None
    error: str
    status: int
    message: str
    count: int

    def matches(self, operation: str, region: str) -> bool:
        return (self.operation in (None, "*", operation)) and self.region in (None, region)


class Faults:
    """Injected App Runner errors, consumed in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        """Queue a fault."""
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        """Drop every fault."""
        with self._lock:
            self._faults.clear()

    def take(self, operation: str, region: str) -> ApiError | None:
        """The error this call should fail with, if a fault matches it."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(operation, region):
                    if fault.count > 0:
                        fault.count -= 1
                        if fault.count == 0:
                            self._faults.remove(fault)
                    return ApiError(fault.error, fault.message, fault.status)
        return None

    def pending(self) -> list[dict[str, Any]]:
        """The faults still armed."""
        with self._lock:
            return [dict(vars(f)) for f in self._faults]


def fault_from_json(doc: dict[str, Any]) -> Fault:
    """Build a Fault from the control API's JSON, with AWS-like defaults."""
    error = str(doc.get("error", "ThrottlingException"))
    default_status = 500 if error in ("InternalServiceErrorException", "InternalFailure") else 400
    count = int(doc.get("count", 1))
    if count == 0 or count < -1:
        raise ValueError("count must be a positive number, or -1 for 'until cleared'")
    return Fault(
        operation=doc.get("operation"),
        region=doc.get("region"),
        error=error,
        status=int(doc.get("status", default_status)),
        message=str(doc.get("message", "Rate exceeded" if "Throttl" in error else error)),
        count=count,
    )


def add_routes(
    app: web.Application,
    backend: AppRunnerBackend,
    log: RequestLog,
    faults: Faults,
) -> None:
    """Mount the control API under /_sim/."""
    clock = backend.clock

    async def get_requests(_: web.Request) -> web.Response:
        return web.json_response({"requests": log.entries()})

    async def delete_requests(_: web.Request) -> web.Response:
        log.clear()
        return web.json_response({"requests": []})

    async def get_clock(_: web.Request) -> web.Response:
        return web.json_response({"now": clock.now(), "scale": clock.scale})

    async def post_clock(request: web.Request) -> web.Response:
        doc = await _json(request)
        try:
            if "scale" in doc:
                clock.set_scale(float(doc["scale"]))
            if "advance" in doc:
                clock.advance(float(doc["advance"]))
        except (TypeError, ValueError) as exc:
            return _bad(str(exc))
        return web.json_response({"now": clock.now(), "scale": clock.scale})

    async def get_faults(_: web.Request) -> web.Response:
        return web.json_response({"faults": faults.pending()})

    async def post_faults(request: web.Request) -> web.Response:
        try:
            fault = fault_from_json(await _json(request))
        except (TypeError, ValueError) as exc:
            return _bad(str(exc))
        faults.add(fault)
        return web.json_response({"faults": faults.pending()})

    async def delete_faults(_: web.Request) -> web.Response:
        faults.clear()
        return web.json_response({"faults": []})

    async def post_status(request: web.Request) -> web.Response:
        doc = await _json(request)
        name = request.match_info["name"]
        region = str(doc.get("region", next(iter(backend.regions), "us-east-1")))
        status = doc.get("status")
        try:
            service = backend.force_status(region, name, status)
        except ApiError as exc:
            return web.json_response({"error": exc.message}, status=404)
        with backend.lock:
            summary = service.summary(clock.now())
        return web.json_response({"service": summary})

    app.router.add_get("/_sim/requests", get_requests)
    app.router.add_delete("/_sim/requests", delete_requests)
    app.router.add_get("/_sim/clock", get_clock)
    app.router.add_post("/_sim/clock", post_clock)
    app.router.add_get("/_sim/faults", get_faults)
    app.router.add_post("/_sim/faults", post_faults)
    app.router.add_delete("/_sim/faults", delete_faults)

    async def post_reported(request: web.Request) -> web.Response:
        doc = await _json(request)
        region = str(doc.get("region", next(iter(backend.regions), "us-east-1")))
        fields = doc.get("fields", {})
        if not isinstance(fields, dict):
            return _bad("fields must be an object of DescribeService members")
        try:
            service = backend.force_reported(region, request.match_info["name"], fields)
        except ApiError as exc:
            return web.json_response({"error": exc.message}, status=404)
        with backend.lock:
            described = service.describe(clock.now())
        return web.json_response({"service": described})

    app.router.add_post("/_sim/services/{name}/status", post_status)
    app.router.add_post("/_sim/services/{name}/reported", post_reported)


async def _json(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        doc = await request.json()
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _bad(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)
