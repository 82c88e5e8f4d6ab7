"""What the control routes act on, kept on the sub-application under typed keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from artui.sim.apprunner.api import AppRunnerBackend
    from artui.sim.cloudwatch import CloudWatch
    from artui.sim.control.calls import Faults, RequestLog
    from artui.sim.livetail import LiveTail

# Typed by annotation, not at runtime: calls.py, home of RequestLog and Faults, imports these.
BACKEND: web.AppKey[AppRunnerBackend] = web.AppKey("backend")
REQUESTS: web.AppKey[RequestLog] = web.AppKey("requests")
FAULTS: web.AppKey[Faults] = web.AppKey("faults")
LIVETAIL: web.AppKey[LiveTail] = web.AppKey("livetail")
CLOUDWATCH: web.AppKey[CloudWatch] = web.AppKey("cloudwatch")


def default_region(backend: AppRunnerBackend) -> str:
    """The region a control body means when it names none: the simulator's first."""
    return next(iter(backend.regions), "us-east-1")
