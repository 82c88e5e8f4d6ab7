"""App Runner's limits the simulator enforces: the service quota and the instance sizes.

Kept free of heavy imports: `artui sim --help` reads the quota from here.
"""

from __future__ import annotations

# The Developer Guide's "App Runner resource quotas": services per account and region.
DEFAULT_QUOTA = 30
# How far `artui sim --quota` goes; AWS raises the quota on request, not without bound.
MAX_QUOTA = 10_000

# The CPU and memory combinations App Runner supports (InstanceConfiguration in the API
# reference), in CPU units and MB: the form DescribeService answers with.
INSTANCE_SIZES: dict[str, tuple[str, ...]] = {
    "256": ("512", "1024"),
    "512": ("1024",),
    "1024": ("2048", "3072", "4096"),
    "2048": ("4096", "6144"),
    "4096": ("8192", "10240", "12288"),
}
DEFAULT_CPU = "1024"
DEFAULT_MEMORY = "2048"

# The guide's "App Runner resource quotas", per account and region: names of auto scaling
# (and of observability) configurations, revisions of each name, VPC connectors.
CONFIG_NAMES = 10
CONFIG_REVISIONS = 10
VPC_CONNECTORS = 10
# The guide's "App Runner resource quotas", per account and region: connections to source
# code providers, VPC ingress connections.
CONNECTIONS = 10
VPC_INGRESS_CONNECTIONS = 10
# Deleted services still answer DescribeService (AWS describes one "for a while" and gives no
# figure); the simulator keeps the most recently deleted 100 per account and region, so a
# simulator that runs for days under churn keeps a flat memory (bench/sim_load.py).
DELETED_KEPT = 100
