"""The custom domains pane, pressed through the Pilot against the simulator: what the operator
sees, what the clipboard holds, and what the simulator received (its request log)."""

from __future__ import annotations

import boto3
import pytest
from conftest import control
from textual.widgets import Checkbox, Input, Static

from artui.domain.custom_domains import zone_snippet
from artui.launch import build_app
from artui.settings import Settings
from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.panes.custom_domains import DomainsPane
from artui.ui.screens.confirm import ConfirmScreen
from artui.ui.screens.custom_domains import LinkScreen, ZoneScreen
from artui.ui.screens.help import HelpScreen
from tests.ui.test_actions import REGION, advance, arn_of, calls, dialog_text, toasted
from tests.uihelp import select, shown, wait_until

CHANGES = {"AssociateCustomDomain", "DisassociateCustomDomain"}


@pytest.fixture
def sim(fresh_sim: Simulator) -> Simulator:
    return fresh_sim


def make_app(read_only: bool = False) -> ArtuiApp:
    return build_app(Settings(regions=(REGION,), refresh=1, read_only=read_only))


def described(sim: Simulator, name: str) -> dict:
    client = boto3.client("apprunner", region_name=REGION, endpoint_url=sim.endpoint)
    return client.describe_custom_domains(ServiceArn=arn_of(sim, name), MaxResults=5)


def lines(app: ArtuiApp) -> list[str]:
    """The pane's entries as the operator reads them, one string each."""
    options = app.screen.query_one(DomainsPane).options
    return [options.get_option_at_index(i).prompt.plain for i in range(options.option_count)]


def entry(app: ArtuiApp, domain: str) -> str:
    """A domain's own entry (name, status, next step)."""
    return next(line for line in lines(app) if line.split("  ")[0].split(" + ")[0] == domain)


def status_line(app: ArtuiApp) -> str:
    return shown(app.screen.query_one("#status", Static))


async def open_domains(pilot, name: str) -> DomainsPane:
    await select(pilot, name)
    await pilot.press("enter", "c")
    await wait_until(pilot, lambda: pilot.app.screen.query(DomainsPane), "the domains pane")
    pane = pilot.app.screen.query_one(DomainsPane)
    await wait_until(pilot, lambda: drawn(pane), "DescribeCustomDomains drawn")
    return pane


def drawn(pane: DomainsPane) -> bool:
    """True once the pane has drawn an answer (the store gets it a message earlier)."""
    held = pane.known.value
    return held is not None and (not held.domains or pane.options.option_count > 0)


async def highlight(pilot, pane: DomainsPane, text: str) -> None:
    """Move the highlight (with j) onto the first entry starting with `text`."""
    for _ in range(40):
        option = pane.options.highlighted_option
        if option is not None and option.prompt.plain.strip().startswith(text):
            return
        await pilot.press("j")
    raise AssertionError(f"no entry starts with {text!r}")


async def link_form(pilot, name: str, www: bool = False) -> LinkScreen:
    await pilot.press("A")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, LinkScreen), "the link form")
    form: LinkScreen = pilot.app.screen  # type: ignore[assignment]
    await pilot.press(*name)
    if www:
        form.query_one(Checkbox).focus()
        await pilot.press("space")
    assert form.query_one(Checkbox).value is www
    await pilot.press("enter")
    return form


