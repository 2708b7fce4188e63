"""CreateDataDeletionJob: users leave the data at once and the model at the next training."""

from __future__ import annotations

import csv

import pytest

from services.config import Settings
from services.personalize.clients import Clients
from tests.local.workspace import create_group, train, wait_for

DONE = ("COMPLETED", "FAILED")
ROLE = "arn:aws:iam::000000000000:role/personalize"


def test_deleted_users_leave_the_data_then_the_model(clients: Clients, settings: Settings) -> None:
    p, rt = clients.personalize, clients.runtime
    ws = create_group(clients, settings.data_dir)
    solution, _ = train(clients, ws["group"], "up", "aws-user-personalization")
    before = rt.get_recommendations(campaignArn=_campaign(clients, solution), userId="u0")
    assert "reason" not in before["itemList"][0]  # a known user: personalised

    with (settings.data_dir / "s3" / "bucket" / "forget.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows([["USER_ID"], ["u0"], ["u3"], ["nobody"]])
    job = p.create_data_deletion_job(
        jobName="forget",
        datasetGroupArn=ws["group"],
        dataSource={"dataLocation": "s3://bucket/forget.csv"},
        roleArn=ROLE,
    )["dataDeletionJobArn"]
    doc = wait_for(
        lambda: p.describe_data_deletion_job(dataDeletionJobArn=job), "dataDeletionJob", done=DONE
    )
    # workspace.write_interactions gives each user 30 interactions → 2 users × 30
    assert (doc["status"], doc["numDeleted"]) == ("COMPLETED", 60)
    listed = p.list_data_deletion_jobs(datasetGroupArn=ws["group"])["dataDeletionJobs"]
    assert [j["jobName"] for j in listed] == ["forget"]

    version = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    wait_for(lambda: p.describe_solution_version(solutionVersionArn=version), "solutionVersion")
    fresh = p.create_campaign(name="fresh", solutionVersionArn=version)["campaignArn"]
    after = rt.get_recommendations(campaignArn=fresh, userId="u0")["itemList"]
    assert all(i.get("reason") == ["Popular item"] for i in after), after  # u0 is now unknown
    kept = rt.get_recommendations(campaignArn=fresh, userId="u1")["itemList"]
    assert "reason" not in kept[0]


def _campaign(clients: Clients, solution: str) -> str:
    p = clients.personalize
    arn = p.create_campaign(name="c", solutionVersionArn=f"{solution}/$LATEST")["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=arn), "campaign")
    return arn


def test_a_file_without_user_ids_fails_the_job_and_deletes_nothing(
    clients: Clients, settings: Settings
) -> None:
    p = clients.personalize
    ws = create_group(clients, settings.data_dir)
    bad = settings.data_dir / "s3" / "bucket" / "bad.csv"
    bad.write_text("ITEM_ID\ni1\n")
    job = p.create_data_deletion_job(
        jobName="bad",
        datasetGroupArn=ws["group"],
        dataSource={"dataLocation": "s3://bucket/bad.csv"},
        roleArn=ROLE,
    )["dataDeletionJobArn"]
    doc = wait_for(
        lambda: p.describe_data_deletion_job(dataDeletionJobArn=job), "dataDeletionJob", done=DONE
    )
    assert doc["status"] == "FAILED" and "USER_ID" in doc["failureReason"]
    assert "numDeleted" not in doc
    with pytest.raises(p.exceptions.ResourceNotFoundException):
        p.create_data_deletion_job(
            jobName="x",
            datasetGroupArn=ws["group"].replace("/shop", "/missing"),
            dataSource={"dataLocation": "s3://bucket/bad.csv"},
            roleArn=ROLE,
        )
    with pytest.raises(p.exceptions.ResourceAlreadyExistsException):
        p.create_data_deletion_job(
            jobName="bad",
            datasetGroupArn=ws["group"],
            dataSource={"dataLocation": "s3://bucket/bad.csv"},
            roleArn=ROLE,
        )
