"""The services screen and the overview, driven through Pilot against the simulator over HTTP."""

from __future__ import annotations

import os
import re
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import replace

import boto3
import pytest
from conftest import control
from textual import events
from textual.widgets import Input, Static

from artui.aws.backend import Backend, connect
from artui.boot.prefetch import Prefetch
from artui.domain.apprunner import SHORT_LABELS, ServiceStatus
from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.panes import PANES
from artui.ui.screens.help import HelpScreen
from artui.ui.screens.service import ServiceScreen
from artui.ui.tabs import TABS
from artui.ui.widgets.services_table import Row, ServicesTable, short_region
from tests.eventually import eventually_async
from tests.uihelp import (
    aim_botocore_at,
    described,
    fail_list_services,
    fleet_read,
    loaded,
    shown,
    table_rows,
    wait_until,
)

REGIONS = ("us-east-1", "eu-west-1")


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(regions=REGIONS, services=7, time_scale=1000, world=False) as simulator:
        yield simulator


@pytest.fixture
def aws_env(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    """Point botocore's own chain at the simulator, away from this machine's AWS config."""
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(sim, monkeypatch.setenv)
    control(sim, "DELETE", "/_sim/faults")
    control(sim, "DELETE", "/_sim/requests")
    return sim


def listed(sim: Simulator, region: str) -> list[dict]:
    client = boto3.client("apprunner", region_name=region, endpoint_url=sim.endpoint)
    return client.list_services(MaxResults=20)["ServiceSummaryList"]


def region_of(row: list[str]) -> str:
    """The region of a table row (shown in its short form at 80 columns)."""
    return {short_region(r): r for r in REGIONS}.get(row[2], row[2])


def short(raw: str) -> str:
    """The word the services table shows for a status App Runner reports."""
    return SHORT_LABELS[ServiceStatus.parse(raw)]


def status_text(app: ArtuiApp) -> str:
    return shown(app.screen.query_one("#status", Static))


def make_app(refresh: float = 30) -> ArtuiApp:
    return build_app(Settings(regions=REGIONS, refresh=refresh))


async def test_table_holds_every_service_of_every_region(aws_env: Simulator) -> None:
    expected = {
        (s["ServiceName"], short(s["Status"]), r) for r in REGIONS for s in listed(aws_env, r)
    }
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        rows = table_rows(app)
        assert {(row[0], row[1], region_of(row)) for row in rows} == expected
        assert "14 services" in status_text(app)
        assert "us-east-1 eu-west-1" in status_text(app)
    calls = control(aws_env, "GET", "/_sim/requests")["requests"]
    assert {(c["operation"], c["region"]) for c in calls} >= {
        ("ListServices", "us-east-1"),
        ("ListServices", "eu-west-1"),
    }


async def test_filter_keeps_matches_and_escape_clears(aws_env: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        everything = len(table_rows(app))
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"pay")
        names = {row[0] for row in table_rows(app)}
        assert names == {"payments-worker"}
        assert len(table_rows(app)) == 2  # one per region
        await pilot.press("enter")
        table = app.screen.query_one(ServicesTable)
        assert app.focused is table
        assert table.cursor_row == 0
        assert not app.screen.query_one("#filter", Input).display
        assert "filter 'pay': 2 shown" in status_text(app)
        await pilot.press("escape")
        assert len(table_rows(app)) == everything
        assert "filter" not in status_text(app)


async def test_filter_with_no_match_says_so(aws_env: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"zzz", "enter")
        assert table_rows(app) == []
        empty = shown(app.screen.query_one("#empty", Static))
        assert "No service name contains 'zzz'" in empty


async def test_j_k_move_and_enter_opens_the_overview(aws_env: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "j", "k")
        table = app.screen.query_one(ServicesTable)
        assert table.cursor_row == 1
        name, region = table_rows(app)[1][0], region_of(table_rows(app)[1])
        await pilot.press("enter")
        assert isinstance(app.screen, ServiceScreen)
        screen = app.screen
        await wait_until(pilot, lambda: described(app), "DescribeService")
        body = shown(screen.query_one("#overview-body", Static))
        client = boto3.client("apprunner", region_name=region, endpoint_url=aws_env.endpoint)
        answer = client.describe_service(ServiceArn=screen.service.arn)["Service"]
        assert screen.service.name == name
        assert answer["ServiceArn"] in body
        source = answer["SourceConfiguration"]
        image = source.get("ImageRepository", {}).get("ImageIdentifier")
        repo = source.get("CodeRepository", {}).get("RepositoryUrl")
        assert (image or repo) in body
        assert "vCPU" in body and "GB" in body
        assert "Health check" in body and "Auto scaling" in body
        calls = control(aws_env, "GET", "/_sim/requests")["requests"]
        assert ("DescribeService", region) in {(c["operation"], c["region"]) for c in calls}
        await pilot.press("escape")
        assert app.screen is app.services_screen


async def test_service_screen_binds_every_pane(aws_env: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        keys = set(app.screen.active_bindings)
        assert {"i", "a", "l", "m", "c", "C", "escape", "r", "q", "question_mark"} <= keys
        assert {pane.TAB.key for pane in PANES} == {"i", "a", "l", "m", "c", "C"}


def test_the_panes_are_the_tabs_in_their_order() -> None:
    assert tuple(pane.TAB for pane in PANES) == TABS
    assert len({pane.TAB.key for pane in PANES}) == len(PANES)


async def test_failed_poll_keeps_the_last_list_and_says_why(aws_env: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        # The services' own columns: metrics come on their own interval meanwhile.
        before = [row[:3] for row in table_rows(app)]
        fail_list_services(
            aws_env,
            "AccessDeniedException",
            "User is not authorized to perform apprunner:ListServices",
            region="eu-west-1",
        )
        await pilot.press("r")
        await wait_until(pilot, lambda: "STALE" in status_text(app), "the stale marker")
        assert [row[:3] for row in table_rows(app)] == before
        line = status_text(app)
        assert "eu-west-1: AccessDeniedException: User is not authorized" in line
        control(aws_env, "DELETE", "/_sim/faults")
        await pilot.press("r")
        await wait_until(pilot, lambda: "STALE" not in status_text(app), "recovery")
        assert "updated" in status_text(app)
        assert re.search(r"last error \d+s ago \(e\): eu-west-1: AccessDenied", status_text(app))


async def test_unknown_status_shows_as_unknown(aws_env: Simulator) -> None:
    name = listed(aws_env, "us-east-1")[0]["ServiceName"]
    control(
        aws_env,
        "POST",
        f"/_sim/services/{name}/status",
        {"region": "us-east-1", "status": "HIBERNATING"},
    )
    app = make_app()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await loaded(pilot)
            rows = [(row[0], region_of(row)) for row in table_rows(app)]
            statuses = {(row[0], region_of(row)): row[1] for row in table_rows(app)}
            assert statuses[(name, "us-east-1")] == "unknown"
            # The full value is one key away: the service's view names it.
            await pilot.press(*["j"] * rows.index((name, "us-east-1")), "enter")
            title = shown(app.screen.query_one("#title", Static))
            assert "unknown (HIBERNATING)" in title
    finally:
        path = f"/_sim/services/{name}/status"
        control(aws_env, "POST", path, {"region": "us-east-1", "status": None})


async def test_help_lists_every_key(aws_env: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = {key for keys, _ in app.screen.rows for key in keys.split()}
        assert {"/", "r", "q", "?", "j", "k", "↑", "↓", "g", "G", "o"} <= keys
        listing = shown(app.screen.query_one("#help-keys", Static))
        assert "Filter" in listing and "Quit" in listing
        await pilot.press("escape")
        assert app.screen is app.services_screen


async def test_q_quits(aws_env: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("q")
    assert app.return_code == 0


async def test_no_credentials_says_how_to_get_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # Nothing listens here, so a request would end in a network error, not this message.
    monkeypatch.setenv("AWS_ENDPOINT_URL_APPRUNNER", "http://127.0.0.1:9")
    app = build_app(Settings(regions=("us-east-1",)))
    async with app.run_test(size=(80, 24)) as pilot:
        empty = app.screen.query_one("#empty", Static)
        # The store has the error before the screen has painted it: wait for the screen.
        await wait_until(pilot, lambda: "Could not list" in shown(empty), "the first poll's error")
        message = shown(empty)
        assert "aws configure" in message
        assert "aws sso login" in message
        assert "artui --demo" in message


async def test_no_region_says_how_to_set_one(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for key in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    app = build_app(Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.services_screen.fatal_error, "the region error")
        assert "No AWS region: pass --region" in status_text(app)


async def test_status_line_age_counts_between_polls(aws_env: Simulator) -> None:
    now = [1_800_000_000.0]
    app = build_app(Settings(regions=REGIONS, refresh=3600), clock=lambda: now[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await wait_until(pilot, lambda: "updated 0s ago" in status_text(app), "a fresh poll")
        now[0] += 75
        await wait_until(pilot, lambda: "updated 1m ago" in status_text(app), "the age to grow")


async def test_aws_strings_are_shown_as_data_not_markup(aws_env: Simulator) -> None:
    client = boto3.client("apprunner", region_name="us-east-1", endpoint_url=aws_env.endpoint)
    created = client.create_service(
        ServiceName="markup-probe",
        SourceConfiguration={
            "ImageRepository": {
                "ImageIdentifier": "public.ecr.aws/[bold]demo[/]/probe:latest",
                "ImageRepositoryType": "ECR_PUBLIC",
            }
        },
        HealthCheckConfiguration={"Protocol": "HTTP", "Path": "/health[/]"},
    )["Service"]
    try:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_until(
                pilot, lambda: "markup-probe" in {r[0] for r in table_rows(app)}, "the new service"
            )
            rows = [r[0] for r in table_rows(app)]
            await pilot.press(*["j"] * rows.index("markup-probe"), "enter")
            screen = app.screen
            assert isinstance(screen, ServiceScreen)
            await wait_until(pilot, lambda: described(app), "DescribeService")
            body = shown(screen.query_one("#overview-body", Static))
            assert "public.ecr.aws/[bold]demo[/]/probe:latest" in body
            assert "HTTP /health[/]" in body
    finally:
        control(aws_env, "POST", "/_sim/clock", {"advance": 3600})
        client.delete_service(ServiceArn=created["ServiceArn"])
        control(aws_env, "POST", "/_sim/clock", {"advance": 3600})


async def test_quitting_while_connecting_stops_the_demo_simulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "environ", os.environ.copy())  # the demo sets AWS_* variables
    connecting = threading.Event()
    release = threading.Event()
    built: list[Backend] = []

    def slow_connect(settings: Settings, **kwargs) -> Backend:
        connecting.set()
        release.wait(10)
        built.append(connect(settings, **kwargs))
        return built[0]

    app = build_app(Settings(demo=True, regions=("us-east-1",)), connect=slow_connect)
    async with app.run_test(size=(80, 24)) as pilot:
        # Quit while connecting: a busy machine could otherwise quit before it had begun.
        await wait_until(pilot, connecting.is_set, "connecting to have begun")
        await pilot.press("q")
    release.set()

    def stopped() -> bool:
        if not built:
            return False
        try:
            urllib.request.urlopen(built[0].simulator.endpoint + "/_sim/clock", timeout=1)
        except OSError:
            return True
        return False

    await eventually_async(stopped, "the demo simulator to stop")


async def test_service_screen_marks_a_service_that_left_the_list(aws_env: Simulator) -> None:
    client = boto3.client("apprunner", region_name="eu-west-1", endpoint_url=aws_env.endpoint)
    image = {"ImageIdentifier": "public.ecr.aws/demo/doomed:1", "ImageRepositoryType": "ECR_PUBLIC"}
    arn = client.create_service(
        ServiceName="doomed", SourceConfiguration={"ImageRepository": image}
    )["Service"]["ServiceArn"]
    control(aws_env, "POST", "/_sim/clock", {"advance": 3600})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        rows = [(r[0], region_of(r)) for r in table_rows(app)]
        await pilot.press(*["j"] * rows.index(("doomed", "eu-west-1")), "enter")
        screen = app.screen
        assert isinstance(screen, ServiceScreen)
        await wait_until(pilot, lambda: described(app), "DescribeService")
        client.delete_service(ServiceArn=arn)
        control(aws_env, "POST", "/_sim/clock", {"advance": 3600})
        await pilot.press("r")
        title = screen.query_one("#title", Static)
        await wait_until(pilot, lambda: "no longer listed" in shown(title), "the mark")
        await wait_until(pilot, lambda: screen.service.raw_status == "DELETED", "DELETED")
        assert "list updated" in status_text(app)


async def test_keys_typed_fast_after_slash_all_reach_the_filter(aws_env: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.pause()
        # One burst, as a terminal delivers a paste or a fast typist: no pause between keys.
        for key, char in [("slash", "/"), ("p", "p"), ("a", "a"), ("y", "y")]:
            app.post_message(events.Key(key, char))
        await wait_until(pilot, lambda: app.screen.filter_text == "pay", "the whole filter")
        assert {row[0] for row in table_rows(app)} == {"payments-worker"}


async def test_prefetched_list_shows_before_the_app_has_connected(aws_env: Simulator) -> None:
    release = threading.Event()

    def blocked_connect(settings: Settings, **kwargs) -> Backend:
        release.wait(30)
        return connect(settings, **kwargs)

    settings = Settings(regions=REGIONS, refresh=3600)
    prefetch = Prefetch.start(settings)
    assert prefetch is not None
    app = build_app(settings, prefetch=prefetch, connect=blocked_connect)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await loaded(pilot)
            assert app.session.sessions[0].gateway is None  # the rows came from the prefetch child
            shown_rows = {(r[0], r[1], region_of(r)) for r in table_rows(app)}
            expected = {
                (s["ServiceName"], short(s["Status"]), region)
                for region in REGIONS
                for s in listed(aws_env, region)
            }
            assert shown_rows == expected
            calls = control(aws_env, "GET", "/_sim/requests")["requests"]
            assert {c["region"] for c in calls if c["operation"] == "ListServices"} == set(REGIONS)
            # Enter works on the prefetched rows; the overview waits for the connection.
            await pilot.press("enter")
            assert isinstance(app.screen, ServiceScreen)
            release.set()
            await wait_until(pilot, lambda: described(app), "DescribeService")
            assert app.session.sessions[0].services is not None
    finally:
        release.set()


async def test_a_snapshot_that_changes_no_row_repaints_only_the_status_line(
    aws_env: Simulator,
) -> None:
    # Every poll posts the list twice (as it starts, and as it ends): at 500 services making
    # each row again for a poll that found nothing new was most of what an idle list cost
    # (bench/idle.py). A change still reaches its row.
    app = build_app(Settings(regions=REGIONS, refresh=3600), clock=lambda: 1_800_000_000.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await wait_until(pilot, lambda: fleet_read(app), "the fleet's metrics")
        await pilot.pause()
        screen = app.services_screen
        table = screen.query_one(ServicesTable)
        made: list[float] = []
        rows = screen._rows

        def counted(now: float) -> dict[str, Row]:
            made.append(now)
            return rows(now)

        screen._rows = counted  # type: ignore[method-assign]
        held = {key.value: table.get_row(key) for key in table.rows}
        snapshot = app.snapshot
        assert snapshot is not None

        screen.show_snapshot(replace(snapshot, polling=True))
        await pilot.pause()
        assert made == []
        assert {key.value: table.get_row(key) for key in table.rows} == held
        assert "↻" in status_text(app)

        # A poll that found nothing new lists equal services, not the same ones.
        screen.show_snapshot(
            replace(snapshot, services=tuple(replace(s) for s in snapshot.services))
        )
        await pilot.pause()
        assert made == []
        assert "↻" not in status_text(app)

        first = snapshot.services[0]
        paused = replace(first, status=ServiceStatus.PAUSED)
        screen.show_snapshot(replace(snapshot, services=(paused, *snapshot.services[1:])))
        await pilot.pause()
        assert len(made) == 1
        statuses = {(row[0], region_of(row)): row[1] for row in table_rows(app)}
        assert statuses[(first.name, first.region)] == short("PAUSED")
