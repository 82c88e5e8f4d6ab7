"""Every change artui can make to a service, as a value: what it is, its payload, the API call
and operation it starts, and the guide's rule for when it is refused.

One flow sends them all (`artui.engine.actions.Actions.perform`, `artui.ui.flows`): a new
kind of change (a rollback, a resize) is a new value here, not a new flow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from artui.domain.apprunner import HealthCheck, OperationType, Service, refusal
from artui.domain.configuration import (
    INSTANCE_SIZES,
    MASK,
    MAX_CONCURRENCY,
    MAX_SIZE,
    AutoScaling,
    Source,
    scaling_name,
)
from artui.domain.custom_domains import CustomDomain, CustomDomains, link_blocked, unlink_blocked
from artui.domain.format import cpu_label, memory_label


@dataclass(frozen=True)
class Change:
    """A change to one service. Subclasses set the class attributes and their payload."""

    # What the operator calls it ("deploy is already under way").
    name: ClassVar[str]
    api_name: ClassVar[str]
    # The operation App Runner starts for it; None when it starts none (custom domains).
    operation_type: ClassVar[OperationType | None]

    @property
    def verb(self) -> str:
        """The name as a title's first word: `Deploy`."""
        return self.name.capitalize()

    def title(self, service: Service) -> str:
        """How notifications name it: `Deploy checkout-api`."""
        return f"{self.verb} {service.name}"

    def refusal(self, service: Service, domains: CustomDomains | None = None) -> str | None:
        """Why the guide's rules refuse it for `service` as last seen, or None."""
        return refusal(service.status, self.operation_type)


@dataclass(frozen=True)
class Deploy(Change):
    name = "deploy"
    api_name = "StartDeployment"
    operation_type = OperationType.START_DEPLOYMENT


@dataclass(frozen=True)
class Pause(Change):
    name = "pause"
    api_name = "PauseService"
    operation_type = OperationType.PAUSE_SERVICE


@dataclass(frozen=True)
class Resume(Change):
    name = "resume"
    api_name = "ResumeService"
    operation_type = OperationType.RESUME_SERVICE


@dataclass(frozen=True)
class Delete(Change):
    name = "delete"
    api_name = "DeleteService"
    operation_type = OperationType.DELETE_SERVICE


@dataclass(frozen=True)
class Rebuild(Change):
    """UpdateService with the service's current configuration: a failed creation again."""

    name = "rebuild"
    api_name = "UpdateService"
    operation_type = OperationType.UPDATE_SERVICE


@dataclass(frozen=True)
class Reconfigure(Change):
    """UpdateService naming only what changes: App Runner merges it into the service's
    configuration and deploys it (an UPDATE_SERVICE operation). Its confirmation shows
    `diff()`; `problem()` checks the guide's rules before anything is sent."""

    api_name = "UpdateService"
    operation_type = OperationType.UPDATE_SERVICE

    def diff(self) -> tuple[tuple[str, str, str], ...]:
        """(what, before, after) for each value that changes."""
        return ()

    def request(self) -> dict[str, Any]:
        """UpdateService's members besides ServiceArn."""
        return {}

    def problem(self) -> str | None:
        """Why the new values break the guide's rules, or None (None too before the form
        has given them)."""
        return None

    @property
    def chosen(self) -> bool:
        """Whether the form has given the new values (the change before it has none)."""
        return bool(self.diff())

    def refusal(self, service: Service, domains: CustomDomains | None = None) -> str | None:
        return refusal(service.status, self.operation_type) or self.problem()


@dataclass(frozen=True)
class Resize(Reconfigure):
    """CPU and memory, from the pairs App Runner supports."""

    was_cpu: str | None = None
    was_memory: str | None = None
    cpu: str | None = None
    memory: str | None = None
    name = "resize"

    def diff(self) -> tuple[tuple[str, str, str], ...]:
        if self.cpu is None or self.memory is None:
            return ()
        rows = (
            ("cpu", cpu_label(self.was_cpu), cpu_label(self.cpu)),
            ("memory", memory_label(self.was_memory), memory_label(self.memory)),
        )
        return _changed(rows) or rows

    def request(self) -> dict[str, Any]:
        return {"InstanceConfiguration": {"Cpu": self.cpu, "Memory": self.memory}}

    def problem(self) -> str | None:
        if self.cpu is None or self.memory is None:
            return None
        if self.memory not in INSTANCE_SIZES.get(self.cpu, ()):
            return (
                f"{cpu_label(self.cpu)} with {memory_label(self.memory)} is not a size App "
                "Runner supports"
            )
        if (self.cpu, self.memory) == (self.was_cpu, self.was_memory):
            return "that is the size the service has"
        return None


