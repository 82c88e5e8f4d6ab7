"""Command line: `artui [--profile P ...] [--region R ...] [--refresh S] [--demo] [--read-only]
[--config FILE]`, `artui sim`, `artui status [--json]`, `artui export`, `artui migrate` and
`artui config --default`;
`artui --help` says it all.

Exit status: 0 after `q`; 1 when artui crashed (the message names the log file); 2 for
bad input (flags, settings file, a terminal that cannot show the app); 128 + the signal's
number when SIGTERM (143), SIGHUP (129) or SIGINT (130) ended it, the terminal restored.
SIGQUIT restores the terminal and then kills the process as SIGQUIT does.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from artui import __version__
from artui.domain.errors import ConfigError, describe

if TYPE_CHECKING:
    from artui.boot.terminal import Signals
    from artui.settings import Settings


# What --help says after the flags: where artui reads and writes, and what it answers.
EPILOG = """\
subcommands:
  artui sim               the local App Runner simulator on its own (artui sim --help)
  artui status            the fleet's status, printed once (artui status --help)
  artui export            the fleet's configuration as YAML (artui export --help)
  artui migrate           a checked plan for Amazon ECS Express Mode (artui migrate --help)
  artui config --default  print a settings file with every key at its default

settings file:
  --config FILE, else $ARTUI_CONFIG, else $XDG_CONFIG_HOME/artui/config.yaml
  (~/.config/artui/config.yaml). A file named by --config or $ARTUI_CONFIG must
  exist; flags win over the file.

environment:
  ARTUI_CONFIG     the settings file
  XDG_CONFIG_HOME  where the default settings file is (default ~/.config)
  XDG_STATE_HOME   where the log file is (default ~/.local/state)
  AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION, AWS_CONFIG_FILE,
  AWS_SHARED_CREDENTIALS_FILE, AWS_ENDPOINT_URL_APPRUNNER and the rest of
                   botocore's usual AWS_* chain: credentials, profile, region, endpoints
  TERM             the terminal; unset or dumb cannot show artui
  NO_COLOR         set: no colours

log file:
  $XDG_STATE_HOME/artui/artui.log (~/.local/state/artui/artui.log): what went wrong,
  in full

exit status:
  0        ok (q)
  1        crashed (the log has why); for status and export: a service is failing;
           for migrate: a request the ECS model refused
  2        usage or settings error (or a terminal that cannot show artui)
  3        for status, export and migrate: a profile, region or service could not be read
  128+N    ended by signal N (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP)
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="artui",
        description="A keyboard-first terminal console for AWS App Runner.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"artui {__version__}")
    account_arguments(parser, "show")
    parser.add_argument(
        "--refresh", type=float, metavar="S", help="seconds between refreshes (default 5)"
    )
    parser.add_argument(
        "--demo", action="store_true", help="run against the embedded App Runner simulator"
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="never change anything: deploy, pause, resume and delete are off",
    )
    return parser


def account_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    """--profile, --region and --config: which accounts, regions and settings, as the app
    and every one-shot command (status, export, migrate) take them."""
    parser.add_argument(
        "--profile",
        action="append",
        metavar="P",
        help="AWS profile (default: botocore's chain); repeat for several at once",
    )
    parser.add_argument(
        "--region",
        action="append",
        metavar="R",
        help=f"region to {verb}; repeat for several; all: every App Runner region",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="settings file, which must exist (default: $ARTUI_CONFIG, else "
        "~/.config/artui/config.yaml if there is one)",
    )


def _port(text: str) -> int:
    """A TCP port for the simulator: 1..65535, or 0 for any free one."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 1 to 65535 (0: any free port)")
    return port


def _host(text: str) -> str:
    """An address (or name) for the simulator to listen on: IPv4, as its socket is."""
    if not text or any(c.isspace() for c in text) or ":" in text:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a host: use an IPv4 address or a host name, such as 127.0.0.1 "
            "or 0.0.0.0 (every interface)"
        )
    return text


# How much faster than AWS the simulator's operations may run: 1 is AWS's own pace.
MIN_SPEED, MAX_SPEED = 1.0, 1000.0


def _speed(text: str) -> float:
    """A speed for the simulator's operations: a finite number from MIN_SPEED to MAX_SPEED."""
    try:
        speed = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    # `not (... <= ...)` so NaN, which compares false with everything, is refused too.
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise argparse.ArgumentTypeError(
            f"{text} is out of range: use {MIN_SPEED:g} (AWS's pace) to {MAX_SPEED:g}"
        )
    return speed


MAX_SERVICES = 500
# The ids' seed: any 64-bit number, as a fresh one is.
MAX_SEED = 2**64 - 1


