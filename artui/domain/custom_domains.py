"""Custom domains: DescribeCustomDomains' answer as plain data, the next step in words, the
records as a zone-file snippet, and the guide's rules for linking one, checked before any
call ("Managing custom domain names" in the App Runner Developer Guide).

What artui hands on to the operator's other tools (the clipboard, a DNS provider's zone
import) is only ever a valid DNS name: `dns_problem` is that one rule, and any text from AWS
that breaks it is refused and named in `escaped` form, never passed on raw.

Nothing here imports AWS or Textual libraries. One library beside the standard one:
`publicsuffixlist`, for what a root domain is (tests/test_layers.py allows exactly it, here).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from publicsuffixlist import PublicSuffixList

from artui.domain.apprunner import Parsable, Service, ServiceStatus, Tone

# "You can associate up to five custom domains."
MAX_DOMAINS = 5
# The model's DomainName: `[A-Za-z0-9*.-]{1,255}`.
MAX_NAME = 255
_NAME_CHARS = re.compile(r"[a-z0-9*.-]+")
MAX_LABEL = 63
# What the zone-file snippet gives each record: short enough that a mistake mends quickly.
TTL = 300
# RFC 1035: a name is at most 255 octets on the wire, 253 characters written without its
# final dot.
MAX_DNS_NAME = 253
# A label's characters in the records App Runner gives: RFC 1035's letters, digits and
# hyphens, and the underscore ACM's validation names start with (`_3f2a….example.com.`).
_DNS_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
# The only record type App Runner gives (CertificateValidationRecord's Type), and the one the
# snippet writes for a DNS target; an alias (ALIAS) is written as advice, in a comment.
ZONE_TYPE = "CNAME"
# How much of a text `escaped` keeps: a whole DNS name with its final dot; more (a hostile
# answer can be any length) is cut.
ESCAPED_CHARS = MAX_DNS_NAME + 1
# Unicode categories a DNS name cannot hold, in words for the refusal.
_CATEGORY_WORDS = {
    "Cc": "a control character",
    "Cs": "a lone surrogate",
    "Cf": "an invisible format character (such as a bidi override)",
    "Zs": "a space",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


class DomainStatus(Parsable):
    CREATING = "CREATING"
    CREATE_FAILED = "CREATE_FAILED"
    ACTIVE = "ACTIVE"
    DELETING = "DELETING"
    DELETE_FAILED = "DELETE_FAILED"
    PENDING_CERTIFICATE_DNS_VALIDATION = "PENDING_CERTIFICATE_DNS_VALIDATION"
    BINDING_CERTIFICATE = "BINDING_CERTIFICATE"
    UNKNOWN = "UNKNOWN"


class RecordStatus(Parsable):
    PENDING_VALIDATION = "PENDING_VALIDATION"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


# States App Runner moves a domain out of on its own: the pane keeps reading while any is in one.
PENDING = frozenset(
    {
        DomainStatus.CREATING,
        DomainStatus.PENDING_CERTIFICATE_DNS_VALIDATION,
        DomainStatus.BINDING_CERTIFICATE,
        DomainStatus.DELETING,
    }
)
DOMAIN_WORDS: dict[DomainStatus, str] = {
    DomainStatus.CREATING: "creating",
    DomainStatus.PENDING_CERTIFICATE_DNS_VALIDATION: "pending DNS validation",
    DomainStatus.BINDING_CERTIFICATE: "binding certificate",
    DomainStatus.ACTIVE: "active",
    DomainStatus.CREATE_FAILED: "failed",
    DomainStatus.DELETING: "unlinking",
    DomainStatus.DELETE_FAILED: "unlink failed",
    DomainStatus.UNKNOWN: "unknown",
}
DOMAIN_TONES: dict[DomainStatus, Tone] = {
    DomainStatus.CREATING: Tone.BUSY,
    DomainStatus.PENDING_CERTIFICATE_DNS_VALIDATION: Tone.IDLE,
    DomainStatus.BINDING_CERTIFICATE: Tone.BUSY,
    DomainStatus.ACTIVE: Tone.GOOD,
    DomainStatus.CREATE_FAILED: Tone.BAD,
    DomainStatus.DELETING: Tone.GONE,
    DomainStatus.DELETE_FAILED: Tone.BAD,
    DomainStatus.UNKNOWN: Tone.UNKNOWN,
}
RECORD_WORDS: dict[RecordStatus, str] = {
    RecordStatus.PENDING_VALIDATION: "pending",
    RecordStatus.SUCCESS: "validated",
    RecordStatus.FAILED: "failed",
    RecordStatus.UNKNOWN: "unknown",
}
RECORD_TONES: dict[RecordStatus, Tone] = {
    RecordStatus.PENDING_VALIDATION: Tone.IDLE,
    RecordStatus.SUCCESS: Tone.GOOD,
    RecordStatus.FAILED: Tone.BAD,
    RecordStatus.UNKNOWN: Tone.UNKNOWN,
}


@dataclass(frozen=True)
class DnsRecord:
    """A record the operator adds to DNS: a certificate validation record (with the status
    App Runner reports for it) or a DNS target (which App Runner does not check)."""

    name: str
    type: str
    value: str
    status: RecordStatus | None = None
    raw_status: str = ""

    @property
    def status_label(self) -> str:
        if self.status is None:
            return "target"
        if self.status is RecordStatus.UNKNOWN:
            return f"unknown ({self.raw_status})" if self.raw_status else "unknown"
        return RECORD_WORDS[self.status]

    @property
    def tone(self) -> Tone:
        """The validation status's tone; a DNS target's is GONE (dim): nothing checks it."""
        return Tone.GONE if self.status is None else RECORD_TONES[self.status]


@dataclass(frozen=True)
class CustomDomain:
    """One domain linked to a service, with its certificate validation records."""

    name: str
    www: bool
    status: DomainStatus
    raw_status: str
    validation: tuple[DnsRecord, ...] = ()

    @property
    def pending(self) -> bool:
        """Whether App Runner will move it on by itself (the pane keeps reading)."""
        return self.status in PENDING

    @property
    def wildcard(self) -> bool:
        return self.name.startswith("*.")

    @property
    def root(self) -> bool:
        """A root (apex) domain, where DNS allows no CNAME: it needs an alias record."""
        return is_root(self.name)

    @property
    def status_label(self) -> str:
        if self.status is DomainStatus.UNKNOWN:
            return f"unknown ({self.raw_status})" if self.raw_status else "unknown"
        return DOMAIN_WORDS[self.status]

    @property
    def tone(self) -> Tone:
        return DOMAIN_TONES[self.status]


@dataclass(frozen=True)
class CustomDomains:
    """DescribeCustomDomains for one service, every page: the DNS target and the domains."""

    dns_target: str | None
    domains: tuple[CustomDomain, ...]

    @property
    def pending(self) -> bool:
        return any(d.pending for d in self.domains)

    def named(self, name: str) -> CustomDomain | None:
        """The domain called `name`, if linked."""
        return next((d for d in self.domains if d.name == name), None)


def normalised(name: str) -> str:
    """A domain name as typed, as App Runner holds it: trimmed, lower case, no final dot."""
    return name.strip().lower().removesuffix(".")


@cache
def _public_suffixes() -> PublicSuffixList:
    """The public suffix list's ICANN section, as the library bundles it (never downloaded);
    read once, on first use. The private section (github.io and the like) names hosting
    platforms' subdomains, not zones their users register."""
    return PublicSuffixList(only_icann=True)


