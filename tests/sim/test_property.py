"""Property-based: every App Runner operation of the simulator against botocore's model.

One test per operation in the model (`MODEL.operation_names`: an operation a newer botocore
adds is tested by itself). Bodies are built from the operation's input shape, so new
members come into the test by themselves too. Each body is valid, or broken in one spot
chosen from the model:

- type-broken (a wrong JSON type anywhere, an unknown member, a null list item or body):
  must be a 400 SerializationException;
- constraint-broken (a required member dropped or null, a string too short or too long, an
  integer out of range, a pattern or enum not met, a bad map key): must be a 400
  InvalidRequestException;
- valid: a 200 whose body fits the output shape, or a 400 of a type the model lists for the
  operation (App Runner's own rules, a duplicate name, a busy, paused or unknown service).

Whatever the body, the simulator must never answer 500 (nor anything but 200 or 400).

Valid bodies mostly name what exists in the simulator (services running or paused,
configurations, VPC connectors, custom domains, page tokens it gave), read when the example
is drawn; now and then anything the model's patterns allow. Where the model says nothing
but App Runner refuses (CPU and memory pairs, a private image without a role, a repository
without a connection, a VPC egress without a connector, subnet ids, MinSize above MaxSize),
the valid bodies keep to App Runner's rules, so that many are accepted and the success path
is exercised, not only refusals. A strict run of valid bodies names only what exists and
must see at least a quarter accepted; each kind of body has runs of its own, so that each
is sure of its examples. What a success makes is deleted again, and what it uses up is made
again, so the next example finds the simulator as the last one did; each operation has a
simulator of its own.

The requests are raw JSON over http.client: botocore could not serialize a type-broken body.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.model import Shape
from botocore.parsers import create_parser
from botocore.validate import ParamValidator
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from artui.sim import Simulator
from artui.sim.apprunner.validate import Problem, problems
from tests.sim.property_world import (
    MODEL,
    REGION,
    SOURCE_KINDS,
    Answer,
    Client,
    World,
    make_world,
    top_up,
)

CREATE = MODEL.operation_model("CreateService")
UPDATE = MODEL.operation_model("UpdateService")

VALID, CONSTRAINT, TYPE = "valid", "constraint-broken", "type-broken"
# The runs for each operation: (kind of body, strict: valid bodies name only what exists,
# share of the operation's examples). Each kind has runs of its own, so that each is sure
# of its examples: half valid, the ones that reach App Runner's rules and the answers'
# shapes. The strict run is the one whose accepted share is checked: Hypothesis's seed
# follows the test's source, and a seed that dwells on random ARNs would fail it.
RUNS = ((VALID, True, 0.35), (VALID, False, 0.15), (CONSTRAINT, False, 0.25), (TYPE, False, 0.25))

# App Runner's CPU and memory pairs (API reference, InstanceConfiguration), in vCPU and GB;
# written out here rather than imported so the test does not take the simulator's word.
INSTANCE_PAIRS = (
    ("0.25", "0.5"),
    ("0.25", "1"),
    ("0.5", "1"),
    ("1", "2"),
    ("1", "3"),
    ("1", "4"),
    ("2", "4"),
    ("2", "6"),
    ("4", "8"),
    ("4", "10"),
    ("4", "12"),
)

# Strings with no maximum in the model (or a huge one, 51200) stay short when valid: a long
# value exercises nothing a short one does not, and costs time in every example.
SHORT_TEXT = 40
# Decorations that take a valid string out of its pattern: a leading space or dash, a line
# break (Java's `.` stops at one, as Python's does), a NUL, a reserved `aws:` tag prefix.
UNMATCHING = (" ", "-", "!", "\n", "\r", "\x00", "aws:")

# Patterns longer than this have their valid strings drawn from a pool (see `_pooled`).
LONG_PATTERN = 80
POOL_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
PROPERTY_SETTINGS = settings(
    max_examples=250,
    # CI machines are busy: nothing here is timed.
    deadline=None,
    # Reproducible in CI, and nothing written to a .hypothesis/ database.
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture
def world() -> Iterator[World]:
    """A simulator of its own for each operation: what one operation's examples delete or
    change is no other's concern, whatever order the operations run in."""
    # A quota far above what the run creates, so valid creates keep being accepted.
    sim = Simulator(regions=(REGION,), services=2, time_scale=0, world=False, quota=10_000)
    try:
        yield make_world(Client(sim.start()))
    finally:
        sim.stop()


# -- valid values from the model -------------------------------------------------------

Overrides = dict[str, SearchStrategy[Any]]


def _shape(operation_input: Shape, *path: str) -> Shape:
    shape = operation_input
    for name in path:
        shape = shape.members[name]  # type: ignore[attr-defined]
    return shape


