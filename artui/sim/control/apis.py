"""What a fault may name: the APIs the simulator serves and their operations, read from
botocore's models (the same models its clients are built from), and the nearest names to a
wrong one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import cache

import botocore.session

# The services as the request log names them (`Fault.service`): botocore's model names too.
SERVICES = ("apprunner", "cloudwatch", "logs", "ecr", "sts", "iam")
# How many near names a refusal offers.
NEAREST = 3


@cache
def operations(service: str) -> frozenset[str]:
    """The operations of one served API (one of SERVICES), as botocore's model names them."""
    # One session for all six: its loader reads each model once. About 0.1 s in all.
    return frozenset(_session().get_service_model(service).operation_names)


@cache
def every_operation() -> frozenset[str]:
    """The operations of every API the simulator serves."""
    return frozenset().union(*(operations(service) for service in SERVICES))


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


def nearest(name: str, names: Iterable[str]) -> list[str]:
    """Up to NEAREST of `names` that look like `name`, the closest first (case aside)."""
    by_folded = {known.lower(): known for known in names}
    close = difflib.get_close_matches(name.lower(), list(by_folded), n=NEAREST, cutoff=0.6)
    return [by_folded[folded] for folded in close]


def suggest(name: str, names: Iterable[str]) -> str:
    """`; did you mean A, B or C?` for the nearest names, or nothing when none is near."""
    close = nearest(name, names)
    if not close:
        return ""
    quoted = [f'"{known}"' for known in close]
    listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f"; did you mean {listed}?"
