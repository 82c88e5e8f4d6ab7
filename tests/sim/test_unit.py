"""The simulator's pieces without a server: clock, seeding, lifecycle arithmetic."""

from __future__ import annotations

from typing import Any

import pytest

from artui.sim.apprunner.configs import AutoScalingConfiguration
from artui.sim.apprunner.operations import DURATIONS, PENDING_FRACTION, Operation
from artui.sim.apprunner.paging import Pager
from artui.sim.apprunner.services import ServiceRecord
from artui.sim.clock import END_OF_TIME, MAX_ADVANCE, MAX_SCALE, SimClock
from artui.sim.errors import ApiError
from artui.sim.seed import seed_region, service_name
from artui.sim.server import DEMO_SERVICES, DEMO_SPEEDUP

START = 1_700_000_000.0


def _seed(region: str, count: int, seed: int, now: float, **options: Any) -> list[ServiceRecord]:
    """seed_region with the region's own default auto scaling configuration."""
    config = AutoScalingConfiguration(region, now - 30 * 86400)
    return seed_region(region, count, seed, now, autoscaling=config, **options)


def test_frozen_clock_only_moves_when_advanced():
    clock = SimClock(START, scale=0)
    assert clock.now() == START
    assert clock.advance(90) == START + 90
    clock.set_scale(0)
    assert clock.now() == START + 90
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_clock_runs_at_its_scale():
    # A hand-driven real-time source, so the rate is checked exactly and never by timing.
    real = [100.0]
    clock = SimClock(START, scale=60, monotonic=lambda: real[0])
    assert clock.now() == START
    real[0] += 2.5
    assert clock.now() == START + 150
    clock.set_scale(0)  # stopping keeps the time reached
    real[0] += 10
    assert clock.now() == START + 150
    clock.set_scale(1000)
    real[0] += 0.5
    assert clock.now() == START + 650
    assert clock.advance(10) == START + 660
    real[0] += 0.25
    assert clock.now() == START + 910


@pytest.mark.parametrize("scale", [float("nan"), float("inf"), -1.0, MAX_SCALE * 2])
def test_clock_refuses_a_scale_it_cannot_keep(scale):
    # NaN compares False with everything: a bare `scale < 0` would let it through.
    clock = SimClock(START, scale=2)
    with pytest.raises(ValueError):
        clock.set_scale(scale)
    with pytest.raises(ValueError):
        SimClock(START, scale=scale)
    assert clock.scale == 2
    clock.set_scale(MAX_SCALE)  # the bound itself is fine
    assert clock.scale == MAX_SCALE


@pytest.mark.parametrize("seconds", [float("nan"), float("inf"), -1.0, MAX_ADVANCE + 1])
def test_clock_refuses_a_jump_it_cannot_make(seconds):
    clock = SimClock(START, scale=0)
    with pytest.raises(ValueError):
        clock.advance(seconds)
    assert clock.now() == START
    assert clock.advance(MAX_ADVANCE) == START + MAX_ADVANCE


def test_clock_stops_at_the_end_of_time():
    real = [0.0]
    with pytest.raises(ValueError):
        SimClock(float("nan"))
    with pytest.raises(ValueError):
        SimClock(END_OF_TIME + 1)
    clock = SimClock(END_OF_TIME - 10, scale=1, monotonic=lambda: real[0])
    with pytest.raises(ValueError):
        clock.advance(11)
    assert clock.now() == END_OF_TIME - 10
    real[0] += 1_000
    assert clock.now() == END_OF_TIME  # stops there, never wraps or runs on
    clock.set_scale(0)
    assert clock.advance(0) == END_OF_TIME


