"""performAutoTraining on a schedule and campaigns that sync to the newest version.

The engine's clock is replaced to move time forward; training itself is real.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from services.config import Settings
from services.local.engine import get_engine
from services.personalize.clients import Clients
from tests.local.workspace import create_group, create_solution, train, wait_for

DAY = 86_400


def _versions(clients: Clients, solution: str) -> list[dict]:
    return clients.personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]


def test_clock_past_the_schedule_trains_and_a_syncing_campaign_follows(
    clients: Clients, settings: Settings, tmp_path: Path
) -> None:
    p = clients.personalize
    ws = create_group(clients, settings.data_dir)
    solution, v1 = train(
        clients,
        ws["group"],
        "auto",
        "aws-popularity-count",
        solutionConfig={"autoTrainingConfig": {"schedulingExpression": "rate(2 days)"}},
    )
    manual, m1 = train(
        clients, ws["group"], "manual", "aws-popularity-count", performAutoTraining=False
    )
    syncing = p.create_campaign(
        name="syncing",
        solutionVersionArn=f"{solution}/$LATEST",
        campaignConfig={"syncWithLatestSolutionVersion": True},
    )["campaignArn"]
    pinned = p.create_campaign(name="pinned", solutionVersionArn=v1)["campaignArn"]
    assert p.describe_campaign(campaignArn=syncing)["campaign"]["solutionVersionArn"] == v1

    engine = get_engine(settings)
    start = engine.clock()
    now = [start + DAY]
    engine.clock = lambda: now[0]
    # one day in: nothing is due yet (every 2 days, counted from the newest version)
    p.list_solutions(datasetGroupArn=ws["group"])
    assert len(_versions(clients, solution)) == 1

    now[0] = start + 2 * DAY + 60
    p.list_solutions(datasetGroupArn=ws["group"])
    versions = _versions(clients, solution)
    assert len(versions) == 2
    v2 = versions[0]["solutionVersionArn"]
    done = wait_for(lambda: p.describe_solution_version(solutionVersionArn=v2), "solutionVersion")
    assert done["status"] == "ACTIVE", done.get("failureReason")
    assert (done["trainingMode"], done["trainingType"]) == ("AUTOTRAIN", "AUTOMATIC")
    latest = p.describe_solution(solutionArn=solution)["solution"]["latestSolutionVersion"]
    assert (latest["solutionVersionArn"], latest["trainingType"]) == (v2, "AUTOMATIC")
    # the solution that opted out, and the pinned campaign, stay where they were
    assert len(_versions(clients, manual)) == 1
    assert p.describe_campaign(campaignArn=pinned)["campaign"]["solutionVersionArn"] == v1
    campaign = p.describe_campaign(campaignArn=syncing)["campaign"]
    assert campaign["solutionVersionArn"] == v2
    assert campaign["latestCampaignUpdate"]["status"] == "ACTIVE"
    items = clients.runtime.get_recommendations(campaignArn=syncing, userId="u1")["itemList"]
    assert len(items) == 25
    # no second automatic run until two days after v2
    now[0] += DAY
    p.describe_solution(solutionArn=solution)
    assert len(_versions(clients, solution)) == 2


def test_update_solution_schedule_and_the_errors(clients: Clients, settings: Settings) -> None:
    p = clients.personalize
    ws = create_group(clients, settings.data_dir)
    solution = create_solution(clients, ws["group"], "s")
    wait_for(lambda: p.describe_solution(solutionArn=solution), "solution")
    p.update_solution(
        solutionArn=solution,
        performAutoTraining=True,
        solutionUpdateConfig={"autoTrainingConfig": {"schedulingExpression": "rate(14 days)"}},
    )
    doc = p.describe_solution(solutionArn=solution)["solution"]
    assert doc["solutionConfig"]["autoTrainingConfig"]["schedulingExpression"] == "rate(14 days)"
    assert doc["latestSolutionUpdate"]["solutionUpdateConfig"]["autoTrainingConfig"] == {
        "schedulingExpression": "rate(14 days)"
    }
    with pytest.raises(p.exceptions.InvalidInputException, match="1 to 30 days"):
        p.update_solution(
            solutionArn=solution,
            solutionUpdateConfig={"autoTrainingConfig": {"schedulingExpression": "rate(31 days)"}},
        )
    with pytest.raises(p.exceptions.InvalidInputException, match="1 to 30 days"):
        p.create_solution(
            name="s2",
            datasetGroupArn=ws["group"],
            recipeArn="arn:aws:personalize:::recipe/aws-popularity-count",
            solutionConfig={"autoTrainingConfig": {"schedulingExpression": "rate(0 days)"}},
        )
    with pytest.raises(p.exceptions.ClientError) as err:  # cron is not accepted
        p.update_solution(
            solutionArn=solution,
            solutionUpdateConfig={"autoTrainingConfig": {"schedulingExpression": "cron(0 3 * *)"}},
        )
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    doc = p.describe_solution(solutionArn=solution)["solution"]  # nothing half-applied
    assert doc["solutionConfig"]["autoTrainingConfig"]["schedulingExpression"] == "rate(14 days)"
    # sync needs the /$LATEST alias, and an ACTIVE version behind it
    with pytest.raises(p.exceptions.InvalidInputException, match="no ACTIVE version"):
        p.create_campaign(
            name="c",
            solutionVersionArn=f"{solution}/$LATEST",
            campaignConfig={"syncWithLatestSolutionVersion": True},
        )
    _, version = train(clients, ws["group"], "other", "aws-popularity-count")
    with pytest.raises(p.exceptions.InvalidInputException, match="LATEST"):
        p.create_campaign(
            name="c",
            solutionVersionArn=version,
            campaignConfig={"syncWithLatestSolutionVersion": True},
        )
