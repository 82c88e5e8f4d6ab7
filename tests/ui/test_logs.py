"""The logs pane (`l`) through the Pilot against the simulator and moto: lines as they are
written (Live Tail, or polling when Live Tail is out), follow, search, filter, sources,
the deployment log from the activity, saving, and the session closed when the pane goes.

Lines are written with boto3 through the simulator (to moto), as App Runner would write
them; each test marks its own lines, since moto's state is shared by the test process.
"""

from __future__ import annotations

import gc
import json
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import boto3
import pytest
from conftest import aim_botocore_at, client_kwargs, control, put_log_lines
from textual._styles_cache import StylesCache
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from artui.domain.apprunner import LogEvent, Service, ServiceStatus
from artui.domain.errors import ArtuiError
from artui.engine import tail
from artui.engine.ports import FirstList
from artui.launch import build_app
from artui.settings import Settings
from artui.sim.livetail import MAX_SESSION
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.messages import LogLines, ServicesChanged
from artui.ui.panes.logs import LogsPane, save_path
from artui.ui.screens.service import ServiceScreen
from artui.ui.widgets.logview import LogView
from tests.eventually import eventually
from tests.uihelp import select, shown, wait_until

REGION = "us-east-1"


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    """A stopped-clock demo region, no world: the lines are the test's own."""
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with Simulator(
        regions=(REGION,), services=7, time_scale=0, world=False, livetail_interval=0.2
    ) as simulator:
        aim_botocore_at(simulator, monkeypatch.setenv)
        yield simulator


def service_ids(sim: Simulator) -> dict[str, str]:
    client = boto3.client("apprunner", **client_kwargs(sim))
    return {s["ServiceName"]: s["ServiceId"] for s in client.list_services()["ServiceSummaryList"]}


def group(sim: Simulator, name: str, kind: str = "application") -> str:
    return f"/aws/apprunner/{name}/{service_ids(sim)[name]}/{kind}"


def write(
    sim: Simulator,
    name: str,
    lines: list[str],
    stream: str = "instance/0a1b2c3d4e5f",
    kind: str = "application",
    ago_s: float = 0,
) -> None:
    """Lines into a service's log, stamped now (or `ago_s` before), as App Runner's agent
    would send them."""
    now = int((time.time() - ago_s) * 1000)
    put_log_lines(sim, group(sim, name, kind), stream, [(now, line) for line in lines])


def pane(app: ArtuiApp) -> LogsPane:
    return app.screen.query_one(LogsPane)


def view(app: ArtuiApp) -> LogView:
    return app.screen.query_one(LogView)


def status(app: ArtuiApp) -> str:
    return shown(app.screen.query_one("#status", Static))


def on_screen(app: ArtuiApp) -> str:
    """Every row the log view paints now, as plain text."""
    widget = view(app)
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def requests(sim: Simulator, operation: str) -> int:
    return sum(
        r["operation"] == operation for r in control(sim, "GET", "/_sim/requests")["requests"]
    )


async def open_logs(pilot, name: str) -> None:  # type: ignore[no-untyped-def]
    await select(pilot, name)
    await pilot.press("l")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ServiceScreen), "the service")
    await wait_until(pilot, lambda: pane(pilot.app).active, "the logs pane")


def app_for(**settings: object) -> ArtuiApp:
    return build_app(Settings(regions=(REGION,), refresh=30, **settings))  # type: ignore[arg-type]


async def test_new_lines_arrive_by_live_tail(sim: Simulator) -> None:
    marker = uuid.uuid4().hex
    write(sim, "checkout-api", [f"before {marker}"])
    app = app_for()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: status(app).startswith("Live Tail"), "Live Tail")
        # The window's history came first.
        await wait_until(pilot, lambda: f"before {marker}" in on_screen(app), "history")
        write(sim, "checkout-api", [f"during {marker}"])
        await wait_until(pilot, lambda: f"during {marker}" in on_screen(app), "the new line")
        # Tagged with its instance, and following.
        assert f"0a1b2c3d during {marker}" in on_screen(app)
        assert view(app).following
        assert requests(sim, "StartLiveTail") == 1
        # The window's history (read while the session started) and what came between that
        # read and the start: no polling.
        assert requests(sim, "FilterLogEvents") == 2
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: sim.livetail.open_sessions == 0, "the session closed")


