"""What artui hands on to the operator's other tools is only ever a valid DNS name: the one
rule (`dns_problem`), the escaped form that names what it refused, and the zone-file snippet
read back by a real zone-file parser (dnspython) whatever text AWS sends.

AWS's text can hold anything JSON can: a newline and a command (run when pasted into a
shell), `ESC[201~` (ends a bracketed paste early), a zone directive on a line of its own, a
lone surrogate (which cannot even be encoded). None of these is in a DNS name.
"""

from __future__ import annotations

import random
import re

import dns.name
import dns.tokenizer
import dns.zone
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from artui.domain.apprunner import Service, ServiceStatus
from artui.domain.custom_domains import (
    MAX_DNS_NAME,
    CustomDomain,
    DnsRecord,
    DomainStatus,
    RecordStatus,
    dns_problem,
    escaped,
    fqdn,
    is_root,
    record_problem,
    zone_snippet,
)
from artui.sim.apprunner import custom_domains as sim_domains

TARGET = "abcdefgh12.us-east-1.awsapprunner.com"
ARN = "arn:aws:apprunner:us-east-1:123456789012:service/svc/0123456789abcdef0123456789abcdef"
# Printable ASCII, and the tab and newline a zone file is laid out with: nothing else.
ZONE_TEXT = re.compile(r"[\x20-\x7e\t\n]*")
# Pieces of hostile text, each holding at least one character no DNS name holds.
HOSTILE = [
    "\n",
    "\r\n",
    "\x1b[201~",
    "\x1b]52;c;aGVsbG8=\x07",
    "\x9b31m",
    "\u202e",
    "\u2028",
    "\ud800",
    " ",
    "\t",
    "\x00",
    "\x7f",
    "\n$ORIGIN evil.example.\n",
    "\n$INCLUDE /etc/passwd\n",
    "\n@\t300\tIN\tNS\tns.evil.example.\n",
    "\nevil.example.\t300\tIN\tA\t192.0.2.1\n",
    "\n; rm -rf ~\n",
    ";",
    "(",
    '"',
    "$",
    "/",
    "é",
]


def service(name: str = "checkout-api") -> Service:
    return Service(
        name=name,
        id="0123456789abcdef0123456789abcdef",
        arn=ARN,
        region="us-east-1",
        status=ServiceStatus.RUNNING,
        raw_status="RUNNING",
        url=TARGET,
    )


def validation(name: str, value: str, kind: str = "CNAME") -> DnsRecord:
    return DnsRecord(name, kind, value, RecordStatus.PENDING_VALIDATION, "PENDING_VALIDATION")


def zone_records(snippet: str) -> set[tuple[str, str, int, str]]:
    """Every record a zone-file parser reads from `snippet`: (name, type, TTL, value).

    Parsed under the root, so no record is refused for lying outside an origin.
    """
    zone = dns.zone.from_text(snippet, origin=".", check_origin=False, relativize=False)
    return {
        (name.to_text(), rdata.rdtype.name, ttl, rdata.to_text())
        for name, ttl, rdata in zone.iterate_rdatas()
    }


def directives(snippet: str) -> list[str]:
    """Every directive (`$ORIGIN`, `$INCLUDE`, `$TTL`, `$GENERATE`) the zone-file tokenizer
    meets at the start of a line of `snippet`."""
    tokenizer = dns.tokenizer.Tokenizer(snippet)
    found = []
    at_start = True
    while not (token := tokenizer.get(want_leading=True, want_comment=True)).is_eof():
        if at_start and token.is_identifier() and token.value.startswith("$"):
            found.append(token.value)
        at_start = token.is_eol()
    return found


def assert_safe_snippet(snippet: str) -> None:
    """Printable ASCII, tabs and newlines only; no directive; every comment one line."""
    assert ZONE_TEXT.fullmatch(snippet), [c for c in snippet if not ZONE_TEXT.fullmatch(c)]
    assert directives(snippet) == []


# -- the rule ---------------------------------------------------------------------------


