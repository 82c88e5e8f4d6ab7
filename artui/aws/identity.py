"""Who a profile acts as: STS GetCallerIdentity, and IAM's account alias when allowed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from artui.aws.errors import aws_errors
from artui.domain.apprunner import Identity

if TYPE_CHECKING:
    from artui.aws.clients import Clients


class Accounts:
    """The account behind one profile's credentials."""

    def __init__(self, clients: Clients, region: str) -> None:
        self._clients = clients
        # STS is regional: the first region shown serves it, as it serves assume-role.
        self._region = region

    async def identity(self) -> Identity:
        """GetCallerIdentity, then ListAccountAliases (its refusal only leaves out the alias)."""
        with aws_errors():
            sts = await self._clients.get("sts", self._region)
            who = await sts.get_caller_identity()
        alias = None
        try:
            with aws_errors():
                iam = await self._clients.get("iam", self._region)
                aliases = (await iam.list_account_aliases()).get("AccountAliases") or []
            alias = aliases[0] if aliases else None
        except Exception:  # many roles may not list aliases: the id says enough
            alias = None
        return Identity(account=who.get("Account", ""), arn=who.get("Arn", ""), alias=alias)
