"""What the control routes act on, kept on the sub-application under typed keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from artui.sim.apprunner.ids import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from artui.sim.accounts import Accounts
    from artui.sim.apprunner.api import AppRunnerBackend
    from artui.sim.cloudwatch import CloudWatch
    from artui.sim.control.calls import Faults, RequestLog
    from artui.sim.livetail import LiveTail

# Typed by annotation, not at runtime: calls.py, home of RequestLog and Faults, imports these.
ACCOUNTS: web.AppKey[Accounts] = web.AppKey("accounts")
REQUESTS: web.AppKey[RequestLog] = web.AppKey("requests")
FAULTS: web.AppKey[Faults] = web.AppKey("faults")
LIVETAIL: web.AppKey[LiveTail] = web.AppKey("livetail")
CLOUDWATCH: web.AppKey[CloudWatch] = web.AppKey("cloudwatch")


def default_region(accounts: Accounts) -> str:
    """The region a control body means when it names none: the simulator's first."""
    return next(iter(accounts.default.regions), "us-east-1")


def backend_of(accounts: Accounts, doc: dict[str, Any]) -> AppRunnerBackend:
    """The backend of the account a control body names (`account`; default: the default
    account), seeded if the account had not appeared yet."""
    return accounts.get(doc.get("account", DEFAULT_ACCOUNT))
