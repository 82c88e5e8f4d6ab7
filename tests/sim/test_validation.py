"""What the simulator refuses, and the rules its answers keep, through aiobotocore over HTTP.

A. requests checked against botocore's App Runner model and App Runner's own rules;
B. the per-region service quota;
C. lifecycle details: UpdatedAt, CREATE_FAILED updates, deleted services' tags, the default
   auto scaling configuration, paging tokens bound to their listing;
D. requests that name no App Runner operation.

Every simulator here is this module's own, with its clock stopped (time_scale=0), so quota
use and clock jumps never reach other tests; time moves only through `advance`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore import xform_name
from botocore.exceptions import ClientError
from conftest import available_connection, client_kwargs, control, validate_output

from artui.sim import Simulator
from artui.sim.apprunner.operations import DURATIONS

US, EU = "us-east-1", "eu-west-1"
ACCOUNT = "123456789012"
IMAGE = "public.ecr.aws/aws-containers/hello-app-runner:latest"
ECR_IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/hello:v1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/AppRunnerECRAccessRole"
# Longer than any operation takes at speedup 1: whatever was in flight has ended.
SETTLE = 1000.0
# One session for every client: it loads botocore's models once, not once per test.
_SESSION = get_session()


# -- simulators and clients ----------------------------------------------------------


@pytest.fixture(scope="module")
def vsim() -> Iterator[Simulator]:
    """Validation, lifecycle and paging: a quota high enough never to get in the way."""
    simulator = Simulator(regions=(US, EU), services=3, time_scale=0, world=False, quota=1000)
    simulator.start()
    CODE_AUTH["AuthenticationConfiguration"]["ConnectionArn"] = available_connection(simulator)
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def qsim() -> Iterator[Simulator]:
    """The quota's own simulator: 3 seeded services per region, room for 2 more."""
    simulator = Simulator(regions=(US, EU), services=3, time_scale=0, world=False, quota=5)
    simulator.start()
    yield simulator
    simulator.stop()


