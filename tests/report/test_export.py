"""`artui export` (issue 27): the demo world as YAML, read back and held against what
DescribeService and the linked resources say (real HTTP to the simulator, settings as the
app reads them); no variable value without --with-values, and with it a file of mode 0600;
an unreadable service or region is a document with its error and exit status 3; each
shared resource is read once."""

from __future__ import annotations

import os
import pty
import re
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from conftest import client_kwargs, control

from artui.cli import main
from artui.sim.server import Simulator
from tests.report.conftest import PLANTED_NAME, REGIONS


def export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`artui export ARGS` in this process: (exit status, stdout, stderr)."""
    code = main(["export", *args])
    out, err = capsys.readouterr()
    return code, out, err


# -- what AWS holds, read with boto3, as the export should write it -------------------------


def _drop_none(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v is not None}


def _source(cfg: dict[str, Any]) -> dict[str, Any]:
    auth = cfg.get("AuthenticationConfiguration") or {}
    common = {
        "auto_deployments": cfg.get("AutoDeploymentsEnabled"),
        "access_role": auth.get("AccessRoleArn"),
    }
    if "ImageRepository" in cfg:
        image = cfg["ImageRepository"]
        run = image.get("ImageConfiguration") or {}
        return _drop_none(
            {
                "kind": "image",
                "image": image["ImageIdentifier"],
                "image_repository_type": image.get("ImageRepositoryType"),
                "start_command": run.get("StartCommand"),
                "port": int(run["Port"]) if run.get("Port") else None,
                **common,
            }
        )
    code = cfg["CodeRepository"]
    values = (code.get("CodeConfiguration") or {}).get("CodeConfigurationValues") or {}
    return _drop_none(
        {
            "kind": "code",
            "repository": code["RepositoryUrl"],
            "version_type": code["SourceCodeVersion"]["Type"],
            "version": code["SourceCodeVersion"]["Value"],
            "source_directory": code.get("SourceDirectory"),
            "configuration_source": code["CodeConfiguration"]["ConfigurationSource"],
            "runtime": values.get("Runtime"),
            "build_command": values.get("BuildCommand"),
            "start_command": values.get("StartCommand"),
            "port": int(values["Port"]) if values.get("Port") else None,
            **common,
        }
    )


def _run(cfg: dict[str, Any]) -> dict[str, Any]:
    if "ImageRepository" in cfg:
        return cfg["ImageRepository"].get("ImageConfiguration") or {}
    code = cfg["CodeRepository"]
    return (code.get("CodeConfiguration") or {}).get("CodeConfigurationValues") or {}


def held(client: Any, arn: str, ingress: dict[str, str]) -> dict[str, Any]:
    """The export document of one service, from DescribeService and one call per linked
    resource, made here with boto3."""
    item = client.describe_service(ServiceArn=arn)["Service"]
    run = _run(item["SourceConfiguration"])
    instance = item.get("InstanceConfiguration") or {}
    hc = item.get("HealthCheckConfiguration") or {}
    summary = item["AutoScalingConfigurationSummary"]
    scaling = client.describe_auto_scaling_configuration(
        AutoScalingConfigurationArn=summary["AutoScalingConfigurationArn"]
    )["AutoScalingConfiguration"]
    network = item.get("NetworkConfiguration") or {}
    egress = network.get("EgressConfiguration") or {}
    doc_network: dict[str, Any] = _drop_none(
        {
            "publicly_accessible": network["IngressConfiguration"]["IsPubliclyAccessible"],
            "egress": egress.get("EgressType"),
            "ip_address_type": network.get("IpAddressType"),
        }
    )
    if egress.get("VpcConnectorArn"):
        connector = client.describe_vpc_connector(VpcConnectorArn=egress["VpcConnectorArn"])[
            "VpcConnector"
        ]
        doc_network["vpc_connector"] = {
            "arn": connector["VpcConnectorArn"],
            "name": connector["VpcConnectorName"],
            "subnets": connector["Subnets"],
            "security_groups": connector["SecurityGroups"],
            "status": connector["Status"],
        }
    if arn in ingress:
        found = client.describe_vpc_ingress_connection(VpcIngressConnectionArn=ingress[arn])[
            "VpcIngressConnection"
        ]
        doc_network["vpc_ingress_connection"] = _drop_none(
            {
                "arn": found["VpcIngressConnectionArn"],
                "name": found["VpcIngressConnectionName"],
                "status": found["Status"],
                "vpc_id": found["IngressVpcConfiguration"]["VpcId"],
                "vpc_endpoint_id": found["IngressVpcConfiguration"]["VpcEndpointId"],
                "domain_name": found.get("DomainName"),
            }
        )
    observability = item.get("ObservabilityConfiguration") or {}
    doc_observability: dict[str, Any] = {"enabled": observability["ObservabilityEnabled"]}
    if observability["ObservabilityEnabled"]:
        tracing = client.describe_observability_configuration(
            ObservabilityConfigurationArn=observability["ObservabilityConfigurationArn"]
        )["ObservabilityConfiguration"]
        doc_observability.update(
            configuration_arn=tracing["ObservabilityConfigurationArn"],
            name=tracing["ObservabilityConfigurationName"],
            revision=tracing["ObservabilityConfigurationRevision"],
            vendor=tracing["TraceConfiguration"]["Vendor"],
        )
    domains = client.describe_custom_domains(ServiceArn=arn)["CustomDomains"]
    tags = client.list_tags_for_resource(ResourceArn=arn)["Tags"]
    return {
        "account": arn.split(":")[4],
        "profile": None,
        "region": arn.split(":")[3],
        "name": item["ServiceName"],
        "arn": arn,
        "status": item["Status"],
        "url": item.get("ServiceUrl"),
        "source": _source(item["SourceConfiguration"]),
        "instance": _drop_none(
            {
                "cpu": instance.get("Cpu"),
                "memory": instance.get("Memory"),
                "instance_role": instance.get("InstanceRoleArn"),
            }
        ),
        "health_check": _drop_none(
            {
                "protocol": hc.get("Protocol"),
                "path": hc.get("Path"),
                "interval": hc.get("Interval"),
                "timeout": hc.get("Timeout"),
                "healthy_threshold": hc.get("HealthyThreshold"),
                "unhealthy_threshold": hc.get("UnhealthyThreshold"),
            }
        ),
        "auto_scaling": {
            "arn": scaling["AutoScalingConfigurationArn"],
            "name": scaling["AutoScalingConfigurationName"],
            "revision": scaling["AutoScalingConfigurationRevision"],
            "latest": scaling["Latest"],
            "min_size": scaling["MinSize"],
            "max_size": scaling["MaxSize"],
            "max_concurrency": scaling["MaxConcurrency"],
        },
        "network": doc_network,
        "observability": doc_observability,
        "encryption_key": (item.get("EncryptionConfiguration") or {}).get("KmsKey"),
        "tags": {t["Key"]: t["Value"] for t in tags},
        "environment": {
            "variables": [
                {"name": name} for name in sorted(run.get("RuntimeEnvironmentVariables") or {})
            ],
            "secrets": [
                {"name": name, "value_from": source}
                for name, source in sorted((run.get("RuntimeEnvironmentSecrets") or {}).items())
            ],
        },
        "custom_domains": [
            {"name": d["DomainName"], "www": d["EnableWWWSubdomain"], "status": d["Status"]}
            for d in domains
        ],
    }


def world_as_held(sim: Simulator) -> dict[str, dict[str, Any]]:
    """Every service of both regions, by ARN, as `held` reads it."""
    docs: dict[str, dict[str, Any]] = {}
    for region in REGIONS:
        client = boto3.client("apprunner", **client_kwargs(sim, region))
        ingress = {
            s["ServiceArn"]: s["VpcIngressConnectionArn"]
            for s in client.list_vpc_ingress_connections()["VpcIngressConnectionSummaryList"]
        }
        for summary in client.list_services(MaxResults=20)["ServiceSummaryList"]:
            docs[summary["ServiceArn"]] = held(client, summary["ServiceArn"], ingress)
    return docs


def read_back(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


# -- the tests ------------------------------------------------------------------------------


def test_every_service_is_exported_as_aws_holds_it(
    demo_aimed: Simulator, demo_planted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The YAML reads back with safe_load_all: one document per service of both regions,
    each equal to what DescribeService and the resources it names hold. The demo has a
    failed creation: exit status 1, as `artui status` gives."""
    # A VPC ingress connection on one service, so the export names one.
    client = boto3.client("apprunner", **client_kwargs(demo_aimed, "eu-west-1"))
    target = client.list_services()["ServiceSummaryList"][0]["ServiceArn"]
    if not client.list_vpc_ingress_connections(Filter={"ServiceArn": target})[
        "VpcIngressConnectionSummaryList"
    ]:
        client.create_vpc_ingress_connection(
            ServiceArn=target,
            VpcIngressConnectionName="export-link",
            IngressVpcConfiguration={"VpcId": "vpc-0a1b2c3d", "VpcEndpointId": "vpce-0a1b2c3d"},
        )
    code, out, err = export(capsys)
    docs = read_back(out)
    expected = world_as_held(demo_aimed)
    assert sorted(d["arn"] for d in docs) == sorted(expected)
    for doc in docs:
        assert doc == expected[doc["arn"]], doc["name"]
    # What the demo holds shows in the export: a VPC connector, tracing, custom domains.
    assert any("vpc_connector" in d["network"] for d in docs)
    assert any("vpc_ingress_connection" in d["network"] for d in docs)
    assert any(d["observability"].get("vendor") == "AWSXRAY" for d in docs)
    assert any(d["custom_domains"] for d in docs)
    assert any(d["source"]["kind"] == "code" for d in docs)
    assert code == 1 and "CREATE_FAILED" in {d["status"] for d in docs}
    assert err == ""


