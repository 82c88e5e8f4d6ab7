"""The one place that decides whether an operation started through the API fails.

A service's source version is its image tag (in ImageRepository.ImageIdentifier, the part
after the last ':' when that ':' comes after the last '/'; `localhost:5000/app` has no tag)
or, for a code repository, CodeRepository.SourceCodeVersion.Value. The triggers are exact
versions, nothing looser:

- `fail-create`: CreateService ends FAILED and the service CREATE_FAILED;
- `fail-deploy`: the service creates fine, but every StartDeployment ends FAILED;
- `fail-update`: UpdateService ends FAILED when the source after the update has this version.

A failed deployment or update rolls back: the service keeps RUNNING its previous version.
Nothing else fails: an image named `failover`, or tagged `fail`, is an ordinary image.
Pause, resume and delete never fail by themselves. (The demo's seeded history, in seed.py,
scripts its past failures directly: it is history, not a request.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


def fails(op_type: str, source: Mapping[str, Any]) -> bool:
    """Whether an operation of `op_type` fails, given the source the service ends up with
    (for UpdateService, the source after the update)."""
    trigger = TRIGGERS.get(op_type)
    return trigger is not None and source_version(source) == trigger
