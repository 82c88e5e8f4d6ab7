"""artui/domain/migration.py: one row per rule (the record that triggers it, the finding it
gives), the request's mapping, the placeholders, the reports, and no variable's value in
anything written without it being asked for."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from migration_records import (
    ACCESS_ROLE,
    CODE_SOURCE,
    CONNECTOR,
    DB_CONNECTOR,
    EVERYTHING,
    IMAGE,
    INSTANCE_ROLE,
    REPO,
    ROWS,
    SECRET_ARN,
    VARIABLE_VALUE,
    Row,
    clean_configuration,
    record,
    service,
    with_config,
    with_source,
)

from artui.domain.configuration import INSTANCE_SIZES, AutoScaling, Network, Secret, Variable
from artui.domain.export import ServiceRecord
from artui.domain.inert import code
from artui.domain.migration import CLUSTER, EXECUTION_ROLE, INFRASTRUCTURE_ROLE, Plan, plan
from artui.domain.migration_report import RULE_WORDS, fleet_report, service_report, summary

# Fargate's CPU units and the memory (MB) each takes (the ECS Developer Guide's task size
# table): 256 takes 512, 1024 or 2048; 512 takes 1 to 4 GB; 1024 takes 2 to 8 GB; 2048
# takes 4 to 16 GB and 4096 takes 8 to 30 GB, by the GB.
FARGATE = {
    "256": {512, 1024, 2048},
    "512": {1024 * n for n in range(1, 5)},
    "1024": {1024 * n for n in range(2, 9)},
    "2048": {1024 * n for n in range(4, 17)},
    "4096": {1024 * n for n in range(8, 31)},
}


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_each_rule_cites_the_field_that_caused_it(row: Row) -> None:
    found = plan(row.record)
    mine = [f for f in found.findings if f.rule == row.rule]
    assert len(mine) == 1
    finding = mine[0]
    assert (finding.field, finding.value) == (row.field, row.value)
    assert row.line in finding.line
    assert finding.todo
    assert {f.rule for f in found.findings} == {row.rule} | row.also


def test_a_clean_record_triggers_nothing() -> None:
    found = plan(record())
    assert found.findings == ()
    assert found.clean
    assert "Carries over as it is." in service_report(found)


def test_every_rule_the_rows_give_has_words_for_the_summary() -> None:
    assert {r.rule for r in ROWS} <= set(RULE_WORDS)


@pytest.mark.parametrize(
    ("rule", "action"),
    [
        ("code-repository", True),
        ("tcp-health-check", True),
        ("custom-domains", True),
        ("vpc-connector", True),
        ("private-ingress", True),
        ("xray", True),
        ("unread", True),
        ("paused", True),
        ("auto-deployments", False),
        ("concurrency", False),
        ("outbound-ips", False),
        ("encryption-key", False),
    ],
)
def test_actions_and_checks(rule: str, action: bool) -> None:
    row = next(r for r in ROWS if r.rule == rule)
    found = plan(row.record)
    finding = next(f for f in found.findings if f.rule == rule)
    assert finding.action is action
    if not row.also:
        assert found.clean is not action


def test_an_image_service_runs_its_image_on_its_port() -> None:
    request = plan(record()).request
    assert request["serviceName"] == "shop"
    assert request["primaryContainer"] == {"image": IMAGE, "containerPort": 8000}
    assert request["healthCheckPath"] == "/health"
    assert (request["cpu"], request["memory"]) == ("1024", "2048")
    assert request["cpuArchitecture"] == "X86_64"
    assert request["tags"] == [{"key": "team", "value": "web"}]
    assert request["cluster"] == CLUSTER
    assert request["infrastructureRoleArn"] == INFRASTRUCTURE_ROLE
    for absent in ("taskRoleArn", "networkConfiguration", "scalingTarget", "taskDefinitionArn"):
        assert absent not in request


def test_no_port_is_app_runners_default_not_ecss() -> None:
    request = plan(record(with_source(port=None))).request
    assert request["primaryContainer"]["containerPort"] == 8080


def test_an_http_check_without_a_path_checks_the_root() -> None:
    config = clean_configuration()
    hc = replace(config.health_check, path=None)
    assert plan(record(replace(config, health_check=hc))).request["healthCheckPath"] == "/"


def test_a_tcp_check_gives_the_root_path_and_the_finding() -> None:
    found = plan(next(r for r in ROWS if r.rule == "tcp-health-check").record)
    assert found.request["healthCheckPath"] == "/"


def test_a_code_repository_gives_a_named_placeholder_image() -> None:
    found = plan(record(replace(clean_configuration(), source=CODE_SOURCE)))
    image = found.request["primaryContainer"]["image"]
    assert image == f"<image built from {REPO} (BRANCH main)>"
    assert image in [p.text for p in found.placeholders]
    assert found.request["primaryContainer"]["command"] == ["python", "app.py"]


def test_the_roles() -> None:
    found = plan(record(with_config(instance_role=INSTANCE_ROLE, source=CODE_SOURCE)))
    assert found.request["executionRoleArn"] == EXECUTION_ROLE
    assert found.request["taskRoleArn"] == INSTANCE_ROLE
    found = plan(record(with_source(access_role=ACCESS_ROLE)))
    assert found.request["executionRoleArn"] == ACCESS_ROLE
    assert EXECUTION_ROLE not in [p.text for p in found.placeholders]


def test_variables_are_names_with_placeholders_unless_asked_for() -> None:
    config = with_source(variables=(Variable("A", "1"), Variable("B", "two")))
    without = plan(record(config))
    assert without.request["primaryContainer"]["environment"] == [
        {"name": "A", "value": "<value of A>"},
        {"name": "B", "value": "<value of B>"},
    ]
    held = {p.text: p.field for p in without.placeholders}
    assert held["<value of A>"] == "primaryContainer.environment[A]"
    assert "<value of B>" in held
    within = plan(record(config), with_values=True)
    assert within.request["primaryContainer"]["environment"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "two"},
    ]
    assert not [p for p in within.placeholders if p.text.startswith("<value of")]


def test_secrets_come_from_the_same_arns() -> None:
    found = plan(record(with_source(secrets=(Secret("DB_PASSWORD", SECRET_ARN),))))
    assert found.request["primaryContainer"]["secrets"] == [
        {"name": "DB_PASSWORD", "valueFrom": SECRET_ARN}
    ]


@pytest.mark.parametrize(
    ("start", "command"),
    [
        ('gunicorn -b "0.0.0.0:8000" app:app', ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]),
        ("node server.js --port=$PORT", ["node", "server.js", "--port=$PORT"]),
        ('echo "unbalanced', ["/bin/sh", "-c", 'echo "unbalanced']),
    ],
    ids=["quoted", "plain", "unbalanced"],
)
def test_the_start_command_is_split(start: str, command: list[str]) -> None:
    found = plan(record(with_source(start_command=start)))
    assert found.request["primaryContainer"]["command"] == command


def test_scaling_carries_sizes_and_concurrency() -> None:
    scaling = AutoScaling(arn="", name="s", min_size=2, max_size=9, max_concurrency=60)
    assert plan(record(with_config(auto_scaling=scaling))).request["scalingTarget"] == {
        "minTaskCount": 2,
        "maxTaskCount": 9,
        "autoScalingMetric": "REQUEST_COUNT_PER_TARGET",
        "autoScalingTargetValue": 60,
    }


def test_scaling_not_read_is_left_out() -> None:
    summary_only = AutoScaling(arn="arn:a", name="s")
    found = plan(record(with_config(auto_scaling=summary_only)))
    assert "scalingTarget" not in found.request


def test_the_network_comes_from_the_vpc_connector() -> None:
    connected = Network(public_ingress=True, egress="VPC", vpc_connector_arn=CONNECTOR)
    found = plan(record(with_config(network=connected, vpc_connector=DB_CONNECTOR)))
    assert found.request["networkConfiguration"] == {
        "subnets": ["subnet-0aaa1111", "subnet-0bbb2222"],
        "securityGroups": ["sg-0ccc3333"],
    }


def test_default_egress_names_no_network() -> None:
    found = plan(record(with_config(network=Network(public_ingress=True, egress="DEFAULT"))))
    assert "networkConfiguration" not in found.request


def test_tags_skip_the_keys_aws_reserves() -> None:
    tags = (("team", "web"), ("aws:cloudformation:stack-name", "shop"), ("AWS:x", "y"))
    assert plan(record(with_config(tags=tags))).request["tags"] == [{"key": "team", "value": "web"}]
    assert "tags" not in plan(record(with_config(tags=None))).request


@pytest.mark.parametrize(
    ("cpu", "memory", "want"),
    [("1 vCPU", "2 GB", ("1024", "2048")), ("0.25 vCPU", "0.5 GB", ("256", "512"))],
)
def test_sizes_in_words_become_units(cpu: str, memory: str, want: tuple[str, str]) -> None:
    request = plan(record(with_config(cpu=cpu, memory=memory))).request
    assert (request["cpu"], request["memory"]) == want


def test_every_app_runner_size_is_a_fargate_size() -> None:
    for cpu, memories in INSTANCE_SIZES.items():
        for memory in memories:
            assert int(memory) in FARGATE[cpu], (cpu, memory)


def test_the_request_lists_members_in_the_models_order() -> None:
    keys = list(plan(EVERYTHING).request)
    assert keys[:3] == ["executionRoleArn", "infrastructureRoleArn", "serviceName"]
    assert keys[-1] == "tags"


def test_the_placeholders_are_listed_in_the_report() -> None:
    found = plan(record(replace(clean_configuration(), source=CODE_SOURCE)))
    texts = {p.text for p in found.placeholders}
    assert {CLUSTER, INFRASTRUCTURE_ROLE, EXECUTION_ROLE} <= texts
    report = service_report(found)
    assert "Placeholders to fill:" in report
    for p in found.placeholders:
        assert code(p.text) in report


def test_no_variable_value_is_written_unless_asked_for() -> None:
    found = plan(EVERYTHING)
    written = [
        json.dumps(found.request),
        service_report(found),
        fleet_report([found], []),
        "\n".join(summary([found], [])),
        *(f"{f.value} {f.line} {f.todo}" for f in found.findings),
        *(f"{p.text} {p.why}" for p in found.placeholders),
    ]
    for text in written:
        assert VARIABLE_VALUE not in text
    # The same record does carry it when asked: the check above is not vacuous.
    assert VARIABLE_VALUE in json.dumps(plan(EVERYTHING, with_values=True).request)
    assert VARIABLE_VALUE not in service_report(plan(EVERYTHING, with_values=True))


def test_the_service_report_puts_actions_before_checks() -> None:
    report = service_report(plan(EVERYTHING))
    assert report.startswith("## `shop` (us-east-1, 123456789012)")
    assert report.index("Actions:") < report.index("Checks:") < report.index("Placeholders")
    assert (
        "- **tcp-health-check** — App Runner checks the service's health by opening a TCP" in report
    )
    assert "(`HealthCheckConfiguration.Protocol` = `TCP`). What to do: Give the application" in (
        report
    )


def test_custom_domains_say_the_order_of_the_move() -> None:
    found = plan(EVERYTHING)
    todo = next(f for f in found.findings if f.rule == "custom-domains").todo
    steps = ["(1) request an ACM certificate", "(2)", "lower the TTL", "(5) move", "disassociate"]
    places = [todo.index(s) for s in steps]
    assert places == sorted(places)
    assert "alias record" in todo  # example.com is a root domain


def test_aws_text_cannot_break_out_of_its_code_span() -> None:
    hostile = "https://x.example/`\n# Injected heading\r\n<script>\x1b[2J"
    source = replace(CODE_SOURCE, identifier=hostile)
    found = plan(record(replace(clean_configuration(), source=source)))
    report = fleet_report([found], [])
    assert "\n# Injected" not in report
    assert "\x1b" not in report
    assert code("a`b\nc") == "`a b c`"


def test_the_summary_counts_services_and_rules() -> None:
    # Two code repositories (actions), one auto deployment (a check), two clean.
    plans = [plan(r.record) for r in ROWS[:3]] + [plan(record()), plan(record())]
    unread = [ServiceRecord(service=service("gone"), error="AccessDeniedException: no")]
    lines = summary(plans, unread)
    assert lines[0] == "6 services: 3 carry over cleanly, 2 need action, 1 could not be planned"
    assert "  code-repository: 2 services (build pipeline)" in lines
    assert "  auto-deployments: 1 service (deploy from the pipeline)" in lines
    assert lines.index("  code-repository: 2 services (build pipeline)") < lines.index(
        "  auto-deployments: 1 service (deploy from the pipeline)"
    )


def test_the_fleet_report_has_the_summary_every_service_and_the_unread() -> None:
    plans: list[Plan] = [plan(EVERYTHING), plan(record(name="api"))]
    unread = [ServiceRecord(service=service("gone"), error="AccessDeniedException: no")]
    report = fleet_report(plans, unread)
    assert report.startswith("# Moving to Amazon ECS Express Mode\n\n3 services: 1 carry over")
    assert "## `shop` (us-east-1, 123456789012)" in report
    assert "## `api` (us-east-1, 123456789012)" in report
    assert "## Not planned\n\n- `gone` (us-east-1): `AccessDeniedException: no`" in report


def test_an_unread_service_has_no_plan() -> None:
    with pytest.raises(ValueError):
        plan(ServiceRecord(service=service(), error="AccessDeniedException"))


def test_a_record_without_configuration_is_planned_as_unread() -> None:
    found = plan(ServiceRecord(service=service(), configuration=None, custom_domains=()))
    assert [f.field for f in found.findings if f.rule == "unread"] == ["DescribeService"]
    assert not found.clean
