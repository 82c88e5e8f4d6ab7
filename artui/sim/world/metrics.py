"""The demo's `AWS/AppRunner` traffic model: every service's metrics, minute by minute.

Nothing is stored: a minute's figures are a pure function of the seed, the service id and
the minute (drawn an hour at a time from a generator seeded by service and hour), computed
a metric at a time as asked, and cached. A minute has figures only while the service served
traffic (its operations say when: paused, deleted or failed creation are gaps).

What one minute holds, per service (dimensions ServiceName, ServiceID):

- Requests, 2xx/4xx/5xxStatusResponses: counts for the minute;
- RequestLatency: the minute's requests as a log-normal distribution of latencies
  (`LATENCY_SIGMA`), mean `latency` ms: p50 below the mean, p99 well above it; no
  figure in a minute without requests;
- ActiveInstances (0 in a minute without requests, as the guide says), CPUUtilization,
  MemoryUtilization (also per instance, dimension Instance).

The troubled service (`seed.TROUBLED_INDEX`) has an incident: its 5xx share climbs through
the hour before the simulator started (`epoch`, simulated time) and stays high after.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
import threading
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from artui.sim.seed import TROUBLED_INDEX, service_name

if TYPE_CHECKING:
    from artui.sim.apprunner.operations import Operation
    from artui.sim.apprunner.services import ServiceRecord

NAMESPACE = "AWS/AppRunner"
SERVICE_METRICS = (
    "Requests",
    "2xxStatusResponses",
    "4xxStatusResponses",
    "5xxStatusResponses",
    "RequestLatency",
    "ActiveInstances",
    "CPUUtilization",
    "MemoryUtilization",
)
INSTANCE_METRICS = ("CPUUtilization", "MemoryUtilization")
UNITS = {
    "RequestLatency": "Milliseconds",
    "CPUUtilization": "Percent",
    "MemoryUtilization": "Percent",
}
# Indexes into a minute's tuple (`TrafficModel.minute`).
REQUESTS, R2XX, R4XX, R5XX, LATENCY, INSTANCES, CPU, MEMORY = range(8)

INCIDENT_MINUTES = 60
# Spread of one minute's latencies (log-normal sigma): p50 = 0.88 x mean, p99 = 2.8 x mean.
LATENCY_SIGMA = 0.5
# Operations after which new instances replace the old ones (as App Runner does).
REPLACING = frozenset({"START_DEPLOYMENT", "RESUME_SERVICE", "UPDATE_SERVICE"})
# Minutes are computed an hour at a time (1440 is a multiple); a month of hours is cached
# per service (then that service's cache starts again).
_BLOCK = 60
_CACHE_LIMIT = 31 * 24
# The day's rhythm, by minute of the (UTC) day: busiest at 06:00, quietest at 18:00.
_DIURNAL = [1 + 0.3 * math.sin(2 * math.pi * m / 1440) for m in range(1440)]
_MASK = (1 << 64) - 1
_UNIT = 1.0 / 65536
_NORMAL = NormalDist()


@dataclass(frozen=True)
class Profile:
    """What drives one service's traffic: its first instances, load, latency, trouble."""

    service_id: str
    instances: tuple[str, ...]
    base_rpm: float
    latency_ms: float
    troubled: bool
    key: int  # the hash seed of its minutes


def service_profile(seed: int, service: ServiceRecord) -> tuple[Profile, random.Random]:
    """A service's profile and the random stream its log lines continue from.

    The draws (and their order) are the ones the demo world always made, so instance ids
    and rates stay what they were.
    """
    rng = random.Random(f"{seed}:world:{service.id}")
    instances = tuple(f"{rng.getrandbits(128):032x}" for _ in range(rng.randint(1, 3)))
    base_rpm = rng.uniform(300, 2400)
    latency_ms = rng.uniform(25, 120)
    digest = hashlib.blake2b(f"{seed}:metrics:{service.id}".encode(), digest_size=8).digest()
    profile = Profile(
        service_id=service.id,
        instances=instances,
        base_rpm=base_rpm,
        latency_ms=latency_ms,
        troubled=service.name == service_name(TROUBLED_INDEX),
        key=int.from_bytes(digest, "big"),
    )
    return profile, rng


def error_fraction(t: float, incident_start: float) -> float:
    """The troubled service's 5xx share at `t`: climbing from `incident_start` for an hour."""
    progress = min(1.0, max(0.0, (t - incident_start) / (INCIDENT_MINUTES * 60)))
    return 0.003 + 0.22 * progress**1.5


def serving_spans(ops: Sequence[Operation]) -> list[tuple[float, float]]:
    """[start, end) spans in which a service (operations oldest first) served traffic.

    An operation changes what is served when it ends: a creation that succeeds starts it,
    a successful pause or deletion stops it, a successful resume starts it again.
    """
    spans: list[tuple[float, float]] = []
    since: float | None = None
    for op in ops:
        serving = since is not None
        if op.type == "CREATE_SERVICE":
            serving = not op.fails
        elif op.type in ("PAUSE_SERVICE", "DELETE_SERVICE") and not op.fails:
            serving = False
        elif op.type == "RESUME_SERVICE" and not op.fails:
            serving = True
        if serving and since is None:
            since = op.ended_at
        elif not serving and since is not None:
            spans.append((since, op.ended_at))
            since = None
    if since is not None:
        spans.append((since, math.inf))
    return spans


