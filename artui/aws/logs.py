"""CloudWatch Logs reads for the logs pane: FilterLogEvents pages and Live Tail sessions.

Names follow the guide: `/aws/apprunner/<name>/<id>/application` (streams
`instance/<instance-id>`) and `/aws/apprunner/<name>/<id>/service` (streams `events` and
`deployment/<operation id>`). Live Tail wants log group ARNs; the account and partition
come from the service's own ARN.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from botocore import exceptions as bx

from artui.aws.clients import Clients
from artui.aws.errors import aws_errors, translate
from artui.domain.apprunner import (
    LogEvent,
    LogSource,
    LogSourceKind,
    Service,
    TailUpdate,
    same_operation,
)
from artui.domain.errors import LiveTailUnavailable

# FilterLogEvents' page size ceiling; a page is one request.
PAGE_LIMIT = 10_000


@dataclass(frozen=True)
class Target:
    """Where one source's lines are: a log group, and which of its streams."""

    region: str
    group: str
    group_arn: str
    streams: tuple[str, ...] = ()  # exact names (Live Tail and FilterLogEvents)
    prefix: str = ""  # FilterLogEvents' one prefix
    prefixes: tuple[str, ...] = ()  # Live Tail's prefixes
    operation_id: str = ""  # a deployment: only its own stream under the prefix

    def wants(self, stream: str) -> bool:
        """Whether an event of `stream` belongs to this source (the prefix reads more)."""
        return not self.operation_id or same_operation(stream, self.operation_id)


def target(service: Service, source: LogSource) -> Target:
    """The log group and streams of `source` for `service`."""
    # arn:<partition>:apprunner:<region>:<account>:service/<name>/<id>
    parts = service.arn.split(":")
    partition, account = (parts[1], parts[4]) if len(parts) > 5 else ("aws", "")
    kind = "application" if source.kind is LogSourceKind.APPLICATION else "service"
    group = f"/aws/apprunner/{service.name}/{service.id}/{kind}"
    arn = f"arn:{partition}:logs:{service.region}:{account}:log-group:{group}"
    if source.kind is LogSourceKind.EVENTS:
        return Target(service.region, group, arn, streams=("events",))
    if source.kind is LogSourceKind.DEPLOYMENT:
        op = source.operation_id
        prefixes = tuple(dict.fromkeys((f"deployment/{op.replace('-', '')}", f"deployment/{op}")))
        return Target(
            service.region,
            group,
            arn,
            prefix="deployment/",
            prefixes=prefixes,
            operation_id=op,
        )
    return Target(service.region, group, arn)


def _event(item: dict[str, Any]) -> LogEvent:
    return LogEvent(
        timestamp=int(item.get("timestamp") or 0),
        message=item.get("message") or "",
        stream=item.get("logStreamName") or "",
        event_id=item.get("eventId") or "",
        ingested=int(item.get("ingestionTime") or 0),
    )


class Logs:
    """CloudWatch Logs, region by region, through the shared clients."""

    def __init__(self, clients: Clients) -> None:
        self._clients = clients

    async def read(
        self, where: Target, start_ms: int, end_ms: int | None = None, limit: int = 50_000
    ) -> list[LogEvent]:
        """Events from `start_ms` (to `end_ms`), oldest first, paged with nextToken; past
        `limit`, the newest `limit`. A group App Runner has not created yet reads empty."""
        request: dict[str, Any] = {
            "logGroupName": where.group,
            "startTime": start_ms,
            "limit": PAGE_LIMIT,
        }
        if end_ms is not None:
            request["endTime"] = end_ms
        if where.streams:
            request["logStreamNames"] = list(where.streams)
        elif where.prefix:
            request["logStreamNamePrefix"] = where.prefix
        kept: list[LogEvent] = []
        with aws_errors():
            client = await self._clients.get("logs", where.region)
            try:
                while True:
                    page = await client.filter_log_events(**request)
                    kept.extend(
                        e for e in map(_event, page.get("events") or ()) if where.wants(e.stream)
                    )
                    token = page.get("nextToken")
                    if not token or token == request.get("nextToken"):
                        break
                    request["nextToken"] = token
            except client.exceptions.ResourceNotFoundException:
                return []
        return _newest(kept, limit)

    async def read_logs(
        self, service: Service, source: LogSource, start_ms: int, end_ms: int | None, limit: int
    ) -> list[LogEvent]:
        """FilterLogEvents on one of a service's sources (the engine's `LogReader`)."""
        return await self.read(target(service, source), start_ms, end_ms, limit)

    def live_tail(self, service: Service, source: LogSource) -> AsyncIterator[TailUpdate]:
        """A Live Tail session on one of a service's sources (the engine's `LogReader`)."""
        return self.live(target(service, source))

    async def live(self, where: Target) -> AsyncIterator[TailUpdate]:
        """A Live Tail session on `where`: its start, then each update as AWS pushes it.

        Raises LiveTailUnavailable when AWS refuses the session or it ends early; the
        session is closed when the caller stops iterating (AWS bills it by the minute).
        """
        request: dict[str, Any] = {"logGroupIdentifiers": [where.group_arn]}
        if where.streams:
            request["logStreamNames"] = list(where.streams)
        elif where.prefixes:
            request["logStreamNamePrefixes"] = list(where.prefixes)
        client = await self._clients.get("logs", where.region)
        try:
            response = await client.start_live_tail(**request)
        except (bx.ClientError, bx.BotoCoreError) as exc:
            raise _unavailable("refused", exc) from exc
        stream = response["responseStream"]
        try:
            async for message in stream:
                if "sessionStart" in message:
                    yield TailUpdate(started=True)
                    continue
                update = message.get("sessionUpdate")
                if update is None:
                    continue
                events = tuple(
                    e
                    for e in map(_event, update.get("sessionResults") or ())
                    if where.wants(e.stream)
                )
                sampled = bool((update.get("sessionMetadata") or {}).get("sampled"))
                yield TailUpdate(events=events, sampled=sampled)
        except (bx.ClientError, bx.BotoCoreError) as exc:
            raise _unavailable("ended", exc) from exc
        except Exception as exc:
            mapped = translate(exc)
            if mapped is None:
                raise
            raise _unavailable("ended", exc) from exc
        finally:
            # Closing the body ends the session on AWS's side.
            stream.close()
        raise LiveTailUnavailable("Live Tail closed the session early")


def _newest(events: list[LogEvent], limit: int) -> list[LogEvent]:
    # AWS interleaves a group's streams by time; moto hands them out stream by stream.
    events.sort(key=lambda e: e.timestamp)
    return events[-limit:]


def _unavailable(what: str, exc: BaseException) -> LiveTailUnavailable:
    mapped = translate(exc)
    code = getattr(mapped, "code", None)
    return LiveTailUnavailable(
        f"Live Tail {what}: {mapped if mapped is not None else exc}", code=code
    )
