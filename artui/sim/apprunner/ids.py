"""Identifiers App Runner hands out: accounts, operation and service ids, ARNs, URLs."""

from __future__ import annotations

import itertools
import random
import re
import string
import uuid

# The account of every access key id but a 12-digit one (moto's DEFAULT_ACCOUNT_ID).
DEFAULT_ACCOUNT = "123456789012"
_ACCOUNT_KEY = re.compile(r"[0-9]{12}")
# Numbers in the order things are made, for listings in that order (`paging.sort_key`).
_SEQUENCE = itertools.count()

# region, account, service name, service id. The guide writes a service's ARN
# `...:service/service-name[/service-id]`: without its id it names the live service of that
# name (group 4 is then None).
SERVICE_ARN_RE = re.compile(
    r"^arn:aws:apprunner:([a-z0-9-]+):(\d{12}):service/([^/]+)(?:/([0-9a-f]{32}))?$"
)


def account_for(access_key: str | None) -> str:
    """The account an access key id names: itself when it is exactly 12 digits,
    DEFAULT_ACCOUNT for any other key or none (LocalStack's rule; moto 5.2 maps every key
    it did not issue to its default account, so the simulator names the account to it)."""
    if access_key is not None and _ACCOUNT_KEY.fullmatch(access_key):
        return access_key
    return DEFAULT_ACCOUNT


def seed_key(seed: int, account: str) -> str:
    """What an account's random draws are seeded with: the seed alone for the default
    account (its demo is what it always was), the seed and the account for any other."""
    return str(seed) if account == DEFAULT_ACCOUNT else f"{seed}:{account}"


def service_arn(account: str, region: str, name: str, service_id: str) -> str:
    """The ARN of a service of `account`."""
    return f"arn:aws:apprunner:{region}:{account}:service/{name}/{service_id}"


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


def next_sequence() -> int:
    """A number larger than any this process handed out before: when, in order, a thing
    was made (two made at one simulated instant still have an order)."""
    return next(_SEQUENCE)
