"""Statuses AWS may add parse to unknown; the guide's rules on what each status allows."""

from __future__ import annotations

import pytest

from artui.domain import Action, OperationStatus, ServiceStatus, Tone, refusal


def test_unknown_status_is_unknown_not_a_crash() -> None:
    assert ServiceStatus.parse("HIBERNATING") is ServiceStatus.UNKNOWN
    assert ServiceStatus.parse(None) is ServiceStatus.UNKNOWN
    assert OperationStatus.parse("ROLLBACK_SUCCEEDED") is OperationStatus.ROLLBACK_SUCCEEDED


@pytest.mark.parametrize(
    "status, action, allowed",
    [
        (ServiceStatus.RUNNING, Action.DEPLOY, True),
        (ServiceStatus.RUNNING, Action.PAUSE, True),
        (ServiceStatus.RUNNING, Action.RESUME, False),
        (ServiceStatus.PAUSED, Action.DEPLOY, False),
        (ServiceStatus.PAUSED, Action.UPDATE, False),
        (ServiceStatus.PAUSED, Action.RESUME, True),
        (ServiceStatus.PAUSED, Action.DELETE, True),
        (ServiceStatus.OPERATION_IN_PROGRESS, Action.DELETE, False),
        (ServiceStatus.OPERATION_IN_PROGRESS, Action.RESUME, False),
        (ServiceStatus.CREATE_FAILED, Action.DELETE, True),
        (ServiceStatus.CREATE_FAILED, Action.DEPLOY, False),
        (ServiceStatus.CREATE_FAILED, Action.UPDATE, True),
        (ServiceStatus.UNKNOWN, Action.PAUSE, False),
    ],
)
def test_what_each_status_allows(status: ServiceStatus, action: Action, allowed: bool) -> None:
    assert (refusal(status, action) is None) is allowed


def test_every_status_has_a_tone() -> None:
    from artui.domain import SERVICE_TONES

    assert set(SERVICE_TONES) == set(ServiceStatus)
    assert SERVICE_TONES[ServiceStatus.UNKNOWN] is Tone.UNKNOWN
