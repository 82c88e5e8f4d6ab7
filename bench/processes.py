"""Processes benchmarks watch: the simulator in a process of its own (and its control
API), and any process's CPU time and resident set, read from /proc."""

from __future__ import annotations

import json
import multiprocessing
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any


@dataclass
class Sim:
    """The simulator in a process of its own: what is measured never waits on its GIL, as a
    tool talking to AWS would not."""

    endpoint: str
    env: dict[str, str]
    pid: int


def _serve(options: dict[str, Any], pipe: Connection) -> None:
    from artui.sim.server import Simulator

    with Simulator(**options) as sim:
        pipe.send((sim.endpoint, sim.env(), os.getpid()))
        pipe.recv()  # until the bench is done


@contextmanager
def simulator(**options: Any) -> Iterator[Sim]:
    """A simulator process made with `options` (Simulator's arguments), stopped on exit."""
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.Process(target=_serve, args=(options, theirs))
    process.start()
    try:
        yield Sim(*ours.recv())
    finally:
        ours.send("stop")
        process.join(30)


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (user and system), in seconds."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """A process's resident set (VmRSS), in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def control(sim: Sim, method: str, path: str, doc: dict[str, object] | None = None) -> Any:
    """One call to the simulator's control API, its JSON answer."""
    data = json.dumps(doc).encode() if doc is not None else None
    request = urllib.request.Request(f"{sim.endpoint}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"null")
