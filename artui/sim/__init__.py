"""Local AWS App Runner simulator: App Runner's JSON API, AWS/AppRunner metrics computed on
demand, moto for the rest of CloudWatch and CloudWatch Logs, a demo world writing logs.

Importing this package is cheap: the server (and moto) load only when `Simulator` is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from artui.sim.server import Simulator

__all__ = ["Simulator"]


def __getattr__(name: str) -> Any:
    if name == "Simulator":
        from artui.sim.server import Simulator

        return Simulator
    raise AttributeError(f"module 'artui.sim' has no attribute {name!r}")
