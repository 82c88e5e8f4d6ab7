"""`artui export` and `artui migrate` over a fleet of 501 services (167 in each of 3
regions) on the simulator, run as an operator runs them: the command in a process of its
own, botocore's chain aimed at the simulator, which runs in another.

    python bench/export.py [--services N] [--runs N] [--latency MS]

Prints, per run, each command's wall time (target, issue 27: export and plan under 20 s),
then the App Runner calls one export made, by operation, beside what the fleet holds
(DescribeService, DescribeCustomDomains and ListTagsForResource once a service; each
shared auto scaling, VPC connector and observability configuration once; the VPC ingress
connections listed once a region). `--latency` delays every call (a latency fault), as a
real network would.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from processes import Sim, control, simulator

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1")
TARGET_SECONDS = 20.0


def environment(sim: Sim, folder: Path) -> dict[str, str]:
    """The command's environment: the simulator's variables, no config files, a settings
    file naming the three regions."""
    settings = folder / "config.yaml"
    settings.write_text(f"regions: [{', '.join(REGIONS)}]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(sim.env)
    env.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        ARTUI_CONFIG=str(settings),
        XDG_STATE_HOME=str(folder / "state"),
    )
    return env


def timed(
    command: list[str], env: dict[str, str]
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Seconds `command` took from start to exit, and how it ended."""
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - began, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=167, help="services a region")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency", type=int, default=0, help="ms added to every call")
    args = parser.parse_args()
    artui = [sys.executable, "-m", "artui"]
    with (
        simulator(regions=REGIONS, services=args.services, world=False) as sim,
        tempfile.TemporaryDirectory() as tmp,
    ):
        folder = Path(tmp)
        env = environment(sim, folder)
        if args.latency:
            fault = {"operation": "*", "latency_ms": args.latency, "count": -1}
            control(sim, "POST", "/_sim/faults", fault)
        fleet = args.services * len(REGIONS)
        print(f"{fleet} services over {len(REGIONS)} regions, latency {args.latency} ms a call")
        exports, plans = [], []
        calls: Counter[str] = Counter()
        docs: list[dict[str, Any]] = []
        for run in range(args.runs):
            control(sim, "DELETE", "/_sim/requests")
            seconds, done = timed([*artui, "export", "-o", str(folder / "fleet.yaml")], env)
            exports.append(seconds)
            if run == 0:
                calls = Counter(
                    r["operation"] for r in control(sim, "GET", "/_sim/requests")["requests"]
                )
                docs = [d for d in yaml.safe_load_all((folder / "fleet.yaml").read_text()) if d]
            out = folder / f"plan{run}"
            plan_seconds, planned = timed(
                [*artui, "migrate", "--to", "ecs-express", "-o", str(out)], env
            )
            plans.append(plan_seconds)
            print(
                f"run {run + 1}: export {seconds:.2f} s (exit {done.returncode}), "
                f"migrate {plan_seconds:.2f} s (exit {planned.returncode}), "
                f"{len(list(out.rglob('*.json')))} requests"
            )
        for name, figures in (("export", exports), ("migrate", plans)):
            median = statistics.median(figures)
            verdict = "met" if median < TARGET_SECONDS else "MISSED"
            print(f"{name}: median {median:.2f} s (target < {TARGET_SECONDS:g} s: {verdict})")
        scaling = {d["auto_scaling"]["arn"] for d in docs}
        connectors = {
            d["network"]["vpc_connector"]["arn"] for d in docs if "vpc_connector" in d["network"]
        }
        tracing = {
            d["observability"]["configuration_arn"] for d in docs if d["observability"]["enabled"]
        }
        ingress = sum("vpc_ingress_connection" in d["network"] for d in docs)
        expected = {
            "ListServices": sum(-(-args.services // 20) for _ in REGIONS),
            "DescribeService": len(docs),
            "DescribeCustomDomains": len(docs),
            "ListTagsForResource": len(docs),
            "DescribeAutoScalingConfiguration": len(scaling),
            "DescribeVpcConnector": len(connectors),
            "DescribeObservabilityConfiguration": len(tracing),
            "ListVpcIngressConnections": len(REGIONS),
            "DescribeVpcIngressConnection": ingress,
        }
        print(f"App Runner calls of one export ({sum(calls.values())} in all):")
        for operation in sorted(set(calls) | set(expected)):
            print(
                f"  {operation:36} {calls[operation]:5}   (fleet: {expected.get(operation, '-')})"
            )


if __name__ == "__main__":
    main()
