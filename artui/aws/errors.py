"""Map botocore's many exceptions onto artui's few."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from botocore import exceptions as bx

from artui.domain.errors import (
    NO_CREDENTIALS_HELP,
    NO_REGION_HELP,
    AuthError,
    AwsError,
    ConfigError,
    InvalidStateError,
    NetworkError,
    NotFoundError,
    ThrottledError,
)

_AUTH_CODES = {
    "AccessDeniedException",
    "AccessDenied",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredTokenException",
    "ExpiredToken",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
}
_THROTTLE_CODES = {
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
}
_CODE_ERRORS: dict[str, type[AwsError]] = {
    "InvalidStateException": InvalidStateError,
    "ResourceNotFoundException": NotFoundError,
    **{code: AuthError for code in _AUTH_CODES},
    **{code: ThrottledError for code in _THROTTLE_CODES},
}
# botocore's ConnectionError and HTTPClientError cover endpoint, proxy, SSL and timeout errors.
_NETWORK = (bx.ConnectionError, bx.HTTPClientError, asyncio.TimeoutError)


def _network_errors() -> tuple[type[BaseException], ...]:
    # aiohttp's errors only exist once aiobotocore has loaded it; the prefetch child uses
    # plain botocore and must not pay for importing aiohttp.
    aiohttp = sys.modules.get("aiohttp")
    return _NETWORK + (aiohttp.ClientError,) if aiohttp is not None else _NETWORK


_CREDENTIALS = (
    bx.NoCredentialsError,
    bx.PartialCredentialsError,
    bx.CredentialRetrievalError,
)
_SSO = (bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError, bx.TokenRetrievalError)


def translate(exc: BaseException) -> AwsError | ConfigError | None:
    """The artui error for a botocore/aiohttp exception, or None if it is not one."""
    if isinstance(exc, bx.ClientError):
        err = exc.response.get("Error", {})
        code = err.get("Code") or "Error"
        message = err.get("Message") or str(exc)
        cls = _CODE_ERRORS.get(code, AwsError)
        return cls(f"{code}: {message}", code=code)
    if isinstance(exc, _CREDENTIALS):
        return AuthError(NO_CREDENTIALS_HELP)
    if isinstance(exc, _SSO):
        return AuthError(f"SSO session expired or missing: run `aws sso login` ({exc})")
    if isinstance(exc, bx.NoRegionError):
        return ConfigError(NO_REGION_HELP)
    if isinstance(exc, _network_errors()):
        return NetworkError(f"cannot reach AWS: {exc}")
    if isinstance(exc, bx.BotoCoreError):
        return AwsError(str(exc))
    return None


@contextmanager
def aws_errors() -> Iterator[None]:
    """Re-raise botocore's exceptions inside the block as artui's."""
    try:
        yield
    except Exception as exc:
        mapped = translate(exc)
        if mapped is None:
            raise
        raise mapped from exc
