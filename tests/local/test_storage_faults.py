"""Faults of the data directory: each job ends FAILED with its cause, nothing half-written stays,
serving answers what it can and refuses the rest with the cause, never a 500.

The faults are real where the machine allows: a full disk is the kernel's own ENOSPC from
``/dev/full`` (the file a job is about to write is a symbolic link to it), a folder that cannot
be created is a file in its place, corrupt files are truncated copies, a read-only store is
SQLite opened with ``mode=ro``. Jobs run in the test's thread (an engine without a worker, then
``JobRunner.work`` until the queue is empty), so the fault is in place before the job starts
and every test takes a second or two.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import shutil
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sqlalchemy import insert, select

from services import db as db_module
from services.config import Settings
from services.db import dispose_engines
from services.local.data.storage import bulk as bulk_module
from services.local.data.storage import tables as t
from services.local.data.storage.faults import write_cause
from services.local.data.storage.model_files import attempt_partial, sweep_partial
from services.local.engine import LocalEngine, get_engine, reset_engines
from services.local.jobs.liveness import worker_identity
from services.personalize.clients import Clients, build_clients
from tests.local.domain_shop import create_domain_shop, create_recommender
from tests.local.workspace import (
    create_group,
    stream_event,
    train,
    wait_for,
    write_interactions,
)

DEV_FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(
    not DEV_FULL.exists() or not stat.S_ISCHR(DEV_FULL.stat().st_mode),
    reason="no /dev/full (a full device) on this system",
)
ROLE = "arn:aws:iam::000000000000:role/personalize"


@dataclass(frozen=True)
class Arns:
    group: str
    interactions: str
    up_solution: str
    up_version: str
    up_campaign: str
    pop_version: str
    pop_campaign: str
    rank_version: str
    rank_campaign: str
    cat0_filter: str


@dataclass
class Shop:
    """A private copy of the template shop, opened by an engine that runs no jobs itself."""

    data_dir: Path
    settings: Settings
    arns: Arns

    @property
    def engine(self) -> LocalEngine:
        return get_engine(self.settings, start_worker=False)

    @property
    def clients(self) -> Clients:
        self.engine  # noqa: B018 - the worker-less engine must exist before the clients
        return build_clients(self.settings)

    def run_jobs(self) -> None:
        """Run every queued job in this thread, then return."""
        self.engine.jobs.work(idle_exit=0.0)

    def bulk_file(self, kind: str = "interactions") -> Path:
        """The dataset's one bulk file: Arrow IPC for interactions, Parquet for the rest."""
        suffix = "arrow" if kind == "interactions" else "parquet"
        (path,) = (self.data_dir / "bulk").glob(f"*/{kind}/*.{suffix}")
        return path

    def model_file(self, version: str) -> Path:
        with self.engine.reading() as res:
            recorded = res.get(version, "solution-version")["_modelPath"]
        return self.data_dir / recorded


RECIPES = {"up": "user-personalization", "pop": "popularity-count", "rank": "personalized-ranking"}


def _template(data_dir: Path) -> Arns:
    """The shop: three trained solutions, each deployed, a metric attribution, a filter."""
    clients = build_clients(_settings(data_dir, worker_mode="thread"))
    ws = create_group(clients, data_dir, with_items=True)
    solutions, versions, campaigns = {}, {}, {}
    for name, recipe in RECIPES.items():
        solutions[name], versions[name] = train(clients, ws["group"], name, f"aws-{recipe}")
        campaigns[name] = deploy(clients, f"{name}-c", versions[name])
    clients.personalize.create_metric_attribution(
        name="m",
        datasetGroupArn=ws["group"],
        metrics=[{"eventType": "view", "metricName": "views", "expression": "SAMPLECOUNT()"}],
        metricsOutputConfig={"roleArn": ROLE},
    )
    cat0 = clients.personalize.create_filter(
        name="cat0",
        datasetGroupArn=ws["group"],
        filterExpression='INCLUDE ItemID WHERE Items.CATEGORY IN ("cat0")',
    )["filterArn"]
    reset_engines()
    dispose_engines()  # the WAL folded into the file: a copy of the folder is complete
    up, pop = (versions["up"], campaigns["up"]), (versions["pop"], campaigns["pop"])
    rank = (versions["rank"], campaigns["rank"])
    return Arns(ws["group"], ws["dataset"], solutions["up"], *up, *pop, *rank, cat0)


