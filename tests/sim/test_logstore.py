"""PutLogEvents as the simulator answers it: judged by the simulator's clock, not the machine's.

Every simulator here stands far from the machine's calendar (a year and more before it), so
moto alone, which judges by the real clock, would drop every event these tests write.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import control, make_boto3

from artui.sim import Simulator

DAY_MS = 86_400_000
HOUR_MS = 3_600_000


@pytest.fixture(scope="module")
def far() -> Iterator[Simulator]:
    """A simulator whose stopped clock reads 400 days before the machine's."""
    with Simulator(
        services=0, world=False, time_scale=0, start_time=time.time() - 400 * 86_400
    ) as sim:
        yield sim


@pytest.fixture
def logs(far: Simulator) -> Any:
    return make_boto3(far, "logs")


def sim_now_ms(sim: Simulator) -> int:
    return int(control(sim, "GET", "/_sim/clock")["now"] * 1000)


def new_stream(logs: Any) -> str:
    group = f"/artui/logstore/{uuid.uuid4().hex}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    return group


def messages(logs: Any, group: str) -> list[str]:
    events = logs.filter_log_events(logGroupName=group)["events"]
    return [event["message"] for event in events]


def test_events_of_the_simulated_day_are_kept_whatever_the_machine_calendar(far, logs):
    group = new_stream(logs)
    now = sim_now_ms(far)
    answer = logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[
            {"timestamp": now - 13 * DAY_MS, "message": "thirteen days ago"},
            {"timestamp": now, "message": "now"},
            {"timestamp": now + HOUR_MS, "message": "an hour ahead"},
        ],
    )
    assert "rejectedLogEventsInfo" not in answer
    assert answer["nextSequenceToken"]
    assert messages(logs, group) == ["thirteen days ago", "now", "an hour ahead"]
    # What the reads give back carries the simulated times, untouched.
    stamps = [e["timestamp"] for e in logs.filter_log_events(logGroupName=group)["events"]]
    assert stamps == [now - 13 * DAY_MS, now, now + HOUR_MS]


def test_ingestion_is_stamped_on_the_simulated_clock(far, logs):
    group = new_stream(logs)
    now = sim_now_ms(far)  # 400 days before the machine's: moto would stamp the machine's
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now - HOUR_MS, "message": "an hour ago"}],
    )
    [event] = logs.get_log_events(logGroupName=group, logStreamName="s")["events"]
    assert event["ingestionTime"] == now
    [stream] = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert stream["lastIngestionTime"] == now


def test_too_old_and_too_new_are_judged_against_the_simulated_now(far, logs):
    group = new_stream(logs)
    now = sim_now_ms(far)
    answer = logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[
            {"timestamp": now - 15 * DAY_MS, "message": "fifteen days ago"},
            {"timestamp": now - 14 * DAY_MS - 1, "message": "just past fourteen days"},
            {"timestamp": now, "message": "kept"},
            {"timestamp": now + 2 * HOUR_MS + 1, "message": "just past two hours ahead"},
            {"timestamp": now + DAY_MS, "message": "a day ahead"},
        ],
    )
    assert answer["rejectedLogEventsInfo"] == {
        "tooOldLogEventEndIndex": 1,
        "tooNewLogEventStartIndex": 3,
    }
    assert messages(logs, group) == ["kept"]


def test_moving_the_simulated_clock_moves_the_window(far, logs):
    group = new_stream(logs)
    before = sim_now_ms(far)
    control(far, "POST", "/_sim/clock", {"advance": 3 * 3600})
    answer = logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        # Three hours ahead of the old now: too new before the advance, fine after it.
        logEvents=[{"timestamp": before + 3 * HOUR_MS, "message": "after the advance"}],
    )
    assert "rejectedLogEventsInfo" not in answer
    assert messages(logs, group) == ["after the advance"]


def test_a_group_retention_rejects_what_it_has_expired(far, logs):
    group = new_stream(logs)
    logs.put_retention_policy(logGroupName=group, retentionInDays=1)
    now = sim_now_ms(far)
    answer = logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[
            {"timestamp": now - 2 * DAY_MS, "message": "two days ago"},
            {"timestamp": now, "message": "kept"},
        ],
    )
    assert answer["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}
    assert messages(logs, group) == ["kept"]


def test_refusals_say_what_cloudwatch_logs_says(far, logs):
    group = new_stream(logs)
    now = sim_now_ms(far)
    cases = [
        ({"logGroupName": group + "-missing", "logStreamName": "s"}, "ResourceNotFoundException"),
        ({"logGroupName": group, "logStreamName": "missing"}, "ResourceNotFoundException"),
    ]
    for names, code in cases:
        with pytest.raises(ClientError) as err:
            logs.put_log_events(**names, logEvents=[{"timestamp": now, "message": "x"}])
        assert err.value.response["Error"]["Code"] == code
        assert "does not exist" in err.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as err:
        logs.put_log_events(
            logGroupName=group,
            logStreamName="s",
            logEvents=[
                {"timestamp": now, "message": "later"},
                {"timestamp": now - 1000, "message": "earlier"},
            ],
        )
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "chronological order" in err.value.response["Error"]["Message"]
    assert messages(logs, group) == []


def test_a_request_outside_the_model_is_refused_before_anything_is_stored(far):
    group = new_stream(make_boto3(far, "logs"))
    for body, code in (
        (b"[1]", "SerializationException"),
        (b'{"logGroupName": "' + group.encode() + b'", "logStreamName": "s"}', None),
    ):
        answer = _raw_put(far, body)
        assert answer["__type"] == (code or "InvalidParameterException")
    assert control(far, "GET", "/_sim/requests")["requests"][-1]["operation"] == "PutLogEvents"


def _raw_put(sim: Simulator, body: bytes) -> dict[str, Any]:
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        sim.endpoint,
        data=body,
        method="POST",
        headers={
            "X-Amz-Target": "Logs_20140328.PutLogEvents",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=10)
    assert err.value.code == 400
    return json.load(err.value)
