"""The simulator's custom domains over HTTP: AssociateCustomDomain, DescribeCustomDomains,
DisassociateCustomDomain, their lifecycle on the simulated clock, the guide's rules, the
/_sim/dns control and the demo's domains.

Every App Runner answer goes through boto3 with conftest's shape check; every refusal is
also sent raw, and its bytes checked against the errors the model lets the operation raise.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import botocore.exceptions
import pytest
from conftest import control, make_boto3, validate_error

from artui.sim import Simulator
from artui.sim.apprunner.configs import AutoScalingConfiguration
from artui.sim.apprunner.custom_domains import (
    BINDING_SECONDS,
    CREATING_SECONDS,
    DELETING_SECONDS,
    LINK_REFUSED_STATUSES,
    UNLINK_REFUSED_STATUSES,
    VALIDATION_WINDOW,
    is_root,
    refusal,
)
from artui.sim.seed import seed_region

# In fresh_sim's seven services: RUNNING without domains, PAUSED, CREATE_FAILED, and the two
# the demo gives domains (web-frontend is the paused one, so payments-worker holds its).
FREE = "orders-service"
PAUSED = "web-frontend"
FAILED = "search-indexer"
TROUBLED = "checkout-api"
SITE = "payments-worker"
# A moment inside a phase, never on its edge: the clock's floats are epoch seconds.
EPS = 0.1

RECORD_NAME = re.compile(r"_[0-9a-f]{32}\.(?P<domain>.+)\.")
RECORD_VALUE = re.compile(r"_[0-9a-f]{32}\.[a-z]{10}\.acm-validations\.aws\.")


@pytest.fixture
def client(fresh_sim: Simulator) -> Any:
    """A shape-checked boto3 App Runner client on a fresh simulator with a stopped clock."""
    return make_boto3(fresh_sim, "apprunner")


def arn_of(client: Any, name: str) -> str:
    services = client.list_services()["ServiceSummaryList"]
    return next(s["ServiceArn"] for s in services if s["ServiceName"] == name)


def advance(sim: Simulator, seconds: float) -> None:
    control(sim, "POST", "/_sim/clock", {"advance": seconds})


def all_domains(client: Any, arn: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of DescribeCustomDomains, in order."""
    out: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"ServiceArn": arn, **params}
    while True:
        page = client.describe_custom_domains(**kwargs)
        out += page["CustomDomains"]
        if "NextToken" not in page:
            return out
        kwargs["NextToken"] = page["NextToken"]


def domain(client: Any, arn: str, name: str) -> dict[str, Any] | None:
    return next((d for d in all_domains(client, arn) if d["DomainName"] == name), None)


def statuses(client: Any, arn: str, name: str) -> tuple[str, list[str]]:
    """The domain's status and its records' statuses."""
    doc = domain(client, arn, name)
    assert doc is not None, name
    return doc["Status"], [r["Status"] for r in doc["CertificateValidationRecords"]]


def dns(sim: Simulator, doc: Any) -> tuple[int, Any]:
    """POST /_sim/dns with `doc` (any JSON); the status and the answer."""
    request = urllib.request.Request(
        sim.endpoint + "/_sim/dns", data=json.dumps(doc).encode(), method="POST"
    )
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def refused(sim: Simulator, client: Any, operation: str, params: dict[str, Any], code: str) -> str:
    """Call `operation`, which must fail with `code`: through boto3, then raw (a refusal
    changes nothing, so twice is the same) to check the error's bytes. Returns the message."""
    method = getattr(client, re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower())
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        method(**params)
    assert caught.value.response["Error"]["Code"] == code
    parts = urlsplit(sim.endpoint)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(
            "POST",
            "/",
            json.dumps(params),
            {
                "X-Amz-Target": f"AppRunner.{operation}",
                "Content-Type": "application/x-amz-json-1.0",
            },
        )
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()
    validate_error(operation, response.status, body, code)
    assert body["Message"] == caught.value.response["Error"]["Message"]
    return body["Message"]


# -- associating ------------------------------------------------------------------


