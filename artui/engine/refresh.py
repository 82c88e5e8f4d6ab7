"""The refresh engine: one list per scope, polled on an adaptive interval with backoff.

Every list artui shows (services now; operations, domains and metrics as their panes land)
goes through a `Refresher`: each scope is fetched concurrently, answers and failures go to
the `Store` (so the last known data stays, with its age, beside the error), and the next
poll is scheduled by `Cadence`. A stream such as Live Tail is not polled; it belongs in a
sibling module (`engine/tail.py`) that writes batches into the same store.

The rule for the next poll (`Cadence.delay`):

- after a failure, back off: the interval doubled per consecutive failing poll, up to
  `max_backoff` (60 s); straight to `max_backoff` for a credential error, and twice as long
  while throttled;
- while something is in progress (a service OPERATION_IN_PROGRESS, a running operation) or
  within `hurry_window` (60 s) of the operator acting or pressing `r`: every `busy_interval`
  (when set, for lists that should watch a change closely) or `interval` (the settings');
- otherwise the wait doubles with each poll that changed nothing, up to `interval *
  quiet_factor` (30 s by default), and drops back to `interval` on any change.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from artui.domain.errors import ArtuiError, AuthError, ThrottledError, as_artui_error
from artui.engine.journal import Failure
from artui.engine.store import Kind, Scope, Store

T = TypeVar("T")
Fetch = Callable[[Scope], Awaitable[T]]


@dataclass(frozen=True)
class Cadence:
    """How often to poll: see the module's docstring for the rule."""

    interval: float = 5.0
    quiet_factor: float = 6.0
    max_backoff: float = 60.0
    hurry_window: float = 60.0
    busy_interval: float | None = None

    def delay(
        self,
        *,
        failures: int,
        errors: Sequence[ArtuiError],
        busy: bool,
        hurried: bool,
        quiet_polls: int,
    ) -> float:
        """Seconds until the next poll."""
        if failures:
            if any(isinstance(e, AuthError) for e in errors):
                # Credentials do not fix themselves in seconds; do not hammer STS or SSO.
                return self.max_backoff
            factor = 2.0 ** min(failures, 6)
            if any(isinstance(e, ThrottledError) for e in errors):
                factor *= 2
            return min(self.interval * factor, self.max_backoff)
        if busy or hurried:
            return self.busy_interval or self.interval
        return min(self.interval * 2.0 ** min(quiet_polls, 10), self.interval * self.quiet_factor)


class Refresher(Generic[T]):
    """Polls `fetch` for each scope into `store` under `kind`, forever, on the cadence."""

    def __init__(
        self,
        kind: Kind[T],
        fetch: Fetch[T],
        scopes: Sequence[Scope],
        store: Store,
        cadence: Cadence | None = None,
        *,
        clock: Callable[[], float] = time.time,
        busy: Callable[[T | None], bool] = lambda value: False,
        on_update: Callable[[bool], None] = lambda polling: None,
        key: str = "",
        operation: str = "",
    ) -> None:
        self.kind = kind
        # The AWS operation behind the list, as the errors view names it.
        self.operation = operation or kind
        self.scopes = tuple(scopes)
        self.store = store
        self.cadence = cadence or Cadence()
        self.key = key
        self._fetch = fetch
        self._clock = clock
        self._busy = busy
        self._on_update = on_update
        self._failures = 0
        self._quiet_polls = 0
        self._hurried_at: float | None = None
        self._wake = asyncio.Event()

    async def _poll(self, scope: Scope) -> bool:
        before = self.store.get(self.kind, scope, self.key).value
        try:
            value = await self._fetch(scope)
        except Exception as exc:
            # An unmapped library error or a bug is shown like any other, and polling goes on.
            error = as_artui_error(exc, f"{self.operation} in {scope.region}")
            self.store.fail(self.kind, scope, error, self._clock(), self.key)
            return False
        self.store.put(self.kind, scope, value, self._clock(), self.key)
        return bool(value != before)

    async def refresh(self) -> bool:
        """Poll every scope once, concurrently; True if any answer differs from the last."""
        failing = {s for s in self.scopes if self.store.get(self.kind, s, self.key).error}
        changed = any(await asyncio.gather(*(self._poll(s) for s in self.scopes)))
        self._failures = self._failures + 1 if self.errors() else 0
        # A failing poll is not a quiet one: after recovery the quiet pace starts over.
        self._quiet_polls = 0 if changed or self._failures else self._quiet_polls + 1
        if self._failures:
            self._journal(failing)
        return changed

    def _journal(self, failing_before: set[Scope]) -> None:
        delay = self.next_delay()
        for scope in self.scopes:
            known = self.store.get(self.kind, scope, self.key)
            if known.error is None:
                continue
            kept = "the last good data stays on screen" if known.value is not None else "no data"
            self.store.journal.add(
                Failure(
                    at=self._clock(),
                    region=scope.region,
                    operation=self.operation,
                    message=str(known.error),
                    next_step=f"artui tries again in {delay:.0f}s; {kept}",
                    first=scope not in failing_before,
                )
            )

    def errors(self) -> list[ArtuiError]:
        """The current error of each failing scope."""
        found = (self.store.get(self.kind, s, self.key).error for s in self.scopes)
        return [e for e in found if e is not None]

    def busy(self) -> bool:
        """True while any scope's last known value has something in progress."""
        return any(self._busy(self.store.get(self.kind, s, self.key).value) for s in self.scopes)

    def next_delay(self) -> float:
        """Seconds until the next poll, by the cadence's rule."""
        hurried = (
            self._hurried_at is not None
            and self._clock() - self._hurried_at < self.cadence.hurry_window
        )
        return self.cadence.delay(
            failures=self._failures,
            errors=self.errors(),
            busy=self.busy(),
            hurried=hurried,
            quiet_polls=self._quiet_polls,
        )

    def refresh_now(self) -> None:
        """Cut the current wait short, and keep the quick pace for a while (`r`, an action)."""
        self._hurried_at = self._clock()
        self._wake.set()

    async def run(self) -> None:
        """Poll forever, calling `on_update(True)` as each poll starts and `(False)` after."""
        while True:
            # Cleared before the poll, so `r` pressed during it starts the next one at once.
            self._wake.clear()
            self._on_update(True)
            await self.refresh()
            self._on_update(False)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.next_delay())
            except asyncio.TimeoutError:
                pass
