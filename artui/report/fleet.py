"""What the one-shot commands (`artui status`, `export`, `migrate`) share: the flags that
choose the fleet, the settings they give, and reading every region of every profile at once.

Every account is connected in a thread (`artui.aws.backend.connect`; the demo's one
simulator is shared by all of them), then each of its regions is read concurrently by the
command's own `read_region`. No Textual here: these commands must start and end quickly.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TextIO, TypeVar

from artui.domain.apprunner import ServiceStatus
from artui.domain.errors import ConfigError, describe
from artui.domain.inert import inert
from artui.engine.threads import in_daemon_thread

if TYPE_CHECKING:
    from artui.aws.backend import Backend
    from artui.settings import Account, Settings

R = TypeVar("R")

# Exit statuses, as `artui status` defined them for all three.
OK = 0
FAILING = 1
USAGE = 2
UNREAD = 3

# Statuses that fail a service whatever its traffic says (exit status 1).
FAILED_STATUSES = frozenset({ServiceStatus.CREATE_FAILED, ServiceStatus.DELETE_FAILED})
# Who a profile acts as only labels its output: never wait long for it.
IDENTITY_TIMEOUT = 10.0


def add_fleet_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    """The app's --profile, --region and --config, then --demo and --read-only (implied)."""
    from artui.cli import account_arguments

    account_arguments(parser, verb)
    parser.add_argument(
        "--demo", action="store_true", help=f"{verb} the embedded App Runner simulator's demo"
    )
    parser.add_argument(
        "--read-only", action="store_true", help="accepted, and implied: it never changes AWS"
    )


def fleet_settings(args: argparse.Namespace) -> Settings:
    """The settings the flags of `add_fleet_arguments` and the file give, read-only always
    (a ConfigError says what is wrong; the caller exits 2)."""
    from artui.settings import resolve

    settings = resolve(
        profile=args.profile,
        regions=args.region,
        demo=args.demo,
        read_only=True,
        path=args.config,
    )
    if settings.demo:
        from artui.boot.extras import require_sim

        require_sim()
    return settings


@dataclass(frozen=True)
class AccountRead(Generic[R]):
    """One profile: how its output names the account, and what each of its regions gave;
    `error` when it could not connect at all."""

    account: Account
    label: str
    regions: tuple[R, ...] = ()
    error: str | None = None


async def account_label(backend: Backend, fallback: str) -> str:
    """The account's alias, else its id; `fallback` (the profile's name) when STS or IAM
    does not say in time."""
    try:
        who = await asyncio.wait_for(backend.account.identity(), IDENTITY_TIMEOUT)
    except Exception:  # it only labels the output: the reads say what is wrong, if anything
        return fallback
    return who.alias or who.account or fallback


Connect = Callable[..., "Backend"]
ReadRegion = Callable[["Backend", str], Awaitable[R]]


def connect_backend(settings: Settings, **kwargs: Any) -> Backend:
    from artui.aws.backend import connect

    return connect(settings, **kwargs)


async def read_account(
    settings: Settings,
    account: Account,
    simulator: Any,
    connect: Connect,
    read_region: ReadRegion[R],
) -> AccountRead[R]:
    """One profile: connect (in a thread: it is blocking), then its identity and every
    region at once; the clients are closed before it returns."""
    fallback = account.profile or "default"
    try:
        kwargs: dict[str, Any] = {"account": account}
        if settings.demo:
            kwargs["simulator"] = simulator
        backend = await in_daemon_thread(lambda: connect(settings, **kwargs))
    except ConfigError:
        raise
    except Exception as exc:
        return AccountRead(account, fallback, error=describe(exc))
    try:
        label, regions = await asyncio.gather(
            account_label(backend, fallback),
            asyncio.gather(*(read_region(backend, region) for region in backend.regions)),
        )
    finally:
        await backend.close()
    return AccountRead(account, label, tuple(regions))


async def read_fleet(
    settings: Settings, read_region: ReadRegion[R], *, connect: Connect = connect_backend
) -> list[AccountRead[R]]:
    """Every account and region of `settings`, read concurrently (the demo: on one embedded
    simulator, started here and stopped before this returns)."""
    accounts = settings.accounts()
    simulator = None
    if settings.demo:
        from artui.aws.backend import start_demo_simulator

        regions = tuple(dict.fromkeys(r for a in accounts for r in a.regions))
        simulator = await in_daemon_thread(start_demo_simulator, regions)
    try:
        reads = await asyncio.gather(
            *(read_account(settings, a, simulator, connect, read_region) for a in accounts),
            return_exceptions=True,
        )
    finally:
        if simulator is not None:
            await in_daemon_thread(simulator.stop)
    done: list[AccountRead[R]] = []
    for read in reads:
        if isinstance(read, BaseException):  # a ConfigError, once every account has ended
            raise read
        done.append(read)
    return done


def run_read(command: str, read: Callable[[], Coroutine[Any, Any, R]]) -> R | int:
    """`read()` run to its end, or UNREAD after saying on stderr why nothing could be read
    (never a raw traceback: the log file has it). A ConfigError is the caller's to say."""
    from artui import logfile

    log = logfile.setup()
    try:
        return asyncio.run(read())
    except ConfigError:
        raise
    except Exception as exc:
        logfile.logger().exception("artui %s could not read", command)
        where = f"details in {log}" if log is not None else "no log file could be written"
        print(f"artui {command}: {inert(describe(exc))} ({where})", file=sys.stderr)
        return UNREAD


def quiet_stdout() -> None:
    """After a broken pipe, send what is left of stdout nowhere, so the interpreter's last
    flush does not complain on stderr."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file (captured): nothing to quiet
        pass


class Tally:
    """How far a read has gone: services found (as each region's list arrives) and read.
    On a terminal it draws a progress bar (Rich's) on stderr; elsewhere it stays silent."""

    def __init__(self, what: str, stream: TextIO) -> None:
        self._what = what
        self._stream = stream
        self._bar: Any = None
        self._task: Any = None
        self.found = 0
        self.read = 0

    def start(self) -> None:
        if not self._stream.isatty():
            return
        # Imported here: Rich costs a start-up that piped and scripted runs need not pay.
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._bar = Progress(
            TextColumn(f"{self._what}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("services"),
            console=Console(file=self._stream),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task(self._what, total=None)

    def listed(self, count: int) -> None:
        """A region's list arrived with `count` services to read."""
        self.found += count
        if self._bar is not None:
            self._bar.update(self._task, total=self.found)

    def done(self, *_: Any) -> None:
        """One service read."""
        self.read += 1
        if self._bar is not None:
            self._bar.update(self._task, completed=self.read)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


@contextmanager
def tally(what: str, stream: TextIO) -> Iterator[Tally]:
    """A Tally for one command's run, its bar (if any) cleared when the run ends."""
    counted = Tally(what, stream)
    counted.start()
    try:
        yield counted
    finally:
        counted.stop()
