"""Every number and time as artui writes it, from the one formatting module."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

from artui.domain import format as fmt
from artui.domain.series import Series


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC for the test, whatever the machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "—"),
        (-3, "0s ago"),
        (12, "12s ago"),
        (300, "5m ago"),
        (3 * 3600, "3h ago"),
        (2 * 86400 + 5, "2d ago"),
    ],
)
def test_ago(seconds: float | None, text: str) -> None:
    assert fmt.ago(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "—"),
        (42, "42s"),
        (185, "3m05s"),
        (2 * 3600 + 420, "2h07m"),
        (3 * 86400 + 4 * 3600, "3d04h"),
    ],
)
def test_duration(seconds: float | None, text: str) -> None:
    assert fmt.duration(seconds) == text


def test_cpu_and_memory_in_units_or_as_aws_wrote_them() -> None:
    assert fmt.cpu_label("1024") == "1 vCPU"
    assert fmt.cpu_label("0.25 vCPU") == "0.25 vCPU"
    assert fmt.memory_label("2048") == "2 GB"
    assert fmt.memory_label("²") == "²"
    assert fmt.memory_label(None) == "—"


@pytest.mark.parametrize(
    ("rpm", "text"),
    [(8.5, "8.5"), (240, "240"), (1200, "1.2k"), (38_000, "38k"), (2_500_000, "2.5M")],
)
def test_rpm_text_fits_five_characters(rpm: float, text: str) -> None:
    assert fmt.rpm_text(rpm) == text


def test_latency_and_share() -> None:
    assert [fmt.latency_text(v) for v in (None, 85, 1200, 120_000)] == ["—", "85ms", "1.2s", "120s"]
    assert fmt.share_text(None, False) == "—"
    assert fmt.share_text(12.5, True) == "!12.5%"
    assert fmt.share_text(99.99, False) == "100%"


def test_chart_periods_in_words() -> None:
    assert [fmt.period_words(p) for p in (60, 300, 3600, 7200)] == [
        "a point a minute",
        "a point every 5 minutes",
        "a point an hour",
        "a point every 2 hours",
    ]
    assert [fmt.per_words(p) for p in (60, 300, 3600)] == [
        "per minute",
        "per 5 minutes",
        "per hour",
    ]


def test_latest_value_as_a_legend_shows_it() -> None:
    assert fmt.latest(Series(60)) == "—"
    assert fmt.latest(Series(60, ((0, 1.0), (60, 2.25)))) == "2.2"
    assert fmt.latest(Series(60, ((0, 1234.0),))) == "1,234"
    assert fmt.latest(Series(60, ((0, 3.0),))) == "3"


def test_local_times(utc: None) -> None:
    moment = datetime(2026, 11, 18, 9, 12, 3, tzinfo=timezone.utc)
    assert fmt.moment_text(moment, "%Y-%m-%d %H:%M") == "2026-11-18 09:12"
    assert fmt.moment_text(None, "%H:%M") == "—"
    assert (
        fmt.when_text(moment, moment.timestamp() + 3 * 3600) == "2026-11-18 09:12:03 UTC (3h ago)"
    )
    assert fmt.clock_time(moment.timestamp()) == "09:12"
    assert fmt.clock_time(moment.timestamp(), with_day=True) == "Wed 09:12"


def test_window_label() -> None:
    assert [fmt.window_label(s) for s in (300, 900, 3600, 6 * 3600)] == ["5m", "15m", "1h", "6h"]
