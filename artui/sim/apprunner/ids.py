"""Identifiers App Runner hands out: operation and service ids, ARNs, URLs."""

from __future__ import annotations

import random
import re
import string
import uuid

ACCOUNT_ID = "123456789012"

# region, account, service name, service id
SERVICE_ARN_RE = re.compile(
    r"^arn:aws:apprunner:([a-z0-9-]+):(\d{12}):service/([^/]+)/([0-9a-f]{32})$"
)


def service_arn(region: str, name: str, service_id: str) -> str:
    """The ARN of a service in the simulator's account."""
    return f"arn:aws:apprunner:{region}:{ACCOUNT_ID}:service/{name}/{service_id}"


def new_operation_id(rng: random.Random) -> str:
    """A UUID4 string; botocore's OperationSummary.Id is 36 characters."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def new_service_id(rng: random.Random) -> str:
    """32 lowercase hex characters, like App Runner's service ids."""
    return f"{rng.getrandbits(128):032x}"


def new_service_url(rng: random.Random, region: str) -> str:
    """A `<random>.<region>.awsapprunner.com` host name."""
    alphabet = string.ascii_lowercase + string.digits
    return "".join(rng.choice(alphabet) for _ in range(10)) + f".{region}.awsapprunner.com"


def new_config_id(rng: random.Random) -> str:
    """32 lowercase hex characters: the last part of a configuration resource's ARN."""
    return f"{rng.getrandbits(128):032x}"
