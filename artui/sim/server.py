"""The simulator's HTTP server: App Runner itself, CloudWatch's AWS/AppRunner metrics
(`artui.sim.cloudwatch`), Live Tail and PutLogEvents (judged by the simulator's clock),
/_sim/ control, everything else to moto (ECR, STS and IAM among it: the demo's repositories
and the default account's alias are written into moto's store at start, `artui.sim.ecr`,
`artui.sim.accounts`).

Every request is served in its caller's account, named by its access key id
(`artui.sim.accounts`): App Runner state is per account, and moto is told the account.
Before anything else a request may wait: a latency fault (`POST /_sim/faults` with
`latency_ms`) delays the calls it matches, whichever API serves them, without blocking the
event loop.

moto note: `ThreadedMotoServer` keeps its state in moto's process-wide backends, so two
Simulators in one process share CloudWatch, CloudWatch Logs and ECR data (App Runner state is
per Simulator). Tests must not rely on moto isolation; `POST /moto-api/reset` (proxied)
wipes moto for everyone in the process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import sys
import threading
import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from aiohttp import web

from artui.sim import ecr, logstore, wire
from artui.sim.accounts import Accounts, Fleet
from artui.sim.apprunner.api import AppRunnerBackend
from artui.sim.apprunner.ids import DEFAULT_ACCOUNT, fresh_ids_seed
from artui.sim.apprunner.limits import DEFAULT_QUOTA
from artui.sim.clock import SimClock
from artui.sim.cloudwatch import CloudWatch
from artui.sim.cloudwatch.protocol import SERVICE as CLOUDWATCH_SERVICE
from artui.sim.cloudwatch.protocol import Call, CloudWatchError, error_response, respond
from artui.sim.control import Faults, RequestLog, control_app
from artui.sim.errors import ApiError
from artui.sim.livetail import TARGET as LIVE_TAIL_TARGET
from artui.sim.livetail import LiveTail
from artui.sim.logstore import PUT_LOG_EVENTS_TARGET
from artui.sim.proxy import MotoProxy, caller_account, credential_scope, describe
from artui.sim.seed import DEMO_SEED, DEMO_SPEEDUP
from artui.sim.world.metrics import TrafficModel

log = logging.getLogger(__name__)

# Demo services per region: enough to scroll and filter, and >= 6 so one is mid-deployment.
DEMO_SERVICES = 7
DUMMY_CREDENTIAL = "testing"
_JSON_10 = "application/x-amz-json-1.0"
_MAX_BODY = 16 * 1024 * 1024


class Simulator:
    """App Runner + CloudWatch + CloudWatch Logs on one loopback port, in a background thread.

    AWS/AppRunner metrics are always served, computed from the traffic model (`seed`, and
    the clock at construction as the end of the incident's climb); `world=True` adds the
    demo's logs, and one demo service (of six or more) mid-deployment at start.
    `time_scale` is simulated seconds per real second (tests run it fast, or stop it at 0);
    `speedup` divides operation durations while the clock keeps its pace (the demo).
    `quota` is the most services CreateService allows per region (the guide's default: 30).
    `livetail_interval` is the seconds between a Live Tail session's updates (AWS: 1).
    `seed` decides the demo's story: its roles, histories and incident. `ids_seed` is mixed
    into every App Runner id, ARN and URL drawn: fresh at each start unless given (`seed`'s
    own value gives the ids the demo always had, the snapshots'). Each service's traffic
    rates and log instances are drawn from its id, so they follow the ids too.
    `regions` and `services` make the demo fleet of every account (`artui.sim.accounts`):
    the default account's now, any other's when it first calls.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        regions: Sequence[str] = ("us-east-1",),
        services: int = DEMO_SERVICES,
        time_scale: float = 1.0,
        speedup: float = 1.0,
        world: bool = True,
        seed: int = DEMO_SEED,
        ids_seed: int | None = None,
        start_time: float | None = None,
        quota: int = DEFAULT_QUOTA,
        livetail_interval: float = 1.0,
    ) -> None:
        if not regions:
            raise ValueError("at least one region is needed")
        self.host = host
        self.port = port
        self.regions = tuple(regions)
        self.world_enabled = world
        self.seed = seed
        # Fresh unless pinned: a restart is a new world, so an ARN kept from the last run
        # names nothing rather than another service (artui.sim.apprunner.ids).
        self.ids_seed = fresh_ids_seed() if ids_seed is None else ids_seed
        self.clock = SimClock(start_time, time_scale)
        now = self.clock.now()
        # The default account is seeded here; its moto side (ECR, alias) by start().
        self.accounts = Accounts(
            self.clock,
            Fleet(
                regions=self.regions,
                services=services,
                seed=seed,
                epoch=now,
                in_flight=world,
                speedup=speedup,
                quota=quota,
                ids_seed=self.ids_seed,
            ),
        )
        self.requests = RequestLog()
        self.faults = Faults()
        self.livetail = LiveTail(self.requests, self.clock.now, interval=livetail_interval)
        self.metrics = TrafficModel(seed, now)
        self.cloudwatch = CloudWatch(self.accounts, self.metrics)
        self._endpoint: str | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._stopped = threading.Event()
        self._error: BaseException | None = None
        self._moto: Any = None
        self._proxy: MotoProxy | None = None
        self._runner: web.AppRunner | None = None
        self._world_task: asyncio.Task[None] | None = None
        self.moto_endpoint: str | None = None

    # -- public ------------------------------------------------------------------

    @property
    def backend(self) -> AppRunnerBackend:
        """The default account's App Runner state."""
        return self.accounts.default

    @property
    def repositories(self) -> list[ecr.SeededRepository]:
        """The default account's private ECR repositories, as planned from its fleet."""
        return self.accounts.repositories[DEFAULT_ACCOUNT]

    @property
    def endpoint(self) -> str:
        """`http://HOST:PORT` once started (`http://127.0.0.1:PORT` when bound to every
        interface)."""
        if self._endpoint is None:
            raise RuntimeError("Simulator not started")
        return self._endpoint

    def env(self) -> dict[str, str]:
        """Environment variables that point botocore (and the AWS CLI) at the simulator.

        In the order `artui sim` prints them: endpoint URLs, credentials, region. The
        credentials are the default account's; an access key id of 12 digits is that
        account instead (`artui.sim.accounts`).
        """
        return {
            "AWS_ENDPOINT_URL_APPRUNNER": self.endpoint,
            "AWS_ENDPOINT_URL_CLOUDWATCH": self.endpoint,
            "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": self.endpoint,
            "AWS_ENDPOINT_URL_ECR": self.endpoint,
            # moto's, through the simulator: GetCallerIdentity, ListAccountAliases.
            "AWS_ENDPOINT_URL_STS": self.endpoint,
            "AWS_ENDPOINT_URL_IAM": self.endpoint,
            # StartLiveTail's endpoint carries a `stream-` host prefix, which would turn
            # 127.0.0.1 into a host that does not resolve; botocore honours this variable.
            "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
            "AWS_ACCESS_KEY_ID": DUMMY_CREDENTIAL,
            "AWS_SECRET_ACCESS_KEY": DUMMY_CREDENTIAL,
            "AWS_DEFAULT_REGION": self.regions[0],
        }

    def start(self) -> str:
        """Start moto and the server in a daemon thread; returns the endpoint when ready."""
        if self._thread is not None:
            return self.endpoint
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        from moto.server import ThreadedMotoServer

        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto.start()
        self.accounts.open_moto()
        moto_host, moto_port = self._moto.get_host_and_port()
        self.moto_endpoint = f"http://{moto_host}:{moto_port}"
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self._endpoint = f"http://{_reachable(self.host)}:{sock.getsockname()[1]}"
        self._thread = threading.Thread(
            target=self._run, args=(sock,), name="artui-sim", daemon=True
        )
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self.stop()
            raise RuntimeError("simulator failed to start") from self._error
        return self._endpoint

    def stop(self) -> None:
        """Stop the server, the world writer and moto."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            thread.join(timeout=10)
        self._thread = None
        if self._moto is not None:
            self._moto.stop()
            self._moto = None

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- serving -----------------------------------------------------------------

    def _run(self, sock: socket.socket) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._startup(sock))
        except BaseException as exc:  # reported to start()'s caller
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._stopped.set()

    async def _startup(self, sock: socket.socket) -> None:
        assert self.moto_endpoint is not None
        self._proxy = MotoProxy(self.moto_endpoint)
        await self._proxy.start()
        app = web.Application(client_max_size=_MAX_BODY)
        # A prefixed sub-app resolves every /_sim path itself (JSON 404/405 included), so
        # none of them falls through to moto below.
        app.add_subapp(
            "/_sim",
            control_app(self.accounts, self.requests, self.faults, self.livetail, self.cloudwatch),
        )
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()
        if self.world_enabled:
            from artui.sim.world import DemoWorld

            world = DemoWorld(self.accounts, seed=self.seed, model=self.metrics)
            self._world_task = asyncio.get_running_loop().create_task(world.run())

    async def _shutdown(self) -> None:
        if self._world_task is not None:
            self._world_task.cancel()
            try:
                await self._world_task
            except BaseException:  # noqa: BLE001 - shutting down regardless
                pass
        # Before the runner: its cleanup would wait for streaming handlers that never end.
        await self.livetail.close()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._proxy is not None:
            await self._proxy.close()
        asyncio.get_running_loop().stop()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        target = request.headers.get("X-Amz-Target", "")
        scope = credential_scope(request.headers)
        region = scope[0] if scope else self.regions[0]
        account = caller_account(request.headers)
        self.accounts.get(account)  # an account's first request seeds its fleet
        # Signed for App Runner, or aimed at it: never moto's, whose answer would be a 500 page.
        if target.partition(".")[0] == "AppRunner" or (scope and scope[1] == "apprunner"):
            await self._latency(target.partition(".")[2], region, "apprunner", account)
            return self._apprunner(target, body, region, account)
        service, operation, named = describe(request, body)
        await self._latency(operation, named or region, service or "unknown", account)
        # Live Tail is served here; in oneshot mode moto answers it (what exists, then the end).
        if target == LIVE_TAIL_TARGET and self.livetail.mode != "oneshot":
            return await self.livetail.serve(request, body, region, account)
        if target == PUT_LOG_EVENTS_TARGET:
            return self._put_log_events(body, region, account)
        call = self.cloudwatch.claim(request, body)
        if call is not None:
            return await self._cloudwatch(call, request, region, account)
        status = 502
        try:
            assert self._proxy is not None
            response = await self._proxy.forward(request, body, account)
            status = response.status
            return response
        except (OSError, asyncio.TimeoutError) as exc:
            log.warning("moto proxy failed for %s: %s", operation, exc)
            return web.json_response(
                {"__type": "ServiceUnavailable", "message": str(exc)}, status=502
            )
        finally:
            self.requests.record(operation, service or "unknown", named, status)

    async def _latency(self, operation: str, region: str, service: str, account: str) -> None:
        """Wait as long as a latency fault matching the call says (on the loop, never
        blocking it: other calls go on meanwhile)."""
        seconds = self.faults.delay(operation, region, service, account)
        if seconds > 0:
            await asyncio.sleep(seconds)

    def _apprunner(self, target: str, body: bytes, region: str, account: str) -> web.Response:
        prefix, _, operation = target.partition(".")
        error = None if prefix == "AppRunner" and operation else _unknown_target(target)
        error = error or self.faults.take(operation, region, "apprunner", account)
        result: dict[str, Any] = {}
        if error is None:
            try:
                backend = self.accounts.get(account)
                result = backend.call(operation, region, parse_body(body))
            except ApiError as exc:
                error = exc
            except Exception:  # a bug here must answer 500, not drop the connection
                log.exception("App Runner %s failed", operation)
                error = ApiError(
                    "InternalServiceErrorException", "The simulator failed; see its log.", 500
                )
        status = error.status if error else 200
        logged = operation or target or "(no X-Amz-Target)"
        self.requests.record(logged, "apprunner", region, status)
        headers = {"x-amzn-RequestId": str(uuid.uuid4())}
        if error is not None:
            headers["x-amzn-ErrorType"] = error.code
        return web.Response(
            status=status,
            body=json.dumps(error.body() if error else result).encode(),
            content_type=_JSON_10,
            headers=headers,
        )

    def _put_log_events(self, body: bytes, region: str, account: str) -> web.Response:
        # Judged by the simulator's clock, not moto's (the machine's): see artui.sim.logstore.
        try:
            doc = logstore.put_log_events(body, account, region, self.clock.now())
        except logstore.LogsError as exc:
            self.requests.record(logstore.PUT_LOG_EVENTS, "logs", region, exc.status)
            return exc.response()
        self.requests.record(logstore.PUT_LOG_EVENTS, "logs", region, 200)
        return logstore.answer(doc)

    async def _cloudwatch(
        self, call: Call, request: web.Request, region: str, account: str
    ) -> web.Response:
        fault = self.faults.take(call.operation, region, "cloudwatch", account)
        if fault is not None:
            response = error_response(call.protocol, fault.code, fault.message, fault.status)
        else:
            try:
                services = self.cloudwatch.snapshot(account, region)
                now = self.clock.now()
                if self.cloudwatch.merges(call):

                    async def moto(params: dict[str, Any]) -> dict[str, Any]:
                        return await self._ask_moto("ListMetrics", params, request, region, account)

                    doc = await self.cloudwatch.list_everything(call, services, now, moto)
                else:
                    # Off the loop: 500 queries over hours is a few hundred ms of arithmetic.
                    doc = await asyncio.to_thread(self.cloudwatch.answer, call, services, now)
                response = respond(call.protocol, doc)
            except CloudWatchError as exc:
                response = error_response(call.protocol, exc.code, exc.message, exc.status)
            except Exception:  # a bug here must answer 500, not drop the connection
                log.exception("CloudWatch %s failed", call.operation)
                response = error_response(
                    call.protocol, "InternalServiceError", "The simulator failed; see its log.", 500
                )
        self.requests.record(call.operation, "cloudwatch", region, response.status)
        return response

    async def _ask_moto(
        self,
        operation: str,
        params: dict[str, Any],
        request: web.Request,
        region: str,
        account: str,
    ) -> dict[str, Any]:
        """moto's CloudWatch answer to `operation` (asked in JSON 1.0, which moto speaks
        whatever protocol the caller used); its refusal as a CloudWatchError."""
        assert self._proxy is not None
        target = f"{CLOUDWATCH_SERVICE}.{operation}"
        status, headers, answer = await self._proxy.ask_json(
            target, params, request, region, account
        )
        doc = answer if isinstance(answer, dict) else {}
        if status != 200:
            code = headers.get("x-amzn-query-error", "").partition(";")[0]
            code = code or str(doc.get("__type", "InternalServiceError")).rpartition("#")[2]
            raise CloudWatchError(code, str(doc.get("message", "moto refused the call")), status)
        return dict(doc)


# Addresses that mean "every interface": a server binds them, a client cannot connect to them.
_WILDCARDS = ("", "0.0.0.0")


def _reachable(host: str) -> str:
    """The host a client names to reach a server bound to `host`."""
    # The endpoint is for clients on this machine (the variables `artui sim` prints): loopback
    # reaches a wildcard bind there, and never depends on the machine's name resolving.
    return "127.0.0.1" if host in _WILDCARDS else host


def _unknown_target(target: str) -> ApiError:
    said = "X-Amz-Target is missing"
    if target:
        said = f"X-Amz-Target {target[:100]!r} names no operation"
    return ApiError("UnknownOperationException", f"{said}; send AppRunner.<Operation>.")


def parse_body(body: bytes) -> Any:
    """A request's JSON document (an empty body is `{}`); SerializationException otherwise."""
    if not body.strip():
        return {}
    try:
        return wire.loads(body)
    except wire.NotJson as exc:
        raise ApiError("SerializationException", f"{str(exc)[:200]}.") from None


def serve_forever(
    port: int,
    regions: list[str],
    services: int,
    quota: int = DEFAULT_QUOTA,
    *,
    host: str = "127.0.0.1",
    speed: float = DEMO_SPEEDUP,
    ids_seed: int | None = None,
) -> int:
    """Run a demo simulator on `host`:`port`, its operations `speed` times AWS's, its ids
    fresh (or `ids_seed`'s), print the variables to export, stop on SIGINT/SIGTERM."""
    done = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        done.set()

    # Installed before anything slow, so an early Ctrl-C still ends cleanly.
    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    sim = Simulator(
        host=host,
        port=port,
        regions=list(regions) or ["us-east-1"],
        services=services,
        speedup=speed,
        quota=quota,
        ids_seed=ids_seed,
    )
    try:
        try:
            sim.start()
        except OSError as exc:
            print(f"artui sim: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
            return 1
        # env() keeps its order: endpoint URLs, then credentials, then region.
        for key, value in sim.env().items():
            print(f"export {key}={value}", flush=True)
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