@dataclass(frozen=True)
class Scale(Reconfigure):
    """A new revision of the service's own auto scaling configuration (never the shared
    DefaultConfiguration), then UpdateService pointing the service at it."""

    was: AutoScaling | None = None
    min_size: int | None = None
    max_size: int | None = None
    max_concurrency: int | None = None
    service_name: str = ""
    name = "scale"

    @property
    def configuration_name(self) -> str:
        """The name the new revision is made under: the service's own configuration's, or
        one named after the service when it runs on the shared default."""
        return scaling_name(self.was.name if self.was else None, self.service_name)

    def diff(self) -> tuple[tuple[str, str, str], ...]:
        if self.min_size is None or self.max_size is None or self.max_concurrency is None:
            return ()
        was = self.was or AutoScaling(arn="", name="?")

        def text(value: int | None) -> str:
            return "?" if value is None else str(value)

        sizes = (
            (
                "instances",
                f"{text(was.min_size)} to {text(was.max_size)}",
                f"{self.min_size} to {self.max_size}",
            ),
            ("max concurrency", text(was.max_concurrency), str(self.max_concurrency)),
        )
        return (
            (
                "configuration",
                f"{was.name} revision {text(was.revision)}",
                f"{self.configuration_name}, a new revision",
            ),
            *(_changed(sizes) or sizes),
        )

    def problem(self) -> str | None:
        if self.min_size is None or self.max_size is None or self.max_concurrency is None:
            return None
        if not 1 <= self.min_size <= MAX_SIZE or not 1 <= self.max_size <= MAX_SIZE:
            return f"sizes go from 1 to {MAX_SIZE} instances"
        if self.min_size > self.max_size:
            return "the minimum size is over the maximum"
        if not 1 <= self.max_concurrency <= MAX_CONCURRENCY:
            return f"maximum concurrency goes from 1 to {MAX_CONCURRENCY} requests"
        was = self.was
        if was is not None and (was.min_size, was.max_size, was.max_concurrency) == (
            self.min_size,
            self.max_size,
            self.max_concurrency,
        ):
            return "those are the sizes the service has"
        return None

    def create_request(self) -> dict[str, Any]:
        """CreateAutoScalingConfiguration's members."""
        return {
            "AutoScalingConfigurationName": self.configuration_name,
            "MinSize": self.min_size,
            "MaxSize": self.max_size,
            "MaxConcurrency": self.max_concurrency,
        }

    def request(self) -> dict[str, Any]:
        raise TypeError("a scale's UpdateService names the revision CreateAutoScaling made")


@dataclass(frozen=True)
class SetVariable(Reconfigure):
    """One runtime environment variable added, changed or (`value` None) removed. The
    request names the whole map (App Runner replaces it), built from the source as read."""

    source: Source | None = field(default=None, repr=False)
    variable: str = ""
    value: str | None = field(default=None, repr=False)
    removing: bool = False
    name = "set variable"

    @property
    def verb(self) -> str:
        return "Remove variable" if self.removing else "Set variable"

    def title(self, service: Service) -> str:
        return f"{self.verb} {self.variable} on {service.name}"

    def _before(self) -> dict[str, str]:
        return {v.name: v.value for v in self.source.variables} if self.source else {}

    def diff(self) -> tuple[tuple[str, str, str], ...]:
        if not self.variable or (self.value is None and not self.removing):
            return ()
        before = self._before()
        # Values stay masked here too: a confirmation is on the terminal.
        was = MASK if self.variable in before else "(not set)"
        return ((self.variable, was, "(removed)" if self.removing else MASK),)

    def problem(self) -> str | None:
        if not self.variable:
            return None
        if self.source is None or self.source.kind not in ("image", "code"):
            return "artui could not read the service's source, which the update must name"
        if self.source.configuration_source == "REPOSITORY":
            return (
                "the service reads its settings from apprunner.yaml in its repository: "
                "change the variable there"
            )
        if not _VARIABLE_NAME.match(self.variable):
            return "a variable's name is letters, digits and underscores, not starting with a digit"
        if self.variable.startswith("AWSAPPRUNNER"):
            return "names starting with AWSAPPRUNNER are App Runner's own"
        if self.value is not None and len(self.value) > MAX_VALUE:
            # The API's limit: refused here, so that no answer can quote the value back.
            return f"a value holds at most {MAX_VALUE:,} characters"
        before = self._before()
        if self.removing and self.variable not in before:
            return f"{self.variable} is not set"
        if not self.removing and before.get(self.variable) == self.value:
            return f"{self.variable} already has that value"
        return None

    def request(self) -> dict[str, Any]:
        assert self.source is not None
        variables = self._before()
        if self.removing:
            variables.pop(self.variable, None)
        else:
            assert self.value is not None
            variables[self.variable] = self.value
        source = self.source
        if source.kind == "image":
            image: dict[str, Any] = {
                "ImageIdentifier": source.identifier,
                "ImageRepositoryType": source.repository_type,
                "ImageConfiguration": {"RuntimeEnvironmentVariables": variables},
            }
            return {"SourceConfiguration": {"ImageRepository": image}}
        version = {"Type": source.repository_type or "BRANCH", "Value": source.version}
        code = {
            "RepositoryUrl": source.identifier,
            "SourceCodeVersion": version,
            "CodeConfiguration": {
                "ConfigurationSource": source.configuration_source or "API",
                "CodeConfigurationValues": {
                    "Runtime": source.runtime,
                    "RuntimeEnvironmentVariables": variables,
                },
            },
        }
        return {"SourceConfiguration": {"CodeRepository": code}}


