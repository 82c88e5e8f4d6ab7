"""Identifiers App Runner hands out: accounts, operation and service ids, ARNs, URLs.

Ids are drawn from an `IdRandom`: the demo's own random stream (its story: names aside,
every draw the seed decides), with a stream of the ids' own seed mixed into each id. A
simulator draws a fresh ids' seed at each start (`fresh_ids_seed`), so a restart is a new
world with the same story: an ARN kept from the last run names nothing, never another
service. An ids' seed equal to the story's seed mixes nothing in: the ids are the story's
own draws, those the demo had before ids had a seed (the snapshots' and screenshots').
"""

from __future__ import annotations

import itertools
import random
import re
import secrets
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


def fresh_ids_seed() -> int:
    """An ids' seed no earlier start is likely to have drawn (64 bits from the OS)."""
    return secrets.randbits(64)


class IdRandom(random.Random):
    """The story's random stream (`key`), which also draws ids: each id is the story's draw
    mixed with one from `mix`'s stream (none: the story's draw as it is).

    The story's stream draws exactly what it would without a mix, so every later draw of
    the story (histories, roles, domains) is the same whatever the ids are.
    """

    def __init__(self, key: str, mix: str | None = None) -> None:
        super().__init__(key)
        self._mix = None if mix is None else random.Random(mix)

    def id_bits(self, bits: int) -> int:
        """`bits` random bits for an id."""
        drawn = self.getrandbits(bits)
        # XOR with an independent uniform draw is uniform, and fresh when the mix is.
        return drawn if self._mix is None else drawn ^ self._mix.getrandbits(bits)

    def id_choice(self, alphabet: str) -> str:
        """One character of `alphabet` for an id."""
        index = self.randrange(len(alphabet))  # what choice() would draw
        if self._mix is not None:
            index = (index + self._mix.randrange(len(alphabet))) % len(alphabet)
        return alphabet[index]


def id_random(seed: int, ids_seed: int | None, account: str, stream: str) -> IdRandom:
    """`account`'s random `stream` of the story `seed`, its ids mixed with `ids_seed`'s
    (None, or the story's own seed: the story's draws alone)."""
    key = f"{seed_key(seed, account)}:{stream}"
    if ids_seed is None or ids_seed == seed:
        return IdRandom(key)
    return IdRandom(key, f"{seed_key(ids_seed, account)}:{stream}:ids")


def service_arn(account: str, region: str, name: str, service_id: str) -> str:
    """The ARN of a service of `account`."""
    return f"arn:aws:apprunner:{region}:{account}:service/{name}/{service_id}"


def new_operation_id(rng: IdRandom) -> str:
    """A UUID4 string; botocore's OperationSummary.Id is 36 characters."""
    return str(uuid.UUID(int=rng.id_bits(128), version=4))


def new_service_id(rng: IdRandom) -> str:
    """32 lowercase hex characters, like App Runner's service ids."""
    return f"{rng.id_bits(128):032x}"


def new_service_url(rng: IdRandom, region: str) -> str:
    """A `<random>.<region>.awsapprunner.com` host name."""
    alphabet = string.ascii_lowercase + string.digits
    return "".join(rng.id_choice(alphabet) for _ in range(10)) + f".{region}.awsapprunner.com"


def new_config_id(rng: IdRandom) -> str:
    """32 lowercase hex characters: the last part of a configuration resource's ARN."""
    return f"{rng.id_bits(128):032x}"


def next_sequence() -> int:
    """A number larger than any this process handed out before: when, in order, a thing
    was made (two made at one simulated instant still have an order)."""
    return next(_SEQUENCE)
