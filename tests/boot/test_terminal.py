"""artui in a real pseudo-terminal: it leaves when the terminal goes away, a signal ends it
with the terminal given back, and it starts only where it can be shown."""

from __future__ import annotations

import fcntl
import os
import pty
import resource
import select
import signal
import struct
import subprocess
import sys
import termios
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from artui.sim.seed import NAMES
from artui.sim.server import Simulator
from tests.eventually import eventually
from tests.uihelp import aim_botocore_at

# The services list on screen: the simulator's service names (in rows once listed).
LISTED = tuple(name.encode() for name in NAMES)


def _own_terminal() -> None:
    # The pty is the session's controlling terminal: closing it sends SIGHUP, as a dropped
    # SSH session does.
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _own_terminal_ignoring_sighup() -> None:
    # As under tmux: the pty is the session's controlling terminal. SIGHUP is ignored, as
    # when it never arrives (the pane's process was `make`, which died first).
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


def _listed_on_a_pty(sim: Simulator, preexec: Callable[[], None]) -> tuple[subprocess.Popen, int]:
    """artui on a pty that is its controlling terminal, once its services are on screen."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "artui", "--region", "us-east-1"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=_env(sim),
        preexec_fn=preexec,
    )
    os.close(slave)
    screen = bytearray()

    def read() -> None:
        if select.select([master], [], [], 0.5)[0]:
            screen.extend(os.read(master, 65536))

    try:  # the list, once data has arrived
        eventually(
            lambda: any(name in screen for name in LISTED), "artui showing its services", pause=read
        )
    except AssertionError:
        proc.kill()
        raise
    return proc, master


def test_exits_when_its_terminal_hangs_up_without_sighup(sim: Simulator) -> None:
    """A closed tmux pane under `make demo` hangs up the tty but may never send SIGHUP."""
    proc, master = _listed_on_a_pty(sim, _own_terminal_ignoring_sighup)
    try:
        os.close(master)  # the terminal goes away
        assert proc.wait(timeout=HANG_GUARD) == -signal.SIGHUP
    finally:
        if proc.poll() is None:
            proc.kill()


def test_exits_when_its_terminal_hangs_up_with_sighup(sim: Simulator) -> None:
    """SIGHUP on a terminal that is gone: no graceful exit to a dead tty, the signal ends it."""
    proc, master = _listed_on_a_pty(sim, _own_terminal)
    try:
        child = _prefetch_child_or_none(proc.pid)
        os.close(master)  # the terminal goes away: the kernel sends SIGHUP
        assert proc.wait(timeout=HANG_GUARD) == -signal.SIGHUP
        assert child is None or _gone(child)
    finally:
        if proc.poll() is None:
            proc.kill()


# -- signals: the terminal is always given back ------------------------------------------

ALT_ON, ALT_OFF = b"\x1b[?1049h", b"\x1b[?1049l"
MOUSE_ON, MOUSE_OFF = b"\x1b[?1000h", b"\x1b[?1000l"
HANG_GUARD = 30.0  # seconds: only so that a broken build fails instead of hanging


def _no_core_dump() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGQUIT would otherwise dump one


class Terminal:
    """artui on an 80x24 pseudo-terminal, with every byte it writes kept raw."""

    def __init__(self, args: list[str], env: dict[str, str], code: str | None = None) -> None:
        """`python -m artui ARGS`, or `python -c CODE ARGS`."""
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.modes_before = termios.tcgetattr(slave)
        run = ["-m", "artui"] if code is None else ["-c", code]
        self.proc = subprocess.Popen(
            [sys.executable, *run, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            preexec_fn=_no_core_dump,
        )
        os.close(slave)
        self.master = master
        self.out = b""
        self.closed = False

    def _read(self) -> None:
        """Keep what artui wrote, waiting at most half a second for it."""
        if self.closed or not select.select([self.master], [], [], 0.5)[0]:
            return
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: nothing holds the terminal any more, all was read
            chunk = b""
        if not chunk:
            self.closed = True
        self.out += chunk

    def wait_for(self, texts: tuple[bytes, ...], what: str) -> None:
        """Read until one of `texts` has been written."""

        def seen() -> bool:
            if any(text in self.out for text in texts):
                return True
            assert not self.closed, f"artui exited before {what}:\n{self.out[-3000:]!r}"
            return False

        eventually(
            seen, lambda: f"{what}; the terminal got:\n{self.out[-3000:]!r}", pause=self._read
        )

    def wait_exit(self) -> int:
        """artui's exit status, once it has exited and everything it wrote has been read."""
        # Read as it leaves (a full terminal would block its last writes, and its exit),
        # until artui, the terminal's only user, has let it go.
        eventually(
            lambda: self.closed,
            lambda: f"artui to exit; the terminal got:\n{self.out[-3000:]!r}",
            pause=self._read,
        )
        return self.proc.wait(timeout=HANG_GUARD)

    def modes(self) -> list:
        return termios.tcgetattr(self.master)  # the master reports the terminal's modes

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


