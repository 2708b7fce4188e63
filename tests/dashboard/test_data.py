"""Data page on the seeded workspace: schemas, imports, PutEvents, readiness and import."""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.db import dispose_engines
from services.local.data.storage import tables as t
from services.local.engine import reset_engines
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.store.tables import Store
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown

PAGE = "dashboard/pages/data.py"
SEEDED_EVENTS = 12 * 5  # conftest._seed: 12 users send 5 "view" events each


@pytest.fixture
def service(seeded: Seeded) -> PersonalizeService:
    return PersonalizeService(build_clients(Settings.from_env()))


def interactions_csv(*, millis: bool = False, users: int = 40, per_user: int = 30) -> bytes:
    """A clean interactions file (recent, epoch seconds), or the same in milliseconds."""
    start = int(time.time()) - 20 * 86400
    lines = ["USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE"]
    for u in range(users):
        for k in range(per_user):
            ts = start + u * 3600 + k * 600
            lines.append(f"u{u},i{(u * 7 + k) % 90},{ts * 1000 if millis else ts},view")
    return ("\n".join(lines) + "\n").encode()


def upload(at: AppTest, data: bytes, name: str = "events.csv") -> AppTest:
    at.file_uploader(key="readiness_file").set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def spec(at: AppTest, key: str) -> dict[str, Any]:
    # plotly_chart elements carry the figure JSON; match on the chart title
    for chart in at.get("plotly_chart"):
        fig = json.loads(chart.proto.spec)
        if key in fig["layout"].get("title", {}).get("text", ""):
            return fig
    raise AssertionError(f"no chart titled {key!r}")


def values(encoded: Any) -> list[Any]:
    """A plotly array as a list: plain JSON, or plotly 6's typed-array ``{dtype, bdata}``."""
    if isinstance(encoded, dict) and "bdata" in encoded:
        raw = base64.b64decode(encoded["bdata"])
        return np.frombuffer(raw, dtype=encoded["dtype"]).tolist()
    return list(encoded)


def test_schema_tables_list_the_required_fields(seeded: Seeded) -> None:
    at = app_at(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    schemas = [d.value for d in at.dataframe if list(d.value.columns)[:2] == ["field", "type"]]
    interactions = schemas[0].set_index("field")
    assert {"USER_ID", "ITEM_ID", "TIMESTAMP"} <= set(interactions.index)
    assert interactions.loc["TIMESTAMP", "type"] == "long"
    assert bool(schemas[1].set_index("field").loc["CATEGORY", "categorical"]) is True
    imports = [d.value for d in at.dataframe if "failure reason" in d.value.columns]
    assert imports[0]["status"].tolist() == ["✓ ACTIVE"]


def test_put_events_are_counted_exactly(seeded: Seeded) -> None:
    # Count independently, straight from the engine's table of streamed events.
    engine = sa.create_engine(Settings.from_env().engine_db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.interactions.c.event_type, sa.func.count())
            .where(t.interactions.c.source == "put")
            .group_by(t.interactions.c.event_type)
        ).all()
    engine.dispose()
    assert dict(rows) == {"view": SEEDED_EVENTS}

    at = app_at(PAGE)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Events received"] == str(SEEDED_EVENTS)
    assert metrics["Users"] == "12"
    # what the two counts are: PutEvents' events and their senders, not the bulk import
    (said,) = [shown(c.value) for c in at.caption if shown(c.value).startswith("Events received:")]
    assert "the 1,800 interactions imported in bulk are not counted" in said  # 60 users × 30
    assert "the distinct user IDs of those events" in said
    by_type = spec(at, "Events received by type")["data"][0]
    assert values(by_type["x"]) == ["view"] and values(by_type["y"]) == [SEEDED_EVENTS]
    hourly = spec(at, "Events received per hour")["data"]
    assert sum(sum(values(trace["y"])) for trace in hourly) == SEEDED_EVENTS
    latest = next(d.value for d in at.dataframe if "EVENT_TYPE" in d.value.columns)
    assert len(latest) == 20 and set(latest["EVENT_TYPE"]) == {"view"}
    assert any(f"{SEEDED_EVENTS} events arrived" in shown(s.value) for s in at.success)


def test_volume_and_long_tail_cover_every_interaction(seeded: Seeded) -> None:
    at = app_at(PAGE)
    bulk = 60 * 30  # tests/local/workspace.py: 60 users × 30 views
    volume = spec(at, "Interactions per")["data"]
    assert sum(sum(values(trace["y"])) for trace in volume) == bulk + SEEDED_EVENTS
    tail = values(spec(at, "long tail")["data"][0]["y"])
    assert sum(tail) == bulk + SEEDED_EVENTS
    assert list(tail) == sorted(tail, reverse=True)
    # in process the page reads the engine's storage, and says so instead of "export jobs"
    assert any("from the local engine's storage" in shown(c.value) for c in at.caption)


def test_bad_file_shows_the_error_and_cannot_be_imported(
    seeded: Seeded, service: PersonalizeService
) -> None:
    before = service.list_import_jobs(seeded.interactions)
    at = upload(app_at(PAGE), interactions_csv(millis=True))
    assert "1 error blocks this import: TIMESTAMP looks like milliseconds. See the fix below." in [
        shown(e.value) for e in at.error
    ]
    findings = next(d.value for d in at.dataframe if "fix" in d.value.columns)
    assert findings["severity"].iloc[0] == "✗ error"
    assert findings["finding"].str.contains("millisecond", case=False).any()
    assert at.button(key="readiness_button").disabled
    assert service.list_import_jobs(seeded.interactions) == before


