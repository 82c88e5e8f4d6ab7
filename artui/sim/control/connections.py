"""Connections' handshakes: POST /connections/{name}/handshake, and GET /connections.

The handshake with GitHub or Bitbucket is done by a person in the App Runner console, never
through the API: this route stands in for that person.
"""

from __future__ import annotations

from aiohttp import web

from artui.sim.control.body import ACCOUNT, MAX_NAME, Field, Refused, read_body, text
from artui.sim.control.keys import ACCOUNTS, backend_of, default_region
from artui.sim.errors import ApiError

HANDSHAKE_FIELDS: dict[str, Field] = {
    "region": text(MAX_NAME),
    "account": ACCOUNT,
}


async def post_handshake(request: web.Request) -> web.Response:
    """POST /connections/{name}/handshake: the connection turns AVAILABLE."""
    doc = await read_body(request, HANDSHAKE_FIELDS)
    backend = backend_of(request.app[ACCOUNTS], doc)
    region = doc.get("region", default_region(request.app[ACCOUNTS]))
    try:
        connection = backend.complete_handshake(region, request.match_info["name"])
    except ApiError as exc:
        raise Refused(exc.message, 404) from None
    return web.json_response({"connection": connection})


async def get_connections(request: web.Request) -> web.Response:
    """GET /connections: every account's live connections, with their statuses."""
    backends = request.app[ACCOUNTS].backends()
    return web.json_response({"connections": [c for b in backends for c in b.connections_report()]})
