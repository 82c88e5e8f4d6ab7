"""GetMetricData calls and seconds per metrics refresh of the services list, for fleets of
10, 100 and 500 services on the simulator. Prints a table.

    python bench/metrics.py [--sizes 10,100,500] [--repeat 3]

Each fleet is a fresh simulator (one region, its clock stopped) read through artui's own
AWS layer and metrics engine (`artui.engine.metrics.fetch_fleet`), the code the services
list runs. "first" is a refresh with nothing held (the whole last hour); "next" is the one
a minute later, which reads only the newest minutes. Calls are counted with botocore's event
hooks on the client that sends them; the target is ceil(N*M/500) calls, M = the metrics per
service, and refresh time growing far slower than N.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import time
from typing import Any

from artui.aws.backend import over
from artui.aws.clients import Clients
from artui.domain.series import MAX_QUERIES, MINUTE
from artui.engine import metrics
from artui.sim.server import Simulator

REGION = "us-east-1"


async def measure(size: int, repeat: int) -> dict[str, Any]:
    """Calls and seconds of the first and the next refresh of a `size`-service fleet."""
    clients = Clients()
    backend = over(clients, None, (REGION,))
    try:
        services = await backend.apprunner.list_services(REGION)
        sent: list[int] = []
        client = await clients.get("cloudwatch", REGION)
        client.meta.events.register(
            "provide-client-params.cloudwatch.GetMetricData",
            lambda params, **_: sent.append(len(params["MetricDataQueries"])),
        )
        now = time.time() // MINUTE * MINUTE
        firsts, nexts, first_calls, next_calls = [], [], 0, 0
        for _ in range(repeat):
            sent.clear()
            started = time.perf_counter()
            held = await metrics.fetch_fleet(backend.metrics, REGION, services, {}, now)
            firsts.append(time.perf_counter() - started)
            first_calls = len(sent)
            sent.clear()
            started = time.perf_counter()
            await metrics.fetch_fleet(backend.metrics, REGION, services, held, now + MINUTE)
            nexts.append(time.perf_counter() - started)
            next_calls = len(sent)
        return {
            "services": len(services),
            "queries": len(services) * len(metrics.FLEET_METRICS),
            "target": math.ceil(len(services) * len(metrics.FLEET_METRICS) / MAX_QUERIES),
            "first_calls": first_calls,
            "first_s": statistics.median(firsts),
            "next_calls": next_calls,
            "next_s": statistics.median(nexts),
        }
    finally:
        await clients.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        with Simulator(
            regions=(REGION,), services=size, quota=max(size, 30), time_scale=0, world=False
        ) as sim:
            os.environ.update(sim.env())
            for key in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
                os.environ.pop(key, None)
            rows.append(asyncio.run(measure(size, args.repeat)))
    print(
        f"{'services':>8} {'queries':>8} {'target':>6} {'first: calls':>12} {'seconds':>8}"
        f" {'next: calls':>11} {'seconds':>8}"
    )
    for row in rows:
        print(
            f"{row['services']:>8} {row['queries']:>8} {row['target']:>6}"
            f" {row['first_calls']:>12} {row['first_s']:>8.3f}"
            f" {row['next_calls']:>11} {row['next_s']:>8.3f}"
        )


if __name__ == "__main__":
    main()
