"""UpdateService lays what it names over the service's configuration (boto3 over HTTP).

botocore's model, UpdateService.SourceConfiguration: "To update the source configuration,
set the values to members of the structure that you include." A member left out keeps its
value; a structure named is merged member by member; a map named (variables, secrets)
replaces the old one. And CreateService's AutoDeploymentsEnabled defaults as the model's
SourceConfiguration says: true for a code repository or a same-account ECR image, false for
ECR Public or another account's ECR image.

Its own simulator, clock stopped: an update ends when the test advances the clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import available_connection, control, make_boto3

from artui.sim import Simulator
from artui.sim.apprunner.operations import DURATIONS

ACCOUNT = "123456789012"
ECR_IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/orders:v1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/AppRunnerECRAccessRole"
# msim's AVAILABLE connection, filled in when msim starts (cases are made before it).
CONNECTION: dict[str, str] = {"ConnectionArn": ""}
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:orders/db-password-AbCdEf"


@pytest.fixture(scope="module")
def msim() -> Iterator[Simulator]:
    simulator = Simulator(regions=("us-east-1",), services=1, time_scale=0, world=False)
    simulator.start()
    CONNECTION["ConnectionArn"] = available_connection(simulator)
    yield simulator
    simulator.stop()


@pytest.fixture
def client(msim: Simulator) -> Any:
    return make_boto3(msim, "apprunner")


def _settle(sim: Simulator) -> None:
    control(sim, "POST", "/_sim/clock", {"advance": max(DURATIONS.values()) + 1})


def _image(image: str = ECR_IMAGE, kind: str = "ECR", **config: Any) -> dict[str, Any]:
    repo: dict[str, Any] = {"ImageIdentifier": image, "ImageRepositoryType": kind}
    if config:
        repo["ImageConfiguration"] = config
    source: dict[str, Any] = {"ImageRepository": repo}
    if kind == "ECR":
        source["AuthenticationConfiguration"] = {"AccessRoleArn": ROLE}
    return source


def _code(**values: Any) -> dict[str, Any]:
    code: dict[str, Any] = {"ConfigurationSource": "REPOSITORY"}
    if values:
        code = {"ConfigurationSource": "API", "CodeConfigurationValues": values}
    return {
        "CodeRepository": {
            "RepositoryUrl": "https://github.com/example-org/orders",
            "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
            "CodeConfiguration": code,
        },
        "AuthenticationConfiguration": CONNECTION,
    }


def _create(client: Any, sim: Simulator, source: dict[str, Any], **extra: Any) -> str:
    out = client.create_service(
        ServiceName=f"merge-{uuid.uuid4().hex[:8]}", SourceConfiguration=source, **extra
    )
    _settle(sim)
    return out["Service"]["ServiceArn"]


def _described(client: Any, arn: str) -> dict[str, Any]:
    return client.describe_service(ServiceArn=arn)["Service"]


def _update(client: Any, sim: Simulator, arn: str, **params: Any) -> dict[str, Any]:
    client.update_service(ServiceArn=arn, **params)
    _settle(sim)
    return _described(client, arn)


VARIABLES = {"DATABASE_URL": "postgres://app:pw@orders-db.internal:5432/orders", "LOG": "info"}


def test_a_new_image_keeps_port_variables_secrets_and_auto_deployments(
    msim: Simulator, client: Any
) -> None:
    arn = _create(
        client,
        msim,
        _image(
            Port="3000",
            RuntimeEnvironmentVariables=VARIABLES,
            RuntimeEnvironmentSecrets={"DB_PASSWORD": SECRET},
            StartCommand="node server.js",
        ),
    )
    before = _described(client, arn)["SourceConfiguration"]
    assert before["AutoDeploymentsEnabled"] is True  # a same-account ECR image
    new_image = ECR_IMAGE.replace(":v1", ":v2")
    after = _update(
        client,
        msim,
        arn,
        SourceConfiguration={
            "ImageRepository": {"ImageIdentifier": new_image, "ImageRepositoryType": "ECR"}
        },
    )["SourceConfiguration"]
    assert after["ImageRepository"]["ImageIdentifier"] == new_image
    assert after["ImageRepository"]["ImageConfiguration"] == {
        "Port": "3000",
        "RuntimeEnvironmentVariables": VARIABLES,
        "RuntimeEnvironmentSecrets": {"DB_PASSWORD": SECRET},
        "StartCommand": "node server.js",
    }
    assert after["AutoDeploymentsEnabled"] is True
    assert after["AuthenticationConfiguration"] == {"AccessRoleArn": ROLE}


def test_a_named_member_is_merged_and_a_named_map_replaced(msim: Simulator, client: Any) -> None:
    arn = _create(client, msim, _image(Port="3000", RuntimeEnvironmentVariables=VARIABLES))
    source = _image(RuntimeEnvironmentVariables={"LOG": "debug"})
    source["AutoDeploymentsEnabled"] = False
    after = _update(client, msim, arn, SourceConfiguration=source)["SourceConfiguration"]
    config = after["ImageRepository"]["ImageConfiguration"]
    assert config == {"Port": "3000", "RuntimeEnvironmentVariables": {"LOG": "debug"}}
    assert after["AutoDeploymentsEnabled"] is False


def test_code_configuration_values_are_merged(msim: Simulator, client: Any) -> None:
    arn = _create(
        client,
        msim,
        _code(Runtime="PYTHON_311", StartCommand="gunicorn app:app", Port="8000"),
    )
    source = _code(Runtime="PYTHON_311", BuildCommand="pip install -r requirements.txt")
    after = _update(client, msim, arn, SourceConfiguration=source)["SourceConfiguration"]
    values = after["CodeRepository"]["CodeConfiguration"]["CodeConfigurationValues"]
    assert values == {
        "Runtime": "PYTHON_311",
        "StartCommand": "gunicorn app:app",
        "Port": "8000",
        "BuildCommand": "pip install -r requirements.txt",
    }
    assert after["AutoDeploymentsEnabled"] is True  # a code repository's default, kept
    # Back to apprunner.yaml: the API's values no longer apply.
    after = _update(client, msim, arn, SourceConfiguration=_code())["SourceConfiguration"]
    assert after["CodeRepository"]["CodeConfiguration"] == {"ConfigurationSource": "REPOSITORY"}


def test_other_configurations_are_merged_too(msim: Simulator, client: Any) -> None:
    arn = _create(
        client,
        msim,
        _image(),
        InstanceConfiguration={"Cpu": "2 vCPU", "Memory": "4 GB", "InstanceRoleArn": ROLE},
        HealthCheckConfiguration={"Protocol": "HTTP", "Path": "/health", "Interval": 10},
        NetworkConfiguration={"IngressConfiguration": {"IsPubliclyAccessible": False}},
    )
    after = _update(
        client,
        msim,
        arn,
        InstanceConfiguration={"Memory": "6 GB"},
        HealthCheckConfiguration={"Timeout": 4},
        NetworkConfiguration={"IpAddressType": "DUAL_STACK"},
    )
    assert after["InstanceConfiguration"] == {
        "Cpu": "2048",
        "Memory": "6144",
        "InstanceRoleArn": ROLE,
    }
    health = after["HealthCheckConfiguration"]
    assert (health["Protocol"], health["Path"], health["Interval"], health["Timeout"]) == (
        "HTTP",
        "/health",
        10,
        4,
    )
    assert after["NetworkConfiguration"] == {
        "EgressConfiguration": {"EgressType": "DEFAULT"},
        "IngressConfiguration": {"IsPubliclyAccessible": False},
        "IpAddressType": "DUAL_STACK",
    }
    # Nothing named, nothing changed (the source included).
    before = _described(client, arn)
    after = _update(client, msim, arn)
    for key in ("SourceConfiguration", "InstanceConfiguration", "HealthCheckConfiguration"):
        assert after[key] == before[key]


def test_an_update_that_fails_changes_nothing(msim: Simulator, client: Any) -> None:
    arn = _create(client, msim, _image(Port="3000", RuntimeEnvironmentVariables=VARIABLES))
    before = _described(client, arn)["SourceConfiguration"]
    failing = _image(f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/orders:fail-update")
    after = _update(client, msim, arn, SourceConfiguration=failing)
    assert after["SourceConfiguration"] == before


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(_image(), True, id="same-account-ecr"),
        pytest.param(
            _image("210987654321.dkr.ecr.us-east-1.amazonaws.com/shared:v1"),
            False,
            id="other-account-ecr",
        ),
        pytest.param(
            _image("public.ecr.aws/aws-containers/hello-app-runner:latest", "ECR_PUBLIC"),
            False,
            id="ecr-public",
        ),
        pytest.param(_code(), True, id="code-repository"),
    ],
)
def test_auto_deployments_default(
    msim: Simulator, client: Any, source: dict[str, Any], expected: bool
) -> None:
    arn = _create(client, msim, source)
    assert _described(client, arn)["SourceConfiguration"]["AutoDeploymentsEnabled"] is expected


def test_auto_deployments_as_named(msim: Simulator, client: Any) -> None:
    arn = _create(client, msim, {**_code(), "AutoDeploymentsEnabled": False})
    assert _described(client, arn)["SourceConfiguration"]["AutoDeploymentsEnabled"] is False
