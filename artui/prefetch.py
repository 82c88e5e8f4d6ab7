"""The first services list, fetched by a forked process while the app loads Textual.

Importing Textual and painting the first frame, and importing aiobotocore and listing
services, are both CPU-bound Python: in one process they take turns on the GIL. Forked
before either starts, the child lists services on the other core and hands the result
back through a pipe, so the table fills about when the first frame is painted.
The parent then polls as usual; the prefetch only seeds the first snapshot.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import select
import signal
import threading
import time
from dataclasses import dataclass

from artui.domain import Service
from artui.settings import Settings


@dataclass(frozen=True)
class Prefetched:
    """Every region's services as the child listed them, and when."""

    services: dict[str, list[Service]]
    fetched_at: float


async def _list_everything(settings: Settings) -> Prefetched:
    from artui.backend import connect

    backend = connect(settings)
    try:
        lists = await asyncio.gather(
            *(backend.apprunner.list_services(region) for region in backend.regions)
        )
    finally:
        await backend.close()
    return Prefetched(dict(zip(backend.regions, lists, strict=True)), time.time())


def _child(settings: Settings, write_fd: int) -> None:
    # No terminal for the child: nothing it prints, and no credential prompt it might
    # raise, may reach the screen the parent is about to draw.
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    try:
        result: Prefetched | None = asyncio.run(_list_everything(settings))
    except BaseException:  # the parent's own poll reports errors properly
        result = None
    data = pickle.dumps(result)
    view = memoryview(data)
    while view:
        view = view[os.write(write_fd, view) :]


class Prefetch:
    """A forked child listing services; `result()` collects them (or None)."""

    def __init__(self, pid: int, read_fd: int) -> None:
        self._pid = pid
        self._read_fd = read_fd
        self._lock = threading.Lock()

    @classmethod
    def start(cls, settings: Settings) -> Prefetch | None:
        """Fork the child, or None where fork is missing or pointless (the demo)."""
        if settings.demo or not hasattr(os, "fork"):
            return None
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            try:
                _child(settings, write_fd)
            finally:
                os._exit(0)
        os.close(write_fd)
        return cls(pid, read_fd)

    def result(self, timeout: float) -> Prefetched | None:
        """The child's answer within `timeout` seconds (blocking), else None.

        Waits in short steps so that `close()` from another thread ends the wait quickly.
        """
        deadline = time.monotonic() + timeout
        chunks: list[bytes] = []
        try:
            while time.monotonic() < deadline:
                with self._lock:
                    if self._read_fd < 0:
                        return None
                    if not select.select([self._read_fd], [], [], 0)[0]:
                        chunk = None
                    else:
                        chunk = os.read(self._read_fd, 1 << 16)
                if chunk is None:
                    time.sleep(0.01)
                elif not chunk:
                    answer = pickle.loads(b"".join(chunks))
                    return answer if isinstance(answer, Prefetched) else None
                else:
                    chunks.append(chunk)
            return None
        except (OSError, pickle.UnpicklingError, EOFError):
            return None
        finally:
            self.close()

    def close(self) -> None:
        """Stop waiting for the child, and end and reap it."""
        with self._lock:
            if self._read_fd < 0:
                return
            os.close(self._read_fd)
            self._read_fd = -1
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self._pid, 0)
        except ChildProcessError:
            pass
