"""Every change artui can make to a service, as a value: what it is, its payload, the API call
and operation it starts, and the guide's rule for when it is refused.

One flow sends them all (`artui.engine.actions.Actions.perform`, `artui.ui.flows`): a new
kind of change (a rollback, a resize) is a new value here, not a new flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from artui.domain.apprunner import OperationType, Service, refusal
from artui.domain.custom_domains import CustomDomain, CustomDomains, link_blocked, unlink_blocked


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


# The keys' names for the changes that act on a service as a whole (`act('deploy')`).
BY_NAME: dict[str, type[Change]] = {
    kind.name: kind for kind in (Deploy, Pause, Resume, Delete, Rebuild)
}


@dataclass(frozen=True)
class Applied:
    """What AWS answered a change: the operation it started, or the custom domain as held now."""

    operation_id: str | None = None
    domain: CustomDomain | None = None
