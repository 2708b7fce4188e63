"""Several engine processes on one database (a shared deployment, issue #25), on SQLite and on
PostgreSQL: a job is claimed by one process only, and every job runs exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from services.config import Settings
from services.db import make_engine
from services.local.data.storage import tables as t
from services.local.engine import get_engine
from services.personalize.clients import build_clients
from tests.local.server import ROOT
from tests.local.workspace import INTERACTIONS_SCHEMA, wait_for, write_interactions


@pytest.fixture
def settings(shared_settings: Settings) -> Settings:
    return shared_settings


def _start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", **(env or {})},
    )


def test_two_processes_never_claim_one_job(settings: Settings) -> None:
    jobs = 120
    engine = get_engine(settings, start_worker=False)  # queues, never runs
    with engine.db.begin() as conn:
        for i in range(jobs):
            engine.jobs.enqueue(conn, "import", f"arn:job/{i}")
    claimers = [
        _start(["tests.local.claimer", str(settings.data_dir), settings.engine_db_url])
        for _ in range(2)
    ]
    try:
        for proc in claimers:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in claimers:  # both start claiming at once
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=120) for proc in claimers]
    finally:
        for proc in claimers:
            proc.kill()
    assert [proc.returncode for proc in claimers] == [0, 0], [err for _, err in outputs]
    first, second = (json.loads(out.strip().splitlines()[-1]) for out, _ in outputs)
    assert not set(first) & set(second)  # no job claimed by both
    assert len(first) + len(second) == jobs and len(set(first + second)) == jobs
    # (whether both got some depends on scheduling: on SQLite one process can take all 120
    # before the other's first claim, which is still correct)
    with engine.read_db.connect() as conn:
        rows = conn.execute(sa.select(t.jobs.c.state, t.jobs.c.attempts, t.jobs.c.worker)).all()
    assert {(row.state, row.attempts) for row in rows} == {("running", 1)}
    assert 1 <= len({row.worker for row in rows}) <= 2


def test_two_worker_processes_run_every_import_once(settings: Settings) -> None:
    # Four imports queued by an engine that runs nothing; two `python -m services.local worker`
    # processes (what two hosts of a shared deployment run) take them from the one database.
    p = build_clients(settings).personalize
    get_engine(settings, start_worker=False)
    schema = p.create_schema(name="shared", schema=INTERACTIONS_SCHEMA)["schemaArn"]
    imports = []
    for n in range(4):  # the quota is 5 dataset groups
        group = p.create_dataset_group(name=f"shared{n}")["datasetGroupArn"]
        dataset = p.create_dataset(
            name=f"shared{n}", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
        )["datasetArn"]
        rows = write_interactions(settings.data_dir / "s3" / "b" / f"{n}.csv", seed=n)
        job = p.create_dataset_import_job(
            jobName=f"shared{n}",
            datasetArn=dataset,
            dataSource={"dataLocation": f"s3://b/{n}.csv"},
        )["datasetImportJobArn"]
        imports.append((job, rows))
    env = {
        "PERSONALIZE_DATA_DIR": str(settings.data_dir),
        "LOCAL_ENGINE_DB_URL": settings.engine_db_url,
        "PERSONALIZE_LOCAL_LIFECYCLE_SECONDS": "0",
    }
    workers = [_start(["services.local", "worker", "--idle-exit", "1"], env=env) for _ in range(2)]
    try:
        for job, _ in imports:
            done = wait_for(
                lambda job=job: p.describe_dataset_import_job(datasetImportJobArn=job),
                "datasetImportJob",
                timeout=120,
            )
            assert done["status"] == "ACTIVE", done.get("failureReason")
        outputs = [proc.communicate(timeout=60) for proc in workers]
    finally:
        for proc in workers:
            proc.kill()
    assert [proc.returncode for proc in workers] == [0, 0], [err[-2000:] for _, err in outputs]
    reader = make_engine(settings.engine_db_url, read_only=True)
    with reader.connect() as conn:
        rows = conn.execute(sa.select(t.jobs.c.arn, t.jobs.c.state, t.jobs.c.attempts)).all()
    assert sorted(rows) == sorted((job, "done", 1) for job, _ in imports)
    # Each import registered one bulk file holding its rows: none was imported twice.
    with reader.connect() as conn:
        files = conn.execute(sa.select(t.bulk_files.c.rows)).scalars().all()
    assert sorted(files) == sorted(rows for _, rows in imports)
    assert len(list((settings.data_dir / "bulk").rglob("*.arrow"))) == len(imports)