def is_root(name: str) -> bool:
    """Whether `name` is a root domain: one label above a public suffix, as `example.com`
    or `example.co.uk` (the public suffix list decides); a wildcard never is."""
    name = normalised(name)
    return not name.startswith("*") and _public_suffixes().privatesuffix(name) == name


def dns_problem(text: str, *, wildcard: bool = False) -> str | None:
    """Why `text` is not a DNS name artui may hand on (to the clipboard, into a zone file),
    or None.

    A DNS name is dot-separated labels of letters, digits, hyphens and underscores (as ACM's
    `_abc123.example.com.`), each 1 to 63 characters and neither starting nor ending with a
    hyphen, at most 253 characters in all, with or without a final dot. With `wildcard`
    (a record's name, not its value) the first label may be `*`. No such name holds a
    control character, a space, a newline or anything outside ASCII, so refusing those
    loses nothing that DNS could use; the reason is ASCII words, never the text itself.
    """
    if not text:
        return "it is empty"
    for char in text:
        if char not in _DNS_CHARS and not (wildcard and char == "*"):
            return f"it holds {_char_words(char)}"
    name = text.removesuffix(".")
    if len(name) > MAX_DNS_NAME:
        return f"it is {len(name)} characters long; a DNS name is at most {MAX_DNS_NAME}"
    for index, label in enumerate(name.split(".")):
        if not label:
            return "it has an empty label (two dots together, or a leading dot)"
        if len(label) > MAX_LABEL:
            return f"a label is {len(label)} characters long; a label is at most {MAX_LABEL}"
        if label.startswith("-") or label.endswith("-"):
            return "a label starts or ends with a hyphen"
        if "*" in label and (index or label != "*"):
            return "a * stands only as the whole first label (*.example.com)"
    return None


