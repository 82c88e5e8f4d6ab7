"""The custom domains core (artui/custom_domains.py), the engine's domains refresher, and the
App Runner layer's custom domain calls against the simulator over real HTTP.

artui's rules for linking and unlinking are checked against the simulator's (App Runner's),
as tests/domain/test_lifecycle_rules.py does for the lifecycle: artui refuses before the call
exactly what App Runner would refuse after it. No clocks, no sleeps, no mocks of botocore.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from conftest import control

from artui.aws import apprunner as aws_apprunner
from artui.aws.apprunner import AppRunner, _custom_domain
from artui.aws.clients import Clients
from artui.domain.apprunner import Service, ServiceStatus, Tone
from artui.domain.custom_domains import (
    MAX_DOMAINS,
    CustomDomain,
    CustomDomains,
    DnsRecord,
    DomainStatus,
    RecordStatus,
    base_domain,
    fqdn,
    is_root,
    link_blocked,
    name_problem,
    next_step,
    normalised,
    target_records,
    unlink_blocked,
    zone_snippet,
)
from artui.domain.errors import AwsError, InvalidStateError, NotFoundError
from artui.engine import custom_domains as engine_domains
from artui.engine.store import Scope, Store
from artui.sim import Simulator
from artui.sim.apprunner import custom_domains as sim_domains
from artui.sim.apprunner import validate as sim_validate
from artui.sim.errors import ApiError

REGION = "us-east-1"
ARN = "arn:aws:apprunner:us-east-1:123456789012:service/svc/0123456789abcdef0123456789abcdef"
TARGET = "abcdefgh12.us-east-1.awsapprunner.com"
STATUSES = [s for s in ServiceStatus if s is not ServiceStatus.UNKNOWN]


def service(status: ServiceStatus = ServiceStatus.RUNNING, name: str = "svc") -> Service:
    return Service(
        name=name,
        id="0123456789abcdef0123456789abcdef",
        arn=ARN,
        region=REGION,
        status=status,
        raw_status=status.value,
        url=TARGET,
    )


def record(
    name: str = "_a1.shop.example.com.",
    value: str = "_b2.xyz.acm-validations.aws.",
    status: RecordStatus | None = RecordStatus.PENDING_VALIDATION,
) -> DnsRecord:
    return DnsRecord(name, "CNAME", value, status, status.value if status else "")


def domain(
    name: str = "shop.example.com",
    status: DomainStatus = DomainStatus.ACTIVE,
    *,
    www: bool = False,
    validation: tuple[DnsRecord, ...] = (),
    raw: str | None = None,
) -> CustomDomain:
    return CustomDomain(name, www, status, status.value if raw is None else raw, validation)


def held(*names: str) -> CustomDomains:
    return CustomDomains(TARGET, tuple(domain(n) for n in names))


# -- names ------------------------------------------------------------------------------

LONG_NAME = ".".join(["a" * 63] * 4)  # 255 characters: the model's most


@pytest.mark.parametrize(
    ("name", "www"),
    [
        ("shop.example.com", False),
        ("shop.example.com", True),
        ("example.com", False),
        ("example.com", True),
        ("*.example.com", False),
        ("www.example.com", False),
        ("a-b.c-d.example.com", True),
        ("x" * 63 + ".com", False),
        (LONG_NAME, False),
        ("123.example.com", False),
    ],
)
def test_valid_names_have_no_problem(name: str, www: bool) -> None:
    assert name_problem(name, www, None) is None
    assert name_problem(name, www, held("other.example.com")) is None


@pytest.mark.parametrize(
    ("name", "www", "words"),
    [
        ("", False, "Type the domain"),
        (LONG_NAME + "a", False, "at most 255 characters"),
        ("a" * 256, False, "at most 255 characters"),
        ("shop_1.example.com", False, "letters, digits, hyphens and dots"),
        ("shop example.com", False, "letters, digits, hyphens and dots"),
        ('"shop.example.com"', False, "letters, digits, hyphens and dots"),
        ("'shop.example.com'", False, "letters, digits, hyphens and dots"),
        ("localhost", False, "at least two labels"),
        ("a..b.com", False, "no empty labels"),
        (".example.com", False, "no empty labels"),
        ("example.com.", False, "no empty labels"),  # not normalised: the final dot stays
        ("x" * 64 + ".com", False, "at most 63 characters"),
        ("-shop.example.com", False, "start or end with a hyphen (-shop)"),
        ("shop-.example.com", False, "start or end with a hyphen (shop-)"),
        ("login*.example.com", False, "A wildcard is * on its own as the first label"),
        ("*.login.example.com", False, "only directly under a root domain"),
        ("*", False, "at least two labels"),
        ("example.*", False, "A wildcard is * on its own as the first label"),
        ("*.*.com", False, "A wildcard is * on its own as the first label"),
        ("*.com", False, "only directly under a root domain"),
        ("*.example.com", True, "www option cannot go with a wildcard"),
    ],
)
def test_name_refusals(name: str, www: bool, words: str) -> None:
    problem = name_problem(name, www, None)
    assert problem is not None
    assert words in problem


def test_a_name_already_linked_is_refused() -> None:
    linked = held("shop.example.com", "*.example.com")
    assert name_problem("shop.example.com", False, linked) == (
        "shop.example.com is already linked to this service."
    )
    assert "already linked" in (name_problem("*.example.com", False, linked) or "")
    assert name_problem("api.example.com", False, linked) is None
    # Not read yet: nothing to compare with.
    assert name_problem("shop.example.com", False, None) is None


@pytest.mark.parametrize(
    ("typed", "held_as"),
    [
        ("Shop.Example.COM", "shop.example.com"),
        ("  shop.example.com \t", "shop.example.com"),
        ("shop.example.com.", "shop.example.com"),
        (" WWW.Example.Com. ", "www.example.com"),
        ("*.EXAMPLE.com", "*.example.com"),
        ("example.com", "example.com"),
        ("", ""),
    ],
)
def test_normalised(typed: str, held_as: str) -> None:
    assert normalised(typed) == held_as


def test_a_normalised_name_passes_where_the_typed_one_would_not() -> None:
    typed = " Shop.Example.com. "
    assert name_problem(typed, False, None) is not None
    assert name_problem(normalised(typed), False, None) is None


@pytest.mark.parametrize(
    ("name", "root"),
    [
        ("example.com", True),
        ("shop.example.com", False),
        ("www.example.com", False),
        ("*.example.com", False),
        # The public suffix list decides: co.uk is a suffix, so example.co.uk is a root.
        ("example.co.uk", True),
        ("www.example.co.uk", False),
        ("co.uk", False),
        ("*.example.co.uk", False),
        ("example.com.au", True),
        ("shop.example.com.au", False),
    ],
)
def test_is_root(name: str, root: bool) -> None:
    assert is_root(name) is root
    assert domain(name).root is root


def test_fqdn_and_base_domain() -> None:
    assert fqdn("example.com") == "example.com."
    assert fqdn("example.com.") == "example.com."
    assert base_domain("*.example.com") == "example.com"
    assert base_domain("shop.example.com") == "shop.example.com"


# -- agreement with the simulator ------------------------------------------------------


@pytest.mark.parametrize("status", STATUSES, ids=lambda s: s.value)
@pytest.mark.parametrize("count", [0, 1, MAX_DOMAINS - 1])
def test_artui_refuses_a_link_when_app_runner_does(status: ServiceStatus, count: int) -> None:
    linked = held(*(f"d{i}.example.com" for i in range(count)))
    artui_refuses = link_blocked(service(status), linked) is not None
    app_runner_refuses = sim_domains.refusal(status.value, "AssociateCustomDomain") is not None
    assert artui_refuses == app_runner_refuses
    assert app_runner_refuses == (status.value in sim_domains.LINK_REFUSED_STATUSES)


@pytest.mark.parametrize("status", STATUSES, ids=lambda s: s.value)
@pytest.mark.parametrize(
    "domain_status",
    [s for s in DomainStatus if s not in (DomainStatus.DELETING, DomainStatus.UNKNOWN)],
    ids=lambda s: s.value,
)
def test_artui_refuses_an_unlink_when_app_runner_does(
    status: ServiceStatus, domain_status: DomainStatus
) -> None:
    artui_refuses = unlink_blocked(service(status), domain(status=domain_status)) is not None
    app_runner_refuses = sim_domains.refusal(status.value, "DisassociateCustomDomain") is not None
    assert artui_refuses == app_runner_refuses
    assert app_runner_refuses == (status.value in sim_domains.UNLINK_REFUSED_STATUSES)


@pytest.mark.parametrize("status", STATUSES, ids=lambda s: s.value)
def test_a_domain_being_unlinked_cannot_be_unlinked_again(status: ServiceStatus) -> None:
    # App Runner: InvalidStateException "already being disassociated" (or the status's own).
    assert unlink_blocked(service(status), domain(status=DomainStatus.DELETING)) is not None


def test_unknown_status_is_refused_by_artui_only() -> None:
    # App Runner has no UNKNOWN; artui holds back rather than guess.
    assert link_blocked(service(ServiceStatus.UNKNOWN), held()) is not None


@pytest.mark.parametrize(
    ("name", "accepted"),
    [("*.example.co.uk", True), ("*.example.com", True), ("*.co.uk", False), ("*.com", False)],
)
def test_a_wildcard_goes_directly_under_a_root_by_the_public_suffix_list(
    name: str, accepted: bool
) -> None:
    assert (name_problem(name, False, None) is None) is accepted


def app_runner_accepts(name: str, www: bool) -> bool:
    """Whether the simulator takes `name`: the model's checks, then its own name rules."""
    params = {"ServiceArn": ARN, "DomainName": name, "EnableWWWSubdomain": www}
    try:
        sim_validate.check("AssociateCustomDomain", params)
    except ApiError:
        return False
    return sim_domains.name_problem(name, www) is None


