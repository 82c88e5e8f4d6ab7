"""Text from AWS is shown, never obeyed: what the app writes to its terminal carries no
escape sequence, C1 control, NUL, DEL or bidi override that came from data.

A service is created (over HTTP, as anyone allowed to edit it could) with escape sequences in
its image identifier and health-check path, made to report a hostile status, and a region's
ListServices answers with a hostile error message. The app runs on a driver that records
every byte the app sends its terminal; the operator's screens are visited with keys.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import boto3
import pytest
import textual.drivers.headless_driver as headless
from conftest import client_kwargs, control, put_log_lines
from textual.widgets import Static

from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.screens.errors import ErrorsScreen
from artui.ui.screens.help import HelpScreen
from artui.ui.screens.service import ServiceScreen
from artui.ui.widgets.logview import LogView
from tests.uihelp import aim_botocore_at, described, fail_list_services, loaded, wait_until

WIPE = "\x1b[2J\x1b[31mRED\x1b[0m\x1b[H"
TITLE = "\x1b]0;PWNED-TITLE\x07"
CLIPBOARD = "\x1b]52;c;aGVsbG8=\x07"
LINK = "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\"
BYTES = "\x00nul\x7fdel\x9b31mcsi\u202eevil\ud800lone"

IMAGE = f"public.ecr.aws/{WIPE}{LINK}/app:latest"
HEALTH_PATH = f"/{TITLE}{CLIPBOARD}{BYTES}"
STATUS = f"RUNNING{TITLE}"
AWS_MESSAGE = f"User is not authorized{CLIPBOARD}{WIPE}{BYTES}"

# What data would have made the terminal do, had it reached it raw.
OBEYED = ("\x1b[2J\x1b[31mRED", "\x1b]0;PWNED", "\x1b]52;c;aGVs", "\x1b]8;;http://evil")
# Bytes Textual itself never writes: any of them came from data.
NEVER = ("\x00", "\x7f", "\x9b", "\u202e", "\ud800")


class RecordingDriver(headless.HeadlessDriver):
    """The test driver, but the app paints to it as to a terminal, and it keeps every byte."""

    written: list[str] = []

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        RecordingDriver.written.append(data)


@pytest.fixture(scope="module")
def hostile() -> Iterator[Simulator]:
    with Simulator(
        regions=("us-east-1", "eu-west-1"), services=0, time_scale=1000, world=False
    ) as sim:
        client = boto3.client("apprunner", **client_kwargs(sim))
        client.create_service(
            ServiceName="planted",
            SourceConfiguration={
                "ImageRepository": {
                    "ImageIdentifier": IMAGE,
                    "ImageRepositoryType": "ECR_PUBLIC",
                    "ImageConfiguration": {"Port": "8080"},
                },
                "AutoDeploymentsEnabled": False,
            },
            HealthCheckConfiguration={"Protocol": "HTTP", "Path": HEALTH_PATH},
        )
        yield sim


@pytest.fixture
def recorded(hostile: Simulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    aim_botocore_at(hostile, monkeypatch.setenv)
    monkeypatch.setattr(headless, "HeadlessDriver", RecordingDriver)
    RecordingDriver.written = []
    control(hostile, "POST", "/_sim/services/planted/status", {"status": STATUS})
    fail_list_services(hostile, "AccessDeniedException", AWS_MESSAGE, region="eu-west-1")
    yield RecordingDriver.written
    control(hostile, "DELETE", "/_sim/faults")


def painted(output: list[str]) -> str:
    return "".join(output)


def assert_inert(output: str) -> None:
    for sequence in OBEYED:
        assert sequence not in output, f"{sequence!r} reached the terminal"
    for char in NEVER:
        assert char not in output, f"{char!r} reached the terminal"
    output.encode("utf-8")  # a lone surrogate would raise here, as the terminal write would


async def test_no_escape_from_data_reaches_the_terminal(recorded: list[str]) -> None:
    app = build_app(Settings(regions=("us-east-1", "eu-west-1"), refresh=3600))
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await loaded(pilot)
        # The status line and the toast say what eu-west-1 answered.
        await wait_until(pilot, lambda: app.snapshot.errors, "eu-west-1's error")
        await wait_until(
            pilot,
            lambda: "not authorized" in str(app.screen.query_one("#status", Static).content),
            "the error in the status line",
        )
        await wait_until(pilot, lambda: app.screen.query("Toast"), "the error's toast")
        await pilot.pause()
        table_and_status = painted(recorded)
        assert "␛]52;c;aGVsbG8=␇" in table_and_status  # shown, visibly, in the status line

        await pilot.press("enter")  # the planted service's overview
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        await wait_until(pilot, lambda: described(app), "DescribeService's answer")
        await pilot.pause()
        overview = painted(recorded)
        assert "␛[2J␛[31mRED" in overview  # the image identifier, as text
        assert "␛]0;PWNED-TITLE␇" in overview  # the health-check path and the status
        assert "<U+D800>lone" in overview  # a lone surrogate JSON decoded, named

        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorsScreen), "the errors")
        await pilot.pause()
        errors = painted(recorded)
        # AWS's message again, in full, in the errors view.
        assert errors.count("aGVsbG8=␇") > overview.count("aGVsbG8=␇")
    assert_inert(painted(recorded))


# Log lines are anyone's text: an app may log what a user typed.
LOG_LINES = [
    f"wipe {WIPE}",
    f"clip {CLIPBOARD}",
    f"link {LINK}",
    f"bytes {BYTES}",
    "[bold]markup[/bold] [@click=app.quit]quit[/]",
    "cursor \x1b[5A\x1b[2Kmoved",
]


async def test_log_lines_are_shown_never_obeyed(hostile: Simulator, recorded: list[str]) -> None:
    client = boto3.client("apprunner", **client_kwargs(hostile))
    planted = client.list_services()["ServiceSummaryList"][0]
    group = f"/aws/apprunner/planted/{planted['ServiceId']}/application"
    now = int(time.time() * 1000)
    put_log_lines(hostile, group, "instance/feedbeef", [(now, line) for line in LOG_LINES])
    app = build_app(Settings(regions=("us-east-1",), refresh=3600))
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        view = app.screen.query_one(LogView)
        await wait_until(pilot, lambda: view.held >= len(LOG_LINES), "the planted lines")

        def rows_text() -> str:
            return "\n".join(view.render_line(y).text for y in range(view.size.height))

        # Drawn at the next repaint: new lines repaint a few times a second.
        await wait_until(pilot, lambda: "cursor ␛[5A" in rows_text(), "the lines drawn")
        await pilot.pause()
        rows = rows_text()
        assert "[bold]markup[/bold] [@click=app.quit]quit[/]" in rows  # literally
        assert "␛]52;c;aGVsbG8=␇" in rows
        assert "cursor ␛[5A␛[2Kmoved" in rows
        assert app.is_running  # the planted [@click=app.quit] did nothing
    assert_inert(painted(recorded))
    output = painted(recorded)
    assert "\x1b[5A\x1b[2Kmoved" not in output
