"""Failing polls: the requests artui makes while every ListServices fails, by kind of failure.

For each kind, artui (refresh 5 s, two regions, on the services screen) runs against its own
simulator (no demo world, clock stopped). Once every app has settled, ListServices fails
from then on and `r` starts a poll at once; the calls are then counted for a fixed window:

- 5xx: 503 ServiceUnavailable; botocore retries it (any 5xx alike);
- throttled: ThrottlingException; botocore retries it and the poller waits twice as long;
- denied: AccessDeniedException; not retried, and a credential error: the poller waits 60 s;
- refused: the simulator stops, so its port refuses connections. Nothing is there to log
  requests, so the app's own connect() calls to that port are counted instead, by an audit
  hook (`sys.addaudithook`, event `socket.connect`) that a sitecustomize on PYTHONPATH puts in
  that app's processes; artui's code is the same.

HTTP requests are counted by the simulator's request log; botocore's attempt number is read
from each request's `amz-sdk-request` header (`attempt=1` begins a call: one per region per
poll). The kinds run side by side, one app each, so the bench takes one window plus startup.

    python bench/failing.py [--seconds S] [--kinds 5xx,throttled,denied,refused]
"""

from __future__ import annotations

import argparse
import os
import re
import select
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pty_app import PtyApp, sim_env

from artui.sim.control import fault_from_json
from artui.sim.server import Simulator

REGIONS = ("us-east-1", "eu-west-1")
# The error each HTTP kind answers ListServices with; `refused` stops the simulator instead.
FAULTS: dict[str, dict[str, Any] | None] = {
    "5xx": {"error": "ServiceUnavailable", "status": 503, "message": "Service unavailable"},
    "throttled": {"error": "ThrottlingException"},
    "denied": {"error": "AccessDeniedException", "message": "not authorized"},
    "refused": None,
}
# Wide enough for the whole status line (STALE, the age, and each region's error).
TERMINAL = (220, 24)
STEADY_AFTER = 60.0  # seconds; the backoff has reached its 60 s ceiling by then

# Put in the refused kind's processes through PYTHONPATH; counts connect() to one port.
SITECUSTOMIZE = """\
import os
import sys
import time

_LOG = os.environ.get("ARTUI_BENCH_CONNECT_LOG")
_PORT = int(os.environ.get("ARTUI_BENCH_CONNECT_PORT", "0"))


def _count_connects(event, args):
    if event == "socket.connect" and _LOG:
        address = args[1]
        if isinstance(address, tuple) and len(address) >= 2 and address[1] == _PORT:
            with open(_LOG, "a") as log:
                log.write(f"{time.time()}\\n")


sys.addaudithook(_count_connects)
"""


@dataclass
class Run:
    """One kind of failure: its simulator, its app, and what was counted."""

    kind: str
    sim: Simulator
    app: PtyApp | None = None
    start: float = 0.0
    # (time, botocore attempt number) of each ListServices request the simulator received.
    attempts: list[tuple[float, int]] = field(default_factory=list)
    connect_log: Path | None = None


def watch_attempts(run: Run) -> None:
    """Note the `amz-sdk-request` attempt of each ListServices call the simulator serves.

    The request log keeps no headers, so the bench wraps the simulator's App Runner handler
    (private, looked up per request by its dispatcher) in this process only.
    """
    serve = run.sim._apprunner

    def wrapped(request: Any, operation: str, body: bytes) -> Any:
        if operation == "ListServices":
            found = re.search(r"attempt=(\d+)", request.headers.get("amz-sdk-request", ""))
            run.attempts.append((time.time(), int(found.group(1)) if found else 0))
        return serve(request, operation, body)

    run.sim._apprunner = wrapped  # type: ignore[method-assign]


def drain(apps: list[PtyApp], seconds: float) -> None:
    """Read every app's terminal for `seconds`, so none blocks on a full buffer."""
    deadline = time.perf_counter() + seconds
    while (left := deadline - time.perf_counter()) > 0:
        ready, _, _ = select.select([a.master for a in apps], [], [], min(left, 0.5))
        for app in apps:
            if app.master in ready:
                app.drain(0)


def wait_for(app: PtyApp, apps: list[PtyApp], text: bytes, timeout: float = 60.0) -> None:
    """Wait until `app` shows `text`, reading every app's terminal meanwhile."""
    while text not in app.screen:
        if time.perf_counter() - app.started > timeout:
            raise TimeoutError(f"{text!r} not on screen after {timeout}s")
        drain(apps, 0.25)


def launch(run: Run, state: Path, hook: Path, apps: list[PtyApp]) -> None:
    """Start the app for `run`, wait for its first list, and add it to `apps`."""
    env = sim_env(run.sim.env())
    env["XDG_STATE_HOME"] = str(state / run.kind)  # its log file, not the user's
    if FAULTS[run.kind] is None:
        run.connect_log = state / "connects.log"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hook), env.get("PYTHONPATH")]))
        env["ARTUI_BENCH_CONNECT_LOG"] = str(run.connect_log)
        env["ARTUI_BENCH_CONNECT_PORT"] = run.sim.endpoint.rsplit(":", 1)[1]
    args = [arg for region in REGIONS for arg in ("--region", region)]
    run.app = PtyApp(args, env, size=TERMINAL)
    apps.append(run.app)
    wait_for(run.app, apps, b"updated")


