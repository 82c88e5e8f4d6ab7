"""The startup prefetch: a forked child lists services against the simulator over HTTP."""

from __future__ import annotations

import os

import pytest
from conftest import SIM_REGIONS, control

from artui.prefetch import Prefetch
from artui.settings import Settings
from artui.sim.server import Simulator
from tests.uihelp import aim_botocore_at, fail_list_services, needs_two_cores


@pytest.fixture
def sim_env(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(sim, monkeypatch.setenv)
    control(sim, "DELETE", "/_sim/faults")
    yield sim
    control(sim, "DELETE", "/_sim/faults")


@needs_two_cores
def test_a_failing_region_keeps_the_others(sim_env: Simulator) -> None:
    fail_list_services(sim_env, "AccessDeniedException", "no", region="eu-west-1")
    prefetch = Prefetch.start(Settings(regions=SIM_REGIONS))
    assert prefetch is not None
    first = prefetch.result(timeout=15)
    assert first is not None
    assert first.regions == SIM_REGIONS
    assert set(first.services) == {"us-east-1"}
    assert first.services["us-east-1"]


@needs_two_cores
def test_close_reaps_the_child_at_once(sim_env: Simulator) -> None:
    prefetch = Prefetch.start(Settings(regions=SIM_REGIONS))
    assert prefetch is not None
    pid = prefetch.pid
    prefetch.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped: no zombie left behind
    assert prefetch.result(timeout=1) is None


def test_no_prefetch_for_the_demo() -> None:
    assert Prefetch.start(Settings(demo=True, regions=("us-east-1",))) is None
