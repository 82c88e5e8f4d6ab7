"""The first services list on plain botocore, for the prefetch child.

botocore alone imports in half the time aiobotocore and aiohttp take together, and the
child's whole job is to put data on screen about when a bare boto3 script would have it.
The credentials it resolves on the way are handed to the app.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from artui.aws.apprunner import list_services_blocking
from artui.aws.credentials import Resolved, blocking_session, resolved_from
from artui.engine.ports import Ask, FirstList


def first_list(
    profile: str | None, regions: Sequence[str], ask: Ask | None
) -> tuple[FirstList | None, Resolved]:
    """Resolve credentials once, then list every region concurrently; failed regions are left
    out (the app's own poll reports them). No list without a region: the app says why."""
    from botocore.config import Config

    session = blocking_session(profile, ask, regions[0] if regions else None)
    credentials = resolved_from(session)
    if not regions:
        region = session.get_config_variable("region")
        if not region:
            return None, credentials
        regions = (region,)
    # One attempt each, no backoff: the app's own poll retries, and the app waits for us.
    config = Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=5)
    # A botocore session is not thread-safe: create the clients here, call them in threads.
    clients = {r: session.create_client("apprunner", region_name=r, config=config) for r in regions}
    with ThreadPoolExecutor(len(clients)) as pool:
        futures = {r: pool.submit(list_services_blocking, c, r) for r, c in clients.items()}
    services = {r: f.result() for r, f in futures.items() if f.exception() is None}
    return FirstList(tuple(regions), services, time.time()), credentials
