"""The terminal artui runs on: whether it can show the app at all, and how signals end it.

Textual gives the terminal back (the main screen, no mouse reporting, the termios modes it
found) when the app exits the way `q` ends it. A signal's default action kills the process
before that, and the operator has to type `reset`. So, once installed:

- SIGTERM, SIGHUP and SIGINT end artui the way `q` does once the app runs (Textual restores
  the terminal); before the app runs (or after it), they raise SystemExit, so the command
  line's clean-up still ends the prefetch child. Either way the exit status is 128 plus the
  signal's number (143, 129, 130), what a shell shows for a process the signal killed.
- SIGQUIT, or a second SIGTERM/SIGHUP/SIGINT while the app is already leaving: the terminal
  is put back here (the escape sequences that undo Textual's, and the termios modes saved
  before Textual changed them), the prefetch child is ended, and the signal is raised again
  with its default action, so the process dies by it (SIGQUIT dumps core where that is on).
- SIGHUP once the terminal is gone (a dropped SSH session): no graceful exit, which would
  hang on Textual's writer to the dead tty; the child is ended and SIGHUP raised again.
- A signal this process was started ignoring (`nohup` ignores SIGHUP) stays ignored.

Nothing here imports Textual (nor asyncio until the app runs): the command line installs
this before the prefetch child starts and Textual is loaded.
"""

from __future__ import annotations

import os
import signal
import sys
import termios
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn, Protocol

# What Textual's LinuxDriver turns on, turned off (textual/drivers/linux_driver.py): mouse
# reporting (1000, 1003, 1015, 1006, pixels 1016), bracketed paste, in-band resize, focus
# events, the kitty keyboard protocol (popped before leaving the alternate screen), line
# wrapping (Textual turns it off), then the alternate screen and the hidden cursor.
RESTORE = (
    "\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?1016l"
    "\x1b[?2004l\x1b[?2048l\x1b[?1004l\x1b[?7h\x1b[<u\x1b[?1049l\x1b[?25h"
)

# TERM values that promise nothing: Textual would still send truecolor and cursor addressing.
UNFIT_TERMS = frozenset({"", "dumb", "unknown"})

# The signals that end artui the way `q` does; SIGQUIT restores the terminal and dies by it.
EXITING = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
HANDLED = (*EXITING, signal.SIGQUIT)


def exit_status(signum: int) -> int:
    """The exit status for an app a signal ended: 128 + its number, as a shell reports it."""
    return 128 + signum


def unfit_terminal(environ: Mapping[str, str]) -> str | None:
    """Why this terminal cannot run artui (TERM unset, empty or dumb), or None if it can."""
    term = environ.get("TERM", "")
    if term.strip().lower() not in UNFIT_TERMS:
        return None
    which = f"TERM={term}" if term else "TERM is not set"
    return (
        f"this terminal ({which}) cannot show a full-screen app; run artui in a terminal "
        "such as xterm, or set TERM (e.g. TERM=xterm-256color)"
    )


class Exitable(Protocol):
    """The app, as far as signals are concerned (Textual's App.exit)."""

    def exit(self, result: Any = None, return_code: int = 0, message: Any = None) -> None: ...


class Signals:
    """artui's signal handlers, from the command line's first step to the process's end."""

    def __init__(self) -> None:
        # Called before dying outright: ends the prefetch child (set once it is started).
        self.on_abort: Callable[[], None] | None = None
        self._app: Exitable | None = None
        self._leaving = False
        self._previous: dict[int, Any] = {}
        self._holding = False
        self._pending: int | None = None
        stdin = sys.__stdin__
        self._fd = stdin.fileno() if stdin is not None and stdin.isatty() else None
        self._saved: list[Any] | None = None
        if self._fd is not None:
            try:
                self._saved = termios.tcgetattr(self._fd)
            except termios.error:
                self._fd = None

    # -- installing ----------------------------------------------------------------------

    def install(self) -> None:
        """Handle the signals from now on (main thread only); ignored ones stay ignored."""
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in HANDLED:
            previous = signal.getsignal(sig)
            if previous is signal.SIG_IGN:
                continue
            self._previous[sig] = signal.signal(sig, self._on_signal)

    def uninstall(self) -> None:
        """Put back the handlers found at install (for a caller that carries on)."""
        for sig, previous in self._previous.items():
            signal.signal(sig, previous if previous is not None else signal.SIG_DFL)
        self._previous.clear()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the signals back while a child is started and its handle is kept (a signal
        in between would leave it unknown, and running); they act when the block ends."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
            pending, self._pending = self._pending, None
            if pending is not None:
                self._on_signal(pending, None)

    def run(self, app: Any) -> None:
        """Run the app (as Textual's App.run does) with its signals handled on its loop."""
        import asyncio  # here: importing it takes longer than starting the prefetch child

        asyncio.run(self._run(app))

    async def _run(self, app: Any) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        # On the loop, not as plain handlers: the loop wakes at once whichever thread the
        # kernel interrupted, and the app is told between two of its callbacks.
        watched = [sig for sig in EXITING if sig in self._previous]
        self._app = app
        for sig in watched:
            loop.add_signal_handler(sig, self._on_app_signal, sig)
        try:
            await app.run_async()
        finally:
            self._app = None
            for sig in watched:
                loop.remove_signal_handler(sig)  # it leaves SIG_DFL: ours again
                signal.signal(sig, self._on_signal)

    # -- handling --------------------------------------------------------------------------

    def _on_signal(self, signum: int, frame: Any) -> None:
        """The plain handler: SIGQUIT at any time; the others while the app is not running."""
        if self._holding:
            self._pending = self._pending or signum
            return
        if signum == signal.SIGQUIT:
            self.die(signum)
        raise SystemExit(exit_status(signum))

    def _on_app_signal(self, signum: int) -> None:
        """On the app's loop: leave as `q` does, unless the terminal is gone or this repeats."""
        if signum == signal.SIGHUP and self._terminal_gone():
            self.die(signum, restore=False)
        if self._leaving or self._app is None:
            self.die(signum)
        self._leaving = True
        self._app.exit(return_code=exit_status(signum))

    def _terminal_gone(self) -> bool:
        return self._fd is not None and not os.isatty(self._fd)

    def die(self, signum: int, *, restore: bool = True) -> NoReturn:
        """End the child, give the terminal back, and die by `signum` (its default action)."""
        if self.on_abort is not None:
            try:
                self.on_abort()
            except Exception:  # dying anyway
                pass
        if restore:
            self.restore_terminal()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        os._exit(exit_status(signum))  # pragma: no cover - the signal has ended the process

    def restore_terminal(self) -> None:
        """Undo what Textual set on the terminal, if it is still set (a no-op otherwise)."""
        if self._fd is None or self._saved is None:
            return
        try:
            now = termios.tcgetattr(self._fd)
        except termios.error:  # the terminal is gone
            return
        modes = termios.ICANON | termios.ECHO
        if now[3] & modes != self._saved[3] & modes:  # the app changed them: it is showing
            out = sys.__stderr__  # where Textual writes
            try:
                os.write(out.fileno() if out is not None else 2, RESTORE.encode())
            except OSError:
                pass
        try:
            termios.tcsetattr(self._fd, termios.TCSANOW, self._saved)
        except termios.error:
            pass