def test_a_cp949_file_shows_its_hangul_header_and_cannot_be_imported(seeded: Seeded) -> None:
    # Korean Excel's "CSV": the header's 가격 and 색상 read as UTF-8 with replacement were both
    # '����' (a false duplicate column); read as the CP949 the finding names, they are shown.
    data = "USER_ID,ITEM_ID,TIMESTAMP,가격,색상\nu1,i1,1700000000,1000,빨강\n".encode("cp949")
    at = upload(app_at(PAGE), data)
    findings = next(d.value for d in at.dataframe if "fix" in d.value.columns)
    text = findings.to_csv()
    assert "\ufffd" not in text and "Columns 4 and 5" not in text
    # the group's schema has no such fields: each named once, in Hangul
    assert set(findings["column"]) >= {"가격", "색상"}
    assert "column '가격' that the schema" in text and "column '색상' that the schema" in text
    assert text.count("is not valid UTF-8;") == 1 and "iconv -f CP949 -t UTF-8" in text
    assert at.button(key="readiness_button").disabled


def test_good_file_is_imported_and_audited(seeded: Seeded, service: PersonalizeService) -> None:
    before = {j.arn for j in service.list_import_jobs(seeded.interactions)}
    data = interactions_csv()
    at = upload(app_at(PAGE), data)
    assert not at.error, [shown(e.value) for e in at.error]
    # the dataset has bulk data, so INCREMENTAL is preselected: replacing it is a choice
    assert at.radio(key="readiness_mode").value == "INCREMENTAL"
    at.radio(key="readiness_mode").set_value("FULL").run()
    at.button(key="readiness_button").click().run()
    # FULL replaces data: nothing starts before the dialog is confirmed
    assert not at.exception, [e.value for e in at.exception]
    assert {j.arn for j in service.list_import_jobs(seeded.interactions)} == before
    at.button(key="readiness_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("started (FULL)" in shown(s.value) for s in at.success), [
        shown(s.value) for s in at.success
    ]
    new = [j for j in service.list_import_jobs(seeded.interactions) if j.arn not in before]
    assert len(new) == 1 and new[0].import_mode == "FULL"
    job = service.describe_import_job(new[0].arn)
    assert job.location and job.location.startswith("s3://uploads/")
    saved = Settings.from_env().data_dir / "s3" / job.location[len("s3://") :]
    assert saved.read_bytes() == data
    audit = Store(Settings.from_env().dashboard_db_url).recent_actions(5)
    assert audit[0].action == "create_dataset_import_job" and audit[0].target == seeded.interactions
    # The new job shows in the history table once its list is re-read.
    names = {j.name for j in service.list_import_jobs(seeded.interactions)}
    table = next(d.value for d in at.dataframe if "failure reason" in d.value.columns)
    assert new[0].name in set(table["job"]) and set(table["job"]) <= names


def test_file_at_an_s3_location_is_checked(seeded: Seeded) -> None:
    path = Settings.from_env().data_dir / "s3" / "bucket" / "drop" / "events.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(interactions_csv(millis=True))
    at = app_at(PAGE)
    at.radio(key="readiness_source").set_value("S3 location").run()
    at.text_input(key="readiness_s3").set_value("s3://bucket/drop/missing.csv").run()
    assert any("No file at s3://bucket/drop/missing.csv" in shown(e.value) for e in at.error)
    at.text_input(key="readiness_s3").set_value("s3://bucket/drop/events.csv").run()
    assert "1 error blocks this import: TIMESTAMP looks like milliseconds. See the fix below." in [
        shown(e.value) for e in at.error
    ]
    assert at.button(key="readiness_button").disabled


@pytest.fixture
def empty_workspace(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A local engine with nothing in it."""
    monkeypatch.setenv("PERSONALIZE_BACKEND", "local")
    monkeypatch.setenv("PERSONALIZE_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("PERSONALIZE_LOCAL_LIFECYCLE_SECONDS", "0")
    monkeypatch.setenv("PERSONALIZE_LOCAL_WORKER", "thread")
    for name in ("PERSONALIZE_ENDPOINT_URL", "DASHBOARD_DB_URL", "LOCAL_ENGINE_DB_URL"):
        monkeypatch.delenv(name, raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
    reset_engines()
    dispose_engines()


@pytest.mark.parametrize("page", [PAGE, "dashboard/pages/recommendations.py"])
def test_empty_workspace_says_what_to_do(empty_workspace: None, page: str) -> None:
    at = app_at(page)
    assert not at.exception, [e.value for e in at.exception]
    assert any("No dataset group yet" in shown(i.value) for i in at.info)


def test_aws_mode_without_a_bucket_names_the_variable(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    # AWS settings, but the clients still reach the local engine through its endpoint hook:
    # only the export configuration is missing, and the page says which variable to set.
    monkeypatch.setenv("PERSONALIZE_BACKEND", "aws")
    monkeypatch.delenv("PERSONALIZE_EXPORT_BUCKET", raising=False)
    monkeypatch.setattr(
        "dashboard.deps.service",
        lambda: PersonalizeService(build_clients(Settings.from_env(_local_env()))),
    )
    at = app_at(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    texts = [shown(w.value) for w in at.warning] + [shown(e.value) for e in at.error]
    assert any("PERSONALIZE_EXPORT_BUCKET" in t for t in texts), texts


def _local_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PERSONALIZE_BACKEND"] = "local"
    return env