class Values:
    """Strategies for values valid against a shape; `overrides` replace some of them.

    An override's key is a shape name ("InstanceConfiguration") or a member of one
    ("UpdateServiceRequest.ServiceArn"), for members whose shape others share.
    """

    def __init__(self, overrides: Overrides | None = None) -> None:
        self.overrides = overrides or {}
        # Built once per shape: composite strategies ask for theirs in every example.
        self._built: dict[str, SearchStrategy[Any]] = {}

    def of(self, shape: Shape) -> SearchStrategy[Any]:
        if shape.name in self.overrides:
            return self.overrides[shape.name]
        if shape.name not in self._built:
            self._built[shape.name] = self._build(shape)
        return self._built[shape.name]

    def _build(self, shape: Shape) -> SearchStrategy[Any]:
        kind = shape.type_name
        if kind == "structure":
            return self.structure(shape)
        if kind == "list":
            low, high = _bounds(shape, 3)
            return st.lists(self.of(shape.member), min_size=low, max_size=high)  # type: ignore[attr-defined]
        if kind == "map":
            key, value = shape.key, shape.value  # type: ignore[attr-defined]
            return st.dictionaries(self.of(key), self.of(value), max_size=3)
        if kind == "string":
            return valid_strings(shape)
        if kind in ("integer", "long"):
            return st.integers(
                shape.metadata.get("min", -(2**31)), shape.metadata.get("max", 2**31 - 1)
            )
        if kind == "boolean":
            return st.booleans()
        if kind in ("double", "float", "timestamp"):
            return st.floats(0, 2e9, allow_nan=False)
        raise AssertionError(f"no strategy for {shape.name} ({kind})")

    def structure(self, shape: Shape, require: tuple[str, ...] = ()) -> SearchStrategy[Any]:
        required = set(shape.metadata.get("required", ())) | set(require)
        members: dict[str, SearchStrategy[Any]] = {}
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            override = self.overrides.get(f"{shape.name}.{name}")
            members[name] = self.of(member) if override is None else override
        return st.fixed_dictionaries(
            {k: v for k, v in members.items() if k in required},
            optional={k: v for k, v in members.items() if k not in required},
        )


def _bounds(shape: Shape, cap: int) -> tuple[int, int]:
    low = int(shape.metadata.get("min", 0))
    return low, max(low, min(int(shape.metadata.get("max", cap)), cap))


def _matching(shape: Shape) -> SearchStrategy[str]:
    meta = shape.metadata
    low, high = int(meta.get("min", 0)), int(meta.get("max", SHORT_TEXT))
    return st.from_regex(meta["pattern"], fullmatch=True).filter(lambda s: low <= len(s) <= high)


def _pooled(shape: Shape) -> bool:
    # Long patterns (ARNs, image names) make long strings, drawn character by character: a
    # few in every body made the run three times as slow. Those come from a pool instead.
    return len(shape.metadata.get("pattern", "")) > LONG_PATTERN


POOLS: dict[str, tuple[str, ...]] = {}


def fill_pools(*shapes: Shape) -> None:
    """Draw the pools of strings for the long patterns under `shapes`, once.

    Done before the properties run: Hypothesis cannot run one @given inside another.
    """
    for shape in _string_shapes(shapes):
        if _pooled(shape) and shape.name not in POOLS:
            POOLS[shape.name] = _draw_all(_matching(shape))


def _draw_all(strategy: SearchStrategy[str]) -> tuple[str, ...]:
    found: list[str] = []

    @POOL_SETTINGS
    @given(strategy)
    def collect(value: str) -> None:
        found.append(value)

    collect()
    return tuple(dict.fromkeys(found))


def _string_shapes(shapes: tuple[Shape, ...]) -> Iterator[Shape]:
    seen: set[str] = set()
    todo = list(shapes)
    while todo:
        shape = todo.pop()
        if shape.name in seen:
            continue
        seen.add(shape.name)
        if shape.type_name == "string":
            yield shape
        elif shape.type_name == "structure":
            todo += shape.members.values()  # type: ignore[attr-defined]
        elif shape.type_name == "list":
            todo.append(shape.member)  # type: ignore[attr-defined]
        elif shape.type_name == "map":
            todo += [shape.key, shape.value]  # type: ignore[attr-defined]


def valid_strings(shape: Shape) -> SearchStrategy[str]:
    meta = shape.metadata
    if shape.enum:  # type: ignore[attr-defined]
        return st.sampled_from(shape.enum)  # type: ignore[attr-defined]
    low = int(meta.get("min", 0))
    if _pooled(shape):
        return st.sampled_from(POOLS[shape.name])
    if "pattern" in meta:
        return _matching(shape)
    return st.text(
        min_size=low, max_size=max(low, min(int(meta.get("max", SHORT_TEXT)), SHORT_TEXT))
    )


def _instance(values: Values) -> SearchStrategy[dict[str, Any]]:
    """A supported CPU and memory pair (or neither), each in either of the model's notations."""

    role = values.of(_shape(CREATE.input_shape, "InstanceConfiguration", "InstanceRoleArn"))

    @st.composite
    def build(draw: DrawFn) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if draw(st.integers(0, 4)):
            cpu, memory = draw(st.sampled_from(INSTANCE_PAIRS))
            out["Cpu"] = f"{cpu} vCPU" if draw(st.booleans()) else str(int(float(cpu) * 1024))
            out["Memory"] = (
                f"{memory} GB" if draw(st.booleans()) else str(int(float(memory) * 1024))
            )
        if draw(st.booleans()):
            out["InstanceRoleArn"] = draw(role)
        return out

    return build()


