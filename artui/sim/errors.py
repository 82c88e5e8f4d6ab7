"""The error App Runner handlers raise; the server turns it into AWS's JSON error body."""

from __future__ import annotations


class ApiError(Exception):
    """An AWS-shaped error: `__type` code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def body(self) -> dict[str, str]:
        """The JSON 1.0 error document botocore parses."""
        return {"__type": self.code, "Message": self.message}


def invalid_request(message: str) -> ApiError:
    """InvalidRequestException: the caller sent something App Runner rejects."""
    return ApiError("InvalidRequestException", message)


def invalid_state(message: str) -> ApiError:
    """InvalidStateException: the service's status forbids the action."""
    return ApiError("InvalidStateException", message)


def not_found(message: str) -> ApiError:
    """ResourceNotFoundException."""
    return ApiError("ResourceNotFoundException", message)