def deploy(clients: Clients, name: str, version: str) -> str:
    """An ACTIVE campaign of ``version``."""
    p = clients.personalize
    campaign = p.create_campaign(name=name, solutionVersionArn=version)["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=campaign), "campaign")
    return campaign


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Arns]:
    data_dir = tmp_path_factory.mktemp("storage-faults") / "data"
    return data_dir, _template(data_dir)


def _settings(data_dir: Path, **changes: Any) -> Settings:
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    return dataclasses.replace(settings, **changes)


@pytest.fixture
def shop(template: tuple[Path, Arns], tmp_path: Path) -> Iterator[Shop]:
    source, arns = template
    data_dir = tmp_path / "data"
    shutil.copytree(source, data_dir)
    yield Shop(data_dir, _settings(data_dir), arns)
    reset_engines()
    dispose_engines()


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def refusal(call: Any) -> dict[str, Any]:
    """The error of a call that must be refused: its code, HTTP status and message."""
    with pytest.raises(ClientError) as info:
        call()
    error = info.value.response["Error"]
    return {
        "code": error["Code"],
        "status": info.value.response["ResponseMetadata"]["HTTPStatusCode"],
        "message": error["Message"],
    }


def recs(clients: Clients, campaign: str, user: str = "u1") -> list[str]:
    answer = clients.runtime.get_recommendations(campaignArn=campaign, userId=user, numResults=5)
    return [i["itemId"] for i in answer["itemList"]]


def new_version(shop: Shop, **extra: Any) -> str:
    """A queued solution version of the UP solution (the engine runs no job by itself)."""
    return shop.clients.personalize.create_solution_version(
        solutionArn=shop.arns.up_solution, **extra
    )["solutionVersionArn"]


def described(shop: Shop, version: str) -> dict[str, Any]:
    return shop.clients.personalize.describe_solution_version(solutionVersionArn=version)[
        "solutionVersion"
    ]


def import_again(shop: Shop, mode: str) -> str:
    """Queue an import of a fresh interactions file; returns the job's ARN."""
    write_interactions(shop.data_dir / "s3" / "bucket" / "again.csv", seed=1)
    return shop.clients.personalize.create_dataset_import_job(
        jobName=f"again-{mode.lower()}",
        datasetArn=shop.arns.interactions,
        dataSource={"dataLocation": "s3://bucket/again.csv"},
        importMode=mode,
    )["datasetImportJobArn"]


def import_job(shop: Shop, arn: str) -> dict[str, Any]:
    return shop.clients.personalize.describe_dataset_import_job(datasetImportJobArn=arn)[
        "datasetImportJob"
    ]


def full_device_at(path: Path) -> None:
    """Make ``path`` the kernel's full device: every write to it fails with ENOSPC."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(DEV_FULL)


@pytest.fixture(autouse=True)
def dev_full_stays_a_device() -> Iterator[None]:
    """A cleanup that deleted the link's target instead of the link would break the machine."""
    yield
    if DEV_FULL.exists():
        assert stat.S_ISCHR(os.stat(DEV_FULL).st_mode), "/dev/full is no longer a device"


# --- a corrupt or missing bulk file -------------------------------------------------------


def test_truncated_interactions_file_refuses_every_request_with_its_cause(shop: Shop) -> None:
    bulk = shop.bulk_file()
    truncate(bulk)
    c = shop.clients
    relative = bulk.relative_to(shop.data_dir).as_posix()
    calls = {
        "known user": lambda: recs(c, shop.arns.up_campaign, "u1"),
        # an unknown user must not silently get popular items: they come from the same data
        "unknown user": lambda: recs(c, shop.arns.up_campaign, "nobody"),
        "popularity": lambda: recs(c, shop.arns.pop_campaign, "nobody"),
        "ranking": lambda: c.runtime.get_personalized_ranking(
            campaignArn=shop.arns.rank_campaign, userId="u1", inputList=["i1", "i2"]
        ),
    }
    for name, call in calls.items():
        error = refusal(call)
        assert (error["code"], error["status"]) == ("InvalidInputException", 400), name
        assert error["message"] == (
            f"The bulk file {relative} is corrupt (truncated or damaged): import the "
            "Interactions dataset of dataset group shop again with importMode FULL, which "
            "replaces its bulk files."
        ), name
        assert str(shop.data_dir) not in error["message"]


