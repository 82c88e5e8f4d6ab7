"""The simulator a property test talks to (tests/sim/test_property.py): raw JSON requests,
and what exists in it (a World), read again and topped up as examples use it up."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import botocore.session

MODEL = botocore.session.get_session().get_service_model("apprunner")
REGION = "us-east-1"
SOURCE_KINDS = ("ImageRepository", "CodeRepository")


# -- talking to the simulator --------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def doc(self) -> Any:
        return json.loads(self.raw)


class Client:
    """Raw JSON 1.0 requests to the simulator (no SigV4: the region is its first one)."""

    def __init__(self, endpoint: str) -> None:
        parts = urlsplit(endpoint)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, raw)
        finally:
            conn.close()

    def call(self, operation: str, body: Any) -> Answer:
        headers = {
            "X-Amz-Target": f"AppRunner.{operation}",
            "Content-Type": "application/x-amz-json-1.0",
        }
        return self.post("/", json.dumps(body).encode(), headers)

    def ok(self, operation: str, body: Any) -> dict[str, Any]:
        answer = self.call(operation, body)
        assert answer.status == 200, (operation, body, answer)
        return answer.doc

    def advance(self, seconds: float) -> None:
        """Move simulated time on, so operations started by earlier examples are over."""
        body = json.dumps({"advance": seconds}).encode()
        answer = self.post("/_sim/clock", body, {"Content-Type": "application/json"})
        assert answer.status == 200, answer


@dataclass
class World:
    client: Client
    autoscaling_arn: str
    vpc_connector_arn: str
    observability_arn: str
    connection_arn: str  # AVAILABLE: its handshake done
    # (ARN, source kind) of services UpdateService may change, and of paused or deleted ones.
    running: tuple[tuple[str, str], ...]
    stopped: tuple[tuple[str, str], ...]
    # What exists now, by kind (see RESOURCES; "paused" services, "gone" ones): the ARNs
    # valid bodies name, read again and topped up after an example that may use some up.
    live: dict[str, list[str]] = field(default_factory=dict)
    # (service ARN, domain name) of the custom domains the services hold now.
    domains: list[tuple[str, str]] = field(default_factory=list)
    # How many resources `top_up` has made: their names' serial numbers.
    made: int = 0
    # Set for a run whose valid bodies name only what exists and keep to App Runner's rules
    # (no value merely matching the model): the run whose accepted share is checked.
    strict: bool = False

    def serial(self) -> int:
        self.made += 1
        return self.made


def base_body(name: str, kind: str, connection: str) -> dict[str, Any]:
    source: dict[str, Any]
    if kind == "ImageRepository":
        source = {
            "ImageRepository": {
                "ImageIdentifier": "public.ecr.aws/artui-demo/hello:v1",
                "ImageRepositoryType": "ECR_PUBLIC",
            }
        }
    else:
        source = {
            "CodeRepository": {
                "RepositoryUrl": "https://github.com/example/app",
                "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
            },
            "AuthenticationConfiguration": {"ConnectionArn": connection},
        }
    return {"ServiceName": name, "SourceConfiguration": source}


def source_kind(service: dict[str, Any]) -> str:
    source = service["SourceConfiguration"]
    return next(kind for kind in SOURCE_KINDS if kind in source)


def available_connection(client: Client) -> str:
    """A GitHub connection made and, through /_sim/, its handshake done: AVAILABLE."""
    answer = client.call(
        "CreateConnection", {"ConnectionName": "prop-github", "ProviderType": "GITHUB"}
    )
    assert answer.status == 200, answer
    handshake = client.post("/_sim/connections/prop-github/handshake", b"", {})
    assert handshake.status == 200, handshake
    return str(answer.doc["Connection"]["ConnectionArn"])


def make_world(client: Client) -> World:
    """The simulator behind `client` with a few of every resource made, as a World."""
    listing = client.ok("ListAutoScalingConfigurations", {})
    autoscaling_arn = listing["AutoScalingConfigurationSummaryList"][0][
        "AutoScalingConfigurationArn"
    ]
    connector = client.ok(
        "CreateVpcConnector", {"VpcConnectorName": "prop-vpc", "Subnets": ["subnet-0a1b"]}
    )["VpcConnector"]["VpcConnectorArn"]
    observability = client.ok(
        "CreateObservabilityConfiguration",
        {"ObservabilityConfigurationName": "prop-tracing"},
    )["ObservabilityConfiguration"]["ObservabilityConfigurationArn"]
    connection = available_connection(client)
    made = {
        name: client.ok("CreateService", base_body(name, kind, connection))["Service"]["ServiceArn"]
        for name, kind in [
            ("prop-image", "ImageRepository"),
            ("prop-code", "CodeRepository"),
            ("prop-paused", "ImageRepository"),
            ("prop-deleted", "CodeRepository"),
        ]
    }
    client.advance(100_000)
    client.ok("PauseService", {"ServiceArn": made["prop-paused"]})
    client.ok("DeleteService", {"ServiceArn": made["prop-deleted"]})
    client.advance(100_000)
    running: list[tuple[str, str]] = []
    stopped: list[tuple[str, str]] = []
    for summary in client.ok("ListServices", {})["ServiceSummaryList"]:
        arn = summary["ServiceArn"]
        service = client.ok("DescribeService", {"ServiceArn": arn})["Service"]
        (running if service["Status"] == "RUNNING" else stopped).append((arn, source_kind(service)))
    deleted = client.ok("DescribeService", {"ServiceArn": made["prop-deleted"]})["Service"]
    stopped.append((made["prop-deleted"], source_kind(deleted)))
    assert running and stopped, (running, stopped)
    world = World(
        client,
        autoscaling_arn,
        connector,
        observability,
        connection,
        tuple(running),
        tuple(stopped),
    )
    world.live["gone"] = [made["prop-deleted"]]
    top_up(world)
    return world


# -- what exists in the simulator ------------------------------------------------------

# How many of each kind of resource `top_up` keeps in the simulator.
WANTED = 3
RUNNING_WANTED, PAUSED_WANTED = 3, 1


@dataclass(frozen=True)
class Resource:
    """A kind of App Runner resource: how to list it, and how to make another."""

    kind: str
    listing: str  # the List operation
    items: str  # its answer's list
    arn: str  # an item's ARN member
    make: Callable[[World, int], None]  # makes the nth resource `top_up` makes
    wanted: int = WANTED


def _creating(
    operation: str, body: Callable[[int], dict[str, Any]]
) -> Callable[[World, int], None]:
    """A `Resource.make` that calls `operation` with the nth body."""

    def make(world: World, n: int) -> None:
        world.client.ok(operation, body(n))

    return make


# Services that only hold a VPC ingress connection (a service holds one at most, and one
# holding it cannot be deleted): kept out of the services valid bodies name.
HOST = "prop-host-"


def _make_ingress(world: World, n: int) -> None:
    """A VPC ingress connection, on a service made for it."""
    service = world.client.ok("CreateService", base_body(f"{HOST}{n}", "ImageRepository", ""))
    world.client.advance(100_000)
    body = {
        "ServiceArn": service["Service"]["ServiceArn"],
        "VpcIngressConnectionName": f"prop-in-{n}",
        "IngressVpcConfiguration": {"VpcId": "vpc-0a1b", "VpcEndpointId": f"vpce-{n:04x}"},
    }
    world.client.ok("CreateVpcIngressConnection", body)


RESOURCES = (
    Resource(
        "autoscaling",
        "ListAutoScalingConfigurations",
        "AutoScalingConfigurationSummaryList",
        "AutoScalingConfigurationArn",
        _creating(
            "CreateAutoScalingConfiguration",
            lambda n: {"AutoScalingConfigurationName": f"prop-as-{n}"},
        ),
    ),
    Resource(
        "observability",
        "ListObservabilityConfigurations",
        "ObservabilityConfigurationSummaryList",
        "ObservabilityConfigurationArn",
        _creating(
            "CreateObservabilityConfiguration",
            lambda n: {"ObservabilityConfigurationName": f"prop-obs-{n}"},
        ),
    ),
    Resource(
        "vpc-connector",
        "ListVpcConnectors",
        "VpcConnectors",
        "VpcConnectorArn",
        _creating(
            "CreateVpcConnector",
            lambda n: {"VpcConnectorName": f"prop-vpc-{n}", "Subnets": ["subnet-0a1b"]},
        ),
    ),
    Resource(
        "connection",
        "ListConnections",
        "ConnectionSummaryList",
        "ConnectionArn",
        _creating(
            "CreateConnection",
            lambda n: {"ConnectionName": f"prop-gh-{n}", "ProviderType": "GITHUB"},
        ),
        # Services use two (the demo's and the world's), which cannot be deleted.
        wanted=WANTED + 2,
    ),
    Resource(
        "vpc-ingress",
        "ListVpcIngressConnections",
        "VpcIngressConnectionSummaryList",
        "VpcIngressConnectionArn",
        _make_ingress,
    ),
)


# Statuses of deleted resources, which listings may still show.
GONE = ("INACTIVE", "DELETED")


def list_all(client: Client, operation: str, items: str, body: Any = None) -> list[Any]:
    """Every item of a listing, page by page."""
    shape = MODEL.operation_model(operation).input_shape
    request = dict(body or {})
    if "MaxResults" in shape.members:  # type: ignore[attr-defined]
        request["MaxResults"] = shape.members["MaxResults"].metadata["max"]  # type: ignore[attr-defined]
    out: list[Any] = []
    while True:
        answer = client.call(operation, request)
        assert answer.status == 200, (operation, request, answer)
        out += answer.doc[items]
        if not answer.doc.get("NextToken"):
            return out
        request["NextToken"] = answer.doc["NextToken"]


def _read_services(world: World) -> None:
    summaries = list_all(world.client, "ListServices", "ServiceSummaryList")
    summaries = [s for s in summaries if not s["ServiceName"].startswith(HOST)]
    for kind, status in (("service", "RUNNING"), ("paused", "PAUSED")):
        world.live[kind] = [s["ServiceArn"] for s in summaries if s["Status"] == status]


def top_up(world: World) -> None:
    """Let every operation under way end, then read what exists and make what is missing."""
    client = world.client
    client.advance(100_000)
    _read_services(world)
    running_short = max(0, RUNNING_WANTED - len(world.live["service"]))
    paused_short = max(0, PAUSED_WANTED - len(world.live["paused"]))
    if running_short or paused_short:
        made = [
            client.ok(
                "CreateService",
                # An image: the world's connection may be gone (DeleteConnection's test).
                base_body(f"prop-{n}", "ImageRepository", ""),
            )["Service"]["ServiceArn"]
            for n in (world.serial() for _ in range(running_short + paused_short))
        ]
        client.advance(100_000)
        for arn in made[running_short:]:
            client.ok("PauseService", {"ServiceArn": arn})
        client.advance(100_000)
        _read_services(world)
    for resource in RESOURCES:
        found = list_all(client, resource.listing, resource.items)
        found = [item for item in found if item.get("Status") not in GONE]
        if len(found) < resource.wanted:
            for _ in range(resource.wanted - len(found)):
                resource.make(world, world.serial())
            client.advance(100_000)
            found = list_all(client, resource.listing, resource.items)
            found = [item for item in found if item.get("Status") not in GONE]
        # Newest first: Hypothesis favours a pool's first item, and the oldest auto scaling
        # configuration is the DefaultConfiguration, which cannot be deleted.
        world.live[resource.kind] = [item[resource.arn] for item in reversed(found)]
    world.domains = [
        (arn, domain["DomainName"])
        for arn in world.live["service"]
        for domain in list_all(
            client, "DescribeCustomDomains", "CustomDomains", {"ServiceArn": arn}
        )
    ]
    if len(world.domains) < WANTED:
        arn = world.live["service"][0]
        for _ in range(WANTED - len(world.domains)):
            name = f"prop{world.serial()}.example.com"
            client.ok("AssociateCustomDomain", {"ServiceArn": arn, "DomainName": name})
            world.domains.append((arn, name))
        client.advance(100_000)