def _check_output(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
    # Refusals are checked by code; successful answers must still fit the model.
    if http_response.status_code == 200:
        validate_output(model.name, parsed)


@asynccontextmanager
async def apprunner_client(sim: Simulator, region: str = US) -> AsyncIterator[Any]:
    """An aiobotocore App Runner client that sends whatever it is given.

    parameter_validation=False lets botocore put wrong types on the wire, so the server's
    checks are the ones under test; one attempt, so a refusal is never retried.
    """
    config = AioConfig(
        parameter_validation=False,
        retries={"total_max_attempts": 1},
        inject_host_prefix=False,
    )
    async with _SESSION.create_client(
        "apprunner", config=config, **client_kwargs(sim, region)
    ) as client:
        client.meta.events.register("after-call.apprunner", _check_output)
        yield client


@pytest.fixture
async def client(vsim: Simulator) -> AsyncIterator[Any]:
    async with apprunner_client(vsim, US) as c:
        yield c


@pytest.fixture
async def eu_client(vsim: Simulator) -> AsyncIterator[Any]:
    async with apprunner_client(vsim, EU) as c:
        yield c


def advance(sim: Simulator, seconds: float) -> None:
    control(sim, "POST", "/_sim/clock", {"advance": seconds})


# -- request helpers -----------------------------------------------------------------


async def send_raw(client: Any, operation: str, body: bytes, **params: Any) -> dict[str, Any]:
    """Call `operation`, but with `body` on the wire in place of the serialized `params`.

    For bodies botocore cannot serialize (unknown members, a list for a structure, bad
    JSON): the call still goes through aiobotocore, signing and HTTP, with exactly `body`.
    """
    event = f"before-sign.apprunner.{operation}"

    def replace(request: Any, **_: Any) -> None:
        request.data = body

    client.meta.events.register(event, replace)
    try:
        return await getattr(client, xform_name(operation))(**params)
    finally:
        client.meta.events.unregister(event, replace)


async def refused(call: Awaitable[Any], code: str) -> str:
    """Await `call`, expect a 400 with error `code`; returns the message."""
    with pytest.raises(ClientError) as caught:
        await call
    response = caught.value.response
    assert response["Error"]["Code"] == code, response["Error"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return response["Error"].get("Message", "")


def unique(prefix: str = "val") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def image_source(image: str = IMAGE, kind: str = "ECR_PUBLIC", **extra: Any) -> dict[str, Any]:
    return {"ImageRepository": {"ImageIdentifier": image, "ImageRepositoryType": kind}, **extra}


def code_source(**extra: Any) -> dict[str, Any]:
    return {
        "CodeRepository": {
            "RepositoryUrl": "https://github.com/example-org/hello",
            "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
            "CodeConfiguration": {"ConfigurationSource": "REPOSITORY"},
        },
        **extra,
    }


# The ConnectionArn is vsim's AVAILABLE connection, filled in when vsim starts (the cases
# hold this dict, made before any simulator, by reference).
CODE_AUTH: dict[str, dict[str, str]] = {"AuthenticationConfiguration": {"ConnectionArn": ""}}


async def names(client: Any) -> list[str]:
    """Every listed service name, through genuine paging."""
    out: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 20}
    while True:
        page = await client.list_services(**kwargs)
        out.extend(s["ServiceName"] for s in page["ServiceSummaryList"])
        if not page.get("NextToken"):
            return out
        kwargs["NextToken"] = page["NextToken"]


async def create(client: Any, sim: Simulator, source: dict[str, Any] | None = None) -> str:
    """A new service, settled (RUNNING unless its source says otherwise); its ARN."""
    out = await client.create_service(
        ServiceName=unique(), SourceConfiguration=source or image_source()
    )
    advance(sim, DURATIONS["CREATE_SERVICE"])
    return out["Service"]["ServiceArn"]


async def describe(client: Any, arn: str) -> dict[str, Any]:
    return (await client.describe_service(ServiceArn=arn))["Service"]


async def operations(client: Any, arn: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"ServiceArn": arn}
    while True:
        page = await client.list_operations(**kwargs)
        out.extend(page["OperationSummaryList"])
        if not page.get("NextToken"):
            return out
        kwargs["NextToken"] = page["NextToken"]


# Services UpdateService cases act on, one per source kind and simulator, made on first use:
# ARNs outlive the per-test event loop, clients do not.
_TARGETS: dict[tuple[str, str], str] = {}


async def update_target(client: Any, sim: Simulator, kind: str) -> str:
    key = (sim.endpoint, kind)
    if key not in _TARGETS:
        source = image_source() if kind == "image" else code_source(**CODE_AUTH)
        _TARGETS[key] = await create(client, sim, source)
    # Whatever an earlier test left in flight has ended: the target is RUNNING again.
    advance(sim, SETTLE)
    return _TARGETS[key]


# == A. validation ===================================================================


@dataclass(frozen=True)
class Case:
    """One bad CreateService/UpdateService request.

    `patch` is laid over a valid request; `raw`, when set, builds the exact body from that
    request instead (for what botocore cannot serialize). `member` must appear in the
    message, case-insensitively.
    """

    id: str
    code: str
    patch: dict[str, Any] = field(default_factory=dict)
    raw: Callable[[dict[str, Any]], bytes] | None = None
    member: str | None = None
    ops: tuple[str, ...] = ("CreateService", "UpdateService")


SER = "SerializationException"
INV = "InvalidRequestException"
CREATE_ONLY = ("CreateService",)


def dumps(doc: dict[str, Any]) -> bytes:
    # json.dumps writes NaN for float("nan"): exactly what those cases want on the wire.
    return json.dumps(doc).encode()


def with_member(name: str, value: Any) -> Callable[[dict[str, Any]], bytes]:
    return lambda params: dumps({**params, name: value})


def nested(depth: int) -> Callable[[dict[str, Any]], bytes]:
    # Balanced nesting inside an otherwise valid request: parsers recursing on it run out.
    return lambda params: dumps(params)[:-1] + b', "Tags": ' + b"[" * depth + b"]" * depth + b"}"


BIG = 1 << 20

CASES: list[Case] = [
    # Wrong JSON types, sent through botocore's own serializer.
    Case("cpu-number", SER, {"InstanceConfiguration": {"Cpu": 1024, "Memory": "2048"}}),
    Case("memory-number", SER, {"InstanceConfiguration": {"Cpu": "1024", "Memory": 2048}}),
    Case("interval-float", SER, {"HealthCheckConfiguration": {"Interval": 5.5}}),
    Case("interval-bool", SER, {"HealthCheckConfiguration": {"Interval": True}}),
    Case("interval-string", SER, {"HealthCheckConfiguration": {"Interval": "5"}}),
    Case(
        "public-flag-string",
        SER,
        {"NetworkConfiguration": {"IngressConfiguration": {"IsPubliclyAccessible": "yes"}}},
    ),
    Case("service-name-number", SER, {"ServiceName": 12345}, ops=CREATE_ONLY),
    # What botocore cannot serialize: exact bytes.
    Case("unknown-top-member", SER, raw=with_member("Bogus", 1)),
    Case(
        "unknown-nested-member",
        SER,
        raw=with_member("InstanceConfiguration", {"Cpu": "1024", "Memory": "2048", "Gpu": "1"}),
    ),
    Case("list-for-structure", SER, raw=with_member("InstanceConfiguration", [])),
    Case("string-for-structure", SER, raw=with_member("HealthCheckConfiguration", "TCP")),
    Case("number-for-structure", SER, raw=with_member("NetworkConfiguration", 7)),
    Case("string-for-list", SER, raw=with_member("Tags", "env=prod"), ops=CREATE_ONLY),
    Case(
        "interval-nan", SER, raw=with_member("HealthCheckConfiguration", {"Interval": float("nan")})
    ),
    Case(
        "interval-infinity",
        SER,
        raw=with_member("HealthCheckConfiguration", {"Interval": float("inf")}),
    ),
    Case("malformed-json", SER, raw=lambda params: b"{not json"),
    Case("truncated-json", SER, raw=lambda params: dumps(params)[:-1]),
    Case("trailing-garbage", SER, raw=lambda params: dumps(params) + b" {}"),
    Case(
        "invalid-utf8",
        SER,
        raw=lambda params: dumps(params)[:-1] + b', "HealthCheckConfiguration": {"Path": "/\xff"}}',
    ),
    Case("body-is-a-list", SER, raw=lambda params: b"[]"),
    Case("body-is-a-string", SER, raw=lambda params: b'"CreateService"'),
    Case("deep-nesting-balanced", SER, raw=nested(100_000)),
    Case("deep-nesting-unclosed", SER, raw=lambda params: b"[" * 100_000),
    # Constraints the model states.
    Case(
        "image-identifier-missing",
        INV,
        {"SourceConfiguration": {"ImageRepository": {"ImageRepositoryType": "ECR_PUBLIC"}}},
        member="imageIdentifier",
    ),
    Case("service-name-missing", INV, {"ServiceName": None}, member="serviceName", ops=CREATE_ONLY),
    Case(
        "image-identifier-1mib",
        INV,
        {"SourceConfiguration": image_source("public.ecr.aws/x/" + "a" * BIG)},
        member="imageIdentifier",
    ),
    Case("interval-99", INV, {"HealthCheckConfiguration": {"Interval": 99}}, member="interval"),
    Case("cpu-3-vcpu", INV, {"InstanceConfiguration": {"Cpu": "3 vCPU"}}, member="cpu"),
    Case("cpu-9999", INV, {"InstanceConfiguration": {"Cpu": "9999"}}, member="cpu"),
    Case("memory-7-gb", INV, {"InstanceConfiguration": {"Memory": "7 GB"}}, member="memory"),
    Case(
        "repository-type-dockerhub",
        INV,
        {"SourceConfiguration": image_source(IMAGE, "DOCKERHUB")},
        member="imageRepositoryType",
    ),
    Case("protocol-udp", INV, {"HealthCheckConfiguration": {"Protocol": "UDP"}}, member="protocol"),
    Case(
        "egress-bogus",
        INV,
        {"NetworkConfiguration": {"EgressConfiguration": {"EgressType": "BOGUS"}}},
        member="egressType",
    ),
    # App Runner's own rules.
    Case("pair-4096-2048", INV, {"InstanceConfiguration": {"Cpu": "4096", "Memory": "2048"}}),
    Case("pair-256-2048", INV, {"InstanceConfiguration": {"Cpu": "256", "Memory": "2048"}}),
    Case("pair-512-512", INV, {"InstanceConfiguration": {"Cpu": "512", "Memory": "512"}}),
    Case("pair-2048-12288", INV, {"InstanceConfiguration": {"Cpu": "2048", "Memory": "12288"}}),
    Case(
        "pair-quarter-vcpu-2-gb",
        INV,
        {"InstanceConfiguration": {"Cpu": "0.25 vCPU", "Memory": "2 GB"}},
    ),
    # The target runs 1024/2048: 4 vCPU alone leaves an unsupported pair.
    Case(
        "cpu-only-breaks-the-pair",
        INV,
        {"InstanceConfiguration": {"Cpu": "4096"}},
        ops=("UpdateService",),
    ),
    Case("ecr-without-role", INV, {"SourceConfiguration": image_source(ECR_IMAGE, "ECR")}),
    Case(
        "ecr-with-a-connection-instead",
        INV,
        {"SourceConfiguration": image_source(ECR_IMAGE, "ECR", **CODE_AUTH)},
    ),
    Case("code-without-connection", INV, {"SourceConfiguration": code_source()}, ops=CREATE_ONLY),
    Case(
        "image-and-code",
        INV,
        {
            "SourceConfiguration": {
                **image_source(),
                **code_source(),
                **CODE_AUTH,
            }
        },
    ),
    Case(
        "unknown-auto-scaling-configuration",
        INV,
        {
            "AutoScalingConfigurationArn": f"arn:aws:apprunner:us-east-1:{ACCOUNT}:"
            f"autoscalingconfiguration/Nope/1/{'0' * 32}"
        },
        ops=("UpdateService",),
    ),
    Case("neither-image-nor-code", INV, {"SourceConfiguration": {"AutoDeploymentsEnabled": False}}),
    # The console: "The interval can't be less than the timeout".
    Case(
        "interval-under-timeout",
        INV,
        {"HealthCheckConfiguration": {"Interval": 3, "Timeout": 4}},
        member="interval",
    ),
    # Laid over the default Interval (5): the whole health check counts.
    Case(
        "timeout-past-the-interval-kept",
        INV,
        {"HealthCheckConfiguration": {"Timeout": 6}},
        member="timeout",
    ),
]


def _cases(operation: str) -> list[Any]:
    return [pytest.param(case, id=case.id) for case in CASES if operation in case.ops]


def _apply(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = {**base, **patch}
    return {k: v for k, v in out.items() if v is not None}


async def send_case(client: Any, operation: str, case: Case, base: dict[str, Any]) -> str:
    """Send `case` laid over the valid request `base`; expect its code; return the message."""
    params = _apply(base, case.patch)
    if case.raw is None:
        call = getattr(client, xform_name(operation))(**params)
    else:
        call = send_raw(client, operation, case.raw(params), **base)
    message = await refused(call, case.code)
    if case.member:
        assert case.member.lower() in message.lower(), message
    # A refusal never echoes a huge value back.
    assert len(message) < 4096
    return message


@pytest.mark.parametrize("case", _cases("CreateService"))
async def test_create_service_refuses(vsim: Simulator, client: Any, case: Case) -> None:
    before = await names(client)
    base = {"ServiceName": unique(), "SourceConfiguration": image_source()}
    await send_case(client, "CreateService", case, base)
    assert await names(client) == before


@pytest.mark.parametrize("case", _cases("UpdateService"))
async def test_update_service_refuses_and_changes_nothing(
    vsim: Simulator, client: Any, case: Case
) -> None:
    arn = await update_target(client, vsim, "image")
    service, ops = await describe(client, arn), await operations(client, arn)
    assert service["Status"] == "RUNNING"
    await send_case(client, "UpdateService", case, {"ServiceArn": arn})
    assert await describe(client, arn) == service
    assert await operations(client, arn) == ops


@pytest.mark.parametrize(
    ("target", "source"),
    [
        pytest.param("image", code_source(**CODE_AUTH), id="image-to-code"),
        pytest.param("code", image_source(), id="code-to-image"),
        pytest.param(
            "code",
            image_source(ECR_IMAGE, "ECR", AuthenticationConfiguration={"AccessRoleArn": ROLE}),
            id="code-to-private-ecr",
        ),
    ],
)
async def test_update_service_cannot_switch_source_kind(
    vsim: Simulator, client: Any, target: str, source: dict[str, Any]
) -> None:
    arn = await update_target(client, vsim, target)
    service, ops = await describe(client, arn), await operations(client, arn)
    await refused(client.update_service(ServiceArn=arn, SourceConfiguration=source), INV)
    assert await describe(client, arn) == service
    assert await operations(client, arn) == ops


async def test_a_health_check_interval_may_equal_its_timeout(vsim: Simulator, client: Any) -> None:
    health = {"Interval": 4, "Timeout": 4}
    created = await client.create_service(
        ServiceName=unique(), SourceConfiguration=image_source(), HealthCheckConfiguration=health
    )
    arn = created["Service"]["ServiceArn"]
    assert created["Service"]["HealthCheckConfiguration"]["Interval"] == 4
    advance(vsim, SETTLE)
    # The update's merged result counts: a Timeout up to the Interval it keeps is taken...
    await client.update_service(ServiceArn=arn, HealthCheckConfiguration={"Timeout": 3})
    advance(vsim, SETTLE)
    # ...one past it is not, and the same Timeout with a longer Interval is.
    message = await refused(
        client.update_service(ServiceArn=arn, HealthCheckConfiguration={"Timeout": 5}), INV
    )
    assert message == (
        "HealthCheckConfiguration Interval (4 seconds) can't be less than its Timeout (5 seconds)."
    )
    await client.update_service(
        ServiceArn=arn, HealthCheckConfiguration={"Timeout": 5, "Interval": 20}
    )
    advance(vsim, SETTLE)
    health_now = (await describe(client, arn))["HealthCheckConfiguration"]
    assert (health_now["Interval"], health_now["Timeout"]) == (20, 5)


@dataclass(frozen=True)
class OtherCase:
    """A bad request to an operation other than CreateService/UpdateService.

    `params(arn)` is what the client sends (arn: a live service's); `raw(arn)`, when set,
    the exact body instead.
    """

    id: str
    operation: str
    code: str
    params: Callable[[str], dict[str, Any]]
    raw: Callable[[str], bytes] | None = None


OTHER_CASES = [
    OtherCase("list-services-max-string", "ListServices", SER, lambda a: {"MaxResults": "5"}),
    OtherCase("list-services-max-float", "ListServices", SER, lambda a: {"MaxResults": 1.5}),
    OtherCase("list-services-max-bool", "ListServices", SER, lambda a: {"MaxResults": True}),
    OtherCase(
        "list-services-max-nan",
        "ListServices",
        SER,
        lambda a: {},
        raw=lambda a: b'{"MaxResults": NaN}',
    ),
    OtherCase(
        "list-services-unknown-member",
        "ListServices",
        SER,
        lambda a: {},
        raw=lambda a: b'{"MaxResults": 5, "Filter": "RUNNING"}',
    ),
    OtherCase("describe-arn-number", "DescribeService", SER, lambda a: {"ServiceArn": 5}),
    OtherCase("describe-arn-missing", "DescribeService", INV, lambda a: {}),
    OtherCase(
        "list-operations-max-0", "ListOperations", INV, lambda a: {"ServiceArn": a, "MaxResults": 0}
    ),
    OtherCase(
        "tag-tags-string",
        "TagResource",
        SER,
        lambda a: {"ResourceArn": a, "Tags": []},
        raw=lambda a: dumps({"ResourceArn": a, "Tags": "env=prod"}),
    ),
    OtherCase("tag-tags-missing", "TagResource", INV, lambda a: {"ResourceArn": a}),
    OtherCase(
        "untag-keys-structure",
        "UntagResource",
        SER,
        lambda a: {"ResourceArn": a, "TagKeys": []},
        raw=lambda a: dumps({"ResourceArn": a, "TagKeys": {"env": "prod"}}),
    ),
    OtherCase(
        "deployment-deep-nesting",
        "StartDeployment",
        SER,
        lambda a: {"ServiceArn": a},
        raw=lambda a: b'{"ServiceArn": ' + b"{" * 100_000,
    ),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in OTHER_CASES])
async def test_every_operation_is_validated(vsim: Simulator, client: Any, case: OtherCase) -> None:
    arn = await update_target(client, vsim, "image")
    service, ops = await describe(client, arn), await operations(client, arn)
    tags = (await client.list_tags_for_resource(ResourceArn=arn))["Tags"]
    params = case.params(arn)
    if case.raw is None:
        call = getattr(client, xform_name(case.operation))(**params)
    else:
        call = send_raw(client, case.operation, case.raw(arn), **params)
    await refused(call, case.code)
    assert await describe(client, arn) == service
    assert await operations(client, arn) == ops
    assert (await client.list_tags_for_resource(ResourceArn=arn))["Tags"] == tags


@pytest.mark.parametrize(
    ("cpu", "memory", "want"),
    [
        pytest.param("1 vCPU", "2 GB", ("1024", "2048"), id="1-vcpu-2-gb"),
        pytest.param("0.25 vCPU", "0.5 GB", ("256", "512"), id="quarter-vcpu-half-gb"),
        pytest.param("4 vCPU", "12 GB", ("4096", "12288"), id="4-vcpu-12-gb"),
        pytest.param("0.5 vCPU", "1 GB", ("512", "1024"), id="half-vcpu-1-gb"),
        pytest.param("1024", "3 GB", ("1024", "3072"), id="units-cpu-gb-memory"),
        pytest.param("2048", "6144", ("2048", "6144"), id="units-2048-6144"),
    ],
)
async def test_create_stores_instance_sizes_in_units(
    vsim: Simulator, client: Any, cpu: str, memory: str, want: tuple[str, str]
) -> None:
    out = await client.create_service(
        ServiceName=unique(),
        SourceConfiguration=image_source(),
        InstanceConfiguration={"Cpu": cpu, "Memory": memory},
    )
    got = (await describe(client, out["Service"]["ServiceArn"]))["InstanceConfiguration"]
    assert (got["Cpu"], got["Memory"]) == want


SUPPORTED = [
    ("256", "512"),
    ("256", "1024"),
    ("512", "1024"),
    ("1024", "2048"),
    ("1024", "3072"),
    ("1024", "4096"),
    ("2048", "4096"),
    ("2048", "6144"),
    ("4096", "8192"),
    ("4096", "10240"),
    ("4096", "12288"),
]


@pytest.mark.parametrize(
    ("cpu", "memory"), [pytest.param(*p, id=f"{p[0]}-{p[1]}") for p in SUPPORTED]
)
async def test_create_accepts_every_supported_pair(
    vsim: Simulator, client: Any, cpu: str, memory: str
) -> None:
    out = await client.create_service(
        ServiceName=unique(),
        SourceConfiguration=image_source(),
        InstanceConfiguration={"Cpu": cpu, "Memory": memory},
    )
    assert out["Service"]["Status"] == "OPERATION_IN_PROGRESS"


async def test_update_stores_instance_sizes_in_units(vsim: Simulator, client: Any) -> None:
    arn = await create(client, vsim)
    await client.update_service(
        ServiceArn=arn, InstanceConfiguration={"Cpu": "2 vCPU", "Memory": "4 GB"}
    )
    advance(vsim, DURATIONS["UPDATE_SERVICE"])
    got = (await describe(client, arn))["InstanceConfiguration"]
    assert (got["Cpu"], got["Memory"]) == ("2048", "4096")


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(image_source(), id="ecr-public-without-role"),
        pytest.param(
            image_source(ECR_IMAGE, "ECR", AuthenticationConfiguration={"AccessRoleArn": ROLE}),
            id="ecr-with-role",
        ),
        pytest.param(code_source(**CODE_AUTH), id="code-with-connection"),
    ],
)
async def test_create_accepts_valid_sources(
    vsim: Simulator, client: Any, source: dict[str, Any]
) -> None:
    arn = await create(client, vsim, source)
    service = await describe(client, arn)
    assert service["Status"] == "RUNNING"
    kind = "ImageRepository" if "ImageRepository" in source else "CodeRepository"
    assert service["SourceConfiguration"][kind] == source[kind]