@pytest.mark.parametrize(
    "mode, why", [("oneshot", "closed the session early"), ("refuse", "AccessDeniedException")]
)
async def test_without_live_tail_it_polls_and_shows_each_line_once(
    sim: Simulator, mode: str, why: str
) -> None:
    control(sim, "POST", "/_sim/livetail", {"mode": mode})
    marker = uuid.uuid4().hex
    write(sim, "checkout-api", [f"before {marker}"])  # the group exists: Live Tail is asked
    app = app_for()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: status(app).startswith("polling"), "polling")
        assert why in status(app)
        write(sim, "checkout-api", [f"one {marker}", f"two {marker}"])
        await wait_until(pilot, lambda: f"two {marker}" in on_screen(app), "the polled lines")
        polls = requests(sim, "FilterLogEvents")
        # Later polls read those lines again (the watermark's lookback): still shown once.
        await wait_until(pilot, lambda: requests(sim, "FilterLogEvents") >= polls + 3, "polls")
        shown_lines = view(app).shown_lines()
        assert sum(f"one {marker}" in line for line in shown_lines) == 1
        assert sum(f"two {marker}" in line for line in shown_lines) == 1


async def test_live_tail_comes_back_and_the_reason_clears(sim: Simulator) -> None:
    control(sim, "POST", "/_sim/livetail", {"mode": "refuse"})
    marker = uuid.uuid4().hex
    write(sim, "checkout-api", [f"before {marker}"])  # the group exists: Live Tail is asked
    app = app_for()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: status(app).startswith("polling"), "polling")
        assert "AccessDeniedException" in status(app)
        control(sim, "POST", "/_sim/livetail", {"mode": "live"})
        await wait_until(pilot, lambda: status(app).startswith("Live Tail"), "Live Tail again")
        assert "AccessDeniedException" not in status(app)
        write(sim, "checkout-api", [f"after {marker}"])
        await wait_until(pilot, lambda: f"after {marker}" in on_screen(app), "a live line")
        served = [r["operation"] for r in control(sim, "GET", "/_sim/requests")["requests"]]
        calls = [op for op in served if op in ("StartLiveTail", "FilterLogEvents")]
        attempts = [i for i, op in enumerate(calls) if op == "StartLiveTail"]
        assert len(attempts) >= 2
        # Between two attempts a few polls, not one a second: the window's history and a
        # poll a second later, then gaps of 2 s, 4 s, ... (the first retry is 2 s after).
        for first, then in zip(attempts, attempts[1:], strict=False):
            assert calls[first + 1 : then].count("FilterLogEvents") <= 3
        shown_lines = view(app).shown_lines()
        assert sum(f"before {marker}" in line for line in shown_lines) == 1


async def test_a_session_at_the_three_hour_limit_rolls_over_losing_and_repeating_no_line(
    sim: Simulator,
) -> None:
    marker = uuid.uuid4().hex
    written = [f"{marker} 0"]
    write(sim, "checkout-api", written[:])
    app = app_for()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: status(app).startswith("Live Tail"), "Live Tail")
        await wait_until(pilot, lambda: f"{marker} 0" in on_screen(app), "the first line")
        # Lines written all through the change of session: whichever path brings each
        # (the old session, the new one's history read, the new session), it shows once.
        stop = threading.Event()

        def writer() -> None:
            while not stop.is_set():
                line = f"{marker} {len(written)}"
                write(sim, "checkout-api", [line])
                written.append(line)

        reads = requests(sim, "FilterLogEvents")
        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        try:
            control(sim, "POST", "/_sim/clock", {"advance": MAX_SESSION})
            await wait_until(pilot, lambda: requests(sim, "StartLiveTail") == 2, "a new session")
            await wait_until(pilot, lambda: status(app).startswith("Live Tail"), "live again")
            after = len(written)
            await wait_until(pilot, lambda: len(written) >= after + 3, "lines in the new session")
        finally:
            stop.set()
            thread.join()
        last = written[-1]
        await wait_until(pilot, lambda: last in view(app).shown_lines()[-1], "the last line")
        shown_lines = [line for line in view(app).shown_lines() if marker in line]
        assert [line.split(marker)[1] for line in shown_lines] == [
            line.split(marker)[1] for line in written
        ]
        # No polling between the sessions: one read, the new session's history.
        assert requests(sim, "FilterLogEvents") == reads + 1
        assert requests(sim, "StartLiveTail") == 2


