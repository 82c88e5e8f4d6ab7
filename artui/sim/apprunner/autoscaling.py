"""Auto scaling configurations: the one DefaultConfiguration each region's services share.

App Runner gives every account one `DefaultConfiguration` per region, revision 1, with the
guide's recommended values; a service created without an AutoScalingConfigurationArn uses
it. The simulator offers no CreateAutoScalingConfiguration, so it is the only one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from artui.sim.apprunner.ids import ACCOUNT_ID

DEFAULT_NAME = "DefaultConfiguration"
# The id the Developer Guide's own examples show for the default configuration.
DEFAULT_ID = "00000000000000000000000000000001"


@dataclass
class AutoScalingConfiguration:
    """One revision of an auto scaling configuration."""

    region: str
    created_at: float
    name: str = DEFAULT_NAME
    revision: int = 1
    id: str = DEFAULT_ID
    max_concurrency: int = 100
    min_size: int = 1
    max_size: int = 25
    is_default: bool = True

    @property
    def arn(self) -> str:
        return (
            f"arn:aws:apprunner:{self.region}:{ACCOUNT_ID}:autoscalingconfiguration/"
            f"{self.name}/{self.revision}/{self.id}"
        )

    def summary(self, in_use: bool) -> dict[str, Any]:
        """The AutoScalingConfigurationSummary document."""
        return {
            "AutoScalingConfigurationArn": self.arn,
            "AutoScalingConfigurationName": self.name,
            "AutoScalingConfigurationRevision": self.revision,
            "Status": "ACTIVE",
            "CreatedAt": self.created_at,
            "HasAssociatedService": in_use,
            "IsDefault": self.is_default,
        }

    def describe(self, in_use: bool) -> dict[str, Any]:
        """The AutoScalingConfiguration document."""
        return {
            **self.summary(in_use),
            "Latest": True,
            "MaxConcurrency": self.max_concurrency,
            "MinSize": self.min_size,
            "MaxSize": self.max_size,
        }
