"""Helpers for UI tests: waiting on what the operator would see, and the /_sim/ control API."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import (  # noqa: F401 - aim_botocore_at: for the UI tests
    aim_botocore_at,
    client_kwargs,
    control,
    put_log_lines,
)
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from artui.engine import metrics, services
from artui.launch import build_app
from artui.settings import DEMO_REGIONS, Account, Settings
from artui.sim.seed import DEMO_SEED
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.widgets.services_table import ServicesTable
from tests.eventually import eventually_async

# What a services row shows before the first metrics read has covered its service.
NOT_READ = "…"


async def wait_until(pilot: Pilot, condition: Callable[[], object], what: str) -> None:
    """`eventually_async` for a Pilot: the app runs between checks of `condition`."""
    await eventually_async(condition, what, pause=lambda: pilot.pause(0.02))


def fail_list_services(sim: Simulator, error: str, message: str, region: str | None = None) -> None:
    """Make every ListServices call (in `region`, or anywhere) fail until faults are cleared."""
    fault = {"operation": "ListServices", "error": error, "status": 400, "message": message}
    if region is not None:
        fault["region"] = region
    control(sim, "POST", "/_sim/faults", {**fault, "count": -1})


def cell_text(value: Any) -> str:
    """Plain text of a table cell, a Text, or any Rich renderable (rendered 200 wide)."""
    if isinstance(value, str):
        return value
    if hasattr(value, "plain"):
        return value.plain
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(value)
    return console.export_text()


def shown(widget: Static) -> str:
    """The plain text a Static is showing."""
    return cell_text(widget.content)


# A frozen demo for snapshots and screenshots: fixed seed, fixed start, a clock that stands
# still, so every age and id on screen is the same on every run.
FROZEN_NOW = 1_795_000_000.0  # 2026-11-18 11:06:40 UTC


def frozen_simulator() -> Simulator:
    """The demo's services on a stopped clock."""
    return Simulator(
        regions=DEMO_REGIONS,
        time_scale=0,
        world=False,
        start_time=FROZEN_NOW,
        ids_seed=DEMO_SEED,  # the story's own ids: the ones the snapshots show
    )


def frozen_app() -> ArtuiApp:
    """An app whose clock reads FROZEN_NOW, polling rarely."""
    return build_app(Settings(regions=DEMO_REGIONS, refresh=3600), clock=lambda: FROZEN_NOW)


# The frozen demo's second account: a profile per simulated account (12-digit access keys).
TWO_ACCOUNTS = (("prod", "123456789012"), ("staging", "210987654321"))


def two_accounts_app(folder: Path, setenv: Callable[[str, str], None]) -> ArtuiApp:
    """An app on the frozen clock reading two profiles, prod and staging, in us-east-1: an
    AWS config in `folder` names their accounts, and AWS_CONFIG_FILE is set to it."""
    config = folder / "config"
    config.write_text(
        "".join(
            f"[profile {name}]\naws_access_key_id = {key}\naws_secret_access_key = s\n"
            for name, key in TWO_ACCOUNTS
        )
    )
    setenv("AWS_CONFIG_FILE", str(config))
    profiles = tuple(Account(name) for name, _ in TWO_ACCOUNTS)
    settings = Settings(profiles=profiles, regions=("us-east-1",), refresh=3600)
    return build_app(settings, clock=lambda: FROZEN_NOW)


async def accounts_shown(pilot: Pilot) -> None:
    """Both accounts' rows, figures and identities on screen, the cursor on the first row
    (it stays on the service it was on as the other account's rows come in)."""
    app = pilot.app
    await fleet_shown(pilot)
    named = lambda: all(s.identity for s in app.session.sessions) and fleet_read(app)  # noqa: E731
    await wait_until(pilot, named, "both accounts named and read")
    await pilot.press("g")
    await pilot.pause()


