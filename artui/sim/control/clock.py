"""/clock: the simulated now, its scale, and moving it forward."""

from __future__ import annotations

from aiohttp import web

from artui.sim.clock import MAX_ADVANCE, MAX_SCALE
from artui.sim.control.body import Field, Refused, number, read_body
from artui.sim.control.keys import ACCOUNTS

CLOCK_FIELDS: dict[str, Field] = {
    "scale": number(0, MAX_SCALE, "simulated seconds per real second"),
    "advance": number(0, MAX_ADVANCE, "seconds", " (ten years; the clock only moves forward)"),
}


async def get_clock(request: web.Request) -> web.Response:
    """GET /clock: now and the scale."""
    clock = request.app[ACCOUNTS].clock
    return web.json_response({"now": clock.now(), "scale": clock.scale})


async def post_clock(request: web.Request) -> web.Response:
    """POST /clock: advance the clock and/or set its scale."""
    clock = request.app[ACCOUNTS].clock
    doc = await read_body(request, CLOCK_FIELDS)
    if not doc:  # {} or no body: a call that does nothing is a mistake, said at once
        raise Refused('send {"advance": seconds} and/or {"scale": simulated seconds per second}')
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
