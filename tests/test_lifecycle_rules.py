"""artui's lifecycle rules (artui.domain) and the simulator's (App Runner's) agree.

For every status and action, artui refuses exactly what App Runner would refuse, so the
UI can say why before the call is made and never holds back a call App Runner allows.
"""

from __future__ import annotations

import itertools

import pytest

from artui.domain import Action, ServiceStatus, refusal
from artui.sim.apprunner import lifecycle

API_NAMES = {
    Action.DEPLOY: "StartDeployment",
    Action.UPDATE: "UpdateService",
    Action.PAUSE: "PauseService",
    Action.RESUME: "ResumeService",
    Action.DELETE: "DeleteService",
}
STATUSES = [s for s in ServiceStatus if s is not ServiceStatus.UNKNOWN]


def test_every_action_has_an_api_name() -> None:
    assert set(API_NAMES) == set(Action)
    assert set(API_NAMES.values()) == set(lifecycle.ACTIONS)


@pytest.mark.parametrize(
    ("status", "action"),
    list(itertools.product(STATUSES, Action)),
    ids=lambda v: v.value,
)
def test_artui_refuses_what_app_runner_refuses(status: ServiceStatus, action: Action) -> None:
    artui_refuses = refusal(status, action) is not None
    app_runner_refuses = lifecycle.refusal(status.value, API_NAMES[action]) is not None
    assert artui_refuses == app_runner_refuses