# == B. quota ========================================================================


async def test_quota_counts_live_services_per_region(qsim: Simulator) -> None:
    async with apprunner_client(qsim, US) as us, apprunner_client(qsim, EU) as eu:
        # 3 seeded services (none deleted) leave room for 2 under a quota of 5.
        first = await create(us, qsim)
        await create(us, qsim)
        before = await names(us)
        assert len(before) == 5
        await refused(
            us.create_service(ServiceName=unique(), SourceConfiguration=image_source()),
            "ServiceQuotaExceededException",
        )
        assert await names(us) == before

        # The quota is per region: EU still has room of its own.
        await eu.create_service(ServiceName=unique(), SourceConfiguration=image_source())

        # A service being deleted is not deleted yet: it still counts.
        await us.delete_service(ServiceArn=first)
        await refused(
            us.create_service(ServiceName=unique(), SourceConfiguration=image_source()),
            "ServiceQuotaExceededException",
        )

        advance(qsim, SETTLE)
        name = unique()
        await us.create_service(ServiceName=name, SourceConfiguration=image_source())
        after = await names(us)
        assert name in after and len(after) == 5
        await refused(
            us.create_service(ServiceName=unique(), SourceConfiguration=image_source()),
            "ServiceQuotaExceededException",
        )


async def test_the_default_quota_is_the_guides_30() -> None:
    from artui.sim.apprunner.limits import DEFAULT_QUOTA

    assert DEFAULT_QUOTA == 30  # the Developer Guide's "App Runner resource quotas"
    full = Simulator(regions=(US,), services=29, time_scale=0, world=False)
    full.start()
    try:
        async with apprunner_client(full, US) as client:
            await client.create_service(ServiceName=unique(), SourceConfiguration=image_source())
            await refused(
                client.create_service(ServiceName=unique(), SourceConfiguration=image_source()),
                "ServiceQuotaExceededException",
            )
            assert len(await names(client)) == 30
    finally:
        full.stop()


