"""artui in a pseudo-terminal, for benchmarks: launch it, wait for text on screen, read its CPU."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

from processes import cpu_seconds

ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]|\x1b\][^\x07]*\x07")


def sim_env(sim_env_vars: dict[str, str]) -> dict[str, str]:
    """This environment minus any AWS settings, pointed at a simulator."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        **sim_env_vars,
        "TERM": "xterm-256color",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }


class PtyApp:
    """One artui process (or `program`, a Python script) on an 80x24 (or other) pty."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        size: tuple[int, int] = (80, 24),
        program: str | None = None,
    ):
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, *([program] if program else ["-m", "artui"]), *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.screen = b""

    def wait_for(self, text: bytes, timeout: float = 30.0) -> float:
        """Seconds from launch until `text` has been drawn (escape codes stripped)."""
        while text not in self.screen:
            if time.perf_counter() - self.started > timeout:
                raise TimeoutError(f"{text!r} not on screen after {timeout}s")
            self.drain(0.5)
        return time.perf_counter() - self.started

    def drain(self, wait: float) -> None:
        """Read whatever the app wrote within `wait` seconds."""
        ready, _, _ = select.select([self.master], [], [], wait)
        if ready:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                raise RuntimeError(f"artui exited:\n{self.screen[-2000:]!r}") from None
            self.screen += ANSI.sub(b"", chunk)

    def cpu_seconds(self) -> float:
        """User plus system CPU seconds the process has used so far."""
        return cpu_seconds(self.proc.pid)

    def quit(self, timeout: float = 10.0) -> float:
        """Press q; seconds until the process has exited (the terminal is given back)."""
        start = time.perf_counter()
        os.write(self.master, b"q")
        while self.proc.poll() is None:
            if time.perf_counter() - start > timeout:
                raise TimeoutError("artui did not exit after q")
            try:
                self.drain(0.005)
            except RuntimeError:  # the pty closed as it exited
                pass
        return time.perf_counter() - start

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self.master)
