"""Waiting in tests: `eventually` (plain code) and `eventually_async` (in an event loop).

A wait ends as soon as its condition holds. The timeout is a safety net only, generous so
that a busy machine (every core loaded) still passes: it is there so that a broken build
fails, naming what it waited for, instead of hanging. Between polls the wait pauses for a
short interval or for a step of the caller's own (reading a terminal, letting an app run).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

# Seconds before a wait gives up. Only a hang guard: no wait should come near it.
TIMEOUT = 60.0
# What a `what` may be: its text, or a function giving it when the wait gives up (to show
# what was seen by then, e.g. the tail of a terminal's output).
What = str | Callable[[], str]


def eventually(
    probe: Callable[[], T],
    what: What,
    *,
    pause: float | Callable[[], object] = 0.05,
    timeout: float = TIMEOUT,
) -> T:
    """Call `probe` until it returns something truthy, and return that.

    Between calls: sleep `pause` seconds, or call `pause` (e.g. read what a process wrote).
    After `timeout` seconds, fail with `what` and the last value seen."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(_gave_up(what, timeout, value))
        if callable(pause):
            pause()
        else:
            time.sleep(pause)


async def eventually_async(
    probe: Callable[[], T],
    what: What,
    *,
    pause: float | Callable[[], Awaitable[object]] = 0.01,
    timeout: float = TIMEOUT,
) -> T:
    """`eventually` in an event loop: between calls of `probe`, the loop runs (for `pause`
    seconds, or while `pause()` is awaited: a Pilot's pause, the next message of a stream)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(_gave_up(what, timeout, value))
        if callable(pause):
            await pause()
        else:
            await asyncio.sleep(pause)


def _gave_up(what: What, timeout: float, last: object) -> str:
    text = what() if callable(what) else what
    message = f"gave up after {timeout:g}s waiting for {text}"
    if last is not None and not isinstance(last, bool):  # False says nothing more
        shown = repr(last)
        message += f" (last seen: {shown[:500]}{'…' if len(shown) > 500 else ''})"
    return message
