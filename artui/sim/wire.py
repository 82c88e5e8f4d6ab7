"""JSON as the simulator reads it off the wire: strict, whatever the sender meant.

Python's json module accepts NaN and Infinity, turns 1e999 into an infinity, and fails deep
nesting with RecursionError; none of that is JSON a server should take. App Runner's API
and the control API both read their bodies here.
"""

from __future__ import annotations

import json
import math
from typing import Any, cast


class NotJson(ValueError):
    """A body that is not strict JSON; its message is the simulator's own, safe to answer."""


def loads(body: bytes, **options: Any) -> Any:
    """The JSON document in `body`; NotJson for anything that is not strict JSON.

    `options` go to json.loads; an exception an `object_pairs_hook` raises passes through.
    """
    try:
        # NaN and Infinity are read (as floats) so that the message can say where they are.
        doc = json.loads(body, **options)
    except RecursionError:
        raise NotJson("the body is nested too deeply") from None
    except ValueError:  # UnicodeDecodeError and JSONDecodeError, in Python's words
        raise NotJson("the body is not valid JSON") from None
    where = _non_finite(doc)
    if where is not None:
        raise NotJson(
            f"{where or 'the body'} is not a finite number (NaN, Infinity and numbers beyond "
            "1.8e308 are not JSON)"
        )
    return doc


def is_number(value: Any, kinds: tuple[type, ...] = (int, float)) -> bool:
    """Whether `value` is a finite JSON number of `kinds` (JSON's true is not 1)."""
    if isinstance(value, bool) or not isinstance(value, kinds):
        return False
    return isinstance(value, int) or math.isfinite(cast(float, value))


def json_type(value: Any) -> str:
    """What a JSON value is, in words: 'a number', 'an object', 'null'..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _non_finite(value: Any) -> str | None:
    """The path of the first NaN or infinity in a document ('' for the document itself)."""
    # A loop, not recursion: json.loads accepts nesting deeper than a recursive walk could take.
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return path
        if isinstance(item, dict):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(item))
    return None