def _whole(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high`."""

    def parse(text: str) -> int:
        try:
            count = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= count <= high:
            raise argparse.ArgumentTypeError(f"{count} is out of range: use {low} to {high}")
        return count

    return parse


def _sim_parser() -> argparse.ArgumentParser:
    from artui.sim.apprunner.limits import DEFAULT_QUOTA, MAX_QUOTA
    from artui.sim.seed import DEMO_SPEEDUP

    parser = argparse.ArgumentParser(
        prog="artui sim",
        description="Run the local App Runner simulator (with CloudWatch and Logs) until Ctrl-C, "
        "printing the variables that point the AWS CLI, boto3 and artui at it. Each start is a "
        "fresh world: the same demo services, with new ids and ARNs.",
    )
    parser.add_argument(
        "--host",
        type=_host,
        default="127.0.0.1",
        metavar="ADDR",
        help="address to listen on (default 127.0.0.1; 0.0.0.0: every interface)",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=4599,
        help="port to listen on (default 4599; 0 picks a free one)",
    )
    parser.add_argument(
        "--region", action="append", metavar="R", help="region to simulate; repeat for several"
    )
    parser.add_argument(
        "--services",
        type=_whole(0, MAX_SERVICES),
        metavar="N",
        help=f"demo services per region, 0 to {MAX_SERVICES} (default: as many as the demo)",
    )
    parser.add_argument(
        "--quota",
        type=_whole(1, MAX_QUOTA),
        default=DEFAULT_QUOTA,
        metavar="N",
        help=f"services CreateService allows per region (default {DEFAULT_QUOTA}, as AWS; "
        f"1 to {MAX_QUOTA})",
    )
    parser.add_argument(
        "--speed",
        type=_speed,
        default=DEMO_SPEEDUP,
        metavar="X",
        help=f"how many times faster than AWS operations run, {MIN_SPEED:g} to {MAX_SPEED:g} "
        f"(default {DEMO_SPEEDUP:g}; the clock itself keeps real time)",
    )
    parser.add_argument(
        "--seed",
        type=_whole(0, MAX_SEED),
        metavar="N",
        help="for reproducible ids: the same N gives the same service ids, ARNs and URLs on "
        "every start (default: fresh ones each start)",
    )
    return parser


def _sim(argv: list[str]) -> int:
    args = _sim_parser().parse_args(argv)
    from artui.boot.extras import require_sim

    require_sim()
    from artui.settings import check_regions
    from artui.sim.server import DEMO_SERVICES, serve_forever

    regions = check_regions(args.region or ["us-east-1"], "--region")
    services = DEMO_SERVICES if args.services is None else args.services
    return serve_forever(
        host=args.host,
        port=args.port,
        regions=list(regions),
        services=services,
        quota=args.quota,
        speed=args.speed,
        ids_seed=args.seed,
    )


def _config(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="artui config", description="artui's settings file.")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--default",
        action="store_true",
        help="print a settings file with every key at its default, commented",
    )
    parser.parse_args(argv)
    from artui.settings import default_file

    sys.stdout.write(default_file())
    return 0


def _tui(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from artui.settings import resolve

    settings = resolve(
        profile=args.profile,
        regions=args.region,
        refresh=args.refresh,
        demo=args.demo,
        read_only=args.read_only,
        path=args.config,
    )
    if settings.demo:
        from artui.boot.extras import require_sim

        require_sim()
    from artui.boot.terminal import Signals, unfit_terminal

    unfit = unfit_terminal(os.environ)
    if unfit is not None:  # before anything starts: Textual would draw garbage there
        raise ConfigError(unfit)
    from artui import logfile

    log = logfile.setup()
    # Before the prefetch child exists: a signal from here on ends artui cleanly (see
    # artui/ui/terminal.py), and the child with it (the `finally` in _run).
    signals = Signals()
    signals.install()
    try:
        _run(settings, signals, log)
    except ConfigError:
        raise
    except Exception as exc:  # never a raw traceback: the log has it
        signals.restore_terminal()
        logfile.logger().exception("artui could not start")
        print(f"artui: {describe(exc)} ({_log_hint(log)})", file=sys.stderr)
        return 1
    finally:
        signals.uninstall()


def _log_hint(log: Path | None) -> str:
    return f"details in {log}" if log is not None else "no log file could be written"


# Textual's exit status for an app that ended on an unhandled exception.
CRASHED = 1


def _run(settings: Settings, signals: Signals, log: Path | None) -> NoReturn:
    from artui import logfile
    from artui.boot.prefetch import Prefetch

    prefetch = None
    try:
        with signals.held():  # a signal now would lose the child's handle: it waits
            # Started before Textual is imported: see artui/prefetch.py.
            prefetch = Prefetch.start(settings)
            if prefetch is not None:
                signals.on_abort = prefetch.kill
        from artui.launch import build_app

        app = build_app(settings, prefetch=prefetch)
        signals.run(app)
    finally:
        if prefetch is not None:  # a signal while loading, or a crash: end the child
            prefetch.close()
    code = app.return_code or 0
    if code == CRASHED:
        logfile.logger().error("artui crashed (exit status %d)", code)
        print(f"artui: crashed; {_log_hint(log)}", file=sys.stderr)
    # The terminal is restored, the child reaped, clients and simulator closed: skip the
    # interpreter's teardown (about 0.15 s of freeing botocore's models) so the shell has
    # its prompt back at once after `q`.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _status(argv: list[str]) -> int:
    from artui.report.status import run  # no Textual on this path: it prints and ends

    return run(argv)


def _export(argv: list[str]) -> int:
    from artui.report.export import run

    return run(argv)


def _migrate(argv: list[str]) -> int:
    from artui.report.migrate import run

    return run(argv)


# `artui <name> ...`: each takes the arguments after its name and returns the exit status.
SUBCOMMANDS: dict[str, Callable[[list[str]], int]] = {
    "sim": _sim,
    "config": _config,
    "status": _status,
    "export": _export,
    "migrate": _migrate,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `artui` console script."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        command = SUBCOMMANDS.get(argv[0]) if argv else None
        return command(argv[1:]) if command is not None else _tui(argv)
    except ConfigError as exc:
        print(f"artui: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C before the handlers are in place: quietly
        return 130


if __name__ == "__main__":
    sys.exit(main())