AGREEMENT_NAMES = [
    "shop.example.com",
    "example.com",
    "www.example.com",
    "*.example.com",
    "a.b.c.d.example.com",
    "123.example.com",
    "xn--bcher-kva.example",
    "x" * 63 + ".com",
    "x" * 64 + ".com",
    LONG_NAME,
    LONG_NAME + "a",
    "a" * 256,
    "",
    "shop_1.example.com",
    "shop example.com",
    '"shop.example.com"',
    "localhost",
    "a..b.com",
    ".example.com",
    "example.com.",
    "-shop.example.com",
    "shop-.example.com",
    "a.-",
    "login*.example.com",
    "*.login.example.com",
    "*",
    "*.",
    "*.com",
    "example.*",
    "*.*.com",
    "**.example.com",
    "*example.com",
    "*.example.co.uk",
    "*.co.uk",
    "example.co.uk",
    "www.example.co.uk",
    "*.www.example.co.uk",
    "*.example.com.au",
]


@pytest.mark.parametrize("www", [False, True], ids=["bare", "www"])
@pytest.mark.parametrize("name", AGREEMENT_NAMES)
def test_artui_accepts_a_name_when_app_runner_does(name: str, www: bool) -> None:
    assert (name_problem(name, www, None) is None) == app_runner_accepts(name, www)


