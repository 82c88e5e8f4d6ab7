"""VPC ingress connections: a service reached from inside a VPC through a VPC interface
endpoint. One `IngressConnections` per account and region.

The Developer Guide's "Incoming traffic" and "Enabling Private endpoint":

- CreateVpcIngressConnection answers PENDING_CREATION with the `DomainName` App Runner
  gives the service inside the VPC; it turns AVAILABLE after a while (the guide gives no
  figure: `CREATE_SECONDS`, divided by the simulator's speedup, like every operation).
  UpdateVpcIngressConnection is PENDING_UPDATE, then AVAILABLE; it is allowed from
  AVAILABLE, FAILED_CREATION and FAILED_UPDATE only, and changes only the endpoint ("You
  cannot update the Endpoint name and the VPC fields"). DeleteVpcIngressConnection is
  PENDING_DELETION (DeletedAt set, as the guide's example answers), then DELETED; it is
  allowed from AVAILABLE and the FAILED_* statuses. Anything else is InvalidStateException.
- "You can only create one VPC Ingress Connection resource for each App Runner service": a
  second while the first is not DELETED is InvalidRequestException. One VPC endpoint may
  serve several services, so endpoints are not exclusive.
- Quota: 10 per account and region (the guide's "App Runner resource quotas").
- The service keeps the NetworkConfiguration it was given: making it private is its own
  `IngressConfiguration.IsPubliclyAccessible` (false), set by CreateService or
  UpdateService, as the guide's API steps do; DescribeService shows that, not the ingress
  connection. DeleteService is refused while the service has an ingress connection not
  DELETED (the model's DeleteService: "Make sure that you don't have any active
  VPCIngressConnections associated with the service you want to delete").
- Failures on demand, as the simulator's sources have (`failures`): an endpoint id of
  exactly `vpce-failcreate` ends the creation FAILED_CREATION, an update to `vpce-failupdate`
  ends FAILED_UPDATE (the connection keeps its endpoint). A deletion never fails here: the
  guide documents no cause, and a FAILED_DELETION connection could be left only by another
  deletion.

A deleted connection leaves ListVpcIngressConnections; DescribeVpcIngressConnection still
answers it with DELETED (as DescribeService does a deleted service).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from artui.sim.apprunner.ids import DEFAULT_ACCOUNT, IdRandom, new_config_id, new_service_url
from artui.sim.apprunner.limits import VPC_INGRESS_CONNECTIONS
from artui.sim.errors import ApiError, invalid_request, invalid_state, not_found

# Simulated seconds each change takes (before the speedup); App Runner's take minutes.
CREATE_SECONDS = 150.0
UPDATE_SECONDS = 120.0
DELETE_SECONDS = 60.0
# The endpoint ids that make a creation or an update fail (see the module's docstring).
FAIL_CREATE_ENDPOINT = "vpce-failcreate"
FAIL_UPDATE_ENDPOINT = "vpce-failupdate"

# region, account, name, id
INGRESS_ARN_RE = re.compile(
    r"^arn:aws:apprunner:([a-z0-9-]+):(\d{12}):vpcingressconnection/"
    r"([A-Za-z0-9][A-Za-z0-9_-]{3,39})/([0-9a-f]{32})$"
)
_IDS = {"VpcId": r"vpc-[0-9a-z]+", "VpcEndpointId": r"vpce-[0-9a-z]+"}
# What each action accepts (the model's Update and Delete documentation, and the guide's).
_ALLOWED = {
    "UpdateVpcIngressConnection": ("AVAILABLE", "FAILED_CREATION", "FAILED_UPDATE"),
    "DeleteVpcIngressConnection": (
        "AVAILABLE",
        "FAILED_CREATION",
        "FAILED_UPDATE",
        "FAILED_DELETION",
    ),
}


@dataclass
class _Change:
    """A change under way: the status it ends in, when, and what a failure restores."""

    ok: str
    failed: str
    ends_at: float
    fails: bool = False
    previous_endpoint: str | None = None


@dataclass
class IngressConnection:
    """One VPC ingress connection; its status settles lazily from the clock."""

    region: str
    name: str
    id: str
    service_arn: str
    vpc_id: str
    endpoint_id: str
    domain_name: str
    created_at: float
    status: str
    change: _Change | None = None
    deleted_at: float | None = None
    tags: dict[str, str] = field(default_factory=dict)
    account: str = DEFAULT_ACCOUNT

    @property
    def arn(self) -> str:
        return (
            f"arn:aws:apprunner:{self.region}:{self.account}:vpcingressconnection/"
            f"{self.name}/{self.id}"
        )

    def settle(self, now: float) -> None:
        """Apply the change under way if it has ended by `now`."""
        change = self.change
        if change is None or now < change.ends_at:
            return
        self.change = None
        self.status = change.failed if change.fails else change.ok
        if change.fails and change.previous_endpoint is not None:
            self.endpoint_id = change.previous_endpoint

    def begin(self, status: str, change: _Change) -> None:
        """Enter `status` now, until `change` ends."""
        self.status = status
        self.change = change

    def describe(self, now: float) -> dict[str, Any]:
        """The VpcIngressConnection document."""
        self.settle(now)
        doc: dict[str, Any] = {
            "VpcIngressConnectionArn": self.arn,
            "VpcIngressConnectionName": self.name,
            "ServiceArn": self.service_arn,
            "Status": self.status,
            "AccountId": self.account,
            "DomainName": self.domain_name,
            "IngressVpcConfiguration": {"VpcId": self.vpc_id, "VpcEndpointId": self.endpoint_id},
            "CreatedAt": self.created_at,
        }
        if self.deleted_at is not None:
            doc["DeletedAt"] = self.deleted_at
        return doc

    def summary(self) -> dict[str, Any]:
        """The VpcIngressConnectionSummary document."""
        return {"VpcIngressConnectionArn": self.arn, "ServiceArn": self.service_arn}


def vpc_configuration(config: dict[str, Any]) -> tuple[str, str]:
    """(VpcId, VpcEndpointId) of an IngressVpcConfiguration: both needed (the model leaves
    them optional, the guide's steps give both) and shaped as EC2's ids."""
    out = []
    for member, pattern in _IDS.items():
        value = config.get(member)
        if not value:
            raise invalid_request(f"IngressVpcConfiguration.{member} is required.")
        if not re.fullmatch(pattern, value):
            raise invalid_request(
                f"IngressVpcConfiguration.{member}: '{value[:64]}' is not a "
                f"{pattern.split('-')[0]}-… id."
            )
        out.append(value)
    return out[0], out[1]


def service_refusal(service: str, status: str, running: str | None) -> str | None:
    """Why a service in `status` (with operation `running` under way) can't get an ingress
    connection, or None: it must exist, and not be failed or on its way out."""
    if status in ("CREATE_FAILED", "DELETE_FAILED", "DELETED"):
        return f"{service} is {status}; it can't get a VPC ingress connection."
    if running == "DELETE_SERVICE":
        return f"{service} is being deleted; it can't get a VPC ingress connection."
    return None


class IngressConnections:
    """One account's VPC ingress connections in one region, deleted ones too, oldest first."""

    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region
        self._all: list[IngressConnection] = []

    def live(self, now: float) -> list[IngressConnection]:
        """Connections not DELETED at `now`, oldest first."""
        for item in self._all:
            item.settle(now)
        return [c for c in self._all if c.status != "DELETED"]

    def create(
        self,
        params: dict[str, Any],
        now: float,
        rng: IdRandom,
        speedup: float,
        tags: dict[str, str],
    ) -> IngressConnection:
        """A new connection, PENDING_CREATION; the service's state is the caller's to check."""
        name = params["VpcIngressConnectionName"]
        service_arn = params["ServiceArn"]
        vpc_id, endpoint_id = vpc_configuration(params["IngressVpcConfiguration"])
        live = self.live(now)
        if any(c.name == name for c in live):
            raise invalid_request(
                f"A VPC ingress connection named {name} already exists in {self.region}."
            )
        held = self.of_service(service_arn, now)
        if held is not None:
            raise invalid_request(
                f"The service already has VPC ingress connection {held.name}; a service "
                "can have only one."
            )
        if len(live) >= VPC_INGRESS_CONNECTIONS:
            raise ApiError(
                "ServiceQuotaExceededException",
                f"You've reached the quota of {VPC_INGRESS_CONNECTIONS} VPC ingress "
                f"connections in {self.region}. Delete one before you create another.",
            )
        item = IngressConnection(
            self.region,
            name,
            new_config_id(rng),
            service_arn,
            vpc_id,
            endpoint_id,
            new_service_url(rng, self.region),
            now,
            "PENDING_CREATION",
            tags=tags,
            account=self.account,
        )
        fails = endpoint_id == FAIL_CREATE_ENDPOINT
        item.begin(
            "PENDING_CREATION",
            _Change("AVAILABLE", "FAILED_CREATION", now + CREATE_SECONDS / speedup, fails),
        )
        self._all.append(item)
        return item

    def find(self, arn: str, now: float) -> IngressConnection:
        """The connection `arn` names, DELETED ones included: InvalidRequestException for
        an ARN not of a VPC ingress connection of this region, ResourceNotFoundException
        for one naming nothing the caller can see."""
        match = INGRESS_ARN_RE.match(arn)
        if not match:
            raise invalid_request(
                f"VpcIngressConnectionArn '{arn}' is not a valid VPC ingress connection ARN."
            )
        region, account, name, cid = match.groups()
        if region != self.region:
            raise invalid_request(
                f"VpcIngressConnectionArn is in region {region}, but the request went to "
                f"{self.region}."
            )
        for item in self._all:
            if account == self.account and item.name == name and item.id == cid:
                item.settle(now)
                return item
        raise not_found(f"The VPC ingress connection {arn} can't be found.")

    def update(
        self, item: IngressConnection, config: dict[str, Any], now: float, speedup: float
    ) -> None:
        """Move `item` to the endpoint `config` names: PENDING_UPDATE, then AVAILABLE."""
        _check_status(item, "UpdateVpcIngressConnection")
        vpc_id, endpoint_id = vpc_configuration(config)
        if vpc_id != item.vpc_id:
            raise invalid_request(
                f"A VPC ingress connection's VPC can't change ({item.vpc_id}); create a new "
                "one for another VPC."
            )
        previous = item.endpoint_id
        item.endpoint_id = endpoint_id
        fails = endpoint_id == FAIL_UPDATE_ENDPOINT
        ends = now + UPDATE_SECONDS / speedup
        item.begin("PENDING_UPDATE", _Change("AVAILABLE", "FAILED_UPDATE", ends, fails, previous))

    def delete(self, item: IngressConnection, now: float, speedup: float) -> None:
        """PENDING_DELETION now, DELETED shortly."""
        _check_status(item, "DeleteVpcIngressConnection")
        item.deleted_at = now
        ends = now + DELETE_SECONDS / speedup
        item.begin("PENDING_DELETION", _Change("DELETED", "FAILED_DELETION", ends))

    def of_service(self, service_arn: str, now: float) -> IngressConnection | None:
        """The service's connection not DELETED, if it has one."""
        return next((c for c in self.live(now) if c.service_arn == service_arn), None)


def _check_status(item: IngressConnection, action: str) -> None:
    allowed = _ALLOWED[action]
    if item.status not in allowed:
        raise invalid_state(
            f"VPC ingress connection {item.name} is {item.status}; {action} needs it "
            f"{', '.join(allowed[:-1])} or {allowed[-1]}."
        )
