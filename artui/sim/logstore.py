"""CloudWatch Logs as the simulator keeps it: moto's log store, written on the simulator's clock.

CloudWatch Logs accepts an event no more than 14 days older and 2 hours newer than *now*
(and none older than the group's retention). moto judges that against the machine's real
clock, so a simulator whose clock stands elsewhere (the frozen demo the snapshots use, or a
machine whose calendar moved) would see its own events dropped. So the simulator answers
PutLogEvents itself: it judges each event against its own clock and stores what it accepts
in moto's backend, in this process, where moto's reads (and Live Tail) find it: in the
caller's account (moto keeps a store per account; `ids.account_for` names it).
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import botocore.session
from aiohttp import web
from botocore.model import Shape

from artui.sim import wire
from artui.sim.apprunner.validate import problems

PUT_LOG_EVENTS = "PutLogEvents"
PUT_LOG_EVENTS_TARGET = f"Logs_20140328.{PUT_LOG_EVENTS}"
# The guide of CloudWatch Logs' PutLogEvents: how far from now an event may be.
MAX_AGE_MS = 14 * 86_400 * 1000
MAX_AHEAD_MS = 2 * 3600 * 1000
_JSON_11 = "application/x-amz-json-1.1"


class LogsError(Exception):
    """A CloudWatch Logs refusal: the awsJson1.1 error botocore raises as `code`."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def response(self) -> web.Response:
        """The HTTP answer: `{"__type", "message"}`, as CloudWatch Logs words errors."""
        return web.Response(
            status=self.status,
            body=json.dumps({"__type": self.code, "message": self.message}).encode(),
            content_type=_JSON_11,
            headers={"x-amzn-RequestId": str(uuid.uuid4()), "x-amzn-ErrorType": self.code},
        )


def answer(doc: dict[str, Any]) -> web.Response:
    """A 200 answer carrying `doc`, as CloudWatch Logs sends it."""
    return web.json_response(
        doc, content_type=_JSON_11, headers={"x-amzn-RequestId": str(uuid.uuid4())}
    )


def invalid(message: str) -> LogsError:
    """InvalidParameterException with `message`."""
    return LogsError("InvalidParameterException", message)


def not_found(what: str) -> LogsError:
    """ResourceNotFoundException for a missing log group or stream."""
    return LogsError("ResourceNotFoundException", f"The specified {what} does not exist.")


def checked_params(body: bytes, operation: str) -> dict[str, Any]:
    """The request in `body`, checked against botocore's model of `operation`.

    JSON that does not fit the shape is a SerializationException; a broken constraint is an
    InvalidParameterException, as CloudWatch Logs answers.
    """
    if not body.strip():
        doc: Any = {}
    else:
        try:
            doc = wire.loads(body)
        except wire.NotJson as exc:
            raise LogsError("SerializationException", f"{str(exc)[:200]}.") from None
    if not isinstance(doc, dict):
        raise LogsError("SerializationException", "The request body must be a JSON object.")
    params = {name: value for name, value in doc.items() if value is not None}
    try:
        found = problems(params, input_shape(operation))
    except RecursionError:  # nesting deeper than the shape goes
        raise LogsError(
            "SerializationException", "The request body is nested too deeply."
        ) from None
    shape_errors = [problem for problem in found if problem.shape_error]
    if shape_errors:
        raise LogsError("SerializationException", shape_errors[0].message)
    if found:
        count = f"{len(found)} validation error{'s' if len(found) > 1 else ''} detected"
        raise invalid(f"{count}: " + "; ".join(problem.message for problem in found))
    return params


@functools.cache
def input_shape(operation: str) -> Shape:
    """botocore's model of a CloudWatch Logs request: a newer botocore teaches the simulator."""
    model = botocore.session.get_session().get_service_model("logs")
    return model.operation_model(operation).input_shape


