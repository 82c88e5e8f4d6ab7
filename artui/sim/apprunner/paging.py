"""NextToken and MaxResults, as ListServices and ListOperations take them."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from artui.sim.errors import invalid_request

MAX_RESULTS = 20

T = TypeVar("T")


def encode_token(kind: str, offset: int) -> str:
    """An opaque paging token."""
    raw = json.dumps({"k": kind, "o": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_token(kind: str, token: str) -> int:
    """The offset inside a token made by `encode_token`, or InvalidRequestException."""
    try:
        doc = json.loads(base64.urlsafe_b64decode(token.encode()))
        if doc["k"] == kind and isinstance(doc["o"], int) and doc["o"] >= 0:
            return doc["o"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        pass
    raise invalid_request("The NextToken is not valid. Use the NextToken of the previous response.")


def page(kind: str, items: Sequence[Any], params: dict[str, Any]) -> tuple[list[Any], str | None]:
    """The page of `items` a request's MaxResults and NextToken ask for, and the next token."""
    limit = params.get("MaxResults", MAX_RESULTS)
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise invalid_request("MaxResults must be an integer.")
    if not 1 <= limit <= MAX_RESULTS:
        raise invalid_request(
            f"1 validation error detected: Value '{limit}' at 'maxResults' failed to satisfy "
            f"constraint: Member must have value between 1 and {MAX_RESULTS}."
        )
    token = params.get("NextToken")
    start = decode_token(kind, token) if token else 0
    end = start + limit
    return list(items[start:end]), encode_token(kind, end) if end < len(items) else None


def listing(
    kind: str,
    member: str,
    items: Sequence[T],
    params: dict[str, Any],
    render: Callable[[T], dict[str, Any]],
) -> dict[str, Any]:
    """A List* answer: the requested page of `items`, rendered under `member`, and NextToken."""
    chosen, token = page(kind, items, params)
    out: dict[str, Any] = {member: [render(item) for item in chosen]}
    if token:
        out["NextToken"] = token
    return out
