"""The startup prefetch: a child process lists services against the simulator over HTTP
and hands back the credentials it resolved."""

from __future__ import annotations

import os

import pytest
from conftest import SIM_REGIONS, control

from artui.boot.prefetch import Prefetch
from artui.settings import Account, Settings
from artui.sim.server import Simulator
from tests.uihelp import aim_botocore_at, fail_list_services


@pytest.fixture
def sim_env(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(sim, monkeypatch.setenv)
    control(sim, "DELETE", "/_sim/faults")
    yield sim
    control(sim, "DELETE", "/_sim/faults")


def never_asked(question: str) -> str | None:
    raise AssertionError(f"nothing should be asked here: {question}")


def test_a_failing_region_keeps_the_others(sim_env: Simulator) -> None:
    fail_list_services(sim_env, "AccessDeniedException", "no", region="eu-west-1")
    prefetch = Prefetch.start(Settings(regions=SIM_REGIONS))
    assert prefetch is not None
    got = prefetch.result(never_asked)
    assert got is not None and got.first is not None
    assert got.first.regions == SIM_REGIONS
    assert set(got.first.services) == {"us-east-1"}
    assert got.first.services["us-east-1"]


def test_hands_back_the_credentials_it_resolved(sim_env: Simulator) -> None:
    prefetch = Prefetch.start(Settings(regions=SIM_REGIONS))
    assert prefetch is not None
    got = prefetch.result(never_asked)
    assert got is not None and got.credentials is not None
    assert got.credentials.method == "env"
    assert got.credentials.access_key == "testing"
    assert "testing" not in repr(got.credentials)  # secrets stay out of logs and tracebacks


def test_close_reaps_the_child_at_once(sim_env: Simulator) -> None:
    prefetch = Prefetch.start(Settings(regions=SIM_REGIONS))
    assert prefetch is not None
    pid = prefetch.pid
    prefetch.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped: no zombie left behind
    assert prefetch.result(never_asked) is None


def test_no_prefetch_for_the_demo() -> None:
    assert Prefetch.start(Settings(demo=True, regions=("us-east-1",))) is None


def test_with_several_profiles_it_lists_the_first_ones_account(
    sim_env: Simulator, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app's first session takes the prefetched list: it must be that profile's fleet.
    config = tmp_path / "config"
    config.write_text(
        "[profile staging]\naws_access_key_id = 210987654321\naws_secret_access_key = s\n"
        "[profile prod]\naws_access_key_id = 123456789012\naws_secret_access_key = s\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    profiles = (Account("staging"), Account("prod"))
    prefetch = Prefetch.start(Settings(profiles=profiles, regions=SIM_REGIONS))
    assert prefetch is not None
    got = prefetch.result(never_asked)
    assert got is not None and got.first is not None and got.credentials is not None
    assert got.credentials.access_key == "210987654321"
    listed = [s for region in got.first.services.values() for s in region]
    assert listed and {s.arn.split(":")[4] for s in listed} == {"210987654321"}
