"""Short human forms of times and sizes, as the tables show them."""

from __future__ import annotations

from datetime import datetime


def ago(seconds: float | None) -> str:
    """'12s ago', '5m ago', '3h ago', '2d ago'; '—' when unknown."""
    if seconds is None:
        return "—"
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def since(moment: datetime | None, now: float) -> str:
    """How long before `now` (epoch seconds) `moment` was."""
    return ago(None if moment is None else now - moment.timestamp())


def cpu_label(cpu: str | None) -> str:
    """App Runner reports CPU in CPU units ('1024') or vCPU ('1 vCPU')."""
    if not cpu:
        return "—"
    return f"{int(cpu) / 1024:g} vCPU" if cpu.isdigit() else cpu


def memory_label(memory: str | None) -> str:
    """App Runner reports memory in MB ('2048') or GB ('2 GB')."""
    if not memory:
        return "—"
    return f"{int(memory) / 1024:g} GB" if memory.isdigit() else memory
