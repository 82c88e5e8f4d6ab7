"""botocore's own model of ECS CreateExpressGatewayService: a migration plan's request is
checked against it before it is written, so a file artui writes is one ECS accepts (as far
as the SDK's own check goes)."""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore.model import OperationModel, Shape
from botocore.validate import ParamValidator, ValidationErrors

OPERATION = "CreateExpressGatewayService"


@cache
def operation_model() -> OperationModel:
    """The installed botocore's model of ECS CreateExpressGatewayService (loaded once)."""
    return botocore.session.get_session().get_service_model("ecs").operation_model(OPERATION)


def input_shape() -> Shape:
    """CreateExpressGatewayService's input shape."""
    shape = operation_model().input_shape
    assert shape is not None  # the operation takes parameters
    return shape


class _Named(ValidationErrors):
    """botocore's error collector, keeping where and what but never the value refused: a
    request may hold variables' values, and these lines are printed."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def report(self, name: str, reason: str, **kwargs: Any) -> None:
        super().report(name, reason, **kwargs)
        where = name.lstrip(".") or "request"
        # The member named is the request's own key, never a value.
        member = kwargs.get("required_name") or kwargs.get("unknown_param")
        if member:
            where = f"{name.lstrip('.')}.{member}" if name else str(member)
        self.lines.append(f"{where}: {reason}")


def invalid(request: dict[str, Any]) -> list[str]:
    """What the stock ParamValidator finds wrong with `request`, one line a problem naming
    the parameter and the rule, never the value (empty: valid)."""
    errors = _Named()
    # validate() is this call on a fresh ValidationErrors; the subclass keeps values out.
    ParamValidator()._validate(request, input_shape(), errors, "")
    return errors.lines