async def test_quota_is_checked_against_a_failed_create_too(qsim: Simulator) -> None:
    # CREATE_FAILED services are not deleted: they fill the quota like any other.
    async with apprunner_client(qsim, EU) as eu:
        while len(await names(eu)) < 5:
            await eu.create_service(
                ServiceName=unique(),
                SourceConfiguration=image_source(
                    "public.ecr.aws/aws-containers/hello-app-runner:fail-create"
                ),
            )
        advance(qsim, SETTLE)
        before = await names(eu)
        await refused(
            eu.create_service(ServiceName=unique(), SourceConfiguration=image_source()),
            "ServiceQuotaExceededException",
        )
        assert await names(eu) == before


# == C. lifecycle ====================================================================

FAIL_CREATE = "public.ecr.aws/aws-containers/hello-app-runner:fail-create"
FAIL_UPDATE = "public.ecr.aws/aws-containers/hello-app-runner:fail-update"
GOOD_UPDATE = "public.ecr.aws/aws-containers/hello-app-runner:v2"


async def _step(client: Any, sim: Simulator, arn: str, op_type: str) -> None:
    """Start `op_type` on a settled service and advance the clock to its end."""
    if op_type == "START_DEPLOYMENT":
        await client.start_deployment(ServiceArn=arn)
    elif op_type == "UPDATE_SERVICE":
        await client.update_service(ServiceArn=arn, SourceConfiguration=image_source(GOOD_UPDATE))
    elif op_type == "PAUSE_SERVICE":
        await client.pause_service(ServiceArn=arn)
    elif op_type == "RESUME_SERVICE":
        await client.resume_service(ServiceArn=arn)
    elif op_type == "DELETE_SERVICE":
        await client.delete_service(ServiceArn=arn)
    advance(sim, DURATIONS[op_type])


