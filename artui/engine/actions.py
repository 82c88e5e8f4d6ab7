"""Actions: an intent checked against the rules, sent once, and followed to its end.

The order for every action: read-only refuses; an action already under way on the service
(its call in flight, or the operation it started still running) refuses; the guide's rules
for the service's status refuse (`artui.domain.refusal`); only then is the call sent, once
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

from artui.domain import Action, Operation, Service, refusal
from artui.engine.activity import KIND, merge
from artui.engine.ports import Gateway
from artui.engine.store import Scope, Store
from artui.errors import (
    ArtuiError,
    AuthError,
    InvalidStateError,
    NotFoundError,
    ReadOnlyError,
    ThrottledError,
)
from artui.humanize import ago

READ_ONLY = "artui is read-only (--read-only, or read_only: true in the settings file)"
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
    """An action on a service: its call in flight, then the operation it started."""

    action: Action
    service: Service
    since: float
    operation_id: str | None = None


@dataclass(frozen=True)
class Started:
    """A call's result: the operation it started; `earlier` when it was an earlier attempt's."""

    operation_id: str
    earlier: bool = False


def outcome_unknown(error: ArtuiError) -> bool:
    """Whether a failed call may have started its operation anyway."""
    if isinstance(error, _REFUSED):
        return False
    return getattr(error, "code", None) not in _REFUSED_CODES


class Actions:
    """Every action artui sends, once each, and what is under way per service."""

    def __init__(self, *, read_only: bool, clock: Callable[[], float] = time.time) -> None:
        self.read_only = read_only
        self._clock = clock
        self.underway: dict[str, Underway] = {}  # by service ARN
        # Service ARN -> (action, wall-clock time) of a call whose outcome is unknown.
        self.uncertain: dict[str, tuple[Action, float]] = {}

    def refusal(self, service: Service, action: Action) -> str | None:
        """Why `action` will not be sent for `service` now, or None if it may be."""
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
            if underway.action is action:
                return f"{action.value} is already under way ({what}, started {age})"
            return (
                f"{underway.action.value} is under way ({what}, started {age}): the service "
                "accepts no change until it ends"
            )
        return refusal(service.status, action)

    async def perform(self, gateway: Gateway, service: Service, action: Action) -> Started:
        """Send `action` for `service` once, unless refused (raises Refused) or an earlier
        attempt whose answer was lost turns out to have started it."""
        reason = self.refusal(service, action)
        if reason is not None:
            raise Refused(reason)
        self.underway[service.arn] = Underway(action, service, self._clock())
        try:
            earlier = await self._earlier_attempt(gateway, service, action)
            if earlier is not None:
                self.underway[service.arn].operation_id = earlier
                return Started(earlier, earlier=True)
            attempt = self._clock()
            try:
                operation_id = await gateway.act(service.region, service.arn, action)
            except ArtuiError as exc:
                if outcome_unknown(exc):
                    self.uncertain[service.arn] = (action, attempt)
                raise
        except BaseException:
            del self.underway[service.arn]
            raise
        self.underway[service.arn].operation_id = operation_id
        return Started(operation_id)

    async def _earlier_attempt(
        self, gateway: Gateway, service: Service, action: Action
    ) -> str | None:
        """The operation a lost-answer attempt of `action` started, if it did."""
        lost = self.uncertain.pop(service.arn, None)
        if lost is None:
            return None
        lost_action, at = lost
        if lost_action is not action:
            return None
        page = await gateway.list_operations(service.region, service.arn, None)
        for op in page.operations:
            if (
                op.type is action.operation_type
                and op.started_at is not None
                and op.started_at.timestamp() >= at - _SKEW
            ):
                return op.id
        return None

    async def follow(
        self,
        gateway: Gateway,
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
                    first = await gateway.list_operations(service.region, service.arn, None)
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
