"""Seconds from confirming a rollback to its operation in the activity, on the demo.

    python bench/rollback.py [--runs N]

Each run launches `artui --demo` in a fresh 80x24 pseudo-terminal, opens auth-gateway's
configuration (`/auth` enter, `C`), waits for its repository's images, presses `B`, picks
the image after the newest (`j` enter), and, once the confirmation shows, presses `y` and
then `a`. The clock runs from `y` until the activity shows the Update operation (PENDING
at first, as App Runner starts one). Prints each run, then min / p50 / max. Target
(issue 24): under 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from pty_app import PtyApp


def send(app: PtyApp, keys: bytes, gap: float = 0.1) -> None:
    """Type `keys`, reading what the app draws meanwhile."""
    for key in keys:
        os.write(app.master, bytes([key]))
        until = time.perf_counter() + gap
        while time.perf_counter() < until:
            app.drain(max(0.0, until - time.perf_counter()))


def wait_after(app: PtyApp, start: int, text: bytes, timeout: float = 60) -> None:
    """Until `text` is drawn after byte `start` of the screen."""
    deadline = time.perf_counter() + timeout
    while text not in app.screen[start:]:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{text!r} not drawn:\n{app.screen[-1500:]!r}")
        app.drain(0.02)


def one_run() -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["TERM"] = "xterm-256color"
    app = PtyApp(["--demo"], env, size=(80, 24))
    try:
        app.wait_for(b"over 5% 5xx", timeout=60)  # the list, with its figures
        send(app, b"/auth\r")
        mark = len(app.screen)
        send(app, b"C")
        wait_after(app, mark, b"enter reveals")  # the configuration read, images and all
        mark = len(app.screen)
        send(app, b"B")
        wait_after(app, mark, b"pushed")
        mark = len(app.screen)
        send(app, b"j\r")
        wait_after(app, mark, b"Roll back auth-gateway in")
        mark = len(app.screen)
        started = time.perf_counter()
        send(app, b"y", gap=0)
        send(app, b"a", gap=0)
        # The activity's header, then the new operation's row under it (PENDING, then
        # IN_PROGRESS: the simulator, as App Runner, starts an operation pending).
        wait_after(app, mark, b"Started")
        wait_after(app, app.screen.index(b"Started", mark), b"Update ")
        return time.perf_counter() - started
    finally:
        app.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("artui --demo at 80x24: auth-gateway rolled back to its previous image")
    seconds = []
    for run in range(1, args.runs + 1):
        took = one_run()
        seconds.append(took)
        print(f"run {run}: y to the Update operation in the activity {took:.2f} s")
    print(
        f"seconds from the confirmation to the operation in the activity: min {min(seconds):.2f}, "
        f"p50 {statistics.median(seconds):.2f}, max {max(seconds):.2f} (target: < 2 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
