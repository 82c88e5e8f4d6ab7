"""Changes: an intent checked against the rules, sent once, and followed to its end.

The order for every change (`artui.domain.changes`): read-only refuses; a change already under way
on the service (its call in flight, or the operation it started still running) refuses; the
change's own rule refuses (`Change.refusal`: the guide's); only then is the call sent, once
(artui/aws/mutations.py keeps botocore from retrying it). When a call fails in a way that
leaves its outcome unknown (a dropped connection, a 5xx), the operator's next attempt on
that service first reads ListOperations: if the first attempt did start an operation,
artui follows that one and sends nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from artui.domain.apprunner import Operation, Service
from artui.domain.changes import Applied, Change
from artui.domain.custom_domains import CustomDomains
from artui.domain.errors import (
    ArtuiError,
    AuthError,
    InvalidStateError,
    NotFoundError,
    ReadOnlyError,
    ThrottledError,
)
from artui.domain.format import ago
from artui.engine.activity import KIND, merge
from artui.engine.ports import AppRunnerPort
from artui.engine.store import Scope, Store

READ_ONLY = (
    "artui is read-only (--read-only, read_only: true in the settings file, or turned on "
    "from the command palette)"
)
# Answers that say AWS refused the request, so it changed nothing; any other failure (a
# dropped connection, a 5xx) may have come after App Runner started the operation.
_REFUSED = (InvalidStateError, AuthError, NotFoundError, ThrottledError, ReadOnlyError)
_REFUSED_CODES = frozenset(
    {"InvalidRequestException", "ServiceQuotaExceededException", "ValidationException"}
)
# Clock skew allowed when matching an operation to an attempt whose answer was lost.
_SKEW = 120.0
# The longest wait between polls of a followed operation while AWS keeps failing.
_MAX_WAIT = 60.0


class Refused(ArtuiError):
    """An action artui did not send, and why."""

    kind = "refused"


@dataclass
class Underway:
    """A change to a service: its call in flight, then the operation it started."""

    change: Change
    service: Service
    since: float
    operation_id: str | None = None


@dataclass(frozen=True)
class Started:
    """A call's result: AWS's answer; `earlier` when an earlier attempt had started it."""

    applied: Applied
    earlier: bool = False

    @property
    def operation_id(self) -> str | None:
        """The operation the change started (None for one that starts none)."""
        return self.applied.operation_id


def outcome_unknown(error: ArtuiError) -> bool:
    """Whether a failed call may have started its operation anyway."""
    if isinstance(error, _REFUSED):
        return False
    return getattr(error, "code", None) not in _REFUSED_CODES


class Actions:
    """Every change artui sends, once each, and what is under way per service."""

    def __init__(self, *, read_only: bool, clock: Callable[[], float] = time.time) -> None:
        self.read_only = read_only
        self._clock = clock
        self.underway: dict[str, Underway] = {}  # by service ARN
        # Service ARN -> (change, the clock's time) of a call whose outcome is unknown.
        self.uncertain: dict[str, tuple[Change, float]] = {}
        # Service ARN -> the operation the operator's last change there started (or an
        # earlier attempt turned out to have started), kept after it ends: the activity
        # puts its cursor on it, so `enter` opens the log of what the operator just did.
        self.started: dict[str, str] = {}

    def refusal(
        self, service: Service, change: Change, domains: CustomDomains | None = None
    ) -> str | None:
        """Why `change` will not be sent for `service` now, or None if it may be."""
        if self.read_only:
            return READ_ONLY
        underway = self.underway.get(service.arn)
        if underway is not None:
            age = ago(self._clock() - underway.since)
            what = (
                "its call is in flight"
                if underway.operation_id is None
                else (f"operation {underway.operation_id} is running")
            )
            if underway.change.name == change.name:
                return f"{change.name} is already under way ({what}, started {age})"
            return (
                f"{underway.change.name} is under way ({what}, started {age}): the service "
                "accepts no change until it ends"
            )
        return change.refusal(service, domains)

    async def perform(
        self,
        apprunner: AppRunnerPort,
        service: Service,
        change: Change,
        domains: CustomDomains | None = None,
    ) -> Started:
        """Send `change` for `service` once, unless refused (raises Refused) or an earlier
        attempt whose answer was lost turns out to have started it. `domains`: the
        service's custom domains as last read, for the changes whose rules need them."""
        reason = self.refusal(service, change, domains)
        if reason is not None:
            raise Refused(reason)
        self.underway[service.arn] = Underway(change, service, self._clock())
        try:
            earlier = await self._earlier_attempt(apprunner, service, change)
            if earlier is not None:
                self.underway[service.arn].operation_id = earlier
                self.started[service.arn] = earlier
                return Started(Applied(operation_id=earlier), earlier=True)
            attempt = self._clock()
            try:
                applied = await apprunner.apply(service.region, service.arn, change)
            except ArtuiError as exc:
                if outcome_unknown(exc) and change.operation_type is not None:
                    self.uncertain[service.arn] = (change, attempt)
                raise
        except BaseException:
            del self.underway[service.arn]
            raise
        if applied.operation_id is None:
            # Nothing to follow: the change is done once AWS has answered.
            del self.underway[service.arn]
        else:
            self.underway[service.arn].operation_id = applied.operation_id
            self.started[service.arn] = applied.operation_id
        return Started(applied)

    async def _earlier_attempt(
        self, apprunner: AppRunnerPort, service: Service, change: Change
    ) -> str | None:
        """The operation a lost-answer attempt of `change` started, if it did."""
        lost = self.uncertain.pop(service.arn, None)
        if lost is None:
            return None
        lost_change, at = lost
        if lost_change != change:
            return None
        page = await apprunner.list_operations(service.region, service.arn, None)
        for op in page.operations:
            if (
                op.type is change.operation_type
                and op.started_at is not None
                and op.started_at.timestamp() >= at - _SKEW
            ):
                return op.id
        return None

    async def follow(
        self,
        apprunner: AppRunnerPort,
        store: Store,
        scope: Scope,
        service: Service,
        operation_id: str,
        interval: float,
        on_poll: Callable[[], None] = lambda: None,
    ) -> Operation | None:
        """Poll the service's operations into `store` until `operation_id` has ended; the
        ended operation (None if it never showed up in the newest pages)."""
        wait = 0.0
        misses = 0
        try:
            while True:
                await asyncio.sleep(wait)
                try:
                    first = await apprunner.list_operations(service.region, service.arn, None)
                except ArtuiError:
                    # The list's own poll reports the outage; keep following, slower.
                    wait = min(max(wait, interval) * 2, _MAX_WAIT)
                    continue
                held = store.get(KIND, scope, service.arn).value
                store.put(KIND, scope, merge(first, held), self._clock(), service.arn)
                on_poll()
                wait = interval
                op = next((o for o in first.operations if o.id == operation_id), None)
                if op is None:
                    misses += 1
                    if misses >= 3:  # not among the newest: AWS has lost it, or moved on
                        return None
                    continue
                if not op.running:
                    return op
        finally:
            underway = self.underway.get(service.arn)
            if underway is not None and underway.operation_id == operation_id:
                del self.underway[service.arn]
