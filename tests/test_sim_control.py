"""The /_sim/ control API: request log, clock, faults and forced statuses."""

from __future__ import annotations

import pytest
from conftest import control, make_aio

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


def test_clock_rejects_going_backwards(frozen):
    import urllib.error

    with pytest.raises(urllib.error.HTTPError) as err:
        control(frozen, "POST", "/_sim/clock", {"advance": -5})
    assert err.value.code == 400


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