async def test_an_open_logs_pane_neither_keeps_nor_rebuilds_footer_keys(sim: Simulator) -> None:
    # The footer is built again on every refresh of the keys: the keys it removed must go
    # (they stayed, a MB a minute while the service view refreshed at each poll of the list).
    write(sim, "checkout-api", ["the log group exists: Live Tail can start"])
    app = app_for()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: status(app).startswith("Live Tail"), "Live Tail")
        footer = app.screen.query_one(Footer)

        def keys() -> int:
            gc.collect()
            return sum(isinstance(o, FooterKey) for o in gc.get_objects())

        on_show = len(footer.query(FooterKey))
        for _ in range(30):
            app.screen.refresh_bindings()
            await pilot.pause()
        # The keys on show may change meanwhile (Live Tail's state moves the pane's own, the
        # footer fits them to the width): what must not stay is 30 rebuilds' worth of keys.
        await wait_until(pilot, lambda: keys() <= 3 * on_show, "the old keys gone")
        # And the list's polls (each posts a new snapshot) build no new keys at all: the
        # offered keys have not changed.
        built = set(map(id, footer.query(FooterKey)))
        snapshot = app.snapshot
        assert snapshot is not None
        for _ in range(5):
            app.screen.post_message(ServicesChanged(snapshot))
            await pilot.pause()
        await wait_until(pilot, lambda: "list updated" in status(app), "the list followed")
        assert set(map(id, footer.query(FooterKey))) == built


async def test_a_logs_pane_left_keeps_no_lines_behind(sim: Simulator) -> None:
    # Textual cached each widget's render cache (and its rendered lines) past the widget's
    # end, up to 1,024 widgets: a service view opened and left added some 40.
    write(sim, "checkout-api", ["a line to draw"])
    app = app_for()
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(3):
            await open_logs(pilot, "checkout-api")
            await wait_until(pilot, lambda: "a line to draw" in on_screen(app), "the line")
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, ServiceScreen), "back")

        def orphans() -> int:
            gc.collect()
            objects = gc.get_objects()
            owned = {id(o._styles_cache) for o in objects if isinstance(o, Widget)}
            return sum(isinstance(o, StylesCache) and id(o) not in owned for o in objects)

        await wait_until(pilot, lambda: orphans() == 0, "no render cache of a widget gone")
        # A pane left may outlive its screen (a stopped tail's worker is referenced from
        # asyncio's timers for a while): it holds no lines.
        gc.collect()
        assert all(o.held == 0 for o in gc.get_objects() if isinstance(o, LogView))


async def test_follow_pauses_on_scroll_and_counts_new_lines(sim: Simulator) -> None:
    marker = uuid.uuid4().hex
    write(sim, "checkout-api", [f"{marker} {i}" for i in range(60)])
    app = app_for()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: f"{marker} 59" in on_screen(app), "the last line")
        await wait_until(pilot, lambda: status(app).startswith("Live Tail"), "Live Tail")
        await pilot.press("pageup")
        assert not view(app).following
        before = on_screen(app)
        write(sim, "checkout-api", [f"new {marker} {i}" for i in range(3)])
        await wait_until(pilot, lambda: "paused: 3 new (f)" in status(app), "3 lines waiting")
        assert view(app).waiting == 3
        # The status can tell before the next flush applies the lines: wait for that too.
        await wait_until(pilot, lambda: not view(app).pending, "the new lines applied")
        assert on_screen(app) == before  # the view stays where the operator put it
        await pilot.press("f")
        await wait_until(pilot, lambda: f"new {marker} 2" in on_screen(app), "the newest line")
        assert view(app).following


