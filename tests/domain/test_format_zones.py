"""Clock times in one zone for the whole app: the machine's, or UTC (`timezone: utc`),
each time written with its zone's name, a start and an end to one precision."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from artui.domain import format as fmt

# 2026-11-18 09:12:03 UTC: 10:12:03 in Paris (CET), 04:12:03 in New York (EST).
MOMENT = datetime(2026, 11, 18, 9, 12, 3, tzinfo=timezone.utc)
AT = MOMENT.timestamp()


@pytest.fixture
def paris(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's zone is Paris's, and artui starts on local times; both restored."""
    # A POSIX rule, not a zoneinfo name: it needs no tz database on the machine.
    monkeypatch.setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")
    time.tzset()
    fmt.use_timezone("local")
    yield
    fmt.use_timezone("local")
    monkeypatch.undo()
    time.tzset()


def test_local_is_the_default_and_names_the_machines_zone(paris: None) -> None:
    assert fmt.zone_in_use() == "local"
    assert fmt.clock_time(AT) == "10:12"
    assert fmt.time_text(AT, "%H:%M:%S") == "10:12:03"
    assert fmt.zone_label(AT) == "CET"
    # Summer time is named as it is at that moment.
    assert fmt.zone_label(datetime(2026, 7, 1, tzinfo=timezone.utc).timestamp()) == "CEST"
    assert fmt.utc_offset(AT) == 3600
    assert fmt.when_text(MOMENT, AT + 60) == "2026-11-18 10:12:03 CET (1m ago)"


def test_utc_writes_every_time_in_utc_whatever_the_machines_zone(paris: None) -> None:
    fmt.use_timezone("utc")
    assert fmt.zone_in_use() == "utc"
    assert fmt.clock_time(AT) == "09:12"
    assert fmt.clock_time(AT, with_day=True) == "Wed 09:12"
    assert fmt.moment_text(MOMENT, "%Y-%m-%d %H:%M") == "2026-11-18 09:12"
    assert fmt.zone_label(AT) == "UTC"
    assert fmt.utc_offset(AT) == 0
    assert fmt.when_text(MOMENT, AT + 3 * 3600) == "2026-11-18 09:12:03 UTC (3h ago)"


def test_an_unknown_zone_is_refused(paris: None) -> None:
    with pytest.raises(ValueError, match="unknown zone 'cet'"):
        fmt.use_timezone("cet")  # type: ignore[arg-type]
    assert fmt.zone_in_use() == "local"


def test_a_start_and_an_end_share_one_precision(paris: None) -> None:
    fmt.use_timezone("utc")
    ended = MOMENT + timedelta(minutes=2, seconds=27)
    assert fmt.span_texts(MOMENT, ended) == ("2026-11-18 09:12:03", "09:14:30")
    # Past midnight (in the zone in use) the end says its day too.
    late = MOMENT + timedelta(hours=15)
    assert fmt.span_texts(MOMENT, late) == ("2026-11-18 09:12:03", "11-19 00:12:03")
    assert fmt.span_texts(MOMENT, None) == ("2026-11-18 09:12:03", "—")
    assert fmt.span_texts(None, None) == ("—", "—")


def test_the_day_of_a_span_is_the_zones_day(paris: None) -> None:
    # 23:30 to 00:30 UTC is one day in Paris (00:30 to 01:30) but two in UTC.
    start = datetime(2026, 11, 17, 23, 30, tzinfo=timezone.utc)
    end = start + timedelta(hours=1)
    assert fmt.span_texts(start, end) == ("2026-11-18 00:30:00", "01:30:00")
    fmt.use_timezone("utc")
    assert fmt.span_texts(start, end) == ("2026-11-17 23:30:00", "11-18 00:30:00")


def test_a_range_writes_both_ends_alike(paris: None) -> None:
    fmt.use_timezone("utc")
    assert fmt.range_text(AT - 3 * 3600, AT) == "06:12–09:12"
    assert fmt.range_text(AT - 7 * 86400, AT) == "11-11 09:12–11-18 09:12"