def _char_words(char: str) -> str:
    """A character a DNS name cannot hold, named in ASCII: itself only if printable ASCII."""
    code = ord(char)
    if 0x20 < code < 0x7F:
        return repr(char)
    kind = _CATEGORY_WORDS.get(unicodedata.category(char))
    if kind is None:
        kind = "not ASCII: an international name is written in its xn-- form"
    return f"U+{code:04X} ({kind})"


def escaped(text: str, limit: int = ESCAPED_CHARS) -> str:
    """`text` as printable ASCII to name it safely anywhere: every other character (control,
    newline, lone surrogate, non-ASCII) as a Python escape (`\\x1b`, `\\n`, `\\ud800`), a
    backslash doubled; cut after `limit` characters of `text`, saying how long it was."""
    safe = text[:limit].encode("unicode_escape").decode("ascii")
    return safe if len(text) <= limit else f"{safe}... ({len(text)} characters)"


def record_problem(record: DnsRecord, *, alias: bool = False) -> str | None:
    """Why `record` cannot be a zone-file line, or None: its name (a wildcard allowed) and
    its value must be DNS names, its type CNAME (with `alias`, ALIAS: the advice the snippet
    writes for a root domain)."""
    wanted = "ALIAS" if alias else ZONE_TYPE
    if record.type != wanted:
        return f"its type '{escaped(record.type)}' is not {wanted}"
    problem = dns_problem(record.name, wildcard=True)
    if problem is not None:
        return f"its name is not a DNS name: {problem}"
    problem = dns_problem(record.value)
    if problem is not None:
        return f"its value is not a DNS name: {problem}"
    return None


def fqdn(name: str) -> str:
    """`name` with the final dot a zone file needs."""
    return name if name.endswith(".") else f"{name}."


def target_records(domain: CustomDomain, dns_target: str | None) -> tuple[DnsRecord, ...]:
    """The records that point the domain (and www) at the service: CNAME, or an alias at a
    root domain."""
    if not dns_target:
        return ()
    kind = "ALIAS" if domain.root else "CNAME"
    names = [domain.name] + ([f"www.{domain.name}"] if domain.www else [])
    # www.example.com is a subdomain even when example.com is a root: a CNAME does.
    return tuple(
        DnsRecord(name, kind if name == domain.name else "CNAME", dns_target) for name in names
    )


def dns_records(domain: CustomDomain, dns_target: str | None) -> tuple[DnsRecord, ...]:
    """Every record the operator adds for `domain`: validation first, then the DNS target."""
    return domain.validation + target_records(domain, dns_target)


def next_step(domain: CustomDomain) -> str:
    """What the operator is waiting for, or should do next, in the guide's terms."""
    status = domain.status
    if status is DomainStatus.CREATING:
        return "App Runner is requesting the certificate; the validation records follow."
    if status is DomainStatus.PENDING_CERTIFICATE_DNS_VALIDATION:
        waiting = sum(r.status is not RecordStatus.SUCCESS for r in domain.validation)
        records = {0: "records", 1: "validation record"}.get(
            waiting, f"{waiting} validation records"
        )
        return (
            f"Waiting for DNS to hold the {records} below: add "
            f"{'it' if waiting == 1 else 'them'} within 72 hours (z: as a zone file). "
            "Validation takes minutes after that, sometimes hours."
        )
    if status is DomainStatus.BINDING_CERTIFICATE:
        return "DNS validated; App Runner is binding the certificate. Nothing to do."
    if status is DomainStatus.ACTIVE:
        return (
            f"Serving https://{domain.name}. Keep the validation records: the certificate "
            "renews from them."
        )
    if status is DomainStatus.CREATE_FAILED:
        return (
            "Likely causes: CAA records that do not include amazon.com (check: dig CAA "
            f"{base_domain(domain.name)}), or validation records never added within 72 hours "
            "(or added with stray characters such as quotes). Fix DNS, then unlink (X) and "
            "link (A) again."
        )
    if status is DomainStatus.DELETING:
        return "App Runner is unlinking it. Delete its records from your DNS."
    if status is DomainStatus.DELETE_FAILED:
        return "Unlinking failed: unlink it again (X)."
    return "A status artui does not know: what App Runner does next is unknown."


def base_domain(name: str) -> str:
    """The name a certificate is issued for: a wildcard's base (`*.example.com` -> example.com)."""
    return name.removeprefix("*.")