async def test_records_shown_match_the_simulators(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_domains(pilot, "checkout-api")
        answer = described(sim, "checkout-api")
        header = shown(app.screen.query_one("#domains-header", Static))
        assert answer["DNSTarget"] in header and "2 of 5 domains" in header
        shown_lines = lines(app)
        for domain in answer["CustomDomains"]:
            words = {"ACTIVE": "active", "PENDING_CERTIFICATE_DNS_VALIDATION": "pending DNS"}
            own = entry(app, domain["DomainName"])
            assert words[domain["Status"]] in own
            assert ("+ www." in own) is domain["EnableWWWSubdomain"]
            for record in domain["CertificateValidationRecords"]:
                state = {"SUCCESS": "validated", "PENDING_VALIDATION": "pending"}[record["Status"]]
                assert any(
                    line.split() == [state, record["Type"], record["Name"], "→", record["Value"]]
                    for line in shown_lines
                ), record
            # The DNS target for the domain itself, a CNAME for a subdomain.
            target = ["target", "CNAME", domain["DomainName"], "→", answer["DNSTarget"]]
            assert target in [line.split() for line in shown_lines]
        assert "Waiting for DNS to hold the validation record below" in entry(
            app, "api.example.com"
        )
        assert "Serving https://shop.example.com" in entry(app, "shop.example.com")


async def test_a_root_domain_gets_alias_advice_and_a_failure_its_causes(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_domains(pilot, "payments-worker")
        root = entry(app, "example.com")
        assert "Root domain: DNS allows no CNAME here. Add an alias record" in root
        assert any(line.split()[:3] == ["target", "ALIAS", "example.com"] for line in lines(app))
        assert any(
            line.split()[:3] == ["target", "CNAME", "www.example.com"] for line in lines(app)
        )
        failed = entry(app, "*.example.com")
        assert "failed" in failed
        assert "CAA records that do not include amazon.com" in failed
        assert "dig CAA example.com" in failed and "unlink (X) and link (A) again" in failed


async def test_link_with_www(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        pane = await open_domains(pilot, "auth-gateway")
        control(sim, "DELETE", "/_sim/requests")
        await link_form(pilot, "Shop.Example.org", www=True)
        await wait_until(
            pilot, lambda: toasted(app, "Link shop.example.org to auth-gateway: linked"), "linked"
        )
        assert calls(sim, CHANGES) == ["AssociateCustomDomain"]
        [domain] = described(sim, "auth-gateway")["CustomDomains"]
        assert domain["DomainName"] == "shop.example.org" and domain["EnableWWWSubdomain"] is True
        await wait_until(pilot, lambda: len(pane.known.value.domains) == 1, "the new domain")
        await wait_until(
            pilot,
            lambda: all(
                r["Name"] in " ".join(lines(app))
                for r in described(sim, "auth-gateway")["CustomDomains"][0][
                    "CertificateValidationRecords"
                ]
            ),
            "its validation records",
        )
        assert "+ www.shop.example.org" in entry(app, "shop.example.org")
        # The new domain is highlighted: x, y, v and z act on it.
        assert pane.selected() is not None and pane.selected()[0].name == "shop.example.org"


async def test_link_without_www(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await open_domains(pilot, "checkout-api")
        control(sim, "DELETE", "/_sim/requests")
        await link_form(pilot, "*.example.net")
        await wait_until(pilot, lambda: toasted(app, "*.example.net", "linked"), "linked")
        domains = {d["DomainName"]: d for d in described(sim, "checkout-api")["CustomDomains"]}
        assert domains["*.example.net"]["EnableWWWSubdomain"] is False
        await wait_until(pilot, lambda: "*.example.net" in " ".join(lines(app)), "shown")
        assert "+ www." not in entry(app, "*.example.net")
    assert calls(sim, CHANGES) == ["AssociateCustomDomain"]


@pytest.mark.parametrize(
    ("name", "www", "said"),
    [
        ("*.login.example.com", False, "directly under a root domain"),
        ("login*.example.com", False, "* on its own as the first label"),
        ("*.example.com", True, "www option cannot go with a wildcard"),
        ("shop_1.example.com", False, "letters, digits, hyphens and dots"),
        ("localhost", False, "at least two labels"),
        ("-shop.example.com", False, "start or end with a hyphen"),
        ("shop.example.com", False, "already linked"),
        ("", False, "Type the domain"),
    ],
)
async def test_invalid_names_are_refused_with_no_call(
    sim: Simulator, name: str, www: bool, said: str
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await open_domains(pilot, "checkout-api")
        control(sim, "DELETE", "/_sim/requests")
        form = await link_form(pilot, name, www=www)
        hint = form.query_one("#link-hint", Static)
        await wait_until(pilot, lambda: said in shown(hint), "the refusal")
        assert "Nothing was sent" in shown(hint)
        assert isinstance(app.screen, LinkScreen)  # the name stays, to mend
        assert form.query_one(Input).value == name
        await pilot.press("escape")
        await wait_until(pilot, lambda: toasted(app, "cancelled: nothing was sent"), "cancel")
    assert calls(sim, CHANGES) == []


async def test_a_paused_service_or_a_sixth_domain_is_refused_before_the_form(
    sim: Simulator,
) -> None:
    client = boto3.client("apprunner", region_name=REGION, endpoint_url=sim.endpoint)
    for name in ("a.example.org", "b.example.org", "c.example.org"):
        client.associate_custom_domain(
            ServiceArn=arn_of(sim, "checkout-api"), DomainName=name, EnableWWWSubdomain=False
        )
    app = make_app()
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await open_domains(pilot, "checkout-api")
        control(sim, "DELETE", "/_sim/requests")
        await pilot.press("A")
        await wait_until(pilot, lambda: toasted(app, "at most 5 custom domains"), "the limit")
        assert not isinstance(app.screen, LinkScreen)
        await pilot.press("escape")
        await open_domains(pilot, "web-frontend")
        await pilot.press("A")
        await wait_until(pilot, lambda: toasted(app, "paused: resume it (u)"), "paused")
        assert not isinstance(app.screen, LinkScreen)
    assert calls(sim, CHANGES) == []


async def test_aws_refusal_is_said_and_the_pane_kept(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await open_domains(pilot, "checkout-api")
        before = lines(app)
        control(
            sim,
            "POST",
            "/_sim/faults",
            {
                "operation": "AssociateCustomDomain",
                "error": "InvalidStateException",
                "message": "Service is busy with another operation.",
            },
        )
        await link_form(pilot, "new.example.com")
        await wait_until(
            pilot,
            lambda: toasted(app, "failed", "AWS answered", "busy with another operation"),
            "AWS's answer",
        )
        assert lines(app) == before
    assert described(sim, "checkout-api")["CustomDomains"][-1]["DomainName"] == "api.example.com"


async def test_pending_becomes_active_without_a_restart(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_domains(pilot, "checkout-api")
        assert "pending DNS validation" in entry(app, "api.example.com")
        assert "1 pending: reading on" in status_line(app)
        control(sim, "POST", "/_sim/dns", {"domain": "api.example.com"})
        await wait_until(
            pilot, lambda: "binding certificate" in entry(app, "api.example.com"), "binding"
        )
        assert any(
            line.split()[0] == "validated" and "api.example.com" in line for line in lines(app)
        )
        advance(sim, 120)
        await wait_until(pilot, lambda: "active" in entry(app, "api.example.com"), "active")
        await wait_until(pilot, lambda: "pending" not in status_line(app), "nothing pending")


async def test_unlink_confirms_reminds_of_dns_and_the_domain_goes(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        pane = await open_domains(pilot, "checkout-api")
        control(sim, "DELETE", "/_sim/requests")
        await highlight(pilot, pane, "api.example.com")
        await pilot.press("X")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the dialog")
        text = dialog_text(app.screen)
        assert (
            "Unlink api.example.com from checkout-api in us-east-1, account 123456789012?" in text
        )
        assert "Then delete its records from your DNS" in text
        record = described(sim, "checkout-api")["CustomDomains"][1]["CertificateValidationRecords"][
            0
        ]
        assert record["Name"] in text
        await pilot.press("n")
        await wait_until(pilot, lambda: toasted(app, "cancelled: nothing was sent"), "cancel")
        assert calls(sim, CHANGES) == []
        await pilot.press("X", "y")
        await wait_until(pilot, lambda: "unlinking" in entry(app, "api.example.com"), "DELETING")
        assert calls(sim, CHANGES) == ["DisassociateCustomDomain"]
        advance(sim, 120)
        await wait_until(pilot, lambda: "api.example.com" not in " ".join(lines(app)), "gone")
        assert "1 of 5 domains" in shown(app.screen.query_one("#domains-header", Static))


async def test_copy_a_record_and_export_the_zone(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        pane = await open_domains(pilot, "checkout-api")
        shop = described(sim, "checkout-api")["CustomDomains"][0]
        record = shop["CertificateValidationRecords"][0]
        await highlight(pilot, pane, "validated")
        await pilot.press("y")
        assert app.clipboard == record["Name"]
        await pilot.press("v")
        assert app.clipboard == record["Value"]
        await wait_until(pilot, lambda: toasted(app, "Copied the value"), "the toast")
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, ZoneScreen), "the zone file")
        held = pane.known.value
        assert app.clipboard == zone_snippet(pane.service, held.domains[0], held.dns_target)
        assert f"{record['Name']}\t300\tIN\tCNAME\t{record['Value']}" in app.clipboard
        assert f"shop.example.com.\t300\tIN\tCNAME\t{held.dns_target}." in app.clipboard
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ZoneScreen), "closed")


async def test_a_failing_read_keeps_the_domains_and_says_so(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_domains(pilot, "checkout-api")
        before = lines(app)
        control(
            sim,
            "POST",
            "/_sim/faults",
            {"operation": "DescribeCustomDomains", "error": "ThrottlingException", "count": -1},
        )
        await pilot.press("r")
        await wait_until(
            pilot,
            lambda: "DescribeCustomDomains failed (showing the last answer" in status_line(app),
            "the failure",
        )
        assert lines(app) == before


async def test_read_only_links_nothing(sim: Simulator) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await open_domains(pilot, "checkout-api")
        await pilot.press("A", "X")
        await wait_until(pilot, lambda: toasted(app, "artui is read-only"), "the refusal")
        assert not isinstance(app.screen, (LinkScreen, ConfirmScreen))
    assert calls(sim, CHANGES) == []


async def test_help_lists_the_domain_keys(sim: Simulator) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_domains(pilot, "checkout-api")
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        text = " ".join(f"{key} {what}" for key, what in app.screen.rows)
        for words in ("Link a domain", "Unlink the highlighted", "record's name", "zone file"):
            assert words in text, words


async def test_odd_and_hostile_domain_data_is_shown_never_obeyed(sim: Simulator) -> None:
    odd = {
        "Status": "SOMETHING_NEW\x1b]0;PWNED\x07",
        "CertificateValidationRecords": [
            {"Name": "_x.api.example.com.\x1b[2J", "Type": "CNAME", "Status": "WHO_KNOWS"},
            {"Value": "\x9b31mvalue\u202e"},
        ],
    }
    control(
        sim, "POST", "/_sim/services/checkout-api/domains/api.example.com/reported", {"fields": odd}
    )
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = await open_domains(pilot, "checkout-api")
        own = entry(app, "api.example.com")
        assert "unknown (SOMETHING_NEW␛]0;PWNED␇)" in own
        assert "A status artui does not know" in own
        text = " ".join(lines(app))
        assert "_x.api.example.com.␛[2J" in text and "unknown (WHO_KNOWS)" in text
        assert "\\x9b31mvalue<U+202E>" in text
        assert not any(c in text for c in "\x1b\x07\x9b\u202e")
        await highlight(pilot, pane, "api.example.com")
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, ZoneScreen), "the zone file")
        assert "\x1b" not in app.screen.query_one("#zone-text").text
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ZoneScreen), "closed")
        # Unknown: not pending, so the pane stops hurrying, and the shop domain is untouched.
        assert "pending" not in status_line(app)
        assert "active" in entry(app, "shop.example.com")
