"""The custom domains pane's polling: DescribeCustomDomains calls a minute while a domain is
pending and once all are settled, and seconds from the DNS records being added until
`active` is on screen. Prints the figures.

    python bench/domains.py [--refresh 5] [--watch 60]

artui runs as a fresh process in an 80x24 pseudo-terminal on checkout-api's domains pane,
against a simulator at the demo's speed (operations and domain transitions 9 times faster
than AWS, the clock at wall time). `api.example.com` waits for DNS; this script counts the
pane's calls in the simulator's request log, then adds the records (`POST /_sim/dns`) and
times until the status line no longer counts a pending domain.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request
from typing import Any

from pty_app import PtyApp, sim_env

from artui.sim.apprunner.custom_domains import BINDING_SECONDS
from artui.sim.server import DEMO_SPEEDUP, Simulator

REGION = "us-east-1"


def control(sim: Simulator, method: str, path: str, doc: dict[str, Any] | None = None) -> Any:
    data = json.dumps(doc).encode() if doc is not None else None
    request = urllib.request.Request(sim.endpoint + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def describes(sim: Simulator) -> int:
    """DescribeCustomDomains calls the simulator has served since the log was cleared."""
    served = control(sim, "GET", "/_sim/requests")["requests"]
    return sum(r["operation"] == "DescribeCustomDomains" for r in served)


def per_minute(sim: Simulator, app: PtyApp, seconds: float) -> float:
    """DescribeCustomDomains calls a minute over the next `seconds`."""
    control(sim, "DELETE", "/_sim/requests")
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.drain(0.2)
    return describes(sim) * 60 / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", type=float, default=5.0, help="artui's refresh setting")
    parser.add_argument("--watch", type=float, default=60.0, help="seconds to count calls over")
    args = parser.parse_args()
    sim = Simulator(regions=(REGION,), world=False, speedup=DEMO_SPEEDUP)
    sim.start()
    app = PtyApp(["--region", REGION, "--refresh", str(args.refresh)], sim_env(sim.env()))
    try:
        app.wait_for(b"checkout-api")
        app.drain(1.0)
        # By name, checkout-api is the second row; `c` opens its domains pane.
        for keys in (b"j", b"c"):
            os.write(app.master, keys)
            app.drain(0.5)
        app.wait_for(b"1 pending: reading on")
        pending = per_minute(sim, app, args.watch)
        app.screen = b""
        start = time.perf_counter()
        control(sim, "POST", "/_sim/dns", {"domain": "api.example.com"})
        while b"2 domains  read" not in app.screen:  # the status line: nothing pending
            if time.perf_counter() - start > 120:
                raise TimeoutError("api.example.com never became active on screen")
            app.drain(0.05)
        active = time.perf_counter() - start
        settled = per_minute(sim, app, args.watch)
    finally:
        app.stop()
        sim.stop()
    binding = BINDING_SECONDS / DEMO_SPEEDUP
    print(f"refresh {args.refresh:g} s; calls counted over {args.watch:g} s each")
    print(f"DescribeCustomDomains while a domain is pending: {pending:.1f} a minute")
    print(f"DescribeCustomDomains once all are settled:      {settled:.1f} a minute")
    print(
        f"records added to `active` on screen: {active:.1f} s "
        f"(of which {binding:.1f} s is the simulated certificate binding)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