@dataclass(frozen=True)
class RollBack(Reconfigure):
    """Another version of the source: an image (an earlier one of the repository, or a
    typed tag) or a code repository's branch or commit. UpdateService names only it."""

    source: Source | None = field(default=None, repr=False)
    to: str = ""  # the ImageIdentifier, or the code repository's branch or commit
    name = "roll back"

    @property
    def verb(self) -> str:
        return "Roll back"

    @property
    def _what(self) -> str:
        if self.source is not None and self.source.kind == "code":
            return (self.source.repository_type or "version").lower()
        return "image"

    def current(self) -> str | None:
        """The version the service runs: its image identifier, or its branch or commit."""
        if self.source is None:
            return None
        return self.source.version if self.source.kind == "code" else self.source.identifier

    def diff(self) -> tuple[tuple[str, str, str], ...]:
        if not self.to:
            return ()
        now = self.current() or "?"
        if self._what == "image":
            # The same repository: what changes is the tag (or digest), said alone.
            repository, _, was = _split_image(now)
            other, _, to = _split_image(self.to)
            if repository == other and was and to:
                return (("image", was, to),)
        return ((self._what, now, self.to),)

    def problem(self) -> str | None:
        if not self.to:
            return None
        if self.source is None or self.source.kind not in ("image", "code"):
            return "artui could not read the service's source"
        if self.to == self.current():
            return "that is the version the service runs"
        return None

    def request(self) -> dict[str, Any]:
        assert self.source is not None
        return {"SourceConfiguration": _repository(self.source, self.to)}


@dataclass(frozen=True)
class SetHealthCheck(Reconfigure):
    """The health check: TCP or HTTP (with a path), and its timings (1 to 20 each, as the
    API takes them)."""

    was: HealthCheck = HealthCheck()
    check: HealthCheck | None = None
    name = "health check"

    @property
    def verb(self) -> str:
        return "Change the health check of"

    def title(self, service: Service) -> str:
        return f"Health check of {service.name}"

    def diff(self) -> tuple[tuple[str, str, str], ...]:
        if self.check is None:
            return ()
        return _changed(
            tuple(
                zip(
                    _HEALTH_WORDS,
                    _health_values(self.was),
                    _health_values(self.check),
                    strict=True,
                )
            )
        )

    def problem(self) -> str | None:
        check = self.check
        if check is None:
            return None
        if check.protocol not in ("TCP", "HTTP"):
            return "the protocol is TCP or HTTP"
        if check.protocol == "HTTP" and not (check.path or "").startswith("/"):
            return "an HTTP check needs a path starting with /"
        for word, value in zip(_HEALTH_WORDS[2:], _health_numbers(check), strict=True):
            if value is None or not 1 <= value <= 20:
                return f"the {word} goes from 1 to 20"
        # App Runner (and its console) refuses a check that would start before the last one
        # timed out. (Both are numbers by now: the loop above refused a missing one.)
        if (check.interval or 0) < (check.timeout or 0):
            return "the interval must be at least the timeout"
        if not self.diff():
            return "that is the health check the service has"
        return None

    def request(self) -> dict[str, Any]:
        check = self.check
        assert check is not None
        body: dict[str, Any] = {
            "Protocol": check.protocol,
            "Interval": check.interval,
            "Timeout": check.timeout,
            "HealthyThreshold": check.healthy_threshold,
            "UnhealthyThreshold": check.unhealthy_threshold,
        }
        if check.protocol == "HTTP":
            body["Path"] = check.path
        return {"HealthCheckConfiguration": body}


_HEALTH_WORDS = ("protocol", "path", "interval", "timeout", "healthy after", "unhealthy after")


