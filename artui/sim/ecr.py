"""The demo's private ECR repositories, kept in moto's ECR store on the simulator's clock.

A demo service whose source is a private ECR image of its own account
(`<account>.dkr.ecr.<region>.amazonaws.com/<name>:<tag>`) has that repository, in that
account's ECR (moto keeps a store per account), holding
its current tag and 3 or 4 earlier ones, each its own image (its own manifest, so its own
digest), pushed days apart over the weeks before the service was created: the versions
an operator could roll back to. One earlier image of the demo's orders-service is tagged
`…-broken`: deploying it fails its health check (`failures.BROKEN_SUFFIX`).

ECR is moto's, reached through the simulator's endpoint like every other non-App Runner
call (`AWS_ENDPOINT_URL_ECR`). moto stamps `imagePushedAt` with the machine's clock, so the
images are written in this process and their push times (and the repository's creation)
set on moto's model afterwards, as `logstore` writes logs: a simulator whose clock stands
elsewhere (the frozen demo the snapshots use) sees pushes weeks before its own now.

moto's store is process-wide: the last simulator to start in a process seeds the
repositories (a repository of the same name in the same account is replaced, images pushed
to it included).
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from artui.sim.apprunner.failures import BROKEN_SUFFIX
from artui.sim.apprunner.ids import seed_key
from artui.sim.apprunner.services import ServiceRecord

DAY = 86400.0
# The demo service (by index, as seed.py's roles) with one broken earlier image:
# orders-service, RUNNING (after the demo's opening deployment) and on a private ECR image.
BROKEN_IMAGE_INDEX = 3
# Which earlier image is broken, counting back from the current one (1: the one before it).
# The image just before the current one is sound: the obvious rollback works.
BROKEN_IMAGE_BACK = 2
_MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
_CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
_LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"
_SEMVER = re.compile(r"v(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True)
class SeededImage:
    """One image: its tag, manifest (JSON text), digest and push time (epoch seconds)."""

    tag: str
    manifest: str
    digest: str
    pushed_at: int


@dataclass(frozen=True)
class SeededRepository:
    """A private ECR repository of an account and its images, newest first."""

    account: str
    region: str
    name: str
    created_at: int
    images: tuple[SeededImage, ...]


def private_image(service: ServiceRecord) -> tuple[str, str] | None:
    """(repository, tag) when the service runs a tagged private ECR image of its own
    account in its own region; None otherwise."""
    image = service.source.get("ImageRepository")
    if not isinstance(image, dict) or image.get("ImageRepositoryType") != "ECR":
        return None
    registry = f"{service.account}.dkr.ecr.{service.region}.amazonaws.com/"
    identifier = image.get("ImageIdentifier")
    if not isinstance(identifier, str) or not identifier.startswith(registry):
        return None
    repository, colon, tag = identifier[len(registry) :].rpartition(":")
    if not colon or not repository or "/" in tag or "@" in identifier:
        return None
    return repository, tag


def plan(services: Sequence[ServiceRecord], seed: int) -> list[SeededRepository]:
    """The repositories the demo's `services` (one account's in one region, in seed order)
    pull from.

    Each is drawn from an rng of its own, so nothing else the seed draws changes; push
    times count back from the service's creation, so they move with the simulator's now.
    """
    repositories = []
    for index, service in enumerate(services):
        found = private_image(service)
        if found is None:
            continue
        name, tag = found
        rng = random.Random(f"{seed_key(seed, service.account)}:{service.region}:ecr:{name}")
        tags = [tag, *_earlier(rng, tag, rng.randint(3, 4))]
        if index == BROKEN_IMAGE_INDEX and len(tags) > BROKEN_IMAGE_BACK:
            tags[BROKEN_IMAGE_BACK] += BROKEN_SUFFIX
        # The current image was pushed shortly before the service was created from it;
        # each earlier one some days before the next.
        pushed = service.created_at - rng.uniform(600, 3 * 3600)
        base = [_layer(rng, 28, 32), _layer(rng, 4, 12)]  # the base image, shared
        images = []
        for image_tag in tags:
            images.append(_image(rng, image_tag, base, int(pushed)))
            pushed -= rng.uniform(2, 8) * DAY
        created = int(pushed - rng.uniform(10, 60) * DAY)
        repositories.append(
            SeededRepository(service.account, service.region, name, created, tuple(images))
        )
    return repositories


def _earlier(rng: random.Random, tag: str, count: int) -> list[str]:
    """`count` versions before `tag` (`vMAJOR.MINOR.PATCH`), newest first: patches, and
    minor versions before them."""
    match = _SEMVER.fullmatch(tag)
    if match is None:
        return []
    major, minor, patch = (int(part) for part in match.groups())
    out = []
    for _ in range(count):
        if patch > 0 and rng.random() < 0.5:
            patch = rng.randint(0, patch - 1)
        elif minor > 0:
            minor, patch = minor - 1, rng.randint(0, 6)
        elif major > 0:
            major, minor, patch = major - 1, rng.randint(5, 12), rng.randint(0, 6)
        else:
            break
        out.append(f"v{major}.{minor}.{patch}")
    return out


def _layer(rng: random.Random, low_mb: float, high_mb: float) -> dict[str, Any]:
    return {
        "mediaType": _LAYER_TYPE,
        "size": int(rng.uniform(low_mb, high_mb) * 1024 * 1024),
        "digest": f"sha256:{rng.getrandbits(256):064x}",
    }


def _image(rng: random.Random, tag: str, base: list[dict[str, Any]], pushed_at: int) -> SeededImage:
    layers = [*base, _layer(rng, 20, 60), _layer(rng, 0.01, 2)]  # dependencies, the app
    manifest = {
        "schemaVersion": 2,
        "mediaType": _MANIFEST_TYPE,
        # moto reports the config's size as imageSizeInBytes, which ECR sums over the
        # layers: the layers' total here, so the size reads as ECR's would.
        "config": {
            "mediaType": _CONFIG_TYPE,
            "size": sum(layer["size"] for layer in layers),
            "digest": f"sha256:{rng.getrandbits(256):064x}",
        },
        "layers": layers,
    }
    text = json.dumps(manifest, separators=(",", ":"))
    # ECR's digest is the manifest's sha256, as a registry computes it.
    digest = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    return SeededImage(tag, text, digest, pushed_at)


def store(repositories: Iterable[SeededRepository]) -> None:
    """Write `repositories` into moto's ECR store in this process (each in its account's),
    push times included; a repository of the same name is replaced."""
    backends = moto_ecr()
    for repository in repositories:
        backend = backends[repository.account][repository.region]
        if repository.name in backend.repositories:
            backend.delete_repository(repository.name, force=True)
        made = backend.create_repository(
            repository_name=repository.name,
            registry_id=None,
            encryption_config=None,
            image_scan_config=None,
            image_tag_mutability="MUTABLE",
            tags=[],
        )
        made.created_at = _naive_utc(repository.created_at)
        pushed = []
        for image in reversed(repository.images):  # oldest first, as they were pushed
            stored = backend.put_image(
                repository.name, image.manifest, image.tag, None, image.digest
            )
            stored.image_pushed_at = image.pushed_at
            pushed.append(stored)
        # Newest first, as the demo reads them (ECR promises no order: sort by imagePushedAt).
        made.images[:] = reversed(pushed)


def _naive_utc(epoch: float) -> datetime:
    # moto keeps naive UTC datetimes (its utcnow()); they serialize as UTC.
    return datetime.fromtimestamp(epoch, timezone.utc).replace(tzinfo=None)


@functools.cache
def moto_ecr() -> Any:
    """moto's ECR backends (by account, then region), loaded when first needed (importing
    the simulator stays cheap)."""
    from moto.ecr.models import ecr_backends

    return ecr_backends
