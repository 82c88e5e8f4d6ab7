"""What the app watches: /livetail, Live Tail's mode, and /cloudwatch, percentiles and traffic."""

from __future__ import annotations

from aiohttp import web

from artui.sim.cloudwatch import PERCENTILE_MODES
from artui.sim.control.body import (
    ACCOUNT,
    MAX_COUNT,
    MAX_NAME,
    OBJECT,
    Field,
    Refused,
    check,
    read_body,
    text,
)
from artui.sim.control.keys import ACCOUNTS, CLOUDWATCH, LIVETAIL, backend_of, default_region
from artui.sim.livetail import MODES
from artui.sim.wire import is_number

_MODE_RULE = "one of " + ", ".join(f'"{mode}"' for mode in MODES)
LIVETAIL_FIELDS: dict[str, Field] = {
    "mode": Field(_MODE_RULE, lambda v: isinstance(v, str) and v in MODES)
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
    "account": ACCOUNT,
    "rpm": Field(
        "a number of requests per minute from 0 to 1000000, or null for the service's own",
        lambda v: v is None or (is_number(v) and 0 <= v <= MAX_COUNT),
    ),
}


async def get_livetail(request: web.Request) -> web.Response:
    """GET /livetail: how StartLiveTail answers."""
    return web.json_response({"mode": request.app[LIVETAIL].mode})


async def post_livetail(request: web.Request) -> web.Response:
    """POST /livetail: set how StartLiveTail answers."""
    livetail = request.app[LIVETAIL]
    doc = await read_body(request, LIVETAIL_FIELDS)
    if "mode" not in doc:
        raise Refused(f'send {{"mode": ...}}: mode must be {_MODE_RULE}')
    livetail.mode = doc["mode"]
    return web.json_response({"mode": livetail.mode})


async def get_cloudwatch(request: web.Request) -> web.Response:
    """GET /cloudwatch: the percentile mode and every traffic override."""
    return web.json_response(request.app[CLOUDWATCH].settings())


async def post_cloudwatch(request: web.Request) -> web.Response:
    """POST /cloudwatch: set the percentile mode and/or one service's requests per minute."""
    accounts = request.app[ACCOUNTS]
    cloudwatch = request.app[CLOUDWATCH]
    doc = await read_body(request, CLOUDWATCH_FIELDS)
    if not doc:
        raise Refused('send {"percentiles": ...} or {"traffic": {"service": ..., "rpm": ...}}')
    traffic = check(doc.get("traffic", {}), TRAFFIC_FIELDS)
    if "traffic" in doc:
        if "service" not in traffic or "rpm" not in traffic:
            raise Refused("traffic needs service and rpm (null to clear)")
        region = traffic.get("region", default_region(accounts))
        backend = backend_of(accounts, traffic)
        with backend.lock:
            found = [
                s
                for s in backend.live_services(region, backend.clock.now())
                if s.name == traffic["service"]
            ]
        if not found:
            raise Refused(f"No service named {traffic['service']} in {region}.", 404)
        cloudwatch.model.set_rpm(found[0].id, traffic["rpm"])
    if "percentiles" in doc:
        cloudwatch.percentiles = doc["percentiles"]
    return web.json_response(cloudwatch.settings())
