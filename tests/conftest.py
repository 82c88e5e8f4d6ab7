"""Shared fixtures: a simulator on loopback and botocore clients pointed at it."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import botocore.session
import pytest
from botocore.model import Shape, StructureShape
from botocore.validate import ParamValidator

from artui.sim import Simulator
from artui.sim.seed import DEMO_SEED

# Tests aim botocore at a simulator through the environment, hundreds of times a run, while
# simulator, moto and client threads run. glibc's setenv may free the array a concurrent
# getenv is reading (getaddrinfo's resolver reads RES_OPTIONS in a thread), and did: the
# suite segfaulted twice at +400 d (`make test-calendar`), each time in a test's setenv.
# botocore and artui read `os.environ`, a Python mapping, so the tests' variables stay there;
# TZ, which the C library itself reads (tzset), still reaches it; a child process is given
# `os.environ` whole, as it would have inherited it.
_C_PUTENV, _C_UNSETENV = os.putenv, os.unsetenv
_C_READS = {b"TZ", "TZ"}


def _putenv(key: Any, value: Any) -> None:
    if key in _C_READS:
        _C_PUTENV(key, value)


def _unsetenv(key: Any) -> None:
    if key in _C_READS:
        _C_UNSETENV(key)


os.putenv, os.unsetenv = _putenv, _unsetenv  # os.environ's writes call these module names
_POPEN_INIT = subprocess.Popen.__init__


def _popen_init(self: subprocess.Popen[Any], *args: Any, **kwargs: Any) -> None:
    if kwargs.get("env") is None:
        kwargs["env"] = dict(os.environ)
    _POPEN_INIT(self, *args, **kwargs)


subprocess.Popen.__init__ = _popen_init  # type: ignore[method-assign]

SIM_REGIONS = ("us-east-1", "eu-west-1")
SIM_SERVICES = 6

_MODEL = botocore.session.get_session().get_service_model("apprunner")
# Operations whose responses were checked against botocore's output shapes, in order.
VALIDATED: list[str] = []


def validate_output(operation: str, parsed: dict[str, Any]) -> None:
    """Assert a parsed App Runner response matches the operation's output shape and enums."""
    shape = _MODEL.operation_model(operation).output_shape
    doc = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
    report = ParamValidator().validate(doc, shape)
    assert not report.has_errors(), report.generate_report()
    _check_enums(doc, shape, operation)
    VALIDATED.append(operation)


def validate_error(operation: str, status: int, doc: dict[str, Any], code: str) -> None:
    """Assert a raw App Runner error answer is AWS's JSON 1.0 error for `code`.

    botocore turns error bodies into exceptions leniently (and the after-call hook skips
    them), so a wrong body would go unnoticed through a client; check the bytes instead.
    """
    assert status == 400, (operation, status, doc)
    assert set(doc) == {"__type", "Message"}, doc
    assert doc["__type"] == code
    # Only errors the operation can raise per the model, with the model's members.
    errors = {shape.name: shape for shape in _MODEL.operation_model(operation).error_shapes}
    assert code in errors, f"{operation} cannot raise {code}"
    report = ParamValidator().validate({"Message": doc["Message"]}, errors[code])
    assert not report.has_errors(), report.generate_report()
    assert doc["Message"]


def _check_enums(value: Any, shape: Shape | None, path: str) -> None:
    # ParamValidator checks types, required members and minimums, not enum values.
    if shape is None:
        return
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for key, member in value.items():
            _check_enums(member, shape.members.get(key), f"{path}.{key}")
    elif shape.type_name == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            _check_enums(item, shape.member, f"{path}[{i}]")  # type: ignore[attr-defined]
    elif getattr(shape, "enum", None):
        assert value in shape.enum, f"{path}: {value!r} not in {shape.enum}"  # type: ignore[attr-defined]


def _after_call(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
    if http_response.status_code == 200:
        validate_output(model.name, parsed)


def aim_botocore_at(sim: Simulator, setenv: Callable[[str, str], None]) -> None:
    """Point botocore's own chain at `sim`, away from this machine's AWS config files."""
    for key in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        setenv(key, os.devnull)
    for key, value in sim.env().items():
        setenv(key, value)


@pytest.fixture
def fresh_sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    """A fresh 7-service demo region (us-east-1) on a stopped clock, botocore's own chain
    aimed at it: operations end when a test advances the clock."""
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with Simulator(
        regions=("us-east-1",), services=7, time_scale=0, world=False, ids_seed=DEMO_SEED
    ) as simulator:
        aim_botocore_at(simulator, monkeypatch.setenv)
        yield simulator


def client_kwargs(sim: Simulator, region: str = "us-east-1") -> dict[str, Any]:
    """Keyword arguments for create_client against the simulator."""
    return {
        "region_name": region,
        "endpoint_url": sim.endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }


def put_log_lines(
    sim: Simulator, group: str, stream: str, lines: list[tuple[int, str]], *, fresh: bool = False
) -> None:
    """(timestamp ms, message) lines into a log group's stream through the simulator, as
    App Runner's agent writes them; the group and stream are created as needed (`fresh`:
    the group is deleted first, dropping what other tests wrote: moto's state is shared)."""
    import boto3

    logs = boto3.client("logs", **client_kwargs(sim))
    if fresh:
        try:
            logs.delete_log_group(logGroupName=group)
        except logs.exceptions.ResourceNotFoundException:
            pass
    for create, args in (
        (logs.create_log_group, {"logGroupName": group}),
        (logs.create_log_stream, {"logGroupName": group, "logStreamName": stream}),
    ):
        try:
            create(**args)
        except logs.exceptions.ResourceAlreadyExistsException:
            pass
    for start in range(0, len(lines), 10_000):  # PutLogEvents' most events per call
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": ts, "message": m} for ts, m in lines[start : start + 10_000]],
        )