def zone_snippet(service: Service, domain: CustomDomain, dns_target: str | None) -> str:
    """Every record of `domain` as zone-file lines to paste into a DNS provider.

    A record is a line only when `record_problem` finds nothing wrong with it; any other is
    a comment saying it was left out and why, its text `escaped`. So the snippet is printable
    ASCII, tabs and newlines, and no text from AWS can add a line or a directive
    (`$ORIGIN`, `$INCLUDE`) to it.
    """
    lines = [
        f"; App Runner custom domain {escaped(domain.name)} for {escaped(service.name)} "
        f"({escaped(service.region)})",
        "; Certificate validation: keep these while the domain is linked (renewals use them).",
    ]
    if not domain.validation:
        lines.append("; (none yet: App Runner has not issued them)")
    lines += [_zone_line(r) for r in domain.validation]
    lines.append("; DNS target")
    if not dns_target:
        lines.append("; (App Runner has not said it)")
    for record in target_records(domain, dns_target):
        if record.type != "ALIAS":
            lines.append(_zone_line(record))
            continue
        problem = record_problem(record, alias=True)
        if problem is not None:
            lines.append(_left_out(record, problem))
            continue
        lines += [
            f"; {record.name} is a root domain: DNS allows no CNAME there. Add an alias "
            "record instead",
            "; (Route 53: type A, Alias to App Runner application; elsewhere ALIAS or ANAME):",
            f"; {_record_line(record)}",
        ]
    return "\n".join(lines) + "\n"


def _zone_line(record: DnsRecord) -> str:
    """The CNAME record as a zone-file line, or a comment saying why it was left out."""
    problem = record_problem(record)
    return _record_line(record) if problem is None else _left_out(record, problem)


def _record_line(record: DnsRecord) -> str:
    return f"{fqdn(record.name)}\t{TTL}\tIN\t{record.type}\t{fqdn(record.value)}"


def _left_out(record: DnsRecord, problem: str) -> str:
    """A comment in place of a record: only `escaped` text from AWS, so it stays one comment."""
    return (
        f"; left out: the {escaped(record.type)} record '{escaped(record.name)}' -> "
        f"'{escaped(record.value)}', as {problem}"
    )


def link_blocked(service: Service, held: CustomDomains | None) -> str | None:
    """Why no domain can be linked to `service` now, or None: its status and the limit."""
    status = service.status
    if status is ServiceStatus.OPERATION_IN_PROGRESS:
        return "an operation is in progress: link the domain once it ends"
    if status is ServiceStatus.PAUSED:
        return "the service is paused: resume it (u) before linking a domain"
    if status is ServiceStatus.CREATE_FAILED:
        return "the service failed to create: rebuild it first"
    if status is ServiceStatus.DELETE_FAILED:
        return "the service failed to delete: only deleting it again is possible"
    if status is ServiceStatus.DELETED:
        return "the service is deleted"
    if status is ServiceStatus.UNKNOWN:
        return "its status is unknown to artui, so what App Runner allows is unknown"
    if held is None:
        return "its custom domains have not been read yet"
    if len(held.domains) >= MAX_DOMAINS:
        return f"a service takes at most {MAX_DOMAINS} custom domains: unlink one first"
    return None


def name_problem(name: str, www: bool, held: CustomDomains | None) -> str | None:
    """What is wrong with linking `name` (already normalised), or None."""
    if not name:
        return "Type the domain to link, such as shop.example.com."
    if len(name) > MAX_NAME:
        return f"A domain name is at most {MAX_NAME} characters."
    if not _NAME_CHARS.fullmatch(name):
        return "A domain name holds letters, digits, hyphens and dots (and a leading *. only)."
    labels = name.split(".")
    if len(labels) < 2:
        return "A domain name has at least two labels, such as example.com."
    for label in labels:
        if not label:
            return "A domain name has no empty labels (two dots together, or a leading dot)."
        if len(label) > MAX_LABEL:
            return f"Each label of a domain name is at most {MAX_LABEL} characters."
        if label.startswith("-") or label.endswith("-"):
            return f"A label cannot start or end with a hyphen ({label})."
    if "*" in name:
        if labels[0] != "*" or "*" in ".".join(labels[1:]):
            return "A wildcard is * on its own as the first label: *.example.com."
        if not is_root(name.removeprefix("*.")):
            return (
                "A wildcard goes only directly under a root domain (*.example.com or "
                "*.example.co.uk, not *.login.example.com or *.co.uk)."
            )
        if www:
            return "The www option cannot go with a wildcard."
    if held is not None and held.named(name) is not None:
        return f"{name} is already linked to this service."
    return None


def unlink_blocked(service: Service, domain: CustomDomain) -> str | None:
    """Why `domain` cannot be unlinked now, or None."""
    if service.status is ServiceStatus.OPERATION_IN_PROGRESS:
        return "an operation is in progress: unlink the domain once it ends"
    if service.status is ServiceStatus.PAUSED:
        return "the service is paused: resume it (u) before unlinking a domain"
    if service.status is ServiceStatus.DELETED:
        return "the service is deleted"
    if domain.status is DomainStatus.DELETING:
        return "it is already being unlinked"
    return None
