"""The configuration pane (issue 24): everything the service is made of, variables masked
until revealed, secrets by name and ARN; a planted value reaches no byte artui writes
(terminal, log file) unless its line was revealed. Its changes (resize, scale, one
variable): a form gives the values, a confirmation shows the before/after, one call is
sent; DescribeService afterwards holds the change; read-only or a value outside the
guide's rules sends nothing."""

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
from textual.screen import ModalScreen

from artui.domain.configuration import MASK
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.panes.configuration import VARIABLE, ConfigurationPane
from artui.ui.screens.configure import (
    HealthCheckScreen,
    ResizeScreen,
    RollBackScreen,
    ScaleScreen,
    VariableScreen,
)
from artui.ui.screens.confirm import ConfirmScreen
from artui.ui.screens.service import ServiceScreen
from tests.ui.test_actions import (
    advance,
    calls,
    confirm_dialog,
    dialog_text,
    make_app,
    toasted,
)
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


async def open_configuration(pilot, app: ArtuiApp, name: str = NAME) -> ConfigurationPane:
    """Service `name`'s configuration pane, read and drawn."""
    await select(pilot, name)
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


async def test_the_network_names_the_vpc_ingress_connection(sim: Simulator, service: dict) -> None:
    client = boto3.client("apprunner", **client_kwargs(sim))
    made = client.create_vpc_ingress_connection(
        ServiceArn=service["ServiceArn"],
        VpcIngressConnectionName="from-orders-vpc",
        IngressVpcConfiguration={"VpcId": "vpc-0a1b2c3d", "VpcEndpointId": "vpce-0e1f2a3b"},
    )["VpcIngressConnection"]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_configuration(pilot, app)
        text = pane_text(pane)
    assert "from-orders-vpc (PENDING_CREATION)" in text, text
    assert "vpc-0a1b2c3d, endpoint vpce-0e1f2a3b" in text
    assert made["DomainName"] in text
    assert {"ListVpcIngressConnections", "DescribeVpcIngressConnection"} <= set(calls(sim))


# -- the changes: resize, scale, one variable ----------------------------------------

CHANGES = {"UpdateService", "CreateAutoScalingConfiguration"}


@pytest.fixture
def service(sim: Simulator, planted: str) -> dict:
    """The planted service as the simulator holds it, its creation ended."""
    advance(sim, 600)
    return describe(sim)


def describe(sim: Simulator) -> dict:
    client = boto3.client("apprunner", **client_kwargs(sim))
    arn = next(
        s["ServiceArn"]
        for s in client.list_services()["ServiceSummaryList"]
        if s["ServiceName"] == NAME
    )
    return client.describe_service(ServiceArn=arn)["Service"]


async def form(pilot, app: ArtuiApp, key: str, kind: type) -> None:
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, kind), kind.__name__)


async def test_resize_confirms_the_diff_and_sends_one_update(sim: Simulator, service: dict) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_configuration(pilot, app)
        await form(pilot, app, "R", ResizeScreen)
        sizes = app.screen.query_one("#resize-sizes")
        target = sizes.get_option_index("4096/8192")
        while sizes.highlighted != target:
            await pilot.press("j")
        await pilot.press("enter")
        dialog = await confirm_dialog(pilot)
        text = dialog_text(dialog)
        assert "cpu" in text and "2 vCPU" in text and "4 vCPU" in text
        assert "4 GB" in text and "8 GB" in text
        await pilot.press("enter")  # Cancel is focused: nothing sent
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), "closed")
        assert calls(sim, CHANGES) == []

        await form(pilot, app, "R", ResizeScreen)
        sizes = app.screen.query_one("#resize-sizes")
        while sizes.highlighted != target:
            await pilot.press("j")
        await pilot.press("enter")
        await confirm_dialog(pilot)
        # A double press sends once (the second y also clears the toasts: a key does).
        await pilot.press("y", "y")
        await wait_until(pilot, lambda: calls(sim, CHANGES) == ["UpdateService"], "sent")
        advance(sim, 600)
        await wait_until(pilot, lambda: toasted(app, "Resize", "succeeded"), "ended")
    assert calls(sim, CHANGES) == ["UpdateService"]
    instance = describe(sim)["InstanceConfiguration"]
    assert (instance["Cpu"], instance["Memory"]) == ("4096", "8192")


