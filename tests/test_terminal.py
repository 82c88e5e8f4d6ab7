"""artui in a real pseudo-terminal: it leaves when the terminal goes away."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time

from artui.sim.server import Simulator
from tests.uihelp import aim_botocore_at


def _own_terminal_ignoring_sighup() -> None:
    # As under tmux: the pty is the session's controlling terminal. SIGHUP is ignored, as
    # when it never arrives (the pane's process was `make`, which died first).
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


def test_exits_when_its_terminal_hangs_up_without_sighup(sim: Simulator) -> None:
    """A closed tmux pane under `make demo` hangs up the tty but may never send SIGHUP."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    aim_botocore_at(sim, env.__setitem__)
    env["TERM"] = "xterm-256color"
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "artui", "--region", "us-east-1"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        preexec_fn=_own_terminal_ignoring_sighup,
    )
    os.close(slave)
    try:
        screen = b""
        deadline = time.monotonic() + 30
        while b"updated" not in screen:  # the status line once data has arrived
            assert time.monotonic() < deadline, "artui never showed its services"
            if select.select([master], [], [], 0.5)[0]:
                screen += os.read(master, 65536)
        os.close(master)  # the terminal goes away
        assert proc.wait(timeout=15) == -signal.SIGHUP
    finally:
        if proc.poll() is None:
            proc.kill()
