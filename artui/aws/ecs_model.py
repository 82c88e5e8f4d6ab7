"""botocore's own model of ECS CreateExpressGatewayService: a migration plan's request is
checked against it before it is written, so a file artui writes is one ECS accepts (as far
as the SDK's own check goes)."""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore.model import OperationModel, Shape
from botocore.validate import ParamValidator

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


def invalid(request: dict[str, Any]) -> list[str]:
    """The stock ParamValidator's report on `request`, one line a problem (empty: valid).

    A line quotes the value it refuses: with variables' values in the request, so may it."""
    report = ParamValidator().validate(request, input_shape())
    if not report.has_errors():
        return []
    return [line for line in report.generate_report().splitlines() if line.strip()]