def table_rows(app: ArtuiApp) -> list[list[str]]:
    """The services table as the operator reads it, row by row."""
    table = app.services_screen.query_one(ServicesTable)
    return [[cell_text(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def loaded(pilot: Pilot) -> None:
    """Wait for the first services to reach the table."""
    await wait_until(pilot, lambda: table_rows(pilot.app), "the first services in the table")


async def select(pilot: Pilot, name: str) -> None:
    """Put the services table's cursor on `name`."""
    await loaded(pilot)
    names = [row[0] for row in table_rows(pilot.app)]
    pilot.app.services_screen.query_one(ServicesTable).move_cursor(row=names.index(name))
    await pilot.pause()


def described(app: ArtuiApp) -> bool:
    """True once the service view's overview shows DescribeService's answer (the store gets
    it before the pane has painted it)."""
    pane = app.screen.query_one("#overview")
    return pane.detail is not None and not pane.describing


# The logs pane's lines: fixed text at fixed times before the frozen clock.
FROZEN_LOG_LINES = [
    ("0f3a9c1e7b", "INFO  GET /api/cart 200 38ms"),
    (
        "0f3a9c1e7b",
        '{"level": "info", "msg": "request served", "path": "/api/items", "status": 200}',
    ),
    ("7d41b2e9aa", "WARN  slow query took 1840ms on /api/search?q=shoes"),
    ("7d41b2e9aa", "INFO  GET /health 200 2ms"),
    ("0f3a9c1e7b", "ERROR POST /api/checkout 502 upstream payments timed out after 3000ms"),
    ("7d41b2e9aa", "INFO  GET /api/orders 200 55ms"),
    ("0f3a9c1e7b", "INFO  GET /api/items 200 41ms"),
    ("7d41b2e9aa", "ERROR GET /api/orders 500 connection pool exhausted (size=20)"),
    (
        "0f3a9c1e7b",
        '{"level": "error", "msg": "request failed", "path": "/api/cart", "status": 503}',
    ),
    ("7d41b2e9aa", "INFO  GET /api/cart 200 47ms"),
    ("0f3a9c1e7b", "WARN  retrying payments call (attempt 2 of 3)"),
    ("7d41b2e9aa", "INFO  GET /health 200 3ms"),
    ("0f3a9c1e7b", "ERROR POST /api/checkout 502 upstream payments timed out after 3000ms"),
    ("7d41b2e9aa", "INFO  POST /api/orders 201 88ms"),
]


def write_frozen_logs(sim: Simulator, name: str) -> None:
    """checkout-api's application log holding FROZEN_LOG_LINES only (other tests' lines dropped)."""
    import boto3

    apprunner = boto3.client("apprunner", **client_kwargs(sim))
    services = apprunner.list_services()["ServiceSummaryList"]
    sid = next(s["ServiceId"] for s in services if s["ServiceName"] == name)
    group = f"/aws/apprunner/{name}/{sid}/application"
    for number, instance in enumerate(sorted({i for i, _ in FROZEN_LOG_LINES})):
        lines = [
            (int((FROZEN_NOW - 120 + 7 * n) * 1000), line)
            for n, (i, line) in enumerate(FROZEN_LOG_LINES)
            if i == instance
        ]
        # The first stream drops the group: other tests' lines must not show.
        put_log_lines(sim, group, f"instance/{instance}", lines, fresh=number == 0)


def fleet_read(app: ArtuiApp) -> bool:
    """True once a fleet read holds every listed service that publishes metrics (the first
    read may have started before the list arrived)."""
    for scope in app.scopes:
        held = app.store.get(metrics.FLEET_KIND, scope)
        listed = app.store.get(services.KIND, scope).value or ()
        wanted = {s.arn for s in listed if metrics.metered(s)}
        if held.fetched_at is None or not listed or not wanted <= set(held.value or {}):
            return False
    return bool(app.scopes)


async def fleet_shown(pilot: Pilot) -> None:
    """Wait for the list, then for the fleet's metrics to reach every row."""
    await loaded(pilot)
    await wait_until(pilot, lambda: fleet_read(pilot.app), "the fleet's metrics in the store")
    await pilot.pause()  # the StoreChanged posted with the store's update repaints the list
    assert all(NOT_READ not in row for row in table_rows(pilot.app))
