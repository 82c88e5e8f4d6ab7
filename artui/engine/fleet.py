"""Several profiles seen as one fleet: a session per account, one list across them all.

Each profile connects, polls and fails on its own (an expired SSO login in one leaves the
others reading); a service's reads and changes go through the session of the profile it
was listed in (`Service.profile`). The app talks to the fleet as it would to one session.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from artui.domain.apprunner import Identity, LogEvent, LogSource, Service
from artui.domain.series import Range
from artui.engine import services
from artui.engine.ports import Ask, Connector, Gateway
from artui.engine.services import Snapshot
from artui.engine.session import Session, Spawn
from artui.engine.store import Kind, Scope, Store
from artui.settings import Account, Settings


class Fleet:
    """Every account's session; the services list covers them all."""

    def __init__(
        self,
        settings: Settings,
        connector: Connector,
        store: Store,
        *,
        spawn: Spawn,
        changed: Callable[[str, str], None],
        failures: Callable[[], None],
        listed: Callable[[], None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        """The callbacks are each session's (see `Session`)."""
        self.settings = settings
        self.store = store
        self._connector = connector
        self._spawn = spawn
        self._callbacks = (changed, failures, listed, clock)
        self.sessions: tuple[Session, ...] = tuple(
            # The startup prefetch lists the first account.
            self._session(account, prefetched=n == 0)
            for n, account in enumerate(settings.accounts())
        )
        self._ask: Ask | None = None
        self._runs: dict[int, Any] = {}  # each session's run, by id(session)

    def _session(self, account: Account, prefetched: bool = False) -> Session:
        changed, failures, listed, clock = self._callbacks
        return Session(
            self.settings,
            self._connector,
            self.store,
            spawn=self._spawn,
            changed=changed,
            failures=failures,
            listed=listed,
            clock=clock,
            account=account,
            prefetched=prefetched,
        )

    @property
    def several(self) -> bool:
        """True when the list covers more than one profile."""
        return len(self.sessions) > 1

    def session_of(self, profile: str | None) -> Session:
        """The session of `profile` (the first one for a service from no profile's list)."""
        return next((s for s in self.sessions if s.profile == profile), self.sessions[0])

    # -- state -------------------------------------------------------------------------

    @property
    def scopes(self) -> tuple[Scope, ...]:
        """Every (profile, region) pair, profile by profile."""
        return tuple(scope for session in self.sessions for scope in session.scopes)

    @property
    def snapshot(self) -> Snapshot | None:
        """The whole fleet's list as last known; None before any region is known."""
        scopes = self.scopes
        if not scopes:
            return None
        polling = any(session.polling for session in self.sessions)
        return services.snapshot(self.store, scopes, polling=polling)

    @property
    def connect_error(self) -> str | None:
        """Why nothing can be read: set only when every profile failed to connect."""
        errors = [s.connect_error for s in self.sessions]
        if any(error is None for error in errors):
            return None
        if not self.several:
            return errors[0]
        return "; ".join(f"{s.profile or 'default'}: {s.connect_error}" for s in self.sessions)

    def identity_of(self, profile: str | None) -> Identity | None:
        """Who `profile` acts as, once read."""
        return self.session_of(profile).identity

    def scope_of(self, service: Service) -> Scope:
        """The scope a service was listed in."""
        return self.session_of(service.profile).scope_of(service)

    async def connected(self, profile: str | None = None) -> Gateway | None:
        """`profile`'s gateway once connecting has ended; None (see `error_of`) if it failed."""
        return await self.session_of(profile).connected()

    def error_of(self, profile: str | None) -> str | None:
        """Why `profile` did not connect (None: it did, or is connecting)."""
        return self.session_of(profile).connect_error

    def watched(self, kind: str) -> set[str]:
        """The service ARNs whose `kind` is read now, in any profile."""
        return {arn for session in self.sessions for arn in session.watched(kind)}

    # -- the list ----------------------------------------------------------------------

    async def run(self, ask: Ask) -> None:
        """Every profile's session, side by side, each in a task of its own."""
        self._ask = ask
        for session in self.sessions:
            self._start(session)

    def _start(self, session: Session) -> None:
        assert self._ask is not None
        name = f"profile {session.profile or 'default'}"
        self._runs[id(session)] = self._spawn(session.run(self._ask), name)

    # -- profiles and regions added and removed (the palette) --------------------------

    def accounts(self) -> tuple[Account, ...]:
        """The profiles shown now, each with its regions as connected."""
        return tuple(Account(s.profile, tuple(c.region for c in s.scopes)) for s in self.sessions)

    def show(self, accounts: tuple[Account, ...]) -> None:
        """Show exactly `accounts`: a profile new, or whose regions changed, connects afresh;
        one gone stops and leaves the list (its last data stays in the store, unshown)."""
        if self._ask is None or not accounts:
            return
        kept: dict[Account, Session] = {}
        for session, account in zip(self.sessions, self.accounts(), strict=True):
            if account in accounts:
                kept[account] = session
            else:
                self._end(session)
        self.sessions = tuple(kept.get(a) or self._session(a) for a in accounts)
        for session in self.sessions:
            if id(session) not in self._runs:
                self._start(session)
        self.refresh_now()

    def _end(self, session: Session) -> None:
        run = self._runs.pop(id(session), None)
        if run is not None:
            run.cancel()
        session.stop()
        self._spawn(session.close(), f"close {session.profile or 'default'}")

    def refresh_now(self) -> None:
        """`r`: read every list now, and connect again any profile that failed to."""
        for session in self.sessions:
            if self._ask is None or not session.reconnect(self._ask):
                session.refresh_now()

    def hurry(self, arn: str | None = None) -> None:
        """Poll the lists (and what a service's panes poll) now: something has changed."""
        for session in self.sessions:
            session.hurry(arn)

    # -- a service's reads, through its profile ----------------------------------------

    def watch(self, kind: Kind[Any], service: Service, on: bool) -> None:
        """Start (or stop) a pane's poll of `kind` for `service` (see `Session.watch`)."""
        self.session_of(service.profile).watch(kind, service, on)

    def watch_charts(self, service: Service, rng: Range | None) -> None:
        """Read a service's charts over `rng` (see `Session.watch_charts`)."""
        self.session_of(service.profile).watch_charts(service, rng)

    def tail(
        self,
        owner: int,
        service: Service,
        source: LogSource | None,
        since_ms: int,
        on_lines: Callable[[list[LogEvent]], None],
        on_state: Callable[[str], None],
    ) -> None:
        """Start the tail `owner` asked for (see `Session.tail`)."""
        session = self.session_of(service.profile)
        session.tail(owner, service, source, since_ms, on_lines, on_state)

    async def older_operations(self, service: Service) -> None:
        """Page in the next older operations of `service`."""
        await self.session_of(service.profile).older_operations(service)

    async def older_logs(
        self, service: Service, source: LogSource, before_ms: int, span_s: float, limit: int
    ) -> list[LogEvent]:
        """Lines of `source` before `before_ms`."""
        session = self.session_of(service.profile)
        return await session.older_logs(service, source, before_ms, span_s, limit)

    # -- the end -----------------------------------------------------------------------

    def abort(self) -> None:
        """The app is quitting: stop whatever connecting is waiting for."""
        for session in self.sessions:
            session.abort()

    async def close(self) -> None:
        """The app is quitting: close every gateway, then the demo's simulator."""
        for session in self.sessions:
            await session.close()
        await self._connector.close()