def test_the_records_app_runner_gives_are_dns_names() -> None:
    # The shapes the simulator draws (ACM's: `_<32 hex>.<domain>.` -> `_<32 hex>.<10
    # letters>.acm-validations.aws.`), the DNS target, and the names the guide allows.
    rng = random.Random(7)
    for domain in ("shop.example.com", "example.com", "*.example.com", "www.example.com"):
        name, value = sim_domains.validation_record(rng, domain)
        assert dns_problem(name) is None and dns_problem(value) is None
        assert dns_problem(domain, wildcard=True) is None
    assert dns_problem(TARGET) is None and dns_problem(TARGET + ".") is None
    assert dns_problem("_3F2A.Example.COM.") is None  # DNS ignores case: AWS may send either


def test_the_longest_name_and_label_pass() -> None:
    longest = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])
    assert len(longest) == MAX_DNS_NAME
    assert dns_problem(longest) is None
    assert dns_problem(longest + ".") is None  # the final dot is not counted


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "it is empty"),
        ("_a.example.com.\n", "U+000A (a control character)"),
        ("_a.example.com.\r", "U+000D (a control character)"),
        ("a\x1b[201~.example.com", "U+001B (a control character)"),
        ("a\x9b.example.com", "U+009B (a control character)"),
        ("a\x7f.example.com", "U+007F (a control character)"),
        ("a\x00.example.com", "U+0000 (a control character)"),
        ("a\u202e.example.com", "U+202E (an invisible format character"),
        ("a\u200b.example.com", "U+200B (an invisible format character"),
        ("a\u2028.example.com", "U+2028 (a line separator)"),
        ("a\u2029.example.com", "U+2029 (a paragraph separator)"),
        ("a\ud800.example.com", "U+D800 (a lone surrogate)"),
        ("a b.example.com", "U+0020 (a space)"),
        ("a\u00a0b.example.com", "U+00A0 (a space)"),
        ("a\tb.example.com", "U+0009 (a control character)"),
        ("café.example.com", "U+00E9 (not ASCII: an international name is written in its xn--"),
        ("a$b.example.com", "it holds '$'"),
        ("a;b.example.com", "it holds ';'"),
        ("a/b.example.com", "it holds '/'"),
        ("a..example.com", "empty label"),
        (".example.com", "empty label"),
        ("example.com..", "empty label"),
        ("a" * 64 + ".example.com", "a label is 64 characters long; a label is at most 63"),
        (".".join(["a" * 63] * 4), "it is 255 characters long; a DNS name is at most 253"),
        ("-a.example.com", "starts or ends with a hyphen"),
        ("a-.example.com", "starts or ends with a hyphen"),
        ("*.example.com", "it holds '*'"),  # a value is never a wildcard
    ],
)
def test_what_is_no_dns_name_is_refused_with_the_reason(text: str, words: str) -> None:
    problem = dns_problem(text)
    assert problem is not None and words in problem
    # The reason is ASCII words: the refused text is never in it raw.
    assert re.fullmatch(r"[\x20-\x7e]+", problem)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("*.example.com", None),
        ("*.example.com.", None),
        ("www.*.example.com", "a * stands only as the whole first label"),
        ("a*.example.com", "a * stands only as the whole first label"),
        ("*a.example.com", "a * stands only as the whole first label"),
        ("*.*.example.com", "a * stands only as the whole first label"),
    ],
)
def test_a_name_may_be_a_wildcard(text: str, words: str | None) -> None:
    problem = dns_problem(text, wildcard=True)
    assert problem is None if words is None else (problem is not None and words in problem)


@pytest.mark.parametrize("piece", HOSTILE)
def test_any_hostile_piece_makes_a_name_refused(piece: str) -> None:
    for text in (piece, f"_a.example.com.{piece}", f"{piece}_a.example.com."):
        assert dns_problem(text) is not None
        assert dns_problem(text, wildcard=True) is not None


# -- the escaped form -------------------------------------------------------------------


