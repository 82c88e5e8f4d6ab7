"""Custom domains: the record a service holds, its lifecycle, its documents and App Runner's rules.

The Developer Guide's chapter "Managing custom domain names": up to five domains a service,
the certificate validation (CNAME) records ACM needs, a CAA record that names another CA
failing the domain, records to supply "within 72 hours", and the wildcard rules.

Lifecycle, computed lazily from the simulated clock as `ServiceRecord.settle` is (no timers):

- CREATING for `CREATING_SECONDS` (/speedup), then PENDING_CERTIFICATE_DNS_VALIDATION until
  the simulated DNS holds the records (the control API's `POST /_sim/dns`);
- from the later of those two moments BINDING_CERTIFICATE for `BINDING_SECONDS` (/speedup),
  then ACTIVE; the records turn from PENDING_VALIDATION to SUCCESS;
- CREATE_FAILED (records FAILED) when the domain's CAA records name a CA other than Amazon's
  (at once, past CREATING), or when no records came within `VALIDATION_WINDOW`;
- DisassociateCustomDomain: DELETING for `DELETING_SECONDS` (/speedup), then gone.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from publicsuffixlist import PublicSuffixList

from artui.sim.apprunner.ids import next_sequence
from artui.sim.errors import invalid_request, invalid_state, not_found

if TYPE_CHECKING:
    from artui.sim.apprunner.services import ServiceRecord

# Simulated seconds, divided by the backend's speedup as operations' durations are.
CREATING_SECONDS = 15.0
BINDING_SECONDS = 30.0
DELETING_SECONDS = 20.0
# "Supply certificate validation records to your DNS provider within 72 hours." Not divided
# by the speedup: it is the operator's time to act, and the demo's clock keeps wall time.
VALIDATION_WINDOW = 72 * 3600.0
# The guide: "You can associate up to five custom domains."
MAX_DOMAINS = 5
MAX_LABEL = 63
# CAA values that let ACM issue: the guide names amazon.com; ACM's own CAA page adds these.
AMAZON_CAS = frozenset({"amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"})

# Service statuses in which App Runner refuses to link, or to unlink, a domain. The guide's
# "Actions you cannot perform on a paused service" names both (Create- and
# DeleteCustomDomainAssociations).
LINK_REFUSED_STATUSES = frozenset(
    {"OPERATION_IN_PROGRESS", "PAUSED", "CREATE_FAILED", "DELETE_FAILED", "DELETED"}
)
UNLINK_REFUSED_STATUSES = frozenset({"OPERATION_IN_PROGRESS", "PAUSED", "DELETED"})
_VERBS = {
    "AssociateCustomDomain": "linking a domain",
    "DisassociateCustomDomain": "unlinking a domain",
}

# The certificate validation record's status for each status of its domain.
_RECORD_STATUS = {
    "CREATING": "PENDING_VALIDATION",
    "PENDING_CERTIFICATE_DNS_VALIDATION": "PENDING_VALIDATION",
    "BINDING_CERTIFICATE": "SUCCESS",
    "ACTIVE": "SUCCESS",
    "CREATE_FAILED": "FAILED",
}


@dataclass
class DomainRecord:
    """One custom domain of a service, with its validation records and what DNS holds."""

    name: str
    www: bool
    associated_at: float
    # (Name, Value) of each CNAME record ACM wants: the domain's, then www's.
    records: list[tuple[str, str]]
    speedup: float = 1.0
    # Set by the control API: when the simulated DNS got the records, and the CA its CAA
    # records name (None: no CAA records, which lets any CA issue).
    records_added_at: float | None = None
    caa: str | None = None
    disassociated_at: float | None = None
    # Forced by the control API: members laid over the CustomDomain document as they are,
    # to see how a client copes with what AWS might send one day.
    reported_override: dict[str, Any] = field(default_factory=dict)
    # The order domains were made in, for two linked at one instant (`paging.sort_key`).
    sequence: int = field(default_factory=next_sequence)

    @property
    def caa_blocks(self) -> bool:
        """Whether the domain's CAA records keep ACM from issuing its certificate."""
        return self.caa is not None and self.caa.lower() not in AMAZON_CAS

    @property
    def created_at(self) -> float:
        """When CREATING ends."""
        return self.associated_at + CREATING_SECONDS / self.speedup

    def gone(self, now: float) -> bool:
        """Whether its disassociation has ended by `now`."""
        if self.disassociated_at is None:
            return False
        return now >= self.disassociated_at + DELETING_SECONDS / self.speedup

    def _phase(self, t: float) -> str:
        """The association's status at `t`, disassociation aside."""
        if t < self.created_at:
            return "CREATING"
        deadline = self.created_at + VALIDATION_WINDOW
        added = self.records_added_at
        if added is not None and added <= t and added < deadline:
            if self.caa_blocks:
                return "CREATE_FAILED"
            binding_end = max(self.created_at, added) + BINDING_SECONDS / self.speedup
            return "BINDING_CERTIFICATE" if t < binding_end else "ACTIVE"
        return "CREATE_FAILED" if t >= deadline else "PENDING_CERTIFICATE_DNS_VALIDATION"

    def status(self, now: float) -> str:
        """The CustomDomain Status at `now`."""
        if self.disassociated_at is not None and now >= self.disassociated_at:
            return "DELETING"
        return self._phase(now)

    def add_records(self, now: float, caa: str | None) -> bool:
        """Put the records in the simulated DNS (with CAA naming `caa`); False if too late.

        Only a domain still waiting for its records changes: one whose records are there
        already, or that is ACTIVE, failed or being deleted, stays as it is.
        """
        if self.records_added_at is not None or self.disassociated_at is not None:
            return False
        if self._phase(now) not in ("CREATING", "PENDING_CERTIFICATE_DNS_VALIDATION"):
            return False
        self.records_added_at = now
        self.caa = caa
        return True

    def describe(self, now: float) -> dict[str, Any]:
        """The CustomDomain document."""
        # A domain being deleted keeps the records' status of the moment it was unlinked.
        settled_at = now if self.disassociated_at is None else min(now, self.disassociated_at)
        record_status = _RECORD_STATUS[self._phase(settled_at)]
        return {
            "DomainName": self.name,
            "EnableWWWSubdomain": self.www,
            "CertificateValidationRecords": [
                {"Name": name, "Type": "CNAME", "Value": value, "Status": record_status}
                for name, value in self.records
            ],
            "Status": self.status(now),
            **self.reported_override,
        }


