"""App Runner calls, turned into artui's domain objects."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from botocore import xform_name

from artui.aws import configuration
from artui.aws.configuration import Linked
from artui.aws.errors import aws_errors
from artui.domain.apprunner import (
    Operation,
    OperationsPage,
    OperationStatus,
    OperationType,
    Service,
    ServiceDetail,
    ServiceStatus,
)
from artui.domain.changes import (
    Applied,
    Change,
    LinkDomain,
    Rebuild,
    Reconfigure,
    Scale,
    UnlinkDomain,
)
from artui.domain.configuration import Configuration, ecr_repository
from artui.domain.custom_domains import (
    CustomDomain,
    CustomDomains,
    DnsRecord,
    DomainStatus,
    RecordStatus,
)
from artui.domain.errors import ArtuiError
from artui.domain.export import ServiceRecord, read_whole

if TYPE_CHECKING:  # the prefetch child lists through plain botocore, without aiobotocore
    from artui.aws.clients import Clients

# ListServices and ListOperations accept at most 20 per page, and botocore has no paginator
# for App Runner.
PAGE_SIZE = 20
# DescribeCustomDomains takes at most 5 a page (a service holds at most 5).
DOMAINS_PAGE_SIZE = 5
# How many services of a region `records` reads at once (each is three to five calls at
# once): App Runner throttles bursts, which the clients' standard retries absorb.
READS_AT_ONCE = 8
# What a rebuild sends back: the configuration a failed creation was asked to run.
_REBUILT = ("SourceConfiguration", "InstanceConfiguration", "HealthCheckConfiguration")


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


def _operation(item: dict[str, Any]) -> Operation:
    raw_type = item.get("Type") or ""
    raw_status = item.get("Status") or ""
    return Operation(
        id=item.get("Id", ""),
        type=OperationType.parse(raw_type),
        status=OperationStatus.parse(raw_status),
        target_arn=item.get("TargetArn"),
        started_at=item.get("StartedAt"),
        ended_at=item.get("EndedAt"),
        updated_at=item.get("UpdatedAt"),
        raw_type=raw_type,
        raw_status=raw_status,
    )


def _record(item: dict[str, Any]) -> DnsRecord:
    raw = item.get("Status") or ""
    return DnsRecord(
        name=item.get("Name") or "",
        type=item.get("Type") or "",
        value=item.get("Value") or "",
        status=RecordStatus.parse(raw),
        raw_status=raw,
    )


def _custom_domain(item: dict[str, Any]) -> CustomDomain:
    raw = item.get("Status") or ""
    return CustomDomain(
        name=item.get("DomainName") or "?",
        www=bool(item.get("EnableWWWSubdomain")),
        status=DomainStatus.parse(raw),
        raw_status=raw,
        # A null in the list (odd data) is skipped, not a crash that hides every domain.
        validation=tuple(
            _record(r)
            for r in item.get("CertificateValidationRecords") or ()
            if isinstance(r, dict)
        ),
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
            health_check=configuration.health_check(hc),
            auto_scaling=scaling_label,
        )

    async def configuration(self, region: str, arn: str) -> Configuration:
        """DescribeService and the resources it names (artui/aws/configuration.py)."""
        with aws_errors():
            client = await self._clients.get("apprunner", region)
        read = await configuration.read(client, arn)
        found = ecr_repository(read.source.identifier) if read.source.kind == "image" else None
        if found is None:
            return read
        # A private ECR image: its repository's images, the versions a rollback can pick.
        try:
            with aws_errors():
                ecr = await self._clients.get("ecr", found[1])
            held = await configuration.images(ecr, read.source.identifier)
        except ArtuiError as exc:
            return replace(read, problems=(*read.problems, ("ECR DescribeImages", str(exc))))
        return replace(read, images=held)

    async def list_operations(
        self, region: str, arn: str, token: str | None = None, limit: int | None = None
    ) -> OperationsPage:
        """One page (20, or `limit` when fewer) of a service's operations, newest first,
        from `token` on."""
        size = PAGE_SIZE if limit is None else max(1, min(limit, PAGE_SIZE))
        request: dict[str, Any] = {"ServiceArn": arn, "MaxResults": size}
        if token:
            request["NextToken"] = token
        with aws_errors():
            client = await self._clients.get("apprunner", region)
            page = await client.list_operations(**request)
        return OperationsPage(
            operations=tuple(_operation(o) for o in page.get("OperationSummaryList") or ()),
            next_token=page.get("NextToken"),
        )

    async def apply(self, region: str, arn: str, change: Change) -> Applied:
        """Send `change` for a service, once, never retried (artui/aws/mutations.py).

        A rebuild sends the service's current configuration back (UpdateService), as the
        model's CREATE_FAILED advice says.
        """
        if isinstance(change, LinkDomain):
            return Applied(domain=await self.link_domain(region, arn, change.domain, change.www))
        if isinstance(change, UnlinkDomain):
            return Applied(domain=await self.unlink_domain(region, arn, change.domain))
        with aws_errors():
            client = await self._clients.get("apprunner", region)
            if isinstance(change, Rebuild):
                current = (await client.describe_service(ServiceArn=arn))["Service"]
                config = {key: current[key] for key in _REBUILT if current.get(key)}
                answer = await client.update_service(ServiceArn=arn, **config)
            elif isinstance(change, Scale):
                # A new revision of the service's own configuration, then the service on it.
                made = await client.create_auto_scaling_configuration(**change.create_request())
                revision = made["AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
                answer = await client.update_service(
                    ServiceArn=arn, AutoScalingConfigurationArn=revision
                )
            elif isinstance(change, Reconfigure):
                answer = await client.update_service(ServiceArn=arn, **change.request())
            else:
                call = getattr(client, xform_name(change.api_name))
                answer = await call(ServiceArn=arn)
        return Applied(operation_id=answer.get("OperationId") or "")

    async def custom_domains(self, region: str, arn: str) -> CustomDomains:
        """DescribeCustomDomains, every page: the DNS target and each linked domain."""
        request: dict[str, Any] = {"ServiceArn": arn, "MaxResults": DOMAINS_PAGE_SIZE}
        domains: list[CustomDomain] = []
        with aws_errors():
            client = await self._clients.get("apprunner", region)
            while True:
                page = await client.describe_custom_domains(**request)
                domains.extend(
                    _custom_domain(d)
                    for d in page.get("CustomDomains") or ()
                    if isinstance(d, dict)
                )
                token = page.get("NextToken")
                if not token:
                    return CustomDomains(page.get("DNSTarget"), tuple(domains))
                request = {**request, "NextToken": token}

    async def link_domain(self, region: str, arn: str, name: str, www: bool) -> CustomDomain:
        """AssociateCustomDomain, sent once: the domain as App Runner now holds it."""
        with aws_errors():
            client = await self._clients.get("apprunner", region)
            answer = await client.associate_custom_domain(
                ServiceArn=arn, DomainName=name, EnableWWWSubdomain=www
            )
        return _custom_domain(answer.get("CustomDomain") or {})

    async def unlink_domain(self, region: str, arn: str, name: str) -> CustomDomain:
        """DisassociateCustomDomain, sent once: the domain, now DELETING."""
        with aws_errors():
            client = await self._clients.get("apprunner", region)
            answer = await client.disassociate_custom_domain(ServiceArn=arn, DomainName=name)
        return _custom_domain(answer.get("CustomDomain") or {})

    async def records(
        self,
        region: str,
        services: list[Service],
        done: Callable[[ServiceRecord], None] = lambda record: None,
    ) -> list[ServiceRecord]:
        """Each of `services` read whole (DescribeService, what it names, its custom
        domains), READS_AT_ONCE at a time, every shared resource read once; `done` hears
        each as it ends. A service that cannot be described is a record with its error."""
        with aws_errors():
            client = await self._clients.get("apprunner", region)
        linked = Linked()
        gate = asyncio.Semaphore(READS_AT_ONCE)

        async def one(listed: Service) -> ServiceRecord:
            async with gate:
                record = await self._record(client, region, listed, linked)
            done(record)
            return record

        return list(await asyncio.gather(*(one(s) for s in services)))

    async def _record(
        self, client: Any, region: str, listed: Service, linked: Linked
    ) -> ServiceRecord:
        try:
            with aws_errors():
                item = (await client.describe_service(ServiceArn=listed.arn))["Service"]
        except ArtuiError as exc:
            return ServiceRecord(listed, error=f"DescribeService: {exc}")
        service = replace(_service(region, item), profile=listed.profile)

        async def domains() -> tuple[CustomDomain, ...] | str:
            try:
                return (await self.custom_domains(region, service.arn)).domains
            except ArtuiError as exc:
                return str(exc)

        config, found = await asyncio.gather(
            configuration.related_to(client, item, linked), domains()
        )
        return read_whole(service, config, found)
