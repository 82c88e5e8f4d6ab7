"""NextToken and MaxResults, as App Runner's List* operations take them.

A token is opaque and bound to its listing: it carries an offset signed with a secret the
simulator draws at start, over the operation, region and parent resource it was issued for.
A token replayed against another listing, edited, or forged gets InvalidRequestException.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from artui.sim.apprunner.validate import operation_model
from artui.sim.errors import invalid_request

T = TypeVar("T")
_BAD_TOKEN = (
    "The NextToken is not valid for this request. Use the NextToken of the previous response."
)


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
    ) -> dict[str, Any]:
        """A List* answer: the requested page of `items` under `member`, and NextToken.

        `bound_to` names the listing beside the operation (region, parent resource).
        """
        scope = f"{operation}\n{bound_to}"
        # Without MaxResults a page is as long as the model allows (validated already).
        limit = params.get("MaxResults") or _largest_page(operation)
        token = params.get("NextToken")
        start = self._offset(scope, token) if token else 0
        end = start + limit
        out: dict[str, Any] = {member: [render(item) for item in items[start:end]]}
        if end < len(items):
            out["NextToken"] = self._token(scope, end)
        return out

    def _signature(self, scope: str, offset: int) -> str:
        message = f"{scope}\n{offset}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def _token(self, scope: str, offset: int) -> str:
        raw = f"{offset}.{self._signature(scope, offset)}".encode()
        return base64.urlsafe_b64encode(raw).decode()

    def _offset(self, scope: str, token: str) -> int:
        try:
            offset_text, _, signature = base64.urlsafe_b64decode(token).decode().partition(".")
            offset = int(offset_text)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise invalid_request(_BAD_TOKEN) from None
        if offset < 0 or not hmac.compare_digest(signature, self._signature(scope, offset)):
            raise invalid_request(_BAD_TOKEN)
        return offset


def _largest_page(operation: str) -> int:
    member = operation_model(operation).input_shape.members["MaxResults"]
    return int(member.metadata["max"])
