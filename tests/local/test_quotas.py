"""Personalize's resource-count quotas through real boto3 clients (issue #18).

Every quota of ``services/local/control/quotas.py`` is filled up to its limit through the public
API and the next Create* must be refused with the error AWS answers with (LimitExceededException,
HTTP 400: botocore's personalize model lists it for every Create* and gives it no status of
its own), while the same request in another dataset group, where the quota is per group, is
still accepted. The limits written here are the documented ones (developer guide, "Amazon
Personalize endpoints and quotas"; "Domain recommenders"), typed from those pages, not read
from the table under test.

One trained world is built per module (a group with an imported Interactions dataset, an
ACTIVE aws-popularity-count and an ACTIVE aws-item-affinity version); each test works on its
own copy, opened by an engine that runs no jobs, so that jobs stay PENDING as long as the test
needs them to.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from services.config import Settings
from services.local.engine import LocalEngine, get_engine, reset_engines
from services.personalize.clients import Clients, build_clients
from tests.local.domain_shop import ECOMM_INTERACTIONS
from tests.local.workspace import INTERACTIONS_SCHEMA, create_group, train

RECIPE = "arn:aws:personalize:::recipe/"
ROLE = "arn:aws:iam::000000000000:role/personalize"
ECOMMERCE_CASES = (
    "aws-ecomm-recommended-for-you",
    "aws-ecomm-customers-who-viewed-x-also-viewed",
    "aws-ecomm-frequently-bought-together",
    "aws-ecomm-popular-items-by-purchases",
    "aws-ecomm-popular-items-by-views",
)


@dataclass
class Built:
    """The module's trained data directory and the ARNs in it."""

    data_dir: Path
    ws: dict[str, str]
    solution: str
    version: str
    affinity: str


@dataclass
class World:
    """A copy of ``Built`` (in ``data_dir``) opened by an engine that queues jobs and never
    runs them; ``built`` names the ARNs in it."""

    clients: Clients
    engine: LocalEngine
    data_dir: Path
    built: Built

    @property
    def p(self) -> Any:
        return self.clients.personalize


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    data_dir = tmp_path_factory.mktemp("quotas") / "data"
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    ws = create_group(clients, data_dir)
    solution, version = train(clients, ws["group"], "pop", "aws-popularity-count")
    _, affinity = train(clients, ws["group"], "affinity", "aws-item-affinity")
    reset_engines()  # closes the database before the tests copy it
    yield Built(data_dir, ws, solution, version, affinity)


@pytest.fixture
def world(built: Built, tmp_path: Path) -> Iterator[World]:
    data_dir = tmp_path / "data"
    shutil.copytree(built.data_dir, data_dir)
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    engine = get_engine(settings, start_worker=False)  # queues jobs, never runs them
    try:
        yield World(build_clients(settings), engine, data_dir, built)
    finally:
        reset_engines()