def put_log_events(body: bytes, account: str, region: str, now: float) -> dict[str, Any]:
    """Answer PutLogEvents of `account` at simulated time `now` (epoch seconds); LogsError
    if refused."""
    params = checked_params(body, PUT_LOG_EVENTS)
    return store(
        account,
        region,
        params["logGroupName"],
        params["logStreamName"],
        params["logEvents"],
        now,
    )


def store(
    account: str,
    region: str,
    group_name: str,
    stream_name: str,
    events: Sequence[dict[str, Any]],
    now: float,
) -> dict[str, Any]:
    """Store `events` ({timestamp ms, message}) in a stream of `account` as PutLogEvents
    does at `now`.

    Events too old, too new or past the group's retention are left out and reported in
    `rejectedLogEventsInfo`; the batch must be in time order.
    """
    group = moto_logs().logs_backends[account][region].groups.get(group_name)
    if group is None:
        raise not_found("log group")
    if stream_name not in group.streams:
        raise not_found("log stream")
    now_ms = int(now * 1000)
    oldest = now_ms - MAX_AGE_MS
    retention = group.retention_in_days
    expired_before = now_ms - int(retention) * 86_400_000 if retention else None
    rejected: dict[str, int] = {}
    accepted: list[dict[str, Any]] = []
    last = None
    for index, event in enumerate(events):
        timestamp = event["timestamp"]
        if last is not None and timestamp < last:
            raise invalid(
                "Log events in a single PutLogEvents request must be in chronological order."
            )
        last = timestamp
        if timestamp > now_ms + MAX_AHEAD_MS:
            rejected.setdefault("tooNewLogEventStartIndex", index)
        elif expired_before is not None and timestamp < expired_before:
            rejected["expiredLogEventEndIndex"] = index
        elif timestamp < oldest:
            rejected["tooOldLogEventEndIndex"] = index
        else:
            accepted.append({"timestamp": timestamp, "message": event["message"]})
    stream = group.streams[stream_name]
    first_id = moto_logs().next_event_id()
    token = group.put_log_events(stream_name, accepted)
    # moto stamps ingestion with the machine's clock: the simulator's is the one its events,
    # operations and Live Tail's order live on. Ids tell this batch's events wherever the
    # stream keeps them.
    left = len(accepted)
    for event in reversed(stream.events):  # moto appends: the batch is the tail
        if left == 0:
            break
        if event.event_id >= first_id:
            event.ingestion_time = now_ms
            left -= 1
    stream.last_ingestion_time = datetime.fromtimestamp(now, timezone.utc).replace(tzinfo=None)
    answer: dict[str, Any] = {"nextSequenceToken": token}
    if rejected:
        answer["rejectedLogEventsInfo"] = rejected
    return answer


def ensure_log(account: str, region: str, group_name: str, stream_name: str | None = None) -> None:
    """Create a log group (and a stream in it) of `account` in moto's store, unless they
    exist: the demo world's own groups, made in this process rather than over HTTP (a call
    each)."""
    backend = moto_logs().logs_backends[account][region]
    group = backend.groups.get(group_name)
    if group is None:
        group = backend.create_log_group(group_name, {})
    if stream_name is not None and stream_name not in group.streams:
        group.create_log_stream(stream_name)


@dataclass(frozen=True)
class MotoLogs:
    """The parts of moto's CloudWatch Logs the simulator reads and writes in-process."""

    logs_backends: Any
    encoder: Any
    message_filter: Any
    next_event_id: Any


@functools.cache
def moto_logs() -> MotoLogs:
    """moto's log backends and helpers, loaded once a caller needs them (importing the
    simulator stays cheap)."""
    from moto.core.eventstream import EventStreamEncoder
    from moto.logs.models import LogEvent, logs_backends
    from moto.logs.utils import EventMessageFilter

    return MotoLogs(
        logs_backends=logs_backends,
        encoder=EventStreamEncoder(),
        message_filter=EventMessageFilter,
        # The id moto gives the next event it stores (a class-wide counter).
        next_event_id=lambda: LogEvent._event_id,
    )
