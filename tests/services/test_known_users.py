"""Typed user IDs are checked against the users of the version that answers them (the local
engine's model file), not against the group's data: a user whose events arrived after the
version was trained is in the data, unknown to the version, and gets its popular items."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from services.config import Settings
from services.datasets.local_engine.snapshots import LocalSnapshots
from services.datasets.local_engine.trained_users import local_trained_users, trained_users_source
from services.errors import ServiceError
from services.evaluation.known_users import TrainedUsers, check_typed_users
from services.local.engine import get_engine
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from tests.local.workspace import create_group, train, wait_for


def _csv_users(path: Path) -> tuple[set[str], int]:
    """The users of an interactions CSV and its newest TIMESTAMP, read with the csv module."""
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r["USER_ID"] for r in rows}, max(int(r["TIMESTAMP"]) for r in rows)


def test_a_user_whose_events_came_after_training_is_in_the_data_not_in_the_version(
    engine_settings: Settings,
) -> None:
    clients = build_clients(engine_settings)
    p = clients.personalize
    ws = create_group(clients, engine_settings.data_dir)
    _, version = train(clients, ws["group"], "up", "aws-user-personalization")
    _, popularity = train(clients, ws["group"], "pop", "aws-popularity-count")
    campaign = p.create_campaign(name="c", solutionVersionArn=version)["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=campaign), "campaign")
    # after training: late-1 views two items the version never saw (new to the catalogue)
    tracker = p.create_event_tracker(name="t", datasetGroupArn=ws["group"])
    now = int(time.time())
    clients.events.put_events(
        trackingId=tracker["trackingId"],
        userId="late-1",
        sessionId="s",
        eventList=[{"eventType": "view", "itemId": f"new-{k}", "sentAt": now + k} for k in (1, 2)],
    )
    engine = get_engine(engine_settings)

    trained = local_trained_users(engine, version)
    assert trained is not None
    users, newest = _csv_users(
        engine_settings.data_dir / "s3" / "bucket" / "shop" / "interactions.csv"
    )
    assert set(trained.user_ids.to_pylist()) == users  # u0 … u59, late-1 not among them
    assert trained.data_to == newest
    assert local_trained_users(engine, popularity) is None  # everyone gets the same list
    assert local_trained_users(engine, version.replace(version[-8:], "00000000")) is None

    service = PersonalizeService(clients)
    datasets = [service.describe_dataset(d.arn) for d in service.list_datasets(ws["group"])]
    activity = LocalSnapshots(engine).group_data(ws["group"], datasets).user_activity
    assert "late-1" in set(activity["user"])  # the group's data has them

    typed = ["u1", "u2", "late-1", "nobody"]
    short = "/".join(version.rsplit("/", 2)[-2:])  # solution/ID, as every page names it
    finding = check_typed_users(typed, activity, trained)
    assert finding is not None and finding.code == "user_ids_partly_unknown"
    assert finding.title == f"Some of these users are unknown to version {short}"
    assert finding.detail.startswith(
        f"2 of 4 user IDs are known to version {short} ('late-1', 'nobody' are not). 1 of them "
        f"has events newer than the data version {short} was trained on: that user gets the "
        "version's popular items (unless their newest events are on items it knows) until a "
        "version trained with those events serves them."
    ), finding.detail
    # what the message claims is what the campaign serves: late-1 gets the unknown user's list
    rt = clients.runtime

    def top(user: str) -> list[str]:
        resp = rt.get_recommendations(campaignArn=campaign, userId=user, numResults=10)
        return [i["itemId"] for i in resp["itemList"]]

    assert top("late-1") == top("nobody")
    assert top("u1") != top("nobody")

    # the group's data alone (what AWS can say) counts late-1 as present, and says only that
    data = check_typed_users(typed, activity, None)
    assert data is not None
    assert data.detail.startswith("3 of 4 user IDs are in the dataset group's data ('nobody' is")
    assert "version" not in data.detail and "model" not in data.detail


def test_users_of_the_version_in_the_data_but_not_newer_are_said_apart() -> None:
    """A user left out of the version's training whose events are not newer than its data (a
    featurization percentile, an event-type filter, a late import of old events) is not said to
    have newer events."""
    trained = TrainedUsers(
        "arn:aws:personalize:::solution/s/abcd1234", pa.array(["a", "b"], pa.string()), 100
    )
    activity = pd.DataFrame(
        {"user": ["a", "b", "old", "new"], "count": [3, 3, 2, 2], "latest": [90, 100, 80, 150]}
    )
    finding = check_typed_users(["a", "b", "old", "new"], activity, trained)
    assert finding is not None
    assert (
        "1 of them has events newer than the data version s/abcd1234 was trained on"
        in finding.detail
    )
    assert (
        "1 of them is in the dataset group's data but not among the users version s/abcd1234 was "
        "trained with."
    ) in finding.detail
    assert check_typed_users(["a", "b"], activity, trained) is None  # all known: nothing to say


def test_a_damaged_model_file_is_named_not_a_traceback(engine_settings: Settings) -> None:
    clients = build_clients(engine_settings)
    ws = create_group(clients, engine_settings.data_dir)
    _, version = train(clients, ws["group"], "up", "aws-user-personalization")
    (model,) = (engine_settings.data_dir / "models").glob("*.npz")
    model.write_bytes(b"not a model")
    with pytest.raises(ServiceError, match=r"models/.*\.npz is corrupt \(truncated or damaged\)"):
        local_trained_users(get_engine(engine_settings), version)


def test_only_the_in_process_engine_lists_a_versions_users(tmp_path: Path) -> None:
    assert trained_users_source(Settings(backend="aws", region="us-east-1")) is None
    over_http = Settings(data_dir=tmp_path, endpoint_url="http://127.0.0.1:9")
    assert trained_users_source(over_http) is None
