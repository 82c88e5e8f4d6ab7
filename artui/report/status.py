"""`artui status [--json]`: every service of every profile and region, with its figures,
printed once, for scripts, cron and incident channels.

Settings, accounts and regions come as the one-shot commands share them
(artui/report/fleet.py: read-only always, every region of every profile at once). A region
is its services (ListServices), then their last hour of metrics through the services
list's own code (`artui.engine.metrics.fetch_fleet` and `figures`), so the numbers are the
list's.

The exit status says how things are: 0 all well, 1 a service failing (CREATE_FAILED,
DELETE_FAILED, or a 5xx share at or over `error_threshold`), 2 a bad flag or settings file,
3 a profile or region (or its metrics) that could not be read. 3 wins over 1: with part of
the fleet unread the picture is incomplete, and "failing" may not be all there is to say.

No Textual here: the command must start and end quickly.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TextIO

from artui.domain.apprunner import Service
from artui.domain.errors import describe
from artui.domain.format import latency_text, rpm_text, share_text
from artui.domain.inert import inert
from artui.engine.metrics import Figures, fetch_fleet, figures
from artui.report.fleet import (
    FAILED_STATUSES,
    FAILING,
    OK,
    UNREAD,
    AccountRead,
    Connect,
    add_fleet_arguments,
    connect_backend,
    fleet_settings,
    quiet_stdout,
    read_fleet,
    run_read,
)

if TYPE_CHECKING:
    from artui.aws.backend import Backend
    from artui.settings import Settings

# What the text shows where there is no value.
NONE = "-"

# The text's columns: (header, row key, right-aligned).
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("ACCOUNT", "account", False),
    ("REGION", "region", False),
    ("NAME", "name", False),
    ("STATUS", "status", False),
    ("URL", "url", False),
    ("UPDATED", "updated", False),
    ("REQ/MIN", "rpm", True),
    ("5XX", "error_share", True),
    ("LATENCY", "latency_ms", True),
)

EPILOG = """\
output:
  One line per service, under a header: ACCOUNT (the account's alias, else its id, else
  the profile's name), REGION, NAME, STATUS (App Runner's word), URL, UPDATED (ISO 8601,
  UTC), REQ/MIN (requests a minute), 5XX (the share of requests answered 5xx, marked !
  at or over error_threshold) and LATENCY (average): the services list's figures, over
  the newest five minutes with data in the last hour; - where there is none.
  --json: one JSON object per line (JSON Lines), keys account, profile, region, name,
  arn, status, url, updated, rpm, error_share (percent), latency_ms (numbers; null
  where unreadable) and failing (true or false).
  A profile or region that cannot be read: one line on stderr naming it and what AWS
  answered; with --json also an object on stdout with account, profile, region (null:
  the whole profile) and error.

exit status:
  0  every profile and region read, no service failing
  1  a service failing: CREATE_FAILED, DELETE_FAILED, or its 5xx share at or over the
     settings' error_threshold (default 5, in percent)
  2  a bad flag or settings file
  3  a profile or region (or its metrics) could not be read; 3 wins over 1: the picture
     is incomplete. What was read is printed all the same.
