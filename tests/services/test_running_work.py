"""Running work lists every resource whose status is in flight, and the in-flight statuses are
the ones the Personalize service model documents (issue #21: "Nothing running" was shown while
a solution version was CREATE STOPPING)."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import botocore
import pytest

from services.personalize import models
from services.personalize.models import Recommender, SolutionVersion, is_terminal
from services.personalize.statuses import IN_FLIGHT, STOPPABLE_VERSION, in_flight
from services.workspace.overview import DatasetGroupOverview, DatasetStatus, SolutionStatus
from services.workspace.running_work import running_work

A = "arn:aws:personalize:us-east-1:1:"
T0 = datetime(2024, 1, 1, tzinfo=UTC)
# The statuses after which nothing moves by itself, as the service model's status documentation
# names them (written out here by hand, not taken from the code under test).
FINAL = {"ACTIVE", "INACTIVE", "CREATE FAILED", "CREATE STOPPED", "COMPLETED", "FAILED"}


def _documented_statuses() -> set[str]:
    """Every status string the documentation of a ``status`` member of the botocore
    Personalize model lists ("CREATE PENDING &gt; CREATE IN_PROGRESS &gt; ACTIVE -or- …")."""
    path = Path(botocore.__file__).parent / "data/personalize/2018-05-22/service-2.json.gz"
    model = json.loads(gzip.decompress(path.read_bytes()))
    found: set[str] = set()
    for shape in model["shapes"].values():
        doc = shape.get("members", {}).get("status", {}).get("documentation", "")
        text = re.sub(r"<[^>]+>|&gt;|-or-", "\n", doc)
        for line in text.splitlines():
            # a status is upper-case words (with _), e.g. "CREATE IN_PROGRESS", "IN PROGRESS"
            found.update(re.findall(r"\b[A-Z][A-Z_]+(?: [A-Z][A-Z_]+)?\b", line))
    return found


def test_every_documented_status_is_either_in_flight_or_final() -> None:
    documented = _documented_statuses()
    # a sample the model documents, checked by reading it (so the parse above finds them)
    assert {"CREATE STOPPING", "STOP IN_PROGRESS", "IN PROGRESS", "DELETE PENDING"} <= documented
    assert documented - IN_FLIGHT - FINAL == set()
    assert not IN_FLIGHT & FINAL
    assert STOPPABLE_VERSION <= IN_FLIGHT


@pytest.mark.parametrize(
    "status",
    ["CREATE STOPPING", "STOP PENDING", "START IN_PROGRESS", "IN PROGRESS", "UPDATE PENDING"],
)
def test_in_flight_statuses_are_not_terminal(status: str) -> None:
    assert in_flight(status) and not is_terminal(status)


@pytest.mark.parametrize("status", sorted(FINAL))
def test_final_statuses_are_terminal(status: str) -> None:
    assert not in_flight(status) and is_terminal(status)


def _group(
    *,
    group_status: str = "ACTIVE",
    versions: tuple[SolutionVersion, ...] = (),
    recommenders: tuple[Recommender, ...] = (),
    datasets: tuple[DatasetStatus, ...] = (),
    trackers: tuple[models.EventTracker, ...] = (),
) -> DatasetGroupOverview:
    solution = models.Solution(f"{A}solution/s", "s", "ACTIVE")
    active = [v for v in versions if v.status == "ACTIVE"]
    solutions = (
        (
            SolutionStatus(
                solution,
                versions[0] if versions else None,
                active[0] if active else None,
                len(versions),
                versions,
            ),
        )
        if versions
        else ()
    )
    return DatasetGroupOverview(
        models.DatasetGroup(f"{A}dataset-group/g", "g", group_status),
        datasets,
        trackers,
        solutions,
        (),
        recommenders,
    )


def test_an_older_version_still_stopping_is_running_after_a_newer_one_finished() -> None:
    # v2 was stopped (CREATE STOPPING until its worker notices), v3 trained since and is ACTIVE:
    # the newest version is done, but v2 still moves.
    sol = f"{A}solution/s"
    v3 = SolutionVersion(f"{sol}/00000003", "ACTIVE", created=T0 + timedelta(hours=2))
    v2 = SolutionVersion(f"{sol}/00000002", "CREATE STOPPING", created=T0 + timedelta(hours=1))
    v1 = SolutionVersion(f"{sol}/00000001", "ACTIVE", created=T0)
    work = running_work([_group(versions=(v3, v2, v1))])
    assert [(w.kind, w.name, w.status, w.stoppable) for w in work] == [
        ("Training", "s/00000002 (FULL)", "CREATE STOPPING", False)
    ]


def test_recommenders_datasets_trackers_and_the_group_itself_are_running_work() -> None:
    rec = f"{A}recommender/"
    stopping = Recommender(f"{rec}for-you", "for-you", "STOP PENDING")
    updating = Recommender(f"{rec}best", "best", "ACTIVE", pending_status="CREATE IN_PROGRESS")
    idle = Recommender(f"{rec}idle", "idle", "INACTIVE")
    dataset = models.Dataset(f"{A}dataset/g/ITEMS", "items", "ITEMS", "DELETE IN_PROGRESS")
    importing = models.ImportJob(f"{A}dataset-import-job/j", "j", "CREATE PENDING")
    interactions = models.Dataset(f"{A}dataset/g/INTERACTIONS", "events", "INTERACTIONS", "ACTIVE")
    tracker = models.EventTracker(f"{A}event-tracker/t", "t", "CREATE IN_PROGRESS")
    group = _group(
        group_status="DELETE PENDING",
        recommenders=(stopping, updating, idle),
        datasets=(DatasetStatus(dataset, None), DatasetStatus(interactions, importing)),
        trackers=(tracker,),
    )
    work = running_work([group])
    assert [(w.kind, w.name, w.status) for w in work] == [
        ("Dataset group", "g", "DELETE PENDING"),
        ("Dataset", "items", "DELETE IN_PROGRESS"),
        ("Import", "j", "CREATE PENDING"),
        ("Event tracker", "t", "CREATE IN_PROGRESS"),
        ("Recommender", "for-you", "STOP PENDING"),
        ("Recommender update", "best", "CREATE IN_PROGRESS"),
    ]
    assert not any(w.stoppable for w in work)


def test_nothing_in_flight_is_no_work() -> None:
    sol = f"{A}solution/s"
    done = (
        SolutionVersion(f"{sol}/2", "CREATE STOPPED", created=T0 + timedelta(hours=1)),
        SolutionVersion(f"{sol}/1", "CREATE FAILED", created=T0),
    )
    recs = (Recommender(f"{A}recommender/r", "r", "INACTIVE"),)
    assert running_work([_group(versions=done, recommenders=recs)]) == []


def test_the_page_follows_once_a_refresh_ends_not_at_each_of_its_trainings() -> None:
    """Trial s12: every training a refresh started redrew the whole Operations page (greyed)
    as it ended; the refresh's own end says what they made. Hand-built lists, a poll apart."""
    from services.workspace.running_work import REFRESH, Running, settled

    def training(n: int) -> Running:
        return Running("Training", f"shop/{n:08d} (FULL)", "CREATE IN_PROGRESS", T0, f"{A}v{n}")

    refresh = Running(REFRESH, "#1 of shop", "training shop (1 of 2)", T0, f"{A}group")
    next_step = Running(REFRESH, "#1 of shop", "training shop (2 of 2)", T0, f"{A}group")
    stalled = Running(REFRESH, "#1 of shop", "stalled", T0, f"{A}group", live=False)
    # a training ends inside the running refresh, which moved on a step: the panel alone
    assert not settled([refresh, training(1)], [next_step, training(2)])
    assert not settled([refresh, training(1)], [refresh])
    # the refresh ends, or its process stops: the page follows
    assert settled([next_step, training(2)], [])
    assert settled([refresh], [stalled])
    # outside a refresh, an end is the page's at once; a start, or a next status, is not
    assert settled([training(1)], [])
    assert settled([training(1), training(2)], [training(2)])
    assert not settled([], [training(1)])
    moved_on = Running("Training", "shop/00000001 (FULL)", "CREATE STOPPING", T0, f"{A}v1")
    assert not settled([training(1)], [moved_on])
