"""`artui export [-o FILE] [--with-values]`: the fleet's configuration as YAML, one document
per service, for an inventory and for planning a move (`artui migrate` reads the same).

Each region is listed (ListServices), then each service is read whole: DescribeService,
the resources it names (auto scaling, VPC connector and observability configurations, each
read once however many services share it; the region's VPC ingress connections in one
list), its custom domains and its tags (artui/aws/apprunner.py `records`). Services are
read a few at a time per region, every region of every profile at once.

A variable's value is written only with --with-values, and the command then says so. The
file is its owner's alone (mode 0600), as every file artui writes (artui/logfile.py). A
service that cannot be read is a document with its error; a region that cannot be listed,
a document with the region and its error. The exit status is `artui status`'s: 0 all
read, 1 a service CREATE_FAILED or DELETE_FAILED, 2 a bad flag or settings file, 3 anything
unread (3 wins over 1).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from artui.domain.errors import describe
from artui.domain.export import ServiceRecord, document
from artui.domain.inert import inert
from artui.logfile import replace_private
from artui.report.fleet import (
    FAILED_STATUSES,
    FAILING,
    OK,
    UNREAD,
    USAGE,
    AccountRead,
    Tally,
    add_fleet_arguments,
    fleet_settings,
    quiet_stdout,
    read_fleet,
    run_read,
    tally,
)

if TYPE_CHECKING:
    from artui.aws.backend import Backend
    from artui.settings import Settings


EPILOG = """\
output:
  YAML, one document per service (yaml.safe_load_all reads it back): account, profile,
  region, name, arn, status, url; source (image or repository, version, directory,
  runtime, build and start commands, port, automatic deployments, access role);
  instance (cpu, memory, instance role); health_check; auto_scaling (name, revision,
  sizes, concurrency); network (public, egress, IP address type, VPC connector with its
  subnets and security groups, VPC ingress connection); observability; encryption_key;
  custom_domains with their status; tags; environment: variable names, and secrets by
  name with the ARN they come from. A related read that failed is listed under unread.
  A service that could not be read: a document with its error; a region that could
  not be listed: a document with account (its alias, else its id, else the profile),
  profile, region and error.

values:
  A variable's value is never written unless --with-values is given, and then the
  command says so. FILE is readable by you alone (mode 0600), values or not: it names
  roles, secrets' ARNs and accounts.

exit status:
  0  everything read, no service CREATE_FAILED or DELETE_FAILED
  1  a service CREATE_FAILED or DELETE_FAILED
  2  a bad flag or settings file
  3  a profile, region or service could not be read (3 wins over 1). What was read is
     written all the same.
"""


@dataclass(frozen=True)
class RegionRecords:
    """One region of one profile: its services read whole, or why it could not be listed."""

    region: str
    records: tuple[ServiceRecord, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class Fleet:
    """Every service read (in the settings' order of profiles and regions, by name within
    a region, a service two profiles reach listed once) and every place not read."""

    records: tuple[ServiceRecord, ...]
    unread: tuple[dict[str, Any], ...]  # {account, profile, region (None: the profile), error}

    @property
    def exit_status(self) -> int:
        """3 when anything went unread, else 1 when a service has failed, else 0."""
        if self.unread or any(r.error is not None for r in self.records):
            return UNREAD
        if any(r.service.status in FAILED_STATUSES for r in self.records):
            return FAILING
        return OK


async def read_region(backend: Backend, region: str, counted: Tally) -> RegionRecords:
    """ListServices, then every service of the region read whole."""
    try:
        listed = await backend.apprunner.list_services(region)
    except Exception as exc:
        return RegionRecords(region, error=f"ListServices: {describe(exc)}")
    services = sorted(
        (replace(s, profile=backend.profile) for s in listed), key=lambda s: (s.name, s.arn)
    )
    counted.listed(len(services))
    try:
        records = await backend.apprunner.records(region, services, counted.done)
    except Exception as exc:  # no client for the region: nothing of it was read
        return RegionRecords(region, error=describe(exc))
    return RegionRecords(region, tuple(records))


def fleet_of(reads: list[AccountRead[RegionRecords]]) -> Fleet:
    """The records and the unread places of every account, in order."""
    records: list[ServiceRecord] = []
    unread: list[dict[str, Any]] = []
    seen: set[str] = set()
    for read in reads:
        profile = read.account.profile
        if read.error is not None:
            unread.append(
                {"account": read.label, "profile": profile, "region": None, "error": read.error}
            )
        for region in read.regions:
            if region.error is not None:
                unread.append(
                    {
                        "account": read.label,
                        "profile": profile,
                        "region": region.region,
                        "error": region.error,
                    }
                )
            for record in region.records:
                if record.service.arn in seen:
                    continue
                seen.add(record.service.arn)
                records.append(record)
    return Fleet(tuple(records), tuple(unread))


async def gather_fleet(settings: Settings, counted: Tally) -> Fleet:
    """Every service of `settings`' profiles and regions, read whole."""
    reads = await read_fleet(
        settings, lambda backend, region: read_region(backend, region, counted)
    )
    return fleet_of(reads)