async def test_scale_makes_a_revision_of_the_services_own_configuration(
    sim: Simulator, service: dict
) -> None:
    assert service["AutoScalingConfigurationSummary"]["AutoScalingConfigurationName"] == (
        "DefaultConfiguration"
    )
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_configuration(pilot, app)
        await form(pilot, app, "I", ScaleScreen)
        field = app.screen.query_one("#scale-max")
        field.value = "30"  # over the guide's 25
        await pilot.press("enter")
        hint = lambda: str(app.screen.query_one("#configure-hint").render())  # noqa: E731
        await wait_until(pilot, lambda: "1 to 25" in hint(), "the rule said")
        assert isinstance(app.screen, ScaleScreen) and calls(sim, CHANGES) == []
        field.value = "12"
        await pilot.press("enter")
        dialog = await confirm_dialog(pilot)
        text = dialog_text(dialog)
        assert f"{NAME}, a new revision" in text and "to 12" in text
        assert "max concurrency" not in text  # unchanged: not listed
        await pilot.press("y")
        await wait_until(pilot, lambda: toasted(app, "Scale", "started"), "started")
        advance(sim, 600)
        await wait_until(pilot, lambda: toasted(app, "Scale", "succeeded"), "ended")
    assert calls(sim, CHANGES) == ["CreateAutoScalingConfiguration", "UpdateService"]
    summary = describe(sim)["AutoScalingConfigurationSummary"]
    assert summary["AutoScalingConfigurationName"] == NAME  # never the shared default
    client = boto3.client("apprunner", **client_kwargs(sim))
    made = client.describe_auto_scaling_configuration(
        AutoScalingConfigurationArn=summary["AutoScalingConfigurationArn"]
    )["AutoScalingConfiguration"]
    assert made["MaxSize"] == 12


async def test_a_variable_is_changed_masked_and_the_others_kept(
    sim: Simulator, service: dict, planted: str
) -> None:
    new_value = f"postgres://app:{uuid.uuid4().hex}@orders-db-2.internal:5432/orders"
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        pane = await open_configuration(pilot, app)
        line = pane.options.get_option_index(VARIABLE + "DATABASE_URL")
        while pane.options.highlighted != line:
            await pilot.press("j")
        await form(pilot, app, "V", VariableScreen)
        assert app.screen.query_one("#variable-name").value == "DATABASE_URL"
        await pilot.press(*new_value, "enter")
        dialog = await confirm_dialog(pilot)
        assert "DATABASE_URL" in dialog_text(dialog) and "•" in dialog_text(dialog)
        await pilot.press("y")
        await wait_until(pilot, lambda: toasted(app, "DATABASE_URL", "started"), "started")
        advance(sim, 600)
        await wait_until(pilot, lambda: toasted(app, "DATABASE_URL", "succeeded"), "ended")
        await pilot.pause()
        assert secret_part(new_value) not in painted(RecordingDriver.written)
        assert secret_part(new_value) not in pane_text(pane)
    variables = describe(sim)["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"][
        "RuntimeEnvironmentVariables"
    ]
    assert variables == {"DATABASE_URL": new_value, "LOG_LEVEL": "info"}
    assert calls(sim, CHANGES) == ["UpdateService"]


async def test_read_only_sends_no_configuration_change(sim: Simulator, service: dict) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_configuration(pilot, app)
        for key in ("R", "I", "B", "H", "T", "V"):
            await pilot.press(key)
            await wait_until(pilot, lambda: toasted(app, "read-only"), "the refusal")
            assert not isinstance(app.screen, ModalScreen), key  # no form, no confirmation
    assert calls(sim, CHANGES) == []


# -- roll back: the repository's images ------------------------------------------------------


async def roll_back_to(pilot, app: ArtuiApp, name: str, pick) -> tuple[str, str]:
    """On `name`'s configuration, B, the first image whose identifier `pick` takes, enter:
    (that identifier, the confirmation's text)."""
    await select(pilot, name)
    await pilot.press("C")
    await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
    pane = app.screen.query_one(ConfigurationPane)
    await wait_until(
        pilot,
        lambda: (pane.known.value or None) and pane.known.value.images,
        "the repository's images",
    )
    await form(pilot, app, "B", RollBackScreen)
    images = app.screen.query_one("#rollback-images")
    ids = [str(images.get_option_at_index(i).id) for i in range(images.option_count)]
    target = next(i for i, identifier in enumerate(ids) if pick(i, identifier))
    while images.highlighted != target:
        await pilot.press("j")
    await pilot.press("enter")
    return ids[target], dialog_text(await confirm_dialog(pilot))


async def test_roll_back_to_an_earlier_image_of_the_repository(sim: Simulator) -> None:
    client = boto3.client("apprunner", **client_kwargs(sim))
    arn = next(
        s["ServiceArn"]
        for s in client.list_services()["ServiceSummaryList"]
        if s["ServiceName"] == "auth-gateway"
    )
    running = client.describe_service(ServiceArn=arn)["Service"]["SourceConfiguration"]
    current = running["ImageRepository"]["ImageIdentifier"]
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        # The one after the newest: the demo's newest is what runs.
        chosen, text = await roll_back_to(pilot, app, "auth-gateway", lambda i, _: i == 1)
        images = app.screen_stack[-2].query_one(ConfigurationPane).known.value.images
        assert images[0].identifier(current.rsplit(":", 1)[0]) == current  # newest first
        was, to = current.rsplit(":", 1)[1], chosen.rsplit(":", 1)[1]
        assert f"image {was} → {to}" in " ".join(text.split())
        await pilot.press("y")
        await wait_until(pilot, lambda: toasted(app, "Roll back", "started"), "started")
        advance(sim, 600)
        await wait_until(pilot, lambda: toasted(app, "Roll back", "succeeded"), "ended")
    after = client.describe_service(ServiceArn=arn)["Service"]["SourceConfiguration"]
    assert after["ImageRepository"]["ImageIdentifier"] == chosen
    # What the update did not name stays: the port and the variables.
    assert (
        after["ImageRepository"]["ImageConfiguration"]
        == (running["ImageRepository"]["ImageConfiguration"])
    )
    assert calls(sim, CHANGES) == ["UpdateService"]


