"""Sharable configuration resources: auto scaling and observability configurations, VPC
connectors, one `Registry` of each per account and region. An ARN of another account names
nothing the caller can see (ResourceNotFoundException).

The Developer Guide's "Configuration resources": a configuration has a name and numbered
revisions (the first is 1, the next ones count up); nothing is updated in place, a new
revision is made instead; a deleted revision turns INACTIVE (kept, so DescribeX of its full
ARN still answers, as AWS does for a while) and no longer counts. `Latest` is the highest
active revision of a name. An ARN names a revision in full (`…/name/revision/id`) or in part:
`…/name` is the name's latest active revision, `…/name/revision` that revision (the model's
words for DescribeAutoScalingConfiguration and its siblings). A VPC connector has a single
revision per name (the model: "App Runner supports only one revision per name") and is named
by its full ARN only.

Every account has one auto scaling `DefaultConfiguration` per region, revision 1, with the
guide's recommended values, provided by App Runner; a service created without an
AutoScalingConfigurationArn uses the region's default (UpdateDefaultAutoScalingConfiguration
moves it). Quotas (the guide's "App Runner resource quotas", per region): 10 names and 10
revisions per name of each configuration kind, 10 VPC connectors; the provided default does
not count, being none of the caller's making.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from artui.sim.apprunner.ids import DEFAULT_ACCOUNT
from artui.sim.apprunner.limits import CONFIG_NAMES, CONFIG_REVISIONS, VPC_CONNECTORS
from artui.sim.errors import ApiError, invalid_request, not_found

DEFAULT_NAME = "DefaultConfiguration"
# The id the Developer Guide's own examples show for the default configuration.
DEFAULT_ID = "00000000000000000000000000000001"

# CreateAutoScalingConfiguration's defaults (the model's "Default:" for each member).
DEFAULT_MAX_CONCURRENCY = 100
DEFAULT_MIN_SIZE = 1
DEFAULT_MAX_SIZE = 25
# The most instances a service scales to unless AWS raised the account's limit on request.
MAX_SIZE_LIMIT = 25


@dataclass
class Revision:
    """One revision of a configuration resource of some kind."""

    region: str
    created_at: float
    name: str
    revision: int
    id: str
    deleted_at: float | None = None
    # Made by App Runner, not the caller: outside the quotas (the DefaultConfiguration).
    provided: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    account: str = DEFAULT_ACCOUNT

    KIND = ""  # the ARN's resource type

    @property
    def arn(self) -> str:
        return (
            f"arn:aws:apprunner:{self.region}:{self.account}:{self.KIND}/"
            f"{self.name}/{self.revision}/{self.id}"
        )

    @property
    def active(self) -> bool:
        return self.deleted_at is None

    @property
    def status(self) -> str:
        return "ACTIVE" if self.active else "INACTIVE"

    def stamps(self) -> dict[str, Any]:
        """CreatedAt and, once deleted, DeletedAt."""
        out: dict[str, Any] = {"CreatedAt": self.created_at}
        if self.deleted_at is not None:
            out["DeletedAt"] = self.deleted_at
        return out


@dataclass
class AutoScalingConfiguration(Revision):
    """One revision of an auto scaling configuration."""

    name: str = DEFAULT_NAME
    revision: int = 1
    id: str = DEFAULT_ID
    provided: bool = True
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    min_size: int = DEFAULT_MIN_SIZE
    max_size: int = DEFAULT_MAX_SIZE
    is_default: bool = True

    KIND = "autoscalingconfiguration"

    def summary(self, in_use: bool) -> dict[str, Any]:
        """The AutoScalingConfigurationSummary document."""
        return {
            "AutoScalingConfigurationArn": self.arn,
            "AutoScalingConfigurationName": self.name,
            "AutoScalingConfigurationRevision": self.revision,
            "Status": self.status,
            **self.stamps(),
            "HasAssociatedService": in_use,
            "IsDefault": self.is_default,
        }

    def describe(self, in_use: bool, latest: bool = True) -> dict[str, Any]:
        """The AutoScalingConfiguration document."""
        return {
            **self.summary(in_use),
            "Latest": latest,
            "MaxConcurrency": self.max_concurrency,
            "MinSize": self.min_size,
            "MaxSize": self.max_size,
        }


@dataclass
class ObservabilityConfiguration(Revision):
    """One revision of an observability configuration (tracing, or nothing)."""

    trace: dict[str, Any] | None = None

    KIND = "observabilityconfiguration"

    def summary(self) -> dict[str, Any]:
        """The ObservabilityConfigurationSummary document."""
        return {
            "ObservabilityConfigurationArn": self.arn,
            "ObservabilityConfigurationName": self.name,
            "ObservabilityConfigurationRevision": self.revision,
        }

    def describe(self, latest: bool) -> dict[str, Any]:
        """The ObservabilityConfiguration document."""
        doc = {**self.summary(), "Latest": latest, "Status": self.status, **self.stamps()}
        if self.trace is not None:
            doc["TraceConfiguration"] = self.trace
        return doc


@dataclass
class VpcConnector(Revision):
    """A VPC connector: subnets and security groups a service's egress goes through."""

    subnets: list[str] = field(default_factory=list)
    security_groups: list[str] = field(default_factory=list)

    KIND = "vpcconnector"

    def describe(self) -> dict[str, Any]:
        """The VpcConnector document."""
        return {
            "VpcConnectorName": self.name,
            "VpcConnectorArn": self.arn,
            "VpcConnectorRevision": self.revision,
            "Subnets": list(self.subnets),
            "SecurityGroups": list(self.security_groups),
            "Status": self.status,
            **self.stamps(),
        }


