"""The one place that decides whether an operation started through the API fails, and why.

A service's source version is its image tag (in ImageRepository.ImageIdentifier, the part
after the last ':' when that ':' comes after the last '/'; `localhost:5000/app` has no tag)
or, for a code repository, CodeRepository.SourceCodeVersion.Value. The triggers are exact
versions, nothing looser, and each fails its operation's health check:

- `fail-create`: CreateService ends FAILED and the service CREATE_FAILED;
- `fail-deploy`: the service creates fine, but every StartDeployment ends FAILED;
- `fail-update`: UpdateService ends FAILED when the source after the update has this version.

One rule names a version's ending instead: a version ending in `-broken` (BROKEN_SUFFIX, as
in `orders-service:v1.14.2-broken`, after something before it) is a build that never
passes its health check, whichever operation deploys it: CreateService, an UpdateService
whose source after the update has it (a rollback to it, in the demo, where one earlier
image of orders-service in ECR is so tagged), or a StartDeployment of it.

A service can also carry a deployment failure of its own (`ServiceRecord.deploy_failure`,
set by the demo's seed): every StartDeployment on it then fails for that reason, whatever
its source version. A BUILD failure needs a code repository (an image has nothing to
build), so on an image source it fails the health check instead.

A failed deployment or update rolls back: the service keeps RUNNING its previous version.
Nothing else fails: an image named `failover`, or tagged `fail` or `broken`, is an
ordinary image.
Pause, resume and delete never fail by themselves. (The demo's seeded history, in seed.py,
scripts its past failures directly: it is history, not a request.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Why an operation failed: the step of the deployment that went wrong.
BUILD = "build"
HEALTH_CHECK = "health-check"
REASONS = (BUILD, HEALTH_CHECK)

# A version with this ending (and something before it) fails any operation deploying it.
BROKEN_SUFFIX = "-broken"
# Operation type -> the source version that makes it fail.
TRIGGERS: dict[str, str] = {
    "CREATE_SERVICE": "fail-create",
    "START_DEPLOYMENT": "fail-deploy",
    "UPDATE_SERVICE": "fail-update",
}


def source_version(source: Mapping[str, Any]) -> str | None:
    """The image tag, or the code repository's SourceCodeVersion.Value; None if it has none."""
    image = source.get("ImageRepository")
    if isinstance(image, Mapping) and isinstance(image.get("ImageIdentifier"), str):
        identifier: str = image["ImageIdentifier"]
        colon = identifier.rfind(":")
        # A ':' before the last '/' belongs to a registry's port, not to a tag.
        return identifier[colon + 1 :] if colon > identifier.rfind("/") else None
    code = source.get("CodeRepository")
    if isinstance(code, Mapping) and isinstance(code.get("SourceCodeVersion"), Mapping):
        value = code["SourceCodeVersion"].get("Value")
        return value if isinstance(value, str) else None
    return None


def failure(
    op_type: str, source: Mapping[str, Any], deploy_failure: str | None = None
) -> str | None:
    """Why an operation of `op_type` fails (one of REASONS), or None when it succeeds.

    `source` is what the service ends up with (for UpdateService, the source after the
    update); `deploy_failure` is the service's own StartDeployment failure, if it has one.
    """
    if op_type == "START_DEPLOYMENT" and deploy_failure is not None:
        if deploy_failure not in REASONS:
            raise ValueError(f"{deploy_failure!r} is not a failure reason; use one of {REASONS}")
        return deploy_failure if "CodeRepository" in source else HEALTH_CHECK
    version = source_version(source)
    trigger = TRIGGERS.get(op_type)
    if trigger is not None and version == trigger:
        return HEALTH_CHECK
    if op_type in TRIGGERS and is_broken(version):
        return HEALTH_CHECK
    return None


def is_broken(version: str | None) -> bool:
    """Whether `version` names a build that fails its health check (`…-broken`)."""
    return (
        version is not None
        and version.endswith(BROKEN_SUFFIX)
        and len(version) > len(BROKEN_SUFFIX)
    )
