"""ListMetrics without a Namespace: App Runner's metrics (the simulator's) and moto's, as one
listing, 500 a page at most, as CloudWatch lists every namespace at once.

How the pages go, and why NextToken stays right across the two sources: the simulator's
AWS/AppRunner entries come first, in its own pages (its own NextToken, which pins the
listing's `now`); the page where they run out is topped up from moto's first page, and
moto's pages follow. A token of the moto part says which moto page comes next (None:
the first) and how many of its entries an earlier page already gave (`skip`: only ever
on moto's first page, which is asked again, as moto's own tokens work once). Each token
carries the request's fingerprint, so a token of another listing is refused. Nothing is
listed twice or left out, as long as moto's metrics stay as they are while paging (the
same holds of CloudWatch).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

from artui.sim.cloudwatch.protocol import CloudWatchError
from artui.sim.cloudwatch.queries import LIST_PAGE, make_token, request_fingerprint

# A source answers ListMetrics' params (NextToken among them) with a page.
Source = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
_BAD_TOKEN = "The value for parameter NextToken is not valid."


async def list_everything(params: dict[str, Any], ours: Source, moto: Source) -> dict[str, Any]:
    """One page of ListMetrics over every namespace: `ours` (AWS/AppRunner), then `moto`."""
    fingerprint = request_fingerprint(params)
    token = params.get("NextToken")
    state = _moto_state(token, fingerprint) if token is not None else None
    if state is None:
        page = await ours(params)
        metrics = list(page.get("Metrics", ()))
        if page.get("NextToken") is not None:
            return {"Metrics": metrics, "NextToken": page["NextToken"]}
        moto_token, skip = None, 0
    else:
        metrics, (moto_token, skip) = [], state
    asked = {k: v for k, v in params.items() if k != "NextToken"}
    if moto_token is not None:
        asked["NextToken"] = moto_token
    page = await moto(asked)
    theirs = list(page.get("Metrics", ()))[skip:]
    room = LIST_PAGE - len(metrics)
    doc: dict[str, Any] = {"Metrics": metrics + theirs[:room]}
    if len(theirs) > room:
        # The rest of this moto page: moto's first page is asked again and skipped past
        # (room < LIST_PAGE only here, on the page where ours ran out: moto_token is None).
        state_out = {"m": moto_token, "s": skip + room, "f": fingerprint}
        doc["NextToken"] = make_token(state_out)
    elif page.get("NextToken") is not None:
        doc["NextToken"] = make_token({"m": page["NextToken"], "s": 0, "f": fingerprint})
    return doc


def _moto_state(token: Any, fingerprint: str) -> tuple[str | None, int] | None:
    """(moto's token, entries to skip) of a token of the moto part; None for one of ours
    (which the simulator's own listing reads, and refuses if it is not one)."""
    try:
        state = json.loads(base64.urlsafe_b64decode(str(token).encode()))
    except ValueError:
        raise CloudWatchError("InvalidParameterValue", _BAD_TOKEN) from None
    if not isinstance(state, dict) or "m" not in state:
        return None
    moto_token, skip = state.get("m"), state.get("s")
    if (
        state.get("f") != fingerprint
        or not (moto_token is None or isinstance(moto_token, str))
        or not isinstance(skip, int)
        or skip < 0
    ):
        raise CloudWatchError("InvalidParameterValue", _BAD_TOKEN)
    return moto_token, skip


__all__ = ["Source", "list_everything"]
