"""A whole fleet's refresh across accounts: 2 accounts x 3 regions x 60 services, each call
to the simulator delayed by 150 ms (a latency fault), read through artui's engine (the
Fleet the app polls through, one session per profile, no UI).

    python bench/fleet.py [--accounts N] [--services N] [--latency MS] [--runs N] [--idle S]

Prints, for each run of `r` (the list and the sparklines' metrics read again at once): the
seconds until every account and region has answered, beside the sum of its calls'
latencies (what a tool reading one call at a time would take) and the number of calls.
Target (issue 25): under 2.5x one call's latency. ListServices pages (20 services a page,
the API's most) follow each other's NextToken, so a region of 60 services needs 3 calls
one after another whatever a client does: that is the floor printed beside the figure.
The simulator runs in a process of its own, so the client never waits on its GIL; what it
spends serving (about 0.2 s for the 24 calls here, `--latency 1` shows it) adds on top.
Then, with the settings' own refresh (5 s), the requests a minute while idle, by
operation, for one account and for all: only the list calls may grow with the accounts.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from processes import Sim, control, simulator

from artui.engine import metrics, services
from artui.engine.fleet import Fleet
from artui.engine.store import Kind, Store
from artui.launch import Launch
from artui.settings import Account, Settings

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1")
ACCOUNTS = ("123456789012", "210987654321", "314159265358", "271828182845")
PAGE = 20  # ListServices' most per page


def aim(sim: Sim, accounts: int, folder: Path) -> None:
    """botocore's chain at the simulator, with a profile per simulated account."""
    os.environ.update(sim.env)
    config = folder / "config"
    config.write_text(
        "".join(
            f"[profile p{n}]\naws_access_key_id = {key}\naws_secret_access_key = s\n"
            for n, key in enumerate(ACCOUNTS[:accounts])
        )
    )
    os.environ["AWS_CONFIG_FILE"] = str(config)
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        os.environ.pop(key, None)


def served(sim: Sim) -> Counter[str]:
    """The operations the simulator served since the log was last cleared."""
    return Counter(
        entry["operation"] for entry in control(sim, "GET", "/_sim/requests")["requests"]
    )


def read_at(fleet: Fleet, store: Store) -> float:
    """When the oldest of every scope's list and metrics was last read (0: one never was)."""
    return min(stamps(fleet, store).values(), default=0.0)


def stamps(fleet: Fleet, store: Store) -> dict[tuple[str, object], float]:
    """When each scope's list and metrics were last read (0: never)."""
    kinds: tuple[Kind[Any], ...] = (services.KIND, metrics.FLEET_KIND)
    return {
        (kind, scope): store.get(kind, scope).fetched_at or 0.0
        for scope in fleet.scopes
        for kind in kinds
    }


def settled(fleet: Fleet, store: Store) -> bool:
    """Every scope read, every identity known, no read under way."""
    return (
        read_at(fleet, store) > 0
        and all(s.identity is not None and not s.polling for s in fleet.sessions)
        and all(s.fleet is not None and not s._fleet_polling for s in fleet.sessions)
    )


async def until(condition, timeout: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the fleet did not answer")
        await asyncio.sleep(0.005)


async def start(settings: Settings) -> tuple[Fleet, Store, list[asyncio.Task[None]]]:
    """The engine's Fleet for `settings`, running, once every scope has been read."""
    store = Store()
    tasks: list[asyncio.Task[None]] = []

    def spawn(coro, name):  # type: ignore[no-untyped-def]
        task = asyncio.get_running_loop().create_task(coro, name=name)
        tasks.append(task)
        return task

    fleet = Fleet(
        settings,
        Launch(settings),
        store,
        spawn=spawn,
        changed=lambda kind, key: None,
        failures=lambda: None,
        listed=lambda: None,
    )
    spawn(fleet.run(lambda question: None), "fleet")
    scopes = sum(len(a.regions) for a in settings.accounts())
    await until(lambda: len(fleet.scopes) == scopes and settled(fleet, store))
    return fleet, store, tasks


async def stop(fleet: Fleet, tasks: list[asyncio.Task[None]]) -> None:
    fleet.abort()
    for task in tasks:
        task.cancel()
    await fleet.close()


def settings_for(accounts: int, refresh: float, metrics_refresh: float) -> Settings:
    profiles = tuple(Account(f"p{n}") for n in range(accounts))
    return Settings(
        profiles=profiles, regions=REGIONS, refresh=refresh, metrics_refresh=metrics_refresh
    )


async def measure(sim: Sim, args: argparse.Namespace) -> None:
    fleet, store, tasks = await start(settings_for(args.accounts, 3600, 3600))
    control(sim, "POST", "/_sim/faults", {"latency_ms": args.latency})
    figures = []
    for _ in range(args.runs):
        await until(lambda: settled(fleet, store))
        control(sim, "DELETE", "/_sim/requests")
        before = stamps(fleet, store)
        began = time.perf_counter()
        fleet.refresh_now()

        def done() -> bool:
            now = stamps(fleet, store)
            return all(now[key] > at for key, at in before.items())  # noqa: B023 - awaited

        await until(done)
        seconds = time.perf_counter() - began
        calls = served(sim)
        figures.append(seconds)
        total = sum(calls.values())
        print(
            f"  refresh: {seconds:.2f} s for {total} calls "
            f"(one after another: {total * args.latency / 1000:.1f} s)  "
            + ", ".join(f"{op} {n}" for op, n in sorted(calls.items()))
        )
    control(sim, "DELETE", "/_sim/faults")
    await stop(fleet, tasks)
    one = args.latency / 1000
    p50 = statistics.median(figures)
    pages = math.ceil(args.services / PAGE)
    print(
        f"p50 {p50:.2f} s = {p50 / one:.1f}x one call's latency (target < 2.5x; a region's "
        f"{pages} ListServices pages one after another: {pages * one:.2f} s = {pages}x)"
    )
    if args.idle:
        for accounts in sorted({1, args.accounts}):
            fleet, store, tasks = await start(settings_for(accounts, 5.0, 60.0))
            control(sim, "DELETE", "/_sim/requests")
            await asyncio.sleep(args.idle)
            calls = served(sim)
            await stop(fleet, tasks)
            per_minute = 60 / args.idle
            words = ", ".join(f"{op} {n * per_minute:.0f}" for op, n in sorted(calls.items()))
            print(f"idle requests a minute, {accounts} account(s): {words or 'none'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2)
    parser.add_argument("--services", type=int, default=60, help="per account and region")
    parser.add_argument("--latency", type=int, default=150, help="ms added to every call")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--idle", type=float, default=60, help="seconds idle, for 1 and all accounts (0: none)"
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        simulator(regions=REGIONS, services=args.services, world=False, time_scale=0) as sim,
    ):
        aim(sim, args.accounts, Path(folder))
        print(
            f"{args.accounts} accounts x {len(REGIONS)} regions x {args.services} services, "
            f"{args.latency} ms a call"
        )
        asyncio.run(measure(sim, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
