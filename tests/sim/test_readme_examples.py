"""The README's "For tool authors" examples, run: the deploy script and the boto3 lines as a
user would run them (a subprocess with the variables `artui sim` prints), the AWS CLI lines'
parameters through botocore, and the curl lines against the control API."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import botocore.session
import pytest
from botocore import xform_name
from conftest import control, make_boto3
from eventually import eventually

from artui.sim import Simulator

README = Path(__file__).resolve().parents[2] / "README.md"
MARK = "<!-- deploy.py: run by tests/sim/test_readme_examples.py -->"
IMAGE = "public.ecr.aws/artui-docs/app"
# A guard against a hang only: the script polls once a second and the simulated clock runs
# 1000 times faster than App Runner's, so its waits end within a poll or two.
SCRIPT_TIMEOUT = 120


def section() -> str:
    """The README's "### For tool authors" subsection, up to the next heading."""
    text = README.read_text()
    return text.split("\n### For tool authors\n", 1)[1].split("\n### ", 1)[0]


def blocks(language: str) -> list[str]:
    """The section's fenced blocks of `language`, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```$", section(), re.M | re.S)


def deploy_script() -> str:
    """The fenced block right after the README's marker, the only one so marked."""
    text = README.read_text()
    assert text.count(MARK) == 1
    after = text.split(MARK, 1)[1]
    found = re.match(r"\n```python\n(.*?)^```$", after, re.M | re.S)
    assert found, "the marker is not followed by a python block"
    return found.group(1)


@pytest.fixture
def fast_sim() -> Iterator[Simulator]:
    """A simulator with no services whose clock runs 1000 times App Runner's pace."""
    with Simulator(regions=("us-east-1",), services=0, time_scale=1000, world=False) as sim:
        yield sim