@pytest.mark.parametrize("piece", HOSTILE)
def test_escaped_is_printable_ascii_and_says_exactly_what_was_there(piece: str) -> None:
    text = f"_a.example.com.{piece}\\x1b"  # a backslash of its own stays told apart
    safe = escaped(text)
    assert re.fullmatch(r"[\x20-\x7e]+", safe)
    assert safe.encode("ascii").decode("unicode_escape") == text


def test_escaped_leaves_a_dns_name_as_it_is_and_cuts_a_flood() -> None:
    assert escaped("_a.example.com.") == "_a.example.com."
    assert escaped("x" * 254) == "x" * 254  # a whole name with its final dot
    flood = "\n" * 1_000_000
    assert escaped(flood) == "\\n" * 254 + "... (1000000 characters)"


# -- the zone-file snippet, read back by a zone-file parser -----------------------------


def test_a_clean_snippet_parses_to_exactly_its_records() -> None:
    records = (
        validation("_a1.shop.example.com.", "_b2.xyz.acm-validations.aws."),
        validation("_c3.www.shop.example.com.", "_d4.uvw.acm-validations.aws."),
    )
    shop = CustomDomain("shop.example.com", True, DomainStatus.ACTIVE, "ACTIVE", records)
    snippet = zone_snippet(service(), shop, TARGET)
    assert_safe_snippet(snippet)
    assert zone_records(snippet) == {
        ("_a1.shop.example.com.", "CNAME", 300, "_b2.xyz.acm-validations.aws."),
        ("_c3.www.shop.example.com.", "CNAME", 300, "_d4.uvw.acm-validations.aws."),
        ("shop.example.com.", "CNAME", 300, f"{TARGET}."),
        ("www.shop.example.com.", "CNAME", 300, f"{TARGET}."),
    }


def test_hostile_records_are_left_out_as_one_comment_line_each() -> None:
    good = validation("_a1.api.example.com.", "_b2.xyz.acm-validations.aws.")
    hostile = (
        good,
        validation("_c3.api.example.com.\n$ORIGIN evil.example.\n", "_d4.acm-validations.aws."),
        validation("_e5.api.example.com.", "_f6.acm-validations.aws.\x1b[201~\nrm -rf ~\n"),
        validation("_g7.api.example.com.", "\ud800.acm-validations.aws."),
        validation("_h8.api.example.com.", "_i9.acm-validations.aws.", "CNAME\n$INCLUDE /x"),
        validation("_j0.api.example.com.", "_k1.acm-validations.aws.", "TXT"),
    )
    api = CustomDomain(
        "api.example.com\n@\t300\tIN\tNS\tns.evil.example.",
        True,
        DomainStatus.PENDING_CERTIFICATE_DNS_VALIDATION,
        "PENDING_CERTIFICATE_DNS_VALIDATION",
        hostile,
    )
    snippet = zone_snippet(service("svc\n$INCLUDE /etc/shadow"), api, TARGET)
    assert_safe_snippet(snippet)
    assert zone_records(snippet) == {
        ("_a1.api.example.com.", "CNAME", 300, "_b2.xyz.acm-validations.aws."),
    }
    left_out = [line for line in snippet.splitlines() if line.startswith("; left out: ")]
    # Five validation records, and the domain's and its www's DNS targets (its name).
    assert len(left_out) == 7
    assert (
        "; left out: the CNAME record '_e5.api.example.com.' -> "
        "'_f6.acm-validations.aws.\\x1b[201~\\nrm -rf ~\\n', as its value is not a DNS name: "
        "it holds U+001B (a control character)"
    ) in left_out
    assert any("'\\ud800.acm-validations.aws.'" in line for line in left_out)
    assert any("its type 'CNAME\\n$INCLUDE /x' is not CNAME" in line for line in left_out)
    assert snippet.splitlines()[0] == (
        "; App Runner custom domain api.example.com\\n@\\t300\\tIN\\tNS\\tns.evil.example. "
        "for svc\\n$INCLUDE /etc/shadow (us-east-1)"
    )