R = TypeVar("R", bound=Revision)


def _arn_pattern(kind: str) -> re.Pattern[str]:
    """An ARN of `kind`, full or partial: region, account, name, revision, id."""
    return re.compile(
        rf"^arn:aws:apprunner:([a-z0-9-]+):(\d{{12}}):{kind}/"
        r"([A-Za-z0-9][A-Za-z0-9_-]*)(?:/(\d+)(?:/([0-9a-f]{32}))?)?$"
    )


class Registry(Generic[R]):
    """One account's resources of one kind in one region: every revision of every name,
    deleted ones too."""

    def __init__(self, account: str, region: str, kind: str, words: str, member: str) -> None:
        self.account = account
        self.region = region
        self.kind = kind
        self.words = words  # "auto scaling configuration", for messages
        self.member = member  # "AutoScalingConfigurationArn", for messages
        self._arn = _arn_pattern(kind)
        self._by_name: dict[str, list[R]] = {}

    def __iter__(self) -> Iterator[R]:
        """Every revision, active or not, by name then revision."""
        for name in sorted(self._by_name):
            yield from self._by_name[name]

    def active(self, name: str | None = None) -> list[R]:
        """Active revisions (of `name`, or of every name), by name then revision."""
        return [r for r in self if r.active and (name is None or r.name == name)]

    def latest(self, name: str) -> R | None:
        """The highest active revision of `name`."""
        revisions = self.active(name)
        return revisions[-1] if revisions else None

    def is_latest(self, item: R) -> bool:
        return self.latest(item.name) is item

    def next_revision(self, name: str) -> int:
        """The revision a new one of `name` gets: one past every revision it ever had."""
        return max((r.revision for r in self._by_name.get(name, ())), default=0) + 1

    def add(self, item: R) -> R:
        self._by_name.setdefault(item.name, []).append(item)
        return item

    def check_quota(self, name: str, revisions: bool = True) -> None:
        """ServiceQuotaExceededException if one more revision of `name` breaks a quota."""
        mine = [r for r in self.active() if not r.provided]
        names = {r.name for r in mine}
        if name not in names and len(names) >= (CONFIG_NAMES if revisions else VPC_CONNECTORS):
            what = "names of " if revisions else ""
            raise _quota(
                f"You've reached the quota of {len(names)} {what}{self.words}s in "
                f"{self.region}. Delete one before you create another."
            )
        count = sum(1 for r in mine if r.name == name)
        if revisions and count >= CONFIG_REVISIONS:
            raise _quota(
                f"You've reached the quota of {CONFIG_REVISIONS} revisions of {self.words} "
                f"{name} in {self.region}. Delete a revision before you create another."
            )

    def find(
        self, arn: str, *, partial: bool = True, active: bool = False, member: str | None = None
    ) -> R:
        """The revision `arn` names.

        `partial`: `…/name` and `…/name/revision` are accepted (else only a full ARN);
        `active`: a deleted revision is not found. Raises InvalidRequestException for an ARN
        of another kind or region, ResourceNotFoundException for one naming nothing here.
        """
        member = member or self.member
        match = self._arn.match(arn)
        if not match:
            raise invalid_request(f"{member} '{arn}' is not a valid {self.words} ARN.")
        region, account, name, revision, rid = match.groups()
        if region != self.region:
            raise invalid_request(
                f"{member} is in region {region}, but the request went to {self.region}."
            )
        if rid is None and not partial:
            raise invalid_request(f"{member} must be a full {self.words} ARN.")
        missing = not_found(f"The {self.words} {arn} can't be found.")
        if account != self.account:  # another account's: this caller sees none of it
            raise missing
        candidates = self._by_name.get(name, [])
        if active:
            candidates = [r for r in candidates if r.active]
        if revision is None:
            latest = self.latest(name)
            if latest is None:
                raise missing
            return latest
        found = [
            r for r in candidates if r.revision == int(revision) and (rid is None or r.id == rid)
        ]
        if not found:
            raise missing
        # An active revision before a deleted one of the same number (none such today).
        return sorted(found, key=lambda r: not r.active)[0]

    def named(self, arn: str, member: str | None = None) -> R:
        """The active revision a service's configuration names; InvalidRequestException if
        there is none (CreateService and UpdateService check what they name exists)."""
        try:
            return self.find(arn, active=True, member=member)
        except ApiError as exc:
            if exc.code != "ResourceNotFoundException":
                raise
            raise invalid_request(
                f"{member or self.member} {arn} names no active {self.words} in {self.region}."
            ) from None


