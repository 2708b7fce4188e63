"""A resource waiting in CREATE PENDING says what it is queued behind (issue #21).

The demo seed printed "waiting 142s for recommenders/demo-best-sellers (CREATE PENDING)"
for minutes while the engine's one worker trained other versions, without saying so. Now the
setup file's progress lines (the demo seed applies its setup file) name the job running ahead
and the resource's position in the in-process engine's job queue
(``services.local.jobs.job_table.place``, worded by ``services.datasets.local_engine.queue``).
The engine here runs no job itself: the tests queue and claim the job rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.config import Settings
from services.datasets.local_engine.queue import queue_source
from services.local.engine import LocalEngine, get_engine, reset_engines
from services.local.jobs import job_table
from services.polling import Polling
from services.setup_file.waiting import Wait, wait_all

ACCOUNT = "arn:aws:personalize:us-east-1:000000000000"
VERSION = f"{ACCOUNT}:solution/shop-up/1a2b3c4d"
RECOMMENDER = f"{ACCOUNT}:recommender/best-sellers"
IMPORT = f"{ACCOUNT}:dataset-import-job/items-20240301"


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    settings = Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="thread")
    get_engine(settings, start_worker=False)  # queues, never runs: the tests claim jobs
    yield settings
    reset_engines()


def _queue(engine: LocalEngine, *jobs: tuple[str, str]) -> None:
    with engine.db.begin() as conn:
        for kind, arn in jobs:
            job_table.enqueue(conn, kind, arn)


def test_a_queued_job_knows_what_runs_and_its_position(settings: Settings) -> None:
    engine = get_engine(settings)
    _queue(engine, ("train", VERSION), ("train-recommender", RECOMMENDER), ("import", IMPORT))
    with engine.read_db.connect() as conn:
        # nothing claimed yet: the recommender is second in line, nothing runs
        assert job_table.place(conn, RECOMMENDER) == job_table.QueuePlace(2, ())
    claimed = job_table.claim(engine.db, "worker-1")
    assert claimed is not None and claimed[1:] == ("train", VERSION)  # the oldest first
    with engine.read_db.connect() as conn:
        running = (("train", VERSION),)
        assert job_table.place(conn, RECOMMENDER) == job_table.QueuePlace(1, running, True)
        assert job_table.place(conn, IMPORT) == job_table.QueuePlace(2, running, True)
        assert job_table.place(conn, VERSION) is None  # it runs: not in the queue
        assert job_table.place(conn, f"{ACCOUNT}:recommender/none") is None


def _pending_then_active(statuses: list[str]) -> Wait:
    left = list(statuses)
    return Wait(
        "waiting for recommenders/best-sellers",
        lambda: {"status": left.pop(0) if len(left) > 1 else left[0]},
        arn=RECOMMENDER,
    )


def _lines(wait: Wait, settings: Settings | None) -> list[str]:
    said: list[str] = []
    wait_all(
        [wait],
        Polling(0.0, 30.0),
        say=said.append,
        progress_s=0.0,  # a line between every two reads
        on_step=lambda _: None,
        queued=queue_source(settings) if settings else None,
    )
    return [line.split(" so far for ", 1)[1] for line in said]


def test_the_progress_line_says_what_a_pending_resource_is_queued_behind(
    settings: Settings,
) -> None:
    engine = get_engine(settings)
    _queue(engine, ("train", VERSION), ("import", IMPORT), ("train-recommender", RECOMMENDER))
    statuses = ["CREATE PENDING", "CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]
    before = _lines(_pending_then_active(statuses), settings)
    assert before[0] == (
        "recommenders/best-sellers (CREATE PENDING: queued, position 3 in the queue; no job has "
        "run yet)"
    )
    job_table.claim(engine.db, "worker-1")
    lines = _lines(_pending_then_active(statuses), settings)
    assert lines == [
        "recommenders/best-sellers (CREATE PENDING: queued behind the train job of "
        "solution/shop-up/1a2b3c4d, position 2 in the queue)",
        "recommenders/best-sellers (CREATE PENDING: queued behind the train job of "
        "solution/shop-up/1a2b3c4d, position 2 in the queue)",
        "recommenders/best-sellers (CREATE IN_PROGRESS)",  # started: no queue to name
    ]
    # AWS (or an engine over HTTP) reports no queue: the status alone, as before
    assert _lines(_pending_then_active(statuses), None)[0] == (
        "recommenders/best-sellers (CREATE PENDING)"
    )


def test_with_nothing_running_the_line_says_whether_any_job_has_run(settings: Settings) -> None:
    """ "No job is running yet" read the same before the first job and between two jobs (a
    trial's demo seed); the line now says which is true."""
    engine = get_engine(settings)
    _queue(engine, ("train", VERSION), ("train-recommender", RECOMMENDER))
    line = queue_source(settings)
    assert line is not None
    assert line(RECOMMENDER) == "queued, position 2 in the queue; no job has run yet"
    claimed = job_table.claim(engine.db, "worker-1")
    assert claimed is not None
    with engine.db.begin() as conn:
        assert job_table.settle(conn, claimed[0], "worker-1", "done")
    with engine.read_db.connect() as conn:
        assert job_table.place(conn, RECOMMENDER) == job_table.QueuePlace(1, (), True)
    assert line(RECOMMENDER) == "queued, position 1 in the queue; no job is running now"
