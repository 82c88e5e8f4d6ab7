"""Credentials resolved once per launch, through botocore's own chain.

`resolve` runs the chain (a credential_process, SSO, assume-role with an MFA code asked
through the UI's `ask`) and returns plain values. The startup prefetch resolves them in
its child and hands them to the app through a pipe, never through disk or the environment;
`install` puts them at the front of the app's chain, so the app does not resolve again
until they expire. Without handed-over credentials the app resolves on first use, in a
thread (a prompt must not block the event loop).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from artui.domain.errors import NO_CREDENTIALS_HELP, AuthError, ConfigError
from artui.engine.ports import Ask
from artui.engine.threads import in_daemon_thread


@dataclass(frozen=True)
class Resolved:
    """What botocore's chain produced, as plain values (picklable, nothing secret logged)."""

    access_key: str
    secret_key: str
    token: str | None
    account_id: str | None
    expiry: float | None  # epoch seconds; None for credentials that do not expire
    method: str

    def __repr__(self) -> str:  # keep secrets out of tracebacks and logs
        return f"Resolved(method={self.method!r}, expiry={self.expiry!r})"

    def metadata(self) -> dict[str, Any]:
        """The form botocore's RefreshableCredentials takes."""
        assert self.expiry is not None
        expiry = datetime.fromtimestamp(self.expiry, timezone.utc)
        return {
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "token": self.token,
            "account_id": self.account_id,
            "expiry_time": expiry.isoformat(),
        }


def blocking_session(profile: str | None, ask: Ask | None = None, region: str | None = None) -> Any:
    """A plain botocore session for `profile` whose MFA prompts go through `ask`.

    `region` (the first one artui shows) serves STS for assume-role when the profile names
    none: botocore's regional STS endpoints need one.
    """
    import botocore.session
    from botocore.exceptions import ProfileNotFound

    session = botocore.session.Session(profile=profile)
    try:
        session.get_scoped_config()
        resolver = session.get_component("credential_provider")
    except ProfileNotFound as exc:
        raise missing_profile(profile) from exc
    if region and not session.get_config_variable("region"):
        session.set_config_variable("region", region)
    _ask_mfa_through(resolver, ask)
    return session


def missing_profile(profile: str | None) -> ConfigError:
    """The error for a profile name botocore does not know."""
    return ConfigError(
        f"AWS profile {profile!r} not found in ~/.aws/config; check `aws configure list-profiles`"
    )


def resolved_from(session: Any) -> Resolved:
    """Run `session`'s credential chain (once: the session keeps what it found)."""
    from artui.aws.errors import aws_errors

    with aws_errors():
        credentials = session.get_credentials()
        if credentials is None:
            raise AuthError(NO_CREDENTIALS_HELP)
        frozen = credentials.get_frozen_credentials()
    expiry = getattr(credentials, "_expiry_time", None)
    return Resolved(
        access_key=frozen.access_key,
        secret_key=frozen.secret_key,
        token=frozen.token,
        account_id=getattr(frozen, "account_id", None),
        expiry=expiry.timestamp() if isinstance(expiry, datetime) else None,
        method=getattr(credentials, "method", None) or "unknown",
    )


def resolve(profile: str | None, ask: Ask | None = None, region: str | None = None) -> Resolved:
    """Run botocore's credential chain once (blocking); an MFA code is asked through `ask`."""
    try:
        return resolved_from(blocking_session(profile, ask, region))
    except AuthError as exc:
        # With several profiles on screen, the login to run must name the one that expired.
        message = str(exc)
        if profile and "`aws sso login`" in message:
            fixed = message.replace("`aws sso login`", f"`aws sso login --profile {profile}`")
            raise AuthError(fixed) from exc
        raise


def _ask_mfa_through(resolver: Any, ask: Ask | None) -> None:
    from botocore.exceptions import UnknownCredentialError

    def prompter(prompt: str) -> str:
        answer = ask(prompt) if ask is not None else None
        if not answer:
            raise AuthError("An MFA code is needed for this profile and none was given.")
        return answer

    try:
        # botocore offers no public way to pass the prompter; getpass would read a
        # terminal that Textual (or nobody, in the prefetch child) holds.
        resolver.get_provider("assume-role")._prompter = prompter
    except UnknownCredentialError:
        pass


def install(
    session: Any,
    profile: str | None,
    first: Resolved | None,
    ask: Ask | None,
    region: str | None = None,
) -> None:
    """Put artui's resolution at the front of an AioSession's chain.

    `first` (handed over by the prefetch) is used as is; otherwise, and whenever
    credentials expire, the chain is run again in a thread through `resolve`.
    """
    from aiobotocore.credentials import AioCredentials, AioRefreshableCredentials
    from botocore.credentials import CredentialProvider

    async def fresh() -> Resolved:
        return await in_daemon_thread(resolve, profile, ask, region)

    async def refresh() -> dict[str, Any]:
        resolved = await fresh()
        if resolved.expiry is None:
            raise AuthError("Refreshed credentials came back without an expiry.")
        return resolved.metadata()

    class ResolvedOnce(CredentialProvider):
        METHOD = "artui"

        def __init__(self) -> None:
            self._first = first

        async def load(self) -> Any:
            resolved, self._first = self._first or await fresh(), None
            if resolved.expiry is None:
                return AioCredentials(
                    resolved.access_key,
                    resolved.secret_key,
                    resolved.token,
                    method=resolved.method,
                    account_id=resolved.account_id,
                )
            return AioRefreshableCredentials.create_from_metadata(
                resolved.metadata(), refresh, resolved.method
            )

    session.get_component("credential_provider").providers.insert(0, ResolvedOnce())
