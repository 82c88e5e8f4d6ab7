"""Keys and seconds from launching `artui --demo` to the failing service's error lines, as
an operator at 80x24 gets there: found by its mark, not by its name.

    python bench/to_errors.py [--runs N] [--gap 0.2]

Each run launches `artui --demo` (its embedded simulator and world) in a fresh 80x24
pseudo-terminal, waits for the services list to mark a service over the 5xx threshold
(`! N over 5% 5xx` in the status line, `!` beside the name), then types `o` (sort by 5xx
share: the marked service on top, the cursor on it), `l` (its logs) and `E` (errors only),
`--gap` seconds apart. It stops the clock when the logs pane of checkout-api (the demo's
failing service) shows `errors only` with an ERROR line. Prints each run, then min / p50 /
max. Target (issue 23): at most 4 keys and under 3 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from pty_app import PtyApp

KEYS = (b"o", b"l", b"E")
MARK = b"over 5% 5xx"  # the status line's count of services marked `!`
TITLE = b"artui \xc2\xb7 checkout-api"  # the service view's title, "artui · checkout-api"


def one_run(gap: float) -> tuple[float, float]:
    """(seconds to the mark, seconds to the error lines), both from launch."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}}
    env["TERM"] = "xterm-256color"
    app = PtyApp(["--demo"], env, size=(80, 24))
    try:
        marked = app.wait_for(MARK, timeout=60)
        for key in KEYS:
            os.write(app.master, key)
            app.drain(0)
            until = time.perf_counter() + gap
            while time.perf_counter() < until:
                app.drain(max(0.0, until - time.perf_counter()))
        sent = len(app.screen)
        deadline = time.perf_counter() + 60
        while True:
            after = app.screen[sent:]
            view = app.screen[app.screen.rfind(TITLE) :] if TITLE in app.screen else b""
            if TITLE in app.screen and b"errors only" in view and b"ERROR" in after + view:
                return marked, time.perf_counter() - app.started
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no error lines of checkout-api:\n{app.screen[-1500:]!r}")
            app.drain(0.02)
    finally:
        app.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--gap", type=float, default=0.2, help="seconds between keys")
    args = parser.parse_args()
    print(f"artui --demo at 80x24, keys {' '.join(k.decode() for k in KEYS)} {args.gap}s apart")
    totals = []
    for run in range(1, args.runs + 1):
        marked, total = one_run(args.gap)
        totals.append(total)
        print(f"run {run}: the mark at {marked:.2f} s, checkout-api's error lines at {total:.2f} s")
    print(
        f"{len(KEYS)} keys; seconds from launch to the error lines: min {min(totals):.2f}, "
        f"p50 {statistics.median(totals):.2f}, max {max(totals):.2f} (target: 4 keys, < 3 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