def test_associate_with_www_answers_creating_with_two_records(fresh_sim, client):
    arn = arn_of(client, FREE)
    url = client.describe_service(ServiceArn=arn)["Service"]["ServiceUrl"]
    answer = client.associate_custom_domain(
        ServiceArn=arn, DomainName="shop.example.org", EnableWWWSubdomain=True
    )
    assert answer["DNSTarget"] == url
    assert answer["ServiceArn"] == arn
    assert answer["VpcDNSTargets"] == []
    custom = answer["CustomDomain"]
    assert custom["DomainName"] == "shop.example.org"
    assert custom["EnableWWWSubdomain"] is True
    assert custom["Status"] == "CREATING"
    records = custom["CertificateValidationRecords"]
    assert [RECORD_NAME.fullmatch(r["Name"])["domain"] for r in records] == [
        "shop.example.org",
        "www.shop.example.org",
    ]
    for record in records:
        assert record["Type"] == "CNAME"
        assert RECORD_VALUE.fullmatch(record["Value"]), record["Value"]
        assert record["Status"] == "PENDING_VALIDATION"
    assert len({r["Name"] for r in records} | {r["Value"] for r in records}) == 4
    # DescribeCustomDomains says the same.
    described = client.describe_custom_domains(ServiceArn=arn)
    assert described["CustomDomains"] == [custom]
    assert described["DNSTarget"] == url and described["VpcDNSTargets"] == []
    assert "NextToken" not in described


def test_associate_without_www_has_one_record(fresh_sim, client):
    arn = arn_of(client, FREE)
    custom = client.associate_custom_domain(
        ServiceArn=arn, DomainName="api.example.org", EnableWWWSubdomain=False
    )["CustomDomain"]
    assert custom["EnableWWWSubdomain"] is False
    [record] = custom["CertificateValidationRecords"]
    assert RECORD_NAME.fullmatch(record["Name"])["domain"] == "api.example.org"


def test_www_defaults_to_true_as_the_model_says(fresh_sim, client):
    arn = arn_of(client, FREE)
    custom = client.associate_custom_domain(ServiceArn=arn, DomainName="example.org")[
        "CustomDomain"
    ]
    assert custom["EnableWWWSubdomain"] is True
    assert len(custom["CertificateValidationRecords"]) == 2


def test_a_wildcards_record_names_its_base_domain(fresh_sim, client):
    arn = arn_of(client, FREE)
    custom = client.associate_custom_domain(
        ServiceArn=arn, DomainName="*.example.org", EnableWWWSubdomain=False
    )["CustomDomain"]
    [record] = custom["CertificateValidationRecords"]
    assert RECORD_NAME.fullmatch(record["Name"])["domain"] == "example.org"


# -- lifecycle ----------------------------------------------------------------------


def test_creating_pending_binding_active(fresh_sim, client):
    arn = arn_of(client, FREE)
    client.associate_custom_domain(ServiceArn=arn, DomainName="app.example.org")
    advance(fresh_sim, CREATING_SECONDS - EPS)
    assert statuses(client, arn, "app.example.org") == (
        "CREATING",
        ["PENDING_VALIDATION", "PENDING_VALIDATION"],
    )
    advance(fresh_sim, 2 * EPS)
    assert statuses(client, arn, "app.example.org")[0] == "PENDING_CERTIFICATE_DNS_VALIDATION"
    advance(fresh_sim, 24 * 3600)  # nothing happens without the records
    assert statuses(client, arn, "app.example.org")[0] == "PENDING_CERTIFICATE_DNS_VALIDATION"

    status, answer = dns(fresh_sim, {"domain": "app.example.org"})
    assert status == 200
    assert answer["service"] == FREE
    assert answer["domain"]["Status"] == "BINDING_CERTIFICATE"
    assert answer["domain"] == domain(client, arn, "app.example.org")
    assert statuses(client, arn, "app.example.org") == (
        "BINDING_CERTIFICATE",
        ["SUCCESS", "SUCCESS"],
    )
    advance(fresh_sim, BINDING_SECONDS - EPS)
    assert statuses(client, arn, "app.example.org")[0] == "BINDING_CERTIFICATE"
    advance(fresh_sim, 2 * EPS)
    assert statuses(client, arn, "app.example.org") == ("ACTIVE", ["SUCCESS", "SUCCESS"])
    advance(fresh_sim, 30 * 86400)
    assert statuses(client, arn, "app.example.org")[0] == "ACTIVE"