# -- link_blocked -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (ServiceStatus.PAUSED, "paused: resume it"),
        (ServiceStatus.OPERATION_IN_PROGRESS, "operation is in progress"),
        (ServiceStatus.CREATE_FAILED, "failed to create"),
        (ServiceStatus.DELETE_FAILED, "failed to delete"),
        (ServiceStatus.DELETED, "deleted"),
        (ServiceStatus.UNKNOWN, "unknown"),
    ],
)
def test_link_blocked_by_status(status: ServiceStatus, words: str) -> None:
    for linked in (held(), None, held(*(f"d{i}.example.com" for i in range(MAX_DOMAINS)))):
        reason = link_blocked(service(status), linked)
        assert reason is not None and words in reason


def test_link_blocked_until_the_domains_are_read() -> None:
    assert link_blocked(service(), None) == "its custom domains have not been read yet"


def test_link_blocked_at_five_domains() -> None:
    five = held(*(f"d{i}.example.com" for i in range(MAX_DOMAINS)))
    reason = link_blocked(service(), five)
    assert reason is not None and "at most 5 custom domains" in reason


@pytest.mark.parametrize("count", range(MAX_DOMAINS))
def test_fewer_than_five_domains_link(count: int) -> None:
    assert link_blocked(service(), held(*(f"d{i}.example.com" for i in range(count)))) is None


def test_unlink_blocked_words() -> None:
    assert unlink_blocked(service(), domain()) is None
    assert "in progress" in (
        unlink_blocked(service(ServiceStatus.OPERATION_IN_PROGRESS), domain()) or ""
    )
    assert unlink_blocked(service(ServiceStatus.DELETED), domain()) == "the service is deleted"
    assert unlink_blocked(service(), domain(status=DomainStatus.DELETING)) == (
        "it is already being unlinked"
    )
    # The guide: a paused service refuses DeleteCustomDomainAssociations too.
    assert unlink_blocked(service(ServiceStatus.PAUSED), domain()) == (
        "the service is paused: resume it (u) before unlinking a domain"
    )


# -- zone_snippet -----------------------------------------------------------------------

SHOP_RECORDS = (
    record("_a1.shop.example.com.", "_b2.xyz.acm-validations.aws."),
    record("_c3.www.shop.example.com.", "_d4.uvw.acm-validations.aws."),
)