def test_a_hostile_dns_target_is_left_out() -> None:
    shop = CustomDomain("shop.example.com", True, DomainStatus.ACTIVE, "ACTIVE")
    for target in (f"{TARGET}\n@ IN NS ns.evil.example.", f"{TARGET}\ud800", "\x1b[201~"):
        snippet = zone_snippet(service(), shop, target)
        assert_safe_snippet(snippet)
        assert zone_records(snippet) == set()
        assert sum(line.startswith("; left out: ") for line in snippet.splitlines()) == 2


def test_a_hostile_root_domain_gets_no_alias_advice() -> None:
    root = CustomDomain("example.com\x1b[201~", False, DomainStatus.ACTIVE, "ACTIVE")
    snippet = zone_snippet(service(), root, TARGET)
    assert_safe_snippet(snippet)
    assert "ALIAS" in snippet.splitlines()[-1] and "left out" in snippet.splitlines()[-1]
    assert "Add an alias" not in snippet


def test_an_alias_type_from_aws_is_no_zone_line() -> None:
    # ALIAS is artui's advice for a root domain, written in a comment: never a line.
    odd = validation("_a1.example.com.", "_b2.acm-validations.aws.", "ALIAS")
    assert record_problem(odd) == "its type 'ALIAS' is not CNAME"
    assert record_problem(odd, alias=True) is None


# -- any text at all --------------------------------------------------------------------

_LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=8)
_NAMES = st.lists(_LABEL, min_size=2, max_size=4).map(".".join)


@st.composite
def _text(draw: st.DrawFn) -> tuple[str, bool]:
    """A DNS name (True), or one with hostile text somewhere in it (False)."""
    name = draw(_NAMES)
    if draw(st.booleans()):
        return (name + "." if draw(st.booleans()) else name), True
    piece = draw(st.sampled_from(HOSTILE) | st.text(min_size=1, max_size=8).map(lambda t: t + "\n"))
    at = draw(st.integers(0, len(name)))
    return name[:at] + piece + name[at:], False


@settings(
    max_examples=200,
    deadline=None,  # nothing here is timed; CI machines are busy
    derandomize=True,  # reproducible, and no .hypothesis/ database
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    domain=_text(),
    www=st.booleans(),
    wildcard=st.booleans(),
    target=st.none() | _text(),
    values=st.lists(
        st.tuples(_text(), _text(), st.sampled_from(["CNAME", "CNAME\n", "A"])), max_size=4
    ),
)
def test_any_text_from_aws_gives_exactly_the_valid_records_and_no_directive(
    domain: tuple[str, bool],
    www: bool,
    wildcard: bool,
    target: tuple[str, bool] | None,
    values: list[tuple[tuple[str, bool], tuple[str, bool], str]],
) -> None:
    name, name_ok = domain
    if wildcard:
        name, www = f"*.{name}", False  # the guide: no www with a wildcard
    records = tuple(
        # `_v<i>.` keeps each validation name apart from the others and the targets.
        validation(f"_v{i}.{label}", value, kind)
        for i, ((label, _), (value, _), kind) in enumerate(values)
    )
    linked = CustomDomain(name, www, DomainStatus.ACTIVE, "ACTIVE", records)
    snippet = zone_snippet(service(), linked, target[0] if target else None)
    assert_safe_snippet(snippet)

    # What a DNS server would load: the valid records, whatever else was sent.
    expected = {
        (fqdn(f"_v{i}.{label}"), "CNAME", 300, fqdn(value))
        for i, ((label, label_ok), (value, value_ok), kind) in enumerate(values)
        if label_ok and value_ok and kind == "CNAME"
    }
    if target is not None and target[1] and name_ok:
        names = [name] + ([f"www.{name}"] if www else [])
        expected |= {
            (fqdn(n), "CNAME", 300, fqdn(target[0]))
            for n in names
            if n != name or not is_root(name)  # a root's is an alias: advice, in a comment
        }
    assert zone_records(snippet) == expected
    for owner, _, _, value in zone_records(snippet):
        dns.name.from_text(owner)
        dns.name.from_text(value)
