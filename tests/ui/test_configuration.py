"""The configuration pane (issue 24): everything the service is made of, variables masked
until revealed, secrets by name and ARN; a planted value reaches no byte artui writes
(terminal, log file) unless its line was revealed."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import textual.drivers.headless_driver as headless
from conftest import client_kwargs, control
from rich.console import Console

from artui.domain.configuration import MASK
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.panes.configuration import VARIABLE, ConfigurationPane
from artui.ui.screens.service import ServiceScreen
from tests.ui.test_actions import calls, make_app
from tests.ui.test_hostile_text import RecordingDriver, painted
from tests.uihelp import select, wait_until

NAME = "configured-api"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-password-AbCdEf"


@pytest.fixture
def sim(fresh_sim: Simulator) -> Simulator:
    return fresh_sim


@pytest.fixture
def planted(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A service whose DATABASE_URL holds a unique value; yields that value. The app paints
    to a driver that keeps every byte."""
    value = f"postgres://app:{uuid.uuid4().hex}@orders-db.internal:5432/orders"
    client = boto3.client("apprunner", **client_kwargs(sim))
    client.create_service(
        ServiceName=NAME,
        SourceConfiguration={
            "ImageRepository": {
                "ImageIdentifier": "public.ecr.aws/acme/configured:1.4.2",
                "ImageRepositoryType": "ECR_PUBLIC",
                "ImageConfiguration": {
                    "Port": "9090",
                    "StartCommand": "./serve --workers 4",
                    "RuntimeEnvironmentVariables": {"DATABASE_URL": value, "LOG_LEVEL": "info"},
                    "RuntimeEnvironmentSecrets": {"DB_PASSWORD": SECRET_ARN},
                },
            },
            "AutoDeploymentsEnabled": False,
        },
        InstanceConfiguration={"Cpu": "2048", "Memory": "4096"},
        HealthCheckConfiguration={"Protocol": "HTTP", "Path": "/healthz"},
        Tags=[{"Key": "team", "Value": "payments"}],
    )
    monkeypatch.setattr(headless, "HeadlessDriver", RecordingDriver)
    RecordingDriver.written = []
    yield value


def pane_text(pane: ConfigurationPane) -> str:
    """Every line of the pane as plain text, rendered as the terminal would get it."""
    console = Console(width=200, color_system=None, file=open(os.devnull, "w"))
    lines = []
    for index in range(pane.options.option_count):
        with console.capture() as capture:
            console.print(pane.options.get_option_at_index(index).prompt)
        lines.append(capture.get().rstrip())
    return "\n".join(lines)


async def open_configuration(pilot, app: ArtuiApp) -> ConfigurationPane:
    await select(pilot, NAME)
    await pilot.press("C")
    await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
    pane = app.screen.query_one(ConfigurationPane)
    await wait_until(pilot, lambda: pane.known.value is not None, "the configuration read")
    await wait_until(pilot, lambda: pane.options.option_count > 10, "the lines drawn")
    return pane


def secret_part(value: str) -> str:
    """The value's unique part: short enough to sit on one painted line, never wrapped."""
    return value.split(":")[2].split("@")[0]


def log_text() -> str:
    state = Path(os.environ["XDG_STATE_HOME"], "artui")
    return "".join(p.read_text(errors="replace") for p in state.glob("artui.log*"))


async def test_the_pane_shows_the_configuration_with_values_masked(
    sim: Simulator, planted: str
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_configuration(pilot, app)
        text = pane_text(pane)
        for words in (
            "public.ecr.aws/acme/configured:1.4.2",
            "ECR_PUBLIC",
            "./serve --workers 4",
            "9090",
            "2 vCPU",
            "4 GB",
            "HTTP /healthz",
            "DATABASE_URL = " + MASK,
            "LOG_LEVEL = " + MASK,
            f"DB_PASSWORD ← secret {SECRET_ARN}",
            "team",
            "payments",
        ):
            assert words in text, (words, text)
        assert planted not in text
        await pilot.pause()
        assert secret_part(planted) not in painted(RecordingDriver.written)
    # The tags came from ListTagsForResource, the rest from DescribeService.
    assert "ListTagsForResource" in calls(sim)


async def test_enter_reveals_one_value_until_the_pane_is_left(planted: str) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_configuration(pilot, app)
        line = pane.options.get_option_index(VARIABLE + "DATABASE_URL")
        while pane.options.highlighted != line:
            await pilot.press("j")
        await pilot.press("enter")
        await wait_until(pilot, lambda: planted in pane_text(pane), "the value revealed")
        assert "LOG_LEVEL = " + MASK in pane_text(pane)  # only the line asked for
        # What the terminal got holds it too (the probe proves the check can see a value).
        written = lambda: secret_part(planted) in painted(RecordingDriver.written)  # noqa: E731
        await wait_until(pilot, written, "the value painted")
        await pilot.press("enter")  # again: masked
        await wait_until(pilot, lambda: planted not in pane_text(pane), "masked again")
        await pilot.press("enter")
        await wait_until(pilot, lambda: planted in pane_text(pane), "revealed again")
        # Left and come back: masked, nothing revealed is remembered.
        await pilot.press("i")
        await pilot.press("C")
        await wait_until(pilot, lambda: pane.options.option_count > 10, "the lines drawn")
        assert planted not in pane_text(pane) and not pane.revealed
    # Never in the log file, revealed or not.
    assert secret_part(planted) not in log_text()


async def test_a_related_read_refused_leaves_the_rest_and_says_what(
    sim: Simulator, planted: str
) -> None:
    message = "User is not authorized to perform apprunner:ListTagsForResource"
    fault = {"operation": "ListTagsForResource", "error": "AccessDeniedException"}
    control(sim, "POST", "/_sim/faults", {**fault, "status": 400, "message": message, "count": -1})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_configuration(pilot, app)
        text = pane_text(pane)
        assert "could not read ListTagsForResource" in text and "not authorized" in text
        assert "public.ecr.aws/acme/configured:1.4.2" in text and "DB_PASSWORD" in text
    control(sim, "DELETE", "/_sim/faults")
