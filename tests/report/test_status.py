"""`artui status [--json]`: its rows and columns, and the command end to end against the
simulator (real HTTP, settings as the app reads them), with every exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import aim_botocore_at, control

from artui.cli import main
from artui.domain.apprunner import Service, ServiceStatus
from artui.engine.metrics import Figures
from artui.report.fleet import USAGE
from artui.report.status import (
    COLUMNS,
    FAILING,
    OK,
    UNREAD,
    Report,
    Unread,
    iso_utc,
    service_row,
    text_lines,
)
from artui.sim.server import Simulator

ROOT = Path(__file__).resolve().parents[2]
REGIONS = ("us-east-1", "eu-west-1")
# The simulator's two demo services per region: checkout-api (5xx climbing to about 22%
# at the simulator's start, and staying there) and payments-worker (a few in a thousand).
TROUBLED, CALM = "checkout-api", "payments-worker"
NAMES = (TROUBLED, CALM)  # by name, as printed
# Over checkout-api's share: the world is healthy under it.
HIGH_THRESHOLD = 50
KEYS = {
    "account",
    "profile",
    "region",
    "name",
    "arn",
    "status",
    "url",
    "updated",
    "rpm",
    "error_share",
    "latency_ms",
    "failing",
}


def service(status: ServiceStatus = ServiceStatus.RUNNING, **fields: Any) -> Service:
    values: dict[str, Any] = {
        "name": "orders",
        "id": "0123456789abcdef",
        "arn": "arn:aws:apprunner:us-east-1:123456789012:service/orders/0123456789abcdef",
        "region": "us-east-1",
        "status": status,
        "raw_status": status.value,
        "url": "abc.us-east-1.awsapprunner.com",
        "updated_at": datetime(2025, 3, 4, 5, 6, 7, tzinfo=timezone.utc),
    }
    return Service(**{**values, **fields})


# -- rows and text: pure -------------------------------------------------------------------


def test_updated_is_iso_8601_utc() -> None:
    cet = timezone(timedelta(hours=1))
    assert iso_utc(datetime(2025, 3, 4, 6, 6, 7, tzinfo=cet)) == "2025-03-04T05:06:07Z"
    assert iso_utc(datetime(2025, 3, 4, 5, 6, 7)) == "2025-03-04T05:06:07Z"  # naive: UTC
    assert iso_utc(None) is None


def test_a_row_carries_every_field_as_plain_values() -> None:
    figures = Figures(rpm=1234.5, error_share=0.25, latency_ms=81.5)
    row = service_row("prod-alias", "prod", service(), figures, 5.0)
    assert row == {
        "account": "prod-alias",
        "profile": "prod",
        "region": "us-east-1",
        "name": "orders",
        "arn": "arn:aws:apprunner:us-east-1:123456789012:service/orders/0123456789abcdef",
        "status": "RUNNING",
        "url": "abc.us-east-1.awsapprunner.com",
        "updated": "2025-03-04T05:06:07Z",
        "rpm": 1234.5,
        "error_share": 0.25,
        "latency_ms": 81.5,
        "failing": False,
    }
    assert set(row) == KEYS
    # Unreadable figures are None (JSON null), and a status AWS added later is kept as sent.
    bare = service_row(
        "1234", None, service(ServiceStatus.UNKNOWN, raw_status="HIBERNATING", url=None,
                              updated_at=None), Figures(), 5.0,
    )  # fmt: skip
    assert [bare[k] for k in ("status", "url", "updated", "rpm", "error_share")] == [
        "HIBERNATING",
        None,
        None,
        None,
        None,
    ]
    assert json.loads(json.dumps(bare)) == bare


@pytest.mark.parametrize(
    ("status", "share", "failing"),
    [
        (ServiceStatus.RUNNING, None, False),
        (ServiceStatus.RUNNING, 4.99, False),
        (ServiceStatus.RUNNING, 5.0, True),  # at the threshold: failing, as the list marks it
        (ServiceStatus.RUNNING, 30.0, True),
        (ServiceStatus.CREATE_FAILED, None, True),
        (ServiceStatus.DELETE_FAILED, 0.1, True),
        (ServiceStatus.PAUSED, None, False),
        (ServiceStatus.OPERATION_IN_PROGRESS, 1.0, False),
    ],
)
def test_failing_is_a_failed_status_or_5xx_at_the_threshold(
    status: ServiceStatus, share: float | None, failing: bool
) -> None:
    figures = Figures(rpm=None if share is None else 100.0, error_share=share)
    assert service_row("a", None, service(status), figures, 5.0)["failing"] is failing


def test_text_is_aligned_columns_with_a_header() -> None:
    rows = [
        service_row("prod", "prod", service(), Figures(1234.0, 12.5, 85.0), 5.0),
        service_row(
            "1234567890123",
            None,
            service(ServiceStatus.CREATE_FAILED, name="a-much-longer-name", url=None),
            Figures(),
            5.0,
        ),
        service_row("prod", "prod", service(name="x\x1b[2Jy"), Figures(8.5, 0.4, 1500.0), 5.0),
    ]
    lines = text_lines(rows, 5.0)
    assert len(lines) == 4
    assert lines[0].split() == [header for header, _, _ in COLUMNS]
    assert all(line == line.rstrip() for line in lines)
    # Text columns start where their header does, numbers end where theirs does.
    for line in lines[1:]:
        for header, _, right in COLUMNS:
            start = lines[0].index(header)
            if right:
                end = start + len(header)
                assert line[end - 1] != " " and line[end : end + 2] in ("  ", ""), (line, header)
            else:
                assert line[start] != " " and line[start - 2 : start].strip() == "", (line, header)
    assert lines[1].split() == [
        "prod",
        "us-east-1",
        "orders",
        "RUNNING",
        "abc.us-east-1.awsapprunner.com",
        "2025-03-04T05:06:07Z",
        "1.2k",
        "!12.5%",  # at or over the threshold: marked, as on the list
        "85ms",
    ]
    assert lines[2].split()[3:] == ["CREATE_FAILED", "-", "2025-03-04T05:06:07Z", "-", "-", "-"]
    # Numbers right-aligned: the three rows end together.
    assert len(lines[1]) == len(lines[2]) == len(lines[3])
    # AWS's text never reaches the terminal as a command.
    assert "\x1b" not in "".join(lines)
    assert "x␛[2Jy" in lines[3]
    assert lines[3].split()[-3:] == ["8.5", "0.4%", "1.5s"]


def test_the_exit_status_rule() -> None:
    well = service_row("a", None, service(), Figures(10.0, 0.0, 5.0), 5.0)
    failed = service_row("a", None, service(ServiceStatus.CREATE_FAILED), Figures(), 5.0)
    lost = Unread("a", "prod", "eu-west-1", "ListServices: AccessDeniedException: no")
    assert Report((), (), 5.0).exit_status == OK == 0
    assert Report((well,), (), 5.0).exit_status == OK
    assert Report((well, failed), (), 5.0).exit_status == FAILING == 1
    # Something unread wins over a failing service: the picture is incomplete.
    assert Report((well, failed), (lost,), 5.0).exit_status == UNREAD == 3
    assert Report((), (lost,), 5.0).exit_status == UNREAD
    assert USAGE == 2
    assert lost.words() == (
        "profile prod, region eu-west-1: ListServices: AccessDeniedException: no"
    )
    assert Unread("a", None, None, "no credentials").words() == "profile default: no credentials"


# -- end to end, against the simulator -----------------------------------------------------


@pytest.fixture(scope="module")
def world() -> Iterator[Simulator]:
    """Two regions of two demo services each, in real time; only this module's tests use it."""
    with Simulator(regions=REGIONS, services=2, world=False) as simulator:
        yield simulator


