"""Connections through boto3 over HTTP: PENDING_HANDSHAKE until the control route completes
the handshake, then AVAILABLE; what a code repository service may name; deletion, the
quota, ListConnections' filter and paging; the demo's GitHub connection; the control route's
answers.

Each test has a fresh simulator of its own (the quota is per region and tests fill it),
clock stopped: service operations end when a test advances it. Every 200 is shape-checked
(conftest's make_boto3); refusals are checked as raw AWS error bodies.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from conftest import control, make_boto3, refused, validate_output

from artui.sim import Simulator
from artui.sim.apprunner.operations import DURATIONS

ACCOUNT = "123456789012"
PREFIX = f"arn:aws:apprunner:us-east-1:{ACCOUNT}"
CODE = {
    "RepositoryUrl": "https://github.com/example-org/hello",
    "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
    "CodeConfiguration": {"ConfigurationSource": "REPOSITORY"},
}
IMAGE = {
    "ImageRepository": {
        "ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
        "ImageRepositoryType": "ECR_PUBLIC",
    }
}


@pytest.fixture
def csim() -> Iterator[Simulator]:
    with Simulator(regions=("us-east-1",), services=2, time_scale=0, world=False) as simulator:
        yield simulator


@pytest.fixture
def client(csim: Simulator) -> Any:
    return make_boto3(csim, "apprunner")


def _code_source(connection: str) -> dict[str, Any]:
    return {"CodeRepository": CODE, "AuthenticationConfiguration": {"ConnectionArn": connection}}


def _create(client: Any, name: str, provider: str = "GITHUB") -> dict[str, Any]:
    return dict(client.create_connection(ConnectionName=name, ProviderType=provider)["Connection"])


def _handshake(sim: Simulator, name: str, **body: Any) -> Any:
    return control(sim, "POST", f"/_sim/connections/{name}/handshake", body)


def _settle(sim: Simulator) -> None:
    control(sim, "POST", "/_sim/clock", {"advance": max(DURATIONS.values()) + 1})


def _control_error(sim: Simulator, method: str, path: str, body: Any) -> tuple[int, Any]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(sim.endpoint + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def _names(client: Any, **params: Any) -> list[str]:
    listed = client.list_connections(**params)["ConnectionSummaryList"]
    return [c["ConnectionName"] for c in listed]


def _new_service(client: Any, sim: Simulator, source: dict[str, Any]) -> str:
    out = client.create_service(
        ServiceName=f"conn-{uuid.uuid4().hex[:8]}", SourceConfiguration=source
    )
    _settle(sim)
    return str(out["Service"]["ServiceArn"])


# -- lifecycle -------------------------------------------------------------------------


def test_a_new_connection_waits_for_its_handshake(csim: Simulator, client: Any) -> None:
    now = control(csim, "GET", "/_sim/clock")["now"]
    made = _create(client, "my-github")
    assert made["Status"] == "PENDING_HANDSHAKE"
    assert (made["ConnectionName"], made["ProviderType"]) == ("my-github", "GITHUB")
    assert re.fullmatch(rf"{PREFIX}:connection/my-github/[0-9a-f]{{32}}", made["ConnectionArn"])
    assert made["CreatedAt"].timestamp() == pytest.approx(now)
    # The handshake is a person's, in the console: nothing but time passing completes it.
    control(csim, "POST", "/_sim/clock", {"advance": 86400})
    [listed] = client.list_connections(ConnectionName="my-github")["ConnectionSummaryList"]
    assert listed == made
    answer = _handshake(csim, "my-github")["connection"]
    assert answer["Status"] == "AVAILABLE"
    assert answer["ConnectionArn"] == made["ConnectionArn"]
    [listed] = client.list_connections(ConnectionName="my-github")["ConnectionSummaryList"]
    assert listed == {**made, "Status": "AVAILABLE"}
    # Completing it again changes nothing.
    assert _handshake(csim, "my-github")["connection"]["Status"] == "AVAILABLE"


def test_bitbucket_connections_too(csim: Simulator, client: Any) -> None:
    made = _create(client, "team-bitbucket", "BITBUCKET")
    assert made["ProviderType"] == "BITBUCKET"
    _handshake(csim, "team-bitbucket")
    arn = _new_service(client, csim, _code_source(made["ConnectionArn"]))
    service = client.describe_service(ServiceArn=arn)["Service"]
    assert service["Status"] == "RUNNING"
    assert service["SourceConfiguration"]["AuthenticationConfiguration"] == {
        "ConnectionArn": made["ConnectionArn"]
    }


def test_a_service_names_only_an_available_connection(csim: Simulator, client: Any) -> None:
    pending = _create(client, "pending-gh")["ConnectionArn"]
    message = refused(
        csim,
        "CreateService",
        {"ServiceName": "early", "SourceConfiguration": _code_source(pending)},
        "InvalidRequestException",
    )
    assert "PENDING_HANDSHAKE" in message
    assert "early" not in [s["ServiceName"] for s in client.list_services()["ServiceSummaryList"]]
    _handshake(csim, "pending-gh")
    client.create_service(ServiceName="early", SourceConfiguration=_code_source(pending))


@pytest.mark.parametrize(
    "arn",
    [
        pytest.param(f"{PREFIX}:connection/nobody/{'0' * 32}", id="unknown"),
        pytest.param("arn:aws:apprunner:us-east-1:210987654321:connection/x", id="malformed"),
        pytest.param(
            f"arn:aws:apprunner:eu-west-1:{ACCOUNT}:connection/gh/{'a' * 32}", id="region"
        ),
    ],
)
def test_a_service_naming_no_connection_here_is_refused(csim: Simulator, arn: str) -> None:
    refused(
        csim,
        "CreateService",
        {"ServiceName": "nowhere", "SourceConfiguration": _code_source(arn)},
        "InvalidRequestException",
    )


def test_another_accounts_connection_names_nothing(csim: Simulator, client: Any) -> None:
    mine = _create(client, "shared-gh")["ConnectionArn"]
    _handshake(csim, "shared-gh")
    other = _account_client(csim, "111111111111")
    # The same name in the other account is its own connection, not the default account's.
    assert "shared-gh" not in _names(other)
    body = {"ServiceName": "borrowed", "SourceConfiguration": _code_source(mine)}
    with pytest.raises(other.exceptions.InvalidRequestException):
        other.create_service(**body)
    with pytest.raises(other.exceptions.ResourceNotFoundException):
        other.delete_connection(ConnectionArn=mine)
    theirs = other.create_connection(ConnectionName="shared-gh", ProviderType="GITHUB")
    arn = theirs["Connection"]["ConnectionArn"]
    assert arn.startswith("arn:aws:apprunner:us-east-1:111111111111:connection/shared-gh/")
    # The control route acts in the account it names.
    done = _handshake(csim, "shared-gh", account="111111111111")["connection"]
    assert done["ConnectionArn"] == arn
    listed = control(csim, "GET", "/_sim/connections")["connections"]
    assert {(c["account"], c["ConnectionName"], c["Status"]) for c in listed} >= {
        (ACCOUNT, "shared-gh", "AVAILABLE"),
        ("111111111111", "shared-gh", "AVAILABLE"),
    }


def _account_client(sim: Simulator, account: str) -> Any:
    """A boto3 client signed with 12-digit key `account`; its 200s are shape-checked."""
    out = boto3.client(
        "apprunner",
        region_name="us-east-1",
        endpoint_url=sim.endpoint,
        aws_access_key_id=account,
        aws_secret_access_key="testing",
        config=Config(inject_host_prefix=False, retries={"total_max_attempts": 1}),
    )

    def check(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if http_response.status_code == 200:
            validate_output(model.name, parsed)

    out.meta.events.register("after-call.apprunner", check)
    return out


def test_update_service_names_only_an_available_connection(csim: Simulator, client: Any) -> None:
    first = _create(client, "first-gh")["ConnectionArn"]
    _handshake(csim, "first-gh")
    arn = _new_service(client, csim, _code_source(first))
    second = _create(client, "second-gh")["ConnectionArn"]
    update = {"ServiceArn": arn, "SourceConfiguration": _code_source(second)}
    refused(csim, "UpdateService", update, "InvalidRequestException")
    assert client.list_operations(ServiceArn=arn)["OperationSummaryList"][0]["Type"] == (
        "CREATE_SERVICE"
    )
    _handshake(csim, "second-gh")
    client.update_service(**update)
    _settle(csim)
    service = client.describe_service(ServiceArn=arn)["Service"]
    auth = service["SourceConfiguration"]["AuthenticationConfiguration"]
    assert auth == {"ConnectionArn": second}


# -- deletion --------------------------------------------------------------------------


def test_a_connection_in_use_cannot_be_deleted(csim: Simulator, client: Any) -> None:
    arn = _create(client, "busy-gh")["ConnectionArn"]
    _handshake(csim, "busy-gh")
    service = _new_service(client, csim, _code_source(arn))
    message = refused(csim, "DeleteConnection", {"ConnectionArn": arn}, "InvalidRequestException")
    assert "used by" in message
    assert "busy-gh" in _names(client)
    client.delete_service(ServiceArn=service)
    # While the service is being deleted it still uses the connection.
    refused(csim, "DeleteConnection", {"ConnectionArn": arn}, "InvalidRequestException")
    _settle(csim)
    deleted = client.delete_connection(ConnectionArn=arn)["Connection"]
    assert (deleted["Status"], deleted["ConnectionArn"]) == ("DELETED", arn)
    assert "busy-gh" not in _names(client)
    refused(csim, "DeleteConnection", {"ConnectionArn": arn}, "ResourceNotFoundException")
    # A deleted connection names nothing a service can use; its name is free again.
    body = {"ServiceName": "late", "SourceConfiguration": _code_source(arn)}
    refused(csim, "CreateService", body, "InvalidRequestException")
    again = _create(client, "busy-gh")
    assert again["ConnectionArn"] != arn and again["Status"] == "PENDING_HANDSHAKE"


def test_an_update_in_flight_holds_its_new_connection(csim: Simulator, client: Any) -> None:
    old = _create(client, "old-gh")["ConnectionArn"]
    new = _create(client, "new-gh")["ConnectionArn"]
    _handshake(csim, "old-gh")
    _handshake(csim, "new-gh")
    service = _new_service(client, csim, _code_source(old))
    client.update_service(ServiceArn=service, SourceConfiguration=_code_source(new))
    refused(csim, "DeleteConnection", {"ConnectionArn": new}, "InvalidRequestException")
    _settle(csim)
    # The update moved the service off the old connection: that one is free now.
    assert client.delete_connection(ConnectionArn=old)["Connection"]["Status"] == "DELETED"
    refused(csim, "DeleteConnection", {"ConnectionArn": new}, "InvalidRequestException")


def test_a_pending_connection_can_be_deleted(csim: Simulator, client: Any) -> None:
    arn = _create(client, "never-used")["ConnectionArn"]
    assert client.delete_connection(ConnectionArn=arn)["Connection"]["Status"] == "DELETED"
    status, answer = _control_error(csim, "POST", "/_sim/connections/never-used/handshake", {})
    assert status == 404 and "never-used" in answer["error"]


@pytest.mark.parametrize(
    ("arn", "code"),
    [
        pytest.param(
            f"{PREFIX}:connection/ghost/{'0' * 32}", "ResourceNotFoundException", id="unknown"
        ),
        pytest.param(f"{PREFIX}:service/x/{'0' * 32}", "InvalidRequestException", id="a-service"),
        pytest.param(
            f"arn:aws:apprunner:eu-west-1:{ACCOUNT}:connection/ghost/{'0' * 32}",
            "InvalidRequestException",
            id="other-region",
        ),
    ],
)
def test_delete_refuses_what_is_no_connection_here(csim: Simulator, arn: str, code: str) -> None:
    refused(csim, "DeleteConnection", {"ConnectionArn": arn}, code)


# -- quota, names, listing -------------------------------------------------------------


def test_ten_connections_a_region(csim: Simulator, client: Any) -> None:
    existing = len(_names(client))
    for i in range(10 - existing):
        _create(client, f"conn-{i:02d}")
    message = refused(
        csim,
        "CreateConnection",
        {"ConnectionName": "one-more", "ProviderType": "GITHUB"},
        "ServiceQuotaExceededException",
    )
    assert "10" in message
    # A deleted connection no longer counts.
    victim = client.list_connections(ConnectionName="conn-00")["ConnectionSummaryList"][0]
    client.delete_connection(ConnectionArn=victim["ConnectionArn"])
    _create(client, "one-more")


def test_a_name_is_taken_once(csim: Simulator, client: Any) -> None:
    _create(client, "twice")
    message = refused(
        csim,
        "CreateConnection",
        {"ConnectionName": "twice", "ProviderType": "BITBUCKET"},
        "InvalidRequestException",
    )
    assert "twice" in message


def test_list_filters_by_name_and_pages(csim: Simulator, client: Any) -> None:
    for name in ("alpha-gh", "beta-gh", "gamma-gh"):
        _create(client, name)
    assert _names(client, ConnectionName="beta-gh") == ["beta-gh"]
    assert _names(client, ConnectionName="none-such") == []
    everything = _names(client)
    assert everything[-3:] == ["alpha-gh", "beta-gh", "gamma-gh"]  # oldest first
    seen: list[str] = []
    params: dict[str, Any] = {"MaxResults": 1}
    while True:
        page = client.list_connections(**params)
        assert len(page["ConnectionSummaryList"]) == 1
        seen += [c["ConnectionName"] for c in page["ConnectionSummaryList"]]
        if "NextToken" not in page:
            break
        params["NextToken"] = page["NextToken"]
    assert seen == everything
    # A token is bound to its listing: the filter is part of it.
    token = client.list_connections(MaxResults=1)["NextToken"]
    refused(
        csim,
        "ListConnections",
        {"ConnectionName": "beta-gh", "NextToken": token},
        "InvalidRequestException",
    )


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"ConnectionName": "abc", "ProviderType": "GITHUB"}, id="name-too-short"),
        pytest.param({"ConnectionName": "-dash", "ProviderType": "GITHUB"}, id="name-pattern"),
        pytest.param({"ConnectionName": "gitlab-conn", "ProviderType": "GITLAB"}, id="provider"),
        pytest.param({"ConnectionName": "no-provider"}, id="provider-missing"),
    ],
)
def test_create_is_validated_by_the_model(csim: Simulator, params: dict[str, Any]) -> None:
    refused(csim, "CreateConnection", params, "InvalidRequestException")


# -- the demo --------------------------------------------------------------------------


def test_the_demo_code_repositories_share_one_available_connection(fresh_sim: Simulator) -> None:
    client = make_boto3(fresh_sim, "apprunner")
    [demo] = client.list_connections()["ConnectionSummaryList"]
    assert (demo["ConnectionName"], demo["ProviderType"], demo["Status"]) == (
        "github-example",
        "GITHUB",
        "AVAILABLE",
    )
    named = set()
    for summary in client.list_services()["ServiceSummaryList"]:
        source = client.describe_service(ServiceArn=summary["ServiceArn"])["Service"][
            "SourceConfiguration"
        ]
        if "CodeRepository" in source:
            named.add(source["AuthenticationConfiguration"]["ConnectionArn"])
            assert demo["CreatedAt"] < summary["CreatedAt"]
    assert named == {demo["ConnectionArn"]}
    refused(
        fresh_sim,
        "DeleteConnection",
        {"ConnectionArn": demo["ConnectionArn"]},
        "InvalidRequestException",
    )


# -- the control route ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        pytest.param({"status": "AVAILABLE"}, "unknown field", id="unknown-field"),
        pytest.param({"account": "42"}, "account", id="bad-account"),
        pytest.param({"region": 7}, "region", id="region-not-text"),
        pytest.param([], "object", id="not-an-object"),
    ],
)
def test_handshake_refuses_a_bad_body(csim: Simulator, client: Any, body: Any, words: str) -> None:
    _create(client, "body-gh")
    status, answer = _control_error(csim, "POST", "/_sim/connections/body-gh/handshake", body)
    assert status == 400 and words in answer["error"]
    [listed] = client.list_connections(ConnectionName="body-gh")["ConnectionSummaryList"]
    assert listed["Status"] == "PENDING_HANDSHAKE"


def test_handshake_of_no_such_connection_is_a_404(csim: Simulator, client: Any) -> None:
    _create(client, "here-gh")
    for path, body in (
        ("/_sim/connections/nobody/handshake", {}),
        ("/_sim/connections/here-gh/handshake", {"region": "eu-west-1"}),
        ("/_sim/connections/here-gh/handshake", {"account": "111111111111"}),
    ):
        status, answer = _control_error(csim, "POST", path, body)
        assert status == 404, (path, body, answer)
        assert set(answer) == {"error"}
    status, answer = _control_error(csim, "GET", "/_sim/connections/here-gh/handshake", None)
    assert status == 405


def test_get_connections_lists_every_live_one(csim: Simulator, client: Any) -> None:
    made = _create(client, "listed-gh")
    listed = control(csim, "GET", "/_sim/connections")["connections"]
    mine = [c for c in listed if c["ConnectionName"] == "listed-gh"]
    assert mine == [
        {
            "ConnectionName": "listed-gh",
            "ConnectionArn": made["ConnectionArn"],
            "ProviderType": "GITHUB",
            "Status": "PENDING_HANDSHAKE",
            "CreatedAt": pytest.approx(made["CreatedAt"].timestamp()),
            "account": ACCOUNT,
            "region": "us-east-1",
        }
    ]
    client.delete_connection(ConnectionArn=made["ConnectionArn"])
    listed = control(csim, "GET", "/_sim/connections")["connections"]
    assert "listed-gh" not in [c["ConnectionName"] for c in listed]