def refused(call: Callable[[], Any], needle: str) -> None:
    """``call`` must fail with LimitExceededException, HTTP 400, naming ``needle``."""
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    assert response["Error"]["Code"] == "LimitExceededException", response["Error"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert needle.lower() in response["Error"]["Message"].lower(), response["Error"]["Message"]


def new_group(w: World, name: str, *, domain: str | None = None) -> str:
    """An ACTIVE dataset group with an (empty) Interactions dataset; returns its ARN."""
    extra = {"domain": domain} if domain else {}
    group = w.p.create_dataset_group(name=name, **extra)["datasetGroupArn"]
    schema = w.p.create_schema(
        name=f"{name}-interactions",
        schema=ECOMM_INTERACTIONS if domain else INTERACTIONS_SCHEMA,
        **extra,
    )["schemaArn"]
    w.p.create_dataset(
        name=f"{name}-interactions",
        schemaArn=schema,
        datasetGroupArn=group,
        datasetType="Interactions",
    )
    return group


def count(w: World, operation: str, key: str, **params: Any) -> int:
    return len(getattr(w.p, operation)(maxResults=100, **params)[key])


def group_quota(
    w: World, create: Callable[[str, str], Any], limit: int, needle: str, *, have: int = 0
) -> None:
    """``create(name, group)`` fills the world's group from ``have`` to ``limit``; one more is
    refused (``refused``), and another group, whose quota is its own, still takes one."""
    group = w.built.ws["group"]
    for n in range(have, limit):
        create(f"q{n}", group)
    refused(lambda: create("one-too-many", group), needle)
    create("elsewhere", new_group(w, "other"))


# -- per region -------------------------------------------------------------------------------


def test_five_dataset_groups_per_region(world: World) -> None:
    have = count(world, "list_dataset_groups", "datasetGroups")
    for n in range(have, 5):
        world.p.create_dataset_group(name=f"g{n}")
    assert count(world, "list_dataset_groups", "datasetGroups") == 5
    refused(lambda: world.p.create_dataset_group(name="sixth"), "5 dataset groups")


def test_five_hundred_schemas_per_region(world: World) -> None:
    """500 is reached cheaply: rows copied into the store up to 499 (the quota counts rows),
    then the 500th through the API, which is accepted, and the 501st refused."""
    engine = world.engine
    with engine.tx() as res:
        template = res.get(world.built.ws["schema"], "schema")
        for n in range(res.count("schema"), 499):
            arn = engine.arns.make("schema", f"seeded-{n}")
            res.create(
                arn, "schema", f"seeded-{n}", {**template, "name": f"seeded-{n}", "schemaArn": arn}
            )
    world.p.create_schema(name="the-500th", schema=INTERACTIONS_SCHEMA)
    with engine.tx() as res:
        assert res.count("schema") == 500
    refused(
        lambda: world.p.create_schema(name="the-501st", schema=INTERACTIONS_SCHEMA),
        "500 schemas",
    )


def test_five_pending_import_jobs_per_region(world: World) -> None:
    location = "s3://bucket/shop/interactions.csv"

    def start(n: int) -> Any:
        return world.p.create_dataset_import_job(
            jobName=f"again-{n}",
            datasetArn=world.built.ws["dataset"],
            dataSource={"dataLocation": location},
            roleArn=ROLE,
        )

    for n in range(5):
        start(n)
    refused(lambda: start(5), "5 import jobs")


def test_twenty_pending_solution_versions_per_region(world: World) -> None:
    p = world.p
    solutions = [world.built.solution]
    for n in range(1, 4):  # 4 solutions in the group (and 1 more for affinity): quota of 10
        arn = p.create_solution(
            name=f"pop{n}",
            datasetGroupArn=world.built.ws["group"],
            recipeArn=RECIPE + "aws-popularity-count",
        )["solutionArn"]
        solutions.append(arn)
    for n in range(20):
        p.create_solution_version(solutionArn=solutions[n % 4])
    refused(
        lambda: p.create_solution_version(solutionArn=world.built.solution), "20 solution versions"
    )


def _batch_io(w: World, name: str, line: dict[str, str]) -> dict[str, Any]:
    source = w.data_dir / "s3" / "bucket" / "batch" / f"{name}.json"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(json.dumps(line) + "\n")
    return {
        "jobInput": {"s3DataSource": {"path": f"s3://bucket/batch/{name}.json"}},
        "jobOutput": {"s3DataDestination": {"path": f"s3://bucket/out/{name}/"}},
        "roleArn": ROLE,
    }


def test_batch_inference_and_segment_jobs_are_two_quotas_of_five(world: World) -> None:
    """Five pending batch inference jobs fill their quota and leave batch segment jobs their own
    five ("Total number of pending or in progress batch inference jobs" and "... batch segment
    jobs" are two lines of the per-region table)."""
    p = world.p

    def inference(n: int) -> Any:
        return p.create_batch_inference_job(
            jobName=f"bi{n}",
            solutionVersionArn=world.built.version,
            **_batch_io(world, f"bi{n}", {"userId": "u1"}),
        )

    def segment(n: int) -> Any:
        return p.create_batch_segment_job(
            jobName=f"bs{n}",
            solutionVersionArn=world.built.affinity,
            **_batch_io(world, f"bs{n}", {"itemId": "i1"}),
        )

    for n in range(5):
        inference(n)
    refused(lambda: inference(5), "5 batch inference jobs")
    for n in range(5):
        segment(n)
    refused(lambda: segment(5), "5 batch segment jobs")


def test_recommenders_five_per_group_and_fifteen_per_region(world: World) -> None:
    """Per group ("Total number of recommenders. 5") and per region ("You can create at most
    15 recommenders per region"): both are enforced."""
    p = world.p
    groups = [new_group(world, f"eshop{g}", domain="ECOMMERCE") for g in range(4)]

    def recommend(group: str, case: str, name: str) -> Any:
        return p.create_recommender(name=name, datasetGroupArn=group, recipeArn=RECIPE + case)

    for g, group in enumerate(groups[:3]):
        for c, case in enumerate(ECOMMERCE_CASES):
            recommend(group, case, f"r{g}-{c}")
        if g == 0:
            refused(
                lambda: recommend(groups[0], ECOMMERCE_CASES[0], "r0-sixth"),
                "Dataset group eshop0 already has 5 recommenders.",
            )
    assert count(world, "list_recommenders", "recommenders") == 15
    # The fourth group has none of its own, yet the region holds 15.
    refused(
        lambda: recommend(groups[3], ECOMMERCE_CASES[0], "r3-0"), "15 recommenders in the region"
    )


# -- per dataset group --------------------------------------------------------------------------


def test_ten_solutions_per_group(world: World) -> None:
    p = world.p

    def create(name: str, in_group: str) -> Any:
        return p.create_solution(
            name=name, datasetGroupArn=in_group, recipeArn=RECIPE + "aws-popularity-count"
        )

    have = count(world, "list_solutions", "solutions", datasetGroupArn=world.built.ws["group"])
    group_quota(world, create, 10, "10 solutions", have=have)


def test_five_campaigns_per_group(world: World) -> None:
    p = world.p
    have = count(world, "list_campaigns", "campaigns", solutionArn=world.built.solution)
    for n in range(have, 5):
        p.create_campaign(name=f"c{n}", solutionVersionArn=world.built.version)
    refused(
        lambda: p.create_campaign(name="sixth", solutionVersionArn=world.built.version),
        "5 campaigns",
    )


def test_ten_filters_per_group(world: World) -> None:
    p = world.p
    expression = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("view")'

    def create(name: str, group: str) -> Any:
        return p.create_filter(name=name, datasetGroupArn=group, filterExpression=expression)

    group_quota(world, create, 10, "10 filters")


def test_five_pending_data_deletion_jobs_per_group(world: World) -> None:
    p = world.p
    users = world.data_dir / "s3" / "bucket" / "delete" / "users.csv"
    users.parent.mkdir(parents=True, exist_ok=True)
    users.write_text("USER_ID\nu1\n")

    def delete(name: str, group: str) -> Any:
        return p.create_data_deletion_job(
            jobName=name,
            datasetGroupArn=group,
            dataSource={"dataLocation": "s3://bucket/delete/users.csv"},
            roleArn=ROLE,
        )

    group_quota(world, delete, 5, "5 data deletion jobs pending")


def test_one_metric_attribution_per_group(world: World) -> None:
    p = world.p
    output = {"roleArn": ROLE, "s3DataDestination": {"path": "s3://bucket/metrics/"}}
    views = {"eventType": "view", "metricName": "views", "expression": "SAMPLECOUNT()"}

    def attribute(name: str, group: str) -> Any:
        return p.create_metric_attribution(
            name=name, datasetGroupArn=group, metrics=[views], metricsOutputConfig=output
        )

    group_quota(world, attribute, 1, "a group has at most 1")