def _quota(message: str) -> ApiError:
    return ApiError("ServiceQuotaExceededException", message)


@dataclass
class RegionConfigs:
    """An account's configuration resources in one region."""

    autoscaling: Registry[AutoScalingConfiguration]
    observability: Registry[ObservabilityConfiguration]
    vpc_connectors: Registry[VpcConnector]

    @classmethod
    def new(cls, account: str, region: str, default_created_at: float) -> RegionConfigs:
        out = cls(
            Registry(
                account,
                region,
                AutoScalingConfiguration.KIND,
                "auto scaling configuration",
                "AutoScalingConfigurationArn",
            ),
            Registry(
                account,
                region,
                ObservabilityConfiguration.KIND,
                "observability configuration",
                "ObservabilityConfigurationArn",
            ),
            Registry(account, region, VpcConnector.KIND, "VPC connector", "VpcConnectorArn"),
        )
        out.autoscaling.add(AutoScalingConfiguration(region, default_created_at, account=account))
        return out

    def default_autoscaling(self) -> AutoScalingConfiguration:
        """The revision new services get when they name none."""
        return next(r for r in self.autoscaling if r.is_default)


def autoscaling_sizes(params: dict[str, Any]) -> tuple[int, int, int]:
    """(MaxConcurrency, MinSize, MaxSize) of a CreateAutoScalingConfiguration request, with
    the model's defaults; InvalidRequestException past the limits the model leaves out."""
    concurrency = params.get("MaxConcurrency", DEFAULT_MAX_CONCURRENCY)
    low = params.get("MinSize", DEFAULT_MIN_SIZE)
    high = params.get("MaxSize", DEFAULT_MAX_SIZE)
    if high > MAX_SIZE_LIMIT:
        raise invalid_request(
            f"MaxSize {high} is over your account's limit of {MAX_SIZE_LIMIT} instances per "
            "service; ask AWS Support to raise it."
        )
    if low > high:
        raise invalid_request(f"MinSize {low} must not be greater than MaxSize {high}.")
    return concurrency, low, high


def subnet_ids(params: dict[str, Any]) -> None:
    """InvalidRequestException unless a CreateVpcConnector request names subnets (at least
    one, as the guide's "VPC Connector" asks) and ids that look like EC2's."""
    subnets = params["Subnets"]
    if not subnets:
        raise invalid_request("A VPC connector needs at least one subnet.")
    for member, prefix in (("Subnets", "subnet-"), ("SecurityGroups", "sg-")):
        for value in params.get(member, []):
            if not re.fullmatch(prefix + r"[0-9a-z]+", value):
                raise invalid_request(f"{member}: '{value[:64]}' is not a {prefix}… id.")
