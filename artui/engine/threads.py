"""Blocking work off the event loop, in threads that never hold up the process's exit."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


async def in_daemon_thread(fn: Callable[..., T], *args: object) -> T:
    """Run `fn(*args)` in a daemon thread and await its result.

    Unlike `asyncio.to_thread`, whose executor `asyncio.run` joins on the way out, a slow
    import, connection or credential_process still running when the operator presses `q`
    does not keep the terminal from them.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(outcome: Callable[[], None]) -> None:
        if not future.done():  # the awaiting task may have been cancelled meanwhile
            outcome()

    def run() -> None:
        try:
            result = fn(*args)
        except BaseException as exc:  # handed to the awaiting task, raised there
            error = exc
            deliver = lambda: settle(lambda: future.set_exception(error))  # noqa: E731
        else:
            deliver = lambda: settle(lambda: future.set_result(result))  # noqa: E731
        try:
            loop.call_soon_threadsafe(deliver)
        except RuntimeError:  # the loop has closed: nobody is waiting any more
            pass

    threading.Thread(target=run, name=getattr(fn, "__name__", "work"), daemon=True).start()
    return await future
