"""The engine over HTTP: unchanged boto3 code and the AWS CLI work against ``make serve``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import botocore.exceptions
import pytest

from services.config import Settings
from services.personalize.clients import Clients, build_clients
from tests.local.server import EngineServer
from tests.local.workspace import create_group, train, wait_for


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EngineServer]:
    srv = EngineServer(
        tmp_path / "data",
        PERSONALIZE_LOCAL_LIFECYCLE_SECONDS="1.0",
        PERSONALIZE_LOCAL_WORKER="process",
    ).start()
    yield srv
    srv.stop()


@pytest.fixture
def http_clients(server: EngineServer) -> Clients:
    return build_clients(Settings(endpoint_url=server.url, data_dir=server.data_dir))


def test_getting_started_over_http(http_clients: Clients, server: EngineServer) -> None:
    p, rt, ev = http_clients.personalize, http_clients.runtime, http_clients.events
    ws = create_group(http_clients, server.data_dir)
    solution, v1 = train(http_clients, ws["group"], "pop", "aws-popularity-count")
    metrics = p.get_solution_metrics(solutionVersionArn=v1)["metrics"]
    assert "normalized_discounted_cumulative_gain_at_10" in metrics

    campaign = p.create_campaign(name="pop-campaign", solutionVersionArn=v1)["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=campaign), "campaign")
    first = rt.get_recommendations(campaignArn=campaign, userId="u1", numResults=5)
    assert len(first["itemList"]) == 5

    tracker = p.create_event_tracker(name="t", datasetGroupArn=ws["group"])
    for s in range(30):
        ev.put_events(
            trackingId=tracker["trackingId"],
            userId=f"fan{s}",
            sessionId=f"s{s}",
            eventList=[
                {"eventType": "view", "itemId": "i_new", "sentAt": 1_700_100_000 + k}
                for k in range(10)
            ],
        )
    v2 = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    assert (
        wait_for(lambda: p.describe_solution_version(solutionVersionArn=v2), "solutionVersion")[
            "status"
        ]
        == "ACTIVE"
    )

    p.update_campaign(campaignArn=campaign, solutionVersionArn=v2)
    pending = p.describe_campaign(campaignArn=campaign)["campaign"]
    assert pending["latestCampaignUpdate"]["status"] in ("CREATE PENDING", "CREATE IN_PROGRESS")
    assert pending["solutionVersionArn"] == v1
    old = rt.get_recommendations(campaignArn=campaign, userId="u1", numResults=5)
    assert old["itemList"][0]["itemId"] != "i_new"

    wait_for(
        lambda: {
            "u": p.describe_campaign(campaignArn=campaign)["campaign"]["latestCampaignUpdate"]
        },
        "u",
    )
    assert p.describe_campaign(campaignArn=campaign)["campaign"]["solutionVersionArn"] == v2
    new = rt.get_recommendations(campaignArn=campaign, userId="u1", numResults=5)
    assert new["itemList"][0]["itemId"] == "i_new"


def test_errors_over_http_are_modelled(http_clients: Clients) -> None:
    p, rt, ev = http_clients.personalize, http_clients.runtime, http_clients.events
    missing = "arn:aws:personalize:us-east-1:000000000000:campaign/nope"
    with pytest.raises(p.exceptions.ResourceNotFoundException):
        p.describe_campaign(campaignArn=missing)
    with pytest.raises(rt.exceptions.ResourceNotFoundException) as err:
        rt.get_recommendations(campaignArn=missing, userId="u1")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ev.exceptions.InvalidInputException):
        ev.put_events(
            trackingId="nope",
            sessionId="s",
            eventList=[{"eventType": "view", "itemId": "i", "sentAt": 1}],
        )
    with pytest.raises(botocore.exceptions.ParamValidationError):
        p.create_dataset_group()  # botocore's own check, before any request


def test_aws_cli_lists_dataset_groups(
    http_clients: Clients, server: EngineServer, tmp_path: Path
) -> None:
    http_clients.personalize.create_dataset_group(name="cli-group")
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }
    cli = [
        sys.executable,
        "-m",
        "awscli",
        "personalize",
        "list-dataset-groups",
        "--endpoint-url",
        server.url,
        "--output",
        "json",
    ]
    out = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    groups = json.loads(out.stdout)["datasetGroups"]
    assert [g["name"] for g in groups] == ["cli-group"]