def serving_at(ops: Sequence[Operation], t: float) -> bool:
    """Whether a service (operations oldest first) served traffic at `t`."""
    return any(start <= t < end for start, end in serving_spans(ops))


def ever_served(ops: Sequence[Operation]) -> bool:
    """Whether a service ever got past its creation."""
    return any(op.type == "CREATE_SERVICE" and not op.fails for op in ops)


def _mix(x: int) -> int:
    # splitmix64's finaliser: cheap, and every output bit depends on every input bit.
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _uniforms(key: int, minute: int, salt: int = 0) -> tuple[float, float, float, float]:
    # Four uniforms in [0, 1) from one 64-bit hash.
    h = _mix(key ^ ((minute * 0x2545F4914F6CDD1D + salt) & _MASK))
    return (
        (h & 0xFFFF) * _UNIT,
        ((h >> 16) & 0xFFFF) * _UNIT,
        ((h >> 32) & 0xFFFF) * _UNIT,
        ((h >> 48) & 0xFFFF) * _UNIT,
    )


def latency_quantile(mean: float, q: float) -> float:
    """The `q` quantile (0 < q < 1) of a minute's latencies whose mean is `mean`."""
    return mean * _quantile_factor(q)


@functools.lru_cache(maxsize=4096)
def _quantile_factor(q: float) -> float:
    # Log-normal with mean 1: median exp(-sigma^2 / 2). Cached: a percentile query asks
    # the same q of every minute.
    return math.exp(LATENCY_SIGMA * _NORMAL.inv_cdf(q) - LATENCY_SIGMA * LATENCY_SIGMA / 2)


def latency_extremes(mean: float, samples: float) -> tuple[float, float]:
    """(Minimum, Maximum) of a minute's `samples` latencies: the expected extreme order
    statistics, approximated by the quantiles at 0.5/n and 1 - 0.5/n."""
    edge = 0.5 / max(samples, 1.0)
    if edge >= 0.5:
        return mean, mean
    return latency_quantile(mean, edge), latency_quantile(mean, 1 - edge)


