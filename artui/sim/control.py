"""The request log, injected faults, and the `/_sim/` control API that exposes them."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from artui.sim import wire
from artui.sim.clock import MAX_ADVANCE, MAX_SCALE
from artui.sim.cloudwatch import PERCENTILE_MODES
from artui.sim.errors import ApiError
from artui.sim.livetail import MODES
from artui.sim.wire import is_number, json_type

if TYPE_CHECKING:
    from artui.sim.apprunner.api import AppRunnerBackend
    from artui.sim.cloudwatch import CloudWatch
    from artui.sim.livetail import LiveTail

log = logging.getLogger(__name__)

REQUEST_LOG_LIMIT = 10_000
# Bounds on what a control body may carry: generous for tests, small enough to show whole.
MAX_NAME = 128
MAX_STATUS = 256
MAX_MESSAGE = 4096
MAX_COUNT = 1_000_000


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


class Refused(ValueError):
    """A control call that changes nothing and answers `{"error": message}` with `status`."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Field:
    """One member a control body may carry: its test, and the same rule in words."""

    rule: str
    accepts: Callable[[Any], bool]


def _plain(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def number(low: float, high: float, unit: str, note: str = "") -> Field:
    """A finite JSON number (never true/false) of `unit` from `low` to `high`."""
    return Field(
        f"a number of {unit} from {_plain(low)} to {_plain(high)}{note}",
        lambda v: is_number(v) and low <= v <= high,
    )


def integer(low: int, high: int, *, special: tuple[int, str] | None = None) -> Field:
    """A whole JSON number (never 1.0 or true) from `low` to `high`, or one special value."""
    rule = f"a whole number from {low} to {high}"
    if special is not None:
        rule += f", or {special[0]} {special[1]}"

    def accepts(v: Any) -> bool:
        return is_number(v, (int,)) and (
            low <= v <= high or (special is not None and v == special[0])
        )

    return Field(rule, accepts)


def text(
    most: int,
    *,
    least: int = 1,
    pattern: str | None = None,
    rule: str | None = None,
    null_means: str | None = None,
) -> Field:
    """A JSON string of `least` to `most` characters matching `pattern` (null if it means one)."""
    shaped = re.compile(pattern) if pattern else None
    rule = rule or f"a string of {least} to {most} characters"
    if null_means is not None:
        rule += f", or null {null_means}"

    def accepts(v: Any) -> bool:
        if v is None:
            return null_means is not None
        return (
            isinstance(v, str)
            and least <= len(v) <= most
            and (shaped is None or shaped.fullmatch(v) is not None)
        )

    return Field(rule, accepts)


OBJECT = Field("an object", lambda v: isinstance(v, dict))

CLOCK_FIELDS: dict[str, Field] = {
    "scale": number(0, MAX_SCALE, "simulated seconds per real second"),
    "advance": number(0, MAX_ADVANCE, "seconds", " (ten years; the clock only moves forward)"),
}
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
STATUS_FIELDS: dict[str, Field] = {
    "status": text(MAX_STATUS, null_means="to clear the override"),
    "region": text(MAX_NAME),
}
REPORTED_FIELDS: dict[str, Field] = {"fields": OBJECT, "region": text(MAX_NAME)}
_MODE_RULE = "one of " + ", ".join(f'"{mode}"' for mode in MODES)
LIVETAIL_FIELDS: dict[str, Field] = {
    "mode": Field(_MODE_RULE, lambda v: isinstance(v, str) and v in MODES)
}
# A domain name as AssociateCustomDomain's DomainName takes it (botocore's model).
DNS_FIELDS: dict[str, Field] = {
    "domain": text(
        255,
        pattern=r"[A-Za-z0-9*.-]+",
        rule="a domain name of 1 to 255 letters, digits, '*', '.' and '-'",
    ),
    "region": text(MAX_NAME),
    "service": text(MAX_NAME),
    "caa": text(
        MAX_NAME,
        rule=f"the CA the domain's CAA records name, 1 to {MAX_NAME} characters, such as "
        '"letsencrypt.org"',
    ),
}


CLOUDWATCH_FIELDS: dict[str, Field] = {
    "percentiles": Field(
        "one of " + ", ".join(f'"{m}"' for m in PERCENTILE_MODES),
        lambda v: isinstance(v, str) and v in PERCENTILE_MODES,
    ),
    "traffic": OBJECT,
}
TRAFFIC_FIELDS: dict[str, Field] = {
    "service": text(MAX_NAME),
    "region": text(MAX_NAME),
    "rpm": Field(
        "a number of requests per minute from 0 to 1000000, or null for the service's own",
        lambda v: v is None or (is_number(v) and 0 <= v <= MAX_COUNT),
    ),
}


def check(doc: Any, fields: Mapping[str, Field]) -> dict[str, Any]:
    """`doc` if it is an object whose members all pass `fields`; raises Refused otherwise."""
    if not isinstance(doc, dict):
        raise Refused(f"the body must be a JSON object; got {_kind(doc)}")
    for name, value in doc.items():
        field = fields.get(name)
        if field is None:
            known = ", ".join(fields) or "no fields"
            raise Refused(f"unknown field {json.dumps(name[:40])}; allowed: {known}")
        if not field.accepts(value):
            raise Refused(f"{name} must be {field.rule}; got {_kind(value)}")
    return doc


async def read_body(request: web.Request, fields: Mapping[str, Field]) -> dict[str, Any]:
    """The request's JSON object (an empty body is `{}`), checked by `check`."""
    body = await request.read()
    if not body.strip():
        return {}
    try:
        doc = wire.loads(body, object_pairs_hook=_unique_members)
    except _Repeated as exc:
        raise Refused(f"field {json.dumps(exc.name[:40])} is given twice") from None
    except wire.NotJson as exc:
        raise Refused(f"{str(exc)[:200]}; send one JSON object") from None
    return check(doc, fields)


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


def control_app(
    backend: AppRunnerBackend,
    requests: RequestLog,
    faults: Faults,
    livetail: LiveTail,
    cloudwatch: CloudWatch,
) -> web.Application:
    """The control API as a sub-application to mount at /_sim.

    Mounted with a prefix, it answers every /_sim path itself: an unknown one is a JSON 404,
    a wrong method a JSON 405 with Allow, a bad body a JSON 400 that changed nothing.
    """
    clock = backend.clock

    def default_region() -> str:
        return next(iter(backend.regions), "us-east-1")

    async def get_requests(_: web.Request) -> web.Response:
        return web.json_response({"requests": requests.entries()})

    async def delete_requests(_: web.Request) -> web.Response:
        requests.clear()
        return web.json_response({"requests": []})

    async def get_clock(_: web.Request) -> web.Response:
        return web.json_response({"now": clock.now(), "scale": clock.scale})

    async def post_clock(request: web.Request) -> web.Response:
        doc = await read_body(request, CLOCK_FIELDS)
        # Advance first: it alone can still be refused (at the end of time), and then the
        # scale must not have changed either.
        if "advance" in doc:
            try:
                clock.advance(doc["advance"])
            except ValueError as exc:  # SimClock's own words: the end of simulated time
                raise Refused(str(exc)) from None
        if "scale" in doc:
            clock.set_scale(doc["scale"])
        return web.json_response({"now": clock.now(), "scale": clock.scale})

    async def get_faults(_: web.Request) -> web.Response:
        return web.json_response({"faults": faults.pending()})

    async def post_faults(request: web.Request) -> web.Response:
        faults.add(fault_from_json(await read_body(request, FAULT_FIELDS)))
        return web.json_response({"faults": faults.pending()})

    async def delete_faults(_: web.Request) -> web.Response:
        faults.clear()
        return web.json_response({"faults": []})

    async def post_status(request: web.Request) -> web.Response:
        doc = await read_body(request, STATUS_FIELDS)
        region = doc.get("region", default_region())
        try:
            service = backend.force_status(region, request.match_info["name"], doc.get("status"))
        except ApiError as exc:
            raise Refused(exc.message, 404) from None
        with backend.lock:
            summary = service.summary(clock.now())
        return web.json_response({"service": summary})

    async def post_reported(request: web.Request) -> web.Response:
        doc = await read_body(request, REPORTED_FIELDS)
        region = doc.get("region", default_region())
        name = request.match_info["name"]
        try:
            service = backend.force_reported(region, name, doc.get("fields", {}))
        except ApiError as exc:
            raise Refused(exc.message, 404) from None
        with backend.lock:
            described = service.describe(clock.now())
        return web.json_response({"service": described})

    async def post_domain_reported(request: web.Request) -> web.Response:
        doc = await read_body(request, REPORTED_FIELDS)
        region = doc.get("region", default_region())
        try:
            domain = backend.force_domain_reported(
                region,
                request.match_info["name"],
                request.match_info["domain"],
                doc.get("fields", {}),
            )
        except ApiError as exc:
            raise Refused(exc.message, 404) from None
        return web.json_response({"domain": domain})

    async def get_livetail(_: web.Request) -> web.Response:
        return web.json_response({"mode": livetail.mode})

    async def post_livetail(request: web.Request) -> web.Response:
        doc = await read_body(request, LIVETAIL_FIELDS)
        if "mode" not in doc:
            raise Refused(f'send {{"mode": ...}}: mode must be {_MODE_RULE}')
        livetail.mode = doc["mode"]
        return web.json_response({"mode": livetail.mode})

    async def get_cloudwatch(_: web.Request) -> web.Response:
        return web.json_response(cloudwatch.settings())

    async def post_cloudwatch(request: web.Request) -> web.Response:
        doc = await read_body(request, CLOUDWATCH_FIELDS)
        if not doc:
            raise Refused('send {"percentiles": ...} or {"traffic": {"service": ..., "rpm": ...}}')
        traffic = check(doc.get("traffic", {}), TRAFFIC_FIELDS)
        if "traffic" in doc:
            if "service" not in traffic or "rpm" not in traffic:
                raise Refused("traffic needs service and rpm (null to clear)")
            region = traffic.get("region", default_region())
            with backend.lock:
                found = [
                    s
                    for s in backend.live_services(region, clock.now())
                    if s.name == traffic["service"]
                ]
            if not found:
                raise Refused(f"No service named {traffic['service']} in {region}.", 404)
            cloudwatch.model.set_rpm(found[0].id, traffic["rpm"])
        if "percentiles" in doc:
            cloudwatch.percentiles = doc["percentiles"]
        return web.json_response(cloudwatch.settings())

    async def get_dns(_: web.Request) -> web.Response:
        return web.json_response({"domains": backend.dns_report()})

    async def post_dns(request: web.Request) -> web.Response:
        doc = await read_body(request, DNS_FIELDS)
        if "domain" not in doc:
            raise Refused('send {"domain": ...}, with "caa", "service" and "region" if need be')
        region = doc.get("region", default_region())
        try:
            service, domain = backend.add_dns_records(
                region, doc["domain"], doc.get("service"), doc.get("caa")
            )
        except ApiError as exc:
            raise Refused(exc.message, 404) from None
        return web.json_response({"domain": domain, "service": service.name})

    app = web.Application()
    app.middlewares.append(_json_errors(app))
    router = app.router
    # No implicit HEAD: the methods listed in 404s and Allow headers are all there is.
    router.add_get("/requests", get_requests, allow_head=False)
    router.add_delete("/requests", delete_requests)
    router.add_get("/clock", get_clock, allow_head=False)
    router.add_post("/clock", post_clock)
    router.add_get("/faults", get_faults, allow_head=False)
    router.add_post("/faults", post_faults)
    router.add_delete("/faults", delete_faults)
    router.add_post("/services/{name}/status", post_status)
    router.add_post("/services/{name}/reported", post_reported)
    router.add_post("/services/{name}/domains/{domain}/reported", post_domain_reported)
    router.add_get("/livetail", get_livetail, allow_head=False)
    router.add_post("/livetail", post_livetail)
    router.add_get("/cloudwatch", get_cloudwatch, allow_head=False)
    router.add_post("/cloudwatch", post_cloudwatch)
    router.add_get("/dns", get_dns, allow_head=False)
    router.add_post("/dns", post_dns)
    return app


def _json_errors(app: web.Application) -> Callable[..., Any]:
    # Every failure of a control call is JSON saying what to send instead; never aiohttp's
    # text pages, and never the words of a Python exception.
    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        path = request.path[:100]
        try:
            return await handler(request)
        except Refused as exc:
            return _error(exc.status, exc.message)
        except web.HTTPMethodNotAllowed as exc:
            allowed = sorted(exc.allowed_methods)
            return _error(
                405,
                f"{path} takes {' or '.join(allowed)}, not {request.method[:20]}",
                {"Allow": ", ".join(allowed)},
            )
        except web.HTTPNotFound:
            return _error(404, f"no control route {path}; the routes are: {_routes(app)}")
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return _error(exc.status, exc.reason)
        except Exception:  # a bug here must answer, not drop the connection
            log.exception("control call %s %s failed", request.method, request.path)
            return _error(500, "the simulator failed; see its log")

    return middleware


def _routes(app: web.Application) -> str:
    # Read when asked, so the paths carry the prefix the app was mounted under.
    methods: dict[str, list[str]] = {}
    for route in app.router.routes():
        if route.resource is not None:
            methods.setdefault(route.resource.canonical, []).append(route.method)
    return "; ".join(f"{'|'.join(m)} {path}" for path, m in methods.items())


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


class _Repeated(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Python keeps the last of two equal names; refusing them leaves no doubt which counts.
    doc: dict[str, Any] = {}
    for name, value in pairs:
        if name in doc:
            raise _Repeated(name)
        doc[name] = value
    return doc


def _kind(value: Any) -> str:
    # Short values are shown, JSON-escaped so no control character passes as is.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) and len(repr(value)) <= 24:
        return repr(value)
    if isinstance(value, str) and len(value) <= 40:
        return json.dumps(value)
    return json_type(value)