def _source(values: Values, kind: str, world: World) -> SearchStrategy[dict[str, Any]]:
    """A SourceConfiguration of one kind, with the credentials App Runner needs for it (a
    code repository mostly the world's AVAILABLE connection: any other is refused)."""
    shape = _shape(CREATE.input_shape, "SourceConfiguration")
    members = shape.members  # type: ignore[attr-defined]
    auth_shape = members["AuthenticationConfiguration"]
    repository, auths = values.of(members[kind]), values.of(auth_shape)
    credentials = {name: values.of(member) for name, member in auth_shape.members.items()}
    credentials["ConnectionArn"] = mostly(
        world, st.just(world.connection_arn), credentials["ConnectionArn"]
    )

    @st.composite
    def build(draw: DrawFn) -> dict[str, Any]:
        out: dict[str, Any] = {kind: draw(repository)}
        auth = draw(auths)
        needs = (
            "ConnectionArn"
            if kind == "CodeRepository"
            else "AccessRoleArn"
            if out[kind]["ImageRepositoryType"] == "ECR"
            else None
        )
        if needs and needs not in auth:
            auth[needs] = draw(credentials[needs])
        if auth or draw(st.booleans()):
            out["AuthenticationConfiguration"] = auth
        if draw(st.booleans()):
            out["AutoDeploymentsEnabled"] = draw(st.booleans())
        return out

    return build()


def _egress(values: Values, world: World) -> SearchStrategy[dict[str, Any]]:
    shape = _shape(CREATE.input_shape, "NetworkConfiguration", "EgressConfiguration")

    def connect(egress: dict[str, Any], arn: str) -> dict[str, Any]:
        # App Runner refuses a VPC egress without a connector, and a connector without it.
        if egress.get("EgressType") == "VPC":
            return {**egress, "VpcConnectorArn": egress.get("VpcConnectorArn", arn)}
        return {k: v for k, v in egress.items() if k != "VpcConnectorArn"}

    # Mostly the region's real connector; any other ARN is refused.
    arn = st.one_of(
        st.just(world.vpc_connector_arn),
        values.of(shape.members["VpcConnectorArn"]),  # type: ignore[attr-defined]
    )
    return st.builds(connect, values.structure(shape), arn)


def _observability(values: Values, world: World) -> SearchStrategy[dict[str, Any]]:
    """Mostly consistent: tracing on with the region's real configuration, or off; now and
    then anything the model allows (an unknown ARN, on without one: refused)."""
    shape = _shape(CREATE.input_shape, "ObservabilityConfiguration")
    return st.one_of(
        st.just(
            {"ObservabilityEnabled": True, "ObservabilityConfigurationArn": world.observability_arn}
        ),
        st.just({"ObservabilityEnabled": False}),
        values.structure(shape),
    )


def _health_check(values: Values) -> SearchStrategy[dict[str, Any]]:
    """A HealthCheckConfiguration whose Interval is never less than its Timeout, as the
    console requires: both or neither, so that one laid over a service's stays valid."""
    shape = _shape(CREATE.input_shape, "HealthCheckConfiguration")

    def order(health: dict[str, Any]) -> dict[str, Any]:
        if "Interval" not in health and "Timeout" not in health:
            return health
        # App Runner's defaults (Interval 5, Timeout 2) stand in for the one left out.
        low, high = sorted((health.get("Timeout", 2), health.get("Interval", 5)))
        return {**health, "Timeout": low, "Interval": high}

    return st.builds(order, values.structure(shape))


def body_values(world: World, kind: str | None = None) -> Values:
    """Values for CreateService (any source kind) or UpdateService (a source of `kind`)."""
    values = Values()
    tag = _shape(CREATE.input_shape, "Tags").member  # type: ignore[attr-defined]
    autoscaling = _shape(CREATE.input_shape, "AutoScalingConfigurationArn")
    values.overrides.update(
        {
            "InstanceConfiguration": _instance(values),
            "HealthCheckConfiguration": _health_check(values),
            "EgressConfiguration": _egress(values, world),
            "ServiceObservabilityConfiguration": _observability(values, world),
            # The model leaves a tag's Key optional; App Runner refuses a tag without one.
            "Tag": values.structure(tag, require=("Key",)),
            # Mostly the region's real configuration; any other ARN is refused.
            "CreateServiceRequest.AutoScalingConfigurationArn": st.one_of(
                st.just(world.autoscaling_arn), values.of(autoscaling)
            ),
            "UpdateServiceRequest.AutoScalingConfigurationArn": st.one_of(
                st.just(world.autoscaling_arn), values.of(autoscaling)
            ),
            # Replaced by the update's chosen service.
            "UpdateServiceRequest.ServiceArn": st.just(""),
        }
    )
    kinds = [kind] if kind else list(SOURCE_KINDS)
    values.overrides["SourceConfiguration"] = st.one_of(*(_source(values, k, world) for k in kinds))
    return values


