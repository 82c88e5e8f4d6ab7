"""The few errors the rest of artui needs to tell apart; `artui.aws` maps botocore's onto them."""

from __future__ import annotations


class ArtuiError(Exception):
    """An error with a message an operator can act on."""

    kind = "error"


class ConfigError(ArtuiError):
    kind = "config"


class AwsError(ArtuiError):
    """AWS answered with an error, or could not be reached."""

    kind = "aws"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class AuthError(AwsError):
    kind = "auth"


class ThrottledError(AwsError):
    kind = "throttled"


class InvalidStateError(AwsError):
    kind = "invalid state"


class NotFoundError(AwsError):
    kind = "not found"


class NetworkError(AwsError):
    kind = "network"


# botocore reads AWS_DEFAULT_REGION (not AWS_REGION) and the profile's `region`.
NO_REGION_HELP = (
    "No AWS region: pass --region, set AWS_DEFAULT_REGION, or set one with `aws configure`"
)

NO_CREDENTIALS_HELP = (
    "No AWS credentials found. Run `aws configure` (access keys) or `aws sso login "
    "--profile NAME` and pass --profile NAME, or try artui on its simulator with `artui --demo`."
)
