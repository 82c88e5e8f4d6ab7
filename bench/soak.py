"""A shift on the simulator: artui's memory, tasks, threads, exceptions and requests over N
minutes of churn. Prints RSS each minute, its slope after a warm-up, and the rest.

    python bench/soak.py [--minutes 30] [--size 100x30] [--tracemalloc]

The simulator runs in this process (the demo: one region, its seven services, the world
writing their logs, operations nine times faster than AWS's); artui runs as a fresh
process in a pseudo-terminal, started by this script in its `--child` mode: the app as
`artui.launch.build_app` builds it (refresh 5 s, as by default), its log file set up as
the command line sets it up, plus a reporter that counts the event loop's unhandled
exceptions and threads' uncaught ones, and on SIGUSR1 writes its asyncio tasks and threads.

Meanwhile this script churns (every action through the simulator, as another operator or
AWS itself would cause it):

- deploys (StartDeployment) round the running services, one a minute and a half; one
  service's image is set to `fail-deploy` first, so its deploys fail;
- pauses and resumes, in turn; custom domains linked, validated (`/_sim/dns`) and unlinked;
- log floods: 3,000 lines at once into the log on show, and the world's steady lines;
- injected faults on every API: App Runner and CloudWatch calls failing (throttled, 500,
  503, access denied: `/_sim/faults`, 25 calls at a time); Live Tail refused for a while,
  or closed at once (`/_sim/livetail`), and sessions ended by AWS's three-hour limit (the
  simulator's clock moved on);

and moves the operator round the services: each service's logs, then its metrics, then its
activity, 40 seconds each, back to the list between them. Before the N minutes start, a
tour of them all (3 s each, about 1.5 minutes) puts in place what artui keeps per service
and loads once.

RSS is the child's (VmRSS) at the end of each minute, beside its live objects (after a
collection; those frozen at start-up not counted): RSS can step up as the allocator takes
more arenas, objects say whether anything is kept. The slope is the least-squares fit over
the minutes after the warm-up (5 minutes). Tasks, threads and objects are counted on the
services list, after the tour and after the last pane has closed. Requests a minute are the
app's own, per API and operation: the simulator's request log less what this script sent
(its clients do not retry, so each call is one request). --tracemalloc also traces the
app's allocations (strings too, which the collector does not track) and names the lines
whose allocations grew most since the tour.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

REGION = "us-east-1"
WARMUP_MINUTES = 5
PANE_SECONDS = 40.0
# First a tour, every pane of every service a few seconds each, before the shift's clock
# starts: what artui keeps per service (operations, charts, a tail's state) and loads once
# (the charts' plotting library) is then in place, and the shift measures the shift.
TOUR_SECONDS = 3.0
PANES = (b"l", b"m", b"a")  # logs, metrics, activity: opened from the list on its row
FLOOD_LINES = 3_000
FAULTS = (
    ("ThrottlingException", 400),
    ("InternalFailure", 500),
    ("ServiceUnavailable", 503),
    ("AccessDeniedException", 400),
)
LIVETAIL_SESSION_S = 3 * 3600
LOGS_OPERATIONS = ("CreateLogGroup", "CreateLogStream", "PutLogEvents")


# -- the child: artui with a reporter ----------------------------------------------------


def child(report_path: str, trace: bool) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import asyncio
    import gc
    import tracemalloc

    from artui import logfile
    from artui.launch import build_app
    from artui.settings import Settings

    logfile.setup()
    report = open(report_path, "a", buffering=1)

    def note(line: str) -> None:
        report.write(line.replace("\n", " ") + "\n")

    def loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        what = f"{type(exc).__name__}: {exc}" if exc is not None else context.get("message")
        note(f"exception loop {what}")

    def thread_exception(args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread is not None else "?"
        note(f"exception thread {name} {args.exc_type.__name__}: {args.exc_value}")

    threading.excepthook = thread_exception
    first_types: collections.Counter[str] = collections.Counter()
    traced: list[tracemalloc.Snapshot] = []
    if trace:
        tracemalloc.start()

    def sample() -> None:
        tasks = asyncio.all_tasks()
        names = collections.Counter(_task_kind(task) for task in tasks)
        top = ", ".join(f"{name} {n}" for name, n in names.most_common(4))
        # Live objects, garbage collected first; those frozen at start-up (gc.freeze) are
        # not counted: a leak is made of objects created later.
        gc.collect()
        live = collections.Counter(type(o).__qualname__ for o in gc.get_objects())
        objects = sum(live.values())
        note(f"sample {len(tasks)} {threading.active_count()} {objects} {top}")
        if not first_types:
            first_types.update(live)
        grown = sorted(((n - first_types[name], name) for name, n in live.items()), reverse=True)
        note("grown " + ", ".join(f"{name} {n:+d}" for n, name in grown[:8] if n > 0))
        if trace:
            # Every allocation, strings too (the collector does not track them).
            snapshot = tracemalloc.take_snapshot()
            if traced:
                top = snapshot.compare_to(traced[0], "lineno")[:8]
                note(
                    "traced "
                    + "; ".join(
                        f"{stat.traceback[0]} {stat.size_diff / 1024:+.0f} KiB" for stat in top
                    )
                )
            else:
                traced.append(snapshot)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(loop_exception)
        loop.add_signal_handler(signal.SIGUSR1, sample)
        app = build_app(Settings(regions=(REGION,)))
        await app.run_async()

    asyncio.run(main())


def _task_kind(task: Any) -> str:
    """What a task runs, without its instance's address: Textual names none of its own."""
    coro = task.get_coro()
    return getattr(coro, "__qualname__", type(coro).__name__)