def test_an_incremental_import_does_not_hide_a_corrupt_file_and_a_full_one_repairs(
    shop: Shop,
) -> None:
    truncate(shop.bulk_file())
    c = shop.clients
    incremental = import_again(shop, "INCREMENTAL")
    shop.run_jobs()
    assert import_job(shop, incremental)["status"] == "ACTIVE"
    assert "is corrupt" in refusal(lambda: recs(c, shop.arns.up_campaign, "nobody"))["message"]
    full = import_again(shop, "FULL")
    shop.run_jobs()
    assert import_job(shop, full)["status"] == "ACTIVE"
    assert len(recs(c, shop.arns.up_campaign, "nobody")) == 5


def test_training_on_a_corrupt_file_fails_with_its_cause(shop: Shop) -> None:
    truncate(shop.bulk_file())
    version = new_version(shop)
    shop.run_jobs()
    doc = described(shop, version)
    assert doc["status"] == "CREATE FAILED"
    assert doc["failureReason"].startswith("The bulk file bulk/")
    assert (
        "is corrupt (truncated or damaged): import the Interactions dataset"
        in (doc["failureReason"])
    )


def _export(shop: Shop) -> dict[str, Any]:
    p = shop.clients.personalize
    job = p.create_dataset_export_job(
        jobName="export",
        datasetArn=shop.arns.interactions,
        ingestionMode="BULK",
        roleArn=ROLE,
        jobOutput={"s3DataDestination": {"path": "s3://exports/shop/"}},
    )["datasetExportJobArn"]
    shop.run_jobs()
    return p.describe_dataset_export_job(datasetExportJobArn=job)["datasetExportJob"]


def _deletion(shop: Shop) -> dict[str, Any]:
    p = shop.clients.personalize
    (shop.data_dir / "s3" / "bucket" / "forget.csv").write_text("USER_ID\nu1\n")
    job = p.create_data_deletion_job(
        jobName="forget",
        datasetGroupArn=shop.arns.group,
        dataSource={"dataLocation": "s3://bucket/forget.csv"},
        roleArn=ROLE,
    )["dataDeletionJobArn"]
    shop.run_jobs()
    return p.describe_data_deletion_job(dataDeletionJobArn=job)["dataDeletionJob"]


def _batch(shop: Shop) -> dict[str, Any]:
    p = shop.clients.personalize
    (shop.data_dir / "s3" / "batch" / "users.json").parent.mkdir(parents=True)
    (shop.data_dir / "s3" / "batch" / "users.json").write_text('{"userId": "u1"}\n')
    job = p.create_batch_inference_job(
        jobName="batch",
        solutionVersionArn=shop.arns.up_version,
        roleArn=ROLE,
        jobInput={"s3DataSource": {"path": "s3://batch/users.json"}},
        jobOutput={"s3DataDestination": {"path": "s3://batch/out/"}},
    )["batchInferenceJobArn"]
    shop.run_jobs()
    return p.describe_batch_inference_job(batchInferenceJobArn=job)["batchInferenceJob"]


@pytest.mark.parametrize(
    ("job", "failed"),
    [(_export, "CREATE FAILED"), (_deletion, "FAILED"), (_batch, "CREATE FAILED")],
    ids=["export", "data deletion", "batch inference"],
)
def test_every_job_that_reads_a_corrupt_file_fails_with_its_cause(
    shop: Shop, job: Any, failed: str
) -> None:
    bulk = shop.bulk_file()
    truncate(bulk)
    doc = job(shop)
    assert doc["status"] == failed
    assert doc["failureReason"].startswith(
        f"The bulk file {bulk.relative_to(shop.data_dir).as_posix()} is corrupt (truncated or "
        "damaged): import the Interactions dataset"
    )


