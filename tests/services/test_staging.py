"""Staging files to check and import with the local engine's object store: the object at the
``s3://`` URI is the file the check reads and the prepare step writes (no copies)."""

from __future__ import annotations

import pytest

from services.datasets import staging
from services.datasets.snapshot import LocalObjects
from services.errors import ServiceError

URI = "s3://uploads/abc123/interactions.csv"


@pytest.fixture(autouse=True)
def scratch(tmp_path, monkeypatch):
    monkeypatch.setattr(staging, "SCRATCH", tmp_path / "scratch")
    return tmp_path / "scratch"


def test_an_upload_is_the_object_itself_and_is_written_once(tmp_path, scratch):
    store = LocalObjects(tmp_path / "s3")
    memo: list[str] = []
    path = staging.store_upload(store, URI, "abc123", "interactions.csv", b"USER_ID\nu1\n", memo)
    assert path == tmp_path / "s3" / "uploads" / "abc123" / "interactions.csv"
    assert path.read_bytes() == b"USER_ID\nu1\n"
    # The same URI again (a rerun) keeps the stored object.
    again = staging.store_upload(store, URI, "abc123", "interactions.csv", b"other", memo)
    assert again == path and path.read_bytes() == b"USER_ID\nu1\n"
    assert not scratch.exists()  # no temporary copy locally


def test_fetch_gives_the_objects_file_or_says_what_is_missing(tmp_path):
    store = LocalObjects(tmp_path / "s3")
    store.put(URI, b"x")
    assert staging.fetch(store, URI) == tmp_path / "s3" / "uploads" / "abc123" / "interactions.csv"
    with pytest.raises(ServiceError, match=r"No file at s3://uploads/none\.csv \(locally: "):
        staging.fetch(store, "s3://uploads/none.csv")
    with pytest.raises(ServiceError, match="leaves the local bucket folder"):
        staging.fetch(store, "s3://uploads/../../etc/passwd")


def test_a_prepared_file_is_written_where_the_import_reads_it(tmp_path, scratch):
    store = LocalObjects(tmp_path / "s3")
    uri = "s3://prepared/abc123/interactions-0f0f0f0f.csv"
    out = staging.output_file(store, uri)
    assert out == store.path(uri) and out.parent.is_dir()
    out.write_bytes(b"USER_ID,ITEM_ID,TIMESTAMP\n")
    staging.publish(store, uri, out)
    assert store.get(uri) == b"USER_ID,ITEM_ID,TIMESTAMP\n"
    assert not scratch.exists()
