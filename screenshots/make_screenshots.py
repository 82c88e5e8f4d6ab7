"""Regenerate screenshots/*.svg from the demo on a frozen clock: `make screenshots`."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))  # tests.uihelp imports conftest as pytest does

from conftest import control  # noqa: E402

from artui.engine.activity import KIND as OPERATIONS  # noqa: E402
from artui.sim.server import Simulator  # noqa: E402
from artui.ui.panes.activity import ActivityPane  # noqa: E402
from artui.ui.panes.configuration import ConfigurationPane  # noqa: E402
from artui.ui.panes.custom_domains import DomainsPane  # noqa: E402
from artui.ui.panes.metrics import MetricsPane  # noqa: E402
from artui.ui.screens.configure import RollBackScreen  # noqa: E402
from artui.ui.screens.confirm import ConfirmScreen, DeleteScreen  # noqa: E402
from artui.ui.screens.custom_domains import LinkScreen  # noqa: E402
from artui.ui.screens.plan import PlanScreen  # noqa: E402
from artui.ui.widgets.logview import LogView  # noqa: E402
from tests.uihelp import (  # noqa: E402 - after the path fix above
    FROZEN_LOG_LINES,
    accounts_shown,
    aim_botocore_at,
    described,
    fail_list_services,
    fleet_shown,
    frozen_app,
    frozen_simulator,
    select,
    two_accounts_app,
    wait_until,
    write_frozen_logs,
)

# (file name, terminal size, keys pressed after the table fills, what to wait for then)
SHOTS = [
    ("services-80x24", (80, 24), [], None),
    ("services-120x36", (120, 36), [], None),
    ("filter-80x24", (80, 24), ["slash", "p", "a", "y"], None),
    ("overview-80x24", (80, 24), ["j", "j", "enter"], "described"),
    ("help-80x24", (80, 24), ["question_mark"], None),
    ("errors-80x24", (80, 24), ["r", "e"], None),
    ("activity-80x24", (80, 24), ["enter", "a"], "activity"),
    ("deploy-80x24", (80, 24), ["d"], "dialog"),
    ("pause-80x24", (80, 24), ["p"], "dialog"),
    ("delete-80x24", (80, 24), ["ctrl+d"], "dialog"),
    ("logs-80x24", (80, 24), ["l"], "logs"),
    ("metrics-80x24", (80, 24), ["m"], "metrics"),
    ("metrics-120x40", (120, 40), ["m", "3"], "metrics"),
    ("domains-80x24", (80, 24), ["c"], "domains"),
    ("domains-120x40", (120, 40), ["c"], "root domains"),
    ("link-80x24", (80, 24), ["c", "A"], "link"),
    ("configuration-80x24", (80, 24), ["C"], "configuration"),
    ("rollback-80x24", (80, 24), ["C", "B"], "rollback"),
    ("plan-80x24", (80, 24), ["C", "x"], "plan"),
]
# A region that stops answering, for the errors shot.
DENIED = (
    "User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: "
    "apprunner:ListServices on resource: * because no identity-based policy allows it"
)


async def shoot(
    sim: Simulator, name: str, size: tuple[int, int], keys: list[str], wait: str | None
) -> None:
    app = frozen_app()
    async with app.run_test(size=size) as pilot:
        await fleet_shown(pilot)  # the list's sparklines, in every shot that shows the list
        if "e" in keys:
            fail_list_services(sim, "AccessDeniedException", DENIED, region="eu-west-1")
            await pilot.press("r")
            await wait_until(pilot, lambda: app.snapshot.stale, "the failing region")
            keys = keys[1:]
        if wait in ("activity", "dialog", "logs", "metrics", "domains", "link"):
            await select(pilot, "checkout-api")  # the demo's incident, with a long history
        if wait == "root domains":
            await select(pilot, "payments-worker")  # a root domain waiting, a wildcard refused
        if wait in ("domains", "root domains", "link"):
            await pilot.press("enter", keys[0])
            pane = app.screen.query_one(DomainsPane)
            await wait_until(pilot, lambda: pane.options.option_count, "DescribeCustomDomains")
            keys = keys[1:]
        if wait in ("configuration", "rollback", "plan"):
            # orders-service: variables, secrets, a VPC connector, tracing; auth-gateway:
            # a private ECR image with earlier versions to roll back to.
            await select(pilot, "auth-gateway" if wait == "rollback" else "orders-service")
            await pilot.press("enter", keys[0])
            pane = app.screen.query_one(ConfigurationPane)
            await wait_until(pilot, lambda: pane.options.option_count > 20, "the configuration")
            keys = keys[1:]
        if wait == "activity":
            await pilot.press(*keys[:-1])
            await wait_until(pilot, lambda: described(app), "DescribeService")
            keys = keys[-1:]
        await pilot.press(*keys)
        if wait == "described":
            await wait_until(pilot, lambda: described(app), "DescribeService")
        elif wait == "activity":
            pane = app.screen.query_one(ActivityPane)
            await wait_until(pilot, lambda: pane.known.fetched_at, "ListOperations")
        elif wait == "logs":
            view = app.screen.query_one(LogView)
            await wait_until(pilot, lambda: view.held == len(FROZEN_LOG_LINES), "the lines")
            status = app.screen.query_one("#status")
            await wait_until(pilot, lambda: "Live Tail" in str(status.content), "Live Tail")
        elif wait == "metrics":
            pane = app.screen.query_one(MetricsPane)
            scope = app.scope_of(pane.service)
            await wait_until(pilot, lambda: pane.known.fetched_at, "GetMetricData")
            await wait_until(
                pilot, lambda: app.store.get(OPERATIONS, scope, pane.service.arn).value, "marks"
            )
        elif wait == "link":
            await wait_until(pilot, lambda: isinstance(app.screen, LinkScreen), "the form")
            await pilot.press(*"shop.example.org")
        elif wait == "rollback":
            await wait_until(pilot, lambda: isinstance(app.screen, RollBackScreen), "the form")
            await pilot.press("j")
        elif wait == "plan":
            await wait_until(
                pilot,
                lambda: isinstance(app.screen, PlanScreen) and app.screen.plan is not None,
                "the plan",
            )
        elif wait == "dialog":
            dialogs = (ConfirmScreen, DeleteScreen)
            await wait_until(pilot, lambda: isinstance(app.screen, dialogs), "the dialog")
        await pilot.pause()
        app.save_screenshot(f"{name}.svg", str(HERE))
    print(f"screenshots/{name}.svg")


async def shoot_accounts(folder: Path) -> None:
    """Two profiles, two accounts: the header names both, the list has an account column."""
    app = two_accounts_app(folder, os.environ.__setitem__)
    async with app.run_test(size=(80, 24)) as pilot:
        await accounts_shown(pilot)
        app.save_screenshot("accounts-80x24.svg", str(HERE))
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    print("screenshots/accounts-80x24.svg")


def main() -> int:
    os.environ["TZ"] = "UTC"
    # The errors shot names the log file: the same path on every machine, not your home.
    os.environ["XDG_STATE_HOME"] = "/tmp/artui-screenshots"
    time.tzset()
    with frozen_simulator() as sim:
        aim_botocore_at(sim, os.environ.__setitem__)
        write_frozen_logs(sim, "checkout-api")
        for name, size, keys, wait in SHOTS:
            asyncio.run(shoot(sim, name, size, keys, wait))
            control(sim, "DELETE", "/_sim/faults")
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(shoot_accounts(Path(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