def make_boto3(sim: Simulator, service: str, region: str = "us-east-1", validate: bool = True):
    """A boto3 client for the simulator; App Runner responses are shape-checked."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        service,
        config=Config(inject_host_prefix=False, retries={"total_max_attempts": 1}),
        **client_kwargs(sim, region),
    )
    if validate and service == "apprunner":
        client.meta.events.register("after-call.apprunner", _after_call)
    return client


_AIO_SESSION: Any = None


async def make_aio(sim: Simulator, service: str, region: str = "us-east-1", validate: bool = True):
    """An aiobotocore client context manager for the simulator."""
    global _AIO_SESSION
    from aiobotocore.config import AioConfig
    from aiobotocore.session import get_session

    if _AIO_SESSION is None:
        _AIO_SESSION = get_session()
    cm = _AIO_SESSION.create_client(
        service,
        config=AioConfig(inject_host_prefix=False, retries={"total_max_attempts": 1}),
        **client_kwargs(sim, region),
    )
    client = await cm.__aenter__()
    if validate and service == "apprunner":
        client.meta.events.register("after-call.apprunner", _after_call)
    return cm, client


def raw_apprunner(
    sim: Simulator, operation: str, params: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """An App Runner call POSTed straight to the simulator as JSON (no botocore, so a
    refusal's body is read as it was sent): (status, JSON body)."""
    request = urllib.request.Request(
        sim.endpoint + "/", data=json.dumps(params).encode(), method="POST"
    )
    request.add_header("X-Amz-Target", f"AppRunner.{operation}")
    request.add_header("Content-Type", "application/x-amz-json-1.0")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def refused(sim: Simulator, operation: str, params: dict[str, Any], code: str) -> str:
    """The message of `operation`'s refusal, which must be a 400 `code` the model lists."""
    status, doc = raw_apprunner(sim, operation, params)
    validate_error(operation, status, doc, code)
    return str(doc["Message"])


def control(sim: Simulator, method: str, path: str, doc: dict[str, Any] | None = None) -> Any:
    """Call the simulator's /_sim/ control API; returns the JSON answer."""
    data = json.dumps(doc).encode() if doc is not None else None
    request = urllib.request.Request(sim.endpoint + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture(autouse=True, scope="session")
def _log_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """artui's log file (artui.logfile) goes to a temporary folder, never the user's home."""
    import os

    before = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))
    yield
    if before is None:
        os.environ.pop("XDG_STATE_HOME", None)
    else:
        os.environ["XDG_STATE_HOME"] = before


@pytest.fixture(scope="session")
def sim() -> Iterator[Simulator]:
    """One fast simulator for the whole session: two regions, six services each, no world;
    its ids pinned (the demo's own), so a failure shows the same ARNs on every run."""
    simulator = Simulator(
        regions=SIM_REGIONS, services=SIM_SERVICES, time_scale=1000, world=False, ids_seed=DEMO_SEED
    )
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def frozen(sim: Simulator) -> Iterator[Simulator]:
    """The session simulator with its clock stopped; move it with `advance`."""
    before = control(sim, "GET", "/_sim/clock")["scale"]
    control(sim, "POST", "/_sim/clock", {"scale": 0})
    yield sim
    control(sim, "POST", "/_sim/clock", {"scale": before})
    control(sim, "DELETE", "/_sim/faults")


@pytest.fixture
async def apprunner(sim: Simulator) -> AsyncIterator[Any]:
    """An aiobotocore App Runner client (us-east-1) whose responses are shape-checked."""
    cm, client = await make_aio(sim, "apprunner")
    try:
        yield client
    finally:
        await cm.__aexit__(None, None, None)


def available_connection(sim: Simulator, name: str = "github", region: str = "us-east-1") -> str:
    """A new GitHub connection with its handshake done (`/_sim/connections/<name>/handshake`,
    for the person who does it in the console): the ARN a code repository service can name."""
    client = make_boto3(sim, "apprunner", region)
    made = client.create_connection(ConnectionName=name, ProviderType="GITHUB")["Connection"]
    control(sim, "POST", f"/_sim/connections/{name}/handshake", {"region": region})
    return str(made["ConnectionArn"])
