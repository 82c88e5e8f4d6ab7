"""Let a dead network fail on the first attempt, while throttling keeps botocore's backoff;
never retry a call that changes state (see artui/aws/mutations.py).

botocore's standard retry mode retries a refused connection as often as a throttled call,
with the same exponential backoff (up to 1+2+4+8 s for four retries). The poller polls again
on its own schedule, so those retries only delay STALE; they never save a poll that a
retry a few seconds later would not save anyway.
"""

from __future__ import annotations

from typing import Any

from aiobotocore.retries import standard
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from artui.aws.mutations import changes_state

# Failures to open a connection: refused, DNS, connect timeout, proxy and TLS handshake
# (EndpointConnectionError, ConnectTimeoutError, ProxyConnectionError, SSLError). A read
# timeout or a connection the server closed (HTTPClientError) is not one of these and keeps
# its retries: a stale keep-alive connection is mended by a retry on a fresh one.
_FAIL_FAST = (BotocoreConnectionError,)


def fail_fast_on_connection_errors(client: Any) -> None:
    """Make `client` give up at once when it cannot connect, and never retry a call that
    changes state; other retries are unchanged.

    `client` must use the "standard" or "adaptive" retry mode (both share the handler swapped here).
    """
    retries = client.meta.config.retries
    if retries.get("mode") not in ("standard", "adaptive"):
        raise ValueError(f"expected standard or adaptive retries, got {retries!r}")
    events = client.meta.events
    service = client.meta.service_model.service_id.hyphenize()
    event = f"needs-retry.{service}"
    unique_id = f"retry-config-{service}"
    # The emitter offers no way to look a handler up, so drop botocore's and let aiobotocore
    # build an identical one we hold: same attempts, backoff and retry quota, with its own
    # after-call quota release. It registers itself under the id; swap it for the wrapper.
    events.unregister(event, unique_id=unique_id)
    handler = standard.register_retry_handler(client, retries.get("total_max_attempts"))
    events.unregister(event, unique_id=unique_id)

    async def needs_retry(
        caught_exception: BaseException | None = None, operation: Any = None, **kwargs: Any
    ) -> Any:
        if operation is not None and changes_state(service, operation.name):
            # One key press, one request: a retry could start a second deployment.
            return None
        if isinstance(caught_exception, _FAIL_FAST):
            # None means "do not retry". Skipping the handler also keeps a dead network from
            # draining the retry quota that throttling retries need once it is back.
            return None
        return await handler.needs_retry(
            caught_exception=caught_exception, operation=operation, **kwargs
        )

    events.register(event, needs_retry, unique_id=unique_id)
