"""The simulator under load: 20 clients creating, listing, describing, deploying and deleting
services at once, as a team's CI jobs and tools would.

    python bench/sim_load.py [--requests 50000] [--clients 20] [--processes 4] [--scale 1000]

The simulator runs in a process of its own (as in bench/fleet.py), its quota raised so that
creates are never refused, its clock `--scale` times App Runner's pace so that operations
end while the clients work. The clients are boto3 clients, one per thread, spread over
`--processes` processes (one Python process would measure its own GIL). Each keeps a
service of its own: creates it, then rounds of ListServices, DescribeService,
ListOperations and StartDeployment, then deletes it (again each round while it is busy)
and creates another. Botocore does not retry (each call is one request and one latency).

Prints requests a second, p50 and p99 latency of reads (List*, Describe*) and of writes,
each answer by outcome: a change refused because the service has an operation in progress
is an expected answer, counted apart; any other error is an error. The latencies are what
the clients wait, their own CPU included: on a small machine 20 boto3 clients, not the
simulator, are the bottleneck (Little's law: 20 calls in flight / requests a second), so
the simulator's CPU a request is printed too, and the latency of one client alone before
and after the load (what the simulator itself takes, and whether what the load left
behind slowed it). Then the simulator process's RSS before the load, after 10,000 and
after 50,000 requests: it must stay flat (the request log keeps 10,000 calls and a region
the last 100 deleted services, `limits.DELETED_KEPT`; a live service's operations are its
history, and grow only with its own deployments).
Target: reads' p99 under 100 ms.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import threading
import time
from collections import Counter
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from processes import Sim, cpu_seconds, rss_mb, simulator

REGION = "us-east-1"
IMAGE = "public.ecr.aws/artui-bench/app:v1"
# Requests after which the simulator's RSS is read, besides at start and at the end.
CHECKPOINTS = (10_000, 50_000)
# A change refused because the service is busy: expected under this load. App Runner answers
# InvalidStateException where the operation's model lists it, else InvalidRequestException
# (StartDeployment); the message says why.
REFUSED = "refused, busy"
BUSY_CODES = frozenset({"InvalidStateException", "InvalidRequestException"})
BUSY_MESSAGE = "operation in progress"
# A client deploys its service in each of its first rounds, then deletes it (asking again
# each round while a deployment runs) and creates another.
DELETE_AFTER = 4


# One answer: (read or write, operation, outcome, sent at, seconds). Outcome: "ok", REFUSED
# or the error code; sent at: time.perf_counter(), the same monotonic clock in every process.
Sample = tuple[bool, str, str, float, float]


class Done(Exception):
    """The shared count has reached the total: the client stops."""


class Client:
    """One client's loop, on its own boto3 client, until the shared count reaches `total`."""

    def __init__(self, name: str, sim: Sim, count: Synchronized, total: int) -> None:  # type: ignore[type-arg]
        import boto3
        from botocore.config import Config

        self.name = name
        self.count = count
        self.total = total
        self.samples: list[Sample] = []
        self.client = boto3.client(
            "apprunner",
            region_name=REGION,
            endpoint_url=sim.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"total_max_attempts": 1}, max_pool_connections=2),
        )
        self.made = 0

    def call(self, operation: str, **params: Any) -> dict[str, Any] | None:
        """One request, timed and counted; None when it was not served (an error)."""
        with self.count.get_lock():
            if self.count.value >= self.total:
                raise Done
            self.count.value += 1
        method = getattr(self.client, _snake(operation))
        read = operation.startswith(("List", "Describe"))
        start = time.perf_counter()
        try:
            answer: dict[str, Any] = method(**params)
        except self.client.exceptions.ClientError as error:
            took = time.perf_counter() - start
            code = error.response["Error"]["Code"]
            if code in BUSY_CODES and BUSY_MESSAGE in error.response["Error"]["Message"]:
                code = REFUSED
            self.samples.append((read, operation, code, start, took))
            return None
        self.samples.append((read, operation, "ok", start, time.perf_counter() - start))
        return answer

    def create(self) -> str | None:
        """A new service of this client's from a public image; its ARN, None if refused."""
        self.made += 1
        source = {
            "ImageRepository": {"ImageIdentifier": IMAGE, "ImageRepositoryType": "ECR_PUBLIC"}
        }
        answer = self.call(
            "CreateService", ServiceName=f"{self.name}-{self.made}", SourceConfiguration=source
        )
        return answer["Service"]["ServiceArn"] if answer else None

    def run(self) -> None:
        """Create, then read and deploy, then delete, and again, until the total is reached."""
        try:
            arn = None
            rounds = 0
            while True:
                if arn is None:
                    arn = self.create()
                    continue
                rounds += 1
                self.call("ListServices", MaxResults=20)
                self.call("DescribeService", ServiceArn=arn)
                self.call("ListOperations", ServiceArn=arn)
                if rounds < DELETE_AFTER:
                    self.call("StartDeployment", ServiceArn=arn)
                elif self.call("DeleteService", ServiceArn=arn):  # refused while busy: again
                    arn, rounds = None, 0
        except Done:
            pass


def _snake(operation: str) -> str:
    from botocore import xform_name

    return xform_name(operation)


