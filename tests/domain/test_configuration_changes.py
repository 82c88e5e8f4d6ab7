"""The configuration changes' rules, checked before anything is sent, and what each asks
UpdateService for."""

from __future__ import annotations

import pytest

from artui.domain.apprunner import HealthCheck, Service, ServiceStatus
from artui.domain.changes import (
    AutoDeployments,
    Resize,
    RollBack,
    Scale,
    SetHealthCheck,
    SetVariable,
)
from artui.domain.configuration import (
    INSTANCE_SIZES,
    MASK,
    AutoScaling,
    Source,
    Variable,
    ecr_repository,
    scaling_name,
)
from artui.sim.apprunner.limits import INSTANCE_SIZES as SIMULATED_SIZES

IMAGE = Source(
    kind="image",
    identifier="public.ecr.aws/acme/app:1",
    repository_type="ECR_PUBLIC",
    variables=(Variable("A", "1"), Variable("DATABASE_URL", "postgres://secret")),
)


def service_in(status: ServiceStatus) -> Service:
    return Service("svc", "id", "arn:svc", "us-east-1", status, status.value)


def test_the_sizes_are_the_simulators() -> None:
    assert INSTANCE_SIZES == SIMULATED_SIZES


def test_resize_takes_only_a_supported_pair_that_changes_something() -> None:
    assert Resize("1024", "2048", "1024", "4096").problem() is None
    assert "not a size" in (Resize("1024", "2048", "256", "4096").problem() or "")
    assert "has" in (Resize("1024", "2048", "1024", "2048").problem() or "")
    assert Resize("1024", "2048", "2048", "4096").request() == {
        "InstanceConfiguration": {"Cpu": "2048", "Memory": "4096"}
    }
    # The diff names what changes only.
    assert Resize("1024", "2048", "1024", "4096").diff() == (("memory", "2 GB", "4 GB"),)


@pytest.mark.parametrize(
    ("low", "high", "concurrency", "words"),
    [
        (0, 3, 100, "1 to 25"),
        (1, 26, 100, "1 to 25"),
        (5, 2, 100, "over the maximum"),
        (1, 3, 201, "1 to 200"),
        (1, 25, 100, "has"),
    ],
)
def test_scale_stays_within_the_guides_limits(
    low: int, high: int, concurrency: int, words: str
) -> None:
    was = AutoScaling("arn", "DefaultConfiguration", 1, True, 1, 25, 100)
    change = Scale(
        was=was, service_name="api", min_size=low, max_size=high, max_concurrency=concurrency
    )
    assert words in (change.problem() or "")


def test_scale_never_revises_the_shared_default() -> None:
    assert scaling_name("DefaultConfiguration", "checkout-api") == "checkout-api"
    assert scaling_name(None, "api") == "api-scaling"  # at least 4 characters
    assert scaling_name("team-scaling", "checkout-api") == "team-scaling"
    assert scaling_name(None, "a.b" * 20) == ("a-b" * 20)[:32]
    change = Scale(
        was=AutoScaling("arn", "DefaultConfiguration", 1, True, 1, 25, 100),
        service_name="checkout-api",
        min_size=2,
        max_size=10,
        max_concurrency=100,
    )
    assert change.create_request() == {
        "AutoScalingConfigurationName": "checkout-api",
        "MinSize": 2,
        "MaxSize": 10,
        "MaxConcurrency": 100,
    }


def test_a_variable_is_sent_with_the_others_and_never_shown() -> None:
    change = SetVariable(source=IMAGE, variable="DATABASE_URL", value="postgres://new")
    assert change.problem() is None
    image = change.request()["SourceConfiguration"]["ImageRepository"]
    assert image["ImageIdentifier"] == IMAGE.identifier
    assert image["ImageConfiguration"]["RuntimeEnvironmentVariables"] == {
        "A": "1",
        "DATABASE_URL": "postgres://new",
    }
    assert change.diff() == (("DATABASE_URL", MASK, MASK),)
    assert "postgres" not in repr(change)  # no log record or journal entry carries it
    removed = SetVariable(source=IMAGE, variable="A", removing=True)
    assert removed.diff() == (("A", MASK, "(removed)"),)
    vars_left = removed.request()["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"]
    assert vars_left["RuntimeEnvironmentVariables"] == {"DATABASE_URL": "postgres://secret"}


