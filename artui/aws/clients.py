"""One aiobotocore session and one client per (service, region), created once and reused.

Credentials, profiles, SSO, container credentials, regions and endpoint overrides
(AWS_ENDPOINT_URL_*) all come from botocore's own chain; nothing here reads them by hand.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import datetime, timezone
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore.exceptions import ProfileNotFound
from botocore.utils import parse_timestamp

from artui.aws.credentials import Resolved, install, missing_profile
from artui.aws.mutations import refuse_changes
from artui.aws.retries import fail_fast_on_connection_errors
from artui.engine.ports import Ask

# Standard retries back off with jitter on throttling; timeouts keep a dead network from
# freezing a poll for botocore's default 60 s.
CLIENT_CONFIG = AioConfig(
    retries={"mode": "standard", "max_attempts": 4},
    connect_timeout=5,
    read_timeout=20,
    max_pool_connections=20,
)


def utc_timestamp(value: Any) -> datetime:
    """A response's timestamp as an aware UTC datetime (the same instant botocore gives)."""
    # botocore's default puts every timestamp in the local zone through dateutil, ~45 us
    # each: four fifths of the time a 500-service fleet's first metrics read (90,000
    # timestamps) spent. artui converts every time it shows with astimezone() anyway.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            pass
    return parse_timestamp(value)


class Clients:
    """Creates clients on first use and closes them all at the end."""

    def __init__(
        self,
        profile: str | None = None,
        *,
        credentials: Resolved | None = None,
        ask: Ask | None = None,
        region: str | None = None,
        read_only: bool = False,
    ) -> None:
        """Credentials come from `credentials` (handed over by the prefetch) or from one run
        of botocore's chain in a thread, asking through `ask`: see artui/aws/credentials.py.
        `read_only` clients refuse every call that changes state before it is sent."""
        try:
            self._session = AioSession(profile=profile)
            # Touch the profile now so a misspelt name fails here, with a clear message.
            self._session.get_scoped_config()
        except ProfileNotFound as exc:
            raise missing_profile(profile) from exc
        install(self._session, profile, credentials, ask, region)
        parsers = self._session.get_component("response_parser_factory")
        parsers.set_parser_defaults(timestamp_parser=utc_timestamp)
        self._stack = AsyncExitStack()
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = asyncio.Lock()
        self.read_only = read_only

    def default_region(self) -> str | None:
        """The region botocore's chain resolves (AWS_DEFAULT_REGION, the profile's region)."""
        return self._session.get_config_variable("region")

    async def get(self, service: str, region: str) -> Any:
        """The client for `service` in `region`."""
        key = (service, region)
        client = self._clients.get(key)
        if client is None:
            async with self._lock:
                client = self._clients.get(key)
                if client is None:
                    creator = self._session.create_client(
                        service, region_name=region, config=CLIENT_CONFIG
                    )
                    client = await self._stack.enter_async_context(creator)
                    # The poller polls again anyway: a dead network shows as STALE at once.
                    fail_fast_on_connection_errors(client)
                    if self.read_only:
                        refuse_changes(client)
                    self._clients[key] = client
        return client

    async def close(self) -> None:
        """Close every client's connection pool."""
        self._clients.clear()
        await self._stack.aclose()
