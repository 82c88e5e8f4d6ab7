"""Requests checked against botocore's App Runner model, as App Runner checks them.

botocore's own ParamValidator checks types, required members and minimums; the subclass
here adds what the service checks as well (maximums, patterns, enums) and reads JSON as it
arrives on the wire (a boolean is not an integer; a timestamp is epoch seconds). Since the
rules come from the installed model, a newer botocore teaches the simulator its rules.

Two kinds of problem, answered as App Runner answers them: a body whose JSON does not fit
the shape (wrong types, unknown members) is a SerializationException; a well-formed value
that breaks a constraint is an InvalidRequestException, worded like AWS's
"1 validation error detected: Value ... at 'instanceConfiguration.cpu' failed to satisfy
constraint: ...".
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, NamedTuple

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.validate import ParamValidator, ValidationErrors

from artui.sim.errors import ApiError, invalid_request
from artui.sim.wire import is_number, json_type

# Problems about the shape of the JSON itself; everything else is a broken constraint.
_SHAPE_REASONS = frozenset({"invalid type", "unknown field", "invalid type for document"})
# How much of an offending value a message quotes: a 1 MiB value is not echoed back.
_QUOTED = 64


class Problem(NamedTuple):
    """One way a document breaks its shape: where, what, and whether it is a type problem."""

    path: str
    message: str
    shape_error: bool


@cache
def model() -> ServiceModel:
    """botocore's App Runner service model (loaded once)."""
    return botocore.session.get_session().get_service_model("apprunner")


def operation_model(operation: str) -> OperationModel:
    """The model of one App Runner operation."""
    return model().operation_model(operation)


def problems(value: Any, shape: Shape) -> list[Problem]:
    """Every way `value`, as decoded from JSON, breaks `shape` (input or output)."""
    report = _Report()
    _WireValidator()._validate(value, shape, report, "")
    return report.problems


def check(operation: str, params: Any) -> dict[str, Any]:
    """`params` with JSON nulls dropped, if they fit the operation's input shape.

    Raises SerializationException or InvalidRequestException as App Runner would.
    """
    if not isinstance(params, dict):
        raise ApiError("SerializationException", "The request body must be a JSON object.")
    try:
        params = _without_nulls(params)
        found = problems(params, operation_model(operation).input_shape)
    except RecursionError:  # nesting deeper than any App Runner shape goes
        raise ApiError("SerializationException", "The request body is nested too deeply.") from None
    shape_errors = [p for p in found if p.shape_error]
    if shape_errors:
        raise ApiError("SerializationException", shape_errors[0].message)
    if found:
        count = f"{len(found)} validation error{'s' if len(found) > 1 else ''} detected"
        raise invalid_request(f"{count}: " + "; ".join(p.message for p in found))
    return params


def _without_nulls(value: Any) -> Any:
    # App Runner reads an explicit null member as an absent one.
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _path(name: str) -> str:
    """botocore's `.InstanceConfiguration.Cpu` as AWS writes it: `instanceConfiguration.cpu`."""
    parts = name.lstrip(".").split(".")
    return ".".join(p[:1].lower() + p[1:] for p in parts if p) or "input"


def _quote(value: Any) -> str:
    if value is None:
        return "null"
    text = str(value)
    return repr(text if len(text) <= _QUOTED else text[:_QUOTED] + "...")


class _Report(ValidationErrors):
    """botocore's error collector, worded as App Runner words its answers."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[Problem] = []

    def report(self, name: str, reason: str, **kwargs: Any) -> None:
        super().report(name, reason, **kwargs)
        at = _path(name)
        if reason == "missing required field":
            at = _path(f"{name}.{kwargs['required_name']}")
            text = f"Value null at '{at}' failed to satisfy constraint: Member must not be null"
        elif reason == "unknown field":
            text = f"Unknown member '{str(kwargs['unknown_param'])[:_QUOTED]}' in '{at}'."
        elif reason in _SHAPE_REASONS:
            text = f"'{at}' cannot be {json_type(kwargs.get('param'))}."
        else:
            text = (
                f"Value {_quote(kwargs.get('param'))} at '{at}' failed to satisfy constraint: "
                f"Member must {kwargs['rule']}"
            )
        self.problems.append(Problem(at, text, reason in _SHAPE_REASONS))


def _too_small(name: str, size: float, shape: Shape, what: str, value: Any, errors: Any) -> None:
    low = shape.metadata.get("min")
    if low is not None and size < low:
        errors.report(
            name, f"invalid {what}", param=value, rule=f"have {what} greater than or equal to {low}"
        )


@cache
def _pattern(text: str) -> re.Pattern[str] | None:
    try:
        return re.compile(text)
    except re.error:  # a Java-only construct: App Runner checks it, the simulator cannot
        return None


class _WireValidator(ParamValidator):
    """ParamValidator for JSON as it arrives, checking every constraint the model states."""

    def _validate_string(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        if not isinstance(param, str):
            errors.report(name, "invalid type", param=param)
            return
        meta = shape.metadata
        _too_small(name, len(param), shape, "length", param, errors)
        if "max" in meta and len(param) > meta["max"]:
            errors.report(
                name,
                "invalid length",
                param=param,
                rule=f"have length less than or equal to {meta['max']}",
            )
            return  # an overlong value is not worth matching a pattern against
        enum = meta.get("enum")
        if enum and param not in enum:
            rule = f"satisfy enum value set: [{', '.join(enum)}]"
            errors.report(name, "invalid enum", param=param, rule=rule)
        pattern = _pattern(meta["pattern"]) if "pattern" in meta else None
        if pattern is not None and not pattern.fullmatch(param):
            rule = f"satisfy regular expression pattern: {meta['pattern']}"
            errors.report(name, "invalid pattern", param=param, rule=rule)

    def _validate_integer(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        self._check_number(param, shape, errors, name, (int,))

    _validate_long = _validate_integer

    def _validate_double(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        self._check_number(param, shape, errors, name, (int, float))

    _validate_float = _validate_double

    def _validate_timestamp(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        # JSON 1.0 carries timestamps as epoch seconds.
        if not is_number(param):
            errors.report(name, "invalid type", param=param)

    def _validate_list(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        if not isinstance(param, list):
            errors.report(name, "invalid type", param=param)
            return
        _too_small(name, len(param), shape, "length", param, errors)
        high = shape.metadata.get("max")
        if high is not None and len(param) > high:
            errors.report(
                name,
                "invalid length",
                param=param,
                rule=f"have length less than or equal to {high}",
            )
        for i, item in enumerate(param):
            self._validate(item, shape.member, errors, f"{name}[{i}]")  # type: ignore[attr-defined]

    def _check_number(
        self, param: Any, shape: Shape, errors: Any, name: str, kinds: tuple[type, ...]
    ) -> None:
        if not is_number(param, kinds):
            errors.report(name, "invalid type", param=param)
        else:
            self._check_range(param, shape, errors, name)

    def _check_range(self, param: float, shape: Shape, errors: Any, name: str) -> None:
        _too_small(name, param, shape, "value", param, errors)
        high = shape.metadata.get("max")
        if high is not None and param > high:
            errors.report(
                name, "invalid range", param=param, rule=f"have value less than or equal to {high}"
            )