def test_zone_snippet_for_a_subdomain_with_www() -> None:
    shop = domain("shop.example.com", DomainStatus.ACTIVE, www=True, validation=SHOP_RECORDS)
    snippet = zone_snippet(service(name="checkout-api"), shop, TARGET)
    assert snippet.endswith("\n")
    assert snippet.splitlines() == [
        "; App Runner custom domain shop.example.com for checkout-api (us-east-1)",
        "; Certificate validation: keep these while the domain is linked (renewals use them).",
        "_a1.shop.example.com.\t300\tIN\tCNAME\t_b2.xyz.acm-validations.aws.",
        "_c3.www.shop.example.com.\t300\tIN\tCNAME\t_d4.uvw.acm-validations.aws.",
        "; DNS target",
        f"shop.example.com.\t300\tIN\tCNAME\t{TARGET}.",
        f"www.shop.example.com.\t300\tIN\tCNAME\t{TARGET}.",
    ]


def test_zone_snippet_gives_names_without_a_final_dot_one() -> None:
    plain = (record("_a1.shop.example.com", "_b2.xyz.acm-validations.aws"),)
    snippet = zone_snippet(service(), domain(validation=plain), TARGET + ".")
    lines = snippet.splitlines()
    assert "_a1.shop.example.com.\t300\tIN\tCNAME\t_b2.xyz.acm-validations.aws." in lines
    assert f"shop.example.com.\t300\tIN\tCNAME\t{TARGET}." in lines
    assert ".." not in snippet


def test_zone_snippet_for_a_root_domain_comments_out_its_target() -> None:
    root = domain("example.com", DomainStatus.ACTIVE, www=True, validation=SHOP_RECORDS[:1])
    lines = zone_snippet(service(), root, TARGET).splitlines()
    at = lines.index("; DNS target")
    assert lines[at + 1 :] == [
        "; example.com is a root domain: DNS allows no CNAME there. Add an alias record instead",
        "; (Route 53: type A, Alias to App Runner application; elsewhere ALIAS or ANAME):",
        f"; example.com.\t300\tIN\tALIAS\t{TARGET}.",
        # www under a root is a subdomain: a plain CNAME, not commented out.
        f"www.example.com.\t300\tIN\tCNAME\t{TARGET}.",
    ]
    assert not any(line.startswith("example.com.") for line in lines)


def test_zone_snippet_for_a_wildcard() -> None:
    wild = domain("*.example.com", DomainStatus.ACTIVE)
    lines = zone_snippet(service(), wild, TARGET).splitlines()
    assert lines[-1] == f"*.example.com.\t300\tIN\tCNAME\t{TARGET}."


def test_zone_snippet_without_a_dns_target() -> None:
    shop = domain(www=True, validation=SHOP_RECORDS)
    for target in (None, ""):
        lines = zone_snippet(service(), shop, target).splitlines()
        assert lines[-2:] == ["; DNS target", "; (App Runner has not said it)"]
        assert sum("\tIN\t" in line for line in lines) == 2  # the validation records only


def test_zone_snippet_without_validation_records() -> None:
    lines = zone_snippet(service(), domain(status=DomainStatus.CREATING), TARGET).splitlines()
    assert lines[2] == "; (none yet: App Runner has not issued them)"
    assert lines[3] == "; DNS target"


@pytest.mark.parametrize(
    ("name", "www", "expected"),
    [
        ("shop.example.com", False, [("shop.example.com", "CNAME")]),
        (
            "shop.example.com",
            True,
            [("shop.example.com", "CNAME"), ("www.shop.example.com", "CNAME")],
        ),
        ("example.com", False, [("example.com", "ALIAS")]),
        ("example.com", True, [("example.com", "ALIAS"), ("www.example.com", "CNAME")]),
        ("*.example.com", False, [("*.example.com", "CNAME")]),
    ],
)
def test_target_records(name: str, www: bool, expected: list[tuple[str, str]]) -> None:
    records = target_records(domain(name, www=www), TARGET)
    assert [(r.name, r.type) for r in records] == expected
    assert all(r.value == TARGET and r.status is None for r in records)
    assert all(r.status_label == "target" and r.tone is Tone.GONE for r in records)
    assert target_records(domain(name, www=www), None) == ()


# -- next_step and labels ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (DomainStatus.CREATING, "requesting the certificate"),
        (DomainStatus.BINDING_CERTIFICATE, "binding the certificate"),
        (DomainStatus.DELETING, "Delete its records from your DNS"),
        (DomainStatus.DELETE_FAILED, "unlink it again (X)"),
        (DomainStatus.UNKNOWN, "A status artui does not know"),
    ],
)
def test_next_step_words(status: DomainStatus, words: str) -> None:
    assert words in next_step(domain(status=status))


def test_every_domain_status_has_a_next_step_label_and_tone() -> None:
    for status in DomainStatus:
        d = domain(status=status)
        assert next_step(d)
        assert d.status_label
        assert isinstance(d.tone, Tone)