# -- breaking a body in one spot -------------------------------------------------------

Path = tuple[Any, ...]


@dataclass(frozen=True)
class Spot:
    """A value present in a body, with the shape it must fit."""

    path: Path
    shape: Shape
    value: Any


def spots(value: Any, shape: Shape, path: Path = ()) -> Iterator[Spot]:
    yield Spot(path, shape, value)
    if shape.type_name == "structure":
        for name, member in value.items():
            yield from spots(member, shape.members[name], (*path, name))  # type: ignore[attr-defined]
    elif shape.type_name == "list":
        for i, item in enumerate(value):
            yield from spots(item, shape.member, (*path, i))  # type: ignore[attr-defined]
    elif shape.type_name == "map":
        for key, item in value.items():
            yield from spots(item, shape.value, (*path, key))  # type: ignore[attr-defined]


# A value of each JSON type but null (a null member reads as an absent one: no type error).
JSON_SCALARS = st.one_of(st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=8))
JSON_TYPES: dict[str, SearchStrategy[Any]] = {
    "boolean": st.booleans(),
    "integer": st.integers(-(2**40), 2**40),
    # Not 3.0: whether AWS reads that as the integer 3 is not this test's question.
    "fraction": st.integers(-(2**20), 2**20).map(lambda n: n + 0.5),
    "string": st.text(max_size=8),
    "array": st.lists(JSON_SCALARS, max_size=2),
    "object": st.dictionaries(st.text(max_size=6), JSON_SCALARS, max_size=2),
}
# The JSON types each kind of shape takes.
FITTING = {
    "string": {"string"},
    "integer": {"integer"},
    "long": {"integer"},
    "boolean": {"boolean"},
    "structure": {"object"},
    "map": {"object"},
    "list": {"array"},
    "double": {"integer", "fraction"},
    "float": {"integer", "fraction"},
    "timestamp": {"integer", "fraction"},
}


def wrong_types(shape: Shape) -> SearchStrategy[Any]:
    fitting = FITTING[shape.type_name]
    return st.one_of(*(values for name, values in JSON_TYPES.items() if name not in fitting))


@st.composite
def unmatched_strings(draw: DrawFn, shape: Shape) -> str:
    """A string within the length bounds that misses the shape's pattern."""
    meta = shape.metadata
    pattern = re.compile(meta["pattern"])
    low, high = int(meta.get("min", 0)), int(meta.get("max", SHORT_TEXT * 2))
    value = draw(valid_strings(shape))
    candidates = []
    for extra in UNMATCHING:
        cut = value[: max(0, high - len(extra))]
        candidates += [extra + cut, cut + extra]
    candidates = [s for s in candidates if low <= len(s) <= high and not pattern.fullmatch(s)]
    assume(candidates)  # every pattern in the model has so far been missed by one of them
    return draw(st.sampled_from(candidates))


def constraint_breaks(spot: Spot) -> list[SearchStrategy[Any]]:
    """Ways to break a model constraint at `spot`, each a strategy for a replacement."""
    shape, meta = spot.shape, spot.shape.metadata
    out: list[SearchStrategy[Any]] = []
    kind = shape.type_name
    if kind == "structure":
        present = [n for n in meta.get("required", ()) if n in spot.value]
        if present:
            out.append(
                st.sampled_from(present).map(
                    lambda name: {k: v for k, v in spot.value.items() if k != name}
                )
            )
            # A null member reads as an absent one: still missing.
            out.append(st.sampled_from(present).map(lambda name: {**spot.value, name: None}))
    elif kind == "string" and shape.enum:  # type: ignore[attr-defined]
        out.append(st.text(max_size=12).filter(lambda s: s not in shape.enum))  # type: ignore[attr-defined]
    elif kind == "string":
        low = int(meta.get("min", 0))
        if low > 0:
            out.append(st.text(max_size=low - 1))
        if "max" in meta:
            out.append(st.integers(meta["max"] + 1, meta["max"] + 3).map(lambda n: "a" * n))
        if "pattern" in meta:
            out.append(unmatched_strings(shape))
    elif kind in ("integer", "long"):
        if "min" in meta:
            out.append(st.integers(meta["min"] - 2**40, meta["min"] - 1))
        if "max" in meta:
            out.append(st.integers(meta["max"] + 1, meta["max"] + 2**40))
    elif kind == "map":
        key, item = shape.key, shape.value  # type: ignore[attr-defined]
        bad_keys = []
        if key.metadata.get("min", 0) > 0:
            bad_keys.append(st.just(""))
        if "max" in key.metadata:
            bad_keys.append(st.just("k" * (key.metadata["max"] + 1)))
        if bad_keys:
            out.append(
                st.tuples(st.one_of(*bad_keys), Values().of(item)).map(
                    lambda kv: {**spot.value, kv[0]: kv[1]}
                )
            )
    return out