async def test_search_filter_and_errors_only(sim: Simulator) -> None:
    marker = uuid.uuid4().hex
    write(
        sim,
        "checkout-api",
        [
            f"{marker} INFO GET /api/cart 200",
            f"{marker} ERROR POST /api/checkout 502 upstream timed out",
            f"{marker} WARN slow query",
            f"{marker} INFO GET /health 200",
        ],
    )
    app = app_for()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: f"{marker} INFO GET /health" in on_screen(app), "lines")
        await pilot.press("slash", *"checkout", "enter")
        assert "/checkout" in status(app)
        await pilot.press("ampersand", *"/(cart|health) 200/", "enter")
        await wait_until(pilot, lambda: "&/(cart" in status(app), "the filter")
        kept = [line for line in view(app).shown_lines() if marker in line]
        assert [line.split(marker)[1] for line in kept] == [
            " INFO GET /api/cart 200",
            " INFO GET /health 200",
        ]
        await pilot.press("escape")  # the search goes first
        assert "/checkout" not in status(app)
        await pilot.press("escape")  # then the filter
        await pilot.press("E")
        kept = [line for line in view(app).shown_lines() if marker in line]
        assert [line.split(marker)[1].split()[0] for line in kept] == ["ERROR", "WARN"]
        assert "errors only" in status(app)


async def test_sources_switch_and_the_activity_opens_a_deployment_log(sim: Simulator) -> None:
    marker = uuid.uuid4().hex
    write(sim, "checkout-api", [f"[AppRunner] event {marker}"], stream="events", kind="service")
    app = app_for()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_logs(pilot, "checkout-api")
        await pilot.press("s")
        header = app.screen.query_one("#logs-header", Static)
        await wait_until(pilot, lambda: shown(header).startswith("service events"), "events")
        await wait_until(pilot, lambda: f"event {marker}" in on_screen(app), "the event")
        # The latest deployment's log, from the activity.
        await pilot.press("a")
        activity = app.screen.query_one("#activity")
        await wait_until(pilot, lambda: activity.operations, "the operations")
        op = next(o for o in activity.operations if o.has_log)
        write(
            sim,
            "checkout-api",
            [f"[Build] step {marker}"],
            stream="deployment/" + op.id.replace("-", ""),
            kind="service",
        )
        activity.table.move_cursor(row=activity.operations.index(op))
        await pilot.press("enter")
        await wait_until(pilot, lambda: pane(app).active, "the logs pane")
        assert shown(header).startswith(f"deployment {op.id[:8]}")
        await wait_until(pilot, lambda: f"step {marker}" in on_screen(app), "the deployment")
        assert f"event {marker}" not in on_screen(app)


async def test_save_writes_what_is_shown(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    marker = uuid.uuid4().hex
    write(sim, "checkout-api", [f"{marker} keep", f"{marker} drop"])
    app = app_for()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: f"{marker} drop" in on_screen(app), "the lines")
        await pilot.press("ampersand", *"keep", "enter", "S")
        await wait_until(pilot, lambda: pane(app).saved is not None, "saved")
        saved = pane(app).saved
        assert saved.parent == tmp_path
        text = saved.read_text()
        assert f"{marker} keep" in text and "drop" not in text
        assert any(str(saved) in n.message for n in app._notifications)


def private(path: Path) -> bool:
    return stat.S_IMODE(path.lstat().st_mode) == 0o600


