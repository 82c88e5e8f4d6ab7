"""The region and profile names botocore knows, read offline: settings.resolve checks the
names a user gives against them once, at start.

Regions come from botocore's bundled endpoint data (no network); profiles from the files
botocore reads (`$AWS_CONFIG_FILE`, `$AWS_SHARED_CREDENTIALS_FILE`, else ~/.aws/config and
~/.aws/credentials). Importing this module costs about 0.15 s (botocore): import it lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import botocore.session
from botocore.exceptions import BotoCoreError


class Unreadable(Exception):
    """botocore could not read the AWS config files (the message says which and why)."""


@dataclass(frozen=True)
class Profiles:
    """The profiles botocore knows, and the files it read them from."""

    names: tuple[str, ...]
    files: tuple[str, str]


@cache
def _endpoint_data() -> botocore.session.Session:
    # One session for both region lists: its loader reads the endpoint data once.
    return botocore.session.get_session()


def apprunner_regions(session: botocore.session.Session | None = None) -> tuple[str, ...]:
    """Every region botocore's endpoint data lists App Runner in, in every partition."""
    session = session or _endpoint_data()
    regions = (
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("apprunner", partition)
    )
    return tuple(dict.fromkeys(regions))


def every_region(session: botocore.session.Session | None = None) -> frozenset[str]:
    """Every region botocore knows for any service; empty if its data is laid out otherwise."""
    session = session or _endpoint_data()
    try:
        partitions = session.get_data("endpoints")["partitions"]
        return frozenset(name for partition in partitions for name in partition["regions"])
    except Exception:  # the data's layout is botocore's own: without it, fewer words only
        return frozenset()


def profiles(session: botocore.session.Session | None = None) -> Profiles:
    """The profiles in botocore's config and credentials files; Unreadable if it cannot
    parse them."""
    # A new session: it reads the files (and the variables naming them) as they are now.
    session = session or botocore.session.Session()
    try:
        names = tuple(session.available_profiles)
    except BotoCoreError as exc:  # a config file that is not INI: botocore names it
        raise Unreadable(str(exc)) from None
    files = (
        str(session.get_config_variable("config_file")),
        str(session.get_config_variable("credentials_file")),
    )
    return Profiles(names, files)