def _clients(
    first: int,
    clients: int,
    sim: Sim,
    count: Synchronized,
    total: int,
    out: Connection,  # type: ignore[type-arg]
) -> None:
    """`clients` client threads in this process; their samples sent back when all are done."""
    loops = [Client(f"load-{first + n}", sim, count, total) for n in range(clients)]
    threads = [threading.Thread(target=c.run) for c in loops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.send([s for c in loops for s in c.samples])


def alone(sim: Sim, name: str, reads: int) -> list[Sample]:
    """`reads` ListServices and DescribeService calls in turn by one client, nothing else
    running: what the simulator itself takes, beside what 20 clients at once wait."""
    client = Client(name, sim, multiprocessing.Value("q", 0), reads + 1)
    arn = client.create()
    try:
        while True:
            client.call("ListServices", MaxResults=20)
            client.call("DescribeService", ServiceArn=arn)
    except Done:
        return [s for s in client.samples if s[0]]


def quantile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of `values`, in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def report(
    samples: list[Sample],
    seconds: float,
    cpu: float,
    rss: list[tuple[str, float]],
    baselines: list[tuple[str, list[Sample]]],
) -> None:
    """Requests a second, latencies by kind, outcomes, the simulator's CPU and RSS."""
    for when, reads in baselines:
        times = [s[4] for s in reads]
        print(
            f"one client alone, {when}: {len(times)} reads, p50 {quantile(times, 0.5):.1f} ms, "
            f"p99 {quantile(times, 0.99):.1f} ms"
        )
    print(f"{len(samples)} requests in {seconds:.1f} s: {len(samples) / seconds:.0f} requests/s")
    print(
        f"  simulator CPU {cpu:.1f} s ({cpu / seconds:.0%} of a core), "
        f"{cpu / len(samples) * 1000:.2f} ms a request"
    )
    for read, kind in ((True, "reads "), (False, "writes")):
        times = [s[4] for s in samples if s[0] is read]
        if times:
            mean = statistics.fmean(times) * 1000
            print(
                f"  {kind} {len(times):6d}: p50 {quantile(times, 0.5):6.1f} ms, "
                f"p99 {quantile(times, 0.99):6.1f} ms, mean {mean:6.1f} ms"
            )
    outcomes = Counter((s[1], s[2]) for s in samples)
    for (operation, outcome), n in sorted(outcomes.items()):
        label = {"ok": "ok", REFUSED: f"{REFUSED} (expected)"}.get(outcome, f"ERROR {outcome}")
        print(f"  {operation:16s} {label:26s} {n:6d}")
    errors = sum(n for (_, outcome), n in outcomes.items() if outcome not in ("ok", REFUSED))
    print(f"  errors: {errors}")
    for when, mb in rss:
        print(f"  simulator RSS {when:>16s}: {mb:6.1f} MB")


def watch(
    pid: int,
    count: Synchronized,
    marks: list[int],
    rss: list[tuple[str, float]],
    stop: threading.Event,
) -> None:  # type: ignore[type-arg]
    """Read the simulator's RSS as the shared count passes each mark."""
    pending = list(marks)
    while pending and not stop.is_set():
        if count.value >= pending[0]:
            rss.append((f"after {pending.pop(0):,}", rss_mb(pid)))
            continue
        time.sleep(0.01)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50_000, help="in all (default 50,000)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument(
        "--scale", type=float, default=1000.0, help="simulated seconds per real second"
    )
    parser.add_argument(
        "--alone", type=int, default=400, help="reads by one client before and after the load"
    )
    args = parser.parse_args()
    marks = [m for m in CHECKPOINTS if m < args.requests]
    from artui.sim.apprunner.limits import MAX_QUOTA

    with simulator(
        regions=(REGION,), services=0, world=False, time_scale=args.scale, quota=MAX_QUOTA
    ) as sim:
        count = multiprocessing.Value("q", 0)
        pipes = []
        workers = []
        per = [
            args.clients // args.processes + (n < args.clients % args.processes)
            for n in range(args.processes)
        ]
        before = alone(sim, "alone-before", args.alone)
        rss = [("at start", rss_mb(sim.pid))]
        cpu = cpu_seconds(sim.pid)
        stop = threading.Event()
        watcher = threading.Thread(target=watch, args=(sim.pid, count, marks, rss, stop))
        first = 0
        for clients in per:
            ours, theirs = multiprocessing.Pipe()
            worker = multiprocessing.Process(
                target=_clients, args=(first, clients, sim, count, args.requests, theirs)
            )
            worker.start()
            pipes.append(ours)
            workers.append(worker)
            first += clients
        watcher.start()
        samples: list[Sample] = [s for pipe in pipes for s in pipe.recv()]
        # From the first request sent to the last answered: the clients' start-up left out.
        seconds = max(s[3] + s[4] for s in samples) - min(s[3] for s in samples)
        stop.set()
        watcher.join()
        for worker in workers:
            worker.join()
        rss.append((f"after {len(samples):,}", rss_mb(sim.pid)))
        cpu = cpu_seconds(sim.pid) - cpu
        after = alone(sim, "alone-after", args.alone)
    report(samples, seconds, cpu, rss, [("before the load", before), ("after it", after)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
