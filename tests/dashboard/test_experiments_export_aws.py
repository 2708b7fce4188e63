"""The Experiments page in AWS mode, judged on its events read back by a dataset export.

Personalize is the local engine answering as AWS would (``aws_pages``): the page's button starts
the real CreateDatasetExportJob calls, the engine writes the CSV files, and S3 is a Stubber
whose model-shaped answers carry exactly those files. The verdict is the one the local mode
finds for the same traffic; what the export cannot carry (sessions, lists, arms named by the
events) is shown as unknown, not 0.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.datasets.snapshot import S3Objects
from services.experiments.records import Experiment
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.personalize.models import DatasetExportJob, is_terminal
from services.polling import Polling, wait_for
from tests.aws.conftest import AwsStubs
from tests.dashboard.conftest import APP, TIMEOUT, Seeded, viewer_at
from tests.dashboard.rendered import shown
from tests.dashboard.test_aws_mode import aws_pages  # noqa: F401 (a fixture)
from tests.dashboard.test_experiments import ITEMS, _audit, _start, forge_confirm
from tests.dashboard.test_faults import OPERATOR_PW, operator_hash
from tests.dashboard.test_korean_pages import (
    assert_dialog_is_korean,
    open_in_korean,
    workspace_vocabulary,
)
from tests.experiments.traffic import send_traffic

PAGE = "dashboard/pages/experiments.py"
BUCKET = "shop-bucket"
ROLE = "arn:aws:iam::123456789012:role/PersonalizeS3"
FOLDER = "personalize-dashboard/exports/experiments/"


@pytest.fixture
def on_aws(
    aws_pages: PersonalizeService,  # noqa: F811
    seeded: Seeded,
    monkeypatch: pytest.MonkeyPatch,
) -> AwsStubs:
    """AWS settings with the export bucket and role; S3 is a Stubber."""
    monkeypatch.setenv("PERSONALIZE_EXPORT_BUCKET", BUCKET)
    monkeypatch.setenv("PERSONALIZE_ROLE_ARN", ROLE)
    aws = AwsStubs()
    monkeypatch.setattr("dashboard.deps.objects", lambda: S3Objects(aws.client("s3")))
    return aws


def _traffic(seeded: Seeded) -> Experiment:
    """Three days of an experiment; B's shoppers buy 3.5 times as often (as the local test)."""
    import time

    experiment = _start(seeded, "export-ab")
    local = build_clients(Settings.from_env({**os.environ, "PERSONALIZE_BACKEND": "local"}))
    users = [f"shopper-{n}" for n in range(400)]
    send_traffic(
        local, seeded.tracking_id, experiment, users, ITEMS,
        base_rate=0.1, lift=2.5, at=int(time.time()) - 3_600,
    )  # fmt: skip
    return experiment


def _finished(service: PersonalizeService, dataset: str) -> DatasetExportJob:
    [job] = service.list_dataset_export_jobs(dataset)
    return wait_for(
        lambda: service.describe_dataset_export_job(job.arn),
        lambda j: is_terminal(j.status),
        Polling(0.05, 60.0),
    )


def _answer_from_files(aws: AwsStubs, job: DatasetExportJob) -> None:
    """S3's answers to the page's reads of ``job``: the files the engine wrote there."""
    root = Path(os.environ["PERSONALIZE_DATA_DIR"]) / "s3" / BUCKET
    prefix = FOLDER + job.name
    files = sorted(p for p in root.rglob("*") if p.is_file())
    keys = [p.relative_to(root).as_posix() for p in files]
    mine = [(k, p) for k, p in zip(keys, files, strict=True) if k.startswith(prefix)]
    assert mine, keys
    aws.respond(
        "s3",
        "list_objects_v2",
        {"Contents": [{"Key": k, "Size": p.stat().st_size} for k, p in mine], "IsTruncated": False},
        {"Bucket": BUCKET, "Prefix": prefix},
    )
    for key, path in mine:
        aws.respond("s3", "get_object", {"Body": path.read_bytes()}, {"Bucket": BUCKET, "Key": key})