# -- the parent: the simulator, the churn, the pty --------------------------------------


class Churn:
    """What this script does to the simulator; counts its own requests by operation."""

    def __init__(self, sim: Any) -> None:
        import boto3
        from botocore.config import Config

        self.sim = sim
        kwargs = {
            "region_name": REGION,
            "endpoint_url": sim.endpoint,
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
            # One request a call: the counts below are subtracted from the request log.
            "config": Config(retries={"total_max_attempts": 1}),
        }
        self.apprunner = boto3.client("apprunner", **kwargs)
        self.logs = boto3.client("logs", **kwargs)
        self.sent: collections.Counter[str] = collections.Counter()
        self.done: collections.Counter[str] = collections.Counter()  # what took effect
        self.refused: collections.Counter[str] = collections.Counter()
        self.services = {s["ServiceName"]: s for s in self._call("ListServices")}
        self.names = sorted(self.services)
        self._turn = 0
        self._domain: str | None = None
        self._failing = False

    def _call(self, operation: str, **params: Any) -> Any:
        """One App Runner or Logs call, counted; None if AWS (the simulator) refused it."""
        client = self.logs if operation in LOGS_OPERATIONS else self.apprunner
        name = "".join("_" + c.lower() if c.isupper() else c for c in operation)[1:]
        method = getattr(client, name)
        self.sent[operation] += 1
        try:
            answer = method(**params)
        except client.exceptions.ClientError as exc:
            self.refused[f"{operation}: {exc.response['Error']['Code']}"] += 1
            return None
        self.done[operation] += 1
        if operation == "ListServices":
            return answer["ServiceSummaryList"]
        return answer

    def control(self, method: str, path: str, doc: dict[str, Any] | None = None) -> Any:
        """The simulator's /_sim/ control API (not in its request log)."""
        data = json.dumps(doc).encode() if doc is not None else None
        request = urllib.request.Request(self.sim.endpoint + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def arn(self, name: str) -> str:
        return str(self.services[name]["ServiceArn"])

    def status(self, name: str) -> str:
        found = self._call("DescribeService", ServiceArn=self.arn(name))
        return str(found["Service"]["Status"]) if found else "?"

    def fail_deploys(self, name: str) -> None:
        """Point `name` at a `fail-deploy` image: its deploys fail from then on. Again until
        it takes (a service busy with an operation refuses updates)."""
        if self._failing:
            return
        found = self._call("DescribeService", ServiceArn=self.arn(name))
        if not found:
            return
        source = found["Service"]["SourceConfiguration"]
        image = dict(source["ImageRepository"])
        image["ImageIdentifier"] = image["ImageIdentifier"].rsplit(":", 1)[0] + ":fail-deploy"
        kept = {k: source[k] for k in ("AutoDeploymentsEnabled", "AuthenticationConfiguration")}
        self._failing = bool(
            self._call(
                "UpdateService",
                ServiceArn=self.arn(name),
                SourceConfiguration={"ImageRepository": image, **kept},
            )
        )

    def deploy(self) -> None:
        """StartDeployment on the next service (refused if it is paused or busy)."""
        name = self.names[self._turn % len(self.names)]
        self._turn += 1
        self._call("StartDeployment", ServiceArn=self.arn(name))

    def pause_or_resume(self, name: str) -> None:
        if self.status(name) == "PAUSED":
            self._call("ResumeService", ServiceArn=self.arn(name))
        else:
            self._call("PauseService", ServiceArn=self.arn(name))

    def domain(self, name: str, n: int) -> None:
        """Link a new domain and put its records in DNS; the next call unlinks it."""
        if self._domain is None:
            domain = f"soak{n}.example.com"
            if self._call("AssociateCustomDomain", ServiceArn=self.arn(name), DomainName=domain):
                self._domain = domain
                self.control("POST", "/_sim/dns", {"domain": domain, "service": name})
        else:
            self._call(
                "DisassociateCustomDomain", ServiceArn=self.arn(name), DomainName=self._domain
            )
            self._domain = None

    def fault(self, n: int) -> None:
        """The next 25 App Runner and CloudWatch calls fail, in turn by each kind of fault."""
        error, status = FAULTS[n % len(FAULTS)]
        doc = {"operation": "*", "error": error, "status": status, "count": 25}
        self.control("POST", "/_sim/faults", {**doc, "message": "soak"})

    def flood(self, name: str, n: int) -> None:
        """FLOOD_LINES lines into `name`'s application log at once, 1,000 a call."""
        service = self.services[name]
        group = f"/aws/apprunner/{name}/{service['ServiceId']}/application"
        stream = "instance/50a450a4"
        # Refused once they exist (the world makes the groups): harmless, and counted.
        self._call("CreateLogGroup", logGroupName=group)
        self._call("CreateLogStream", logGroupName=group, logStreamName=stream)
        now = int(time.time() * 1000)
        for start in range(0, FLOOD_LINES, 1_000):
            events = [
                {"timestamp": now, "message": f"soak flood {n} line {i} GET /api/orders 200"}
                for i in range(start, min(start + 1_000, FLOOD_LINES))
            ]
            self._call("PutLogEvents", logGroupName=group, logStreamName=stream, logEvents=events)


class Soak:
    """The app in a pty, moved round the panes, sampled each minute."""

    def __init__(
        self, sim: Any, minutes: float, size: tuple[int, int], tmp: str, trace: bool
    ) -> None:
        from pty_app import PtyApp, sim_env

        self.sim = sim
        self.minutes = minutes
        self.report = os.path.join(tmp, "report")
        Path(self.report).touch()
        env = {**sim_env(sim.env()), "XDG_STATE_HOME": os.path.join(tmp, "state")}
        self.log = Path(tmp, "state", "artui", "artui.log")
        args = ["--child", self.report, *(["--tracemalloc"] if trace else [])]
        self.app = PtyApp(args, env, size=size, program=__file__)
        self.churn = Churn(sim)
        self.rss: list[float] = []
        self.per_minute: list[collections.Counter[str]] = []
        self.samples: list[str] = []
        self._row = 0
        self._seen_requests = 0.0

    # -- the terminal -------------------------------------------------------------------

    def pump(self, seconds: float) -> None:
        """Read what the app draws for `seconds` (the pty must not fill up)."""
        end = time.perf_counter() + seconds
        while True:
            left = end - time.perf_counter()
            if left <= 0:
                return
            self.app.drain(min(left, 0.2))
            self.app.screen = self.app.screen[-20000:]

    def press(self, key: bytes, settle: float = 0.3) -> None:
        os.write(self.app.master, key)
        self.pump(settle)

    def to_row(self, row: int) -> None:
        """Move the list's cursor to `row` (the list is sorted by name, its rows fixed)."""
        while self._row < row:
            self.press(b"j", 0.1)
            self._row += 1
        while self._row > row:
            self.press(b"k", 0.1)
            self._row -= 1

    # -- the child's reports ------------------------------------------------------------

    def lines(self, prefix: str) -> list[str]:
        return [
            line[len(prefix) :].strip()
            for line in Path(self.report).read_text().splitlines()
            if line.startswith(prefix)
        ]

    def sample(self) -> str:
        """The child's tasks, threads and live objects now: 'tasks threads objects (the most
        common tasks)'."""
        before = len(self.lines("sample "))
        os.kill(self.app.proc.pid, signal.SIGUSR1)
        deadline = time.perf_counter() + 30
        while len(self.lines("sample ")) == before:
            if time.perf_counter() > deadline:
                raise TimeoutError("the app did not report its tasks")
            self.pump(0.1)
        return self.lines("sample ")[-1]

    def child_rss(self) -> float:
        from processes import rss_mb

        return rss_mb(self.app.proc.pid)

    def requests_since_last(self) -> collections.Counter[str]:
        """The app's requests since the last call, by 'api operation': what the simulator
        served less what the churn sent meanwhile."""
        counts: collections.Counter[str] = collections.Counter()
        newest = self._seen_requests
        for entry in self.sim.requests.entries():
            if entry["time"] > self._seen_requests:
                counts[f"{entry['service']} {entry['operation']}"] += 1
                newest = max(newest, entry["time"])
        self._seen_requests = newest
        for key in counts:
            counts[key] -= self.churn.sent[key.split(" ", 1)[1]]
        self.churn.sent.clear()
        return +counts  # the churn's own operations drop out

    # -- the shift ----------------------------------------------------------------------

    def tour(self) -> None:
        """Every pane of every service, TOUR_SECONDS each, then back to the list's top."""
        for row in range(len(self.churn.names)):
            for key in PANES:
                self.to_row(row)
                self.press(key, TOUR_SECONDS)
                self.press(b"\x1b", 1.0)
        self.to_row(0)
        self.pump(5.0)  # the panes' workers end

    def run(self) -> dict[str, Any]:
        churn = self.churn
        first = churn.names[0].encode()
        self.app.wait_for(first, timeout=180)
        self.pump(5.0)  # the first metrics read lands
        self.tour()
        self.samples.append(self.sample())
        self.requests_since_last()
        start = time.perf_counter()
        minute_ends = start + 60
        pane_at = start
        step = 0
        n = 0
        on_pane = False
        actions = self._schedule()
        while len(self.rss) < self.minutes:
            now = time.perf_counter()
            if now >= pane_at:
                # Back to the list, then the next pane of the service in turn.
                if on_pane:
                    self.press(b"\x1b", 1.0)
                service = (step // len(PANES)) % len(churn.names)
                self.to_row(service)
                self.press(PANES[step % len(PANES)], 0.5)
                on_pane = True
                step += 1
                pane_at = now + PANE_SECONDS
            elapsed = now - start
            while actions and actions[0][0] <= elapsed:
                _, act = actions.pop(0)
                n += 1
                act(n, churn.names[((step - 1) // len(PANES)) % len(churn.names)])
            if now >= minute_ends:
                self.rss.append(self.child_rss())
                self.per_minute.append(self.requests_since_last())
                objects = self.sample().split(" ", 3)[2]
                minute = len(self.rss)
                print(
                    f"minute {minute:3d}  rss {self.rss[-1]:7.1f} MB  objects {objects}",
                    flush=True,
                )
                minute_ends += 60
            self.pump(0.5)
        if on_pane:
            self.press(b"\x1b", 1.0)
        self.pump(10.0)  # the panes' workers end, the Live Tail session closes
        self.samples.append(self.sample())
        return {
            "rss": self.rss,
            "samples": self.samples,
            "requests": self.per_minute,
            "exceptions": self.lines("exception "),
            "grown": self.lines("grown ")[-1],
            "traced": self.lines("traced "),
            "tracebacks": self._tracebacks(),
            "alive": self.app.proc.poll() is None,
        }

    def _schedule(self) -> list[tuple[float, Any]]:
        """(seconds into the shift, action(n, service on show)), in time order."""
        churn = self.churn
        total = self.minutes * 60
        plan: list[tuple[float, Any]] = []

        def every(period: float, offset: float, act: Any) -> None:
            at = offset
            while at < total:
                plan.append((at, act))
                at += period

        every(30, 5, lambda n, name: churn.fail_deploys("orders-service"))
        every(90, 20, lambda n, name: churn.deploy())
        every(150, 45, lambda n, name: churn.pause_or_resume("inventory-sync"))
        every(100, 70, lambda n, name: churn.domain("checkout-api", n))
        every(60, 30, lambda n, name: churn.flood(name, n))
        every(120, 55, lambda n, name: churn.fault(n))
        every(300, 100, lambda n, name: churn.control("POST", "/_sim/livetail", {"mode": "refuse"}))
        every(
            300, 190, lambda n, name: churn.control("POST", "/_sim/livetail", {"mode": "oneshot"})
        )
        every(300, 250, lambda n, name: churn.control("POST", "/_sim/livetail", {"mode": "live"}))
        every(
            420,
            350,
            lambda n, name: churn.control("POST", "/_sim/clock", {"advance": LIVETAIL_SESSION_S}),
        )
        plan.sort(key=lambda item: item[0])
        return plan

    def _tracebacks(self) -> int:
        if not self.log.exists():
            return 0
        return self.log.read_text(errors="replace").count("Traceback (most recent call last)")


def slope(values: list[float]) -> float:
    """The least-squares slope of `values` against their index (units per step)."""
    n = len(values)
    if n < 2:
        return float("nan")
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    den = sum((x - mean_x) ** 2 for x in range(n))
    return num / den


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        child(sys.argv[2], trace="--tracemalloc" in sys.argv[3:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--size", default="100x30", help="the terminal, columns x rows")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="trace the app's allocations (slower, more memory) and name where they grew",
    )
    args = parser.parse_args()
    cols, rows = (int(v) for v in args.size.split("x"))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from artui.sim.server import DEMO_SPEEDUP, Simulator

    print(
        f"soak: {args.minutes:g} min, {REGION}, the demo's services and world, {cols}x{rows} pty;"
        f" logs, metrics, activity {PANE_SECONDS:g} s each in turn",
        flush=True,
    )
    with (
        Simulator(regions=(REGION,), speedup=DEMO_SPEEDUP, world=True) as sim,
        tempfile.TemporaryDirectory() as tmp,
    ):
        soak = Soak(sim, args.minutes, (cols, rows), tmp, args.tracemalloc)
        try:
            got = soak.run()
        finally:
            soak.app.stop()
        churn = soak.churn
    rss = got["rss"]
    after = rss[WARMUP_MINUTES - 1 :] if len(rss) > WARMUP_MINUTES else []
    if after:
        print(
            f"rss slope {slope(after):.2f} MB/min (minutes {WARMUP_MINUTES}-{len(rss)}, least"
            f" squares; target < 0.1); {rss[0]:.1f} MB at minute 1, {rss[-1]:.1f} MB at the end"
        )
    else:
        print(f"rss slope: too short a run (the warm-up is {WARMUP_MINUTES} minutes)")
    (start, end) = got["samples"]
    s_tasks, s_threads, s_objects, *s_top = start.split(" ", 3)
    e_tasks, e_threads, e_objects, *e_top = end.split(" ", 3)
    print(
        f"asyncio tasks {s_tasks} -> {e_tasks}, threads {s_threads} -> {e_threads}, live"
        f" objects {s_objects} -> {e_objects}"
        " (on the services list, after the tour and at the end)"
    )
    print(f"  most common tasks at the end: {''.join(e_top)}")
    print(f"  objects grown most since the tour: {got['grown'] or 'none'}")
    if got["traced"]:
        print(f"  allocations grown most since the tour: {got['traced'][-1]}")
    exceptions = got["exceptions"]
    print(
        f"unhandled exceptions: {len(exceptions)} (event loop, threads); tracebacks in the log"
        f" file: {got['tracebacks']}; app {'running' if got['alive'] else 'EXITED'} at the end"
    )
    for line in exceptions[:10]:
        print(f"  {line}")
    minutes = len(got["requests"]) or 1
    totals: collections.Counter[str] = collections.Counter()
    for counts in got["requests"]:
        totals.update(counts)
    print("requests a minute per API (the app's own: the churn's calls left out)")
    for key in sorted(totals):
        api, operation = key.split(" ", 1)
        print(f"  {api:<10} {operation:<28} {totals[key] / minutes:6.1f}")
    done = ", ".join(f"{op} {n}" for op, n in sorted(churn.done.items()))
    refused = ", ".join(f"{what} {n}" for what, n in sorted(churn.refused.items()))
    print(f"churn done: {done}")
    print(f"churn refused (busy, paused, injected faults): {refused or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
