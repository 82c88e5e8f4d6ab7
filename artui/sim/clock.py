"""The simulated clock: real time scaled, with instant jumps for tests."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

# Fastest the clock may run: a day of simulated time in under a tenth of a real second.
MAX_SCALE = 1_000_000.0
# Longest single jump: ten years of 365.25 days.
MAX_ADVANCE = 10 * 365.25 * 86_400
# 9999-12-31T23:59:59Z: later timestamps do not fit the datetimes botocore and artui parse.
END_OF_TIME = 253_402_300_799.0


class SimClock:
    """Simulated epoch seconds that run `scale` times faster than real time.

    Time is always finite, never runs backwards, and stops at END_OF_TIME.
    """

    def __init__(
        self,
        start: float | None = None,
        scale: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        # `monotonic` is the real-time source; tests pass their own to check the rate exactly.
        self._monotonic = monotonic
        self._lock = threading.Lock()
        anchor = time.time() if start is None else float(start)
        if not (math.isfinite(anchor) and 0 <= anchor <= END_OF_TIME):
            raise ValueError(f"start must be epoch seconds from 0 to {END_OF_TIME:.0f}")
        self._anchor_sim = anchor
        self._anchor_real = monotonic()
        self._scale = _checked_scale(scale)

    def now(self) -> float:
        """Current simulated epoch seconds."""
        with self._lock:
            return self._at(self._monotonic())

    @property
    def scale(self) -> float:
        """Simulated seconds per real second."""
        return self._scale

    def set_scale(self, scale: float) -> None:
        """Change the speed from now on, keeping the current simulated time."""
        checked = _checked_scale(scale)
        with self._lock:
            self._rebase()
            self._scale = checked

    def advance(self, seconds: float) -> float:
        """Jump simulated time forward instantly; returns the new time."""
        # `not (a <= x <= b)` rather than `x < a`: NaN fails every comparison.
        if not (math.isfinite(seconds) and 0 <= seconds <= MAX_ADVANCE):
            raise ValueError(f"advance must be a number of seconds from 0 to {MAX_ADVANCE:.0f}")
        with self._lock:
            self._rebase()
            if self._anchor_sim + seconds > END_OF_TIME:
                raise ValueError("advance would take the clock past 9999-12-31")
            self._anchor_sim += seconds
            return self._anchor_sim

    def _at(self, real: float) -> float:
        return min(self._anchor_sim + (real - self._anchor_real) * self._scale, END_OF_TIME)

    def _rebase(self) -> None:
        real = self._monotonic()
        self._anchor_sim = self._at(real)
        self._anchor_real = real


def _checked_scale(scale: float) -> float:
    if not (math.isfinite(scale) and 0 <= scale <= MAX_SCALE):
        raise ValueError(f"scale must be a number from 0 to {MAX_SCALE:.0f}")
    return float(scale)
