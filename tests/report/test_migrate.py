"""`artui migrate --to ecs-express` (issue 27) on the demo world: a request per service that
botocore's ECS model accepts (its stock ParamValidator and the simulator's stricter one),
REPORT.md and the same summary on stdout, no variable value unless asked (then mode 0600),
and not one call to ECS."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.validate import ParamValidator
from conftest import client_kwargs, control

from artui.aws.ecs_model import input_shape
from artui.cli import main
from artui.sim.apprunner.validate import problems
from artui.sim.server import Simulator
from tests.report.conftest import PLANTED_NAME, REGIONS


def migrate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`artui migrate ARGS` in this process: (exit status, stdout, stderr)."""
    code = main(["migrate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def requests_in(root: Path) -> dict[str, dict[str, Any]]:
    """Every request written, by its path under `root`."""
    return {str(p.relative_to(root)): json.loads(p.read_text()) for p in root.rglob("*.json")}


def listed(sim: Simulator) -> set[str]:
    """ACCOUNT/REGION/NAME.json of every service the simulator holds."""
    names: set[str] = set()
    for region in REGIONS:
        client = boto3.client("apprunner", **client_kwargs(sim, region))
        for s in client.list_services()["ServiceSummaryList"]:
            account = s["ServiceArn"].split(":")[4]
            names.add(f"{account}/{region}/{s['ServiceName']}.json")
    return names


def test_every_service_gets_a_request_the_ecs_model_accepts(
    demo_aimed: Simulator, demo_planted: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    control(demo_aimed, "DELETE", "/_sim/requests")
    root = tmp_path / "plan"
    code, out, err = migrate(capsys, "--to", "ecs-express", "-o", str(root))
    written = requests_in(root)
    assert set(written) == listed(demo_aimed)
    for path, request in written.items():
        report = ParamValidator().validate(request, input_shape())
        assert not report.has_errors(), (path, report.generate_report())
        assert problems(request, input_shape()) == [], path
        assert request["serviceName"] == Path(path).stem
        assert request["infrastructureRoleArn"] == "<infrastructure-role-arn>"
    # Stdout is the summary REPORT.md opens with, and says where the files went.
    report = (root / "REPORT.md").read_text()
    summary = out.splitlines()[:-1]
    assert summary[0].startswith(f"{len(written)} services: ")
    opening = [line.removeprefix("- ") for line in report.splitlines() if line][1:]
    assert [line.strip() for line in summary] == opening[: len(summary)]
    assert out.splitlines()[-1] == f"Wrote {len(written)} requests and REPORT.md to {root}."
    for path in written:
        assert f"## `{Path(path).stem}`" in report
    # No value anywhere without --with-values; its name is a placeholder.
    for file in root.rglob("*"):
        if file.is_file():
            assert demo_planted not in file.read_text()
    assert f"<value of {PLANTED_NAME}>" in json.dumps(written)
    # artui read App Runner (and who it is), and never called ECS.
    served = {r["service"] for r in control(demo_aimed, "GET", "/_sim/requests")["requests"]}
    assert "ecs" not in served and served <= {"apprunner", "sts", "iam"}
    assert code == 0 and err == ""


def test_with_values_the_requests_carry_them_with_mode_0600(
    demo_aimed: Simulator, demo_planted: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "plan"
    code, out, _ = migrate(capsys, "--to", "ecs-express", "-o", str(root), "--with-values")
    holding = [p for p in root.rglob("*.json") if demo_planted in p.read_text()]
    assert len(holding) == 1
    for path in root.rglob("*.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        request = json.loads(path.read_text())
        assert problems(request, input_shape()) == []
    assert demo_planted not in (root / "REPORT.md").read_text()
    assert "mode 0600" in out and code == 0


def test_an_unread_service_is_in_the_report_and_exits_3(
    demo_aimed: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fault = {"operation": "DescribeService", "error": "AccessDeniedException", "count": 1}
    control(demo_aimed, "POST", "/_sim/faults", {**fault, "status": 400, "message": "not you"})
    root = tmp_path / "plan"
    code, out, err = migrate(capsys, "--to", "ecs-express", "-o", str(root))
    assert code == 3
    assert "1 could not be planned" in out.splitlines()[0]
    assert "DescribeService: AccessDeniedException: not you" in (root / "REPORT.md").read_text()
    assert "DescribeService: AccessDeniedException: not you" in err
    assert len(requests_in(root)) == len(listed(demo_aimed)) - 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-o", "x"], "--to"),
        (["--to", "ecs", "-o", "x"], "invalid choice: 'ecs'"),
        (["--to", "ecs-express"], "-o/--output"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["migrate", *args])
    assert done.value.code == 2
    assert words in capsys.readouterr().err


def test_a_directory_that_cannot_be_made_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = migrate(capsys, "--to", "ecs-express", "-o", str(blocker / "plan"), "--demo")
    assert code == 2 and "cannot write to" in err