def _env(sim: Simulator, term: str | None = "xterm-256color") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "TERM"}
    aim_botocore_at(sim, env.__setitem__)
    if term is not None:
        env["TERM"] = term
    return env


@pytest.fixture
def terminal(sim: Simulator) -> Iterator[Terminal]:
    term = Terminal(["--region", "us-east-1"], _env(sim))
    yield term
    term.close()


def assert_given_back(term: Terminal) -> None:
    """The terminal as artui found it: line editing and echo on, main screen, no mouse."""
    lflag = term.modes()[3]
    assert lflag & termios.ICANON and lflag & termios.ECHO, "left in -icanon/-echo"
    assert lflag == term.modes_before[3]
    out = term.out
    assert ALT_ON in out and MOUSE_ON in out, "the app never took the screen"
    assert out.rindex(ALT_OFF) > out.rindex(ALT_ON), "left in the alternate screen"
    assert out.rindex(MOUSE_OFF) > out.rindex(MOUSE_ON), "left with mouse reporting on"


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)], ids=["TERM", "HUP"]
)
def test_sigterm_and_sighup_exit_like_q(terminal: Terminal, signum: int, status: int) -> None:
    terminal.wait_for(LISTED, "the services list")
    assert not terminal.modes()[3] & termios.ICANON  # the app has the terminal
    terminal.proc.send_signal(signum)
    assert terminal.wait_exit() == status  # 128 + the signal's number
    assert_given_back(terminal)
    assert b"Traceback" not in terminal.out


def test_the_ctrl_c_key_quits_from_a_field_with_130(terminal: Terminal) -> None:
    """The app's raw mode turns off the tty's SIGINT: ctrl+c arrives as a key (byte 3), and
    quits from anywhere, here the logs pane's search field (an Input binds it to copy)."""
    terminal.wait_for(LISTED, "the services list")
    os.write(terminal.master, b"l")
    terminal.wait_for((b"Follow",), "the logs pane")
    os.write(terminal.master, b"/")
    os.write(terminal.master, b"\x03")
    assert terminal.wait_exit() == 130
    assert_given_back(terminal)
    assert b"Traceback" not in terminal.out


def test_sigterm_as_the_app_takes_the_screen(terminal: Terminal) -> None:
    """Before any data: the app is still starting (the prefetch child may still be working)."""
    child = _prefetch_child(terminal.proc.pid)
    terminal.wait_for((ALT_ON,), "the alternate screen")
    terminal.proc.send_signal(signal.SIGTERM)
    assert terminal.wait_exit() == 143
    assert_given_back(terminal)
    assert _gone(child)


def test_sigquit_gives_the_terminal_back_then_dies_by_it(terminal: Terminal) -> None:
    terminal.wait_for(LISTED, "the services list")
    terminal.proc.send_signal(signal.SIGQUIT)
    assert terminal.wait_exit() == -signal.SIGQUIT
    assert_given_back(terminal)