@pytest.mark.parametrize(
    ("image", "steps"),
    [
        pytest.param(IMAGE, [], id="create"),
        pytest.param(FAIL_CREATE, [], id="create-failed"),
        pytest.param(IMAGE, ["START_DEPLOYMENT"], id="deploy"),
        pytest.param(IMAGE, ["UPDATE_SERVICE"], id="update"),
        pytest.param(IMAGE, ["PAUSE_SERVICE"], id="pause"),
        pytest.param(IMAGE, ["PAUSE_SERVICE", "RESUME_SERVICE"], id="resume"),
        pytest.param(IMAGE, ["DELETE_SERVICE"], id="delete"),
        pytest.param(FAIL_CREATE, ["DELETE_SERVICE"], id="delete-after-failed-create"),
    ],
)
async def test_updated_at_is_the_last_operation_end(
    vsim: Simulator, client: Any, image: str, steps: list[str]
) -> None:
    arn = await create(client, vsim, image_source(image))
    for op_type in steps:
        await _step(client, vsim, arn, op_type)
    # DescribeService first: nothing else may have brought the service up to date.
    service = await describe(client, arn)
    last = (await operations(client, arn))[0]
    assert last["Type"] == (steps[-1] if steps else "CREATE_SERVICE")
    assert "EndedAt" in last
    assert service["UpdatedAt"] == last["EndedAt"]
    if service["Status"] == "DELETED":
        assert service["UpdatedAt"] <= service["DeletedAt"]
    # Time passing with nothing running changes nothing.
    advance(vsim, SETTLE)
    assert (await describe(client, arn))["UpdatedAt"] == last["EndedAt"]


