"""Pass non-App Runner requests through to moto, streaming the answer back; and what a
request's SigV4 Authorization header says: its region, service and account.

A request reaches moto unchanged but for one header: `x-moto-account-id`, the caller's
account (`ids.account_for` of its access key id). moto 5.2 would put every call signed with
a key it did not issue in its default account; with the header, moto's stores (CloudWatch,
Logs, ECR, STS's GetCallerIdentity, IAM) are the caller's account's, as the simulator's are.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from artui.sim.apprunner.ids import account_for

_SCOPE_RE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
_KEY_RE = re.compile(r"Credential=([^/,\s]+)/")
# The header moto reads a request's account from before it looks at the access key.
MOTO_ACCOUNT_HEADER = "x-moto-account-id"
_CBOR_PATH_RE = re.compile(r"^/service/[^/]+/operation/([^/?]+)")
# Credential-scope signing names → the names the request log uses.
_SERVICE_NAMES = {"monitoring": "cloudwatch"}
# Hop-by-hop headers and those aiohttp recomputes; the rest pass through untouched.
# Content-Encoding too: aiohttp's server has already decoded the body (botocore gzips a large
# PutMetricData), and moto would try to decode it again.
_DROP_REQUEST = {
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "content-encoding",
}
_DROP_RESPONSE = {"transfer-encoding", "connection", "keep-alive", "content-length"}


def credential_scope(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """(region, signing name) from a SigV4 Authorization header."""
    match = _SCOPE_RE.search(headers.get("Authorization", ""))
    return (match.group(1), match.group(2)) if match else None


def access_key(headers: Mapping[str, str]) -> str | None:
    """The access key id a SigV4 Authorization header was signed with."""
    match = _KEY_RE.search(headers.get("Authorization", ""))
    return match.group(1) if match else None


def caller_account(headers: Mapping[str, str]) -> str:
    """The account a request is made in: its access key id's (`ids.account_for`)."""
    return account_for(access_key(headers))


def describe(request: web.Request, body: bytes) -> tuple[str, str, str]:
    """(service, operation, region) of a request, for the request log."""
    scope = credential_scope(request.headers)
    region, signing = scope if scope else ("", "")
    service = _SERVICE_NAMES.get(signing, signing)
    target = request.headers.get("X-Amz-Target", "")
    if target:
        prefix, _, operation = target.partition(".")
        if not service:
            service = "logs" if prefix.startswith("Logs_") else prefix.lower()
        return service, operation or prefix, region
    match = _CBOR_PATH_RE.match(request.path)
    if match:
        return service or "cloudwatch", match.group(1), region
    if body and request.content_type == "application/x-www-form-urlencoded":
        action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
        if action:
            return service, action, region
    return service, f"{request.method} {request.path}", region


class MotoProxy:
    """Forwards requests to moto's server with one shared connection pool."""

    def __init__(self, moto_url: str) -> None:
        self.moto_url = moto_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the connection pool (inside the serving loop)."""
        # auto_decompress=False: bodies pass through byte for byte, encoding header and all.
        self._session = aiohttp.ClientSession(
            auto_decompress=False, timeout=aiohttp.ClientTimeout(total=None, sock_read=300)
        )

    async def close(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()

    async def ask_json(
        self, target: str, doc: dict[str, Any], request: web.Request, region: str, account: str
    ) -> tuple[int, Mapping[str, str], Any]:
        """(status, headers, decoded body) of a JSON 1.0 call `target` made to moto on
        behalf of `request`, in `region` and `account`."""
        assert self._session is not None, "MotoProxy.start() first"
        # moto reads the region from the credential scope: the caller's, or one naming the
        # region the simulator served an unsigned call in.
        authorization = request.headers.get("Authorization") or (
            f"AWS4-HMAC-SHA256 Credential=unsigned/20000101/{region}/monitoring/aws4_request, "
            "SignedHeaders=host, Signature=0"
        )
        headers = {
            "X-Amz-Target": target,
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": authorization,
            MOTO_ACCOUNT_HEADER: account,
        }
        async with self._session.post(
            self.moto_url + "/", data=json.dumps(doc).encode(), headers=headers
        ) as upstream:
            body = await upstream.read()
            if upstream.headers.get("Content-Encoding", "").lower() == "gzip":
                body = gzip.decompress(body)
            try:
                parsed = json.loads(body) if body.strip() else {}
            except ValueError:
                parsed = {"message": body[:200].decode("utf-8", "replace")}
            return upstream.status, upstream.headers, parsed

    async def forward(self, request: web.Request, body: bytes, account: str) -> web.StreamResponse:
        """Send `request` to moto, in `account`, and stream moto's response back chunk by
        chunk."""
        assert self._session is not None, "MotoProxy.start() first"
        headers = CIMultiDict(
            (k, v) for k, v in request.headers.items() if k.lower() not in _DROP_REQUEST
        )
        headers[MOTO_ACCOUNT_HEADER] = account  # replaces any the caller sent
        url = self.moto_url + request.rel_url.raw_path_qs
        async with self._session.request(
            request.method,
            url,
            headers=headers,
            data=body or None,
            allow_redirects=False,
            skip_auto_headers=("User-Agent", "Content-Type", "Accept", "Accept-Encoding"),
        ) as upstream:
            out = web.StreamResponse(status=upstream.status, reason=upstream.reason)
            for key, value in upstream.headers.items():
                if key.lower() not in _DROP_RESPONSE:
                    out.headers.add(key, value)
            if upstream.content_length is not None:
                out.content_length = upstream.content_length
            await out.prepare(request)
            async for chunk in upstream.content.iter_any():
                await out.write(chunk)
            await out.write_eof()
            return out
