"""Last known state per scope: what every screen renders and none owns.

State is keyed by kind ("services"; operations, domains, metric series and log buffers as
their panes land), by scope (profile, region) and by an optional key within the scope (a
service ARN), so a second profile adds entries, not rework.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Generic, NamedTuple, TypeVar

from artui.domain.errors import ArtuiError
from artui.engine.journal import Journal

T = TypeVar("T")


class Kind(str, Generic[T]):
    """A kind of state, typed by what it holds: `Kind[OperationsPage]` gets and puts
    `OperationsPage`s. It is its kind's name too, for messages and keys."""

    __slots__ = ()


class Scope(NamedTuple):
    """Where data comes from: an AWS profile (None: botocore's default) and a region."""

    profile: str | None
    region: str


@dataclass(frozen=True)
class Known(Generic[T]):
    """The last good answer, when it came, and what went wrong since (if anything)."""

    value: T | None = None
    fetched_at: float | None = None
    error: ArtuiError | None = None
    # The most recent failure, kept after recovery: (when, message).
    last_error: tuple[float, str] | None = None


class Store:
    """Every piece of last known state, by (kind, scope, key)."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, Scope, str], Known[Any]] = {}
        self.journal = Journal()

    def get(self, kind: Kind[T], scope: Scope, key: str = "") -> Known[T]:
        """What is known (an empty Known when nothing is)."""
        known: Known[T] = self._known.get((kind, scope, key), Known())
        return known

    def put(self, kind: Kind[T], scope: Scope, value: T, at: float, key: str = "") -> None:
        """Record a good answer; clears the current error, keeps the last one."""
        known = self.get(kind, scope, key)
        self._known[(kind, scope, key)] = replace(known, value=value, fetched_at=at, error=None)

    def fail(
        self, kind: Kind[Any], scope: Scope, error: ArtuiError, at: float, key: str = ""
    ) -> None:
        """Record a failure; the last good answer stays."""
        known = self.get(kind, scope, key)
        where = f"{scope.profile}/{scope.region}" if scope.profile else scope.region
        message = f"{where}: {error}"
        self._known[(kind, scope, key)] = replace(known, error=error, last_error=(at, message))
