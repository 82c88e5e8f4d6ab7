"""CloudWatch Logs reads: a deployment's log stream (the logs pane's tail joins it later)."""

from __future__ import annotations

from typing import Any

from artui.aws.clients import Clients
from artui.aws.errors import aws_errors
from artui.domain import LogEvent

# A deployment log is a build and a rollout: hundreds of lines, rarely thousands.
MAX_DEPLOYMENT_LINES = 20_000


def service_log_group(name: str, service_id: str) -> str:
    """The service log group (events and deployment logs), as the guide names it."""
    return f"/aws/apprunner/{name}/{service_id}/service"


def _same_operation(stream: str, operation_id: str) -> bool:
    # The guide's example stream ends with the id without its dashes; match either form.
    suffix = stream.removeprefix("deployment/")
    return suffix.replace("-", "").lower() == operation_id.replace("-", "").lower()


def _event(item: dict[str, Any]) -> LogEvent:
    return LogEvent(timestamp=int(item.get("timestamp") or 0), message=item.get("message", ""))


class Logs:
    """CloudWatch Logs, region by region, through the shared clients."""

    def __init__(self, clients: Clients) -> None:
        self._clients = clients

    async def deployment_log(
        self, region: str, name: str, service_id: str, operation_id: str
    ) -> tuple[str | None, list[LogEvent]]:
        """The operation's `deployment/` stream and its events, oldest first; (None, [])
        while App Runner has not written it."""
        group = service_log_group(name, service_id)
        with aws_errors():
            client = await self._clients.get("logs", region)
            try:
                stream = await self._find_stream(client, group, operation_id)
                if stream is None:
                    return None, []
                return stream, await self._events(client, group, stream)
            except client.exceptions.ResourceNotFoundException:
                return None, []

    async def _find_stream(self, client: Any, group: str, operation_id: str) -> str | None:
        request: dict[str, Any] = {"logGroupName": group, "logStreamNamePrefix": "deployment/"}
        while True:
            page = await client.describe_log_streams(**request)
            for item in page.get("logStreams") or ():
                if _same_operation(item.get("logStreamName", ""), operation_id):
                    return item["logStreamName"]
            token = page.get("nextToken")
            if not token:
                return None
            request["nextToken"] = token

    async def _events(self, client: Any, group: str, stream: str) -> list[LogEvent]:
        events: list[LogEvent] = []
        request: dict[str, Any] = {
            "logGroupName": group,
            "logStreamName": stream,
            "startFromHead": True,
        }
        while len(events) < MAX_DEPLOYMENT_LINES:
            page = await client.get_log_events(**request)
            events.extend(_event(e) for e in page.get("events") or ())
            token = page.get("nextForwardToken")
            # GetLogEvents hands back the token it was given once the stream is read out.
            if not token or token == request.get("nextToken") or not page.get("events"):
                return events
            request["nextToken"] = token
        return events[:MAX_DEPLOYMENT_LINES]
