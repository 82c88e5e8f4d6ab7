"""App Runner calls, turned into artui's domain objects."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from artui.aws.errors import aws_errors
from artui.domain import HealthCheck, Service, ServiceDetail, ServiceStatus

if TYPE_CHECKING:  # the prefetch child lists through plain botocore, without aiobotocore
    from artui.aws.clients import Clients

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


def _service_pages(region: str) -> Generator[dict[str, Any], dict[str, Any], list[Service]]:
    """ListServices paging, apart from how pages are fetched (async here, blocking in the
    prefetch child): yields each request, is sent each page, returns the services."""
    services: list[Service] = []
    request: dict[str, Any] = {"MaxResults": PAGE_SIZE}
    while True:
        page = yield request
        services.extend(_service(region, s) for s in page.get("ServiceSummaryList", []))
        token = page.get("NextToken")
        if not token:
            return services
        request = {**request, "NextToken": token}


def list_services_blocking(client: Any, region: str) -> list[Service]:
    """Every service in `region` through a plain botocore client (the prefetch child)."""
    with aws_errors():
        pages = _service_pages(region)
        request = next(pages)
        while True:
            try:
                request = pages.send(client.list_services(**request))
            except StopIteration as done:
                return done.value


class AppRunner:
    """App Runner, region by region, through the shared clients."""

    def __init__(self, clients: Clients) -> None:
        self._clients = clients

    async def list_services(self, region: str) -> list[Service]:
        """Every service in `region`, following NextToken to the end."""
        with aws_errors():
            client = await self._clients.get("apprunner", region)
            pages = _service_pages(region)
            request = next(pages)
            while True:
                try:
                    request = pages.send(await client.list_services(**request))
                except StopIteration as done:
                    return done.value

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
