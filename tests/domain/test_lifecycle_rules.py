"""artui's lifecycle rules (artui.domain.apprunner) and the simulator's (App Runner's) agree.

For every status and action, artui refuses exactly what App Runner would refuse, so the
UI can say why before the call is made and never holds back a call App Runner allows.
"""

from __future__ import annotations

import itertools

import pytest

from artui.domain.apprunner import Service, ServiceStatus
from artui.domain.changes import BY_NAME, Change
from artui.sim.apprunner import lifecycle

STATUSES = [s for s in ServiceStatus if s is not ServiceStatus.UNKNOWN]
CHANGES = [kind() for kind in BY_NAME.values()]


def test_every_service_change_is_an_api_call_the_simulator_rules_on() -> None:
    assert {change.api_name for change in CHANGES} == set(lifecycle.ACTIONS)


@pytest.mark.parametrize(
    ("status", "change"),
    list(itertools.product(STATUSES, CHANGES)),
    ids=lambda v: v.value if isinstance(v, ServiceStatus) else v.name,
)
def test_artui_refuses_what_app_runner_refuses(status: ServiceStatus, change: Change) -> None:
    service = Service("svc", "id", "arn:svc", "us-east-1", status, status.value)
    artui_refuses = change.refusal(service) is not None
    app_runner_refuses = lifecycle.refusal(status.value, change.api_name) is not None
    assert artui_refuses == app_runner_refuses