def run_script(
    sim: Simulator, tmp_path: Path, *args: str, source: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The README's deploy script (or `source`), run with the environment the README has
    the user set."""
    script = tmp_path / "deploy.py"
    script.write_text(deploy_script() if source is None else source)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(sim.env(), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    return subprocess.run(
        [sys.executable, str(script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
        check=False,
    )


def printed(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """The script's `label: value` lines, by label."""
    return dict(line.split(": ", 1) for line in done.stdout.splitlines())


def operations(sim: Simulator, arn: str) -> list[tuple[str, str, str]]:
    """(type, status, id) of the service's operations, newest first, shape-checked."""
    answer = make_boto3(sim, "apprunner").list_operations(ServiceArn=arn)
    return [(op["Type"], op["Status"], op["Id"]) for op in answer["OperationSummaryList"]]


def deleted(sim: Simulator, arn: str) -> bool:
    """Whether DescribeService (shape-checked) answers DELETED for the service."""
    service = make_boto3(sim, "apprunner").describe_service(ServiceArn=arn)["Service"]
    return service["Status"] == "DELETED"


def test_the_readme_exports_what_the_simulator_sets(fast_sim):
    # The variables "## The simulator" shows `artui sim` printing, which the section has
    # the user paste: the ones run_script sets.
    shown = README.read_text().split("\n## The simulator\n", 1)[1].split("\n### ", 1)[0]
    exports = re.findall(r"^export (\w+)=", shown, re.M)
    assert exports == list(fast_sim.env())


def test_the_deploy_script_creates_deploys_prints_the_url_and_deletes(fast_sim, tmp_path):
    control(fast_sim, "DELETE", "/_sim/requests")
    done = run_script(fast_sim, tmp_path, f"{IMAGE}:v1")
    assert (done.returncode, done.stderr) == (0, "")
    lines = printed(done)
    assert list(lines) == ["created", "deployed", "deleting"]
    arn = lines["created"]
    eventually(lambda: deleted(fast_sim, arn), "the script's service deleted")
    service = make_boto3(fast_sim, "apprunner").describe_service(ServiceArn=arn)["Service"]
    assert service["ServiceName"] == "hello"
    assert lines["deployed"] == f"https://{service['ServiceUrl']}"
    assert service["SourceConfiguration"]["ImageRepository"]["ImageIdentifier"] == f"{IMAGE}:v1"
    ops = operations(fast_sim, arn)
    assert [(kind, status) for kind, status, _ in ops] == [
        ("DELETE_SERVICE", "SUCCEEDED"),
        ("START_DEPLOYMENT", "SUCCEEDED"),
        ("CREATE_SERVICE", "SUCCEEDED"),
    ]
    assert ops[0][2] == lines["deleting"]
    served = [
        (e["operation"], e["status"])
        for e in control(fast_sim, "GET", "/_sim/requests")["requests"]
    ]
    assert {status for _, status in served} == {200}
    assert [op for op, _ in served if op != "DescribeService" and op != "ListOperations"] == [
        "CreateService",
        "StartDeployment",
        "DeleteService",
    ]
    assert ("ListOperations", 200) in served


def test_the_deploy_script_stops_on_a_failed_deployment_and_still_deletes(fast_sim, tmp_path):
    done = run_script(fast_sim, tmp_path, f"{IMAGE}:fail-deploy")
    assert done.returncode == 1
    lines = printed(done)
    assert list(lines) == ["created", "deleting"]
    arn = lines["created"]
    eventually(lambda: deleted(fast_sim, arn), "the script's service deleted")
    ops = operations(fast_sim, arn)
    assert [(kind, status) for kind, status, _ in ops] == [
        ("DELETE_SERVICE", "SUCCEEDED"),
        ("START_DEPLOYMENT", "FAILED"),
        ("CREATE_SERVICE", "SUCCEEDED"),
    ]
    assert done.stderr == f"operation {ops[1][2]} ended FAILED\n"


def test_the_deploy_script_stops_on_a_failed_creation_and_still_deletes(fast_sim, tmp_path):
    done = run_script(fast_sim, tmp_path, f"{IMAGE}:fail-create")
    assert (done.returncode, done.stderr) == (1, "service is CREATE_FAILED\n")
    lines = printed(done)
    assert list(lines) == ["created", "deleting"]
    arn = lines["created"]
    eventually(lambda: deleted(fast_sim, arn), "the script's service deleted")
    kinds = [(kind, status) for kind, status, _ in operations(fast_sim, arn)]
    assert kinds == [("DELETE_SERVICE", "SUCCEEDED"), ("CREATE_SERVICE", "FAILED")]


def test_the_boto3_lines_list_what_the_simulator_holds(fast_sim, tmp_path):
    [lines, script] = blocks("python")
    assert script == deploy_script()
    done = run_script(fast_sim, tmp_path, source=lines)
    assert (done.returncode, done.stderr, done.stdout) == (0, "", "[]\n")
    make_boto3(fast_sim, "apprunner").create_service(
        ServiceName="from-the-test",
        SourceConfiguration={
            "ImageRepository": {
                "ImageIdentifier": f"{IMAGE}:v1",
                "ImageRepositoryType": "ECR_PUBLIC",
            }
        },
    )
    done = run_script(fast_sim, tmp_path, source=lines)
    assert (done.returncode, done.stdout) == (0, "['from-the-test']\n")


def aws_lines() -> list[list[str]]:
    """The section's `aws apprunner ...` commands, split as a shell would."""
    commands = []
    for block in blocks("sh"):
        words = shlex.split(block, comments=True)
        while "aws" in words:
            start = words.index("aws")
            end = words.index("aws", start + 1) if "aws" in words[start + 1 :] else len(words)
            commands.append(words[start:end])
            words = words[end:]
    return commands


def test_the_aws_cli_lines_name_real_operations_and_are_served(fast_sim):
    model = botocore.session.get_session().get_service_model("apprunner")
    by_command = {xform_name(name, "-"): name for name in model.operation_names}
    client = make_boto3(fast_sim, "apprunner")
    commands = aws_lines()
    assert [c[:3] for c in commands] == [
        ["aws", "apprunner", "list-services"],
        ["aws", "apprunner", "create-service"],
    ]
    for command in commands:
        operation = by_command[command[2]]
        members = model.operation_model(operation).input_shape.members
        by_option = {f"--{xform_name(m, '-')}": m for m in members}
        options = command[3:]
        params = {}
        for option, value in zip(options[::2], options[1::2], strict=True):
            shape = members[by_option[option]]
            params[by_option[option]] = (
                json.loads(value) if shape.type_name == "structure" else value
            )
        # botocore validates the parameters against the model; the answer is shape-checked.
        getattr(client, xform_name(operation))(**params)
    assert [s["ServiceName"] for s in client.list_services()["ServiceSummaryList"]] == ["hello"]


def test_the_curl_lines_are_answered_by_the_control_api(fast_sim):
    curls = [
        shlex.split(line, comments=True)
        for block in blocks("sh")
        for line in block.splitlines()
        if line.startswith("curl ")
    ]
    assert len(curls) == 4
    control(fast_sim, "POST", "/_sim/clock", {"scale": 0})
    before = control(fast_sim, "GET", "/_sim/clock")["now"]
    answers = []
    for words in curls:
        method = words[words.index("-X") + 1] if "-X" in words else "GET"
        body = words[words.index("-d") + 1].encode() if "-d" in words else None
        url = next(w for w in words if w.startswith("localhost:4599/"))
        path = url.removeprefix("localhost:4599")
        request = urllib.request.Request(fast_sim.endpoint + path, data=body, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
            answers.append((method, path, json.load(response)))
        if path == "/_sim/faults" and method == "POST":
            [fault] = control(fast_sim, "GET", "/_sim/faults")["faults"]
            assert (fault["operation"], fault["count"]) == ("DescribeService", 2)
    advance = json.loads(curls[0][curls[0].index("-d") + 1])["advance"]
    assert control(fast_sim, "GET", "/_sim/clock")["now"] == pytest.approx(before + advance)
    assert [(m, p) for m, p, _ in answers] == [
        ("POST", "/_sim/clock"),
        ("POST", "/_sim/faults"),
        ("GET", "/_sim/requests"),
        ("DELETE", "/_sim/faults"),
    ]
    assert answers[-1][2] == {"faults": []}
