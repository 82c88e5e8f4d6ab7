"""The App Runner calls: /requests, what the simulator served, and /faults, what shall fail."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from artui.sim.control.body import (
    MAX_COUNT,
    MAX_MESSAGE,
    MAX_NAME,
    Field,
    check,
    integer,
    read_body,
    text,
)
from artui.sim.control.keys import FAULTS, REQUESTS
from artui.sim.errors import ApiError

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


FAULT_FIELDS: dict[str, Field] = {
    "operation": text(
        MAX_NAME,
        rule=f'an operation name of 1 to {MAX_NAME} characters, such as "ListServices", '
        'or "*" for any',
    ),
    "region": text(MAX_NAME),
    "error": text(
        MAX_NAME,
        pattern=r"[A-Za-z][A-Za-z0-9]*",
        rule=f"an AWS error code: 1 to {MAX_NAME} letters and digits, starting with a letter, "
        'such as "ThrottlingException"',
    ),
    "status": integer(400, 599),
    "count": integer(1, MAX_COUNT, special=(-1, "for until cleared")),
    "message": text(MAX_MESSAGE, least=0),
}


def fault_from_json(doc: dict[str, Any]) -> Fault:
    """Build a Fault from the control API's JSON, with AWS-like defaults; raises Refused."""
    doc = check(doc, FAULT_FIELDS)
    error = doc.get("error", "ThrottlingException")
    default_status = 500 if error in ("InternalServiceErrorException", "InternalFailure") else 400
    return Fault(
        operation=doc.get("operation"),
        region=doc.get("region"),
        error=error,
        status=doc.get("status", default_status),
        message=doc.get("message", "Rate exceeded" if "Throttl" in error else error),
        count=doc.get("count", 1),
    )


async def get_requests(request: web.Request) -> web.Response:
    """GET /requests: the request log, oldest first."""
    return web.json_response({"requests": request.app[REQUESTS].entries()})


async def delete_requests(request: web.Request) -> web.Response:
    """DELETE /requests: forget every served request."""
    request.app[REQUESTS].clear()
    return web.json_response({"requests": []})


async def get_faults(request: web.Request) -> web.Response:
    """GET /faults: the faults still armed."""
    return web.json_response({"faults": request.app[FAULTS].pending()})


async def post_faults(request: web.Request) -> web.Response:
    """POST /faults: arm one more fault."""
    faults = request.app[FAULTS]
    faults.add(fault_from_json(await read_body(request, FAULT_FIELDS)))
    return web.json_response({"faults": faults.pending()})


async def delete_faults(request: web.Request) -> web.Response:
    """DELETE /faults: disarm them all."""
    request.app[FAULTS].clear()
    return web.json_response({"faults": []})