def _operator_at(page: str, language: str = "en") -> AppTest:
    """The app in ``language`` with one account, otto, an operator (AWS mode grants nobody
    else actions), signed in and switched to ``page``."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["language"] = language
    at.secrets["access"] = {
        "accounts": {"otto": {"role": "operator", "password_hash": operator_hash()}}
    }
    at.run()
    at.text_input(key="sign_in_name").input("otto")
    at.text_input(key="sign_in_password").input(OPERATOR_PW)
    at.button(key="sign_in_button").click().run()
    return at.switch_page(page).run()


def test_the_export_dialog_reads_in_korean(
    aws_pages: PersonalizeService,  # noqa: F811
    seeded: Seeded,
    on_aws: AwsStubs,
) -> None:
    """The export's confirmation in Korean: its title, what it will do and its buttons, and the
    AWS page under it, show no English but data (the signed-in operator's name, the region)."""
    experiment = _start(seeded, "x-2")
    at = _operator_at(PAGE, "ko")
    key = f"experiment_export_{experiment.id}"
    open_in_korean(at, lambda at: at.button(key=f"{key}_button").click().run())
    assert_dialog_is_korean(at, workspace_vocabulary("otto", "eu-west-1"))
    assert aws_pages.list_dataset_export_jobs(seeded.interactions) == []  # nothing started


def _texts(at: AppTest, kind: str) -> list[str]:
    return [shown(e.value) for e in getattr(at, kind)]


def test_on_aws_the_exported_events_give_the_verdict(
    aws_pages: PersonalizeService,  # noqa: F811
    seeded: Seeded,
    on_aws: AwsStubs,
) -> None:
    experiment = _traffic(seeded)
    at = _operator_at(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert any(t.startswith("No export yet") for t in _texts(at, "info"))
    path = at.text_input(key=f"experiment_export_path_{experiment.id}")
    assert path.value == f"s3://{BUCKET}/{FOLDER}"
    key = f"experiment_export_{experiment.id}"
    at.button(key=f"{key}_button").click().run()
    assert "ingestionMode PUT" in " ".join(shown(m.value) for m in at.markdown)
    at.button(key=f"{key}_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]

    events = _finished(aws_pages, seeded.interactions)
    items = _finished(aws_pages, seeded.items)
    assert (events.status, events.ingestion_mode) == ("ACTIVE", "PUT")
    assert (items.status, items.ingestion_mode) == ("ACTIVE", "ALL")
    assert events.output_path == f"s3://{BUCKET}/{FOLDER}"
    _answer_from_files(on_aws, events)
    _answer_from_files(on_aws, items)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    on_aws.close()  # every S3 answer was asked for

    [headline] = [t for t in _texts(at, "success") if " beats " in t]
    assert headline.startswith("B beats A on revenue per user by +"), headline
    assert "95% CI" in headline
    arms = at.dataframe[0].value
    assert list(arms["arm"]) == ["A", "B"]
    # 400 shoppers and the seeded 12 visitors, each counted once in one arm
    assert sum(int(v.replace(",", "")) for v in arms["users"]) == 412
    for column in ("sessions", "lists acted on", "clicks", "revenue per session"):
        assert list(arms[column]) == ["–", "–"], column
    unknown = " ".join(_texts(at, "warning"))
    assert "a dataset export has no session ID" in unknown
    assert "no RECOMMENDATION_ID field" in unknown
    assert "no EVENT_ATTRIBUTION_SOURCE field" in unknown
    [row] = _audit("export_experiment_events")
    assert (row.result, row.target) == ("ok", experiment.name)
    assert row.params["output"] == f"s3://{BUCKET}/{FOLDER}"
    assert events.arn in (row.message or "") and items.arn in (row.message or "")


def test_a_viewer_cannot_start_an_export(
    aws_pages: PersonalizeService,  # noqa: F811
    seeded: Seeded,
    on_aws: AwsStubs,
) -> None:
    experiment = _start(seeded, "viewer-ab")
    at = viewer_at(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    key = f"experiment_export_{experiment.id}"
    button = at.button(key=f"{key}_button")
    assert button.disabled and "vera is a viewer" in button.help
    forge_confirm(at, key, "export_experiment_events")  # the server-side check refuses too
    assert aws_pages.list_dataset_export_jobs(seeded.interactions) == []