# -- start-up -------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def _prefetch_child_or_none(pid: int) -> int | None:
    """The prefetch child of artui `pid` if it is running now."""
    for child in _children(pid):
        try:
            with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                if b"artui.boot.prefetch" in cmdline.read():
                    return child
        except OSError:
            continue
    return None


def _prefetch_child(pid: int) -> int:
    """The prefetch child of artui `pid`, once it exists."""
    # Polling /proc often: the tests act on the child as soon as it appears.
    return eventually(lambda: _prefetch_child_or_none(pid), "artui's prefetch child", pause=0.001)


def _gone(pid: int) -> bool:
    """No such process, or only its zombie (ended, not yet reaped by init)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["TERM", "INT"]
)
def test_signal_during_startup_ends_artui_and_its_child_quietly(
    terminal: Terminal, signum: int, status: int
) -> None:
    child = _prefetch_child(terminal.proc.pid)
    terminal.proc.send_signal(signum)  # as soon as the child is there: artui is still loading
    assert terminal.wait_exit() == status
    assert _gone(child), "the prefetch child outlived artui"  # reaped before artui exited
    assert b"Traceback" not in terminal.out
    assert b"KeyboardInterrupt" not in terminal.out
    assert terminal.modes()[3] == terminal.modes_before[3]


def test_prefetch_child_ends_when_artui_is_killed_outright(terminal: Terminal) -> None:
    child = _prefetch_child(terminal.proc.pid)
    terminal.proc.kill()  # SIGKILL: artui can clean nothing up
    terminal.proc.wait(timeout=HANG_GUARD)
    eventually(lambda: _gone(child), "the prefetch child to end after artui was killed")


@pytest.mark.parametrize("term", ["dumb", "", None], ids=["dumb", "empty", "unset"])
def test_a_terminal_without_capabilities_is_refused(sim: Simulator, term: str | None) -> None:
    terminal = Terminal(["--region", "us-east-1"], _env(sim, term))
    try:
        assert terminal.wait_exit() == 2
    finally:
        terminal.close()
    text = terminal.out.decode()
    assert text.startswith("artui: this terminal ("), text
    assert "cannot show a full-screen app" in text and "set TERM" in text
    assert ALT_ON not in terminal.out and b"Traceback" not in terminal.out


def test_dumb_terminal_still_runs_version_and_sim(sim: Simulator) -> None:
    env = {**_env(sim, "dumb"), "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "artui", "--version"], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.startswith(b"artui ")
    proc = subprocess.Popen(
        [sys.executable, "-m", "artui", "sim", "--port", "0", "--services", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith(b"export AWS_ENDPOINT_URL_APPRUNNER=")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=HANG_GUARD) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


# artui with a bug: the app's first handler raises.
CRASH = """
import sys
from artui.ui.app import ArtuiApp

def on_mount(self):
    account = "arn:aws:iam::123456789012:role/held-in-a-local"
    raise RuntimeError("boom in on_mount " + account[:3])

ArtuiApp.on_mount = on_mount
from artui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_crash_says_where_the_log_is(sim: Simulator, tmp_path: Path) -> None:
    """An exception the app does not handle: exit status 1, one line saying where the details
    are, and no traceback on the terminal (its locals can hold ARNs, account ids, secrets)."""
    env = _env(sim)
    env["XDG_STATE_HOME"] = str(tmp_path)
    terminal = Terminal(["--region", "us-east-1"], env, code=CRASH)
    try:
        assert terminal.wait_exit() == 1
        assert_given_back(terminal)
    finally:
        terminal.close()
    log = tmp_path / "artui" / "artui.log"
    assert f"artui: crashed; details in {log}".encode() in terminal.out
    assert b"Traceback" not in terminal.out and b"123456789012" not in terminal.out
    assert "RuntimeError: boom in on_mount arn" in log.read_text()
