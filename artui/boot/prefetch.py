"""The first services list, fetched by a child process while the app loads Textual.

Importing Textual and painting the first frame, and importing aiobotocore and listing
services, are both CPU-bound Python: in one process they take turns on the GIL. A child
(`python -m artui.boot.prefetch`, started before Textual is imported) lists services on the
other core and hands the result back through a pipe, so the table fills about when the
first frame is painted. The child is a fresh interpreter, not a fork, so it is safe on
macOS too.

The child is also where credentials are resolved, once per launch: a credential_process
runs there, an MFA code is asked of the operator through the parent's UI (relayed over the
pipes), and the resolved credentials travel back with the list, so the app never runs the
chain again until they expire. Nothing is written to disk or to the environment.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

# Types only: importing the engine and the domain here would delay starting the child.
if TYPE_CHECKING:
    from artui.aws.credentials import Resolved
    from artui.engine.ports import Ask, FirstList
    from artui.settings import Settings

# The child's last moment while it works on its own (asking the operator pauses it): by
# then the network or the credential source has failed, and the app reports that itself.
CHILD_LIFETIME = 30
# How often the child checks that the app that started it is still there.
WATCH_SECONDS = 0.2


@dataclass(frozen=True)
class Prefetched:
    """What the child found: the first list (None if listing failed) and the credentials."""

    first: FirstList | None
    credentials: Resolved | None


def _send(stream: IO[bytes], message: Any) -> None:
    pickle.dump(message, stream)
    stream.flush()


def _watch_parent(parent: int) -> None:
    """End this child, and whatever it started, as soon as `parent` is no longer its parent.

    The app ends the child itself when it leaves; this covers an app killed outright
    (SIGKILL, or the OOM killer), which cannot: the child is re-parented, and goes.
    """
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    try:
        if os.getpgrp() == os.getpid():  # its own group (start_new_session): a
            os.killpg(os.getpid(), signal.SIGKILL)  # credential_process goes with it
    finally:
        os._exit(1)


def _child() -> None:
    """The child's side: settings in on stdin; questions and the answer out on stdout."""
    # The parent's pid comes on the command line: it may be gone before this line runs.
    parent = int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), name="parent", daemon=True).start()
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    # Whatever the libraries print must not corrupt the pipe.
    sys.stdout = sys.stderr
    signal.alarm(CHILD_LIFETIME)  # a parent killed outright cannot reap us: end on our own
    settings: Settings = pickle.load(requests)

    def ask(question: str) -> str | None:
        signal.alarm(0)  # the operator takes their time
        _send(answers, ("ask", question))
        answer = pickle.load(requests)
        signal.alarm(CHILD_LIFETIME)
        return answer if isinstance(answer, str) else None

    from artui.aws.first import first_list

    try:
        account = settings.accounts()[0]  # the app's first session takes this list
        result = Prefetched(*first_list(account.profile, account.regions, ask))
    except BaseException:  # the app resolves and reports on its own
        result = Prefetched(None, None)
    _send(answers, ("done", result))


class Prefetch:
    """A child listing services; `result(ask)` collects them (or None)."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc

    @property
    def pid(self) -> int:
        return self.proc.pid

    @classmethod
    def start(cls, settings: Settings) -> Prefetch | None:
        """Start the child; None for the demo (nothing to resolve) or if it cannot start."""
        if settings.demo:
            return None
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "artui.boot.prefetch", str(os.getpid())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                # Its own group, so a credential_process it starts dies with it (killpg);
                # and no terminal, so no prompt of its own reaches the parent's screen.
                start_new_session=True,
            )
            assert proc.stdin is not None
            _send(proc.stdin, settings)
        except OSError:
            return None
        return cls(proc)

    def result(self, ask: Ask) -> Prefetched | None:
        """The child's answer (blocking), relaying its questions to `ask`; None on failure."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            while True:
                kind, payload = pickle.load(self.proc.stdout)
                if kind == "ask":
                    _send(self.proc.stdin, ask(payload))
                elif kind == "done":
                    return payload if isinstance(payload, Prefetched) else None
        except Exception:  # the child died, was killed, or answered oddly: the app copes
            return None
        finally:
            self.close()

    def kill(self) -> None:
        """End the child (with any credential_process it started) without waiting for it."""
        if self.proc.returncode is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self) -> None:
        """End the child (with any credential_process it started) and reap it."""
        self.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not wait
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass


if __name__ == "__main__":
    # Run from the imported module, so what it pickles is named artui.boot.prefetch.*,
    # not __main__.*
    from artui.boot import prefetch

    prefetch._child()