@pytest.mark.parametrize(
    ("image", "op_status", "status"),
    [
        pytest.param(GOOD_UPDATE, "SUCCEEDED", "RUNNING", id="good-image-runs"),
        pytest.param(FAIL_UPDATE, "FAILED", "CREATE_FAILED", id="fail-update-stays-failed"),
    ],
)
async def test_create_failed_service_accepts_update(
    vsim: Simulator, client: Any, image: str, op_status: str, status: str
) -> None:
    arn = await create(client, vsim, image_source(FAIL_CREATE))
    assert (await describe(client, arn))["Status"] == "CREATE_FAILED"
    out = await client.update_service(ServiceArn=arn, SourceConfiguration=image_source(image))
    assert out["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    op = (await operations(client, arn))[0]
    assert (op["Id"], op["Type"]) == (out["OperationId"], "UPDATE_SERVICE")
    assert (await describe(client, arn))["Status"] == "OPERATION_IN_PROGRESS"
    advance(vsim, DURATIONS["UPDATE_SERVICE"])
    assert (await operations(client, arn))[0]["Status"] == op_status
    service = await describe(client, arn)
    assert service["Status"] == status
    applied = image if op_status == "SUCCEEDED" else FAIL_CREATE
    assert service["SourceConfiguration"]["ImageRepository"]["ImageIdentifier"] == applied


# StartDeployment's model lists no InvalidStateException: its refusal is InvalidRequest.
@pytest.mark.parametrize(
    ("action", "code"),
    [
        ("start_deployment", "InvalidRequestException"),
        ("pause_service", "InvalidStateException"),
        ("resume_service", "InvalidStateException"),
    ],
)
async def test_create_failed_service_refuses_other_changes(
    vsim: Simulator, client: Any, action: str, code: str
) -> None:
    arn = await create(client, vsim, image_source(FAIL_CREATE))
    ops = await operations(client, arn)
    await refused(getattr(client, action)(ServiceArn=arn), code)
    assert await operations(client, arn) == ops
    assert (await describe(client, arn))["Status"] == "CREATE_FAILED"


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda c, arn: c.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}]),
            id="tag",
        ),
        pytest.param(
            lambda c, arn: c.untag_resource(ResourceArn=arn, TagKeys=["suite"]), id="untag"
        ),
        pytest.param(lambda c, arn: c.list_tags_for_resource(ResourceArn=arn), id="list-tags"),
    ],
)
async def test_deleted_service_has_no_tags(
    vsim: Simulator, client: Any, call: Callable[[Any, str], Awaitable[Any]]
) -> None:
    out = await client.create_service(
        ServiceName=unique(),
        SourceConfiguration=image_source(),
        Tags=[{"Key": "suite", "Value": "validation"}],
    )
    arn = out["Service"]["ServiceArn"]
    advance(vsim, DURATIONS["CREATE_SERVICE"])
    await client.delete_service(ServiceArn=arn)
    advance(vsim, SETTLE)
    assert (await describe(client, arn))["Status"] == "DELETED"
    await refused(call(client, arn), "ResourceNotFoundException")