@pytest.mark.parametrize(
    ("statuses", "words"),
    [
        ((RecordStatus.PENDING_VALIDATION,), "the validation record below: add it within"),
        (
            (RecordStatus.PENDING_VALIDATION, RecordStatus.PENDING_VALIDATION),
            "the 2 validation records below: add them within",
        ),
        (
            (RecordStatus.SUCCESS, RecordStatus.PENDING_VALIDATION),
            "the validation record below: add it within",
        ),
        ((RecordStatus.SUCCESS, RecordStatus.SUCCESS), "the records below: add them within"),
        ((), "the records below: add them within"),
    ],
)
def test_next_step_while_pending_counts_the_records_waiting(
    statuses: tuple[RecordStatus, ...], words: str
) -> None:
    records = tuple(record(f"_{i}.shop.example.com.", status=s) for i, s in enumerate(statuses))
    step = next_step(
        domain(status=DomainStatus.PENDING_CERTIFICATE_DNS_VALIDATION, validation=records)
    )
    assert words in step
    assert "72 hours" in step


@pytest.mark.parametrize(
    ("name", "base"),
    [("shop.example.com", "shop.example.com"), ("*.example.com", "example.com")],
)
def test_next_step_after_a_failure_points_at_caa(name: str, base: str) -> None:
    step = next_step(domain(name, DomainStatus.CREATE_FAILED))
    assert "CAA" in step and "amazon.com" in step
    assert f"dig CAA {base})" in step
    assert "*." not in step


def test_next_step_when_active_gives_the_url() -> None:
    assert "https://shop.example.com." in next_step(domain("shop.example.com"))
    assert "https://*.example.com" in next_step(domain("*.example.com"))


def test_unknown_statuses_show_the_raw_value() -> None:
    new = domain(status=DomainStatus.UNKNOWN, raw="NEW_THING")
    assert new.status_label == "unknown (NEW_THING)"
    assert new.tone is Tone.UNKNOWN
    assert not new.pending
    assert domain(status=DomainStatus.UNKNOWN, raw="").status_label == "unknown"
    odd = DnsRecord("n", "CNAME", "v", RecordStatus.UNKNOWN, "NEW_THING")
    assert odd.status_label == "unknown (NEW_THING)"
    assert odd.tone is Tone.UNKNOWN
    assert DnsRecord("n", "CNAME", "v", RecordStatus.UNKNOWN, "").status_label == "unknown"


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (RecordStatus.PENDING_VALIDATION, "pending"),
        (RecordStatus.SUCCESS, "validated"),
        (RecordStatus.FAILED, "failed"),
    ],
)
def test_record_status_labels(status: RecordStatus, label: str) -> None:
    assert record(status=status).status_label == label


@pytest.mark.parametrize("status", list(DomainStatus), ids=lambda s: s.value)
def test_pending_states(status: DomainStatus) -> None:
    moving = {
        DomainStatus.CREATING,
        DomainStatus.PENDING_CERTIFICATE_DNS_VALIDATION,
        DomainStatus.BINDING_CERTIFICATE,
        DomainStatus.DELETING,
    }
    assert domain(status=status).pending is (status in moving)
    assert CustomDomains(TARGET, (domain("a.example.com"), domain(status=status))).pending is (
        status in moving
    )


def test_named_and_wildcard() -> None:
    linked = held("shop.example.com", "*.example.com")
    assert linked.named("*.example.com") is linked.domains[1]
    assert linked.named("api.example.com") is None
    assert linked.domains[1].wildcard and not linked.domains[0].wildcard


# -- with_domain ------------------------------------------------------------------------


def test_with_domain_when_nothing_is_held() -> None:
    assert engine_domains.with_domain(None, domain()) is None


def test_with_domain_appends_a_new_domain() -> None:
    before = held("a.example.com", "b.example.com")
    new = domain("c.example.com", DomainStatus.CREATING)
    after = engine_domains.with_domain(before, new)
    assert after == CustomDomains(TARGET, (*before.domains, new))


def test_with_domain_replaces_an_existing_one_in_place() -> None:
    before = held("a.example.com", "b.example.com", "c.example.com")
    going = domain("b.example.com", DomainStatus.DELETING)
    after = engine_domains.with_domain(before, going)
    assert after is not None
    assert [d.name for d in after.domains] == ["a.example.com", "b.example.com", "c.example.com"]
    assert after.domains[1] is going
    assert after.dns_target == TARGET


# -- the engine's refresher -------------------------------------------------------------


class Describe:
    """DescribeCustomDomains scripted: each call answers (or raises) the next item."""

    def __init__(self, *answers: CustomDomains | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, region: str, arn: str) -> CustomDomains:
        self.calls.append((region, arn))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


SCOPE = Scope(None, REGION)