@needs_dev_full
def test_an_export_on_a_full_disk_fails_naming_the_device_and_leaves_no_file(
    shop: Shop,
) -> None:
    out = shop.data_dir / "s3" / "exports" / "shop" / "export" / "part-00000.csv"
    # The file the job's first attempt, run by this process, writes before placing it.
    partial = attempt_partial(out, worker_identity(), 1)
    assert partial.name == f".part-00000.csv.{os.getpid()}-1.tmp"
    full_device_at(partial)
    doc = _export(shop)
    assert doc["status"] == "CREATE FAILED"
    assert doc["failureReason"] == (
        f"Writing the export failed: no space left on the device holding {out.parent}."
    )
    assert not os.path.lexists(out)
    assert not os.path.lexists(partial)


def test_a_missing_bulk_file_is_named_as_missing(shop: Shop) -> None:
    bulk = shop.bulk_file()
    bulk.unlink()
    error = refusal(lambda: recs(shop.clients, shop.arns.up_campaign))
    assert error["status"] == 400
    assert f"{bulk.relative_to(shop.data_dir).as_posix()} is missing: import" in error["message"]


def test_a_corrupt_items_file_fails_only_what_needs_the_items(shop: Shop) -> None:
    truncate(shop.bulk_file("items"))
    c = shop.clients
    # Popularity needs no item data: it answers as before.
    assert len(recs(c, shop.arns.pop_campaign, "nobody")) == 5
    # User-Personalization explores new items by their creation time: it needs the items.
    error = refusal(lambda: recs(c, shop.arns.up_campaign))
    assert error["status"] == 400
    assert "/items/" in error["message"] and "import the Items dataset" in error["message"]


# --- a corrupt or missing model file ---------------------------------------------------------


def test_a_truncated_model_file_is_refused_with_its_cause(shop: Shop) -> None:
    model = shop.model_file(shop.arns.pop_version)
    truncate(model)
    error = refusal(lambda: recs(shop.clients, shop.arns.pop_campaign))
    assert (error["code"], error["status"]) == ("InvalidInputException", 400)
    assert error["message"] == (
        f"The model file models/{model.name} is corrupt (truncated or damaged): retrain "
        "(create a new version of solution pop and update the campaign to it)."
    )
    # The other campaigns of the group still answer.
    assert len(recs(shop.clients, shop.arns.up_campaign)) == 5


def test_a_missing_model_file_is_named_as_missing(shop: Shop) -> None:
    model = shop.model_file(shop.arns.pop_version)
    model.unlink()
    error = refusal(lambda: recs(shop.clients, shop.arns.pop_campaign))
    assert error["status"] == 400
    assert error["message"].startswith(f"The model file models/{model.name} is missing: retrain")


def test_a_recommenders_truncated_model_names_how_to_retrain_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    clients = build_clients(_settings(data_dir))
    ws = create_domain_shop(clients, data_dir)
    doc = create_recommender(clients, ws["group"], "best", "aws-ecomm-popular-items-by-purchases")
    assert doc["status"] == "ACTIVE", doc.get("failureReason")
    arn = doc["recommenderArn"]
    with get_engine(_settings(data_dir)).reading() as res:
        recorded = res.get(arn, "recommender")["_modelPath"]
    assert recorded.startswith("models/recommender-best-")
    truncate(data_dir / recorded)
    error = refusal(lambda: clients.runtime.get_recommendations(recommenderArn=arn, userId="u1"))
    assert (error["code"], error["status"]) == ("InvalidInputException", 400)
    assert error["message"] == (
        f"The model file {recorded} is corrupt (truncated or damaged): retrain (delete "
        "recommender best and create it again)."
    )
    reset_engines()


def test_an_update_from_a_corrupt_model_fails_with_its_cause(shop: Shop) -> None:
    truncate(shop.model_file(shop.arns.up_version))
    stream_event(shop.clients, shop.arns.group)  # an UPDATE needs new data
    version = new_version(shop, trainingMode="UPDATE")
    shop.run_jobs()
    doc = described(shop, version)
    assert doc["status"] == "CREATE FAILED"
    assert (
        "is corrupt (truncated or damaged): train with trainingMode FULL" in (doc["failureReason"])
    )


# --- a full disk, a folder that cannot be written --------------------------------------------