def _health_numbers(check: HealthCheck) -> tuple[int | None, ...]:
    return (check.interval, check.timeout, check.healthy_threshold, check.unhealthy_threshold)


def _health_values(check: HealthCheck) -> tuple[str, ...]:
    path = (check.path or "/") if check.protocol == "HTTP" else "—"
    return (
        check.protocol or "?",
        path,
        *("?" if n is None else str(n) for n in _health_numbers(check)),
    )


@dataclass(frozen=True)
class AutoDeployments(Reconfigure):
    """Automatic deployments on or off: App Runner deploys each new image or commit."""

    source: Source | None = field(default=None, repr=False)
    on: bool | None = None
    name = "automatic deployments"

    @property
    def verb(self) -> str:
        return (
            "Turn automatic deployments on for" if self.on else "Turn automatic deployments off for"
        )

    def title(self, service: Service) -> str:
        return f"Automatic deployments of {service.name}"

    def diff(self) -> tuple[tuple[str, str, str], ...]:
        if self.on is None or self.source is None:
            return ()
        was = self.source.auto_deployments
        return (("automatic deployments", "?" if was is None else _on_off(was), _on_off(self.on)),)

    def problem(self) -> str | None:
        if self.on is None or self.source is None:
            return None
        if self.on and self.source.repository_type == "ECR_PUBLIC":
            return (
                "automatic deployments work for a code repository or an image in your own "
                "account's ECR, not ECR Public"
            )
        if self.source.auto_deployments is self.on:
            return f"automatic deployments are already {_on_off(self.on)}"
        return None

    def request(self) -> dict[str, Any]:
        assert self.source is not None
        # UpdateService takes the source's own member back (its required fields as they are).
        version = self.source.identifier if self.source.kind == "image" else self.source.version
        repository = _repository(self.source, version or "")
        return {"SourceConfiguration": {**repository, "AutoDeploymentsEnabled": self.on}}


def _on_off(value: bool) -> str:
    return "on" if value else "off"


@dataclass(frozen=True)
class LinkDomain(Change):
    """AssociateCustomDomain. An empty `domain` is the change before the form has named it."""

    domain: str = ""
    www: bool = False
    name = "link"
    api_name = "AssociateCustomDomain"
    operation_type = None

    def title(self, service: Service) -> str:
        if not self.domain:
            return f"Link a domain to {service.name}"
        return f"Link {self.domain} to {service.name}"

    def refusal(self, service: Service, domains: CustomDomains | None = None) -> str | None:
        return link_blocked(service, domains)


@dataclass(frozen=True)
class UnlinkDomain(Change):
    """DisassociateCustomDomain of one linked domain."""

    domain: str = ""
    name = "unlink"
    api_name = "DisassociateCustomDomain"
    operation_type = None

    def title(self, service: Service) -> str:
        return f"Unlink {self.domain} from {service.name}"

    def refusal(self, service: Service, domains: CustomDomains | None = None) -> str | None:
        held = domains.named(self.domain) if domains is not None else None
        if held is None:
            return f"{self.domain} is not linked to {service.name}"
        return unlink_blocked(service, held)


def _repository(source: Source, to: str) -> dict[str, Any]:
    """The SourceConfiguration member that names the service's repository at version `to`
    (an image identifier, or a branch or commit): UpdateService must name the same member
    the service was created with, with its required fields."""
    if source.kind == "image":
        image = {"ImageIdentifier": to, "ImageRepositoryType": source.repository_type}
        return {"ImageRepository": image}
    version = {"Type": source.repository_type or "BRANCH", "Value": to}
    return {"CodeRepository": {"RepositoryUrl": source.identifier, "SourceCodeVersion": version}}


def _split_image(identifier: str) -> tuple[str, str, str]:
    """(repository, separator, tag or digest) of an image identifier."""
    if "@" in identifier:
        return identifier.partition("@")
    repository, colon, tag = identifier.rpartition(":")
    return (repository, colon, tag) if repository and "/" not in tag else (identifier, "", "")


def _changed(rows: tuple[tuple[str, str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """The rows whose value changes (a confirmation names what changes, not what stays)."""
    return tuple(row for row in rows if row[1] != row[2])


_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# RuntimeEnvironmentVariablesValue's length limit in the API.
MAX_VALUE = 51_200

# The keys' names for the changes that act on a service as a whole (`act('deploy')`).
BY_NAME: dict[str, type[Change]] = {
    kind.name: kind for kind in (Deploy, Pause, Resume, Delete, Rebuild)
}


@dataclass(frozen=True)
class Applied:
    """What AWS answered a change: the operation it started, or the custom domain as held now."""

    operation_id: str | None = None
    domain: CustomDomain | None = None