def type_breaks(spot: Spot) -> list[SearchStrategy[Any]]:
    out = [wrong_types(spot.shape)]
    if not spot.path:
        out.append(st.just(None))  # `null` for a body: not an object
    if spot.shape.type_name == "list":
        # Unlike a member, an item cannot be null.
        out.append(
            st.integers(0, len(spot.value)).map(lambda i: [*spot.value[:i], None, *spot.value[i:]])
        )
    if spot.shape.type_name == "structure":
        members = spot.shape.members  # type: ignore[attr-defined]
        unknown = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,15}", fullmatch=True).filter(
            lambda n: n not in members
        )
        out.append(
            st.tuples(unknown, st.one_of(*JSON_TYPES.values())).map(
                lambda kv: {**spot.value, kv[0]: kv[1]}
            )
        )
    return out


def replace(body: Any, path: Path, value: Any) -> Any:
    if not path:
        return value
    out = copy.deepcopy(body)
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return out


@dataclass(frozen=True)
class Case:
    body: Any
    kind: str  # VALID, CONSTRAINT or TYPE
    where: str

    def __repr__(self) -> str:
        return f"Case({self.kind} at {self.where}: {json.dumps(self.body)[:2000]})"


@st.composite
def broken(draw: DrawFn, body: dict[str, Any], shape: Shape, kind: str) -> Case:
    """`body` as it is (VALID), or broken in one spot chosen from the model."""
    if kind == VALID:
        return Case(body, VALID, "-")
    breaks = constraint_breaks if kind == CONSTRAINT else type_breaks
    candidates = [(spot, ways) for spot in spots(body, shape) if (ways := breaks(spot))]
    # An empty body of optional members (a listing's) has no constraint to break.
    assume(candidates)
    spot, ways = draw(st.sampled_from(candidates))
    value = draw(st.one_of(*ways))
    where = ".".join(map(str, spot.path)) or "(body)"
    return Case(replace(body, spot.path, value), kind, where)


# -- what every answer must be ---------------------------------------------------------

JSON_PARSER = create_parser("json")


# botocore's ServiceId must be 32 characters long and match a 36-character UUID pattern:
# nothing satisfies both. App Runner's service ids are 32 hex digits (as in its ARNs), and
# so are the simulator's; that much is still checked.
_SERVICE_ID_VALUE = re.compile(r"^Value '[0-9a-f]{32}' at ")


def _model_slip(problem: Problem) -> bool:
    """Whether `problem` is only the model contradicting itself over a ServiceId."""
    return problem.path.endswith("serviceId") and bool(_SERVICE_ID_VALUE.search(problem.message))


def check_answer(operation: Any, case: Case, answer: Answer) -> str:
    """Assert the contract for one answer; returns its outcome ("200" or the error code)."""
    assert answer.status in (200, 400), f"{answer.status} for {case!r}: {answer.raw[:500]!r}"
    doc = answer.doc
    response = {"status_code": answer.status, "headers": answer.headers, "body": answer.raw}
    if answer.status == 200:
        assert case.kind == VALID, f"accepted {case!r}"
        found = [p for p in problems(doc, operation.output_shape) if not _model_slip(p)]
        assert not found, f"{found} in the answer to {case!r}: {doc}"
        # botocore's own reading of the answer must fit the output shape too.
        parsed = JSON_PARSER.parse(response, operation.output_shape)
        parsed.pop("ResponseMetadata", None)
        report = ParamValidator().validate(parsed, operation.output_shape)
        assert not report.has_errors(), f"{report.generate_report()} for {case!r}"
        return "200"
    assert isinstance(doc, dict) and set(doc) == {"__type", "Message"}, doc
    code = doc["__type"]
    assert isinstance(doc["Message"], str) and doc["Message"], doc
    assert JSON_PARSER.parse(response, operation.output_shape)["Error"]["Code"] == code
    modelled = {shape.name for shape in operation.error_shapes}
    if case.kind == TYPE:
        assert code == "SerializationException", f"{code} for {case!r}: {doc['Message']}"
    elif case.kind == CONSTRAINT:
        assert code == "InvalidRequestException", f"{code} for {case!r}: {doc['Message']}"
    else:
        assert code in modelled, f"{code} (not in the model) for {case!r}: {doc['Message']}"
    return code


def _check_run(kind: str, strict: bool, seen: Counter[str]) -> None:
    assert seen, f"no {kind} example ran"
    if kind == VALID and strict:
        # Refusing everything would pass the other checks; enough must get through.
        assert seen["200"] >= seen.total() // 4, seen


# -- bodies for every operation ---------------------------------------------------------

