"""The custom domains pane's clipboard, pressed through the Pilot against the simulator: every
OSC 52 payload artui writes to its terminal is decoded, and holds only a DNS name (`y`, `v`)
or a zone file a zone-file parser reads as exactly the valid records (`z`, and `c` on it).

The simulator is made to send hostile text in a domain's name and records (its control
API's reported fields, as any odd AWS answer could): a newline and a shell command, the
bracketed-paste end `ESC[201~`, zone directives, a bidi override, a lone surrogate. Each is
refused with a toast naming it escaped; nothing of it reaches the clipboard.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

import boto3
import dns.name
import pytest
import textual.drivers.headless_driver as headless
from conftest import control

from artui.sim.server import Simulator
from artui.ui.app import ArtuiApp
from artui.ui.panes.custom_domains import DomainsPane
from artui.ui.screens.custom_domains import ZoneScreen
from tests.domain.test_dns_text import ZONE_TEXT, directives, zone_records
from tests.ui.test_actions import REGION, arn_of, toasted, toasts
from tests.ui.test_custom_domains import make_app, open_domains
from tests.ui.test_hostile_text import RecordingDriver
from tests.uihelp import wait_until

OSC_52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")
# A DNS name as RFC 1035 writes it (with ACM's underscores), checked here independently of
# artui's own rule.
DNS_NAME = re.compile(r"(\*\.)?([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?)+")

DOMAIN = "api.example.com\n@\t300\tIN\tNS\tns.evil.example."
BAD_NAME = "_c3.api.example.com.\n$ORIGIN evil.example.\n"
PASTE_ESCAPE = "_f6.acm-validations.aws.\x1b[201~\nrm -rf ~\n"
SURROGATE = "_h8.\ud800.acm-validations.aws."
BIDI = "_i9.api.example.com.\u202e"
GOOD_VALUE = "_d4.xyz.acm-validations.aws."


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every string the app writes to its terminal."""
    monkeypatch.setattr(headless, "HeadlessDriver", RecordingDriver)
    RecordingDriver.written = []
    yield RecordingDriver.written


@pytest.fixture
def planted(fresh_sim: Simulator) -> dict[str, str]:
    """checkout-api's api.example.com with hostile text in its name and records; its one
    real validation record kept first. Returns the real record."""
    client = boto3.client("apprunner", region_name=REGION, endpoint_url=fresh_sim.endpoint)
    answer = client.describe_custom_domains(ServiceArn=arn_of(fresh_sim, "checkout-api"))
    api = next(d for d in answer["CustomDomains"] if d["DomainName"] == "api.example.com")
    [real] = api["CertificateValidationRecords"]

    def record(name: str, value: str, kind: str = "CNAME") -> dict[str, str]:
        return {"Name": name, "Type": kind, "Value": value, "Status": "PENDING_VALIDATION"}

    fields = {
        "DomainName": DOMAIN,
        "EnableWWWSubdomain": True,
        "CertificateValidationRecords": [
            real,
            record(BAD_NAME, GOOD_VALUE),
            record("_e5.api.example.com.", PASTE_ESCAPE),
            record("_g7.api.example.com.", SURROGATE),
            record("_j0.api.example.com.", "_k1.acm-validations.aws.", "CNAME\n$INCLUDE /x"),
            record(BIDI, GOOD_VALUE),
        ],
    }
    control(
        fresh_sim,
        "POST",
        "/_sim/services/checkout-api/domains/api.example.com/reported",
        {"fields": fields},
    )
    return {"name": real["Name"], "value": real["Value"], "target": answer["DNSTarget"]}


def payloads(written: list[str]) -> list[str]:
    """Every OSC 52 clipboard payload in what the app wrote, decoded."""
    return [
        base64.b64decode(p, validate=True).decode("utf-8") for p in OSC_52.findall("".join(written))
    ]


async def on_entry(pilot, pane: DomainsPane, name: str | None) -> None:
    """Move the highlight (with j) onto the record called `name`; None: the planted
    domain's own line."""
    for _ in range(40):
        chosen = pane.selected()
        if chosen is not None and chosen[0].name == DOMAIN:
            record = chosen[1]
            if (record.name if record is not None else None) == name:
                return
        await pilot.press("j")
    raise AssertionError(f"no entry for {name!r}")


async def refused(pilot, app: ArtuiApp, part: str, *words: str) -> None:
    await wait_until(
        pilot,
        lambda: toasted(app, f"Nothing copied: the {part} is not a DNS name", *words),
        f"the {part} refused",
    )


async def test_only_dns_names_and_a_clean_zone_file_reach_the_clipboard(
    planted: dict[str, str], recorded: list[str]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 50), notifications=True) as pilot:
        pane = await open_domains(pilot, "checkout-api")
        await wait_until(pilot, lambda: pane.known.value.named(DOMAIN), "the planted domain")

        await on_entry(pilot, pane, planted["name"])  # the real record: both copied
        await pilot.press("y", "v")
        await on_entry(pilot, pane, BAD_NAME)
        await pilot.press("y")
        await refused(pilot, app, "name", "U+000A (a control character)", "$ORIGIN evil")
        await pilot.press("v")  # its value is a DNS name
        await on_entry(pilot, pane, "_e5.api.example.com.")
        await pilot.press("y", "v")
        # Named, escaped: the toast is what was refused, not a second way in.
        await refused(pilot, app, "value", "\\x1b[201~\\nrm -rf ~\\n", "U+001B")
        await on_entry(pilot, pane, "_g7.api.example.com.")
        await pilot.press("v")  # it could not even be encoded: the app used to die here
        await refused(pilot, app, "value", "_h8.\\ud800.", "U+D800 (a lone surrogate)")
        await on_entry(pilot, pane, BIDI)
        await pilot.press("y")
        await refused(pilot, app, "name", "\\u202e", "U+202E (an invisible format")
        await on_entry(pilot, pane, None)  # the domain's own line: its DNS target
        await pilot.press("y")
        await refused(pilot, app, "name", "api.example.com\\n@\\t300\\tIN\\tNS")
        await pilot.press("v")

        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, ZoneScreen), "the zone file")
        await pilot.press("c")  # copies again
        await wait_until(pilot, lambda: len(payloads(recorded)) == 7, "every copy")
        assert app.is_running

    copied = payloads(recorded)
    assert copied[:5] == [
        planted["name"],
        planted["value"],
        GOOD_VALUE,
        "_e5.api.example.com.",
        planted["target"],
    ]
    for text in copied[:5]:
        assert DNS_NAME.fullmatch(text), text
        dns.name.from_text(text)
    snippet, again = copied[5:]
    assert again == snippet
    assert ZONE_TEXT.fullmatch(snippet)
    assert directives(snippet) == []
    # What a DNS server would load: the one valid record; the other five and the domain's
    # two DNS targets (its name is hostile) are comment lines saying why.
    assert zone_records(snippet) == {(planted["name"], "CNAME", 300, planted["value"])}
    assert sum(line.startswith("; left out: ") for line in snippet.splitlines()) == 7

    # No toast carried the text raw, and nothing raw reached the terminal from it.
    for toast in toasts(app):
        assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202e\ud800]", toast), toast
    painted = "".join(recorded)
    for raw in ("\x1b[201~", "\nrm -rf", "\n$ORIGIN", "\u202e", "\ud800"):
        assert raw not in painted, raw
