"""Forcing a service: /services/{name}/status, its reported fields, a domain's, and /dns."""

from __future__ import annotations

from aiohttp import web

from artui.sim.control.body import (
    ACCOUNT,
    MAX_NAME,
    MAX_STATUS,
    OBJECT,
    Field,
    Refused,
    read_body,
    text,
)
from artui.sim.control.keys import ACCOUNTS, backend_of, default_region
from artui.sim.errors import ApiError

STATUS_FIELDS: dict[str, Field] = {
    "status": text(MAX_STATUS, null_means="to clear the override"),
    "region": text(MAX_NAME),
    "account": ACCOUNT,
}
REPORTED_FIELDS: dict[str, Field] = {
    "fields": OBJECT,
    "region": text(MAX_NAME),
    "account": ACCOUNT,
}
# A domain name as AssociateCustomDomain's DomainName takes it (botocore's model).
DNS_FIELDS: dict[str, Field] = {
    "domain": text(
        255,
        pattern=r"[A-Za-z0-9*.-]+",
        rule="a domain name of 1 to 255 letters, digits, '*', '.' and '-'",
    ),
    "region": text(MAX_NAME),
    "account": ACCOUNT,
    "service": text(MAX_NAME),
    "caa": text(
        MAX_NAME,
        rule=f"the CA the domain's CAA records name, 1 to {MAX_NAME} characters, such as "
        '"letsencrypt.org"',
    ),
}


async def post_status(request: web.Request) -> web.Response:
    """POST /services/{name}/status: override the status App Runner reports (null clears)."""
    doc = await read_body(request, STATUS_FIELDS)
    backend = backend_of(request.app[ACCOUNTS], doc)
    region = doc.get("region", default_region(request.app[ACCOUNTS]))
    try:
        service = backend.force_status(region, request.match_info["name"], doc.get("status"))
    except ApiError as exc:
        raise Refused(exc.message, 404) from None
    with backend.lock:
        summary = service.summary(backend.clock.now())
    return web.json_response({"service": summary})


async def post_reported(request: web.Request) -> web.Response:
    """POST /services/{name}/reported: override fields of DescribeService's answer."""
    doc = await read_body(request, REPORTED_FIELDS)
    backend = backend_of(request.app[ACCOUNTS], doc)
    region = doc.get("region", default_region(request.app[ACCOUNTS]))
    name = request.match_info["name"]
    try:
        service = backend.force_reported(region, name, doc.get("fields", {}))
    except ApiError as exc:
        raise Refused(exc.message, 404) from None
    with backend.lock:
        described = service.describe(backend.clock.now())
    return web.json_response({"service": described})


async def post_domain_reported(request: web.Request) -> web.Response:
    """POST /services/{name}/domains/{domain}/reported: override a custom domain's fields."""
    doc = await read_body(request, REPORTED_FIELDS)
    backend = backend_of(request.app[ACCOUNTS], doc)
    region = doc.get("region", default_region(request.app[ACCOUNTS]))
    try:
        domain = backend.force_domain_reported(
            region,
            request.match_info["name"],
            request.match_info["domain"],
            doc.get("fields", {}),
        )
    except ApiError as exc:
        raise Refused(exc.message, 404) from None
    return web.json_response({"domain": domain})


async def get_dns(request: web.Request) -> web.Response:
    """GET /dns: every account's custom domains and whether their DNS records are in place."""
    backends = request.app[ACCOUNTS].backends()
    return web.json_response({"domains": [d for b in backends for d in b.dns_report()]})


async def post_dns(request: web.Request) -> web.Response:
    """POST /dns: add a custom domain's validation records (and CAA, if given)."""
    doc = await read_body(request, DNS_FIELDS)
    if "domain" not in doc:
        raise Refused(
            'send {"domain": ...}, with "caa", "service", "region" and "account" if need be'
        )
    backend = backend_of(request.app[ACCOUNTS], doc)
    region = doc.get("region", default_region(request.app[ACCOUNTS]))
    try:
        service, domain = backend.add_dns_records(
            region, doc["domain"], doc.get("service"), doc.get("caa")
        )
    except ApiError as exc:
        raise Refused(exc.message, 404) from None
    return web.json_response({"domain": domain, "service": service.name})
