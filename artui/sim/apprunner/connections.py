"""Connections to source code providers (GitHub, Bitbucket): one `Connections` per account
and region.

The Developer Guide's "Connections": a connection is its own resource, shared by the
services that build from the provider account it reaches; it can be created and deleted,
never modified. A new connection is PENDING_HANDSHAKE until someone completes the provider's
authentication handshake in the App Runner console (here: `POST /_sim/connections/<name>/
handshake`), then AVAILABLE, and only then usable (the model's Connection.Status: "When the
state is AVAILABLE, you can use the connection to create an App Runner service").
DeleteConnection answers the connection DELETED and it leaves ListConnections; it is refused
(InvalidRequestException, the model's only fitting error) while a service uses it: the
model's "ensure that there are no running App Runner services that use this connection".
Quota (the guide's "App Runner resource quotas"): 10 connections per account and region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from artui.sim.apprunner.ids import DEFAULT_ACCOUNT, IdRandom, new_config_id
from artui.sim.apprunner.limits import CONNECTIONS
from artui.sim.errors import ApiError, invalid_request, not_found

# region, account, name, id
CONNECTION_ARN_RE = re.compile(
    r"^arn:aws:apprunner:([a-z0-9-]+):(\d{12}):connection/"
    r"([A-Za-z0-9][A-Za-z0-9_-]{3,31})/([0-9a-f]{32})$"
)
PENDING, AVAILABLE, DELETED = "PENDING_HANDSHAKE", "AVAILABLE", "DELETED"


@dataclass
class Connection:
    """One connection to a provider account."""

    region: str
    name: str
    id: str
    provider: str  # GITHUB or BITBUCKET
    created_at: float
    status: str = PENDING
    tags: dict[str, str] = field(default_factory=dict)
    account: str = DEFAULT_ACCOUNT

    @property
    def arn(self) -> str:
        return f"arn:aws:apprunner:{self.region}:{self.account}:connection/{self.name}/{self.id}"

    def describe(self) -> dict[str, Any]:
        """The Connection (and ConnectionSummary) document."""
        return {
            "ConnectionName": self.name,
            "ConnectionArn": self.arn,
            "ProviderType": self.provider,
            "Status": self.status,
            "CreatedAt": self.created_at,
        }


class Connections:
    """One account's connections in one region, deleted ones too, oldest first."""

    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region
        self._all: list[Connection] = []

    def live(self, name: str | None = None) -> list[Connection]:
        """Connections not deleted (named `name`, if given), oldest first."""
        return [c for c in self._all if c.status != DELETED and (name is None or c.name == name)]

    def create(
        self,
        name: str,
        provider: str,
        now: float,
        rng: IdRandom,
        tags: dict[str, str] | None = None,
    ) -> Connection:
        """A new PENDING_HANDSHAKE connection; refuses a name in use and the 11th."""
        if self.live(name):
            raise invalid_request(f"A connection named {name} already exists in {self.region}.")
        if len(self.live()) >= CONNECTIONS:
            raise ApiError(
                "ServiceQuotaExceededException",
                f"You've reached the quota of {CONNECTIONS} connections in {self.region}. "
                "Delete a connection you no longer use before you create another.",
            )
        return self.add(
            Connection(
                self.region,
                name,
                new_config_id(rng),
                provider,
                now,
                tags=dict(tags or {}),
                account=self.account,
            )
        )

    def add(self, connection: Connection) -> Connection:
        self._all.append(connection)
        return connection

    def find(self, arn: str, member: str = "ConnectionArn") -> Connection:
        """The live connection `arn` names: InvalidRequestException for an ARN that is not
        a connection's of this region, ResourceNotFoundException for one naming nothing."""
        match = CONNECTION_ARN_RE.match(arn)
        if not match:
            raise invalid_request(f"{member} '{arn}' is not a valid connection ARN.")
        region, account, name, cid = match.groups()
        if region != self.region:
            raise invalid_request(
                f"{member} is in region {region}, but the request went to {self.region}."
            )
        for connection in self.live(name):
            # Another account's ARN: nothing this caller can see.
            if account == self.account and connection.id == cid:
                return connection
        raise not_found(f"The connection {arn} can't be found.")

    def usable(self, arn: str, member: str) -> Connection:
        """The AVAILABLE connection a service's source names; InvalidRequestException for
        any other (CreateService and UpdateService check what they name)."""
        try:
            connection = self.find(arn, member)
        except ApiError as exc:
            if exc.code != "ResourceNotFoundException":
                raise
            raise invalid_request(f"{member} {arn} names no connection in {self.region}.") from None
        if connection.status != AVAILABLE:
            raise invalid_request(
                f"Connection {connection.name} is {connection.status}: complete its "
                "handshake in the App Runner console before a service uses it."
            )
        return connection

    def named(self, name: str) -> Connection:
        """The live connection called `name`; ResourceNotFoundException if none."""
        found = self.live(name)
        if not found:
            raise not_found(f"No connection named {name} in {self.region}.")
        return found[0]


def connection_arn(source: dict[str, Any] | None) -> str | None:
    """The ConnectionArn a code repository's SourceConfiguration names, if any (an image
    has no use for one)."""
    if source is None or "CodeRepository" not in source:
        return None
    return (source.get("AuthenticationConfiguration") or {}).get("ConnectionArn")
