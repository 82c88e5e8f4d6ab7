"""The /_sim/ control API: request log, clock, faults and forced statuses."""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from typing import Any

import pytest
from conftest import control, make_aio

from artui.sim import Simulator
from artui.sim.clock import END_OF_TIME
from artui.sim.seed import service_name


async def test_request_log_records_operation_region_and_status(sim, apprunner):
    control(sim, "DELETE", "/_sim/requests")
    await apprunner.list_services()
    with pytest.raises(apprunner.exceptions.InvalidRequestException):
        await apprunner.list_services(MaxResults=21)
    cm, eu = await make_aio(sim, "apprunner", region="eu-west-1")
    try:
        await eu.list_services()
    finally:
        await cm.__aexit__(None, None, None)
    entries = control(sim, "GET", "/_sim/requests")["requests"]
    seen = [(e["operation"], e["service"], e["region"], e["status"]) for e in entries]
    assert seen == [
        ("ListServices", "apprunner", "us-east-1", 200),
        ("ListServices", "apprunner", "us-east-1", 400),
        ("ListServices", "apprunner", "eu-west-1", 200),
    ]
    assert all(isinstance(e["time"], float) for e in entries)
    assert control(sim, "DELETE", "/_sim/requests") == {"requests": []}
    assert control(sim, "GET", "/_sim/requests")["requests"] == []


def test_clock_reports_scale_and_advances(frozen):
    before = control(frozen, "GET", "/_sim/clock")
    assert before["scale"] == 0
    after = control(frozen, "POST", "/_sim/clock", {"advance": 3600})
    assert after["now"] == pytest.approx(before["now"] + 3600)
    assert control(frozen, "GET", "/_sim/clock")["now"] == pytest.approx(after["now"])


async def test_faults_fail_the_next_calls_then_recover(frozen, apprunner):
    control(
        frozen,
        "POST",
        "/_sim/faults",
        {
            "operation": "ListServices",
            "region": "us-east-1",
            "error": "ThrottlingException",
            "message": "Rate exceeded",
            "count": 2,
        },
    )
    for _ in range(2):
        with pytest.raises(apprunner.exceptions.ClientError) as err:
            await apprunner.list_services()
        error = err.value.response["Error"]
        assert (error["Code"], error["Message"]) == ("ThrottlingException", "Rate exceeded")
    assert (await apprunner.list_services())["ServiceSummaryList"]
    assert control(frozen, "GET", "/_sim/faults") == {"faults": []}


async def test_fault_until_cleared_with_500(frozen, apprunner):
    control(
        frozen,
        "POST",
        "/_sim/faults",
        {"operation": "DescribeService", "error": "InternalServiceErrorException", "count": -1},
    )
    arn = (await apprunner.list_services())["ServiceSummaryList"][0]["ServiceArn"]
    for _ in range(3):
        with pytest.raises(apprunner.exceptions.InternalServiceErrorException) as err:
            await apprunner.describe_service(ServiceArn=arn)
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    control(frozen, "DELETE", "/_sim/faults")
    assert (await apprunner.describe_service(ServiceArn=arn))["Service"]["ServiceArn"] == arn


async def test_access_denied_fault_in_one_region_only(frozen, apprunner):
    control(
        frozen,
        "POST",
        "/_sim/faults",
        {
            "operation": "ListServices",
            "region": "eu-west-1",
            "error": "AccessDeniedException",
            "message": "User is not authorized",
            "count": 1,
        },
    )
    assert (await apprunner.list_services())["ServiceSummaryList"]
    cm, eu = await make_aio(frozen, "apprunner", region="eu-west-1")
    try:
        with pytest.raises(eu.exceptions.ClientError) as err:
            await eu.list_services()
        assert err.value.response["Error"]["Code"] == "AccessDeniedException"
        assert (await eu.list_services())["ServiceSummaryList"]
    finally:
        await cm.__aexit__(None, None, None)


