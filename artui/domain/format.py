"""Every number and time as artui writes it: ages, durations, sizes, rates, shares, chart
periods and clock times. One module, so that every screen says the same thing the same way.

Clock times are written in one zone for the whole app: the machine's local zone, or UTC
(the `timezone` setting, applied once with `use_timezone`). Screens name that zone beside
the times they show (`zone_label`).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Literal

from artui.domain.series import Series

Zone = Literal["local", "utc"]
ZONES: tuple[Zone, ...] = ("local", "utc")

# The zone clock times are written in. Module state, set once at start from the settings:
# every formatter (and the log view's stamps) must agree, and a zone passed along every
# call would reach places that have no settings to hand.
_zone: Zone = "local"


def use_timezone(zone: Zone) -> None:
    """Write every clock time in `zone` from now on: 'local' (the machine's) or 'utc'."""
    global _zone
    if zone not in ZONES:
        raise ValueError(f"unknown zone {zone!r} (one of {', '.join(ZONES)})")
    _zone = zone


def zone_in_use() -> Zone:
    """The zone clock times are written in."""
    return _zone


def _parts(at: float) -> time.struct_time:
    return time.gmtime(at) if _zone == "utc" else time.localtime(at)


def time_text(at: float, fmt: str) -> str:
    """`at` (epoch seconds) as strftime's `fmt` writes it, in the zone in use."""
    return time.strftime(fmt, _parts(at))


def utc_offset(at: float) -> int:
    """Seconds east of UTC of the zone in use at `at`: where its midnights and hours fall."""
    return _parts(at).tm_gmtoff


def zone_label(at: float) -> str:
    """The zone's name as a time at `at` is labelled: 'UTC', or the local abbreviation
    ('CET', 'CEST': it follows daylight saving time)."""
    return "UTC" if _zone == "utc" else time.strftime("%Z", time.localtime(at)) or "local"


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


def _units(value: str | None, per: int, unit: str) -> str:
    # Only plain ASCII digits are a count: str.isdigit() also accepts '²', which int() refuses.
    if not value:
        return "—"
    if value.isascii() and value.isdigit():
        return f"{int(value) / per:g} {unit}"
    return value  # AWS's own words ('1 vCPU'), or something new: shown as it came


def cpu_label(cpu: str | None) -> str:
    """App Runner reports CPU in CPU units ('1024') or vCPU ('1 vCPU')."""
    return _units(cpu, 1024, "vCPU")


def memory_label(memory: str | None) -> str:
    """App Runner reports memory in MB ('2048') or GB ('2 GB')."""
    return _units(memory, 1024, "GB")


def duration(seconds: float | None) -> str:
    """'42s', '3m05s', '2h07m', '3d04h'; '—' when unknown."""
    if seconds is None:
        return "—"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    if seconds < 86400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"


def rpm_text(rpm: float) -> str:
    """Requests a minute in at most five characters (`8.5`, `240`, `1.2k`, `38k`)."""
    if rpm < 10 and rpm != int(rpm):
        return f"{rpm:.1f}"
    if rpm < 1000:
        return f"{rpm:.0f}"
    if rpm < 10_000:
        return f"{rpm / 1000:.1f}k"
    if rpm < 1_000_000:
        return f"{rpm / 1000:.0f}k"
    return f"{rpm / 1_000_000:.1f}M"


def latency_text(ms: float | None) -> str:
    """Latency in at most five characters (`85ms`, `1.2s`); `—` without data."""
    if ms is None:
        return "—"
    if ms < 999.5:
        return f"{ms:.0f}ms"
    return f"{ms / 1000:.1f}s" if ms < 99_950 else f"{ms / 1000:.0f}s"


def share_text(share: float | None, hurting: bool) -> str:
    """The 5xx share (`0.4%`, `12.5%`), marked `!` at or over the threshold."""
    if share is None:
        return "—"
    text = "100%" if share >= 99.95 else f"{share:.1f}%"
    return f"!{text}" if hurting else text


def period_words(period: int) -> str:
    """'a point a minute', 'a point every 5 minutes', 'a point an hour'."""
    if period == 60:
        return "a point a minute"
    if period == 3600:
        return "a point an hour"
    if period % 3600 == 0:
        return f"a point every {period // 3600} hours"
    return f"a point every {period // 60} minutes"


def per_words(period: int) -> str:
    """'per minute', 'per 5 minutes', 'per hour': what one point of a count adds up."""
    if period == 60:
        return "per minute"
    if period == 3600:
        return "per hour"
    return f"per {period // 60} minutes"


def clock_time(at: float, with_day: bool = False) -> str:
    """HH:MM in the zone in use (with the weekday for a range longer than a day)."""
    return time_text(at, "%a %H:%M" if with_day else "%H:%M")


def range_text(start: float, end: float) -> str:
    """A time range's ends to the same precision, the minute: '08:06–11:06', both with the
    date when they fall on different days ('11-11 11:06–11-18 11:06')."""
    same_day = time_text(start, "%Y-%m-%d") == time_text(end, "%Y-%m-%d")
    fmt = "%H:%M" if same_day else "%m-%d %H:%M"
    return f"{time_text(start, fmt)}–{time_text(end, fmt)}"


def latest(series: Series) -> str:
    """The newest value, as a legend shows it ('—' when there is none)."""
    if not series.points:
        return "—"
    value = series.points[-1][1]
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:.1f}"


def moment_text(moment: datetime | None, fmt: str) -> str:
    """`moment` in the zone in use as `fmt` writes it; '—' when unknown."""
    return time_text(moment.timestamp(), fmt) if isinstance(moment, datetime) else "—"


def span_texts(start: datetime | None, end: datetime | None) -> tuple[str, str]:
    """A start and an end to the same precision, the second: '2026-11-18 09:12:03' and
    '09:14:30', the end's date written only when it is not the start's ('11-19 00:01:10').
    '—' for an unknown one."""
    first = moment_text(start, "%Y-%m-%d %H:%M:%S")
    if end is None:
        return first, "—"
    same_day = start is not None and moment_text(start, "%Y-%m-%d") == moment_text(end, "%Y-%m-%d")
    return first, moment_text(end, "%H:%M:%S" if same_day else "%m-%d %H:%M:%S")


def when_text(moment: datetime | None, now: float) -> str:
    """'2026-11-18 09:12:03 UTC (3h ago)': a time to the second, its zone, how long ago."""
    if moment is None:
        return "—"
    at = moment.timestamp()
    return f"{time_text(at, '%Y-%m-%d %H:%M:%S')} {zone_label(at)} ({since(moment, now)})"


def window_label(seconds: float) -> str:
    """5m, 15m, 1h, 6h."""
    return f"{seconds / 3600:g}h" if seconds >= 3600 else f"{seconds / 60:g}m"