def make_refresher(describe: Describe) -> tuple[Any, Store]:
    store = Store()
    refresher = engine_domains.refresher(describe, SCOPE, ARN, store, 5.0, clock=lambda: 1000.0)
    return refresher, store


def answer(*statuses: DomainStatus) -> CustomDomains:
    return CustomDomains(
        TARGET, tuple(domain(f"d{i}.example.com", s) for i, s in enumerate(statuses))
    )


async def test_refresh_puts_the_answer_under_the_kind_and_the_service_arn() -> None:
    first = answer(DomainStatus.ACTIVE)
    describe = Describe(first)
    refresher, store = make_refresher(describe)
    assert await refresher.refresh() is True
    assert describe.calls == [(REGION, ARN)]
    known = store.get(engine_domains.KIND, SCOPE, ARN)
    assert known.value == first
    assert known.fetched_at == 1000.0
    assert known.error is None
    # Nothing under another key.
    assert store.get(engine_domains.KIND, SCOPE).value is None
    assert refresher.operation == "DescribeCustomDomains"


async def test_busy_while_any_domain_is_pending() -> None:
    describe = Describe(
        answer(DomainStatus.ACTIVE, DomainStatus.CREATING),
        answer(DomainStatus.ACTIVE, DomainStatus.PENDING_CERTIFICATE_DNS_VALIDATION),
        answer(DomainStatus.ACTIVE, DomainStatus.BINDING_CERTIFICATE),
        answer(DomainStatus.ACTIVE, DomainStatus.DELETING),
        answer(DomainStatus.ACTIVE, DomainStatus.CREATE_FAILED),
        answer(),
    )
    refresher, _ = make_refresher(describe)
    assert refresher.busy() is False  # nothing read yet
    seen = []
    for _ in range(6):
        await refresher.refresh()
        seen.append(refresher.busy())
    assert seen == [True, True, True, True, False, False]


async def test_a_failing_describe_keeps_the_last_answer_and_records_the_error() -> None:
    good = answer(DomainStatus.CREATING)
    error = AwsError("InternalServiceErrorException: try again", code="InternalServiceError")
    refresher, store = make_refresher(Describe(good, error, good))
    await refresher.refresh()
    assert await refresher.refresh() is False
    known = store.get(engine_domains.KIND, SCOPE, ARN)
    assert known.value == good
    assert known.error is error
    assert refresher.errors() == [error]
    assert refresher.busy() is True  # judged on the last good answer
    assert store.journal  # the failure is journalled for the errors view
    await refresher.refresh()
    known = store.get(engine_domains.KIND, SCOPE, ARN)
    assert known.error is None and known.last_error is not None


async def test_an_unexpected_exception_becomes_an_artui_error() -> None:
    refresher, store = make_refresher(Describe(RuntimeError("a bug")))
    await refresher.refresh()
    known = store.get(engine_domains.KIND, SCOPE, ARN)
    assert known.value is None
    assert known.error is not None and "RuntimeError: a bug" in str(known.error)


# -- the App Runner layer over HTTP -----------------------------------------------------

FREE = "orders-service"  # RUNNING, no domains, in fresh_sim's seven services
PAUSED = "web-frontend"
TROUBLED = "checkout-api"  # shop.example.com (www) and api.example.com
SITE = "payments-worker"  # *.example.com and example.com


@pytest.fixture
async def app_runner(fresh_sim: Simulator) -> AsyncIterator[AppRunner]:
    clients = Clients()
    yield AppRunner(clients)
    await clients.close()


async def services_by_name(app_runner: AppRunner) -> dict[str, Service]:
    return {s.name: s for s in await app_runner.list_services(REGION)}


async def test_custom_domains_of_the_demo_services(app_runner: AppRunner) -> None:
    services = await services_by_name(app_runner)
    troubled = await app_runner.custom_domains(REGION, services[TROUBLED].arn)
    assert troubled.dns_target == services[TROUBLED].url
    assert [d.name for d in troubled.domains] == ["shop.example.com", "api.example.com"]
    shop, api = troubled.domains
    assert shop.www and not api.www
    assert shop.status is DomainStatus.ACTIVE and len(shop.validation) == 2
    assert api.status is DomainStatus.PENDING_CERTIFICATE_DNS_VALIDATION
    assert [r.status for r in api.validation] == [RecordStatus.PENDING_VALIDATION]
    assert all(r.type == "CNAME" and r.name.endswith(".") for r in shop.validation)

    site = await app_runner.custom_domains(REGION, services[SITE].arn)
    assert site.dns_target == services[SITE].url
    wildcard = site.named("*.example.com")
    assert wildcard is not None and wildcard.status is DomainStatus.CREATE_FAILED
    assert site.named("example.com") is not None and site.named("example.com").root

    free = await app_runner.custom_domains(REGION, services[FREE].arn)
    assert free == CustomDomains(services[FREE].url, ())