"""


# -- rows: pure ----------------------------------------------------------------------------


def iso_utc(moment: datetime | None) -> str | None:
    """`moment` in ISO 8601, UTC, to the second (`2025-01-31T09:30:00Z`); a naive one is
    taken as UTC (botocore's are aware)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def failing(service: Service, figures: Figures, threshold: float) -> bool:
    """Whether `service` fails the status: a failed creation or deletion, or a 5xx share at
    or over `threshold` percent (the mark the services list gives it)."""
    return service.status in FAILED_STATUSES or figures.hurting(threshold)


def service_row(
    account: str, profile: str | None, service: Service, figures: Figures, threshold: float
) -> dict[str, Any]:
    """One service's line as plain values (numbers as numbers, None where unreadable): what
    --json prints as it is, and the text lays out."""
    return {
        "account": account,
        "profile": profile,
        "region": service.region,
        "name": service.name,
        "arn": service.arn,
        "status": service.raw_status or service.status.value,
        "url": service.url or None,
        "updated": iso_utc(service.updated_at),
        "rpm": figures.rpm,
        "error_share": figures.error_share,
        "latency_ms": figures.latency_ms,
        "failing": failing(service, figures, threshold),
    }


def text_cells(row: dict[str, Any], threshold: float) -> list[str]:
    """A row's cells for the text, in COLUMNS' order; AWS's text made inert (no control
    character reaches the terminal), numbers as the services list writes them."""
    cells = []
    for _, key, _ in COLUMNS:
        value = row.get(key)
        if value is None:
            cells.append(NONE)
        elif key == "rpm":
            cells.append(rpm_text(value))
        elif key == "error_share":
            cells.append(share_text(value, value >= threshold))
        elif key == "latency_ms":
            cells.append(latency_text(value))
        else:
            cells.append(inert(str(value)))
    return cells


def text_lines(rows: Sequence[dict[str, Any]], threshold: float) -> list[str]:
    """The header and one line per row, in columns two spaces apart, each as wide as its
    widest cell; numbers right-aligned. No trailing spaces."""
    table = [[header for header, _, _ in COLUMNS]] + [text_cells(r, threshold) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    lines = []
    for line in table:
        cells = [
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, (_, _, right) in zip(line, widths, COLUMNS, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def json_line(doc: dict[str, Any]) -> str:
    """One JSON Lines line: ASCII only, so nothing AWS sent can reach a terminal raw."""
    return json.dumps(doc, ensure_ascii=True, allow_nan=False)


@dataclass(frozen=True)
class Unread:
    """A profile (`region` None: it could not connect) or one of its regions that could not
    be read, and what AWS answered."""

    account: str
    profile: str | None
    region: str | None
    error: str

    def words(self) -> str:
        """'profile prod, region us-east-1: AccessDeniedException: ...' for stderr."""
        where = f"profile {self.profile or 'default'}"
        if self.region is not None:
            where += f", region {self.region}"
        return inert(f"{where}: {self.error}")

    def doc(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "profile": self.profile,
            "region": self.region,
            "error": self.error,
        }


@dataclass(frozen=True)
class Report:
    """What was read: a row per service, in the settings' order of profiles and regions
    and by name within a region, and what could not be read."""

    rows: tuple[dict[str, Any], ...]
    unread: tuple[Unread, ...]
    threshold: float

    @property
    def exit_status(self) -> int:
        """3 when anything went unread (it wins: the picture is incomplete), else 1 when a
        service is failing, else 0."""
        if self.unread:
            return UNREAD
        if any(row["failing"] for row in self.rows):
            return FAILING
        return OK


def write(report: Report, as_json: bool, out: TextIO, err: TextIO) -> None:
    """The report on `out` (text or JSON Lines), each unread place on `err`."""
    if as_json:
        body = [json_line(row) for row in report.rows]
        body += [json_line(unread.doc()) for unread in report.unread]
    else:
        body = text_lines(report.rows, report.threshold)
    for unread in report.unread:
        err.write(f"artui status: {unread.words()}\n")
    err.flush()
    if body:
        out.write("\n".join(body) + "\n")
    out.flush()


# -- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionRead:
    """One region of one account: its services by name, their figures by ARN, and what AWS
    answered when the list or the metrics could not be read."""

    region: str
    services: tuple[Service, ...] = ()
    figures: dict[str, Figures] | None = None
    error: str | None = None


async def read_region(backend: Backend, region: str, now: float) -> RegionRead:
    """ListServices, then the services' last hour through the list's fleet metric code."""
    try:
        listed = await backend.apprunner.list_services(region)
    except Exception as exc:
        return RegionRead(region, error=f"ListServices: {describe(exc)}")
    services = tuple(sorted(listed, key=lambda s: (s.name, s.arn)))
    try:
        fleet = await fetch_fleet(backend.metrics, region, services, {}, now)
    except Exception as exc:  # the services are known; their figures are not
        return RegionRead(region, services, error=f"GetMetricData: {describe(exc)}")
    found = {arn: figures(held, held.until) for arn, held in fleet.items()}
    return RegionRead(region, services, found)


def report_of(reads: Iterable[AccountRead[RegionRead]], threshold: float) -> Report:
    """The rows and the unread places of every account, in order. A service two profiles
    both reach (one account, two roles) is listed once, under the first, as on the list."""
    rows: list[dict[str, Any]] = []
    unread: list[Unread] = []
    seen: set[str] = set()
    for read in reads:
        profile = read.account.profile
        if read.error is not None:
            unread.append(Unread(read.label, profile, None, read.error))
        for region in read.regions:
            if region.error is not None:
                unread.append(Unread(read.label, profile, region.region, region.error))
            held = region.figures or {}
            for service in region.services:
                if service.arn and service.arn in seen:
                    continue
                seen.add(service.arn)
                rows.append(
                    service_row(
                        read.label, profile, service, held.get(service.arn, Figures()), threshold
                    )
                )
    return Report(tuple(rows), tuple(unread), threshold)


async def gather_status(
    settings: Settings,
    *,
    connect: Connect = connect_backend,
    clock: Callable[[], float] = time.time,
) -> Report:
    """Read every account and region of `settings` concurrently (artui/report/fleet.py)."""
    reads = await read_fleet(
        settings, lambda backend, region: read_region(backend, region, clock()), connect=connect
    )
    return report_of(reads, settings.error_threshold)


# -- the command ---------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="artui status",
        description="Print every App Runner service of the settings' profiles and regions\n"
        "once, with its requests, 5xx share and latency, and exit with a status that says\n"
        "whether all is well. Read-only: it never changes anything.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="JSON Lines: one object a line")
    add_fleet_arguments(parser, "read")
    return parser


def run(argv: list[str]) -> int:
    """`artui status ...`: the exit status. A bad flag exits 2 through argparse; a
    ConfigError is raised for the caller to say (exit 2, as for the app)."""
    args = parser().parse_args(argv)
    settings = fleet_settings(args)
    report = run_read("status", lambda: gather_status(settings))
    if isinstance(report, int):
        return report
    try:
        write(report, args.json, sys.stdout, sys.stderr)
    except BrokenPipeError:  # `artui status | head`: the reader has what it wanted
        quiet_stdout()
    return report.exit_status