def test_records_added_while_creating_bind_when_creating_ends(fresh_sim, client):
    arn = arn_of(client, FREE)
    client.associate_custom_domain(ServiceArn=arn, DomainName="early.example.org")
    advance(fresh_sim, 5)
    assert dns(fresh_sim, {"domain": "early.example.org"})[1]["domain"]["Status"] == "CREATING"
    advance(fresh_sim, CREATING_SECONDS - 5 - EPS)
    assert statuses(client, arn, "early.example.org")[0] == "CREATING"
    advance(fresh_sim, 2 * EPS)
    assert statuses(client, arn, "early.example.org")[0] == "BINDING_CERTIFICATE"
    advance(fresh_sim, BINDING_SECONDS - 2 * EPS)
    assert statuses(client, arn, "early.example.org")[0] == "BINDING_CERTIFICATE"
    advance(fresh_sim, 2 * EPS)
    assert statuses(client, arn, "early.example.org")[0] == "ACTIVE"


@pytest.mark.parametrize("early", [False, True], ids=["pending", "creating"])
def test_a_caa_record_naming_another_ca_fails_the_domain(fresh_sim, client, early):
    arn = arn_of(client, FREE)
    client.associate_custom_domain(ServiceArn=arn, DomainName="caa.example.org")
    advance(fresh_sim, 5 if early else CREATING_SECONDS + 60)
    status, answer = dns(fresh_sim, {"domain": "caa.example.org", "caa": "letsencrypt.org"})
    assert status == 200
    if early:
        assert answer["domain"]["Status"] == "CREATING"
        advance(fresh_sim, CREATING_SECONDS)
    assert statuses(client, arn, "caa.example.org") == ("CREATE_FAILED", ["FAILED", "FAILED"])
    advance(fresh_sim, 86400)
    assert statuses(client, arn, "caa.example.org")[0] == "CREATE_FAILED"
    [entry] = [d for d in control(fresh_sim, "GET", "/_sim/dns")["domains"] if d["service"] == FREE]
    assert entry == {
        "service": FREE,
        "account": "123456789012",
        "region": "us-east-1",
        "domain": "caa.example.org",
        "status": "CREATE_FAILED",
        "records_added": True,
        "caa": "letsencrypt.org",
    }


def test_a_caa_record_naming_amazon_lets_acm_issue(fresh_sim, client):
    arn = arn_of(client, FREE)
    client.associate_custom_domain(ServiceArn=arn, DomainName="ok.example.org")
    advance(fresh_sim, CREATING_SECONDS + 1)
    dns(fresh_sim, {"domain": "ok.example.org", "caa": "amazon.com"})
    advance(fresh_sim, BINDING_SECONDS + 1)
    assert statuses(client, arn, "ok.example.org")[0] == "ACTIVE"


def test_records_not_supplied_within_72_hours_fail_the_domain(fresh_sim, client):
    arn = arn_of(client, FREE)
    client.associate_custom_domain(ServiceArn=arn, DomainName="late.example.org")
    advance(fresh_sim, CREATING_SECONDS + VALIDATION_WINDOW - 1)
    assert statuses(client, arn, "late.example.org")[0] == "PENDING_CERTIFICATE_DNS_VALIDATION"
    advance(fresh_sim, 2)
    assert statuses(client, arn, "late.example.org") == ("CREATE_FAILED", ["FAILED", "FAILED"])
    # Too late: the records change nothing now.
    status, answer = dns(fresh_sim, {"domain": "late.example.org"})
    assert status == 200 and answer["domain"]["Status"] == "CREATE_FAILED"
    advance(fresh_sim, BINDING_SECONDS + 1)
    assert statuses(client, arn, "late.example.org")[0] == "CREATE_FAILED"
    [entry] = [d for d in control(fresh_sim, "GET", "/_sim/dns")["domains"] if d["service"] == FREE]
    assert entry["records_added"] is False


def test_dns_on_an_active_domain_changes_nothing(fresh_sim, client):
    arn = arn_of(client, FREE)
    client.associate_custom_domain(ServiceArn=arn, DomainName="done.example.org")
    advance(fresh_sim, CREATING_SECONDS + 1)
    dns(fresh_sim, {"domain": "done.example.org"})
    advance(fresh_sim, BINDING_SECONDS + 1)
    before = domain(client, arn, "done.example.org")
    status, answer = dns(fresh_sim, {"domain": "done.example.org", "caa": "letsencrypt.org"})
    assert status == 200 and answer["domain"] == before
    assert before["Status"] == "ACTIVE"
    assert domain(client, arn, "done.example.org") == before


