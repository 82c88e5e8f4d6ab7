"""CloudWatch's wire formats for the operations the simulator answers itself.

CloudWatch's model lists `smithy-rpc-v2-cbor` first, then JSON 1.0 and query. botocore 1.43
picks by its own order (`PRIORITY_ORDERED_SUPPORTED_PROTOCOLS`: json first), so boto3 and
aiobotocore send JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`, timestamps
as epoch numbers); SDKs that prefer CBOR POST `/service/GraniteServiceVersion20100801/
operation/<Op>` with a CBOR body, timestamps as CBOR tag 1 (epoch seconds). Both are
served. CloudWatch is awsQueryCompatible: an error carries its shape in `__type` and
its query-protocol code in the `x-amzn-query-error` header (`Code;Sender`), which is what
botocore reports as `Error.Code`.
"""

from __future__ import annotations

import gzip
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import cbor2
from aiohttp import web

from artui.sim import wire
from artui.sim.errors import ApiError

SERVICE = "GraniteServiceVersion20100801"
CBOR = "cbor"
JSON = "json"
_CBOR_PATH = re.compile(rf"^/service/{SERVICE}/operation/([A-Za-z]+)$")
_JSON_10 = "application/x-amz-json-1.0"
# Query-protocol codes -> the model's error shape names (what `__type` carries).
_SHAPES = {
    "InvalidParameterValue": "InvalidParameterValueException",
    "InternalServiceError": "InternalServiceFault",
    "InvalidNextToken": "InvalidNextToken",
    "InvalidParameterCombination": "InvalidParameterCombinationException",
    "MissingParameter": "MissingRequiredParameterException",
}


class CloudWatchError(ApiError):
    """An error CloudWatch would answer: its query code, message and HTTP status (sent in
    CloudWatch's own shape, not App Runner's `body()`)."""


@dataclass(frozen=True)
class Call:
    """A decoded CloudWatch request: its protocol, operation and parameters."""

    protocol: str
    operation: str
    params: dict[str, Any]


def operation_of(request: web.Request) -> tuple[str, str] | None:
    """(protocol, operation) of a CloudWatch request in either protocol, or None."""
    if request.method != "POST":
        return None
    target = request.headers.get("X-Amz-Target", "")
    if target:
        prefix, _, operation = target.partition(".")
        return (JSON, operation) if prefix == SERVICE and operation else None
    match = _CBOR_PATH.match(request.path)
    return (CBOR, match.group(1)) if match else None


def decode(request: web.Request, protocol: str, body: bytes) -> dict[str, Any]:
    """The request's parameters; ValueError when the body is not a document of its protocol."""
    # aiohttp's server decodes a gzipped body itself; one still gzipped starts with its magic.
    if request.headers.get("Content-Encoding", "").lower() == "gzip" and body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    if not body.strip():
        return {}
    try:
        doc = cbor2.loads(body) if protocol == CBOR else wire.loads(body)
    except cbor2.CBORDecodeError as exc:
        raise ValueError(str(exc)) from None
    if not isinstance(doc, dict):
        raise ValueError("the body is not a structure")
    return doc


def epoch(value: Any) -> float | None:
    """Epoch seconds of a decoded timestamp (CBOR gives datetimes, JSON numbers)."""
    if isinstance(value, datetime):
        return value.timestamp()
    if wire.is_number(value):
        return float(value)
    return None


def respond(protocol: str, doc: dict[str, Any]) -> web.Response:
    """A 200 answer carrying `doc`; `MetricDataResults[*].Timestamps` and
    `Datapoints[*].Timestamp` are epoch seconds."""
    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    if protocol == CBOR:
        tags: dict[float, cbor2.CBORTag] = {}
        for result in doc.get("MetricDataResults", ()):
            result["Timestamps"] = [
                tags.get(t) or tags.setdefault(t, cbor2.CBORTag(1, t)) for t in result["Timestamps"]
            ]
        for point in doc.get("Datapoints", ()):
            point["Timestamp"] = cbor2.CBORTag(1, point["Timestamp"])
        headers["smithy-protocol"] = "rpc-v2-cbor"
        return web.Response(body=cbor2.dumps(doc), content_type="application/cbor", headers=headers)
    return web.Response(body=json.dumps(doc).encode(), content_type=_JSON_10, headers=headers)


def error_response(protocol: str, code: str, message: str, status: int) -> web.Response:
    """CloudWatch's error answer for query code `code`, in `protocol`."""
    shape = _SHAPES.get(code, code)
    fault = "Sender" if status < 500 else "Receiver"
    headers = {
        "x-amzn-RequestId": str(uuid.uuid4()),
        "x-amzn-query-error": f"{code};{fault}",
    }
    doc = {"__type": f"com.amazonaws.cloudwatch#{shape}", "message": message}
    if protocol == CBOR:
        headers["smithy-protocol"] = "rpc-v2-cbor"
        body, content_type = cbor2.dumps(doc), "application/cbor"
    else:
        body, content_type = json.dumps(doc).encode(), _JSON_10
    return web.Response(status=status, body=body, content_type=content_type, headers=headers)
