"""`control_app`: the /_sim router, and the JSON errors every control route shares."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from artui.sim.control import calls, clock, connections, services, telemetry
from artui.sim.control.body import Refused
from artui.sim.control.keys import ACCOUNTS, CLOUDWATCH, FAULTS, LIVETAIL, REQUESTS

if TYPE_CHECKING:
    from artui.sim.accounts import Accounts
    from artui.sim.cloudwatch import CloudWatch
    from artui.sim.control.calls import Faults, RequestLog
    from artui.sim.livetail import LiveTail

# The logger's name predates the package; keep it for anyone filtering on it.
log = logging.getLogger("artui.sim.control")


def control_app(
    accounts: Accounts,
    requests: RequestLog,
    faults: Faults,
    livetail: LiveTail,
    cloudwatch: CloudWatch,
) -> web.Application:
    """The control API as a sub-application to mount at /_sim.

    Mounted with a prefix, it answers every /_sim path itself: an unknown one is a JSON 404,
    a wrong method a JSON 405 with Allow, a bad body a JSON 400 that changed nothing.
    """
    app = web.Application()
    app[ACCOUNTS] = accounts
    app[REQUESTS] = requests
    app[FAULTS] = faults
    app[LIVETAIL] = livetail
    app[CLOUDWATCH] = cloudwatch
    app.middlewares.append(_json_errors(app))
    router = app.router
    # No implicit HEAD: the methods listed in 404s and Allow headers are all there is.
    # The order here is the order the JSON 404 lists the routes in.
    router.add_get("/requests", calls.get_requests, allow_head=False)
    router.add_delete("/requests", calls.delete_requests)
    router.add_get("/clock", clock.get_clock, allow_head=False)
    router.add_post("/clock", clock.post_clock)
    router.add_get("/faults", calls.get_faults, allow_head=False)
    router.add_post("/faults", calls.post_faults)
    router.add_delete("/faults", calls.delete_faults)
    router.add_post("/services/{name}/status", services.post_status)
    router.add_post("/services/{name}/reported", services.post_reported)
    router.add_post("/services/{name}/domains/{domain}/reported", services.post_domain_reported)
    router.add_get("/livetail", telemetry.get_livetail, allow_head=False)
    router.add_post("/livetail", telemetry.post_livetail)
    router.add_get("/cloudwatch", telemetry.get_cloudwatch, allow_head=False)
    router.add_post("/cloudwatch", telemetry.post_cloudwatch)
    router.add_get("/dns", services.get_dns, allow_head=False)
    router.add_post("/dns", services.post_dns)
    router.add_get("/connections", connections.get_connections, allow_head=False)
    router.add_post("/connections/{name}/handshake", connections.post_handshake)
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