# -- disassociating -----------------------------------------------------------------


def test_disassociate_is_deleting_then_gone(fresh_sim, client):
    arn = arn_of(client, FREE)
    client.associate_custom_domain(ServiceArn=arn, DomainName="bye.example.org")
    advance(fresh_sim, CREATING_SECONDS + 1)
    dns(fresh_sim, {"domain": "bye.example.org"})
    advance(fresh_sim, BINDING_SECONDS + 1)
    answer = client.disassociate_custom_domain(ServiceArn=arn, DomainName="bye.example.org")
    assert answer["ServiceArn"] == arn and answer["VpcDNSTargets"] == []
    assert answer["DNSTarget"] == client.describe_service(ServiceArn=arn)["Service"]["ServiceUrl"]
    assert answer["CustomDomain"]["Status"] == "DELETING"
    # The records keep the status they had.
    assert {r["Status"] for r in answer["CustomDomain"]["CertificateValidationRecords"]} == {
        "SUCCESS"
    }
    advance(fresh_sim, DELETING_SECONDS - EPS)
    assert statuses(client, arn, "bye.example.org")[0] == "DELETING"
    message = refused(
        fresh_sim,
        client,
        "DisassociateCustomDomain",
        {"ServiceArn": arn, "DomainName": "bye.example.org"},
        "InvalidStateException",
    )
    assert "already being disassociated" in message
    refused(
        fresh_sim,
        client,
        "AssociateCustomDomain",
        {"ServiceArn": arn, "DomainName": "bye.example.org"},
        "InvalidRequestException",
    )
    # The control leaves a domain being deleted as it is.
    assert dns(fresh_sim, {"domain": "bye.example.org"})[1]["domain"]["Status"] == "DELETING"
    advance(fresh_sim, 2 * EPS)
    assert domain(client, arn, "bye.example.org") is None
    assert client.describe_custom_domains(ServiceArn=arn)["CustomDomains"] == []
    # Gone: it may be linked again, with new records.
    again = client.associate_custom_domain(ServiceArn=arn, DomainName="bye.example.org")
    assert again["CustomDomain"]["Status"] == "CREATING"


def test_disassociating_an_unknown_domain_is_not_found(fresh_sim, client):
    arn = arn_of(client, FREE)
    message = refused(
        fresh_sim,
        client,
        "DisassociateCustomDomain",
        {"ServiceArn": arn, "DomainName": "nope.example.org"},
        "ResourceNotFoundException",
    )
    assert message == f"Custom domain nope.example.org is not associated with service {arn}"


# -- App Runner's rules -------------------------------------------------------------


def test_a_sixth_domain_is_refused(fresh_sim, client):
    arn = arn_of(client, FREE)
    for i in range(5):
        client.associate_custom_domain(ServiceArn=arn, DomainName=f"d{i}.example.org")
    before = all_domains(client, arn)
    params = {"ServiceArn": arn, "DomainName": "d5.example.org"}
    message = refused(fresh_sim, client, "AssociateCustomDomain", params, "InvalidRequestException")
    assert message == "Maximum number of custom domains (5) for the service has been reached."
    assert all_domains(client, arn) == before
    # A domain being deleted still counts, until it is gone.
    client.disassociate_custom_domain(ServiceArn=arn, DomainName="d0.example.org")
    refused(fresh_sim, client, "AssociateCustomDomain", params, "InvalidRequestException")
    advance(fresh_sim, DELETING_SECONDS + 1)
    client.associate_custom_domain(**params)
    assert [d["DomainName"] for d in all_domains(client, arn)] == [
        f"d{i}.example.org" for i in range(1, 6)
    ]


@pytest.mark.parametrize("again", ["twice.example.org", "TWICE.Example.org"])
def test_the_same_domain_twice_is_refused(fresh_sim, client, again):
    arn = arn_of(client, FREE)
    client.associate_custom_domain(ServiceArn=arn, DomainName="twice.example.org")
    before = all_domains(client, arn)
    message = refused(
        fresh_sim,
        client,
        "AssociateCustomDomain",
        {"ServiceArn": arn, "DomainName": again},
        "InvalidRequestException",
    )
    assert message == f"Domain {again} is already associated with this service."
    assert all_domains(client, arn) == before


