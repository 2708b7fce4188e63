"""The pages in AWS mode: missing settings are named, the account badge shows no secret.

Personalize answers from the local engine (wired in as the page's service, as the other AWS
page tests do); STS and S3 answer through the AWS tests' Stubbers (``AwsStubs``) with
model-shaped responses.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from dashboard import reads
from services.config import Settings
from services.personalize.account import describe_account
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from tests.aws.conftest import AwsStubs
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.fixture
def aws_pages(seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> Iterator[PersonalizeService]:
    local = {**os.environ, "PERSONALIZE_BACKEND": "local"}
    service = PersonalizeService(build_clients(Settings.from_env(local)))
    monkeypatch.setenv("PERSONALIZE_BACKEND", "aws")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    for name in ("PERSONALIZE_EXPORT_BUCKET", "PERSONALIZE_ROLE_ARN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("dashboard.deps.service", lambda: service)

    aws = AwsStubs()

    def account(settings: Settings) -> Any:
        caller = {
            "Account": "123456789012",
            "Arn": "arn:aws:sts::123456789012:assumed-role/DashboardViewer/s",
        }
        aws.respond("sts", "get_caller_identity", caller, {})
        return describe_account(settings, aws.client("sts"))

    monkeypatch.setattr(reads.workspace, "current_account", account)
    yield service
    aws.close()


def _texts(at: Any) -> list[str]:
    return [str(getattr(e, "value", "")) for e in at.main] + [
        str(getattr(e, "value", "")) for e in at.sidebar
    ]


def test_import_without_a_bucket_names_the_setting_and_imports_nothing(
    aws_pages: PersonalizeService, seeded: Seeded
) -> None:
    before = aws_pages.list_import_jobs(seeded.interactions)
    at = app_at("dashboard/pages/data.py")
    assert not at.exception, [e.value for e in at.exception]
    errors = [shown(e.value) for e in at.error]
    assert any("set PERSONALIZE_EXPORT_BUCKET" in e for e in errors), errors
    # Nothing to upload into, nothing to press.
    assert not [u for u in at.get("file_uploader") if u.key == "readiness_file"]
    assert not [b for b in at.button if b.key == "readiness_button"]
    assert aws_pages.list_import_jobs(seeded.interactions) == before


def test_import_without_a_role_names_that_setting(
    aws_pages: PersonalizeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERSONALIZE_EXPORT_BUCKET", "shop-bucket")
    at = app_at("dashboard/pages/data.py")
    errors = [shown(e.value) for e in at.error]
    assert any("set PERSONALIZE_ROLE_ARN" in e for e in errors), errors
    assert not [b for b in at.button if b.key == "readiness_button"]


def test_sidebar_shows_backend_account_and_region_but_no_secret(
    aws_pages: PersonalizeService,
) -> None:
    at = app_at()
    sidebar = " ".join(shown(m.value) for m in [*at.sidebar.markdown, *at.sidebar.caption])
    assert "Backend: AWS eu-west-1" in sidebar
    assert "`123456789012` · `eu-west-1`" in sidebar
    assert "role/DashboardViewer" in sidebar
    page_text = shown(" ".join(_texts(at)))  # as read: an escaped secret would still show
    for secret in (SECRET_KEY, ACCESS_KEY, SECRET_KEY[:12]):
        assert secret not in page_text


def test_solutions_say_what_personalize_does_not_report(aws_pages: PersonalizeService) -> None:
    at = app_at("dashboard/pages/solutions.py")
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "test users scored" in d.value.columns)
    # Personalize reports neither the users a version was scored on nor its data's range
    assert set(table["test users scored"]) == set(table["with truth"]) == {"–"}
    assert set(table["training data (UTC)"]) == {"–"}
    captions = " ".join(c.value for c in at.caption)
    assert "Personalize does not report how many users it scored" in captions
    assert "local engine" not in captions
    # so two versions of one event type cannot be told apart: a note, not a warning
    assert not at.warning
    assert "Personalize does not say what data each version was trained on" in captions


class ToS3AndEngine:
    """Uploads go to the stubbed S3 client and also where the local engine, standing in for
    Personalize, reads ``s3://`` locations; reads come from the engine's folder."""

    def __init__(self, s3: Any, local: Settings) -> None:
        from services.datasets.snapshot import LocalObjects

        self.s3, self.engine_side = s3, LocalObjects(local.data_dir / "s3")

    def put(self, uri: str, data: bytes) -> None:
        self.s3.put(uri, data)
        self.engine_side.put(uri, data)

    def get(self, uri: str) -> bytes:
        return self.engine_side.get(uri)

    def list(self, prefix: str) -> list[str]:
        return self.engine_side.list(prefix)


def test_aws_import_uploads_to_the_bucket_then_imports_with_the_role(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    from services.access import OPERATOR, Identity
    from services.datasets.snapshot import S3Objects, build_snapshots
    from tests.dashboard.test_data import interactions_csv

    role = "arn:aws:iam::000000000000:role/PersonalizeDashboardService"
    local = Settings.from_env({**os.environ, "PERSONALIZE_BACKEND": "local"})
    service = PersonalizeService(build_clients(local))
    monkeypatch.setenv("PERSONALIZE_BACKEND", "aws")
    monkeypatch.setenv("PERSONALIZE_EXPORT_BUCKET", "shop-bucket")
    monkeypatch.setenv("PERSONALIZE_ROLE_ARN", role)
    monkeypatch.setattr("dashboard.deps.service", lambda: service)
    # Reading data back is not under test here: exports stay in the local engine's folders.
    monkeypatch.setattr("dashboard.deps.snapshots", lambda: build_snapshots(service, local))
    data = interactions_csv()
    key = f"personalize-dashboard/uploads/{hashlib.sha256(data).hexdigest()[:16]}/events.csv"
    aws = AwsStubs()
    put = {"Bucket": "shop-bucket", "Key": key, "Body": data}
    aws.respond("s3", "put_object", {"ETag": '"e"'}, put)
    s3 = S3Objects(aws.client("s3"))
    monkeypatch.setattr("dashboard.deps.objects", lambda: ToS3AndEngine(s3, local))
    # AWS mode without [access] lets nobody act; sign-in is not under test here.
    operator = Identity("ops@example.com", OPERATOR, "password")
    monkeypatch.setattr("dashboard.identity.current", lambda: operator)
    before = {j.arn for j in service.list_import_jobs(seeded.interactions)}

    at = app_at("dashboard/pages/data.py")
    at.file_uploader(key="readiness_file").set_value(("events.csv", data, "text/csv")).run()
    at.button(key="readiness_button").click().run()
    at.button(key="readiness_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]

    aws.close()  # uploaded exactly once, to the configured prefix (no answer left unused)
    (new,) = [j for j in service.list_import_jobs(seeded.interactions) if j.arn not in before]
    raw = build_clients(local).personalize.describe_dataset_import_job(datasetImportJobArn=new.arn)
    job = raw["datasetImportJob"]
    assert job["dataSource"]["dataLocation"] == f"s3://shop-bucket/{key}"
    assert job["roleArn"] == role
