"""The demo's `AWS/AppRunner` traffic model: every service's metrics, minute by minute.

Nothing is stored: a minute's figures are a pure function of the seed, the service id and
the minute (a splitmix64 hash, not `random.Random`, so thousands of minutes cost little),
cached once computed. A minute has figures only while the service served traffic (its
operations say when: paused, deleted or failed creation are gaps).

What one minute holds, per service (dimensions ServiceName, ServiceID):

- Requests, 2xx/4xx/5xxStatusResponses: counts for the minute;
- RequestLatency: the minute's requests as a log-normal distribution of latencies
  (`LATENCY_SIGMA`), mean `latency` ms: p50 below the mean, p99 well above it; no
  figure in a minute without requests;
- ActiveInstances, CPUUtilization, MemoryUtilization (also per instance, dimension Instance).

The troubled service (`seed.TROUBLED_INDEX`) has an incident: its 5xx share climbs through
the hour before the simulator started (`epoch`, simulated time) and stays high after.
"""

from __future__ import annotations

import hashlib
import math
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

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
FIELD = {name: i for i, name in enumerate(SERVICE_METRICS)}

INCIDENT_MINUTES = 60
# Spread of one minute's latencies (log-normal sigma): p50 = 0.88 x mean, p99 = 2.8 x mean.
LATENCY_SIGMA = 0.5
# Operations after which new instances replace the old ones (as App Runner does).
REPLACING = frozenset({"START_DEPLOYMENT", "RESUME_SERVICE", "UPDATE_SERVICE"})
_CACHE_LIMIT = 2_000_000
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
    median = mean * math.exp(-LATENCY_SIGMA * LATENCY_SIGMA / 2)
    return median * math.exp(LATENCY_SIGMA * _NORMAL.inv_cdf(q))


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
        self._cache: dict[tuple[str, int], tuple[float, ...]] = {}
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
        cache_key = (profile.service_id, minute)
        found = self._cache.get(cache_key)
        if found is not None:
            return found
        u1, u2, u3, u4 = _uniforms(profile.key, minute)
        u5, u6, _, _ = _uniforms(profile.key, minute, 1)
        rpm = self._rpm.get(profile.service_id, profile.base_rpm)
        diurnal = 1 + 0.3 * math.sin(2 * math.pi * (minute % 1440) / 1440)
        requests = float(round(rpm * diurnal * (0.9 + 0.2 * u1)))
        if profile.troubled:
            frac5 = self.error_fraction(minute * 60.0)
        else:
            frac5 = 0.002 * u2
        e5 = float(round(requests * frac5))
        e4 = float(round(requests * 0.02 * (0.5 + u3)))
        latency = round(profile.latency_ms * (0.85 + 0.35 * u4) * (1 + 12 * frac5), 1)
        instances = len(profile.instances)
        load = requests / max(profile.base_rpm, 1.0)
        cpu = round(min(95.0, 4 + 35 * load * diurnal * (0.8 + 0.4 * u5) + 80 * frac5), 1)
        memory = round(35 + 15 * u6, 1)
        figures = (requests, requests - e4 - e5, e4, e5, latency, float(instances), cpu, memory)
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        self._cache[cache_key] = figures
        return figures

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
