"""The migration plan as Markdown and as the summary: one service's section, the fleet's
REPORT.md, and the lines stdout and the report open with (artui/domain/migration.py makes
the plans). A variable's value is never here; AWS's text only through `code`."""

from __future__ import annotations

import re
from collections import Counter

from artui.domain.export import ServiceRecord
from artui.domain.inert import code
from artui.domain.migration import Finding, Plan

# What each rule asks for, in a few words, for the summary.
RULE_WORDS: dict[str, str] = {
    "unread": "read again: the plan may miss what it holds",
    "unknown-source": "name the image",
    "code-repository": "build pipeline",
    "execution-role": "execution role trusting ECS",
    "task-role": "task role trusting ECS",
    "tcp-health-check": "an HTTP health check path",
    "paused": "decide whether it moves",
    "custom-domains": "certificate, listener and DNS move",
    "vpc-connector": "routes and security groups in the subnets",
    "private-ingress": "an internal load balancer",
    "xray": "a collector sidecar in a task definition",
    "encryption-key": "encryption where the data now lives",
    "auto-deployments": "deploy from the pipeline",
    "concurrency": "pick a requests-per-target value",
    "outbound-ips": "allow lists",
}


def _plain(text: str) -> str:
    """A region or an account id for a heading: letters, digits and hyphens only."""
    return re.sub(r"[^A-Za-z0-9-]", "", text) or "?"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _finding(f: Finding) -> str:
    return f"- **{f.rule}** — {f.line} ({code(f.field)} = {code(f.value)}). What to do: {f.todo}"


def service_report(one: Plan) -> str:
    """One service's section of REPORT.md (Markdown): what does not carry over, each point
    with the field that caused it and what to do, then the placeholders to fill."""
    service = one.record.service
    account = f", {_plain(one.record.account)}" if one.record.account else ""
    out = [f"## {code(service.name)} ({_plain(service.region)}{account})", ""]
    actions = [f for f in one.findings if f.action]
    checks = [f for f in one.findings if not f.action]
    if not one.findings:
        out += ["Carries over as it is.", ""]
    if actions:
        out += ["Actions:", "", *(_finding(f) for f in actions), ""]
    if checks:
        out += ["Checks:", "", *(_finding(f) for f in checks), ""]
    if one.placeholders:
        out += ["Placeholders to fill:", ""]
        out += [f"- {code(p.text)} in {code(p.field)}: {p.why}" for p in one.placeholders]
        out.append("")
    return "\n".join(out)


def summary(plans: list[Plan], unread: list[ServiceRecord]) -> list[str]:
    """The summary's lines, as stdout and the top of REPORT.md give them."""
    clean = sum(1 for p in plans if p.clean)
    head = (
        f"{_plural(len(plans) + len(unread), 'service')}: {clean} carry over cleanly, "
        f"{len(plans) - clean} need action"
    )
    if unread:
        head += f", {len(unread)} could not be planned"
    lines = [head]
    actions: Counter[str] = Counter()
    checks: Counter[str] = Counter()
    for one in plans:
        actions.update({f.rule for f in one.findings if f.action})
        checks.update({f.rule for f in one.findings if not f.action})
    order = list(RULE_WORDS)
    for counted, kind in ((actions, "action"), (checks, "check")):
        for rule in sorted(counted, key=lambda r: order.index(r) if r in order else len(order)):
            words = RULE_WORDS.get(rule, kind)
            lines.append(f"  {rule}: {_plural(counted[rule], 'service')} ({words})")
    return lines


def fleet_report(plans: list[Plan], unread: list[ServiceRecord]) -> str:
    """REPORT.md: the summary (how many carry over cleanly, how many need which action),
    then every service's section, then the services that could not be planned (not read,
    or a request the ECS model refused), each with why."""
    lines = summary(plans, unread)
    out = ["# Moving to Amazon ECS Express Mode", "", lines[0], ""]
    if len(lines) > 1:
        out += [f"- {line.strip()}" for line in lines[1:]] + [""]
    out += [service_report(p) for p in plans]
    if unread:
        out += ["## Not planned", ""]
        out += [
            f"- {code(r.service.name)} ({_plain(r.service.region)}): {code(r.error or '')}"
            for r in unread
        ]
        out.append("")
    return "\n".join(out)