def test_the_same_domain_on_two_services_is_allowed(fresh_sim, client):
    for name in (FREE, "inventory-sync"):
        client.associate_custom_domain(ServiceArn=arn_of(client, name), DomainName="x.example.org")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("login*.example.com", "whole first label"),
        ("*login.example.com", "whole first label"),
        ("example.*", "whole first label"),
        ("*.*.example.com", "whole first label"),
        ("*", "at least two labels"),  # the model's pattern allows it
        ("*.login.example.com", "immediate subdomain of a root domain"),
        ("*.com", "immediate subdomain of a root domain"),
        # The public suffix list: co.uk is a suffix, so example.co.uk is the root.
        ("*.co.uk", "immediate subdomain of a root domain"),
        ("*.www.example.co.uk", "immediate subdomain of a root domain"),
        ("localhost", "at least two labels"),
        ("a..example.com", "empty label"),
        (".example.com", "empty label"),
        ("example.com.", "empty label"),
        ("a" * 64 + ".example.com", "longer than 63"),
        ("-shop.example.com", "hyphen"),
        ("shop-.example.com", "hyphen"),
        ("shop.example.com-", "hyphen"),
    ],
)
def test_names_app_runner_refuses(fresh_sim, client, name, words):
    arn = arn_of(client, FREE)
    params = {"ServiceArn": arn, "DomainName": name, "EnableWWWSubdomain": False}
    message = refused(fresh_sim, client, "AssociateCustomDomain", params, "InvalidRequestException")
    assert words in message
    assert all_domains(client, arn) == []


def test_names_app_runner_accepts(fresh_sim, client):
    arn = arn_of(client, FREE)
    for name in ("example.org", "a" * 63 + ".example.org", "admin.login.example.org", "x-1.io"):
        client.associate_custom_domain(ServiceArn=arn, DomainName=name, EnableWWWSubdomain=False)
    client.associate_custom_domain(ServiceArn=arn, DomainName="*.b.io", EnableWWWSubdomain=False)


def test_a_wildcard_under_a_multi_label_public_suffix_is_accepted(fresh_sim, client):
    # The guide: a wildcard only as the immediate subdomain of a root domain; the public
    # suffix list says example.co.uk is one (co.uk is the suffix), so its wildcard is taken.
    arn = arn_of(client, FREE)
    for name in ("*.example.co.uk", "*.Example.Com.AU", "example.co.uk", "www.example.co.uk"):
        answer = client.associate_custom_domain(
            ServiceArn=arn, DomainName=name, EnableWWWSubdomain=False
        )
        assert answer["CustomDomain"]["DomainName"] == name
    assert [d["DomainName"] for d in all_domains(client, arn)] == [
        "*.example.co.uk",
        "*.Example.Com.AU",
        "example.co.uk",
        "www.example.co.uk",
    ]


@pytest.mark.parametrize(
    ("name", "root"),
    [
        ("example.com", True),
        ("example.co.uk", True),
        ("Example.CO.UK.", True),
        ("www.example.co.uk", False),
        ("co.uk", False),
        ("*.example.co.uk", False),
        ("shop.example.com", False),
    ],
)
def test_root_domains_follow_the_public_suffix_list(name, root):
    assert is_root(name) is root


@pytest.mark.parametrize("www", [True, None], ids=["www", "default"])
def test_www_with_a_wildcard_is_refused(fresh_sim, client, www):
    arn = arn_of(client, FREE)
    params: dict[str, Any] = {"ServiceArn": arn, "DomainName": "*.example.org"}
    if www is not None:
        params["EnableWWWSubdomain"] = www
    message = refused(fresh_sim, client, "AssociateCustomDomain", params, "InvalidRequestException")
    assert "www option with a wildcard" in message
    assert all_domains(client, arn) == []