async def test_forced_status_is_reported_as_is(sim):
    # Not shape-checked: an unknown status is exactly what this hook is for.
    cm, client = await make_aio(sim, "apprunner", region="eu-west-1", validate=False)
    name = service_name(0)
    try:
        out = control(
            sim,
            "POST",
            f"/_sim/services/{name}/status",
            {"region": "eu-west-1", "status": "WARPING"},
        )
        assert out["service"]["Status"] == "WARPING"
        summaries = (await client.list_services())["ServiceSummaryList"]
        assert {s["ServiceName"]: s["Status"] for s in summaries}[name] == "WARPING"
        arn = next(s["ServiceArn"] for s in summaries if s["ServiceName"] == name)
        assert (await client.describe_service(ServiceArn=arn))["Service"]["Status"] == "WARPING"
    finally:
        control(
            sim, "POST", f"/_sim/services/{name}/status", {"region": "eu-west-1", "status": None}
        )
        await cm.__aexit__(None, None, None)
    cm, client = await make_aio(sim, "apprunner", region="eu-west-1")
    try:
        summaries = (await client.list_services())["ServiceSummaryList"]
        assert {s["ServiceName"]: s["Status"] for s in summaries}[name] != "WARPING"
    finally:
        await cm.__aexit__(None, None, None)


def test_forced_status_for_an_unknown_service_is_404(sim):
    import urllib.error

    with pytest.raises(urllib.error.HTTPError) as err:
        control(sim, "POST", "/_sim/services/no-such-service/status", {"status": "RUNNING"})
    assert err.value.code == 404


# -- a control API that cannot be broken --------------------------------------------------

# Words of Python's own exceptions (json, float(), int()) that must never reach a caller.
PYTHON_WORDS = ("Expecting", "line 1 column", "could not convert", "invalid literal", "Traceback")


def raw(sim: Simulator, method: str, path: str, body: bytes | None = None) -> tuple[int, Any, Any]:
    """Send `body` as is; returns the status, the strictly parsed JSON answer and the headers."""
    request = urllib.request.Request(sim.endpoint + path, data=body, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, headers, data = response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        status, headers, data = err.code, err.headers, err.read()
    assert headers["Content-Type"].startswith("application/json"), (status, data[:200])
    return status, strict_json(data), headers


def strict_json(data: bytes) -> Any:
    """JSON as RFC 8259 has it: NaN and Infinity are refused, not read."""

    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} in a JSON answer")

    return json.loads(data, parse_constant=refuse)


