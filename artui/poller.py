"""The refresh engine: lists services in every region concurrently, on an interval.

It keeps the last list each region returned, so a failed poll leaves the last known
services in place (with their age) beside the error. It knows nothing of Textual: the
UI hands it a callback.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from artui.domain import Service
from artui.errors import ArtuiError, AuthError, ThrottledError

Fetch = Callable[[str], Awaitable[list[Service]]]


@dataclass(frozen=True)
class Snapshot:
    """What the services screen shows: last known services, their age, and any errors."""

    services: tuple[Service, ...]
    regions: tuple[str, ...]
    fetched_at: dict[str, float] = field(default_factory=dict)
    errors: dict[str, ArtuiError] = field(default_factory=dict)
    polling: bool = False
    # The most recent failure, kept after recovery: (when, "region: message").
    last_error: tuple[float, str] | None = None

    @property
    def loaded(self) -> bool:
        """True once any region has answered."""
        return bool(self.fetched_at)

    def age(self, now: float) -> float | None:
        """Seconds since the oldest region's last good answer."""
        if not self.fetched_at:
            return None
        return now - min(self.fetched_at.values())

    @property
    def stale(self) -> bool:
        return bool(self.errors)


class Poller:
    """Polls `fetch` for each region every `interval` seconds, backing off on failure."""

    def __init__(
        self,
        fetch: Fetch,
        regions: Sequence[str],
        interval: float = 5.0,
        *,
        clock: Callable[[], float] = time.time,
        max_backoff: float = 60.0,
    ) -> None:
        self._fetch = fetch
        self.regions = tuple(regions)
        self.interval = interval
        self._clock = clock
        self._max_backoff = max_backoff
        self._services: dict[str, tuple[Service, ...]] = {}
        self._fetched_at: dict[str, float] = {}
        self._errors: dict[str, ArtuiError] = {}
        self._last_error: tuple[float, str] | None = None
        self._failures = 0
        self._wake = asyncio.Event()

    def snapshot(self, *, polling: bool = False) -> Snapshot:
        """The current last-known state."""
        services = tuple(s for region in self.regions for s in self._services.get(region, ()))
        return Snapshot(
            services=services,
            regions=self.regions,
            fetched_at=dict(self._fetched_at),
            errors=dict(self._errors),
            last_error=self._last_error,
            polling=polling,
        )

    async def _poll_region(self, region: str) -> None:
        try:
            services = await self._fetch(region)
        except Exception as exc:
            # An unmapped library error or a bug is shown like any other, and polling goes on.
            error = (
                exc if isinstance(exc, ArtuiError) else ArtuiError(f"{type(exc).__name__}: {exc}")
            )
            self._errors[region] = error
            self._last_error = (self._clock(), f"{region}: {error}")
        else:
            self._store(region, services, self._clock())

    def _store(self, region: str, services: list[Service], fetched_at: float) -> None:
        # AWS promises no order; sorted rows do not jump between polls.
        self._services[region] = tuple(sorted(services, key=lambda s: (s.name, s.arn)))
        self._fetched_at[region] = fetched_at
        self._errors.pop(region, None)

    def seed(self, services: dict[str, list[Service]], fetched_at: float) -> None:
        """Take a list fetched elsewhere (the startup prefetch) as the last known state."""
        for region, listed in services.items():
            if region in self.regions:
                self._store(region, listed, fetched_at)

    async def refresh(self) -> Snapshot:
        """Poll every region once, concurrently, and return the new snapshot."""
        await asyncio.gather(*(self._poll_region(r) for r in self.regions))
        self._failures = self._failures + 1 if self._errors else 0
        return self.snapshot()

    def next_delay(self) -> float:
        """The interval, doubled per consecutive failing poll, up to the cap."""
        if not self._failures:
            return self.interval
        if any(isinstance(e, AuthError) for e in self._errors.values()):
            # Credentials do not fix themselves in seconds; do not hammer STS or SSO.
            return self._max_backoff
        factor = 2 ** min(self._failures, 6)
        if any(isinstance(e, ThrottledError) for e in self._errors.values()):
            factor *= 2
        return min(self.interval * factor, self._max_backoff)

    def refresh_now(self) -> None:
        """Cut the current wait short: the next poll starts at once."""
        self._wake.set()

    async def run(self, on_snapshot: Callable[[Snapshot], None]) -> None:
        """Poll forever, calling `on_snapshot` before and after each poll."""
        while True:
            # Cleared before the poll, so `r` pressed during it starts the next one at once.
            self._wake.clear()
            on_snapshot(self.snapshot(polling=True))
            on_snapshot(await self.refresh())
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.next_delay())
            except asyncio.TimeoutError:
                pass
