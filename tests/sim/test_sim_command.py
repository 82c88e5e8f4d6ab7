"""`artui sim`'s --host and --speed: parsed, refused as usage errors, and in force in a
simulator started as a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime

import pytest
from conftest import control, make_boto3

from artui.cli import _sim_parser, main
from artui.sim import Simulator
from artui.sim.apprunner.operations import DURATIONS
from artui.sim.seed import DEMO_SPEEDUP, DEPLOYING_INDEX, TROUBLED_INDEX, service_name


def test_the_defaults_are_loopback_and_the_demo_speed() -> None:
    args = _sim_parser().parse_args([])
    assert (args.host, args.speed, args.seed) == ("127.0.0.1", DEMO_SPEEDUP, None)
    assert DEMO_SPEEDUP == 9


@pytest.mark.parametrize(
    ("argv", "host", "speed"),
    [
        (["--host", "0.0.0.0", "--speed", "1"], "0.0.0.0", 1.0),
        (["--host", "localhost", "--speed", "2.5"], "localhost", 2.5),
        (["--speed", "1000"], "127.0.0.1", 1000.0),
        (["--speed", "1e2"], "127.0.0.1", 100.0),
    ],
)
def test_host_and_speed_are_parsed(argv: list[str], host: str, speed: float) -> None:
    args = _sim_parser().parse_args(argv)
    assert (args.host, args.speed) == (host, speed)


def test_seed_is_parsed() -> None:
    assert _sim_parser().parse_args(["--seed", "0"]).seed == 0
    assert _sim_parser().parse_args(["--seed", str(2**64 - 1)]).seed == 2**64 - 1


def test_the_usage_line_names_the_new_flags(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["sim", "--help"])
    out = capsys.readouterr().out
    assert "--host ADDR" in out and "--speed X" in out
    assert "default 127.0.0.1" in out and "default 9" in out


@dataclass(frozen=True)
class Running:
    """A simulator another process runs: what the conftest helpers need of one."""

    endpoint: str


SPEED = 2.0
IDS_SEED = 8  # not the story's 7: ids mixed with a seed of their own, the same every run


def test_artui_sim_runs_operations_at_its_speed_on_every_interface() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "artui",
            "sim",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--services",
            "7",
            "--speed",
            str(SPEED),
            "--seed",
            str(IDS_SEED),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        exported = dict(
            proc.stdout.readline().strip().removeprefix("export ").split("=", 1) for _ in range(10)
        )
        endpoint = exported["AWS_ENDPOINT_URL_APPRUNNER"]
        # Bound to every interface, it names the loopback address: a client here reaches it.
        assert endpoint.startswith("http://127.0.0.1:")
        assert int(endpoint.rsplit(":", 1)[1]) > 0
        sim = Running(endpoint)
        control(sim, "POST", "/_sim/clock", {"scale": 0})  # from here, time moves when told
        apprunner = make_boto3(sim, "apprunner")
        # The demo's deployment under way at the start runs for 180 s / speed.
        arn = next(
            s["ServiceArn"]
            for s in apprunner.list_services()["ServiceSummaryList"]
            if s["ServiceName"] == service_name(DEPLOYING_INDEX)
        )

        # --seed: the ids this seed gives in any process (the first service's id is drawn
        # before anything that depends on the start time).
        first = service_name(TROUBLED_INDEX)
        pinned = Simulator(services=7, world=False, speedup=SPEED, ids_seed=IDS_SEED)
        listed = apprunner.list_services()["ServiceSummaryList"]
        assert next(s["ServiceArn"] for s in listed if s["ServiceName"] == first) == next(
            s.arn for s in pinned.backend.region("us-east-1").values() if s.name == first
        )

        def deployment() -> dict:
            return apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"][0]

        started = deployment()["StartedAt"].timestamp()
        now = control(sim, "GET", "/_sim/clock")["now"]
        ends = started + DURATIONS["START_DEPLOYMENT"] / SPEED  # 90 s; at the default 9, 20 s
        control(sim, "POST", "/_sim/clock", {"advance": ends - 1 - now})
        assert deployment()["Status"] == "IN_PROGRESS"
        control(sim, "POST", "/_sim/clock", {"advance": 2})
        done = deployment()
        assert done["Status"] == "SUCCEEDED"
        assert isinstance(done["EndedAt"], datetime)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
        assert proc.returncode == 0
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