def app_runner(sim: Simulator, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """One App Runner call over plain HTTP, its answer parsed as strict JSON (botocore is lax)."""
    request = urllib.request.Request(
        sim.endpoint + "/",
        data=json.dumps(params).encode(),
        method="POST",
        headers={
            "X-Amz-Target": f"AppRunner.{operation}",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return strict_json(response.read())


def snapshot(sim: Simulator) -> dict[str, Any]:
    """What a refused control call must leave as it was (the clock is frozen: `now` too)."""
    clock = control(sim, "GET", "/_sim/clock")
    assert math.isfinite(clock["now"]) and math.isfinite(clock["scale"])
    services = app_runner(sim, "ListServices", {})["ServiceSummaryList"]
    arn = services[0]["ServiceArn"]
    return {
        "clock": clock,
        "faults": control(sim, "GET", "/_sim/faults")["faults"],
        "services": services,
        "described": app_runner(sim, "DescribeService", {"ServiceArn": arn})["Service"],
    }


def some_service(sim: Simulator) -> str:
    """The name of a live us-east-1 service (other tests create and delete some)."""
    return app_runner(sim, "ListServices", {})["ServiceSummaryList"][0]["ServiceName"]


BAD_BODIES = [
    # (path, body as sent, a word the message must hold: the field, or what is wrong)
    ("/_sim/clock", b'{"scale": "nan"}', "scale"),
    ("/_sim/clock", b'{"scale": NaN}', "scale"),
    ("/_sim/clock", b'{"scale": Infinity}', "scale"),
    ("/_sim/clock", b'{"scale": 1e309}', "scale"),
    ("/_sim/clock", b'{"scale": -1}', "scale"),
    ("/_sim/clock", b'{"scale": true}', "scale"),
    ("/_sim/clock", b'{"scale": 1e7}', "scale"),
    ("/_sim/clock", b'{"scale": null}', "scale"),
    ("/_sim/clock", b'{"advance": -5}', "advance"),
    ("/_sim/clock", b'{"advance": "x"}', "advance"),
    ("/_sim/clock", b'{"advance": 1e309}', "advance"),
    ("/_sim/clock", b'{"advance": -Infinity}', "advance"),
    ("/_sim/clock", b'{"advance": 1e9}', "advance"),
    ("/_sim/clock", b'{"scale": 2, "advance": "x"}', "advance"),  # and the scale stays
    ("/_sim/clock", b'{"speed": 2}', "speed"),
    ("/_sim/clock", b'{"scale": 0, "scale": 5}', "scale"),
    ("/_sim/clock", b"[1]", "object"),
    ("/_sim/clock", b"NaN", "object"),
    ("/_sim/faults", b'{"error": "ThrottlingException"', "JSON"),
    ("/_sim/faults", b"\xff\xfe{}", "JSON"),
    ("/_sim/faults", b'[{"error": "ThrottlingException"}]', "object"),
    ("/_sim/faults", b'"ThrottlingException"', "object"),
    ("/_sim/faults", b'{"status": 99}', "status"),
    ("/_sim/faults", b'{"status": 200}', "status"),
    ("/_sim/faults", b'{"status": 600}', "status"),
    ("/_sim/faults", b'{"status": "500"}', "status"),
    ("/_sim/faults", b'{"status": 500.0}', "status"),
    ("/_sim/faults", b'{"count": 1.5}', "count"),
    ("/_sim/faults", b'{"count": true}', "count"),
    ("/_sim/faults", b'{"count": 0}', "count"),
    ("/_sim/faults", b'{"count": -2}', "count"),
    ("/_sim/faults", b'{"count": "1"}', "count"),
    ("/_sim/faults", b'{"error": ""}', "error"),
    ("/_sim/faults", b'{"error": "Throttling Exception"}', "error"),
    ("/_sim/faults", b'{"error": "9Lives"}', "error"),
    ("/_sim/faults", b'{"error": 5}', "error"),
    ("/_sim/faults", ('{"error": "%s"}' % ("E" * 129)).encode(), "error"),
    ("/_sim/faults", b'{"message": 5}', "message"),
    ("/_sim/faults", ('{"message": "%s"}' % ("m" * 4097)).encode(), "message"),
    ("/_sim/faults", b'{"operation": 5}', "operation"),
    ("/_sim/faults", b'{"operation": ""}', "operation"),
    ("/_sim/faults", b'{"region": null}', "region"),
    ("/_sim/faults", b'{"error": "ThrottlingException", "statsu": 503}', "statsu"),
    ("/_sim/faults", b'{"latency_ms": 0}', "latency_ms"),
    ("/_sim/faults", b'{"latency_ms": -5}', "latency_ms"),
    ("/_sim/faults", b'{"latency_ms": 60001}', "latency_ms"),
    ("/_sim/faults", b'{"latency_ms": 1.5}', "latency_ms"),
    ("/_sim/faults", b'{"latency_ms": 100.0}', "latency_ms"),
    ("/_sim/faults", b'{"latency_ms": "100"}', "latency_ms"),
    ("/_sim/faults", b'{"latency_ms": true}', "latency_ms"),
    ("/_sim/faults", b'{"latency_ms": null}', "latency_ms"),
    ("/_sim/faults", b'{"latency_ms": NaN}', "latency_ms"),
    ("/_sim/faults", b'{"latency_ms": 1e9}', "latency_ms"),
    ("/_sim/faults", b'{"latency_ms": 100, "error": "ThrottlingException"}', "latency_ms"),
    ("/_sim/faults", b'{"latency_ms": 100, "status": 503}', "status"),
    ("/_sim/faults", b'{"latency_ms": 100, "message": "slow"}', "message"),
    ("/_sim/faults", b'{"latency_ms": 100, "count": 0}', "count"),
    ("/_sim/faults", b'{"latency": 100}', "latency"),
    ("/_sim/faults", b'{"account": "12345"}', "account"),
    ("/_sim/faults", b'{"account": 123456789012}', "account"),
    ("/_sim/faults", b'{"account": "12345678901a"}', "account"),
    ("/_sim/faults", b'{"service": ""}', "service"),
    # A fault that could never match: what the simulator does not serve.
    ("/_sim/faults", b'{"operation": "Nope"}', "operation"),
    ("/_sim/faults", b'{"operation": "ListServicez", "count": -1}', "operation"),
    ("/_sim/faults", b'{"operation": "listservices"}', "operation"),
    ("/_sim/faults", b'{"operation": "GetMetricData", "service": "apprunner"}', "operation"),
    (
        "/_sim/faults",
        b'{"latency_ms": 100, "operation": "ListServices", "service": "iam"}',
        "operation",
    ),
    ("/_sim/faults", b'{"service": "s3"}', "service"),
    ("/_sim/faults", b'{"service": "monitoring", "operation": "GetMetricData"}', "service"),
    ("/_sim/faults", b'{"region": "ap-south-1"}', "region"),
    ("/_sim/faults", b'{"latency_ms": 100, "region": "us-east-2"}', "region"),
    ("/_sim/faults", b'{"operation": "ListServices", "region": "nowhere"}', "region"),
    # A clock call that says nothing.
    ("/_sim/clock", b"{}", "advance"),
    ("/_sim/clock", b"", "advance"),
    ("/_sim/clock", None, "advance"),
    ("/_sim/clock", b" \n", "scale"),
    ("/_sim/services/{name}/status", b'{"status": 123}', "status"),
    ("/_sim/services/{name}/status", b'{"status": ["x"]}', "status"),
    ("/_sim/services/{name}/status", b'{"status": ""}', "status"),
    ("/_sim/services/{name}/status", ('{"status": "%s"}' % ("S" * 257)).encode(), "status"),
    ("/_sim/services/{name}/status", b'{"status": "WARPING", "region": 5}', "region"),
    ("/_sim/services/{name}/status", b'{"state": "WARPING"}', "state"),
    ("/_sim/services/{name}/status", b'{"status": "WARPING", "account": "1"}', "account"),
    ("/_sim/services/{name}/status", b"{not json}", "JSON"),
    ("/_sim/services/{name}/reported", b'{"fields": [1]}', "fields"),
    ("/_sim/services/{name}/reported", b'{"fields": "x"}', "fields"),
    ("/_sim/services/{name}/reported", b'{"fields": {"Cpu": NaN}}', "fields"),
    ("/_sim/services/{name}/reported", b'{"fields": {"a": [{"b": 1e999}]}}', "fields"),
    ("/_sim/services/{name}/reported", b'{"fields": {}, "region": []}', "region"),
]


@pytest.mark.parametrize(("path", "body", "named"), BAD_BODIES)
async def test_a_bad_body_is_a_400_that_changes_nothing(frozen, apprunner, path, body, named):
    path = path.format(name=some_service(frozen))
    before = snapshot(frozen)
    status, answer, _ = raw(frozen, "POST", path, body)
    assert status == 400
    assert set(answer) == {"error"}
    message = answer["error"]
    assert named in message
    assert not any(words in message for words in PYTHON_WORDS), message
    assert snapshot(frozen) == before
    # The simulator goes on as before, through botocore too (shape-checked).
    summaries = (await apprunner.list_services())["ServiceSummaryList"]
    arn = summaries[0]["ServiceArn"]
    assert (await apprunner.describe_service(ServiceArn=arn))["Service"]["ServiceArn"] == arn


def test_bounds_themselves_are_accepted(frozen):
    assert control(frozen, "POST", "/_sim/clock", {"scale": 1_000_000})["scale"] == 1_000_000
    at = control(frozen, "POST", "/_sim/clock", {"scale": 0, "advance": 0})
    assert at["scale"] == 0
    path = f"/_sim/services/{some_service(frozen)}/status"
    assert control(frozen, "POST", path, {"status": "S" * 256})["service"]["Status"] == "S" * 256
    assert control(frozen, "POST", path, {"status": None})["service"]["Status"] != "S" * 256
    # Last: it fails every App Runner call until the fixture clears it.
    fault = {"error": "E", "status": 599, "count": -1, "message": "", "operation": "*"}
    armed = {**fault, "region": None, "service": None, "account": None}
    assert control(frozen, "POST", "/_sim/faults", fault)["faults"] == [armed]
    assert control(frozen, "GET", "/_sim/clock")["now"] == at["now"]


def test_an_empty_body_is_an_empty_object(frozen):
    path = f"/_sim/services/{some_service(frozen)}/status"
    control(frozen, "POST", path, {"status": "WARPING"})
    status, answer, _ = raw(frozen, "POST", path, b" \n")
    assert status == 200
    assert answer == control(frozen, "POST", path, {})
    assert answer["service"]["Status"] != "WARPING"


def test_a_wrong_operation_is_answered_with_the_nearest_names(frozen):
    for body, offered in [
        ({"operation": "ListServicez"}, '"ListServices"'),
        ({"operation": "describeservice"}, '"DescribeService"'),
        ({"operation": "GetMetricDat", "service": "cloudwatch"}, '"GetMetricData"'),
    ]:
        status, answer, _ = raw(frozen, "POST", "/_sim/faults", json.dumps(body).encode())
        assert status == 400
        assert offered in answer["error"] and "did you mean" in answer["error"]
    # Nothing near: no guesses, only what to send.
    status, answer, _ = raw(frozen, "POST", "/_sim/faults", b'{"operation": "Qqqqqqqqqq"}')
    assert status == 400 and "did you mean" not in answer["error"]
    assert control(frozen, "GET", "/_sim/faults") == {"faults": []}


# One operation of each API the simulator serves, as botocore's model names it.
SERVED = [
    ("apprunner", "ListServices"),
    ("cloudwatch", "GetMetricData"),
    ("logs", "StartLiveTail"),
    ("ecr", "DescribeImages"),
    ("sts", "GetCallerIdentity"),
    ("iam", "ListAccountAliases"),
]


@pytest.mark.parametrize(("service", "operation"), SERVED)
def test_a_fault_on_what_the_simulator_serves_is_armed(frozen, service, operation):
    control(frozen, "DELETE", "/_sim/faults")
    wide = {"operation": operation, "latency_ms": 1}
    narrow = {**wide, "service": service, "region": "eu-west-1"}
    every = {"operation": "*", "service": service, "latency_ms": 1}
    for fault in (wide, narrow, every):
        armed = control(frozen, "POST", "/_sim/faults", fault)["faults"][-1]
        assert {name: armed[name] for name in fault} == fault
    assert len(control(frozen, "GET", "/_sim/faults")["faults"]) == 3


def test_the_clock_never_passes_the_end_of_time():
    # Its own simulator: the session's clock must not be spent.
    with Simulator(services=0, world=False, time_scale=0, start_time=END_OF_TIME - 60) as sim:
        status, answer, _ = raw(sim, "POST", "/_sim/clock", b'{"scale": 5, "advance": 120}')
        assert (status, answer) == (400, {"error": "advance would take the clock past 9999-12-31"})
        assert control(sim, "GET", "/_sim/clock") == {"now": END_OF_TIME - 60, "scale": 0}
        assert control(sim, "POST", "/_sim/clock", {"advance": 60})["now"] == END_OF_TIME


ROUTES = "/_sim/requests", "/_sim/clock", "/_sim/faults", "/_sim/services/{name}/status"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_sim"),
        ("GET", "/_sim/"),
        ("GET", "/_sim/nope"),
        ("POST", "/_sim/nope"),
        ("DELETE", "/_sim/clock/"),
        ("GET", "/_sim/services/x"),
        ("POST", "/_sim/services/x/status/extra"),
    ],
)
def test_an_unknown_control_path_is_a_json_404(frozen, method, path):
    before = snapshot(frozen)
    body = b'{"error": "ThrottlingException", "count": -1}' if method == "POST" else None
    status, answer, _ = raw(frozen, method, path, body)
    assert status == 404
    assert set(answer) == {"error"}
    assert path in answer["error"]
    assert all(route in answer["error"] for route in ROUTES)  # says what exists
    assert snapshot(frozen) == before


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/_sim/clock", "GET, POST"),
        ("DELETE", "/_sim/clock", "GET, POST"),
        ("PATCH", "/_sim/faults", "DELETE, GET, POST"),
        ("POST", "/_sim/requests", "DELETE, GET"),
        ("GET", "/_sim/services/x/status", "POST"),
        ("DELETE", "/_sim/services/x/reported", "POST"),
    ],
)
def test_a_wrong_method_is_a_json_405_with_allow(frozen, method, path, allowed):
    before = snapshot(frozen)
    status, answer, headers = raw(frozen, method, path, b'{"scale": 5}')
    assert status == 405
    assert headers["Allow"] == allowed
    assert answer == {"error": f"{path} takes {allowed.replace(', ', ' or ')}, not {method}"}
    assert snapshot(frozen) == before
