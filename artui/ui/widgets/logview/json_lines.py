"""A JSON log line at 80 columns: its level and message first, then its fields as
`key=value` (plain code, tested without the Pilot)."""

from __future__ import annotations

import json
import re

# The keys a JSON line's level and message go by, in order of preference (compared in lower
# case); the error keys' fields come first after them, since at 80 columns the error text
# is what the operator reads the line for.
LEVEL_KEYS = ("level", "severity", "lvl")
MESSAGE_KEYS = ("msg", "message", "error")
ERROR_KEYS = ("error", "err", "exception", "exc")
# pino's and bunyan's numeric levels, as the words other loggers write.
NUMERIC_LEVELS = {10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL"}
# A bare key or value: nothing that would make `key=value` ambiguous to read (spaces,
# quotes, `=`) or anything but printable ASCII; everything else is written as JSON.
_BARE = re.compile(r"[!#-<>-~]+")


def json_object(message: str) -> dict[str, object] | None:
    """`message` as a JSON object, or None when it is not one."""
    if not (message.startswith("{") and message.endswith("}")):
        return None
    try:
        value = json.loads(message)
    except (ValueError, RecursionError):  # the latter: nested past Python's limit
        return None
    return value if isinstance(value, dict) and value else None


# Encoders made once: json.dumps with options builds a new one at every call.
_QUOTED = json.JSONEncoder(ensure_ascii=False).encode
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _written(value: object) -> str:
    """A field's value as `key=value` writes it: bare if it reads unambiguously, else JSON."""
    if isinstance(value, str):
        return value if _BARE.fullmatch(value) else _QUOTED(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    return _COMPACT(value)


def _level(value: object) -> str:
    if isinstance(value, str):
        return value.upper()
    if type(value) is int and value in NUMERIC_LEVELS:
        return NUMERIC_LEVELS[value]
    return _written(value)


# How a document with these keys (in this order) is laid out: its level key, its message
# key, and the other keys in the order shown, each with its `key=` written. A log's lines
# mostly share a few sets of keys, so each set is worked out once.
_Plan = tuple["str | None", "str | None", tuple[tuple[str, str], ...]]
_plans: dict[tuple[str, ...], _Plan] = {}


def _plan(keys: tuple[str, ...]) -> _Plan:
    plan = _plans.get(keys)
    if plan is not None:
        return plan
    by_name: dict[str, str] = {}
    for key in keys:
        by_name.setdefault(key.lower(), key)
    level = next((by_name[k] for k in LEVEL_KEYS if k in by_name), None)
    text = next((by_name[k] for k in MESSAGE_KEYS if k in by_name), None)
    first = [by_name[k] for k in ERROR_KEYS if k in by_name and by_name[k] != text]
    taken = {level, text, *first}
    order = first + [key for key in keys if key not in taken]
    fields = tuple((key, f"{key if _BARE.fullmatch(key) else _QUOTED(key)}=") for key in order)
    if len(_plans) > 1024:  # a log whose keys vary without end (ids as keys)
        _plans.clear()
    plan = _plans[keys] = (level, text, fields)
    return plan


def compact_json(message: str) -> str | None:
    """A JSON object's line as it is shown: its level (upper case) and its message first,
    then its error fields, then the other fields in the document's order, as `key=value`;
    None when `message` is not a JSON object. Not yet made inert (the caller does that)."""
    found = json_object(message)
    if found is None:
        return None
    try:
        return _compact(found)
    except RecursionError:  # a value nested deeper than json.dumps can write back
        return None


def _compact(document: dict[str, object]) -> str:
    level, text, fields = _plan(tuple(document))
    parts = []
    if level is not None:
        parts.append(_level(document[level]))
    if text is not None:
        said = document[text]
        parts.append(said if isinstance(said, str) else _written(said))
    for key, name in fields:
        parts.append(name + _written(document[key]))
    return " ".join(parts)


def pretty_json(message: str) -> str | None:
    """The JSON object `message` indented over several lines; None when it is not one."""
    value = json_object(message)
    if value is None:
        return None
    try:
        return json.dumps(value, indent=2, ensure_ascii=False)
    except RecursionError:  # nested deeper than json.dumps can write back
        return None
