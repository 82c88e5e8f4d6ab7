"""App Runner's rules that botocore's model does not state: instance sizes and sources.

The model's patterns let `Cpu "4 vCPU"` through with `Memory "2 GB"`, or an ECR image with
no role to pull it; App Runner refuses both. Each function here takes a request member that
already fits its shape (see `validate`) and raises InvalidRequestException.

An update is laid over what the service has (`merge`): UpdateService's model says "to update
the source configuration, set the values to members of the structure that you include", so
a member left out keeps its value, a structure named is merged member by member, and a map
or list named (the environment variables, the secrets) replaces the old one whole. What
the merge gives is held to the rules App Runner keeps over a whole structure (`WHOLE`): a
health check whose Timeout an update raises past the Interval it keeps is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from botocore.model import Shape

from artui.sim.apprunner.ids import DEFAULT_ACCOUNT
from artui.sim.apprunner.limits import DEFAULT_CPU, DEFAULT_MEMORY, INSTANCE_SIZES
from artui.sim.apprunner.validate import model
from artui.sim.errors import invalid_request

# The account of a private ECR image: `<account>.dkr.ecr.<region>.amazonaws.com/...`.
_ECR_ACCOUNT = re.compile(r"^([0-9]{12})\.dkr\.ecr\.")


def merge(current: dict[str, Any], update: dict[str, Any], shape: Shape | str) -> dict[str, Any]:
    """`update` laid over `current`, structure members merged, anything else replaced.

    `shape` is the model's shape of both (or its name); the result must keep its `WHOLE`
    rule, if it has one.
    """
    if isinstance(shape, str):
        shape = model().shape_for(shape)
    members = shape.members  # type: ignore[attr-defined]
    out = dict(current)
    for key, value in update.items():
        member = members.get(key)
        old = out.get(key)
        if member is not None and member.type_name == "structure" and isinstance(old, dict):
            out[key] = merge(old, value, member)
        else:
            out[key] = value
    rule = WHOLE.get(shape.name)
    if rule is not None:
        rule(out)
    return out


def health_check(config: dict[str, Any]) -> dict[str, Any]:
    """`config`, a whole HealthCheckConfiguration, if App Runner takes it.

    The console refuses an Interval shorter than the Timeout ("The interval can't be less
    than the timeout"), a check that would start before the last one gave up.
    """
    interval, timeout = config.get("Interval"), config.get("Timeout")
    if isinstance(interval, int) and isinstance(timeout, int) and interval < timeout:
        raise invalid_request(
            f"HealthCheckConfiguration Interval ({interval} seconds) can't be less than its "
            f"Timeout ({timeout} seconds)."
        )
    return config


# Shape name -> what App Runner checks of the whole structure, once merged.
WHOLE: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "HealthCheckConfiguration": health_check,
}


def auto_deployments_default(source: dict[str, Any], account: str = DEFAULT_ACCOUNT) -> bool:
    """AutoDeploymentsEnabled when a new service's source leaves it out (the model's
    SourceConfiguration): false for ECR Public and another account's ECR image, true
    otherwise (a code repository, or an image in the ECR of `account`, the service's)."""
    image = source.get("ImageRepository")
    if image is None:
        return True
    if image.get("ImageRepositoryType") != "ECR":
        return False
    match = _ECR_ACCOUNT.match(image.get("ImageIdentifier", ""))
    return match is not None and match.group(1) == account


SOURCE_KINDS = ("ImageRepository", "CodeRepository")
_KIND_WORDS = {"ImageRepository": "an image repository", "CodeRepository": "a code repository"}


def _units(value: str, suffix: str) -> str:
    """'1 vCPU' or '2 GB' in the units DescribeService answers with ('1024', '2048')."""
    if value.endswith(suffix):
        return str(int(float(value[: -len(suffix)]) * 1024))
    return value


def instance(config: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """An InstanceConfiguration laid over `current` (or the defaults), in CPU units and MB.

    Refuses a CPU and memory pair App Runner does not offer.
    """
    base = current or {"Cpu": DEFAULT_CPU, "Memory": DEFAULT_MEMORY}
    out = {**base, **config}
    out["Cpu"] = _units(str(out["Cpu"]), " vCPU")
    out["Memory"] = _units(str(out["Memory"]), " GB")
    offered = INSTANCE_SIZES.get(out["Cpu"], ())
    if out["Memory"] not in offered:
        pairs = "; ".join(f"{cpu}: {', '.join(mem)}" for cpu, mem in INSTANCE_SIZES.items())
        raise invalid_request(
            f"Cpu {out['Cpu']} with Memory {out['Memory']} is not a supported combination. "
            f"Supported (CPU units: MB): {pairs}."
        )
    return out


def source_kind(source: dict[str, Any]) -> str:
    """ImageRepository or CodeRepository: exactly one of them, or InvalidRequestException."""
    kinds = [kind for kind in SOURCE_KINDS if kind in source]
    if len(kinds) != 1:
        raise invalid_request(
            "SourceConfiguration must have exactly one of ImageRepository and CodeRepository."
        )
    return kinds[0]


def source(
    config: dict[str, Any], current: dict[str, Any] | None = None, account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    """A SourceConfiguration as the service (of `account`) will hold it.

    An update keeps the service's source kind and is laid over its source (`merge`): what it
    leaves out (the port, the variables, AutoDeploymentsEnabled, the authentication) stays.
    """
    kind = source_kind(config)
    if current is None:
        out = {"AutoDeploymentsEnabled": auto_deployments_default(config, account), **config}
    else:
        if kind not in current:
            raise invalid_request(
                f"A service created from {_KIND_WORDS[source_kind(current)]} can't switch to "
                f"{_KIND_WORDS[kind]}; create a new service instead."
            )
        out = merge(current, config, "SourceConfiguration")
        named = config[kind].get("CodeConfiguration", {})
        code = out[kind].get("CodeConfiguration", {})
        # Switching to apprunner.yaml: the values the API gave before no longer apply.
        if (
            named.get("ConfigurationSource") == "REPOSITORY"
            and "CodeConfigurationValues" not in named
        ):
            code.pop("CodeConfigurationValues", None)
    auth = out.get("AuthenticationConfiguration", {})
    if kind == "CodeRepository" and "ConnectionArn" not in auth:
        raise invalid_request(
            "A CodeRepository source needs AuthenticationConfiguration.ConnectionArn."
        )
    code = out[kind].get("CodeConfiguration", {})
    if code.get("ConfigurationSource") == "API" and "CodeConfigurationValues" not in code:
        raise invalid_request(
            "ConfigurationSource API needs CodeConfigurationValues (REPOSITORY reads them "
            "from apprunner.yaml)."
        )
    if out[kind].get("ImageRepositoryType") == "ECR" and "AccessRoleArn" not in auth:
        raise invalid_request(
            "A private ECR image needs AuthenticationConfiguration.AccessRoleArn, a role App "
            "Runner can pull it with."
        )
    return out


def network(config: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """A NetworkConfiguration laid over `current` (or App Runner's defaults).

    The connector's existence is the caller's to check (`VpcConnectorArn` of the answer).
    """
    base = current or {
        "EgressConfiguration": {"EgressType": "DEFAULT"},
        "IngressConfiguration": {"IsPubliclyAccessible": True},
        "IpAddressType": "IPV4",
    }
    out = merge(base, config, "NetworkConfiguration")
    egress = out.get("EgressConfiguration", {})
    named = config.get("EgressConfiguration", {})
    if egress.get("EgressType") != "VPC" and "VpcConnectorArn" in named:
        raise invalid_request("VpcConnectorArn is only valid with EgressType VPC.")
    if egress.get("EgressType") != "VPC" and "VpcConnectorArn" in egress:
        # Back to public egress: the connector the service had is let go.
        out["EgressConfiguration"] = {"EgressType": "DEFAULT"}
    if egress.get("EgressType") == "VPC" and "VpcConnectorArn" not in egress:
        raise invalid_request("EgressType VPC needs a VpcConnectorArn.")
    return out