class TrafficModel:
    """Every service's figures per minute, computed on demand and cached.

    `epoch` is the simulated time the simulator started: the incident ends its climb there.
    Safe to call from worker threads.
    """

    def __init__(self, seed: int, epoch: float) -> None:
        self.seed = seed
        self.epoch = epoch
        self.incident_start = epoch - INCIDENT_MINUTES * 60
        self._profiles: dict[str, Profile] = {}
        self._rpm: dict[str, float] = {}
        # service id -> hour number -> metric name (or "draws", "frac5") -> 60 figures
        self._cache: dict[str, dict[int, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def profile(self, service: ServiceRecord) -> Profile:
        """The service's profile (kept, so later lookups by id work)."""
        found = self._profiles.get(service.id)
        if found is None:
            found, _ = service_profile(self.seed, service)
            with self._lock:
                found = self._profiles.setdefault(service.id, found)
        return found

    def set_rpm(self, service_id: str, rpm: float | None) -> None:
        """Override a service's request rate for every minute (None: its own again)."""
        with self._lock:
            if rpm is None:
                self._rpm.pop(service_id, None)
            else:
                self._rpm[service_id] = float(rpm)
            self._cache.clear()

    def rpm_overrides(self) -> dict[str, float]:
        """Service id -> the request rate set by the control API."""
        with self._lock:
            return dict(self._rpm)

    def error_fraction(self, t: float) -> float:
        """The troubled service's 5xx share at `t` (simulated time)."""
        return error_fraction(t, self.incident_start)

    def generations(
        self, profile: Profile, ops: Sequence[Operation]
    ) -> list[tuple[float, float, tuple[str, ...]]]:
        """[start, end) and instance ids of each set of instances the service has had.

        Each successful deployment, update or resume replaces the instances; the first set
        is the profile's, the later ones hashed from the service and their number.
        """
        out: list[tuple[float, float, tuple[str, ...]]] = []
        start, ids = -math.inf, profile.instances
        for op in ops:
            if op.type in REPLACING and not op.fails:
                out.append((start, op.ended_at, ids))
                start = op.ended_at
                ids = self._instance_ids(profile, len(out))
        out.append((start, math.inf, ids))
        return out

    def instances_at(self, service: ServiceRecord, ops: Sequence[Operation], t: float) -> list[str]:
        """The instance ids serving at `t` (the ones the logs name too)."""
        for start, end, ids in self.generations(self.profile(service), ops):
            if start <= t < end:
                return list(ids)
        return list(self.profile(service).instances)

    def _instance_ids(self, profile: Profile, generation: int) -> tuple[str, ...]:
        out = []
        for n in range(len(profile.instances)):
            high = _mix(profile.key ^ (generation << 8 | n))
            low = _mix(high ^ 0x5DEECE66D)
            out.append(f"{high:016x}{low:016x}")
        return tuple(out)

    def minute(self, profile: Profile, minute: int) -> tuple[float, ...]:
        """The service's figures for one minute (epoch minutes), in SERVICE_METRICS order,
        as if it served traffic then."""
        return tuple(self.column(profile, name, (minute,))[0] for name in SERVICE_METRICS)

    def column(self, profile: Profile, name: str, minutes: Sequence[int]) -> list[float]:
        """Metric `name`'s figure for each of `minutes` (ascending): the hot path of a
        500-query answer, so computed a metric and an hour at a time, and only as needed."""
        out: list[float] = []
        current, values = None, None
        for m in minutes:
            number = m // _BLOCK
            if number != current:
                current = number
                values = self._column(profile, number, name)
            out.append(values[m - number * _BLOCK])  # type: ignore[index]
        return out

    def _column(self, profile: Profile, number: int, name: str) -> Any:
        blocks = self._cache.get(profile.service_id)
        if blocks is None or len(blocks) > _CACHE_LIMIT:
            blocks = self._cache[profile.service_id] = {}
        block = blocks.get(number)
        if block is None:
            block = blocks[number] = {}
        values = block.get(name)
        if values is None:
            # Two threads may both compute it: the same numbers either way.
            values = block[name] = self._compute(profile, number, name)
        return values

    def _compute(self, profile: Profile, number: int, name: str) -> Any:
        first = number * _BLOCK
        if name == "draws":
            # Six 16-bit uniforms a minute from one generator seeded by (service, hour):
            # random access by hour, and the draws at C speed.
            seed = profile.key ^ (number * 0x2545F4914F6CDD1D & _MASK)
            return array("H", random.Random(seed).randbytes(12 * _BLOCK))
        draws = self._column(profile, number, "draws")
        column = self._column
        if name == "Requests":
            rpm = self._rpm.get(profile.service_id, profile.base_rpm)
            day = _DIURNAL[first % 1440 : first % 1440 + _BLOCK]
            return [
                float(int(rpm * d * (0.9 + 0.2 * _UNIT * x) + 0.5))
                for d, x in zip(day, draws[0::6], strict=True)
            ]
        if name == "frac5":
            if not profile.troubled:
                return [0.002 * _UNIT * x for x in draws[1::6]]
            return [self.error_fraction(m * 60.0) for m in range(first, first + _BLOCK)]
        if name == "ActiveInstances":
            # "The number of instances that are processing HTTP requests" (the guide): zero
            # in a minute without requests (the instances idle, not gone), and never more
            # instances than requests.
            active = float(len(profile.instances))
            return [min(active, r) for r in self._column(profile, number, "Requests")]
        if name == "MemoryUtilization":
            return [int((35 + 15 * _UNIT * x) * 10 + 0.5) / 10 for x in draws[5::6]]
        frac5 = column(profile, number, "frac5")
        if name == "RequestLatency":
            mean = profile.latency_ms
            return [
                int(mean * (0.85 + 0.35 * _UNIT * x) * (1 + 12 * f) * 10 + 0.5) / 10
                for x, f in zip(draws[3::6], frac5, strict=True)
            ]
        requests = column(profile, number, "Requests")
        if name == "5xxStatusResponses":
            return [float(int(r * f + 0.5)) for r, f in zip(requests, frac5, strict=True)]
        if name == "4xxStatusResponses":
            return [
                float(int(r * 0.02 * (0.5 + _UNIT * x) + 0.5))
                for r, x in zip(requests, draws[2::6], strict=True)
            ]
        if name == "2xxStatusResponses":
            e4 = column(profile, number, "4xxStatusResponses")
            e5 = column(profile, number, "5xxStatusResponses")
            return [r - a - b for r, a, b in zip(requests, e4, e5, strict=True)]
        if name == "CPUUtilization":
            load = 35 / max(profile.base_rpm, 1.0)
            day = _DIURNAL[first % 1440 : first % 1440 + _BLOCK]
            return [
                int(min(95.0, 4 + load * r * d * (0.8 + 0.4 * _UNIT * x) + 80 * f) * 10 + 0.5) / 10
                for r, d, x, f in zip(requests, day, draws[4::6], frac5, strict=True)
            ]
        raise KeyError(name)

    def instance_minute(self, profile: Profile, instance: str, minute: int) -> tuple[float, float]:
        """(CPUUtilization, MemoryUtilization) of one instance in one minute."""
        figures = self.minute(profile, minute)
        try:
            salt = int(instance[:16], 16)
        except ValueError:  # not an id of ours: no figures are asked for it anyway
            salt = 0
        u1, u2, _, _ = _uniforms(profile.key, minute, salt)
        cpu = round(min(100.0, figures[CPU] * (0.8 + 0.4 * u1)), 1)
        memory = round(min(100.0, figures[MEMORY] * (0.8 + 0.4 * u2)), 1)
        return cpu, memory
