"""One service as `artui export` writes it, and as the migration plan reads it.

A ServiceRecord is what was read of one service: DescribeService's summary, the whole
configuration (artui/domain/configuration.py) and its custom domains, or why it could not
be read. `document` turns it into plain data (str, int, bool, None, lists and dicts) that
YAML and JSON both write as it is. A variable's value is in the document only when asked
for: names are inventory, values are secrets more often than not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from artui.domain.apprunner import Service
from artui.domain.configuration import Configuration, Source
from artui.domain.custom_domains import CustomDomain


@dataclass(frozen=True)
class ServiceRecord:
    """What was read of one service; `error` (AWS's words) when DescribeService failed,
    with only what ListServices said in `service`."""

    service: Service
    configuration: Configuration | None = None
    # Its custom domains (None: not read; why is among the configuration's problems).
    custom_domains: tuple[CustomDomain, ...] | None = None
    error: str | None = None

    @property
    def account(self) -> str:
        return self.service.account


def read_whole(
    service: Service, configuration: Configuration, domains: tuple[CustomDomain, ...] | str
) -> ServiceRecord:
    """The record of a service read whole: its custom domains, or (a str) AWS's words on why
    DescribeCustomDomains failed, which leaves them None (not read) and joins the
    configuration's problems, as every related read that fails does."""
    if isinstance(domains, str):
        problem = ("DescribeCustomDomains", domains)
        configuration = replace(configuration, problems=(*configuration.problems, problem))
        return ServiceRecord(service, configuration)
    return ServiceRecord(service, configuration, domains)


def _drop_none(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v is not None}


def _number(text: str | None) -> int | str | None:
    """A value App Runner sends as text that is a number (a port): as a number."""
    return int(text) if text is not None and text.isdigit() else text


def _source(source: Source) -> dict[str, Any]:
    if source.kind == "image":
        where: dict[str, Any] = {
            "image": source.identifier,
            "image_repository_type": source.repository_type,
        }
    elif source.kind == "code":
        where = {
            "repository": source.identifier,
            "version_type": source.repository_type,
            "version": source.version,
            "source_directory": source.source_directory,
            "configuration_source": source.configuration_source,
            "runtime": source.runtime,
            "build_command": source.build_command,
        }
    else:
        where = {}
    return _drop_none(
        {
            "kind": source.kind,
            **where,
            "start_command": source.start_command,
            "port": _number(source.port),
            "auto_deployments": source.auto_deployments,
            "access_role": source.access_role,
        }
    )


def _environment(source: Source, with_values: bool) -> dict[str, Any]:
    return {
        "variables": [
            {"name": v.name, "value": v.value} if with_values else {"name": v.name}
            for v in source.variables
        ],
        "secrets": [{"name": s.name, "value_from": s.source} for s in source.secrets],
    }


def _configuration(config: Configuration, with_values: bool) -> dict[str, Any]:
    hc = config.health_check
    scaling = config.auto_scaling
    connector = config.vpc_connector
    ingress = config.vpc_ingress
    tracing = config.tracing
    network = config.network
    return {
        "source": _source(config.source),
        "instance": _drop_none(
            {"cpu": config.cpu, "memory": config.memory, "instance_role": config.instance_role}
        ),
        "health_check": _drop_none(
            {
                "protocol": hc.protocol,
                "path": hc.path,
                "interval": hc.interval,
                "timeout": hc.timeout,
                "healthy_threshold": hc.healthy_threshold,
                "unhealthy_threshold": hc.unhealthy_threshold,
            }
        ),
        "auto_scaling": None
        if scaling is None
        else _drop_none(
            {
                "arn": scaling.arn or None,
                "name": scaling.name,
                "revision": scaling.revision,
                "latest": scaling.latest,
                "min_size": scaling.min_size,
                "max_size": scaling.max_size,
                "max_concurrency": scaling.max_concurrency,
            }
        ),
        "network": _drop_none(
            {
                "publicly_accessible": network.public_ingress,
                "egress": network.egress,
                "ip_address_type": network.ip_address_type,
                "vpc_connector": None
                if connector is None and not network.vpc_connector_arn
                else _drop_none(
                    {
                        "arn": network.vpc_connector_arn,
                        "name": connector.name if connector else None,
                        "subnets": list(connector.subnets) if connector else None,
                        "security_groups": list(connector.security_groups) if connector else None,
                        "status": connector.status if connector else None,
                    }
                ),
                "vpc_ingress_connection": None
                if ingress is None
                else _drop_none(
                    {
                        "arn": ingress.arn,
                        "name": ingress.name,
                        "status": ingress.status,
                        "vpc_id": ingress.vpc_id,
                        "vpc_endpoint_id": ingress.endpoint_id,
                        "domain_name": ingress.domain_name,
                    }
                ),
            }
        ),
        "observability": _drop_none(
            {
                "enabled": config.observability_enabled,
                "configuration_arn": config.observability_arn,
                "name": tracing.name if tracing else None,
                "revision": tracing.revision if tracing else None,
                "vendor": tracing.vendor if tracing else None,
            }
        ),
        "encryption_key": config.encryption_key,
        "tags": None if config.tags is None else dict(config.tags),
        "environment": _environment(config.source, with_values),
    }


def document(record: ServiceRecord, *, with_values: bool = False) -> dict[str, Any]:
    """`record` as one export document: plain data, keys in a fixed order. A variable's
    value only `with_values`; a secret is its name and the ARN it comes from, always."""
    service = record.service
    doc: dict[str, Any] = {
        "account": record.account or None,
        "profile": service.profile,
        "region": service.region,
        "name": service.name,
        "arn": service.arn,
    }
    if record.error is not None:
        return {**doc, "status": service.raw_status or None, "error": record.error}
    doc["status"] = service.raw_status or service.status.value
    doc["url"] = service.url
    if record.configuration is not None:
        doc.update(_configuration(record.configuration, with_values))
    doc["custom_domains"] = (
        None
        if record.custom_domains is None
        else [
            {"name": d.name, "www": d.www, "status": d.raw_status or d.status.value}
            for d in record.custom_domains
        ]
    )
    problems = record.configuration.problems if record.configuration is not None else ()
    if problems:
        doc["unread"] = [{"read": what, "error": why} for what, why in problems]
    return doc
