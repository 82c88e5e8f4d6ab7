"""Statuses AWS may add parse to unknown; the guide's rules on what each status allows."""

from __future__ import annotations

import pytest

from artui.domain.apprunner import OperationStatus, Service, ServiceStatus, Tone
from artui.domain.changes import Change, Delete, Deploy, Pause, Rebuild, Resume


def test_unknown_status_is_unknown_not_a_crash() -> None:
    assert ServiceStatus.parse("HIBERNATING") is ServiceStatus.UNKNOWN
    assert ServiceStatus.parse(None) is ServiceStatus.UNKNOWN
    assert OperationStatus.parse("ROLLBACK_SUCCEEDED") is OperationStatus.ROLLBACK_SUCCEEDED


@pytest.mark.parametrize(
    "status, change, allowed",
    [
        (ServiceStatus.RUNNING, Deploy(), True),
        (ServiceStatus.RUNNING, Pause(), True),
        (ServiceStatus.RUNNING, Resume(), False),
        (ServiceStatus.PAUSED, Deploy(), False),
        (ServiceStatus.PAUSED, Rebuild(), False),
        (ServiceStatus.PAUSED, Resume(), True),
        (ServiceStatus.PAUSED, Delete(), True),
        (ServiceStatus.OPERATION_IN_PROGRESS, Delete(), False),
        (ServiceStatus.OPERATION_IN_PROGRESS, Resume(), False),
        (ServiceStatus.CREATE_FAILED, Delete(), True),
        (ServiceStatus.CREATE_FAILED, Deploy(), False),
        (ServiceStatus.CREATE_FAILED, Rebuild(), True),
        (ServiceStatus.UNKNOWN, Pause(), False),
    ],
)
def test_what_each_status_allows(status: ServiceStatus, change: Change, allowed: bool) -> None:
    service = Service("svc", "id", "arn:svc", "us-east-1", status, status.value)
    assert (change.refusal(service) is None) is allowed


def test_every_status_has_a_tone() -> None:
    from artui.domain.apprunner import SERVICE_TONES

    assert set(SERVICE_TONES) == set(ServiceStatus)
    assert SERVICE_TONES[ServiceStatus.UNKNOWN] is Tone.UNKNOWN
