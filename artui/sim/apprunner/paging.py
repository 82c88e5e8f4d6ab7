"""NextToken and MaxResults, as App Runner's List* operations take them.

A page resumes after the last item the previous page returned, wherever that item (or the
place it had) now is: a listing is in the order of a total sort key (`sort_key`), and the
token carries the last item's key. So an item deleted between two pages skips nothing, and
one created between them is listed if its place is still ahead. The token is opaque and
bound to its listing: the key is signed with a secret the simulator draws at start, over
the operation, region and parent resource it was issued for. A token replayed against
another listing, edited, or forged gets InvalidRequestException.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from artui.sim.apprunner.configs import Revision
from artui.sim.apprunner.connections import Connection
from artui.sim.apprunner.custom_domains import DomainRecord
from artui.sim.apprunner.ingress import IngressConnection
from artui.sim.apprunner.operations import Operation
from artui.sim.apprunner.services import ServiceRecord
from artui.sim.apprunner.validate import operation_model
from artui.sim.errors import invalid_request

T = TypeVar("T")
# A sort key: JSON's scalars, so that a token carries it exactly (floats round-trip).
Key = tuple[float | int | str, ...]
_BAD_TOKEN = (
    "The NextToken is not valid for this request. Use the NextToken of the previous response."
)


def sort_key(item: object) -> Key:
    """Where `item` stands in its listing, as every List* orders it; unique in the listing.

    Services: oldest first, then by name (a live name is unique; the id settles the rest).
    Operations: newest first. Custom domains: oldest first. Configuration revisions: by
    name, then revision. Connections and VPC ingress connections: oldest first, then by ARN
    (unique). Of two begun or linked at one simulated instant, the order they
    were made in (`ids.next_sequence`) decides.
    """
    if isinstance(item, ServiceRecord):
        return (item.created_at, item.name, item.id)
    if isinstance(item, Operation):
        return (-item.started_at, -item.sequence)
    if isinstance(item, DomainRecord):
        return (item.associated_at, item.sequence)
    if isinstance(item, Revision):
        return (item.name, item.revision)
    if isinstance(item, (Connection, IngressConnection)):
        return (item.created_at, item.arn)
    raise TypeError(f"no sort key for {type(item).__name__}: pass Pager.listing a key")


class Pager:
    """Pages of List* answers, with tokens only this simulator can issue."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def listing(
        self,
        operation: str,
        bound_to: str,
        member: str,
        items: Sequence[T],
        params: dict[str, Any],
        render: Callable[[T], Any],
        key: Callable[[T], Key] = sort_key,
    ) -> dict[str, Any]:
        """A List* answer: the requested page of `items` under `member`, and NextToken.

        `bound_to` names the listing beside the operation (region, parent resource); `key`
        orders the items (they are answered in its order) and marks where a page ends.
        """
        scope = f"{operation}\n{bound_to}"
        # Without MaxResults a page is as long as the model allows (validated already).
        limit = params.get("MaxResults") or _largest_page(operation)
        ordered = sorted(items, key=key)
        token = params.get("NextToken")
        start = bisect.bisect_right(ordered, self._after(scope, token), key=key) if token else 0
        page = ordered[start : start + limit]
        out: dict[str, Any] = {member: [render(item) for item in page]}
        if start + limit < len(ordered):
            out["NextToken"] = self._token(scope, key(page[-1]))
        return out

    def _signature(self, scope: str, text: str) -> str:
        message = f"{scope}\n{text}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def _token(self, scope: str, after: Key) -> str:
        text = json.dumps(list(after), separators=(",", ":"))
        raw = f"{text}\n{self._signature(scope, text)}".encode()
        return base64.urlsafe_b64encode(raw).decode()

    def _after(self, scope: str, token: str) -> Key:
        """The sort key a genuine token of this listing carries, or InvalidRequestException."""
        try:
            text, _, signature = base64.urlsafe_b64decode(token).decode().partition("\n")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise invalid_request(_BAD_TOKEN) from None
        if not hmac.compare_digest(signature.encode(), self._signature(scope, text).encode()):
            raise invalid_request(_BAD_TOKEN)
        # Signed by this simulator: the JSON list of scalars `_token` wrote.
        return tuple(json.loads(text))


def _largest_page(operation: str) -> int:
    member = operation_model(operation).input_shape.members["MaxResults"]
    return int(member.metadata["max"])