def test_seed_is_deterministic_and_has_the_status_mix():
    a = _seed("us-east-1", 8, 7, START, in_flight=True)
    b = _seed("us-east-1", 8, 7, START, in_flight=True)
    assert [(s.name, s.id, s.url) for s in a] == [(s.name, s.id, s.url) for s in b]
    assert [s.name for s in a] == [service_name(i) for i in range(8)]
    statuses = [s.true_status(START) for s in a]
    assert statuses.count("PAUSED") == 1
    assert statuses.count("CREATE_FAILED") == 1
    assert "OPERATION_IN_PROGRESS" in statuses  # a deployment under way at start
    assert statuses.count("RUNNING") >= 4
    other = _seed("eu-west-1", 8, 7, START)
    assert {s.id for s in a}.isdisjoint({s.id for s in other})
    assert _seed("us-east-1", 0, 7, START) == []
    quiet = [s.true_status(START) for s in _seed("us-east-1", 8, 7, START)]
    assert "OPERATION_IN_PROGRESS" not in quiet


def test_demo_deployment_is_in_flight_when_the_app_opens():
    # The demo's deployment is sped up too: it must still be running at `now`, not over.
    services = _seed("us-east-1", DEMO_SERVICES, 7, START, in_flight=True, speedup=DEMO_SPEEDUP)
    deploying = [s for s in services if s.true_status(START) == "OPERATION_IN_PROGRESS"]
    assert len(deploying) == 1
    op = deploying[0].running_operation(START)
    assert op is not None and op.type == "START_DEPLOYMENT"
    assert op.status_at(START) == "IN_PROGRESS"  # past PENDING already
    assert deploying[0].updated_at == op.started_at  # starting it updated the service
    remaining = op.ended_at - START
    duration = DURATIONS["START_DEPLOYMENT"] / DEMO_SPEEDUP
    assert remaining == pytest.approx(0.7 * duration)  # most of it still to watch
    assert deploying[0].true_status(START + remaining / 2) == "OPERATION_IN_PROGRESS"
    assert deploying[0].true_status(op.ended_at) == "RUNNING"  # now + remaining


def test_small_worlds_still_work():
    assert [s.true_status(START) for s in _seed("us-east-1", 1, 7, START)] == ["RUNNING"]
    three = [s.true_status(START) for s in _seed("us-east-1", 3, 7, START)]
    assert "PAUSED" in three and "CREATE_FAILED" in three
    assert len({s.name for s in _seed("us-east-1", 30, 7, START)}) == 30


def test_operation_phases():
    op = Operation("id", "START_DEPLOYMENT", "arn", START, DURATIONS["START_DEPLOYMENT"])
    assert op.status_at(START) == "PENDING"
    assert op.status_at(START + op.duration * PENDING_FRACTION) == "IN_PROGRESS"
    assert op.status_at(op.ended_at) == "SUCCEEDED"
    op.failure = "health-check"
    assert op.status_at(op.ended_at + 1) == "FAILED"
    assert op.summary(op.ended_at)["EndedAt"] == op.ended_at


def by_value(item: int) -> tuple[int]:
    return (item,)


def test_tokens_are_bound_to_their_listing():
    pager = Pager()
    items = list(range(5))

    def page(bound_to: str, **params: object) -> dict[str, object]:
        return pager.listing(
            "ListServices", bound_to, "Items", items, params, lambda i: {"i": i}, key=by_value
        )

    first = page("us-east-1", MaxResults=2)
    token = first["NextToken"]
    assert page("us-east-1", MaxResults=2, NextToken=token)["Items"] == [{"i": 2}, {"i": 3}]
    for where, forged in (("eu-west-1", token), ("us-east-1", "garbage!"), ("us-east-1", "NC4w")):
        with pytest.raises(ApiError) as err:
            page(where, NextToken=forged)
        assert err.value.code == "InvalidRequestException"
    # Another simulator's token (another secret) is refused too.
    other = Pager().listing(
        "ListServices", "us-east-1", "Items", items, {"MaxResults": 2}, str, key=by_value
    )
    with pytest.raises(ApiError):
        page("us-east-1", NextToken=other["NextToken"])


def test_package_import_does_not_load_moto():
    import subprocess
    import sys

    code = "import sys, artui.sim; print('moto' in sys.modules, 'aiohttp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
