"""The facade and inspection against the embedded local engine, through real boto3 clients.

This is the same code path as AWS mode, with the engine attached to the clients. It skips
cleanly if the engine cannot be imported.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from services import errors
from services.evaluation.inspection import assess, recommend_for_users
from services.personalize.facade import PersonalizeService
from services.personalize.models import is_terminal
from services.workspace.overview import build_overview

engine_module = pytest.importorskip("services.local.engine")
clients_module = pytest.importorskip("services.personalize.clients")
config_module = pytest.importorskip("services.config")

POPULARITY = "arn:aws:personalize:::recipe/aws-popularity-count"
AVRO = {
    "type": "record",
    "name": "Interactions",
    "namespace": "com.amazonaws.personalize.schema",
    "fields": [
        {"name": "USER_ID", "type": "string"},
        {"name": "ITEM_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
    ],
    "version": "1.0",
}


@pytest.fixture
def local(tmp_path: Path) -> Iterator[tuple[PersonalizeService, Any]]:
    settings = config_module.Settings(
        data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="thread"
    )
    clients = clients_module.build_clients(settings)
    yield PersonalizeService(clients), clients.personalize
    engine_module.reset_engines()


def wait(describe: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        resource = describe()
        if is_terminal(resource.status) or time.monotonic() > deadline:
            return resource
        time.sleep(0.05)


def test_train_deploy_detect_behind_update_and_inspect(local, tmp_path: Path) -> None:
    service, control = local
    bucket = tmp_path / "data" / "s3" / "bucket"
    bucket.mkdir(parents=True)
    rows = [
        f"u{u},i{(u * 7 + k) % 40},{1_700_000_000 + u * 100 + k}"
        for u in range(100)
        for k in range(15)
    ]
    (bucket / "interactions.csv").write_text("USER_ID,ITEM_ID,TIMESTAMP\n" + "\n".join(rows))

    schema = control.create_schema(name="interactions", schema=json.dumps(AVRO))["schemaArn"]
    group = control.create_dataset_group(name="shop")["datasetGroupArn"]
    dataset = control.create_dataset(
        name="i", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    assert wait(lambda: service.describe_dataset(dataset)).status == "ACTIVE"
    assert [f.name for f in service.describe_schema(schema).fields] == [
        "USER_ID",
        "ITEM_ID",
        "TIMESTAMP",
    ]

    job = service.create_dataset_import_job("first", dataset, "s3://bucket/interactions.csv")
    assert wait(lambda: service.describe_import_job(job)).status == "ACTIVE"
    with pytest.raises(errors.Conflict, match="already exists"):
        service.create_dataset_import_job("first", dataset, "s3://bucket/interactions.csv")

    solution = control.create_solution(name="pop", datasetGroupArn=group, recipeArn=POPULARITY)[
        "solutionArn"
    ]
    wait(lambda: service.describe_solution(solution))
    v1 = service.create_solution_version(solution)
    assert wait(lambda: service.describe_solution_version(v1)).status == "ACTIVE"
    assert "precision_at_10" in service.get_solution_metrics(v1)

    campaign = control.create_campaign(name="home", solutionVersionArn=v1)["campaignArn"]
    assert wait(lambda: service.describe_campaign(campaign)).status == "ACTIVE"

    v2 = service.create_solution_version(solution)
    assert wait(lambda: service.describe_solution_version(v2)).status == "ACTIVE"
    (snapshot,) = build_overview(service)
    (status,) = snapshot.campaigns
    assert status.behind and status.newest_active is not None
    assert status.newest_active.arn == v2 and status.undeployed_age is not None

    service.update_campaign(campaign, v2)
    deployed = wait(lambda: service.describe_campaign(campaign))
    assert deployed.pending_update is not None and not deployed.pending_update.in_progress
    (snapshot,) = build_overview(service)
    assert not snapshot.campaigns[0].behind

    # A popularity campaign gives everybody the same list: the verdict must say so.
    results = recommend_for_users(service, campaign, [f"u{u}" for u in range(12)], num_results=10)
    assert all(r.ok for r in results)
    verdict = assess(results, top_n=10)
    assert verdict.severity == "error"
    assert verdict.headline.startswith("12 of 12 sampled users got the same top 10")

    with pytest.raises(errors.NotFound, match="Campaign 'gone' was not found"):
        service.describe_campaign(campaign.replace("campaign/home", "campaign/gone"))
