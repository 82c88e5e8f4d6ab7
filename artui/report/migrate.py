"""`artui migrate --to ecs-express -o DIR`: for each service, the CreateExpressGatewayService
request that reproduces it on Amazon ECS Express Mode, and a report of what does not carry
over. Nothing is created anywhere: artui never calls ECS.

The fleet is read as `artui export` reads it (artui/report/export.py); each plan is made by
artui/domain/migration.py and checked against botocore's ECS model before it is written
(artui/aws/ecs_model.py). DIR gets one JSON file per service, ACCOUNT/REGION/NAME.json,
each a request `aws ecs create-express-gateway-service --cli-input-json` takes once its
placeholders are filled, and REPORT.md for the fleet; stdout gets the summary.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from artui.domain.export import ServiceRecord
from artui.domain.inert import inert
from artui.domain.migration import Plan, plan
from artui.domain.migration_report import fleet_report, summary
from artui.logfile import replace_private
from artui.report.export import read_with_progress, say_unread
from artui.report.fleet import FAILING, OK, UNREAD, USAGE, add_fleet_arguments, fleet_settings

TARGETS = ("ecs-express",)
REPORT = "REPORT.md"

EPILOG = """\
output (in DIR, created if need be):
  ACCOUNT/REGION/NAME.json  per service: CreateExpressGatewayService's parameters,
                            checked against botocore's ECS model; <...> marks a value
                            artui cannot know (REPORT.md lists each)
  REPORT.md                 how many services carry over cleanly, how many need which
                            action; then, service by service, what does not carry over,
                            the field that causes it, and what to do
  stdout                    the summary

values:
  Variables' values are <value of NAME> placeholders unless --with-values is given.
  Every file is readable by you alone (mode 0600), as every file artui writes.

exit status:
  0  every service planned
  1  a request did not pass the ECS model's check (not written; REPORT.md says why)
  2  a bad flag or settings file, or DIR cannot be written
  3  a profile, region or service could not be read (3 wins over 1)
"""

# What a path part may hold: AWS's text never picks where a file goes.
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def request_path(root: Path, record: ServiceRecord) -> Path:
    """Where a service's request goes: ROOT/ACCOUNT/REGION/NAME.json."""
    service = record.service
    parts = [record.account or "account", service.region or "region", service.name or "service"]
    safe = [_UNSAFE.sub("_", p).lstrip(".") or "_" for p in parts]
    return root.joinpath(*safe[:2], f"{safe[2]}.json")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="artui migrate",
        description="Plan the move of every App Runner service of the settings' profiles and\n"
        "regions to Amazon ECS Express Mode: a checked CreateExpressGatewayService request per\n"
        "service and a report of what does not carry over. Creates nothing in AWS.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--to", required=True, choices=TARGETS, help="where to: ecs-express")
    parser.add_argument(
        "-o", "--output", required=True, type=Path, metavar="DIR", help="directory to write"
    )
    parser.add_argument(
        "--with-values",
        action="store_true",
        help="put variables' values in the requests (files are mode 0600, as always)",
    )
    add_fleet_arguments(parser, "plan")
    return parser


def checked_plans(
    records: tuple[ServiceRecord, ...], with_values: bool
) -> tuple[list[Plan], list[ServiceRecord]]:
    """Each read service's plan whose request passes botocore's ECS model; a service whose
    request does not (a fault of artui's) or that was not read is among the second list,
    with its error."""
    from artui.aws.ecs_model import invalid

    plans: list[Plan] = []
    unplanned: list[ServiceRecord] = []
    for record in records:
        if record.error is not None:
            unplanned.append(record)
            continue
        made = plan(record, with_values=with_values)
        problems = invalid(made.request)
        if problems:
            why = "the request does not pass the ECS model's check: " + "; ".join(problems)
            unplanned.append(ServiceRecord(record.service, error=why))
        else:
            plans.append(made)
    return plans, unplanned


def run(argv: list[str]) -> int:
    """`artui migrate ...`: the exit status (a ConfigError is raised for the caller: exit 2)."""
    args = parser().parse_args(argv)
    settings = fleet_settings(args)
    root: Path = args.output
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"artui migrate: cannot write to {root}: {exc.strerror}", file=sys.stderr)
        return USAGE
    fleet = read_with_progress("migrate", settings, sys.stderr)
    if isinstance(fleet, int):
        return fleet
    plans, unplanned = checked_plans(fleet.records, args.with_values)
    try:
        for made in plans:
            path = request_path(root, made.record)
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(made.request, indent=2, ensure_ascii=True) + "\n"
            replace_private(path, text)
        replace_private(root / REPORT, fleet_report(plans, unplanned))
    except OSError as exc:
        print(f"artui migrate: cannot write to {root}: {exc.strerror}", file=sys.stderr)
        return USAGE
    say_unread("migrate", fleet)
    lines = summary(plans, unplanned)
    lines.append(f"Wrote {len(plans)} requests and {REPORT} to {root}.")
    if args.with_values:
        lines.append("The requests hold variables' values (mode 0600: readable by you alone).")
    sys.stdout.write("\n".join(inert(line) for line in lines) + "\n")
    if fleet.exit_status == UNREAD:
        return UNREAD
    return FAILING if unplanned else OK