@pytest.fixture
def aimed(world: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    """botocore's chain aimed at `world`, a settings file of both regions (healthy: a
    threshold over checkout-api's share); faults and forced statuses undone after."""
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aim_botocore_at(world, monkeypatch.setenv)
    settings(tmp_path, monkeypatch, HIGH_THRESHOLD)
    yield world
    control(world, "DELETE", "/_sim/faults")
    for region in REGIONS:
        for name in NAMES:
            path = f"/_sim/services/{name}/status"
            control(world, "POST", path, {"status": None, "region": region})


def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: float | None) -> Path:
    """A settings file of both regions (and `threshold`, if given), as $ARTUI_CONFIG."""
    path = tmp_path / "config.yaml"
    text = "regions: [us-east-1, eu-west-1]\n"
    if threshold is not None:
        text += f"error_threshold: {threshold}\n"
    path.write_text(text)
    monkeypatch.setenv("ARTUI_CONFIG", str(path))
    return path


def status(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`artui status ARGS` in this process: (exit status, stdout, stderr)."""
    code = main(["status", *args])
    out, err = capsys.readouterr()
    return code, out, err


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def by_place(docs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(d["region"], d["name"]): d for d in docs if "name" in d}


def test_text_names_every_service_and_a_healthy_world_exits_0(
    aimed: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = status(capsys)
    assert (code, err) == (0, "")
    header, *lines = out.splitlines()
    assert header.split() == [h for h, _, _ in COLUMNS]
    cells = [line.split() for line in lines]
    # In the settings' order of regions, by name within each.
    assert [(c[1], c[2]) for c in cells] == [(r, n) for r in REGIONS for n in NAMES]
    # One account (which it is, test_every_profile_is_read_and_names_its_account checks).
    assert len({row[0] for row in cells}) == 1
    for row in cells:
        assert row[3] == "RUNNING"
        assert row[4].endswith(".awsapprunner.com")
        datetime.strptime(row[5], "%Y-%m-%dT%H:%M:%SZ")
        assert row[6] != "-" and row[7].endswith("%") and row[8].endswith("ms")
        assert not row[7].startswith("!")  # under the threshold of 50


def test_json_lines_carry_every_field(aimed: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = status(capsys, "--json")
    assert (code, err) == (0, "")
    docs = json_lines(out)
    assert len(docs) == 4
    for doc in docs:
        assert set(doc) == KEYS
        assert doc["account"] == docs[0]["account"] and doc["profile"] is None
        assert doc["status"] == "RUNNING" and doc["failing"] is False
        assert doc["arn"].startswith(f"arn:aws:apprunner:{doc['region']}:123456789012:service/")
        for key in ("rpm", "error_share", "latency_ms"):
            assert isinstance(doc[key], (int, float)) and doc[key] >= 0, (key, doc)
        assert doc["rpm"] > 0 and doc["latency_ms"] > 0
        updated = datetime.fromisoformat(doc["updated"].replace("Z", "+00:00"))
        assert updated.tzinfo is not None and updated <= datetime.now(timezone.utc)
    places = by_place(docs)
    for region in REGIONS:
        # checkout-api's incident, as the list shows it; payments-worker's few errors.
        assert 10 < places[(region, TROUBLED)]["error_share"] < HIGH_THRESHOLD
        assert places[(region, CALM)]["error_share"] < 1


def test_a_failed_creation_exits_1(aimed: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    control(
        aimed,
        "POST",
        f"/_sim/services/{CALM}/status",
        {"status": "CREATE_FAILED", "region": "eu-west-1"},
    )
    code, out, err = status(capsys, "--json")
    assert (code, err) == (1, "")
    places = by_place(json_lines(out))
    failed = places[("eu-west-1", CALM)]
    assert (failed["status"], failed["failing"]) == ("CREATE_FAILED", True)
    assert [d["failing"] for p, d in places.items() if p != ("eu-west-1", CALM)] == [False] * 3

    code, out, _ = status(capsys)
    assert code == 1
    row = next(line.split() for line in out.splitlines() if "eu-west-1" in line and CALM in line)
    assert row[3] == "CREATE_FAILED"


def test_5xx_at_or_over_the_threshold_exits_1(
    aimed: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    settings(tmp_path, monkeypatch, None)  # the default threshold, 5%
    code, out, err = status(capsys, "--json")
    assert (code, err) == (1, "")
    places = by_place(json_lines(out))
    for region in REGIONS:
        assert places[(region, TROUBLED)]["error_share"] >= 5
        assert places[(region, TROUBLED)]["failing"] is True
        assert places[(region, CALM)]["failing"] is False

    code, out, _ = status(capsys)
    assert code == 1
    shares = {line.split()[2]: line.split()[7] for line in out.splitlines()[1:]}
    assert shares[TROUBLED].startswith("!") and not shares[CALM].startswith("!")


def fail_list_services(sim: Simulator, region: str, message: str) -> None:
    fault = {"operation": "ListServices", "region": region, "error": "AccessDeniedException"}
    control(sim, "POST", "/_sim/faults", {**fault, "status": 400, "message": message, "count": -1})


def test_a_region_that_cannot_be_read_exits_3_and_says_so(
    aimed: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    fail_list_services(aimed, "eu-west-1", "not in this region")
    code, out, err = status(capsys)
    assert code == 3
    assert err == (
        "artui status: profile default, region eu-west-1: ListServices: "
        "AccessDeniedException: not in this region\n"
    )
    # What could be read is printed all the same.
    assert [line.split()[1:3] for line in out.splitlines()[1:]] == [
        ["us-east-1", name] for name in NAMES
    ]

    code, out, err = status(capsys, "--json")
    assert code == 3
    assert "eu-west-1: ListServices: AccessDeniedException" in err
    docs = json_lines(out)
    assert [(d["region"], d["name"]) for d in docs if "name" in d] == [
        ("us-east-1", name) for name in NAMES
    ]
    assert docs[-1] == {
        "account": docs[0]["account"],  # the rows' own
        "profile": None,
        "region": "eu-west-1",
        "error": "ListServices: AccessDeniedException: not in this region",
    }


def test_unread_wins_over_failing(
    aimed: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    settings(tmp_path, monkeypatch, None)  # checkout-api is over 5% in us-east-1 too
    fail_list_services(aimed, "eu-west-1", "no")
    code, out, _ = status(capsys, "--json")
    assert code == 3
    assert any(d.get("failing") for d in json_lines(out))


def test_metrics_that_cannot_be_read_exit_3(
    aimed: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    fault = {"operation": "GetMetricData", "region": "us-east-1", "error": "AccessDenied"}
    control(aimed, "POST", "/_sim/faults", {**fault, "status": 403, "message": "no", "count": -1})
    code, out, err = status(capsys, "--json")
    assert code == 3
    assert err.startswith("artui status: profile default, region us-east-1: GetMetricData: ")
    places = by_place(json_lines(out))
    for name in NAMES:
        east = places[("us-east-1", name)]
        assert east["status"] == "RUNNING"  # listed, its figures unknown
        assert (east["rpm"], east["error_share"], east["latency_ms"]) == (None, None, None)
        assert places[("eu-west-1", name)]["rpm"] is not None


_KEYS = "aws_access_key_id = {key}\naws_secret_access_key = secret\n"
# A profile whose SSO login has not been run: no cached token.
_SSO = (
    "sso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n"
    "sso_account_id = 210987654321\nsso_role_name = ops\n"
)


def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **profiles: str) -> None:
    """An AWS config file of `profiles` (name: its lines), the SSO cache empty."""
    config = tmp_path / "aws-config"
    config.write_text("".join(f"[profile {name}]\n{lines}" for name, lines in profiles.items()))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("HOME", str(tmp_path))


def test_every_profile_is_read_and_names_its_account(
    aimed: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    # The simulator's accounts go by access key: prod is its default account (alias demo),
    # staging another, which has no alias.
    profiles(
        tmp_path,
        monkeypatch,
        prod=_KEYS.format(key="123456789012"),
        staging=_KEYS.format(key="210987654321"),
    )
    args = ("--profile", "prod", "--profile", "staging", "--region", "us-east-1", "--json")
    code, out, err = status(capsys, *args)
    assert (code, err) == (0, "")
    docs = json_lines(out)
    assert [(d["profile"], d["account"], d["name"]) for d in docs] == [
        ("prod", "demo", TROUBLED),
        ("prod", "demo", CALM),
        ("staging", "210987654321", TROUBLED),
        ("staging", "210987654321", CALM),
    ]
    assert [d["arn"].split(":")[4] for d in docs] == ["123456789012"] * 2 + ["210987654321"] * 2


def test_a_profile_that_cannot_be_read_exits_3_naming_it(
    aimed: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    profiles(tmp_path, monkeypatch, prod=_KEYS.format(key="123456789012"), staging=_SSO)
    code, out, err = status(capsys, "--profile", "prod", "--profile", "staging")
    assert code == 3
    lines = err.splitlines()
    assert len(lines) == 2  # each of staging's regions, with what botocore answered
    for line, region in zip(lines, REGIONS, strict=True):
        assert line.startswith(f"artui status: profile staging, region {region}: ListServices: ")
        assert "aws sso login" in line
    rows = [line.split() for line in out.splitlines()[1:]]
    assert [(r[1], r[2]) for r in rows] == [(r, n) for r in REGIONS for n in NAMES]


# -- usage ---------------------------------------------------------------------------------


def test_a_bad_flag_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["status", "--jsn"])
    assert done.value.code == 2
    assert "unrecognized arguments: --jsn" in capsys.readouterr().err


def test_a_bad_settings_file_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("regions: [us-east-1]\nerror_threshold: lots\n")
    code, out, err = status(capsys, "--config", str(config))
    assert (code, out) == (2, "")
    assert err.startswith(f"artui: {config} line 2, key 'error_threshold': ")
    assert "Traceback" not in err

    monkeypatch.setenv("ARTUI_CONFIG", os.devnull)
    code, out, err = status(capsys, "--region", "moon-1")
    assert (code, out) == (2, "")
    assert "--region: 'moon-1' is not an AWS region name" in err


def test_help_says_the_fields_and_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["status", "--help"])
    assert done.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "usage: artui status [-h] [--json]" in out
    for words in (
        "JSON Lines",
        "error_share (percent)",
        "0 every profile and region read, no service failing",
        "1 a service failing: CREATE_FAILED, DELETE_FAILED, or its 5xx share at or over",
        "2 a bad flag or settings file",
        "3 a profile or region (or its metrics) could not be read; 3 wins over 1",
    ):
        assert words in out


# -- the demo, as an operator runs it ------------------------------------------------------


def test_the_demo_prints_and_ends_without_loading_textual(tmp_path: Path) -> None:
    """`artui status --demo` starts the embedded simulator, prints, stops it and exits; on
    its way it never imports Textual (or Rich)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ARTUI_", "XDG_"))}
    env.update(ARTUI_CONFIG=os.devnull, XDG_STATE_HOME=str(tmp_path), HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "artui", "status", "--demo", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "artui.report.status" in imported
    assert {m for m in imported if m.split(".")[0] in ("textual", "rich")} == set()
    # The demo's story: checkout-api's incident and search-indexer's failed creation.
    assert done.returncode == 1, done.stderr[-2000:]
    places = by_place(json_lines(done.stdout))
    assert {region for region, _ in places} == set(REGIONS)
    assert places[("us-east-1", "checkout-api")]["failing"] is True
    assert places[("us-east-1", "search-indexer")]["status"] == "CREATE_FAILED"
    assert places[("us-east-1", "payments-worker")]["failing"] is False
    assert not [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