async def test_a_rollback_to_a_broken_image_fails_and_says_so(sim: Simulator) -> None:
    advance(sim, 3600)  # orders-service's deployment in the demo ends
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        broken = lambda _, identifier: identifier.endswith("-broken")  # noqa: E731
        await roll_back_to(pilot, app, "orders-service", broken)
        await pilot.press("y")
        await wait_until(pilot, lambda: toasted(app, "Roll back", "started"), "started")
        advance(sim, 600)
        await wait_until(pilot, lambda: toasted(app, "Roll back", "failed"), "the failure told")


async def test_the_health_check_is_changed_within_the_rules(sim: Simulator, service: dict) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_configuration(pilot, app)
        await form(pilot, app, "H", HealthCheckScreen)
        screen = app.screen
        screen.query_one("#health-interval").value = "30"  # over the API's 20
        screen.query_one("#health-path").value = "/ready"
        screen.query_one("#health-protocol").focus()
        await pilot.press("enter")
        hint = lambda: str(screen.query_one("#configure-hint").render())  # noqa: E731
        await wait_until(pilot, lambda: "1 to 20" in hint(), "the rule said")
        assert calls(sim, CHANGES) == []
        screen.query_one("#health-interval").value = "10"
        await pilot.press("enter")
        text = " ".join(dialog_text(await confirm_dialog(pilot)).split())
        assert "path /healthz → /ready" in text and "interval" in text
        assert "protocol" not in text  # unchanged: not listed
        await pilot.press("y")
        await wait_until(pilot, lambda: toasted(app, "Health check", "started"), "started")
        advance(sim, 600)
        await wait_until(pilot, lambda: toasted(app, "Health check", "succeeded"), "ended")
    check = describe(sim)["HealthCheckConfiguration"]
    assert (check["Protocol"], check["Path"], check["Interval"]) == ("HTTP", "/ready", 10)


async def test_t_turns_automatic_deployments_on_where_they_work(
    sim: Simulator, service: dict
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_configuration(pilot, app)
        # The planted service runs an ECR Public image: App Runner cannot watch it.
        await pilot.press("T")
        await wait_until(pilot, lambda: toasted(app, "not ECR Public"), "the refusal")
        assert not isinstance(app.screen, ConfirmScreen)
    assert calls(sim, CHANGES) == []
    client = boto3.client("apprunner", **client_kwargs(sim))
    arn = next(
        s["ServiceArn"]
        for s in client.list_services()["ServiceSummaryList"]
        if s["ServiceName"] == "auth-gateway"  # a private ECR image of the account
    )
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, "auth-gateway")
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        pane = app.screen.query_one(ConfigurationPane)
        await wait_until(pilot, lambda: pane.known.value is not None, "the configuration")
        before = pane.known.value.source.auto_deployments
        await pilot.press("T")
        text = " ".join(dialog_text(await confirm_dialog(pilot)).split())
        words = ("off", "on") if not before else ("on", "off")
        assert f"automatic deployments {words[0]} → {words[1]}" in text
        await pilot.press("y")
        await wait_until(pilot, lambda: toasted(app, "Automatic deployments", "started"), "sent")
        advance(sim, 600)
        await wait_until(pilot, lambda: toasted(app, "Automatic deployments", "succeeded"), "end")
    source = client.describe_service(ServiceArn=arn)["Service"]["SourceConfiguration"]
    assert source["AutoDeploymentsEnabled"] is (not before)


async def test_a_scale_at_the_revision_quota_says_so_and_changes_nothing(
    sim: Simulator, service: dict
) -> None:
    client = boto3.client("apprunner", **client_kwargs(sim))
    for size in range(2, 12):  # the guide's quota: 10 revisions of a name
        client.create_auto_scaling_configuration(AutoScalingConfigurationName=NAME, MaxSize=size)
    before = len(calls(sim, CHANGES))
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_configuration(pilot, app)
        await form(pilot, app, "I", ScaleScreen)
        app.screen.query_one("#scale-max").value = "20"
        await pilot.press("enter")
        await confirm_dialog(pilot)
        await pilot.press("y")
        await wait_until(pilot, lambda: toasted(app, "Scale", "failed", "quota"), "the quota said")
    # The app's one CreateAutoScalingConfiguration, refused; no UpdateService after it.
    assert calls(sim, CHANGES)[before:] == ["CreateAutoScalingConfiguration"]
    summary = describe(sim)["AutoScalingConfigurationSummary"]
    assert summary["AutoScalingConfigurationName"] == "DefaultConfiguration"
