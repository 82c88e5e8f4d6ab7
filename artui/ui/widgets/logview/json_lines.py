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


def _written(value: object) -> str:
    """A field's value as `key=value` writes it: bare if it reads unambiguously, else JSON."""
    if isinstance(value, str):
        return value if _BARE.fullmatch(value) else json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _level(value: object) -> str:
    if isinstance(value, str):
        return value.upper()
    if isinstance(value, int) and not isinstance(value, bool) and value in NUMERIC_LEVELS:
        return NUMERIC_LEVELS[value]
    return _written(value)


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
    by_name: dict[str, str] = {}
    for key in document:
        by_name.setdefault(key.lower(), key)
    level = next((by_name[k] for k in LEVEL_KEYS if k in by_name), None)
    text = next((by_name[k] for k in MESSAGE_KEYS if k in by_name), None)
    parts = []
    if level is not None:
        parts.append(_level(document[level]))
    if text is not None:
        said = document[text]
        parts.append(said if isinstance(said, str) else _written(said))
    first = [by_name[k] for k in ERROR_KEYS if k in by_name and by_name[k] != text]
    rest = [key for key in document if key not in (level, text) and key not in first]
    for key in first + rest:
        name = key if _BARE.fullmatch(key) else json.dumps(key, ensure_ascii=False)
        parts.append(f"{name}={_written(document[key])}")
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
