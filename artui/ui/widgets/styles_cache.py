"""Textual's per-widget render cache, without keeping every widget it ever drew.

Textual (8.x) caches `StylesCache.get_inner_outer` with an `lru_cache` of 1,024 entries on
a method whose first parameter is named `cls` but is the instance, so each entry keeps a
widget's StylesCache, and in it the lines last rendered for that widget, after the widget
is gone. Every widget of every service view opened (some 40 a view), every key of every
footer rebuilt and every toast went in: up to 1,024 of them, each with its rendered lines,
a climb of 1 to 2 MB a minute through the first quarter hour of a shift (bench/soak.py).
The answer depends on the two colours alone: `unpin_rendered_lines` caches it by them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from textual._styles_cache import StylesCache


def unpin_rendered_lines() -> None:
    """Cache StylesCache's background pair by its colours alone, and drop what the cache
    held. Once: a no-op when done before, or when Textual no longer caches the instance."""
    cached: Any = StylesCache.__dict__.get("get_inner_outer")
    original: Callable[..., Any] | None = getattr(cached, "__wrapped__", None)
    if original is None or not hasattr(cached, "cache_clear"):
        return
    body = original

    @lru_cache(maxsize=1024)
    def by_colours(base_background: Any, background: Any) -> Any:
        return body(None, base_background, background)  # it never reads its first parameter

    def get_inner_outer(self: StylesCache, base_background: Any, background: Any) -> Any:
        return by_colours(base_background, background)

    # setattr: mypy refuses an assignment to a method.
    setattr(StylesCache, "get_inner_outer", get_inner_outer)  # noqa: B010
    cached.cache_clear()
