"""Command line: `artui [--profile P] [--region R ...] [--refresh S] [--demo]` and `artui sim`."""

from __future__ import annotations

import argparse
import os
import sys

from artui import __version__
from artui.errors import ConfigError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="artui",
        description="A keyboard-first terminal console for AWS App Runner.",
        epilog="`artui sim --help` runs the local App Runner simulator on its own.",
    )
    parser.add_argument("--version", action="version", version=f"artui {__version__}")
    parser.add_argument("--profile", help="AWS profile (default: botocore's chain)")
    parser.add_argument(
        "--region", action="append", metavar="R", help="region to show; repeat for several"
    )
    parser.add_argument(
        "--refresh", type=float, metavar="S", help="seconds between refreshes (default 5)"
    )
    parser.add_argument(
        "--demo", action="store_true", help="run against the embedded App Runner simulator"
    )
    return parser


def _sim_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="artui sim",
        description="Run the local App Runner simulator (with CloudWatch and Logs) until Ctrl-C, "
        "printing the variables that point the AWS CLI, boto3 and artui at it.",
    )
    parser.add_argument("--port", type=int, default=4599, help="port on 127.0.0.1 (default 4599)")
    parser.add_argument(
        "--region", action="append", metavar="R", help="region to simulate; repeat for several"
    )
    parser.add_argument(
        "--services",
        type=int,
        metavar="N",
        help="demo services per region (default: as many as the demo)",
    )
    return parser


def _sim(argv: list[str]) -> int:
    args = _sim_parser().parse_args(argv)
    from artui.extras import require_sim

    require_sim()
    from artui.sim.server import DEMO_SERVICES, serve_forever

    services = DEMO_SERVICES if args.services is None else args.services
    return serve_forever(port=args.port, regions=args.region or ["us-east-1"], services=services)


def _tui(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from artui.settings import resolve

    settings = resolve(
        profile=args.profile, regions=args.region, refresh=args.refresh, demo=args.demo
    )
    if settings.demo:
        from artui.extras import require_sim

        require_sim()
    from artui.prefetch import Prefetch

    # Started before Textual is imported: see artui/prefetch.py.
    prefetch = Prefetch.start(settings)
    try:
        from artui.launch import build_app

        app = build_app(settings, prefetch=prefetch)
        app.run()
    finally:
        if prefetch is not None:  # Ctrl-C while loading, or a crash: end the child
            prefetch.close()
    # The terminal is restored, the child reaped, clients and simulator closed: skip the
    # interpreter's teardown (about 0.15 s of freeing botocore's models) so the shell has
    # its prompt back at once after `q`.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(app.return_code or 0)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `artui` console script."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        return _sim(argv[1:]) if argv[:1] == ["sim"] else _tui(argv)
    except ConfigError as exc:
        print(f"artui: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
