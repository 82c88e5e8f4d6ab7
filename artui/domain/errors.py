"""The few errors the rest of artui needs to tell apart; `artui.aws` maps botocore's onto them."""

from __future__ import annotations

import logging


class ArtuiError(Exception):
    """An error with a message an operator can act on."""

    kind = "error"


def describe(exc: BaseException) -> str:
    """What to show for `exc`: an artui error's own words, anything else with its type."""
    return str(exc) if isinstance(exc, ArtuiError) else f"{type(exc).__name__}: {exc}"


def as_artui_error(exc: Exception, doing: str) -> ArtuiError:
    """`exc` as an error the screens can show; one artui does not know (an unmapped library
    error, a bug) is wrapped, and its traceback goes to the log file."""
    if isinstance(exc, ArtuiError):
        return exc
    # artui.logfile's logger, by name: the domain needs only the standard library.
    logging.getLogger("artui").error("%s failed", doing, exc_info=exc)
    return ArtuiError(describe(exc))


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


class ReadOnlyError(ArtuiError):
    """A change was asked for while artui runs read-only."""

    kind = "read-only"


class LiveTailUnavailable(AwsError):
    """Live Tail refused, limited or closed early: the tail polls FilterLogEvents instead."""

    kind = "live tail"