def test_no_variable_value_is_written_without_with_values(
    demo_aimed: Simulator, demo_planted: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "fleet.yaml"
    code, out, err = export(capsys, "-o", str(out_file))
    text = out_file.read_text()
    assert demo_planted not in text and demo_planted not in out and demo_planted not in err
    assert f"name: {PLANTED_NAME}" in text  # the name is inventory
    # Private all the same: it names roles, secrets' ARNs and accounts.
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    assert f"services written to {out_file}" in err and "VALUES" not in err


def test_with_values_writes_mode_0600_and_says_so(
    demo_aimed: Simulator, demo_planted: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The value is in the file; the file, even one that was there and world-readable, is
    its owner's alone; stderr says values are in it."""
    out_file = tmp_path / "fleet.yaml"
    out_file.write_text("old\n")
    out_file.chmod(0o644)
    code, out, err = export(capsys, "-o", str(out_file), "--with-values")
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    docs = read_back(out_file.read_text())
    values = {v["name"]: v.get("value") for d in docs for v in d["environment"]["variables"]}
    assert values[PLANTED_NAME] == demo_planted
    assert f"variable VALUES are in {out_file} (mode 0600" in err


def test_a_service_that_cannot_be_read_is_a_document_with_its_error(
    demo_aimed: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    fault = {"operation": "DescribeService", "error": "AccessDeniedException"}
    control(
        demo_aimed,
        "POST",
        "/_sim/faults",
        {**fault, "status": 400, "message": "not you", "count": 1},
    )
    code, out, err = export(capsys)
    docs = read_back(out)
    failed = [d for d in docs if "error" in d]
    assert len(failed) == 1
    assert failed[0]["error"] == "DescribeService: AccessDeniedException: not you"
    assert set(failed[0]) == {"account", "profile", "region", "name", "arn", "status", "error"}
    assert len(docs) == len(world_as_held(demo_aimed))
    assert code == 3
    assert f"{failed[0]['name']} ({failed[0]['region']}): DescribeService" in err


def test_a_region_that_cannot_be_listed_is_a_document_and_exits_3(
    demo_aimed: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    fault = {"operation": "ListServices", "region": "eu-west-1", "error": "AccessDeniedException"}
    control(
        demo_aimed, "POST", "/_sim/faults", {**fault, "status": 400, "message": "no", "count": -1}
    )
    code, out, err = export(capsys)
    docs = read_back(out)
    assert {d["region"] for d in docs if "name" in d} == {"us-east-1"}
    # The account as `artui status` names it: its alias (the demo's is "demo"), else its id.
    assert docs[-1] == {
        "account": "demo",
        "profile": None,
        "region": "eu-west-1",
        "error": "ListServices: AccessDeniedException: no",
    }
    assert code == 3
    assert "profile default, region eu-west-1: ListServices" in err


def test_each_shared_resource_is_read_once(
    demo_aimed: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """DescribeService, DescribeCustomDomains and ListTagsForResource once per service; each
    auto scaling, VPC connector and observability configuration once however many services
    name it; the VPC ingress connections listed once a region."""
    control(demo_aimed, "DELETE", "/_sim/requests")
    code, out, _ = export(capsys)
    docs = read_back(out)
    served = Counter(
        r["operation"] for r in control(demo_aimed, "GET", "/_sim/requests")["requests"]
    )
    services = len(docs)
    scaling = {d["auto_scaling"]["arn"] for d in docs}
    connectors = {
        d["network"]["vpc_connector"]["arn"] for d in docs if "vpc_connector" in d["network"]
    }
    tracing = {
        d["observability"]["configuration_arn"] for d in docs if d["observability"]["enabled"]
    }
    ingress = [d for d in docs if "vpc_ingress_connection" in d["network"]]
    assert served["DescribeService"] == services
    assert served["DescribeCustomDomains"] == services
    assert served["ListTagsForResource"] == services
    assert served["DescribeAutoScalingConfiguration"] == len(scaling) < services
    assert served["DescribeVpcConnector"] == len(connectors) >= 1
    assert served["DescribeObservabilityConfiguration"] == len(tracing) >= 1
    assert served["ListVpcIngressConnections"] == len(REGIONS)
    assert served["DescribeVpcIngressConnection"] == len(ingress)
    assert served["ListServices"] == len(REGIONS)


def test_help_says_the_fields_values_and_exit_statuses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["export", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for words in ("--with-values", "mode 0600", "yaml.safe_load_all", "exit status", "-o FILE"):
        assert words in out


def test_a_file_that_cannot_be_written_exits_2(
    demo_aimed: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = export(capsys, "-o", str(tmp_path / "no" / "such" / "dir.yaml"))
    assert code == 2 and "cannot write" in err


def test_a_progress_bar_shows_on_a_terminal(demo_aimed: Simulator, tmp_path: Path) -> None:
    """Run on a terminal (stderr a pty), the command draws a bar that counts the services
    read; piped, it writes none (the tests above find stderr empty)."""
    out_file = tmp_path / "fleet.yaml"
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100")
    proc = subprocess.Popen(
        [sys.executable, "-m", "artui", "export", "-o", str(out_file)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    drawn = b""
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the command has ended and closed the terminal
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(master)
        proc.wait(timeout=60)
    # What the terminal showed, without its colours and cursor moves.
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn.decode("utf-8", "replace"))
    count = len(read_back(out_file.read_text()))
    assert "artui export" in text and "━" in text  # Rich's bar
    # Its last frame (Rich draws one as it stops) counts the whole fleet read.
    assert f"{count}/{count} services" in text