@pytest.mark.parametrize(
    ("name", "status"), [(PAUSED, "PAUSED"), (FAILED, "CREATE_FAILED")], ids=str.lower
)
def test_a_paused_or_failed_service_refuses_a_domain(fresh_sim, client, name, status):
    arn = arn_of(client, name)
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == status
    params = {"ServiceArn": arn, "DomainName": "p.example.org"}
    message = refused(fresh_sim, client, "AssociateCustomDomain", params, "InvalidStateException")
    assert message == refusal(status, "AssociateCustomDomain", service=f"Service {name}")
    assert message.startswith(f"Service {name} is {status};")
    assert all_domains(client, arn) == []


def test_an_operation_in_progress_refuses_linking_and_unlinking(fresh_sim, client):
    arn = arn_of(client, FREE)
    client.associate_custom_domain(ServiceArn=arn, DomainName="busy.example.org")
    client.start_deployment(ServiceArn=arn)
    for operation in ("AssociateCustomDomain", "DisassociateCustomDomain"):
        params = {"ServiceArn": arn, "DomainName": "busy.example.org"}
        message = refused(fresh_sim, client, operation, params, "InvalidStateException")
        assert "has an operation in progress (START_DEPLOYMENT" in message
    # Describing is always allowed.
    assert statuses(client, arn, "busy.example.org")[0] == "CREATING"


def test_a_paused_service_refuses_unlinking(fresh_sim, client):
    # The guide, "Actions you cannot perform on a paused service": DeleteCustomDomainAssociations.
    arn = arn_of(client, FREE)
    client.associate_custom_domain(ServiceArn=arn, DomainName="unlink.example.org")
    client.pause_service(ServiceArn=arn)
    advance(fresh_sim, 3600)
    params = {"ServiceArn": arn, "DomainName": "unlink.example.org"}
    message = refused(
        fresh_sim, client, "DisassociateCustomDomain", params, "InvalidStateException"
    )
    assert message == f"Service {FREE} is PAUSED; resume it before unlinking a domain."
    assert statuses(client, arn, "unlink.example.org")[0] != "DELETING"
    # Resumed, it may unlink.
    client.resume_service(ServiceArn=arn)
    advance(fresh_sim, 3600)
    answer = client.disassociate_custom_domain(ServiceArn=arn, DomainName="unlink.example.org")
    assert answer["CustomDomain"]["Status"] == "DELETING"


def test_a_deleted_service_has_no_domains(fresh_sim, client):
    arn = arn_of(client, FREE)
    client.associate_custom_domain(ServiceArn=arn, DomainName="gone.example.org")
    client.delete_service(ServiceArn=arn)
    advance(fresh_sim, 3600)
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == "DELETED"
    assert client.describe_custom_domains(ServiceArn=arn)["CustomDomains"] == []
    params = {"ServiceArn": arn, "DomainName": "gone.example.org"}
    for operation in ("AssociateCustomDomain", "DisassociateCustomDomain"):
        message = refused(fresh_sim, client, operation, params, "InvalidStateException")
        assert message == f"Service {FREE} is DELETED."
    assert all(d["service"] != FREE for d in control(fresh_sim, "GET", "/_sim/dns")["domains"])


def test_the_rules_refuse_exactly_the_statuses_named():
    every = ("RUNNING", "OPERATION_IN_PROGRESS", "PAUSED", "CREATE_FAILED", "DELETE_FAILED")
    for status in (*every, "DELETED"):
        linked = refusal(status, "AssociateCustomDomain") is not None
        unlinked = refusal(status, "DisassociateCustomDomain") is not None
        assert linked == (status in LINK_REFUSED_STATUSES), status
        assert unlinked == (status in UNLINK_REFUSED_STATUSES), status
    assert UNLINK_REFUSED_STATUSES < LINK_REFUSED_STATUSES
    with pytest.raises(ValueError):
        refusal("RUNNING", "StartDeployment")


def test_an_unknown_service_is_not_found(fresh_sim, client):
    arn = arn_of(client, FREE).replace("orders-service", "no-such-service")
    refused(
        fresh_sim, client, "DescribeCustomDomains", {"ServiceArn": arn}, "ResourceNotFoundException"
    )