# -- C. auto scaling -------------------------------------------------------------------


async def _autoscaling_arns(client: Any) -> set[str]:
    out = set()
    page = await client.list_services(MaxResults=20)
    arns = [s["ServiceArn"] for s in page["ServiceSummaryList"]]
    while page.get("NextToken"):
        page = await client.list_services(MaxResults=20, NextToken=page["NextToken"])
        arns += [s["ServiceArn"] for s in page["ServiceSummaryList"]]
    for arn in arns:
        summary = (await describe(client, arn))["AutoScalingConfigurationSummary"]
        assert summary["AutoScalingConfigurationName"] == "DefaultConfiguration"
        out.add(summary["AutoScalingConfigurationArn"])
    return out


async def _default_arn(client: Any) -> str:
    arn = (await client.list_services(MaxResults=1))["ServiceSummaryList"][0]["ServiceArn"]
    return (await describe(client, arn))["AutoScalingConfigurationSummary"][
        "AutoScalingConfigurationArn"
    ]


async def test_a_region_shares_one_default_configuration(
    vsim: Simulator, client: Any, eu_client: Any
) -> None:
    # Seeded services and ones made through the API alike.
    await create(client, vsim)
    await create(eu_client, vsim)
    us, eu = await _autoscaling_arns(client), await _autoscaling_arns(eu_client)
    assert len(us) == 1 and len(eu) == 1
    assert us != eu


@pytest.mark.parametrize("region", [US, EU])
async def test_list_auto_scaling_configurations_lists_the_default(
    vsim: Simulator, region: str
) -> None:
    async with apprunner_client(vsim, region) as c:
        arn = await _default_arn(c)
        listed = (await c.list_auto_scaling_configurations())["AutoScalingConfigurationSummaryList"]
        defaults = [
            s for s in listed if s["AutoScalingConfigurationName"] == "DefaultConfiguration"
        ]
        assert [s["AutoScalingConfigurationArn"] for s in defaults] == [arn]
        assert defaults[0]["IsDefault"] is True
        assert defaults[0]["HasAssociatedService"] is True


async def test_describe_auto_scaling_configuration_answers_the_default(client: Any) -> None:
    arn = await _default_arn(client)
    config = (await client.describe_auto_scaling_configuration(AutoScalingConfigurationArn=arn))[
        "AutoScalingConfiguration"
    ]
    assert config["AutoScalingConfigurationArn"] == arn
    assert config["AutoScalingConfigurationName"] == "DefaultConfiguration"
    assert config["Latest"] is True
    assert (config["MaxConcurrency"], config["MinSize"], config["MaxSize"]) == (100, 1, 25)


UNKNOWN_CONFIGS = [
    pytest.param(
        f"arn:aws:apprunner:us-east-1:{ACCOUNT}:autoscalingconfiguration/Nope/1/{'0' * 32}",
        id="unknown-name",
    ),
    pytest.param(
        f"arn:aws:apprunner:us-east-1:{ACCOUNT}:autoscalingconfiguration/"
        f"DefaultConfiguration/7/{'f' * 32}",
        id="unknown-revision-and-id",
    ),
]


@pytest.mark.parametrize("arn", UNKNOWN_CONFIGS)
async def test_describe_unknown_auto_scaling_configuration(client: Any, arn: str) -> None:
    await refused(
        client.describe_auto_scaling_configuration(AutoScalingConfigurationArn=arn),
        "ResourceNotFoundException",
    )


@pytest.mark.parametrize("arn", UNKNOWN_CONFIGS)
async def test_create_naming_an_unknown_auto_scaling_configuration(client: Any, arn: str) -> None:
    before = await names(client)
    await refused(
        client.create_service(
            ServiceName=unique(),
            SourceConfiguration=image_source(),
            AutoScalingConfigurationArn=arn,
        ),
        INV,
    )
    assert await names(client) == before


async def test_create_naming_the_default_configuration(vsim: Simulator, client: Any) -> None:
    default = await _default_arn(client)
    out = await client.create_service(
        ServiceName=unique(),
        SourceConfiguration=image_source(),
        AutoScalingConfigurationArn=default,
    )
    summary = out["Service"]["AutoScalingConfigurationSummary"]
    assert summary["AutoScalingConfigurationArn"] == default