def begin(run: Run) -> None:
    """Make every ListServices fail from now on, and press `r` for a poll at once."""
    fault = FAULTS[run.kind]
    if fault is None:
        run.sim.stop()
    else:
        run.sim.faults.add(fault_from_json({"operation": "ListServices", "count": -1, **fault}))
    run.sim.requests.clear()
    run.attempts.clear()
    run.start = time.time()
    assert run.app is not None
    os.write(run.app.master, b"r")


def polls_of(times: list[float], gap: float = 5.0) -> int:
    """Polls among fail-fast connect times: bursts apart by more than `gap` seconds (the
    poller waits 10 s or more after a failure; both regions connect within milliseconds)."""
    times = sorted(times)
    return sum(1 for i, t in enumerate(times) if i == 0 or t - times[i - 1] > gap)


def status_line(screen: bytes) -> str:
    """The last STALE status line drawn (escape codes stripped), up to a wide gap."""
    at = screen.rfind(b"STALE")
    if at < 0:
        return "no STALE shown"
    return screen[at:].split(b"   ", 1)[0].decode(errors="replace").strip()


def report(run: Run, elapsed: float) -> dict[str, Any]:
    """The figures for one kind."""
    if run.connect_log is not None:
        text = run.connect_log.read_text() if run.connect_log.exists() else ""
        times = [t for t in map(float, text.split()) if t >= run.start]
        polls = polls_of(times) * len(REGIONS)
        per_poll = f"{len(times) / polls:.1f} connect" if polls else "-"
    else:
        calls = run.sim.requests.entries()
        times = [c["time"] for c in calls if c["operation"] == "ListServices"]
        attempts = [a for t, a in run.attempts if t >= run.start]
        polls = sum(1 for a in attempts if a == 1)
        per_poll = f"{len(attempts) / polls:.1f} (max {max(attempts)})" if polls else "-"
    steady_span = elapsed - STEADY_AFTER
    steady = [t for t in times if t >= run.start + STEADY_AFTER]
    assert run.app is not None
    return {
        "kind": run.kind,
        "requests": len(times),
        "per_s": len(times) / elapsed,
        "per_min": 60 * len(times) / elapsed,
        "per_min_region": 60 * len(times) / elapsed / len(REGIONS),
        "steady": 60 * len(steady) / steady_span / len(REGIONS) if steady_span > 0 else None,
        "per_poll": per_poll,
        "seen": status_line(run.app.screen),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--kinds", default=",".join(FAULTS), help="comma-separated")
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = set(kinds) - set(FAULTS)
    if unknown:
        parser.error(f"unknown kinds {sorted(unknown)}; known: {', '.join(FAULTS)}")
    runs = [
        Run(k, Simulator(regions=REGIONS, services=3, world=False, time_scale=0)) for k in kinds
    ]
    apps: list[PtyApp] = []
    with tempfile.TemporaryDirectory(prefix="artui-failing-") as tmp:
        state = Path(tmp)
        hook = state / "hook"
        hook.mkdir()
        (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
        try:
            for run in runs:
                run.sim.start()
                watch_attempts(run)
                launch(run, state, hook, apps)  # one at a time: startups share two cores
            # Settle, as bench/idle.py does: each app has finished loading and polls itself.
            drain(apps, 5)
            for run in runs:
                begin(run)
            drain(apps, args.seconds)
            elapsed = time.time() - min(r.start for r in runs)
            rows = [report(r, time.time() - r.start) for r in runs]
        finally:
            for app in apps:
                app.stop()
            for run in runs:
                run.sim.stop()
    print(
        f"ListServices failing in {len(REGIONS)} regions, refresh 5 s, "
        f"{elapsed:.0f} s measured; steady = from {STEADY_AFTER:.0f} s on"
    )
    head = ("kind", "requests", "per s", "per min", "/min/region", "steady", "per poll")
    print(f"{head[0]:<10}{head[1]:>9}{head[2]:>7}{head[3]:>9}{head[4]:>13}{head[5]:>8}  {head[6]}")
    for row in rows:
        steady = f"{row['steady']:.1f}" if row["steady"] is not None else "-"
        print(
            f"{row['kind']:<10}{row['requests']:>9}{row['per_s']:>7.2f}{row['per_min']:>9.1f}"
            f"{row['per_min_region']:>13.1f}{steady:>8}  {row['per_poll']}"
        )
    print("steady: per minute per region; per poll: botocore attempts per region per poll")
    print("(refused: connect() calls, as nothing receives requests)")
    for row in rows:
        print(f"{row['kind']}: {row['seen']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