# -- paging -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2])
def test_describe_custom_domains_pages(fresh_sim, client, size):
    arn = arn_of(client, FREE)
    names = [f"p{i}.example.org" for i in range(5)]
    for name in names:
        client.associate_custom_domain(ServiceArn=arn, DomainName=name)
    pages = []
    kwargs: dict[str, Any] = {"ServiceArn": arn, "MaxResults": size}
    while True:
        page = client.describe_custom_domains(**kwargs)
        pages.append([d["DomainName"] for d in page["CustomDomains"]])
        assert page["ServiceArn"] == arn and page["VpcDNSTargets"] == []
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pages == [names[i : i + size] for i in range(0, 5, size)]
    # Without MaxResults: the model's largest page, five, holds them all.
    whole = client.describe_custom_domains(ServiceArn=arn)
    assert [d["DomainName"] for d in whole["CustomDomains"]] == names
    assert "NextToken" not in whole


def test_max_results_over_five_and_foreign_tokens_are_refused(fresh_sim, client):
    arn = arn_of(client, FREE)
    refused(
        fresh_sim,
        client,
        "DescribeCustomDomains",
        {"ServiceArn": arn, "MaxResults": 6},
        "InvalidRequestException",
    )
    # A token of another service's domains is not this one's.
    token = client.describe_custom_domains(ServiceArn=arn_of(client, TROUBLED), MaxResults=1)[
        "NextToken"
    ]
    refused(
        fresh_sim,
        client,
        "DescribeCustomDomains",
        {"ServiceArn": arn, "NextToken": token},
        "InvalidRequestException",
    )


# -- the control ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([], "the body must be a JSON object"),
        ({}, 'send {"domain": ...}'),
        ({"domain": "a.example.org", "ttl": 60}, 'unknown field "ttl"'),
        ({"domain": "bad domain"}, "domain must be a domain name"),
        ({"domain": ""}, "domain must be"),
        ({"domain": 7}, "domain must be"),
        ({"domain": "api.example.com", "caa": 1}, "caa must be"),
        ({"domain": "api.example.com", "caa": ""}, "caa must be"),
        ({"domain": "api.example.com", "service": None}, "service must be"),
    ],
)
def test_a_bad_dns_body_is_a_400_that_changes_nothing(fresh_sim, body, words):
    before = control(fresh_sim, "GET", "/_sim/dns")
    status, answer = dns(fresh_sim, body)
    assert status == 400
    assert set(answer) == {"error"} and words in answer["error"]
    assert control(fresh_sim, "GET", "/_sim/dns") == before


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"domain": "unknown.example.org"}, "is not associated with any service"),
        ({"domain": "api.example.com", "service": FREE}, f"with service {FREE}"),
        ({"domain": "api.example.com", "service": "nope"}, "No service named nope"),
        ({"domain": "api.example.com", "region": "eu-west-1"}, "in eu-west-1"),
    ],
)
def test_an_unknown_domain_or_service_is_a_404(fresh_sim, body, words):
    before = control(fresh_sim, "GET", "/_sim/dns")
    status, answer = dns(fresh_sim, body)
    assert status == 404
    assert set(answer) == {"error"} and words in answer["error"]
    assert control(fresh_sim, "GET", "/_sim/dns") == before


def test_dns_names_a_service_when_two_hold_the_domain(fresh_sim, client):
    first, second = arn_of(client, FREE), arn_of(client, "inventory-sync")
    for arn in (first, second):
        client.associate_custom_domain(ServiceArn=arn, DomainName="both.example.org")
    advance(fresh_sim, CREATING_SECONDS + 1)
    status, answer = dns(fresh_sim, {"domain": "both.example.org", "service": "inventory-sync"})
    assert status == 200 and answer["service"] == "inventory-sync"
    assert statuses(client, second, "both.example.org")[0] == "BINDING_CERTIFICATE"
    assert statuses(client, first, "both.example.org")[0] == "PENDING_CERTIFICATE_DNS_VALIDATION"
    # Without a service: the first live one holding it (the oldest service).
    oldest = min(
        (client.describe_service(ServiceArn=a)["Service"] for a in (first, second)),
        key=lambda s: s["CreatedAt"],
    )
    assert oldest["ServiceName"] == FREE
    assert dns(fresh_sim, {"domain": "both.example.org"})[1]["service"] == FREE
    assert statuses(client, first, "both.example.org")[0] == "BINDING_CERTIFICATE"


