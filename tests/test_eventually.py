"""The tests' one wait: it ends as soon as its condition holds, and fails saying what it
waited for (the tiny timeouts here test the failure itself, not a hope)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.eventually import eventually, eventually_async


def counting(ready_at: int) -> tuple[list[int], Callable[[], list[int]]]:
    """A probe that holds from its `ready_at`th call on, and the record of its calls."""
    calls: list[int] = []

    def probe() -> list[int]:
        calls.append(len(calls))
        return calls[:] if len(calls) >= ready_at else []

    return calls, probe


def test_returns_the_first_truthy_value_at_once() -> None:
    calls, probe = counting(3)
    paused: list[None] = []
    assert eventually(probe, "three calls", pause=lambda: paused.append(None)) == [0, 1, 2]
    assert len(calls) == 3 and len(paused) == 2  # no pause after the probe held


def test_fails_naming_what_and_the_last_value() -> None:
    with pytest.raises(AssertionError) as err:
        eventually(lambda: [], "a list with something in it", pause=0, timeout=0.01)
    assert str(err.value) == (
        "gave up after 0.01s waiting for a list with something in it (last seen: [])"
    )
    with pytest.raises(AssertionError) as err:
        eventually(lambda: False, lambda: "a text made at the end", pause=0, timeout=0)
    assert str(err.value) == "gave up after 0s waiting for a text made at the end"


async def test_async_runs_the_pause_between_polls() -> None:
    calls, probe = counting(2)
    steps: list[None] = []

    async def step() -> None:
        steps.append(None)

    assert await eventually_async(probe, "two calls", pause=step) == [0, 1]
    assert len(steps) == 1
    with pytest.raises(AssertionError, match="waiting for never"):
        await eventually_async(lambda: 0, "never", pause=0, timeout=0)