# -- C. paging tokens ------------------------------------------------------------------


async def _paged(
    call: Callable[..., Awaitable[dict[str, Any]]], member: str, key: str, **kwargs: Any
) -> list[str]:
    out: list[str] = []
    token = None
    while True:
        page = await call(MaxResults=1, **kwargs, **({"NextToken": token} if token else {}))
        out.extend(item[key] for item in page[member])
        token = page.get("NextToken")
        if not token:
            return out


async def _services_with_history(client: Any) -> list[str]:
    """ARNs of services with more than one operation: their ListOperations can page."""
    out = []
    for summary in (await client.list_services(MaxResults=20))["ServiceSummaryList"]:
        arn = summary["ServiceArn"]
        if (await client.list_operations(ServiceArn=arn, MaxResults=1)).get("NextToken"):
            out.append(arn)
    return out


def edit(token: str) -> str:
    """The same token with its first number changed, or failing that one character."""
    try:
        raw = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    match = re.search(r"\d+", raw)
    if match:
        bumped = raw[: match.start()] + str(int(match.group()) + 1) + raw[match.end() :]
        return base64.urlsafe_b64encode(bumped.encode()).decode()
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]


def forged(offset: int) -> str:
    # What the simulator's tokens used to be: readable, so anyone could write one.
    raw = json.dumps({"k": "services", "o": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode()


MISUSES = [
    "list-services-token-in-other-region",
    "operations-token-of-other-service",
    "list-services-token-to-list-operations",
    "list-operations-token-to-list-services",
    "forged",
    "edited",
    "truncated",
    "garbage",
]


@pytest.mark.parametrize("misuse", MISUSES)
async def test_paging_token_is_bound_to_its_listing(
    client: Any, eu_client: Any, misuse: str
) -> None:
    a, b = (await _services_with_history(client))[:2]
    services_token = (await client.list_services(MaxResults=1))["NextToken"]
    ops_token = (await client.list_operations(ServiceArn=a, MaxResults=1))["NextToken"]
    calls = {
        "list-services-token-in-other-region": lambda: eu_client.list_services(
            MaxResults=1, NextToken=services_token
        ),
        "operations-token-of-other-service": lambda: client.list_operations(
            ServiceArn=b, MaxResults=1, NextToken=ops_token
        ),
        "list-services-token-to-list-operations": lambda: client.list_operations(
            ServiceArn=a, MaxResults=1, NextToken=services_token
        ),
        "list-operations-token-to-list-services": lambda: client.list_services(
            MaxResults=1, NextToken=ops_token
        ),
        "forged": lambda: client.list_services(MaxResults=1, NextToken=forged(1)),
        "edited": lambda: client.list_services(MaxResults=1, NextToken=edit(services_token)),
        "truncated": lambda: client.list_services(MaxResults=1, NextToken=services_token[:-4]),
        "garbage": lambda: client.list_services(MaxResults=1, NextToken="not-a-token"),
    }
    await refused(calls[misuse](), INV)


@pytest.mark.parametrize("region", [US, EU])
async def test_genuine_list_services_tokens_page_through_once(vsim: Simulator, region: str) -> None:
    async with apprunner_client(vsim, region) as c:
        one_by_one = await _paged(c.list_services, "ServiceSummaryList", "ServiceName")
        assert len(one_by_one) >= 3
        assert len(one_by_one) == len(set(one_by_one))
        assert one_by_one == await names(c)


async def test_genuine_list_operations_tokens_page_through_once(client: Any) -> None:
    for arn in await _services_with_history(client):
        ids = await _paged(client.list_operations, "OperationSummaryList", "Id", ServiceArn=arn)
        assert len(ids) >= 2 and len(ids) == len(set(ids))
        assert ids == [op["Id"] for op in await operations(client, arn)]


# == D. requests not understood ======================================================

AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/apprunner/aws4_request, "
    "SignedHeaders=host, Signature=x"
)


def raw_http(sim: Simulator, target: str | None, body: bytes) -> tuple[int, dict[str, Any], Any]:
    """POST `body` signed (in shape) for App Runner, with `target` as X-Amz-Target."""
    request = urllib.request.Request(sim.endpoint + "/", data=body, method="POST")
    request.add_header("Content-Type", "application/x-amz-json-1.0")
    request.add_header("Authorization", AUTH)
    if target is not None:
        request.add_header("X-Amz-Target", target)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc), exc.headers


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("AppRunner.Bogus", id="unknown-operation"),
        pytest.param(None, id="no-target"),
        pytest.param("Bogus.Thing", id="other-service-prefix"),
        pytest.param("AppRunner.", id="empty-operation"),
        pytest.param("AppRunner", id="prefix-only"),
    ],
)
def test_request_naming_no_operation(vsim: Simulator, target: str | None) -> None:
    status, listed, _ = raw_http(vsim, "AppRunner.ListServices", b"{}")
    assert status == 200
    body = dumps({"ServiceName": unique(), "SourceConfiguration": image_source()})
    status, doc, headers = raw_http(vsim, target, body)
    assert status == 400
    assert doc["__type"] == "UnknownOperationException" and doc["Message"]
    assert headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert headers["Content-Type"].startswith("application/x-amz-json-1.0")
    # A CreateService body under the wrong target creates nothing.
    assert raw_http(vsim, "AppRunner.ListServices", b"{}")[1] == listed