@pytest.mark.parametrize("www", [False, True], ids=["bare", "www"])
async def test_link_domain_answers_creating(app_runner: AppRunner, www: bool) -> None:
    arn = (await services_by_name(app_runner))[FREE].arn
    linked = await app_runner.link_domain(REGION, arn, "shop.example.org", www)
    assert linked.name == "shop.example.org"
    assert linked.www is www
    assert linked.status is DomainStatus.CREATING
    assert linked.raw_status == "CREATING"
    assert len(linked.validation) == (2 if www else 1)
    described = await app_runner.custom_domains(REGION, arn)
    assert described.named("shop.example.org") == linked


async def test_unlink_domain_answers_deleting(app_runner: AppRunner) -> None:
    arn = (await services_by_name(app_runner))[TROUBLED].arn
    gone = await app_runner.unlink_domain(REGION, arn, "api.example.com")
    assert gone.name == "api.example.com"
    assert gone.status is DomainStatus.DELETING
    described = await app_runner.custom_domains(REGION, arn)
    assert described.named("api.example.com").status is DomainStatus.DELETING
    # App Runner refuses unlinking it twice, as artui does before the call.
    assert unlink_blocked((await services_by_name(app_runner))[TROUBLED], gone) is not None
    with pytest.raises(InvalidStateError, match="already being disassociated"):
        await app_runner.unlink_domain(REGION, arn, "api.example.com")


async def describe_calls(app_runner: AppRunner) -> list[dict[str, Any]]:
    """Every DescribeCustomDomains request artui's client sends, as sent (botocore's hook)."""
    sent: list[dict[str, Any]] = []
    client = await app_runner._clients.get("apprunner", REGION)

    def log(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    client.meta.events.register("provide-client-params.apprunner.DescribeCustomDomains", log)
    return sent


async def link_five(app_runner: AppRunner) -> tuple[str, list[str]]:
    arn = (await services_by_name(app_runner))[FREE].arn
    names = [f"p{i}.example.org" for i in range(MAX_DOMAINS)]
    for name in names:
        await app_runner.link_domain(REGION, arn, name, False)
    return arn, names


async def test_five_domains_come_back_in_one_page(app_runner: AppRunner) -> None:
    arn, names = await link_five(app_runner)
    sent = await describe_calls(app_runner)
    found = await app_runner.custom_domains(REGION, arn)
    assert [d.name for d in found.domains] == names
    assert [p.get("MaxResults") for p in sent] == [aws_apprunner.DOMAINS_PAGE_SIZE] == [5]
    assert link_blocked((await services_by_name(app_runner))[FREE], found) is not None


async def test_every_page_is_read(app_runner: AppRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    # Smaller pages than a real client asks for, to walk the NextToken loop.
    arn, names = await link_five(app_runner)
    monkeypatch.setattr(aws_apprunner, "DOMAINS_PAGE_SIZE", 2)
    sent = await describe_calls(app_runner)
    found = await app_runner.custom_domains(REGION, arn)
    assert [d.name for d in found.domains] == names
    assert len(sent) == 3
    assert "NextToken" not in sent[0] and all("NextToken" in p for p in sent[1:])
    assert found.dns_target is not None


async def test_a_sixth_domain_is_refused_with_aws_words(app_runner: AppRunner) -> None:
    arn, _ = await link_five(app_runner)
    with pytest.raises(AwsError) as caught:
        await app_runner.link_domain(REGION, arn, "p5.example.org", False)
    assert caught.value.code == "InvalidRequestException"
    assert str(caught.value) == (
        "InvalidRequestException: Maximum number of custom domains (5) for the service has "
        "been reached."
    )


async def test_unlinking_an_unknown_domain_is_not_found(app_runner: AppRunner) -> None:
    arn = (await services_by_name(app_runner))[FREE].arn
    with pytest.raises(NotFoundError) as caught:
        await app_runner.unlink_domain(REGION, arn, "nope.example.org")
    assert caught.value.code == "ResourceNotFoundException"
    assert f"Custom domain nope.example.org is not associated with service {arn}" in str(
        caught.value
    )


async def test_linking_to_a_paused_service_is_invalid_state(app_runner: AppRunner) -> None:
    paused = (await services_by_name(app_runner))[PAUSED]
    assert paused.status is ServiceStatus.PAUSED
    assert link_blocked(paused, CustomDomains(None, ())) is not None
    with pytest.raises(InvalidStateError, match="PAUSED; resume it"):
        await app_runner.link_domain(REGION, paused.arn, "shop.example.org", False)


async def test_a_domain_already_linked_is_refused(app_runner: AppRunner) -> None:
    arn = (await services_by_name(app_runner))[TROUBLED].arn
    found = await app_runner.custom_domains(REGION, arn)
    assert name_problem("shop.example.com", True, found) is not None
    with pytest.raises(AwsError, match="already associated"):
        await app_runner.link_domain(REGION, arn, "shop.example.com", True)


# -- odd data from AWS ------------------------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        {},
        {"DomainName": None, "EnableWWWSubdomain": None, "Status": None},
        {"CertificateValidationRecords": None},
        {"CertificateValidationRecords": []},
    ],
    ids=["empty", "nulls", "null-records", "no-records"],
)
def test_a_domain_with_missing_members(item: dict[str, Any]) -> None:
    odd = _custom_domain(item)
    assert odd.name == "?"
    assert odd.www is False
    assert odd.status is DomainStatus.UNKNOWN
    assert odd.raw_status == ""
    assert odd.status_label == "unknown"
    assert odd.validation == ()
    assert next_step(odd)
    assert zone_snippet(service(), odd, None)


