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
The triggers above end their operation FAILED. Two more show App Runner's rollback in the
operation's own status, for a StartDeployment of the version or an UpdateService to it
(CreateService takes them as ordinary versions: a new service has nothing to roll back to):

- `rollback-succeeds`: the health check fails, the operation turns ROLLBACK_IN_PROGRESS
  (from `operations.ROLLBACK_FRACTION` of its duration) and ends ROLLBACK_SUCCEEDED; the
  service keeps RUNNING its previous version;
- `rollback-fails`: the same, but the operation ends ROLLBACK_FAILED. The service keeps the
  status it had (the model has no service status for a failed rollback) and its previous
  configuration.

And one fails a deletion (`delete_failure`, which DeleteService asks):

- `fail-delete`: the first DeleteService of a service with this version ends FAILED and
  the service DELETE_FAILED, which refuses everything but deleting it again (the guide);
  that retry succeeds.

Nothing else fails: an image named `failover`, or tagged `fail` or `broken`, is an
ordinary image.
Pause and resume never fail by themselves. (The demo's seeded history, in seed.py,
scripts its past failures directly: it is history, not a request.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Why an operation failed: the step of the deployment that went wrong.
BUILD = "build"
HEALTH_CHECK = "health-check"
REASONS = (BUILD, HEALTH_CHECK)

# Why a deletion failed: App Runner could not release the service's resources.
DELETION = "deletion"

# A version with this ending (and something before it) fails any operation deploying it.
BROKEN_SUFFIX = "-broken"
# Operation type -> the source version that makes it fail.
TRIGGERS: dict[str, str] = {
    "CREATE_SERVICE": "fail-create",
    "START_DEPLOYMENT": "fail-deploy",
    "UPDATE_SERVICE": "fail-update",
}
# Source version -> how the rollback after its failed deployment ends (ROLLBACK_<that>).
ROLLBACK_TRIGGERS: dict[str, str] = {
    "rollback-succeeds": "SUCCEEDED",
    "rollback-fails": "FAILED",
}
# The operations that deploy over a running version, so have one to roll back to.
ROLLED_BACK_TYPES = frozenset({"START_DEPLOYMENT", "UPDATE_SERVICE"})
DELETE_TRIGGER = "fail-delete"


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
    if rollback(op_type, source) is not None:
        return HEALTH_CHECK
    return None


def rollback(op_type: str, source: Mapping[str, Any]) -> str | None:
    """How the rollback after an operation of `op_type` to `source` ends (SUCCEEDED or
    FAILED: the operation ends ROLLBACK_<that>), or None when it does not roll back."""
    if op_type not in ROLLED_BACK_TYPES:
        return None
    return ROLLBACK_TRIGGERS.get(source_version(source) or "")


def delete_failure(source: Mapping[str, Any], status: str) -> str | None:
    """Why a DeleteService of a service in `status` with `source` fails (DELETION), or None:
    `fail-delete` fails a first deletion; retrying one that failed (DELETE_FAILED) succeeds."""
    if status != "DELETE_FAILED" and source_version(source) == DELETE_TRIGGER:
        return DELETION
    return None


def is_broken(version: str | None) -> bool:
    """Whether `version` names a build that fails its health check (`…-broken`)."""
    return (
        version is not None
        and version.endswith(BROKEN_SUFFIX)
        and len(version) > len(BROKEN_SUFFIX)
    )
