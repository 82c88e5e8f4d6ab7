"""The calls: /requests, what the simulator served, and /faults, what shall fail or wait."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from artui.sim.apprunner.ids import DEFAULT_ACCOUNT
from artui.sim.control import apis
from artui.sim.control.body import (
    ACCOUNT,
    MAX_COUNT,
    MAX_MESSAGE,
    MAX_NAME,
    Field,
    Refused,
    check,
    integer,
    read_body,
    text,
)
from artui.sim.control.keys import ACCOUNTS, FAULTS, REQUESTS
from artui.sim.errors import ApiError

REQUEST_LOG_LIMIT = 10_000
# The longest delay a latency fault holds a call for: a minute.
MAX_LATENCY_MS = 60_000


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
    """An injected fault: the next `count` matching calls (-1: until cleared) fail with
    `error`, or, with `latency_ms`, wait that long and are then served as ever.

    A call matches when each of `operation`, `region`, `service` (as the request log names
    it: apprunner, cloudwatch, logs, ecr, sts, iam...) and `account` is None (or `*` for
    the operation) or the call's own.
    """

    operation: str | None
    region: str | None
    count: int
    error: str | None = None
    status: int | None = None
    message: str | None = None
    latency_ms: int | None = None
    service: str | None = None
    account: str | None = None

    def matches(self, operation: str, region: str, service: str, account: str) -> bool:
        return (
            self.operation in (None, "*", operation)
            and self.region in (None, region)
            and self.service in (None, service)
            and self.account in (None, account)
        )

    def doc(self) -> dict[str, Any]:
        """The fault as GET /faults lists it: its matching fields and what it does."""
        out: dict[str, Any] = {"operation": self.operation, "region": self.region}
        out.update(service=self.service, account=self.account)
        if self.latency_ms is not None:
            out["latency_ms"] = self.latency_ms
        else:
            out.update(error=self.error, status=self.status, message=self.message)
        out["count"] = self.count
        return out


class Faults:
    """Injected errors and delays, each kind consumed in the order it was added.

    Errors reach App Runner calls and the CloudWatch calls the simulator answers itself
    (`take`); delays reach every call the simulator serves, those it passes to moto too
    (`delay`). A call can be delayed by one fault and then fail by another.
    """

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

    def take(
        self,
        operation: str,
        region: str,
        service: str = "apprunner",
        account: str = DEFAULT_ACCOUNT,
    ) -> ApiError | None:
        """The error this call should fail with, if an error fault matches it."""
        fault = self._consume(False, operation, region, service, account)
        if fault is None:
            return None
        assert fault.error is not None and fault.status is not None
        return ApiError(fault.error, fault.message or "", fault.status)

    def delay(self, operation: str, region: str, service: str, account: str) -> float:
        """Seconds this call should wait before it is served (0: none), if a latency fault
        matches it."""
        fault = self._consume(True, operation, region, service, account)
        return 0.0 if fault is None or fault.latency_ms is None else fault.latency_ms / 1000

    def _consume(
        self, latency: bool, operation: str, region: str, service: str, account: str
    ) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if (fault.latency_ms is not None) != latency:
                    continue
                if fault.matches(operation, region, service, account):
                    if fault.count > 0:
                        fault.count -= 1
                        if fault.count == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> list[dict[str, Any]]:
        """The faults still armed."""
        with self._lock:
            return [f.doc() for f in self._faults]


FAULT_FIELDS: dict[str, Field] = {
    "operation": text(
        MAX_NAME,
        rule=f'an operation name of 1 to {MAX_NAME} characters, such as "ListServices", '
        'or "*" for any',
    ),
    "region": text(MAX_NAME),
    "service": text(
        MAX_NAME,
        rule='a service as the request log names it, such as "apprunner", "cloudwatch", '
        '"logs" or "sts"',
    ),
    "account": ACCOUNT,
    "error": text(
        MAX_NAME,
        pattern=r"[A-Za-z][A-Za-z0-9]*",
        rule=f"an AWS error code: 1 to {MAX_NAME} letters and digits, starting with a letter, "
        'such as "ThrottlingException"',
    ),
    "status": integer(400, 599),
    "count": integer(1, MAX_COUNT, special=(-1, "for until cleared")),
    "message": text(MAX_MESSAGE, least=0),
    "latency_ms": integer(1, MAX_LATENCY_MS),
}
# What only an error fault takes: a latency fault's calls are served, not failed.
_ERROR_ONLY = ("error", "status", "message")


def fault_from_json(doc: dict[str, Any], regions: Collection[str] | None = None) -> Fault:
    """Build a Fault from the control API's JSON, with AWS-like defaults; raises Refused.

    An error fault fails one call unless `count` says otherwise; a latency fault delays
    every matching call until cleared unless `count` says otherwise. A fault that could
    never match is refused: a service or operation the simulator does not serve, or (given
    the simulator's `regions`) a region it does not.
    """
    doc = check(doc, FAULT_FIELDS)
    _check_served(doc, regions)
    where = {
        "operation": doc.get("operation"),
        "region": doc.get("region"),
        "service": doc.get("service"),
        "account": doc.get("account"),
    }
    if "latency_ms" in doc:
        mixed = [name for name in _ERROR_ONLY if name in doc]
        if mixed:
            raise Refused(
                f"latency_ms delays calls that are then served, so it takes no {mixed[0]}; "
                "to delay and fail a call, arm a latency fault and an error fault"
            )
        return Fault(**where, count=doc.get("count", -1), latency_ms=doc["latency_ms"])
    error = doc.get("error", "ThrottlingException")
    default_status = 500 if error in ("InternalServiceErrorException", "InternalFailure") else 400
    return Fault(
        **where,
        error=error,
        status=doc.get("status", default_status),
        message=doc.get("message", "Rate exceeded" if "Throttl" in error else error),
        count=doc.get("count", 1),
    )


def _check_served(doc: dict[str, Any], regions: Collection[str] | None) -> None:
    # A fault naming what no call can be would wait, armed, for a call that never comes.
    service = doc.get("service")
    if service is not None and service not in apis.SERVICES:
        raise Refused(
            f"service {json.dumps(service[:40])} is not one the simulator serves; it serves "
            f"{', '.join(apis.SERVICES)}{apis.suggest(service, apis.SERVICES)}"
        )
    operation = doc.get("operation")
    if operation is not None and operation != "*":
        known = apis.operations(service) if service is not None else apis.every_operation()
        if operation not in known:
            api = f"the {service} API" if service is not None else "any API the simulator serves"
            raise Refused(
                f"operation {json.dumps(operation[:40])} is not an operation of {api}"
                f'{apis.suggest(operation, known)}; "*" matches any'
            )
    region = doc.get("region")
    if region is not None and regions is not None and region not in regions:
        raise Refused(
            f"region {json.dumps(region[:40])} is not served by this simulator; it serves "
            f"{', '.join(regions)} (artui sim --region R, repeated)"
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
    """POST /faults: arm one more fault (an error, or a delay)."""
    faults = request.app[FAULTS]
    # The regions it was started with (`--region`): the ones its fleet and clients are in.
    regions = request.app[ACCOUNTS].fleet.regions
    faults.add(fault_from_json(await read_body(request, FAULT_FIELDS), regions))
    return web.json_response({"faults": faults.pending()})


async def delete_faults(request: web.Request) -> web.Response:
    """DELETE /faults: disarm them all."""
    request.app[FAULTS].clear()
    return web.json_response({"faults": []})
