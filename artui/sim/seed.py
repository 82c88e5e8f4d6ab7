"""The demo services every region of an account starts with, deterministic from a seed.

Every account has the same demo fleet (the same names, roles and story) with its own ids,
ARNs and draws: the default account's are what they always were (`ids.seed_key`). The ids
are drawn with an ids' seed mixed in (`ids.IdRandom`): a fresh one gives fresh ids and the
same story; the story's own seed gives the ids the demo always had.

Each service's runtime configuration (variables, secrets, start command, and for one the VPC
and tracing) comes from `_runtime`, drawing from an rng of its own: the draws of the services,
their histories and domains are what they were before it was added.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timezone
from typing import Any

from artui.sim.apprunner.configs import (
    AutoScalingConfiguration,
    ObservabilityConfiguration,
    RegionConfigs,
    VpcConnector,
)
from artui.sim.apprunner.connections import CONNECTION_ARN_RE, Connection, Connections
from artui.sim.apprunner.custom_domains import new_domain
from artui.sim.apprunner.failures import BUILD, HEALTH_CHECK
from artui.sim.apprunner.ids import (
    DEFAULT_ACCOUNT,
    IdRandom,
    id_random,
    new_config_id,
    new_operation_id,
    new_service_id,
    new_service_url,
    seed_key,
)
from artui.sim.apprunner.operations import DURATIONS, Operation
from artui.sim.apprunner.services import DEFAULT_HEALTH_CHECK, ServiceRecord

NAMES = (
    "checkout-api",
    "payments-worker",
    "web-frontend",
    "orders-service",
    "inventory-sync",
    "auth-gateway",
    "search-indexer",
    "notifications",
    "reporting-api",
    "image-resizer",
    "recommendations",
    "billing-portal",
)
DAY = 86400.0
# The demo's seed: its story (and, pinned as the ids' seed too, the ids the snapshots show).
DEMO_SEED = 7
# The demo's clock keeps wall-clock time (so ages and timestamps read true) while its
# operations run DEMO_SPEEDUP times faster: a ~180 s deployment plays out in ~20 s.
# Here, not in the server, so `artui sim --help` can say it without loading aiohttp.
DEMO_SPEEDUP = 9.0

# Index roles, so the demo always has a story: the first service is the one in trouble
# (its 5xx rise over the last hour after a deployment; a busy history of 25 to 34
# deployments, more than one ListOperations page), one is paused, one failed to create.
TROUBLED_INDEX = 0
# A code repository whose every StartDeployment fails to build (ServiceRecord.deploy_failure);
# RUNNING in the demo, so the operator can deploy it and watch the deployment fail.
FAILING_INDEX = 1
PAUSED_INDEX = 2
DEPLOYING_INDEX = 3  # with in_flight: a deployment under way at start (N >= 6)
# Paused one evening and resumed the next morning, some days ago (so is the troubled one).
PAUSE_RESUME_INDEX = 4
# How far into its run the in-flight deployment is at `now`, as a fraction of its
# (speed-adjusted) duration: relative, so even the sped-up demo opens with most of it to go.
IN_FLIGHT_ELAPSED = 0.3
# Deployments happen mostly on weekdays, 09:00 to 18:00 UTC; this share at any hour.
WORK_START_HOUR = 9
WORK_END_HOUR = 18
OFF_HOURS = 0.1
# Seconds of quiet, at least, between one seeded operation's end and the next one's start.
QUIET = 600.0
# Runs in a VPC (egress through the demo's connector) with X-Ray tracing on.
VPC_INDEX = 3
# The code repository whose settings stay in its apprunner.yaml (the failing build's).
YAML_INDEX = FAILING_INDEX
# The demo's configuration resources, made long before any service.
CONNECTOR_NAME = "prod-vpc-connector"
TRACING_NAME = "xray-tracing"
CONFIGS_AGE = 20 * DAY
# The GitHub connection the demo's code repository services build through.
CONNECTION_NAME = "github-example"

# Per service (by base name): its start command, runtime (for a code repository built from
# API settings), variables, and secrets by variable name (the secret's name; `ssm:` for a
# Parameter Store parameter, else a Secrets Manager secret).
Profile = tuple[str, str, dict[str, str], dict[str, str]]
PROFILES: dict[str, Profile] = {
    "checkout-api": (
        "node dist/server.js",
        "NODEJS_18",
        {
            "NODE_ENV": "production",
            "DATABASE_URL": "postgres://app:Ch3ck0ut-2f9a@checkout-db.internal:5432/checkout",
            "PAYMENTS_URL": "http://payments-worker.internal:8080",
            "LOG_LEVEL": "info",
        },
        {"STRIPE_API_KEY": "checkout/stripe-api-key", "SESSION_SECRET": "ssm:checkout/session"},
    ),
    "payments-worker": (
        "python -m payments.worker",
        "PYTHON_311",
        {"QUEUE_URL": "https://sqs.{region}.amazonaws.com/{account}/payments", "WORKERS": "4"},
        {"STRIPE_API_KEY": "payments/stripe-api-key"},
    ),
    "web-frontend": (
        "nginx -g 'daemon off;'",
        "NODEJS_18",
        {"API_BASE_URL": "https://api.example.com", "CDN_URL": "https://cdn.example.com"},
        {},
    ),
    "orders-service": (
        "java -jar /app/orders.jar",
        "CORRETTO_11",
        {
            "SPRING_PROFILES_ACTIVE": "prod",
            "DATABASE_URL": "postgres://app:0rd3rs-81c4e7@orders-db.internal:5432/orders",
            "REDIS_URL": "redis://orders-cache.internal:6379/0",
            "AWS_XRAY_TRACING_NAME": "orders-service",
        },
        {"DB_PASSWORD": "orders/db-password", "JWT_SIGNING_KEY": "ssm:orders/jwt-signing-key"},
    ),
    "inventory-sync": (
        "python sync.py --loop",
        "PYTHON_311",
        {
            "DATABASE_URL": "mysql://sync:Inv-5e02@inventory-db.internal:3306/inventory",
            "SYNC_INTERVAL_SECONDS": "300",
        },
        {"SUPPLIER_API_TOKEN": "inventory/supplier-token"},
    ),
    "auth-gateway": (
        "./auth-gateway serve",
        "GO_1",
        {"ISSUER_URL": "https://auth.example.com", "TOKEN_TTL": "15m"},
        {"OIDC_CLIENT_SECRET": "auth/oidc-client-secret", "SIGNING_KEY": "ssm:auth/signing-key"},
    ),
    "search-indexer": (
        "python -m indexer",
        "PYTHON_311",
        {"OPENSEARCH_URL": "https://search.internal:9200", "BATCH_SIZE": "500"},
        {"OPENSEARCH_PASSWORD": "search/opensearch-password"},
    ),
    "notifications": (
        "node worker.js",
        "NODEJS_18",
        {"SMTP_HOST": "email-smtp.{region}.amazonaws.com", "FROM_ADDRESS": "no-reply@example.com"},
        {"SMTP_PASSWORD": "notifications/smtp-password"},
    ),
    "reporting-api": (
        "gunicorn reporting.app:app --bind 0.0.0.0:8080",
        "PYTHON_311",
        {"WAREHOUSE_URL": "postgres://reporter:R3p-77b1@warehouse.internal:5439/analytics"},
        {"WAREHOUSE_PASSWORD": "reporting/warehouse-password"},
    ),
    "image-resizer": (
        "./resizer",
        "GO_1",
        {"BUCKET": "example-images", "MAX_WIDTH": "2048"},
        {},
    ),
    "recommendations": (
        "python serve.py",
        "PYTHON_311",
        {"MODEL_URI": "s3://example-models/recs/latest", "CACHE_TTL": "600"},
        {"FEATURE_STORE_KEY": "ssm:recommendations/feature-store-key"},
    ),
    "billing-portal": (
        "bundle exec puma -C config/puma.rb",
        "RUBY_31",
        {
            "RAILS_ENV": "production",
            "DATABASE_URL": "postgres://billing:B1ll-4d2c@billing-db.internal:5432/billing",
        },
        {"SECRET_KEY_BASE": "billing/secret-key-base"},
    ),
}


def service_name(index: int) -> str:
    """The i-th demo service name; wraps around with a numeric suffix."""
    base = NAMES[index % len(NAMES)]
    return base if index < len(NAMES) else f"{base}-{index // len(NAMES) + 1}"


def seed_region(
    region: str,
    count: int,
    seed: int,
    now: float,
    autoscaling: AutoScalingConfiguration,
    in_flight: bool = False,
    speedup: float = 1.0,
    configs: RegionConfigs | None = None,
    account: str = DEFAULT_ACCOUNT,
    connections: Connections | None = None,
    ids_seed: int | None = None,
) -> list[ServiceRecord]:
    """`count` demo services of `account` for one region, settled as of `now`, using
    `autoscaling`; their ids mixed with `ids_seed`'s (`ids.IdRandom`; None: `seed`'s own).

    `in_flight` also starts a deployment just before `now` (for the demo: something moving).
    `configs`, the region's configuration resources, gets the demo's VPC connector and
    observability configuration, which service VPC_INDEX uses (without `configs`, or
    with fewer services, neither is made and no service uses them). `connections`, the
    region's connections, gets the AVAILABLE GitHub connection the code repositories name.
    """
    key = f"{seed_key(seed, account)}:{region}"
    rng = id_random(seed, ids_seed, account, region)
    services = []
    for index in range(count):
        services.append(
            _service(rng, account, region, index, count, now, in_flight, speedup, autoscaling)
        )
    if connections is not None:
        _connection(account, region, now, connections, services)
    extras = id_random(seed, ids_seed, account, f"{region}:runtime")
    network = None
    if configs is not None and count > VPC_INDEX:  # only for the service that uses them
        network = _network_configs(extras, account, region, now, configs)
    for index, service in enumerate(services):
        _runtime(extras, service, index, network)
    for service in services:
        service.settle(now)
    _domains(random.Random(f"{key}:domains"), services, now, speedup)
    return services


def _network_configs(
    rng: IdRandom, account: str, region: str, now: float, configs: RegionConfigs
) -> tuple[VpcConnector, ObservabilityConfiguration]:
    """The demo's VPC connector (three private subnets, one security group) and X-Ray
    tracing configuration, made in `configs`."""
    created = now - CONFIGS_AGE
    connector = configs.vpc_connectors.add(
        VpcConnector(
            region,
            created,
            name=CONNECTOR_NAME,
            revision=1,
            id=new_config_id(rng),
            subnets=[f"subnet-{rng.getrandbits(68):017x}" for _ in range(3)],
            security_groups=[f"sg-{rng.getrandbits(68):017x}"],
            tags={"env": "prod"},
            account=account,
        )
    )
    tracing = configs.observability.add(
        ObservabilityConfiguration(
            region,
            created + 3600,
            name=TRACING_NAME,
            revision=1,
            id=new_config_id(rng),
            trace={"Vendor": "AWSXRAY"},
            tags={"env": "prod"},
            account=account,
        )
    )
    return connector, tracing


def _connection(
    account: str, region: str, now: float, connections: Connections, services: list[ServiceRecord]
) -> None:
    """The GitHub connection every code repository service uses, handshake done, made in
    `connections` (the id of the first such service's drawn ARN, so no draw moves)."""
    code = [s for s in services if "CodeRepository" in s.source]
    if not code:
        return
    match = CONNECTION_ARN_RE.match(code[0].source["AuthenticationConfiguration"]["ConnectionArn"])
    assert match is not None  # _source draws it so
    connection = connections.add(
        Connection(
            region,
            CONNECTION_NAME,
            match.group(4),
            "GITHUB",
            now - CONFIGS_AGE,
            status="AVAILABLE",
            account=account,
        )
    )
    for service in code:
        service.source["AuthenticationConfiguration"]["ConnectionArn"] = connection.arn


def _secret_arn(rng: random.Random, account: str, region: str, name: str) -> str:
    if name.startswith("ssm:"):
        return f"arn:aws:ssm:{region}:{account}:parameter/{name[4:]}"
    # Secrets Manager adds six random characters to a secret's name in its ARN.
    suffix = "".join(
        rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") for _ in range(6)
    )
    return f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-{suffix}"


def _runtime(
    rng: random.Random,
    service: ServiceRecord,
    index: int,
    network: tuple[VpcConnector, ObservabilityConfiguration] | None,
) -> None:
    """The service's variables, secrets and start command; for VPC_INDEX, its egress
    through the demo's connector and tracing on (when `network` is given)."""
    start, runtime, variables, secrets = PROFILES[NAMES[index % len(NAMES)]]
    variables = {
        key: value.format(region=service.region, account=service.account)
        for key, value in variables.items()
    }
    secret_arns = {
        key: _secret_arn(rng, service.account, service.region, name)
        for key, name in secrets.items()
    }
    values: dict[str, Any] = {"RuntimeEnvironmentVariables": variables}
    if secret_arns:
        values["RuntimeEnvironmentSecrets"] = secret_arns
    source = service.source
    if "ImageRepository" in source:
        config = source["ImageRepository"].setdefault("ImageConfiguration", {})
        config.update(values, StartCommand=start)
    elif index != YAML_INDEX:  # the rest build from the API's settings
        source["CodeRepository"]["CodeConfiguration"] = {
            "ConfigurationSource": "API",
            "CodeConfigurationValues": {
                "Runtime": runtime,
                "BuildCommand": _BUILD[runtime],
                "StartCommand": start,
                "Port": "8080",
                **values,
            },
        }
    if network is not None and index == VPC_INDEX:
        connector, tracing = network
        service.network["EgressConfiguration"] = {
            "EgressType": "VPC",
            "VpcConnectorArn": connector.arn,
        }
        service.observability = {
            "ObservabilityEnabled": True,
            "ObservabilityConfigurationArn": tracing.arn,
        }


# A build command for each runtime the profiles name.
_BUILD = {
    "NODEJS_18": "npm ci && npm run build",
    "PYTHON_311": "pip install -r requirements.txt",
    "CORRETTO_11": "./gradlew build",
    "GO_1": "go build -o app .",
    "RUBY_31": "bundle install",
}


def _domains(rng: random.Random, services: list[ServiceRecord], now: float, speedup: float) -> None:
    """Custom domains in several states, steady from `now` on for days.

    Their own `rng`, so that adding them changed nothing else the seed draws.
    """
    if not services:
        return
    troubled = services[TROUBLED_INDEX]
    shop = new_domain(rng, "shop.example.com", True, now - rng.uniform(3, 8) * DAY, speedup)
    shop.records_added_at = shop.associated_at + rng.uniform(0.5, 6) * 3600
    # An hour in, the operator has not added the records yet: pending for 71 hours more.
    api = new_domain(rng, "api.example.com", False, now - 3600, speedup)
    troubled.domains = [shop, api]
    # The first other running service (payments-worker in the demo) holds example.com.
    running = [s for i, s in enumerate(services) if i != TROUBLED_INDEX and s.status == "RUNNING"]
    if not running:
        return
    site = running[0]
    root = new_domain(rng, "example.com", True, now - rng.uniform(2, 20) * 3600, speedup)
    wildcard = new_domain(rng, "*.example.com", False, now - rng.uniform(21, 30) * 3600, speedup)
    # Its CAA records name only Let's Encrypt, so ACM refused it (the guide's CAA problem).
    wildcard.records_added_at = wildcard.associated_at + rng.uniform(10, 60) * 60
    wildcard.caa = "letsencrypt.org"
    site.domains = [wildcard, root]


def _role(index: int, count: int, in_flight: bool) -> str:
    if count >= 3 and index == count - 1:
        return "create_failed"
    if count >= 3 and index == (PAUSED_INDEX if count > 3 else 1):
        return "paused"
    if in_flight and count >= 6 and index == DEPLOYING_INDEX:
        return "deploying"
    if index == TROUBLED_INDEX:
        return "troubled"
    return "running"


def _source(
    rng: random.Random, account: str, region: str, name: str, index: int, role: str
) -> dict[str, Any]:
    if index % 3 == 1 and role != "create_failed":
        return {
            "CodeRepository": {
                "RepositoryUrl": f"https://github.com/example-org/{name}",
                "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
                "CodeConfiguration": {"ConfigurationSource": "REPOSITORY"},
            },
            "AutoDeploymentsEnabled": True,
            "AuthenticationConfiguration": {
                "ConnectionArn": (
                    f"arn:aws:apprunner:{region}:{account}:connection/{CONNECTION_NAME}/"
                    f"{rng.getrandbits(128):032x}"
                )
            },
        }
    tag = f"v1.{rng.randint(2, 40)}.{rng.randint(0, 9)}"
    # Every image service runs a private ECR image of the simulated account, with an access
    # role, as most teams' services do: each has its repository's earlier versions (ecr.py)
    # to roll back to.
    image = f"{account}.dkr.ecr.{region}.amazonaws.com/{name}:{tag}"
    kind = "ECR"
    repo: dict[str, Any] = {
        "ImageIdentifier": image,
        "ImageRepositoryType": kind,
        "ImageConfiguration": {"Port": "8080"},
    }
    source: dict[str, Any] = {"ImageRepository": repo, "AutoDeploymentsEnabled": False}
    source["AuthenticationConfiguration"] = {
        "AccessRoleArn": f"arn:aws:iam::{account}:role/service-role/AppRunnerECRAccessRole"
    }
    return source


def _service(
    rng: IdRandom,
    account: str,
    region: str,
    index: int,
    count: int,
    now: float,
    in_flight: bool,
    speedup: float,
    autoscaling: AutoScalingConfiguration,
) -> ServiceRecord:
    name = service_name(index)
    role = _role(index, count, in_flight)
    # Days of history: the busy troubled service has more, the paused-and-resumed one room
    # for its night off.
    low, high = {TROUBLED_INDEX: (10.0, 12.5), PAUSE_RESUME_INDEX: (4.0, 9.0)}.get(
        index, (2.0, 9.0)
    )
    created = now - rng.uniform(low, high) * DAY
    cpu, memory = rng.choice(
        [("1024", "2048"), ("1024", "2048"), ("2048", "4096"), ("512", "1024")]
    )
    instance: dict[str, Any] = {"Cpu": cpu, "Memory": memory}
    if rng.random() < 0.5:
        instance["InstanceRoleArn"] = f"arn:aws:iam::{account}:role/{name}-instance"
    if rng.random() < 0.5:
        health: dict[str, Any] = {
            "Protocol": "HTTP",
            "Path": "/health",
            "Interval": 10,
            "Timeout": 5,
            "HealthyThreshold": 1,
            "UnhealthyThreshold": 5,
        }
    else:
        health = dict(DEFAULT_HEALTH_CHECK)
    service = ServiceRecord(
        name=name,
        id=new_service_id(rng),
        account=account,
        region=region,
        url=new_service_url(rng, region),
        created_at=created,
        updated_at=created,
        status="OPERATION_IN_PROGRESS",
        source=_source(rng, account, region, name, index, role),
        instance=instance,
        health=health,
        network={
            "EgressConfiguration": {"EgressType": "DEFAULT"},
            "IngressConfiguration": {"IsPubliclyAccessible": True},
            "IpAddressType": "IPV4",
        },
        autoscaling=autoscaling,
        observability={"ObservabilityEnabled": False},
        tags={"team": rng.choice(["shop", "platform", "growth"]), "env": "prod"},
    )
    if rng.random() < 0.3:
        service.encryption = {
            "KmsKey": f"arn:aws:kms:{region}:{account}:key/"
            f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-{rng.getrandbits(16):04x}-"
            f"{rng.getrandbits(16):04x}-{rng.getrandbits(48):012x}"
        }
    if role != "create_failed" and index == FAILING_INDEX:
        service.deploy_failure = BUILD
    service.operations = _history(rng, service, index, role, created, now, speedup)
    return service


def _history(
    rng: IdRandom,
    service: ServiceRecord,
    index: int,
    role: str,
    created: float,
    now: float,
    speedup: float,
) -> list[Operation]:
    """The service's operations, newest first: one at a time, all started by `now`."""
    planned: list[tuple[str, float, str | None]] = []  # (type, start, failure reason)

    def duration(op_type: str) -> float:
        return DURATIONS[op_type] / speedup

    planned.append(("CREATE_SERVICE", created, HEALTH_CHECK if role == "create_failed" else None))
    if role != "create_failed":
        begin = created + duration("CREATE_SERVICE") + QUIET
        # The last operation of a role comes late; everything before it ends well before.
        paused_at = now - rng.uniform(3, 20) * 3600
        end = paused_at - 600 if role == "paused" else now - 2 * 3600
        blocked: list[tuple[float, float]] = []
        if index in (TROUBLED_INDEX, PAUSE_RESUME_INDEX) and role in ("troubled", "running"):
            pair = _pause_resume(rng, begin, end, duration("RESUME_SERVICE"))
            if pair is not None:
                planned += [("PAUSE_SERVICE", pair[0], None), ("RESUME_SERVICE", pair[1], None)]
                # A paused service takes no deployment; keep a margin either side, too.
                blocked.append((pair[0] - 3600, pair[1] + duration("RESUME_SERVICE") + 3600))
        count = rng.randint(25, 34) if role == "troubled" else rng.randint(1, 5)
        starts = _spread(rng, count, begin, end, duration("START_DEPLOYMENT"), blocked)
        if role == "troubled":
            # An active service: a couple of its deployments failed their health check.
            failed = set(rng.sample(range(len(starts)), min(rng.randint(2, 3), len(starts))))
            reasons = [HEALTH_CHECK if i in failed else None for i in range(len(starts))]
        else:
            reasons = [_past_failure(rng, service) if rng.random() < 0.15 else None for _ in starts]
        planned += [("START_DEPLOYMENT", t, r) for t, r in zip(starts, reasons, strict=True)]
        if role == "troubled":
            planned.append(("START_DEPLOYMENT", now - 70 * 60, None))  # started the incident
        if role == "paused":
            planned.append(("PAUSE_SERVICE", paused_at, None))
        if role == "deploying":
            planned.append(
                ("START_DEPLOYMENT", now - IN_FLIGHT_ELAPSED * duration("START_DEPLOYMENT"), None)
            )
    history = [
        Operation(
            id=new_operation_id(rng),
            type=op_type,
            target_arn=service.arn,
            started_at=start,
            duration=duration(op_type),
            failure=failure,
        )
        for op_type, start, failure in sorted(planned, key=lambda p: p[1])
    ]
    history.reverse()
    return history


def _past_failure(rng: random.Random, service: ServiceRecord) -> str:
    """Why a past deployment failed: a code repository's may not have built."""
    if "CodeRepository" in service.source and rng.random() < 0.5:
        return BUILD
    return HEALTH_CHECK


def _pause_resume(
    rng: random.Random, begin: float, end: float, resume_duration: float
) -> tuple[float, float] | None:
    """(pause start, resume start): paused one evening, resumed the next morning (UTC);
    None when the span between `begin` and `end` has no room for it."""
    chosen = rng.uniform(begin + 0.3 * (end - begin), begin + 0.7 * (end - begin))
    evening = math.floor(chosen / DAY) * DAY
    pause = evening + WORK_END_HOUR * 3600 + rng.uniform(0.5, 2) * 3600
    resume = evening + DAY + rng.uniform(7.5, 8.75) * 3600
    if pause - 3600 < begin or resume + resume_duration + 3600 > end:
        return None
    return pause, resume


def _spread(
    rng: random.Random,
    count: int,
    begin: float,
    end: float,
    duration: float,
    blocked: list[tuple[float, float]],
) -> list[float]:
    """Up to `count` start times of operations lasting `duration`, oldest first, between
    `begin` and `end` and outside `blocked`: hours apart, mostly on weekday working hours,
    each starting only after the one before ended."""
    windows = _without(_working_hours(begin, end), blocked) or _without([(begin, end)], blocked)
    total = sum(hi - lo for lo, hi in windows)
    if count <= 0 or total <= 0:
        return []

    def clashes(t: float) -> bool:
        return any(t < hi and t + duration + QUIET > lo for lo, hi in blocked)

    wanted = []
    for k in range(count):
        # One per equal share of working time, jittered inside it: hours apart.
        t = _at(windows, (k + rng.uniform(0.1, 0.9)) * total / count)
        if rng.random() < OFF_HOURS:
            hotfix = rng.uniform(begin, end)  # the odd evening or weekend deployment
            t = t if clashes(hotfix) else hotfix
        wanted.append(t)
    starts: list[float] = []
    for t in sorted(wanted):
        if starts:
            t = max(t, starts[-1] + duration + QUIET)
        if t + duration + QUIET <= end and not clashes(t):
            starts.append(t)
    return starts


def _working_hours(begin: float, end: float) -> list[tuple[float, float]]:
    """Weekday working hours (UTC) between `begin` and `end`."""
    out = []
    day = math.floor(begin / DAY) * DAY
    while day < end:
        if datetime.fromtimestamp(day, timezone.utc).weekday() < 5:
            lo = max(begin, day + WORK_START_HOUR * 3600)
            hi = min(end, day + WORK_END_HOUR * 3600)
            if hi > lo:
                out.append((lo, hi))
        day += DAY
    return out


def _without(
    windows: list[tuple[float, float]], blocked: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """`windows` with every `blocked` span cut out."""
    for b_lo, b_hi in blocked:
        cut = []
        for lo, hi in windows:
            if hi <= b_lo or lo >= b_hi:
                cut.append((lo, hi))
                continue
            if lo < b_lo:
                cut.append((lo, b_lo))
            if hi > b_hi:
                cut.append((b_hi, hi))
        windows = cut
    return windows


def _at(windows: list[tuple[float, float]], offset: float) -> float:
    """The time `offset` seconds into the concatenated `windows`."""
    for lo, hi in windows:
        if offset < hi - lo:
            return lo + offset
        offset -= hi - lo
    return windows[-1][1]
