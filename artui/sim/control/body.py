"""Control bodies: each route's fields with their rules, checked before anything changes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from artui.sim import wire
from artui.sim.wire import is_number, json_type

# Bounds on what a control body may carry: generous for tests, small enough to show whole.
MAX_NAME = 128
MAX_STATUS = 256
MAX_MESSAGE = 4096
MAX_COUNT = 1_000_000


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
# An account id, as a control body names the account it acts in (default: 123456789012).
ACCOUNT = text(
    12,
    least=12,
    pattern=r"[0-9]{12}",
    rule='an account id of 12 digits, such as "123456789012"',
)


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
