"""CreateDataDeletionJob: users leave the data at once and the model at the next training."""

from __future__ import annotations

import csv
from typing import Any

import pytest

from services.config import Settings
from services.local.engine import get_engine, reset_engines
from services.local.jobs.context import JobContext
from services.local.jobs.tasks import data_deletion as deletion
from services.personalize.clients import Clients, build_clients
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
    tags = [{"tagKey": "team", "tagValue": "recs"}]  # API reference: CreateDataDeletionJob
    job = p.create_data_deletion_job(
        jobName="bad",
        datasetGroupArn=ws["group"],
        dataSource={"dataLocation": "s3://bucket/bad.csv"},
        roleArn=ROLE,
        tags=tags,
    )["dataDeletionJobArn"]
    assert p.list_tags_for_resource(resourceArn=job)["tags"] == tags
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


def test_two_deletion_jobs_of_a_group_racing_both_take_effect(
    clients: Clients, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group may hold 5 PENDING deletion jobs (developer guide, "Amazon Personalize endpoints
    and quotas"), and processes sharing a data directory each run jobs: job B rewrites and swaps
    in the group's Interactions file while job A is between staging its own rewrite and swapping
    it in. A must stage again from B's file, or u1, whom B deleted, would come back."""
    ws = create_group(clients, settings.data_dir)
    reset_engines()
    engine = get_engine(settings, start_worker=False)  # the test runs the two jobs itself
    p = build_clients(settings).personalize
    jobs = {}
    for user in ("u0", "u1"):
        (settings.data_dir / "s3" / "bucket" / f"{user}.csv").write_text(f"USER_ID\n{user}\n")
        jobs[user] = p.create_data_deletion_job(
            jobName=f"forget-{user}",
            datasetGroupArn=ws["group"],
            dataSource={"dataLocation": f"s3://bucket/{user}.csv"},
            roleArn=ROLE,
        )["dataDeletionJobArn"]

    real = deletion._stage_without
    stagings: list[list[str]] = []

    def stage_then_let_b_finish(*args: Any) -> Any:
        staged = real(*args)
        stagings.append(args[2])
        if len(stagings) == 1:  # A has staged: B now runs from start to end
            deletion.run_data_deletion(engine, jobs["u1"], JobContext(engine.jobs, 2, jobs["u1"]))
        return staged

    monkeypatch.setattr(deletion, "_stage_without", stage_then_let_b_finish)
    deletion.run_data_deletion(engine, jobs["u0"], JobContext(engine.jobs, 1, jobs["u0"]))

    assert stagings == [["u0"], ["u1"], ["u0"]]  # A staged again after B's swap
    for user in ("u0", "u1"):
        doc = p.describe_data_deletion_job(dataDeletionJobArn=jobs[user])["dataDeletionJob"]
        assert (doc["status"], doc["numDeleted"]) == ("COMPLETED", 30)  # 30 rows a user
    table = engine.bulk.read(engine.read_db, ws["group"], "Interactions")
    assert table is not None
    users = set(table["USER_ID"].to_pylist())
    # workspace.write_interactions: users u0..u59, 30 interactions each
    assert users == {f"u{u}" for u in range(2, 60)}
    assert table.num_rows == 58 * 30