def test_a_domain_with_an_unknown_status_and_odd_records() -> None:
    odd = _custom_domain(
        {
            "DomainName": "shop.example.com",
            "EnableWWWSubdomain": True,
            "Status": "NEW_THING",
            "CertificateValidationRecords": [
                {},
                {"Name": "_a.shop.example.com.", "Status": "ANOTHER_THING"},
                {"Name": None, "Type": None, "Value": None, "Status": None},
                {
                    "Name": "_b.www.shop.example.com.",
                    "Type": "CNAME",
                    "Value": "_c.acm-validations.aws.",
                    "Status": "SUCCESS",
                },
            ],
        }
    )
    assert odd.status is DomainStatus.UNKNOWN
    assert odd.status_label == "unknown (NEW_THING)"
    assert odd.tone is Tone.UNKNOWN
    assert not odd.pending
    empty, other, nulls, fine = odd.validation
    assert (empty.name, empty.type, empty.value) == ("", "", "")
    assert empty.status is RecordStatus.UNKNOWN and empty.status_label == "unknown"
    assert other.status is RecordStatus.UNKNOWN
    assert other.status_label == "unknown (ANOTHER_THING)"
    assert (nulls.name, nulls.type, nulls.value, nulls.raw_status) == ("", "", "", "")
    assert fine.status is RecordStatus.SUCCESS and fine.status_label == "validated"
    assert "does not know" in next_step(odd)
    snippet = zone_snippet(service(), odd, TARGET)
    assert "_b.www.shop.example.com.\t300\tIN\tCNAME\t_c.acm-validations.aws." in snippet


def test_a_null_record_in_the_list_is_skipped() -> None:
    # A null carries nothing to show: the other records stay, and nothing crashes.
    record = {"Name": "_a.shop.example.com.", "Type": "CNAME", "Value": "_b.", "Status": "SUCCESS"}
    odd = _custom_domain(
        {"DomainName": "shop.example.com", "CertificateValidationRecords": [None, record]}
    )
    assert [r.name for r in odd.validation] == ["_a.shop.example.com."]


async def test_an_unknown_status_over_http(fresh_sim: Simulator, app_runner: AppRunner) -> None:
    arn = (await services_by_name(app_runner))[TROUBLED].arn
    path = f"/_sim/services/{TROUBLED}/domains/api.example.com/reported"
    fields = {"Status": "NEW_THING", "CertificateValidationRecords": [{"Name": "_x.example."}]}
    control(fresh_sim, "POST", path, {"fields": fields})
    found = await app_runner.custom_domains(REGION, arn)
    api = found.named("api.example.com")
    assert api is not None
    assert api.status is DomainStatus.UNKNOWN and api.status_label == "unknown (NEW_THING)"
    assert [(r.name, r.type, r.value, r.status) for r in api.validation] == [
        ("_x.example.", "", "", RecordStatus.UNKNOWN)
    ]
    assert found.named("shop.example.com").status is DomainStatus.ACTIVE


def test_every_combination_of_status_and_held_count_has_an_answer() -> None:
    # link_blocked never raises, whatever it is given.
    counts = [None, 0, MAX_DOMAINS - 1, MAX_DOMAINS, MAX_DOMAINS + 1]
    for status, count in itertools.product(ServiceStatus, counts):
        linked = None if count is None else held(*(f"d{i}.example.com" for i in range(count)))
        reason = link_blocked(service(status), linked)
        allowed = status is ServiceStatus.RUNNING and count is not None and count < MAX_DOMAINS
        assert (reason is None) is allowed