# Which resources an ARN member names, by member name; a kind twice is drawn twice as often.
ARN_KINDS: dict[str, tuple[str, ...]] = {
    "ServiceArn": ("service", "service", "service", "paused", "gone"),
    "AutoScalingConfigurationArn": ("autoscaling",),
    "ObservabilityConfigurationArn": ("observability",),
    "VpcConnectorArn": ("vpc-connector",),
    "ConnectionArn": ("connection",),
    "VpcIngressConnectionArn": ("vpc-ingress",),
    # Half the time a running service, the resource most tagged.
    "ResourceArn": ("service",) * 6
    + ("autoscaling", "observability", "vpc-connector", "connection", "vpc-ingress", "paused"),
}
# Per operation, where the above is not what its success needs.
OPERATION_ARN_KINDS: dict[str, dict[str, tuple[str, ...]]] = {
    "ResumeService": {"ServiceArn": ("paused", "paused", "paused", "service", "gone")},
}
# Name members that filter a listing or add a revision: mostly an existing resource's name.
NAME_KINDS = {
    "AutoScalingConfigurationName": "autoscaling",
    "ObservabilityConfigurationName": "observability",
    "ConnectionName": "connection",
}
# Kinds whose Create takes an existing name (a new revision); any other refuses it.
REVISED = ("autoscaling", "observability")


@st.composite
def mostly(
    draw: DrawFn, world: World, usual: SearchStrategy[Any], other: SearchStrategy[Any]
) -> Any:
    """`usual` three times in four (always in a strict run), else `other`; shrinking goes to
    `usual`."""
    return draw(other if not world.strict and draw(st.integers(0, 3)) == 3 else usual)


@st.composite
def _existing(draw: DrawFn, world: World, kinds: tuple[str, ...], name: bool) -> str:
    """An ARN of what exists in the simulator now, or the name in it; "" if nothing does.

    Read when the example is drawn, so that what earlier examples deleted is not named."""
    pool = world.live.get(draw(st.sampled_from(kinds)), [])
    if not pool:
        return ""
    arn = pool[draw(st.integers(0, 63)) % len(pool)]
    return arn.split("/")[1] if name else arn


def existing(
    world: World, kinds: tuple[str, ...], other: SearchStrategy[str], name: bool = False
) -> SearchStrategy[str]:
    """Mostly what exists (see `_existing`), else `other` (and `other` if nothing exists)."""
    return mostly(world, _existing(world, kinds, name), other).flatmap(
        lambda found: other if found == "" else st.just(found)
    )


def _structures(shape: Shape) -> Iterator[Shape]:
    seen: set[str] = set()
    todo = [shape]
    while todo:
        shape = todo.pop()
        if shape.name in seen:
            continue
        seen.add(shape.name)
        if shape.type_name == "structure":
            yield shape
            todo += shape.members.values()  # type: ignore[attr-defined]
        elif shape.type_name == "list":
            todo.append(shape.member)  # type: ignore[attr-defined]
        elif shape.type_name == "map":
            todo += [shape.key, shape.value]  # type: ignore[attr-defined]


def operation_values(operation: Any, world: World) -> Values:
    """Values for any operation's input, naming what exists, keeping to App Runner's rules
    where the model says nothing (a tag's key, subnet and security group ids, sizes)."""
    values = Values()
    tag = _shape(CREATE.input_shape, "Tags").member  # type: ignore[attr-defined]
    values.overrides["Tag"] = values.structure(tag, require=("Key",))
    arn_kinds = {**ARN_KINDS, **OPERATION_ARN_KINDS.get(operation.name, {})}
    for structure in _structures(operation.input_shape):
        for name, member in structure.members.items():  # type: ignore[attr-defined]
            key = f"{structure.name}.{name}"
            if name in arn_kinds:
                values.overrides[key] = existing(world, arn_kinds[name], values.of(member))
            elif name in NAME_KINDS and (
                NAME_KINDS[name] in REVISED or not operation.name.startswith("Create")
            ):
                kinds = (NAME_KINDS[name],)
                values.overrides[key] = existing(world, kinds, values.of(member), name=True)
    ids = {"Subnets": r"subnet-[0-9a-f]{4,17}", "SecurityGroups": r"sg-[0-9a-f]{4,17}"}
    for name, pattern in ids.items():
        low = 1 if name == "Subnets" else 0
        ec2 = st.lists(st.from_regex(pattern, fullmatch=True), min_size=low, max_size=3)
        values.overrides[f"CreateVpcConnectorRequest.{name}"] = ec2
    # The model's VPC and endpoint ids are any strings; EC2's look like these.
    vpc_ids = {"VpcId": r"vpc-[0-9a-f]{8,17}", "VpcEndpointId": r"vpce-[0-9a-f]{8,17}"}
    for structure in ("IngressVpcConfiguration", "ListVpcIngressConnectionsFilter"):
        for name, pattern in vpc_ids.items():
            member = MODEL.shape_for(structure).members.get(name)  # type: ignore[attr-defined]
            if member is not None:
                ec2_id = st.from_regex(pattern, fullmatch=True)
                values.overrides[f"{structure}.{name}"] = mostly(world, ec2_id, values.of(member))
    # The default of MaxSize (25) is the account's limit too: more is refused.
    values.overrides["ASConfigMaxSize"] = st.integers(1, 25)
    labels = st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True)
    domain = _shape(MODEL.operation_model("AssociateCustomDomain").input_shape, "DomainName")
    values.overrides["AssociateCustomDomainRequest.DomainName"] = mostly(
        world, labels.map(lambda label: f"{label}.example.com"), values.of(domain)
    )
    return values