def refusal(
    status: str, action: str, *, service: str = "The service", operation: str | None = None
) -> str | None:
    """The InvalidStateException message for linking or unlinking a domain in `status`, or None.

    `action` is AssociateCustomDomain or DisassociateCustomDomain, in the style of
    `lifecycle.refusal`; `operation` describes the operation in progress.
    """
    verb = _VERBS.get(action)
    if verb is None:
        raise ValueError(f"{action} is not a custom domain action")
    refused = (
        LINK_REFUSED_STATUSES if action == "AssociateCustomDomain" else UNLINK_REFUSED_STATUSES
    )
    if status not in refused:
        return None
    if status == "OPERATION_IN_PROGRESS":
        detail = f" ({operation})" if operation else ""
        return (
            f"{service} has an operation in progress{detail}; wait for it to finish before {verb}."
        )
    if status == "DELETED":
        return f"{service} is DELETED."
    if status == "PAUSED":
        return f"{service} is PAUSED; resume it before {verb}."
    if status == "CREATE_FAILED":
        return f"{service} is CREATE_FAILED; rebuild it with UpdateService before {verb}."
    return f"{service} is {status}; retry deleting it."


def name_problem(name: str, www: bool) -> str | None:
    """Why App Runner refuses to link `name` (with www if `www`), or None.

    The model's pattern has already allowed only letters, digits, `*`, `.` and `-`.
    """
    labels = name.split(".")
    if any(not label for label in labels):
        return f"Domain name {name} has an empty label; labels are separated by single dots."
    if any(len(label) > MAX_LABEL for label in labels):
        return f"Domain name {name} has a label longer than {MAX_LABEL} characters."
    if any(label.startswith("-") or label.endswith("-") for label in labels):
        return f"Domain name {name} has a label that starts or ends with a hyphen."
    wildcard = labels[0] == "*"
    if "*" in name and (not wildcard or "*" in ".".join(labels[1:])):
        return (
            f"Domain name {name} is not valid: a wildcard must be the whole first label, "
            "as in *.example.com."
        )
    if len(labels) < 2:
        return f"Domain name {name} needs at least two labels, such as example.com."
    if wildcard and not is_root(name.removeprefix("*.")):
        return (
            f"Domain name {name} is not valid: a wildcard can only be the immediate subdomain "
            "of a root domain, as in *.example.com or *.example.co.uk."
        )
    if wildcard and www:
        return (
            "You can't use the www option with a wildcard domain; set EnableWWWSubdomain to "
            "false (it defaults to true)."
        )
    return None