async def test_saving_twice_in_a_second_keeps_both_files(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's clock stands still: both saves want the same name. A line holding a lone
    surrogate (JSON decodes "\\ud800" to one) is saved as shown, not refused: what UTF-8
    cannot encode written as `\\ud800`."""
    monkeypatch.chdir(tmp_path)
    marker = uuid.uuid4().hex
    write(sim, "checkout-api", [f"{marker} one \ud800"])
    now = time.time()
    app = build_app(Settings(regions=(REGION,), refresh=30), clock=lambda: now)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: f"{marker} one" in on_screen(app), "the line")
        await pilot.press("S")
        await wait_until(pilot, lambda: pane(app).saved is not None, "saved")
        first = pane(app).saved
        shown_then = "".join(f"{line}\n" for line in view(app).shown_lines())
        write(sim, "checkout-api", [f"{marker} two"])
        await wait_until(pilot, lambda: f"{marker} two" in on_screen(app), "the new line")
        await pilot.press("S")
        await wait_until(pilot, lambda: pane(app).saved != first, "saved again")
        second = pane(app).saved
        assert first is not None and second is not None
        assert second == first.with_name(f"{first.stem}-2.log")
        assert f"{marker} one " in shown_then
        assert first.read_bytes() == shown_then.encode("utf-8", "backslashreplace")
        assert f"{marker} two" in second.read_text()
        assert private(first) and private(second)
        assert any(str(second) in n.message for n in app._notifications)


async def test_save_never_writes_through_a_planted_link(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name is predictable and may be in the shared temp dir: someone can plant a link
    there to a file of the operator's."""
    monkeypatch.chdir(tmp_path)
    marker = uuid.uuid4().hex
    write(sim, "checkout-api", [f"{marker} line"])
    now = time.time()
    app = build_app(Settings(regions=(REGION,), refresh=30), clock=lambda: now)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: f"{marker} line" in on_screen(app), "the line")
        victim = tmp_path / "victim"
        victim.write_text("keep me\n")
        planted = save_path(pane(app).service, pane(app).source, now)
        planted.symlink_to(victim)
        await pilot.press("S")
        await wait_until(pilot, lambda: pane(app).saved is not None, "saved")
        saved = pane(app).saved
        assert saved == planted.with_name(f"{planted.stem}-2.log")
        assert victim.read_text() == "keep me\n"
        assert planted.is_symlink()
        assert f"{marker} line" in saved.read_text()
        assert private(saved)
        assert any(str(saved) in n.message for n in app._notifications)


async def test_a_full_buffer_keeps_showing_the_newest_line(sim: Simulator) -> None:
    marker = uuid.uuid4().hex
    write(sim, "checkout-api", [f"{marker} first"])  # the log group exists: Live Tail starts
    app = app_for(max_lines=1000)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: status(app).startswith("Live Tail"), "Live Tail")
        # One batch a Live Tail update: past 500 lines a second, AWS sends a sample.
        for batch in range(3):
            write(sim, "checkout-api", [f"{marker} {batch}-{i}" for i in range(500)])
            last = f"{marker} {batch}-499"
            await wait_until(pilot, lambda text=last: text in on_screen(app), "the batch's end")
        assert view(app).held == 1000
        write(sim, "checkout-api", [f"{marker} last"])
        await wait_until(pilot, lambda: f"{marker} last" in on_screen(app), "the very last")
        assert view(app).held == 1000


async def test_older_lines_come_at_the_top_and_h_widens_the_window(sim: Simulator) -> None:
    # A service no other test writes to: a quiet span, then older lines beyond it.
    marker = uuid.uuid4().hex
    write(sim, "payments-worker", [f"old {marker} {i}" for i in range(3)], ago_s=12 * 60)
    write(sim, "payments-worker", [f"new {marker}"])
    app = app_for()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_logs(pilot, "payments-worker")
        header = app.screen.query_one("#logs-header", Static)
        assert "last 5m" in shown(header)
        await wait_until(pilot, lambda: f"new {marker}" in on_screen(app), "the new line")
        assert f"old {marker}" not in on_screen(app)
        await pilot.press("home")  # the top: older lines are asked for
        await wait_until(pilot, lambda: view(app).held == 4, "the older lines")
        assert [line.split(marker)[0].split()[-1] for line in view(app).shown_lines()] == [
            "old",
            "old",
            "old",
            "new",
        ]
        await pilot.press("h")  # 15 minutes: the old lines are in the window itself
        await wait_until(pilot, lambda: "last 15m" in shown(header), "the wider window")
        await wait_until(pilot, lambda: view(app).held == 4, "the window's lines")
        await pilot.press("h", "h", "h")
        assert "last 5m" in shown(header)