def _sizes_in_order(body: dict[str, Any]) -> dict[str, Any]:
    # App Runner refuses a MinSize above the MaxSize (a rule the model leaves out).
    low, high = body.get("MinSize"), body.get("MaxSize")
    if low is not None and high is not None and low > high:
        return {**body, "MinSize": high, "MaxSize": low}
    return body


@st.composite
def _linked_domain(draw: DrawFn, world: World, body: dict[str, Any]) -> dict[str, Any]:
    # Mostly a domain the service holds: the only way a disassociation can succeed.
    if world.domains and draw(mostly(world, st.just(True), st.just(False))):
        arn, name = world.domains[draw(st.integers(0, 63)) % len(world.domains)]
        return {**body, "ServiceArn": arn, "DomainName": name}
    return body


def _all_revisions(body: dict[str, Any]) -> dict[str, Any]:
    # Deleting all revisions names the configuration, not one revision: `.../name`.
    arn = body["AutoScalingConfigurationArn"]
    if body.get("DeleteAllRevisions") and arn.count("/") == 3:
        return {**body, "AutoScalingConfigurationArn": arn.rsplit("/", 2)[0]}
    return body


@st.composite
def _both_ids(draw: DrawFn, world: World, body: dict[str, Any]) -> dict[str, Any]:
    # App Runner needs a VPC and an endpoint (the guide's steps); the model leaves them out.
    config = body["IngressVpcConfiguration"]
    if draw(mostly(world, st.just(True), st.just(False))):
        config = {
            "VpcId": config.get("VpcId") or draw(st.from_regex(r"vpc-[0-9a-f]{8}", fullmatch=True)),
            "VpcEndpointId": config.get("VpcEndpointId")
            or draw(st.from_regex(r"vpce-[0-9a-f]{8}", fullmatch=True)),
        }
    return {**body, "IngressVpcConfiguration": config}


@st.composite
def _same_vpc(draw: DrawFn, world: World, body: dict[str, Any]) -> dict[str, Any]:
    # An ingress connection's VPC cannot change, only its endpoint: mostly the VPC it has.
    body = draw(_both_ids(world, body))
    answer = world.client.call(
        "DescribeVpcIngressConnection", {"VpcIngressConnectionArn": body["VpcIngressConnectionArn"]}
    )
    if answer.status != 200 or not draw(mostly(world, st.just(True), st.just(False))):
        return body
    vpc = answer.doc["VpcIngressConnection"]["IngressVpcConfiguration"]["VpcId"]
    return {**body, "IngressVpcConfiguration": {**body["IngressVpcConfiguration"], "VpcId": vpc}}


Fix = Callable[[World, dict[str, Any]], SearchStrategy[dict[str, Any]]]
# Per operation, how a valid body is brought within App Runner's rules the model leaves out.
FIXES: dict[str, Fix] = {
    "CreateAutoScalingConfiguration": lambda world, body: st.just(_sizes_in_order(body)),
    "DeleteAutoScalingConfiguration": lambda world, body: mostly(
        world, st.just(_all_revisions(body)), st.just(body)
    ),
    "DisassociateCustomDomain": _linked_domain,
    "CreateVpcIngressConnection": _both_ids,
    "UpdateVpcIngressConnection": _same_vpc,
}


def _page_token(world: World, operation: str, body: dict[str, Any]) -> str | None:
    """A NextToken the simulator gave for a first page of one item, if it gave one."""
    first = {k: v for k, v in body.items() if k != "NextToken"}
    answer = world.client.call(operation, {**first, "MaxResults": 1})
    return answer.doc.get("NextToken") if answer.status == 200 else None


def _tokens(operation: str) -> Fix:
    """A random NextToken is refused: mostly none, or one the simulator gave."""

    @st.composite
    def fix(draw: DrawFn, world: World, body: dict[str, Any]) -> dict[str, Any]:
        if "NextToken" not in body:
            return body
        way = draw(st.integers(0, 2 if world.strict else 3))
        if way < 2:
            return {k: v for k, v in body.items() if k != "NextToken"}
        token = _page_token(world, operation, body) if way == 2 else None
        return body if token is None else {**body, "NextToken": token}

    return fix


def operation_cases(operation: Any, world: World, kind: str) -> SearchStrategy[Case]:
    """Bodies for `operation`, valid or broken in one spot (by `kind`)."""
    shape = operation.input_shape
    fill_pools(shape)
    bodies = operation_values(operation, world).structure(shape)
    paged = "NextToken" in shape.members  # type: ignore[attr-defined]
    fix = FIXES.get(operation.name) or (_tokens(operation.name) if paged else None)

    @st.composite
    def cases(draw: DrawFn) -> Case:
        body = draw(bodies)
        if fix is not None:
            body = draw(fix(world, body))
        return draw(broken(body, shape, kind))

    return cases()