def read_with_progress(command: str, settings: Settings, stream: TextIO) -> Fleet | int:
    """The fleet read, a progress bar on `stream` while it runs on a terminal; UNREAD when
    nothing could be read (said on stderr)."""
    with tally(f"artui {command}", stream) as counted:
        return run_read(command, lambda: gather_fleet(settings, counted))


def say_unread(command: str, fleet: Fleet) -> None:
    """One line on stderr for each profile, region or service that could not be read."""
    for place in fleet.unread:
        where = f"profile {place['profile'] or 'default'}"
        if place["region"]:
            where += f", region {place['region']}"
        print(f"artui {command}: {inert(where)}: {inert(place['error'])}", file=sys.stderr)
    for record in fleet.records:
        if record.error is not None:
            name = f"{record.service.name} ({record.service.region})"
            print(f"artui {command}: {inert(name)}: {inert(record.error)}", file=sys.stderr)


def yaml_text(fleet: Fleet, with_values: bool, now: datetime) -> str:
    """The export: a comment saying what it is, then one YAML document per service and one
    per place not read."""
    import yaml

    docs = [document(r, with_values=with_values) for r in fleet.records] + list(fleet.unread)
    what = "variable values included" if with_values else "variable names only, no values"
    head = (
        f"# artui export, {now.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%SZ}: "
        f"{len(fleet.records)} services ({what})\n"
    )
    # ASCII only (PyYAML escapes the rest, and every control character): nothing AWS sent
    # reaches a terminal raw when the export is printed.
    return head + yaml.safe_dump_all(docs, sort_keys=False, explicit_start=True)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="artui export",
        description="Write every App Runner service of the settings' profiles and regions\n"
        "as YAML: its whole configuration, variable names (never values unless asked),\n"
        "secrets by name and ARN. Read-only: it never changes anything.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE (default: stdout)"
    )
    parser.add_argument(
        "--with-values",
        action="store_true",
        help="include variables' values (FILE is written with mode 0600, as always)",
    )
    add_fleet_arguments(parser, "export")
    return parser


def run(argv: list[str], clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> int:
    """`artui export ...`: the exit status (a ConfigError is raised for the caller: exit 2)."""
    args = parser().parse_args(argv)
    settings = fleet_settings(args)
    fleet = read_with_progress("export", settings, sys.stderr)
    if isinstance(fleet, int):
        return fleet
    text = yaml_text(fleet, args.with_values, clock())
    say_unread("export", fleet)
    if args.output is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            quiet_stdout()
    else:
        try:
            replace_private(args.output, text)
        except OSError as exc:
            print(f"artui export: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
            return USAGE
        print(
            f"artui export: {len(fleet.records)} services written to {args.output}",
            file=sys.stderr,
        )
    if args.with_values:
        where = "stdout" if args.output is None else f"{args.output} (mode 0600: you alone)"
        print(f"artui export: variable VALUES are in {where}", file=sys.stderr)
    return fleet.exit_status
