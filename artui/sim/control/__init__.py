"""The request log, injected faults (errors and delays), and the `/_sim/` control API that
exposes them.

One module per group of routes, each route one handler reading what it acts on from the
sub-application's typed keys (`keys`): `calls` (/requests, /faults), `clock` (/clock),
`services` (forced statuses and reported fields, /dns), `telemetry` (/livetail,
/cloudwatch), `connections` (handshakes, /connections); `body` checks what they are sent,
`apis` what a fault may name; `app` builds the router.
"""

from __future__ import annotations

from artui.sim.control.app import control_app
from artui.sim.control.body import (
    ACCOUNT,
    MAX_COUNT,
    MAX_MESSAGE,
    MAX_NAME,
    MAX_STATUS,
    OBJECT,
    Field,
    Refused,
    check,
    integer,
    number,
    read_body,
    text,
)
from artui.sim.control.calls import (
    FAULT_FIELDS,
    MAX_LATENCY_MS,
    REQUEST_LOG_LIMIT,
    Fault,
    Faults,
    RequestLog,
    fault_from_json,
)
from artui.sim.control.clock import CLOCK_FIELDS
from artui.sim.control.connections import HANDSHAKE_FIELDS
from artui.sim.control.services import DNS_FIELDS, REPORTED_FIELDS, STATUS_FIELDS
from artui.sim.control.telemetry import CLOUDWATCH_FIELDS, LIVETAIL_FIELDS, TRAFFIC_FIELDS

__all__ = [
    "ACCOUNT",
    "CLOCK_FIELDS",
    "CLOUDWATCH_FIELDS",
    "DNS_FIELDS",
    "FAULT_FIELDS",
    "HANDSHAKE_FIELDS",
    "LIVETAIL_FIELDS",
    "MAX_COUNT",
    "MAX_LATENCY_MS",
    "MAX_MESSAGE",
    "MAX_NAME",
    "MAX_STATUS",
    "OBJECT",
    "REPORTED_FIELDS",
    "REQUEST_LOG_LIMIT",
    "STATUS_FIELDS",
    "TRAFFIC_FIELDS",
    "Fault",
    "Faults",
    "Field",
    "Refused",
    "RequestLog",
    "check",
    "control_app",
    "fault_from_json",
    "integer",
    "number",
    "read_body",
    "text",
]