@needs_dev_full
def test_training_on_a_full_disk_fails_naming_the_device_and_leaves_no_file(shop: Shop) -> None:
    version = new_version(shop)
    name = f"{version.rsplit('/', 2)[-2]}-{version.rsplit('/', 1)[-1]}"
    # The file the job's first attempt, run by this process, writes the model to.
    partial = attempt_partial(shop.engine.models_dir / f"{name}.npz", worker_identity(), 1)
    assert partial.name == f"{name}.{os.getpid()}-1.tmp.npz"
    full_device_at(partial)
    shop.run_jobs()
    doc = described(shop, version)
    assert doc["status"] == "CREATE FAILED"
    assert doc["failureReason"] == (
        "Writing the model file failed: no space left on the device holding "
        f"{shop.engine.models_dir}."
    )
    assert not os.path.lexists(partial)
    assert not (shop.engine.models_dir / f"{name}.npz").exists()
    assert not list(shop.engine.models_dir.glob(f"{name}*"))  # nor any other file of it
    assert len(recs(shop.clients, shop.arns.up_campaign)) == 5  # the deployed model serves


@needs_dev_full
def test_an_import_on_a_full_disk_fails_naming_the_device_and_changes_nothing(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = recs(shop.clients, shop.arns.up_campaign, "u7")
    registered = shop.bulk_file()
    name = uuid.uuid4()
    monkeypatch.setattr(bulk_module, "uuid", SimpleNamespace(uuid4=lambda: name))
    job = import_again(shop, "FULL")
    with shop.engine.read_db.connect() as conn:
        job_id = conn.execute(select(t.jobs.c.id).where(t.jobs.c.arn == job)).scalar_one()
    folder = registered.parent
    full_device_at(folder / f"job{job_id}-{name.hex}.part")
    shop.run_jobs()
    doc = import_job(shop, job)
    assert doc["status"] == "CREATE FAILED"
    assert doc["failureReason"] == (
        f"Writing the Interactions rows failed: no space left on the device holding {folder}."
    )
    assert sorted(folder.iterdir()) == [registered]  # no partial file, the old one kept
    assert recs(shop.clients, shop.arns.up_campaign, "u7") == before


def test_a_partial_model_of_a_killed_training_is_deleted_when_no_training_runs(
    shop: Shop,
) -> None:
    models = shop.data_dir / "models"
    left = models / "up-killed.tmp.npz"  # a worker killed while it saved this model
    left.write_bytes(b"PK\x03\x04 the first bytes of a model")
    engine = shop.engine  # starting sweeps it: no training runs
    assert not left.exists()
    assert sorted(p.name for p in models.iterdir()) == sorted(
        Path(shop.model_file(v)).name
        for v in (shop.arns.up_version, shop.arns.pop_version, shop.arns.rank_version)
    )
    # While a training runs (in any process), its partial file is left alone.
    writing = models / "up-running.tmp.npz"
    writing.write_bytes(b"PK\x03\x04")
    with engine.db.begin() as conn:
        conn.execute(
            insert(t.jobs).values(
                kind="train", arn="x", state="running", attempts=1, cancel=0, created=0.0
            )
        )
    assert sweep_partial(engine.read_db, models) == []
    assert writing.exists()


def test_training_into_a_folder_that_cannot_be_created_fails_with_its_cause(shop: Shop) -> None:
    models = shop.engine.models_dir
    shutil.rmtree(models)
    models.write_text("not a folder")
    version = new_version(shop)
    shop.run_jobs()
    doc = described(shop, version)
    assert doc["status"] == "CREATE FAILED"
    assert doc["failureReason"] == (
        f"Writing the model file failed: {models} is a file where a folder is needed."
    )


@pytest.mark.parametrize(
    ("code", "cause"),
    [
        (errno.ENOSPC, "no space left on the device holding /srv/data/models"),
        (errno.EDQUOT, "the disk quota of the device holding /srv/data/models is used up"),
        (errno.EACCES, "the folder /srv/data/models is not writable (permission denied)"),
        (errno.EPERM, "the folder /srv/data/models is not writable (permission denied)"),
        (errno.EROFS, "the folder /srv/data/models is on a read-only file system"),
        (errno.EFBIG, "m.npz is larger than this process may write (a file size limit)"),
        (errno.EIO, "the device holding /srv/data/models reported an I/O error"),
    ],
)
def test_each_write_error_is_named(code: int, cause: str) -> None:
    # the errors the kernel gives a writer, as Python raises them (a filename) and as pyarrow
    # does (the errno only in the text)
    path = Path("/srv/data/models/m.npz")
    assert write_cause(OSError(code, os.strerror(code), str(path)), path) == cause
    pyarrow_style = OSError(
        f"Error writing bytes to file. Detail: [errno {code}] {os.strerror(code)}"
    )
    assert write_cause(pyarrow_style, path) == cause


# --- serving never needs a write -------------------------------------------------------------


@pytest.fixture(params=["read-only", "locked by another writer"])
def unwritable_store(
    request: pytest.FixtureRequest, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings of an engine whose database takes no write: opened read-only, or locked by
    another process's writer (our writers give up after 0.2 s instead of 30 s)."""
    database = shop.data_dir / "engine.db"
    if request.param == "read-only":
        yield _settings(shop.data_dir, engine_db_url=f"sqlite:///file:{database}?mode=ro&uri=true")
        return
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    get_engine(shop.settings, start_worker=False)  # started (its startup writes) before the lock
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield shop.settings
    finally:
        other.rollback()
        other.close()


def test_serving_answers_every_request_without_writing(
    shop: Shop, unwritable_store: Settings
) -> None:
    engine = get_engine(unwritable_store, start_worker=False)
    c = build_clients(unwritable_store)
    # The group has a metric attribution: each answer is logged for its report, which fails.
    assert len(recs(c, shop.arns.up_campaign)) == 5
    assert len(recs(c, shop.arns.pop_campaign, "nobody")) == 5
    promoted = c.runtime.get_recommendations(
        campaignArn=shop.arns.up_campaign,
        userId="u1",
        numResults=10,
        promotions=[{"name": "p", "percentPromotedItems": 50, "filterArn": shop.arns.cat0_filter}],
    )["itemList"]
    assert sum(i.get("promotionName") == "p" for i in promoted) == 5
    ranked = c.runtime.get_personalized_ranking(
        campaignArn=shop.arns.rank_campaign, userId="u1", inputList=["i1", "i2", "i3"]
    )["personalizedRanking"]
    assert sorted(r["itemId"] for r in ranked) == ["i1", "i2", "i3"]
    engine.requests.flush()  # request counts cannot be saved either: kept, no error
    engine.answers.flush()  # nor the answers: dropped with a warning, no error
    with engine.read_db.connect() as conn:
        assert conn.execute(select(t.issued)).all() == []  # the attribution log lost them


# --- a moved, restored or copied data directory ----------------------------------------------


def test_a_moved_data_directory_serves_as_before(shop: Shop, tmp_path: Path) -> None:
    before = recs(shop.clients, shop.arns.up_campaign)
    with shop.engine.reading() as res:
        assert res.get(shop.arns.up_version, "solution-version")["_modelPath"].startswith("models/")
    reset_engines()
    dispose_engines()
    moved = tmp_path / "restored" / "data"
    moved.parent.mkdir()
    shop.data_dir.rename(moved)
    shop = Shop(moved, _settings(moved), shop.arns)
    assert recs(shop.clients, shop.arns.up_campaign) == before


def test_absolute_model_paths_of_older_databases_are_read_in_this_directory(
    shop: Shop, template: tuple[Path, Arns]
) -> None:
    original = template[0]
    pop_model = shop.model_file(shop.arns.pop_version)
    with shop.engine.tx() as res:
        for version in (shop.arns.pop_version, shop.arns.up_version):
            doc = res.get(version, "solution-version")
            # as older engines recorded them: absolute, in the directory the copy came from
            doc["_modelPath"] = str(original / doc["_modelPath"])
            res.save(version, doc)
    assert len(recs(shop.clients, shop.arns.up_campaign)) == 5
    # The copy's own file is read, never the original's: damaging the copy's shows.
    truncate(pop_model)
    error = refusal(lambda: recs(shop.clients, shop.arns.pop_campaign))
    assert f"models/{pop_model.name} is corrupt" in error["message"]
