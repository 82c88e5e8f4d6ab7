"""One bad field must never end the app: drawing code reports its exceptions and carries on."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from artui.ui.context import context_of

F = TypeVar("F", bound=Callable[..., Any])


def guarded(what: str) -> Callable[[F], F]:
    """Wrap a method of a widget or screen that draws from data: an exception in it goes to
    the app's `internal_error` (status line, `e`, the log file) instead of ending the app."""

    def wrap(method: F) -> F:
        @functools.wraps(method)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                context_of(self).internal_error(what, exc)
                return None

        return run  # type: ignore[return-value]

    return wrap
