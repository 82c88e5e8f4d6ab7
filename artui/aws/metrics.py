"""CloudWatch GetMetricData for the services list and the metrics pane: up to 500 queries a
call (CloudWatch's limit), each answer's pages (NextToken) gathered into one series per query.

A full answer is big: 500 queries of an hour, a minute a point, are 30,000 timestamps and
30,000 values, and botocore's parse of it (walking the output shape value by value) takes a
few hundred milliseconds. aiobotocore parses on the event loop, where that long every key
waits; so the answer's body is parsed in a thread (`parse_off_the_loop`), and so is the
making of the series. The request, the HTTP round trip and botocore's retries stay aiobotocore's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from botocore.parsers import ResponseParserFactory

from artui.aws.clients import Clients, utc_timestamp
from artui.aws.errors import aws_errors
from artui.domain.series import MAX_QUERIES, NAMESPACE, Query, Series, series_from
from artui.engine.threads import in_daemon_thread

OPERATION = "GetMetricData"
# What the loop's own parse is left with once the thread has parsed a body, by protocol: an
# empty answer (botocore 1.43 speaks JSON 1.0 to CloudWatch; the model also offers CBOR).
_EMPTY_ANSWER = {"json": b"{}", "smithy-rpc-v2-cbor": b"\xa0"}
_HANDLER_ID = "artui-parse-off-the-loop"


def metric_query(query_id: str, query: Query) -> dict[str, Any]:
    """One MetricDataQueries entry for `query`."""
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": NAMESPACE,
                "MetricName": query.metric,
                "Dimensions": [
                    {"Name": "ServiceName", "Value": query.service_name},
                    {"Name": "ServiceID", "Value": query.service_id},
                ],
            },
            "Period": query.period,
            "Stat": query.stat,
        },
        "ReturnData": True,
    }


def _parser_factory() -> ResponseParserFactory:
    # The same parser defaults as the clients' (artui/aws/clients.py): timestamps in UTC.
    factory = ResponseParserFactory()
    factory.set_parser_defaults(timestamp_parser=utc_timestamp)
    return factory


_PARSERS = _parser_factory()


def parse_answer(protocol: str, response: dict[str, Any], shape: Any) -> dict[str, Any]:
    """botocore's (synchronous) parse of a successful answer, as aiobotocore would make it."""
    return _PARSERS.create_parser(protocol).parse(response, shape)


def parse_off_the_loop(client: Any, operation: str = OPERATION) -> None:
    """Make `client` parse the body of each successful `operation` answer in a thread.

    botocore's `before-parse` event hands its handlers the response and a dict whose items
    are laid over the parsed answer (`customized_response_dict`); aiobotocore awaits a
    coroutine handler. The handler parses the body in a daemon thread with botocore's own
    parser, puts the result in that dict and leaves the loop an empty answer to parse, so
    the caller gets what botocore would have given. Error answers (small, and parsed with
    their modeled fields) keep botocore's own path. Registering twice changes nothing.
    """
    model = client.meta.service_model
    empty = _EMPTY_ANSWER.get(model.resolved_protocol)
    if empty is None:
        return  # a protocol not checked here: botocore parses it on the loop, as before
    protocol = model.resolved_protocol
    service = model.service_id.hyphenize()

    async def parse(
        operation_model: Any,
        response_dict: dict[str, Any],
        customized_response_dict: dict[str, Any],
        **_: Any,
    ) -> None:
        body = response_dict.get("body")
        if response_dict.get("status_code", 500) >= 300 or not isinstance(body, bytes):
            return
        parsed = await in_daemon_thread(
            parse_answer, protocol, dict(response_dict), operation_model.output_shape
        )
        # The loop's parse of the empty answer still adds the response's metadata.
        parsed.pop("ResponseMetadata", None)
        customized_response_dict.update(parsed)
        response_dict["body"] = empty

    client.meta.events.register(
        f"before-parse.{service}.{operation}", parse, unique_id=f"{_HANDLER_ID}-{operation}"
    )


def _series(by_id: dict[str, Query], pages: list[dict[str, Any]]) -> dict[Query, Series]:
    """Each query's series from every page of one call's answers."""
    times: dict[str, list[float]] = {i: [] for i in by_id}
    values: dict[str, list[float]] = {i: [] for i in by_id}
    for page in pages:
        for result in page.get("MetricDataResults") or ():
            query_id = result.get("Id")
            if query_id not in by_id:
                continue
            times[query_id].extend(t.timestamp() for t in result.get("Timestamps") or ())
            values[query_id].extend(result.get("Values") or ())
    return {query: series_from(query.period, times[i], values[i]) for i, query in by_id.items()}


class Metrics:
    """CloudWatch metrics, region by region, through the shared clients."""

    def __init__(self, clients: Clients) -> None:
        self._clients = clients

    async def metric_data(
        self, region: str, queries: Sequence[Query], start: float, end: float
    ) -> dict[Query, Series]:
        """Every query's series from `start` to `end` (epoch seconds): ceil(len/500) calls,
        more only when CloudWatch pages an answer."""
        found: dict[Query, Series] = {}
        with aws_errors():
            client = await self._clients.get("cloudwatch", region)
            parse_off_the_loop(client)
            for i in range(0, len(queries), MAX_QUERIES):
                chunk = queries[i : i + MAX_QUERIES]
                found.update(await self._call(client, chunk, start, end))
        return found

    async def _call(
        self, client: Any, chunk: Sequence[Query], start: float, end: float
    ) -> dict[Query, Series]:
        # Ids must start with a lower-case letter; the index maps answers back to queries.
        by_id = {f"q{n}": query for n, query in enumerate(chunk)}
        request: dict[str, Any] = {
            "MetricDataQueries": [metric_query(i, q) for i, q in by_id.items()],
            "StartTime": datetime.fromtimestamp(start, timezone.utc),
            "EndTime": datetime.fromtimestamp(end, timezone.utc),
            "ScanBy": "TimestampAscending",
        }
        pages: list[dict[str, Any]] = []
        while True:
            page = await client.get_metric_data(**request)
            pages.append(page)
            token = page.get("NextToken")
            if not token or token == request.get("NextToken"):
                break
            request["NextToken"] = token
        # Tens of thousands of points: made into series off the loop too.
        return await in_daemon_thread(_series, by_id, pages)
