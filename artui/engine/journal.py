"""Recent errors in full: what the status line has no room for, and what `e` lists.

Every failure artui meets (an AWS call that failed, a credential problem, a bug caught while
drawing) is recorded here with when, where, which operation, the whole message, and what
artui does next. The first failure of a run of failures is also written to the log file.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace

from artui.logfile import logger

# Enough for an incident's worth of errors; a long outage repeats, it does not need more.
KEPT = 50


@dataclass(frozen=True)
class Failure:
    """One error: when, where (a region, or '' when none applies), what failed and why."""

    at: float
    region: str
    operation: str
    message: str
    next_step: str
    # True for the first failure after a good answer: the moment worth telling the operator.
    first: bool = True
    # The same failure again (region, operation, message): how often, and since when.
    count: int = 1
    since: float | None = None


class Journal:
    """The most recent failures, newest last."""

    def __init__(self) -> None:
        self._entries: deque[Failure] = deque(maxlen=KEPT)
        self.added = 0  # ever, so a reader can tell what is new since it last looked

    def add(self, failure: Failure) -> None:
        """Record a failure; the first of a run is logged too. A repeat of the newest entry
        with the same region, operation and message is counted on it, not listed again."""
        for entry in reversed(self._entries):
            if (entry.region, entry.operation) == (failure.region, failure.operation):
                if entry.message == failure.message and not failure.first:
                    self._entries.remove(entry)
                    failure = replace(failure, count=entry.count + 1, since=entry.since or entry.at)
                break
        self._entries.append(failure)
        self.added += 1
        if failure.first:
            where = f"{failure.region} " if failure.region else ""
            logger().warning("%s%s failed: %s", where, failure.operation, failure.message)

    def __iter__(self) -> Iterator[Failure]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def since(self, count: int) -> list[Failure]:
        """The failures added after the first `count` (as `added` counted them)."""
        new = min(self.added - count, len(self._entries))
        return list(self._entries)[len(self._entries) - new :] if new > 0 else []
