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
import sys
import threading
import time
from dataclasses import dataclass

from artui.domain import Service
from artui.settings import Settings

# The child's last moment: by then the parent has long polled on its own.
CHILD_LIFETIME = 10


@dataclass(frozen=True)
class Prefetched:
    """The regions resolved, the services of those that answered, and when (epoch)."""

    regions: tuple[str, ...]
    services: dict[str, list[Service]]
    fetched_at: float


async def _list_everything(settings: Settings) -> Prefetched:
    from artui.backend import connect

    backend = connect(settings)
    try:
        lists = await asyncio.gather(
            *(backend.apprunner.list_services(r) for r in backend.regions),
            return_exceptions=True,  # a region that fails is left to the app's own poll
        )
    finally:
        await backend.close()
    services = {
        region: listed
        for region, listed in zip(backend.regions, lists, strict=True)
        if isinstance(listed, list)
    }
    return Prefetched(backend.regions, services, time.time())


def _child(settings: Settings, write_fd: int) -> None:
    # Its own session, so a credential_process it starts dies with it (killpg); and no
    # terminal, so nothing it prints and no credential prompt reaches the parent's screen.
    os.setsid()
    # A parent killed outright cannot reap it: end on our own.
    signal.alarm(CHILD_LIFETIME)
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


def usable_cores() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class Prefetch:
    """A forked child listing services; `result()` collects them (or None)."""

    def __init__(self, pid: int, read_fd: int) -> None:
        self.pid = pid
        self._read_fd = read_fd
        self._lock = threading.Lock()

    @classmethod
    def start(cls, settings: Settings) -> Prefetch | None:
        """Fork the child; None for the demo, and where fork is missing, unsafe or fails."""
        # macOS: system frameworks botocore reaches (proxy settings) crash after a fork
        # without exec.
        if settings.demo or not hasattr(os, "fork") or sys.platform == "darwin":
            return None
        if usable_cores() < 2:  # on one core the child only takes turns with the parent
            return None
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return None
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
        except Exception:  # a truncated or odd answer: the app polls on its own
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
            os.killpg(self.pid, signal.SIGKILL)  # with any credential_process it started
        except ProcessLookupError:  # not yet its own group leader
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
