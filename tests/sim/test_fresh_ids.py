"""Each start of the simulator is a fresh world: the demo's story again, with new ids, so an
ARN kept from the last run names nothing (never another service); pinned, the ids repeat."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import control, make_boto3

from artui.sim import Simulator
from artui.sim.apprunner.configs import AutoScalingConfiguration
from artui.sim.apprunner.services import ServiceRecord
from artui.sim.seed import DEMO_SEED, seed_region

IMAGE = "public.ecr.aws/artui-demo/hello:v1"
SOURCE = {"ImageRepository": {"ImageIdentifier": IMAGE, "ImageRepositoryType": "ECR_PUBLIC"}}


def world(sim: Simulator) -> dict[str, Any]:
    """What a client sees of `sim`: each demo service's ARN, URL and operations, by name,
    and the ARN of a service it creates."""
    # Stopped first: the deployment under way at the start (180 s) is still under way.
    control(sim, "POST", "/_sim/clock", {"scale": 0})
    apprunner = make_boto3(sim, "apprunner")
    seen: dict[str, Any] = {}
    for summary in apprunner.list_services()["ServiceSummaryList"]:
        ops = apprunner.list_operations(ServiceArn=summary["ServiceArn"])["OperationSummaryList"]
        seen[summary["ServiceName"]] = {
            "arn": summary["ServiceArn"],
            "url": summary["ServiceUrl"],
            "operation ids": [op["Id"] for op in ops],
            "history": [(op["Type"], op["Status"]) for op in ops],
        }
    created = apprunner.create_service(ServiceName="made-this-run", SourceConfiguration=SOURCE)
    seen["made-this-run"] = {"arn": created["Service"]["ServiceArn"]}
    return seen


def test_a_restart_is_the_same_story_with_fresh_ids() -> None:
    with Simulator() as first:
        before = world(first)
    with Simulator() as second:
        after = world(second)
        apprunner = make_boto3(second, "apprunner")
        for name, service in before.items():
            # The ARN of the last run is no service of this one: not found, not another.
            with pytest.raises(apprunner.exceptions.ResourceNotFoundException):
                apprunner.describe_service(ServiceArn=service["arn"])
            assert after[name]["arn"] != service["arn"], name
    assert list(after) == list(before)  # the same names, in the same order
    demo = [name for name in before if name != "made-this-run"]
    assert len(demo) == 7
    for name in demo:
        assert after[name]["history"] == before[name]["history"], name
        assert after[name]["url"] != before[name]["url"], name
        assert not set(after[name]["operation ids"]) & set(before[name]["operation ids"]), name


def test_pinned_ids_repeat() -> None:
    seen = []
    for _ in range(2):
        with Simulator(services=3, world=False, time_scale=0, ids_seed=1234) as sim:
            assert sim.ids_seed == 1234
            seen.append(world(sim))
    assert seen[0] == seen[1]


def seeded(ids_seed: int | None) -> list[ServiceRecord]:
    """The default account's us-east-1 demo as seed.py makes it with `ids_seed`."""
    autoscaling = AutoScalingConfiguration("us-east-1", 0.0)
    at = 1_795_000_000.0
    return seed_region("us-east-1", 7, DEMO_SEED, at, autoscaling, True, ids_seed=ids_seed)


def ids(services: list[ServiceRecord]) -> list[tuple[str, str, list[str]]]:
    """Each service's id, URL and operation ids."""
    return [(s.id, s.url, [op.id for op in s.operations]) for s in services]


def story(services: list[ServiceRecord]) -> list[tuple[Any, ...]]:
    """What the seed decides of each service: all but its ids."""
    return [
        (
            s.name,
            s.created_at,
            s.source,
            s.tags,
            s.instance,
            s.encryption,
            s.deploy_failure,
            [(d.name, d.associated_at, d.records_added_at) for d in s.domains],
            [(op.type, op.started_at, op.duration, op.failure) for op in s.operations],
        )
        for s in services
    ]


def test_fresh_ids_change_the_ids_and_nothing_else_of_the_story() -> None:
    own, pinned, fresh = seeded(None), seeded(DEMO_SEED), seeded(99)
    # The story's own seed as the ids' seed: the ids the demo always had.
    assert ids(pinned) == ids(own)
    assert story(fresh) == story(own)
    for (sid, url, ops), (own_id, own_url, own_ops) in zip(ids(fresh), ids(own), strict=True):
        assert sid != own_id and url != own_url and not set(ops) & set(own_ops)
        assert len(sid) == 32 and int(sid, 16) >= 0
        assert len(url.split(".")[0]) == 10 and url.endswith(".us-east-1.awsapprunner.com")