@pytest.mark.parametrize(
    ("name", "value", "removing", "words"),
    [
        ("1ABC", "x", False, "letters"),
        ("AWSAPPRUNNER_X", "x", False, "App Runner's own"),
        ("NOPE", None, True, "not set"),
        ("A", "1", False, "already"),
        ("A", "x" * 51_201, False, "at most 51,200"),
    ],
)
def test_a_variable_the_rules_refuse(
    name: str, value: str | None, removing: bool, words: str
) -> None:
    change = SetVariable(source=IMAGE, variable=name, value=value, removing=removing)
    assert words in (change.problem() or "")


def test_configuration_changes_are_refused_where_a_deploy_is() -> None:
    change = Resize("1024", "2048", "2048", "4096")
    assert change.refusal(service_in(ServiceStatus.OPERATION_IN_PROGRESS)) is not None
    assert change.refusal(service_in(ServiceStatus.PAUSED)) is not None
    assert change.refusal(service_in(ServiceStatus.RUNNING)) is None


def test_a_rollback_names_only_the_version() -> None:
    private = Source(
        kind="image",
        identifier="123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v2",
        repository_type="ECR",
    )
    back = RollBack(source=private, to="123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1")
    assert back.diff() == (("image", "v2", "v1"),)
    assert back.request() == {
        "SourceConfiguration": {
            "ImageRepository": {"ImageIdentifier": back.to, "ImageRepositoryType": "ECR"}
        }
    }
    assert "runs" in (RollBack(source=private, to=private.identifier).problem() or "")
    code = Source(
        kind="code",
        identifier="https://github.com/acme/api",
        repository_type="BRANCH",
        version="main",
    )
    to_branch = RollBack(source=code, to="release-1.4")
    assert to_branch.diff() == (("branch", "main", "release-1.4"),)
    assert to_branch.request()["SourceConfiguration"]["CodeRepository"] == {
        "RepositoryUrl": "https://github.com/acme/api",
        "SourceCodeVersion": {"Type": "BRANCH", "Value": "release-1.4"},
    }


def test_private_ecr_images_are_told_from_others() -> None:
    assert ecr_repository("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:1") == (
        "123456789012",
        "eu-west-1",
        "team/api",
    )
    assert ecr_repository("public.ecr.aws/acme/api:1") is None
    assert ecr_repository("docker.io/library/nginx:1") is None


def test_the_health_check_rules_and_request() -> None:
    was = HealthCheck("TCP", None, 5, 2, 1, 5)
    http = SetHealthCheck(was=was, check=HealthCheck("HTTP", "/ready", 10, 2, 1, 5))
    assert http.problem() is None
    assert http.diff() == (
        ("protocol", "TCP", "HTTP"),
        ("path", "—", "/ready"),
        ("interval", "5", "10"),
    )
    assert http.request()["HealthCheckConfiguration"]["Path"] == "/ready"
    assert "path" in (
        SetHealthCheck(was=was, check=HealthCheck("HTTP", "ready", 5, 2, 1, 5)).problem() or ""
    )
    assert "1 to 20" in (
        SetHealthCheck(was=was, check=HealthCheck("TCP", None, 21, 2, 1, 5)).problem() or ""
    )
    # A check may not start again before the last one timed out (App Runner refuses it).
    assert "at least the timeout" in (
        SetHealthCheck(was=was, check=HealthCheck("TCP", None, 2, 3, 1, 5)).problem() or ""
    )
    assert SetHealthCheck(was=was, check=HealthCheck("TCP", None, 3, 3, 1, 5)).problem() is None
    assert "has" in (SetHealthCheck(was=was, check=was).problem() or "")
    tcp = SetHealthCheck(was=was, check=HealthCheck("TCP", None, 6, 2, 1, 5)).request()
    assert "Path" not in tcp["HealthCheckConfiguration"]


def test_automatic_deployments_name_the_repository_and_not_ecr_public() -> None:
    private = Source(
        kind="image",
        identifier="123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v2",
        repository_type="ECR",
        auto_deployments=False,
    )
    on = AutoDeployments(source=private, on=True)
    assert on.problem() is None
    assert on.request() == {
        "SourceConfiguration": {
            "ImageRepository": {
                "ImageIdentifier": private.identifier,
                "ImageRepositoryType": "ECR",
            },
            "AutoDeploymentsEnabled": True,
        }
    }
    assert "ECR Public" in (AutoDeployments(source=IMAGE, on=True).problem() or "")
    assert "already" in (AutoDeployments(source=private, on=False).problem() or "")


def test_a_variable_of_a_service_configured_by_apprunner_yaml_is_refused() -> None:
    code = Source(
        kind="code", identifier="https://github.com/acme/api", configuration_source="REPOSITORY"
    )
    assert "apprunner.yaml" in (SetVariable(source=code, variable="A", value="1").problem() or "")