def create_service_cases(operation: Any, world: World, kind: str) -> SearchStrategy[Case]:
    """CreateService's bodies, with App Runner's rules for sources, sizes and networks."""
    fill_pools(CREATE.input_shape)
    bodies = body_values(world).structure(CREATE.input_shape)

    return bodies.flatmap(lambda body: broken(body, CREATE.input_shape, kind))


def update_service_cases(operation: Any, world: World, broken_kind: str) -> SearchStrategy[Case]:
    """UpdateService's bodies: a running service's own source kind, mostly."""
    shape = UPDATE.input_shape
    fill_pools(shape)
    by_kind = {kind: body_values(world, kind).structure(shape) for kind in SOURCE_KINDS}
    ghost = st.from_regex(r"[0-9a-f]{32}", fullmatch=True).map(
        lambda sid: f"arn:aws:apprunner:{REGION}:123456789012:service/ghost/{sid}"
    )
    unknown = st.one_of(ghost, valid_strings(_shape(shape, "ServiceArn")))

    @st.composite
    def cases(draw: DrawFn) -> Case:
        pick = draw(st.integers(0, 9))
        if pick < 7:
            arn, kind = draw(st.sampled_from(world.running))
        elif pick == 7:  # paused or deleted: InvalidStateException
            arn, kind = draw(st.sampled_from(world.stopped))
        else:  # unknown: ResourceNotFoundException, or InvalidRequestException if malformed
            arn, kind = draw(unknown), draw(st.sampled_from(SOURCE_KINDS))
        if draw(st.integers(0, 9)) == 0:  # switching source kind: InvalidRequestException
            kind = SOURCE_KINDS[1 - SOURCE_KINDS.index(kind)]
        body = {**draw(by_kind[kind]), "ServiceArn": arn}
        return draw(broken(body, shape, broken_kind))

    return cases()


# Operations whose bodies need more than the model and `operation_values` give them.
CASES: dict[str, Callable[[Any, World, str], SearchStrategy[Case]]] = {
    "CreateService": create_service_cases,
    "UpdateService": update_service_cases,
}
# Examples per operation: CreateService and UpdateService have the most to explore (their
# inputs are most of the model); the others' inputs are a few members each.
EXAMPLES = {"CreateService": 250, "UpdateService": 250}
OTHER_EXAMPLES = 40


# -- after an example ------------------------------------------------------------------


def _undo_create(world: World, operation: str, doc: dict[str, Any]) -> None:
    """Delete what a CreateX made (by the model's DeleteX), so that a name Hypothesis draws
    again (it does, while shrinking above all) is not refused as a duplicate, and no quota
    fills up."""
    delete = MODEL.operation_model("Delete" + operation.removeprefix("Create"))
    (member,) = delete.input_shape.metadata["required"]
    (made,) = (v for v in doc.values() if isinstance(v, dict))
    world.client.advance(100_000)  # until what was made is ready: deleting it then is allowed
    world.client.ok(delete.name, {member: made[member]})


def _undo_associate(world: World, operation: str, doc: dict[str, Any]) -> None:
    """Unlink the domain again: a service holds five at most."""
    world.client.advance(1_000)
    body = {"ServiceArn": doc["ServiceArn"], "DomainName": doc["CustomDomain"]["DomainName"]}
    world.client.ok("DisassociateCustomDomain", body)


def after_success(world: World, operation: str, doc: dict[str, Any]) -> None:
    """Put the simulator back as the next example expects it: what a 200 made is undone,
    what it used up (deleted, paused, resumed, unlinked) is made again."""
    if operation.startswith(("Describe", "List")):
        return
    if operation.startswith("Create"):
        _undo_create(world, operation, doc)
    elif operation == "AssociateCustomDomain":
        _undo_associate(world, operation, doc)
    top_up(world)


# -- the property ----------------------------------------------------------------------


def run_kind(world: World, operation: Any, kind: str, examples: int) -> Counter[str]:
    """Send `examples` bodies of one kind; how many answers had each outcome."""
    seen: Counter[str] = Counter()
    make_cases = CASES.get(operation.name, operation_cases)

    @settings(PROPERTY_SETTINGS, max_examples=examples)
    @given(case=make_cases(operation, world, kind))
    def run(case: Case) -> None:
        # Past any operation an earlier example started: otherwise many are InvalidState.
        world.client.advance(1_000)
        answer = world.client.call(operation.name, case.body)
        outcome = check_answer(operation, case, answer)
        seen[outcome] += 1
        if outcome == "200":
            after_success(world, operation.name, answer.doc)

    run()
    return seen


@pytest.mark.parametrize("operation_name", MODEL.operation_names)
def test_operation_answers_by_the_model(world: World, operation_name: str) -> None:
    """Every body of every run answered as the model says; enough strict valid ones taken."""
    operation = MODEL.operation_model(operation_name)
    examples = EXAMPLES.get(operation_name, OTHER_EXAMPLES)
    for kind, strict, share in RUNS:
        world.strict = strict
        seen = run_kind(world, operation, kind, round(examples * share))
        _check_run(kind, strict, seen)
