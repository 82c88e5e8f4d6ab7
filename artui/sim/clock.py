"""The simulated clock: real time scaled, with instant jumps for tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class SimClock:
    """Simulated epoch seconds that run `scale` times faster than real time."""

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
        self._anchor_sim = time.time() if start is None else float(start)
        self._anchor_real = monotonic()
        self._scale = float(scale)

    def now(self) -> float:
        """Current simulated epoch seconds."""
        with self._lock:
            return self._anchor_sim + (self._monotonic() - self._anchor_real) * self._scale

    @property
    def scale(self) -> float:
        return self._scale

    def set_scale(self, scale: float) -> None:
        """Change the speed from now on, keeping the current simulated time."""
        if scale < 0:
            raise ValueError("scale must be >= 0")
        with self._lock:
            self._rebase()
            self._scale = float(scale)

    def advance(self, seconds: float) -> float:
        """Jump simulated time forward instantly; returns the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._rebase()
            self._anchor_sim += seconds
            return self._anchor_sim

    def _rebase(self) -> None:
        real = self._monotonic()
        self._anchor_sim += (real - self._anchor_real) * self._scale
        self._anchor_real = real