def test_the_dns_routes_are_listed_and_methods_checked(fresh_sim):
    request = urllib.request.Request(fresh_sim.endpoint + "/_sim/dns", method="DELETE")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 405
    assert caught.value.headers["Allow"] == "GET, POST"


# -- the demo world -------------------------------------------------------------------


def test_the_demo_services_have_domains_in_several_states(fresh_sim, client):
    expected = {
        TROUBLED: [
            ("shop.example.com", True, "ACTIVE", "SUCCESS"),
            ("api.example.com", False, "PENDING_CERTIFICATE_DNS_VALIDATION", "PENDING_VALIDATION"),
        ],
        SITE: [
            ("*.example.com", False, "CREATE_FAILED", "FAILED"),
            ("example.com", True, "PENDING_CERTIFICATE_DNS_VALIDATION", "PENDING_VALIDATION"),
        ],
    }
    for service in client.list_services()["ServiceSummaryList"]:
        found = [
            (
                d["DomainName"],
                d["EnableWWWSubdomain"],
                d["Status"],
                *{r["Status"] for r in d["CertificateValidationRecords"]},
            )
            for d in all_domains(client, service["ServiceArn"])
        ]
        assert found == expected.get(service["ServiceName"], []), service["ServiceName"]
    report = control(fresh_sim, "GET", "/_sim/dns")["domains"]
    assert [(d["service"], d["domain"], d["records_added"], d["caa"]) for d in report] == [
        (TROUBLED, "shop.example.com", True, None),
        (TROUBLED, "api.example.com", False, None),
        (SITE, "*.example.com", True, "letsencrypt.org"),
        (SITE, "example.com", False, None),
    ]
    # They stay so for a day and more.
    advance(fresh_sim, 2 * 86400)
    after = control(fresh_sim, "GET", "/_sim/dns")["domains"]
    assert [d["status"] for d in after] == [d["status"] for d in report]


def test_the_demo_domains_follow_the_roles_and_the_seed():
    def domains(count: int, seed: int = 7) -> dict[str, list[tuple[str, bool, str]]]:
        now = 1_700_000_000.0
        config = AutoScalingConfiguration("us-east-1", now - 86400)
        services = seed_region("us-east-1", count, seed, now, autoscaling=config)
        return {
            s.name: [(d.name, d.www, d.status(now)) for d in s.domains]
            for s in services
            if s.domains
        }

    # Three services: web-frontend failed to create, payments-worker is the paused one.
    assert set(domains(3)) == {TROUBLED}
    assert set(domains(2)) == {TROUBLED, SITE}
    assert set(domains(1)) == {TROUBLED}
    # Four and more: web-frontend is paused, so the first other running one.
    assert set(domains(4)) == {TROUBLED, SITE}
    assert domains(7) == domains(7)
    now = 1_700_000_000.0
    config = AutoScalingConfiguration("us-east-1", now - 86400)
    one, other = (
        seed_region("us-east-1", 7, seed, now, autoscaling=config)[0].domains for seed in (7, 8)
    )
    assert one[0].records != other[0].records


def test_a_domain_can_be_made_to_report_odd_fields(fresh_sim, client):
    arn = arn_of(client, "checkout-api")
    path = "/_sim/services/checkout-api/domains/api.example.com/reported"
    answer = control(fresh_sim, "POST", path, {"fields": {"Status": "SOMETHING_NEW"}})
    assert answer["domain"]["Status"] == "SOMETHING_NEW"
    # A client that does not check shapes: the status is outside the model's enum.
    unchecked = make_boto3(fresh_sim, "apprunner", validate=False)
    listed = unchecked.describe_custom_domains(ServiceArn=arn)["CustomDomains"]
    assert [d["Status"] for d in listed if d["DomainName"] == "api.example.com"] == [
        "SOMETHING_NEW"
    ]
    control(fresh_sim, "POST", path, {"fields": {}})
    assert domain(client, arn, "api.example.com")["Status"] == "PENDING_CERTIFICATE_DNS_VALIDATION"


def test_reporting_odd_fields_for_an_unknown_domain_is_a_404(fresh_sim):
    path = "/_sim/services/checkout-api/domains/nope.example.com/reported"
    with pytest.raises(urllib.error.HTTPError) as caught:
        control(fresh_sim, "POST", path, {"fields": {}})
    assert caught.value.code == 404
