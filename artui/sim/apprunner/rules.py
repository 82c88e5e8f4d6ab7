"""App Runner's rules that botocore's model does not state: instance sizes and sources.

The model's patterns let `Cpu "4 vCPU"` through with `Memory "2 GB"`, or an ECR image with
no role to pull it; App Runner refuses both. Each function here takes a request member that
already fits its shape (see `validate`) and raises InvalidRequestException.
"""

from __future__ import annotations

from typing import Any

from artui.sim.apprunner.limits import DEFAULT_CPU, DEFAULT_MEMORY, INSTANCE_SIZES
from artui.sim.errors import invalid_request

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


def source(config: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """A SourceConfiguration as the service will hold it.

    An update keeps the service's source kind and, when it names none, its authentication.
    """
    kind = source_kind(config)
    out = {"AutoDeploymentsEnabled": False, **config}
    if current is not None:
        if kind not in current:
            raise invalid_request(
                f"A service created from {_KIND_WORDS[source_kind(current)]} can't switch to "
                f"{_KIND_WORDS[kind]}; create a new service instead."
            )
        if "AuthenticationConfiguration" in current:
            out.setdefault("AuthenticationConfiguration", current["AuthenticationConfiguration"])
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
    """A NetworkConfiguration laid over `current` (or App Runner's defaults)."""
    base = current or {
        "EgressConfiguration": {"EgressType": "DEFAULT"},
        "IngressConfiguration": {"IsPubliclyAccessible": True},
        "IpAddressType": "IPV4",
    }
    # Members are merged one level down: {"IngressConfiguration": {}} keeps what it had.
    out = {
        key: {**base.get(key, {}), **value} if isinstance(value, dict) else value
        for key, value in {**base, **config}.items()
    }
    egress = out.get("EgressConfiguration", {})
    if egress.get("EgressType") == "VPC" and "VpcConnectorArn" not in egress:
        raise invalid_request("EgressType VPC needs a VpcConnectorArn.")
    return out
