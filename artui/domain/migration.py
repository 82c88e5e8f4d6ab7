"""A plan for moving one App Runner service to Amazon ECS Express Mode: the
CreateExpressGatewayService request that reproduces it, and what does not carry over.

Pure: it reads a ServiceRecord (artui/domain/export.py) and never calls anything. The
request is checked against botocore's ECS model in artui/aws/ecs_model.py before it is
written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from artui.domain.export import ServiceRecord


@dataclass(frozen=True)
class Finding:
    """One thing that does not carry over as it is, for one service."""

    rule: str  # the rule's id, e.g. "code-repository"
    field: str  # the App Runner field that caused it, e.g. "SourceConfiguration.CodeRepository"
    value: str  # that field's value, as the report quotes it
    action: bool  # True: the move does not work until it is done; False: a thing to check
    line: str  # what does not carry over
    todo: str  # what to do about it


@dataclass(frozen=True)
class Placeholder:
    """A value of the request artui cannot know, written as `text` for the operator to fill."""

    text: str  # what the request holds, e.g. "<infrastructure-role-arn>"
    field: str  # where in the request, e.g. "infrastructureRoleArn"
    why: str  # what to put there


@dataclass(frozen=True)
class Plan:
    """One service's plan: the request (CreateExpressGatewayService's parameters), what
    does not carry over, and the placeholders the request holds."""

    record: ServiceRecord
    request: dict[str, Any]
    findings: tuple[Finding, ...]
    placeholders: tuple[Placeholder, ...]

    @property
    def clean(self) -> bool:
        """Whether it carries over with no action (checks and placeholders aside)."""
        return not any(f.action for f in self.findings)


def plan(record: ServiceRecord, *, with_values: bool = False) -> Plan:
    """The plan for one service that was read (record.error is None)."""
    raise NotImplementedError


def service_report(one: Plan) -> str:
    """One service's section of REPORT.md (Markdown): what does not carry over, each point
    with the field that caused it and what to do, then the placeholders to fill."""
    raise NotImplementedError


def fleet_report(plans: list[Plan], unread: list[ServiceRecord]) -> str:
    """REPORT.md: the summary (how many carry over cleanly, how many need which action),
    then every service's section, then the services that could not be read."""
    raise NotImplementedError


def summary(plans: list[Plan], unread: list[ServiceRecord]) -> list[str]:
    """The summary's lines, as stdout and the top of REPORT.md give them."""
    raise NotImplementedError
