"""App Runner calls, turned into artui's domain objects."""

from __future__ import annotations

from typing import Any

from artui.aws.clients import Clients
from artui.aws.errors import aws_errors
from artui.domain import HealthCheck, Service, ServiceDetail, ServiceStatus

# ListServices accepts at most 20 per page, and botocore has no paginator for App Runner.
PAGE_SIZE = 20


def _service(region: str, item: dict[str, Any]) -> Service:
    raw = item.get("Status") or ""
    return Service(
        name=item.get("ServiceName", "?"),
        id=item.get("ServiceId", ""),
        arn=item.get("ServiceArn", ""),
        region=region,
        status=ServiceStatus.parse(raw),
        raw_status=raw,
        url=item.get("ServiceUrl"),
        created_at=item.get("CreatedAt"),
        updated_at=item.get("UpdatedAt"),
    )


def _source(cfg: dict[str, Any]) -> tuple[str, str]:
    if image := cfg.get("ImageRepository"):
        return "image", image.get("ImageIdentifier", "?")
    if code := cfg.get("CodeRepository"):
        version = code.get("SourceCodeVersion", {})
        url = code.get("RepositoryUrl", "?")
        kind = version.get("Type", "BRANCH").lower()
        return "code", f"{url} ({kind} {version.get('Value', '?')})"
    return "unknown", "—"


class AppRunner:
    """App Runner, region by region, through the shared clients."""

    def __init__(self, clients: Clients) -> None:
        self._clients = clients

    async def list_services(self, region: str) -> list[Service]:
        """Every service in `region`, following NextToken to the end."""
        services: list[Service] = []
        kwargs: dict[str, Any] = {"MaxResults": PAGE_SIZE}
        with aws_errors():
            client = await self._clients.get("apprunner", region)
            while True:
                page = await client.list_services(**kwargs)
                services.extend(_service(region, s) for s in page.get("ServiceSummaryList", []))
                token = page.get("NextToken")
                if not token:
                    return services
                kwargs["NextToken"] = token

    async def describe_service(self, region: str, arn: str) -> ServiceDetail:
        """DescribeService, flattened for the overview."""
        with aws_errors():
            client = await self._clients.get("apprunner", region)
            item = (await client.describe_service(ServiceArn=arn))["Service"]
        kind, source = _source(item.get("SourceConfiguration", {}))
        instance = item.get("InstanceConfiguration", {})
        hc = item.get("HealthCheckConfiguration", {})
        scaling = item.get("AutoScalingConfigurationSummary", {})
        scaling_label = None
        if scaling:
            scaling_label = (
                f"{scaling.get('AutoScalingConfigurationName', '?')} "
                f"rev {scaling.get('AutoScalingConfigurationRevision', '?')}"
            )
        return ServiceDetail(
            service=_service(region, item),
            source=source,
            source_kind=kind,
            cpu=instance.get("Cpu"),
            memory=instance.get("Memory"),
            instance_role=instance.get("InstanceRoleArn"),
            health_check=HealthCheck(
                protocol=hc.get("Protocol"),
                path=hc.get("Path"),
                interval=hc.get("Interval"),
                timeout=hc.get("Timeout"),
                healthy_threshold=hc.get("HealthyThreshold"),
                unhealthy_threshold=hc.get("UnhealthyThreshold"),
            ),
            auto_scaling=scaling_label,
        )