@cache
def _public_suffixes() -> PublicSuffixList:
    """The public suffix list's ICANN section, from the snapshot the library bundles (never
    downloaded); read once, on first use."""
    return PublicSuffixList(only_icann=True)


def is_root(name: str) -> bool:
    """Whether `name` is a root domain: one label above a public suffix, as `example.com`
    or `example.co.uk` (the public suffix list decides, as for the domains people register)."""
    name = name.lower().removesuffix(".")
    return not name.startswith("*") and _public_suffixes().privatesuffix(name) == name


def validation_record(rng: random.Random, name: str) -> tuple[str, str]:
    """ACM's (Name, Value) CNAME for `name`; a wildcard's is its base domain's."""
    base = name.removeprefix("*.")
    token = "".join(rng.choice(string.ascii_lowercase) for _ in range(10))
    return (
        f"_{rng.getrandbits(128):032x}.{base}.",
        f"_{rng.getrandbits(128):032x}.{token}.acm-validations.aws.",
    )


def new_domain(
    rng: random.Random, name: str, www: bool, now: float, speedup: float = 1.0
) -> DomainRecord:
    """A domain associated at `now`, with its validation records drawn from `rng`."""
    records = [validation_record(rng, name)]
    if www:
        records.append(validation_record(rng, f"www.{name}"))
    return DomainRecord(name, www, now, records, speedup)


def held(service: ServiceRecord, now: float) -> list[DomainRecord]:
    """The service's domains at `now`, oldest first: those whose unlinking ended are dropped."""
    service.domains[:] = [d for d in service.domains if not d.gone(now)]
    return service.domains


def find(service: ServiceRecord, name: str, now: float) -> DomainRecord | None:
    """The service's domain of that name (DNS names ignore case), if it holds one."""
    for domain in held(service, now):
        if domain.name.lower() == name.lower():
            return domain
    return None


def associate(
    service: ServiceRecord, name: str, www: bool, now: float, rng: random.Random, speedup: float
) -> DomainRecord:
    """Link `name` to the service, or raise InvalidRequestException changing nothing."""
    problem = name_problem(name, www)
    if problem is not None:
        raise invalid_request(problem)
    existing = find(service, name, now)
    if existing is not None:
        if existing.status(now) == "DELETING":
            raise invalid_request(
                f"Domain {name} is being disassociated from this service; link it again once "
                "it is gone."
            )
        raise invalid_request(f"Domain {name} is already associated with this service.")
    # Every domain held counts, DELETING ones included, until it is gone. AWS's exact words
    # for this refusal are unconfirmed; the limit is the guide's.
    if len(held(service, now)) >= MAX_DOMAINS:
        raise invalid_request(
            f"Maximum number of custom domains ({MAX_DOMAINS}) for the service has been reached."
        )
    domain = new_domain(rng, name, www, now, speedup)
    service.domains.append(domain)
    return domain


def disassociate(service: ServiceRecord, name: str, now: float) -> DomainRecord:
    """Start unlinking `name`; ResourceNotFound if not linked, InvalidState if already going."""
    domain = find(service, name, now)
    if domain is None:
        raise not_found(f"Custom domain {name} is not associated with service {service.arn}")
    if domain.status(now) == "DELETING":
        raise invalid_state(f"Custom domain {name} is already being disassociated.")
    domain.disassociated_at = now
    return domain


def answer(service: ServiceRecord, **members: Any) -> dict[str, Any]:
    """An answer of the custom domain operations: DNSTarget, ServiceArn, VpcDNSTargets."""
    return {"DNSTarget": service.url, "ServiceArn": service.arn, "VpcDNSTargets": [], **members}