@pytest.fixture(scope="module")
def world() -> Iterator[Simulator]:
    """The demo world writing application lines as a service serves requests. Its own seed:
    moto's state is process-wide, and the same seed would name the same log groups."""
    with Simulator(regions=(REGION,), services=7, time_scale=1, world=True, seed=29) as sim:
        # The world creates the log groups as it starts writing: wait for them, so that
        # Live Tail, which refuses a group that does not exist, has one.
        logs = boto3.client("logs", **client_kwargs(sim))
        prefix = group(sim, "checkout-api")
        eventually(
            lambda: logs.describe_log_groups(logGroupNamePrefix=prefix)["logGroups"],
            "the demo world's first log group",
        )
        yield sim


async def test_lines_the_demo_world_writes_appear(
    world: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(world, monkeypatch.setenv)
    app = app_for()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: status(app).startswith("Live Tail"), "Live Tail")
        await wait_until(pilot, lambda: view(app).held, "the window's history")
        before = view(app).held
        # The world writes a few lines a second: they arrive through the session.
        await wait_until(pilot, lambda: view(app).held >= before + 3, "new lines")
        newest = view(app).shown_lines()[-1]
        assert any(word in newest for word in ("GET", "POST", "request"))
        # Drawn at the next repaint (new lines repaint a few times a second): its time shows.
        await wait_until(
            pilot, lambda: view(app).shown_lines()[-1][:12] in on_screen(app), "the newest line"
        )


async def test_a_batch_from_a_tail_left_behind_is_dropped(sim: Simulator) -> None:
    write(sim, "checkout-api", ["the log group exists: Live Tail can start"])
    app = app_for()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: status(app).startswith("Live Tail"), "Live Tail")
        earlier = pane(app).token
        await pilot.press("r")  # the tail starts again: the old worker may still have posted
        late = LogEvent(int(time.time() * 1000), "late line of the old tail", "instance/old")
        pane(app).post_message(LogLines(earlier, [late]))
        fresh = LogEvent(int(time.time() * 1000), "line of the new tail", "instance/new")
        pane(app).post_message(LogLines(pane(app).token, [fresh]))
        await wait_until(pilot, lambda: "line of the new tail" in on_screen(app), "the new line")
        assert not any("late line" in line for line in view(app).shown_lines())


class Unreachable:
    """A connector whose prefetch listed a service but whose connecting then failed."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def first(self, ask: object) -> FirstList:
        return FirstList((REGION,), {REGION: [self.service]}, time.time())

    def connect(self, ask: object, account: object = None) -> NoReturn:
        raise ArtuiError("cannot reach AWS: connection refused")

    def abort(self) -> None:
        pass  # nothing runs in the background to stop

    async def close(self) -> None:
        pass  # nothing was started


async def test_without_a_connection_the_pane_says_there_is_no_tail() -> None:
    service = Service(
        name="web",
        id="0" * 32,
        arn=f"arn:aws:apprunner:{REGION}:123456789012:service/web/{'0' * 32}",
        region=REGION,
        status=ServiceStatus.RUNNING,
        raw_status="RUNNING",
    )
    app = ArtuiApp(Settings(regions=(REGION,)), Unreachable(service))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_logs(pilot, "web")
        await wait_until(pilot, lambda: "no tail (e: errors)" in status(app), "the reason")
        assert "connection refused" in status(app)


# -- the screen fits 80x24 ------------------------------------------------------------------


async def test_a_json_line_says_what_matters_at_80_columns(sim: Simulator) -> None:
    marker = uuid.uuid4().hex[:8]  # the instance: its tag marks the test's lines
    failed = {
        "level": "error",
        "msg": "request failed",
        "path": "/api/cart",
        "status": 503,
        "error": "circuit breaker open",
    }
    lines = ["INFO  GET /health 200 2ms", json.dumps(failed)]
    write(sim, "checkout-api", lines, stream=f"instance/{marker}")
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: f"{marker} ERROR" in on_screen(app), "the JSON line")
        # Level and message first, the error text next, all of it within 80 columns.
        row = next(line for line in on_screen(app).splitlines() if f"{marker} ERROR" in line)
        assert row.split(f"{marker} ")[1].startswith(
            'ERROR request failed error="circuit breaker open"'
        )
        assert len(row.rstrip()) <= 80
        # enter: the whole document, indented, under the cursor's line (the newest).
        await pilot.press("enter")
        whole = '"error": "circuit breaker open"'
        await wait_until(pilot, lambda: whole in on_screen(app), "the document")
        assert '"path": "/api/cart",' in on_screen(app)
        # escape folds it back, and stays in the pane.
        await pilot.press("escape")
        await wait_until(pilot, lambda: whole not in on_screen(app), "folded")
        assert pane(app).active and f"{marker} ERROR" in on_screen(app)


async def test_a_search_match_past_the_right_edge_scrolls_into_view(sim: Simulator) -> None:
    marker = uuid.uuid4().hex[:8]
    write(sim, "checkout-api", [f"{'x' * 120} needle{marker} tail", "INFO  GET /health"])
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: "GET /health" in on_screen(app), "the lines")
        assert f"needle{marker}" not in on_screen(app)
        await pilot.press("slash", *f"needle{marker}", "enter")
        await wait_until(pilot, lambda: f"needle{marker}" in on_screen(app), "the match")
        assert view(app).scroll_x > 0


async def test_merged_lines_come_in_time_order(sim: Simulator) -> None:
    marker = uuid.uuid4().hex[:8]
    write(sim, "checkout-api", [f"{marker} first"])  # the log group exists: Live Tail starts
    app = app_for()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_logs(pilot, "checkout-api")
        await wait_until(pilot, lambda: status(app).startswith("Live Tail"), "Live Tail")
        now = int(time.time() * 1000)
        # As the issue saw them: two instances, the later line written (and so sent by
        # Live Tail) before the earlier one.
        group_name = group(sim, "checkout-api")
        put_log_lines(sim, group_name, "instance/bbbbbbbb01", [(now + 600, f"{marker} later")])
        put_log_lines(sim, group_name, "instance/aaaaaaaa01", [(now, f"{marker} earlier")])
        await wait_until(
            pilot, lambda: sum(marker in line for line in view(app).shown_lines()) == 3, "lines"
        )
        mine = [line.split(marker)[1] for line in view(app).shown_lines() if marker in line]
        assert mine == [" first", " earlier", " later"]


def deployments(sim: Simulator, name: str) -> list[dict]:
    client = boto3.client("apprunner", **client_kwargs(sim))
    arn = next(
        s["ServiceArn"]
        for s in client.list_services()["ServiceSummaryList"]
        if s["ServiceName"] == name
    )
    ops = client.list_operations(ServiceArn=arn)["OperationSummaryList"]
    return [o for o in ops if o["Type"] in ("START_DEPLOYMENT", "CREATE_SERVICE")]


def deployment_stream(op_id: str) -> str:
    return "deployment/" + op_id.replace("-", "")


async def test_s_reaches_the_latest_deployment_log_read_once_it_is_over(sim: Simulator) -> None:
    marker = uuid.uuid4().hex
    latest = deployments(sim, "payments-worker")[0]
    write(sim, "payments-worker", [f"event {marker}"], stream="events", kind="service")
    write(
        sim,
        "payments-worker",
        [f"[Build] step {marker}"],
        stream=deployment_stream(latest["Id"]),
        kind="service",
        ago_s=0,
    )
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_logs(pilot, "payments-worker")
        header = app.screen.query_one("#logs-header", Static)
        assert "s: service events" in shown(header)
        await pilot.press("s")
        await wait_until(pilot, lambda: f"event {marker}" in on_screen(app), "the events")
        assert "s: latest deployment" in shown(header)
        await wait_until(pilot, lambda: status(app).startswith("Live Tail"), "Live Tail")
        control(sim, "DELETE", "/_sim/requests")
        # Without visiting the activity: the operations the pane reads give the deployment.
        await pilot.press("s")
        await wait_until(
            pilot, lambda: shown(header).startswith(f"deployment {latest['Id'][:8]}"), "it"
        )
        await wait_until(pilot, lambda: f"step {marker}" in on_screen(app), "its lines")
        # Over long ago: read once, and no Live Tail session on a log that cannot grow.
        await wait_until(pilot, lambda: status(app).startswith("complete"), "complete")
        assert "(deployment SUCCEEDED)" in status(app)
        assert requests(sim, "StartLiveTail") == 0
        await wait_until(pilot, lambda: sim.livetail.open_sessions == 0, "no session open")
        await pilot.press("s")
        await wait_until(pilot, lambda: shown(header).startswith("application"), "the cycle")


async def test_s_straight_after_l_waits_for_the_operations(sim: Simulator) -> None:
    # The keys typed before ListOperations has answered: the deployment still opens.
    latest = deployments(sim, "orders-service")[0]
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        await select(pilot, "orders-service")
        await pilot.press("l", "s", "s")
        header = app.screen.query_one("#logs-header", Static)
        await wait_until(
            pilot, lambda: shown(header).startswith(f"deployment {latest['Id'][:8]}"), "it"
        )


async def test_a_deployment_that_ends_closes_its_live_tail_session(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The simulator's clock jumps ahead to end the deployment, so the end is stamped in
    # this machine's future: the session closes SETTLE_S after the end is seen, at once here.
    monkeypatch.setattr(tail, "SETTLE_S", 0.0)
    client = boto3.client("apprunner", **client_kwargs(sim))
    name = "inventory-sync"
    arn = next(
        s["ServiceArn"]
        for s in client.list_services()["ServiceSummaryList"]
        if s["ServiceName"] == name
    )
    op_id = client.start_deployment(ServiceArn=arn)["OperationId"]
    marker = uuid.uuid4().hex
    app = build_app(Settings(regions=(REGION,), refresh=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_logs(pilot, name)
        await pilot.press("s", "s")
        header = app.screen.query_one("#logs-header", Static)
        await wait_until(pilot, lambda: shown(header).startswith(f"deployment {op_id[:8]}"), "it")
        write(sim, name, [f"[Build] {marker}"], stream=deployment_stream(op_id), kind="service")
        await wait_until(pilot, lambda: status(app).startswith("Live Tail"), "Live Tail")
        await wait_until(pilot, lambda: f"[Build] {marker}" in on_screen(app), "a live line")
        assert sim.livetail.open_sessions == 1
        control(sim, "POST", "/_sim/clock", {"advance": 400})
        await wait_until(pilot, lambda: status(app).startswith("complete"), "complete")
        assert "(deployment SUCCEEDED)" in status(app)
        await wait_until(pilot, lambda: sim.livetail.open_sessions == 0, "the session closed")
        starts = requests(sim, "StartLiveTail")
        # No session again, however long the pane stays on it: another read of the
        # operations comes and goes.
        polls = requests(sim, "ListOperations")
        await wait_until(pilot, lambda: requests(sim, "ListOperations") > polls, "a poll")
        assert requests(sim, "StartLiveTail") == starts


async def test_s_says_why_when_the_operations_cannot_be_read(sim: Simulator) -> None:
    fault = {"operation": "ListOperations", "error": "AccessDeniedException", "status": 400}
    control(sim, "POST", "/_sim/faults", {**fault, "message": "no", "count": -1})
    app = app_for()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_logs(pilot, "checkout-api")
        await pilot.press("s", "s")
        await wait_until(
            pilot,
            lambda: any("operations cannot be read" in n.message for n in app._notifications),
            "the reason",
        )
        header = app.screen.query_one("#logs-header", Static)
        assert shown(header).startswith("service events")  # it stays where it was
