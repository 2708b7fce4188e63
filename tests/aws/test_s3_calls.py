"""The S3 object store of AWS mode (uploads, export reads) against model-shaped answers."""

from __future__ import annotations

import pytest

from services.datasets import staging
from services.datasets.snapshot import S3Objects, read_csv_parts
from services.errors import ServiceError
from tests.aws.conftest import AwsStubs

PREFIX = "s3://shop-bucket/personalize-dashboard/exports/INTERACTIONS/snap/"


def test_upload_puts_the_bytes_under_the_key(aws: AwsStubs) -> None:
    data = b"USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1700000000\n"
    aws.respond(
        "s3",
        "put_object",
        {"ETag": '"abc"'},
        {"Bucket": "shop-bucket", "Key": "personalize-dashboard/uploads/x.csv", "Body": data},
    )
    S3Objects(aws.client("s3")).put("s3://shop-bucket/personalize-dashboard/uploads/x.csv", data)


def test_export_parts_are_listed_then_read(aws: AwsStubs) -> None:
    key = "personalize-dashboard/exports/INTERACTIONS/snap/"
    aws.respond(
        "s3",
        "list_objects_v2",
        {
            "Contents": [
                {"Key": f"{key}_SUCCESS", "Size": 0},
                {"Key": f"{key}part-1.csv", "Size": 40},
            ],
            "IsTruncated": False,
        },
        {"Bucket": "shop-bucket", "Prefix": key},
    )
    aws.respond(
        "s3",
        "get_object",
        {"Body": b"USER_ID,ITEM_ID,TIMESTAMP\n007,i1,1700000000\n"},
        {"Bucket": "shop-bucket", "Key": f"{key}part-1.csv"},
    )
    frame = read_csv_parts(S3Objects(aws.client("s3")), PREFIX)
    # IDs stay strings: "007" keeps its zeros.
    assert frame.to_dict("records") == [
        {"USER_ID": "007", "ITEM_ID": "i1", "TIMESTAMP": 1700000000}
    ]


def test_access_denied_names_the_object(aws: AwsStubs) -> None:
    aws.fail("s3", "get_object", "AccessDenied", 403)
    with pytest.raises(
        ServiceError, match=r"S3 refused reading s3://shop-bucket/k \(AccessDenied\)"
    ):
        S3Objects(aws.client("s3")).get("s3://shop-bucket/k")


def test_an_upload_is_put_once_per_session_and_checked_from_a_private_copy(
    aws: AwsStubs, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staging, "SCRATCH", tmp_path)
    data = b"USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1700000000\n"
    key = "personalize-dashboard/uploads/abc123/x.csv"
    aws.respond("s3", "put_object", {"ETag": '"abc"'}, {"Bucket": "b", "Key": key, "Body": data})
    store, memo = S3Objects(aws.client("s3")), []
    path = staging.store_upload(store, f"s3://b/{key}", "abc123", "x.csv", data, memo)
    # A rerun of the page: no second PutObject (the stubber would refuse an unqueued call).
    again = staging.store_upload(store, f"s3://b/{key}", "abc123", "x.csv", data, memo)
    assert path == again == tmp_path / "abc123" / "x.csv"
    assert path.read_bytes() == data


def test_a_typed_location_is_downloaded_and_a_prepared_file_uploaded(
    aws: AwsStubs, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staging, "SCRATCH", tmp_path)
    store = S3Objects(aws.client("s3"))
    aws.respond("s3", "get_object", {"Body": b"raw"}, {"Bucket": "b", "Key": "drop/raw.csv"})
    fetched = staging.fetch(store, "s3://b/drop/raw.csv")
    assert fetched.read_bytes() == b"raw" and fetched.parent.parent == tmp_path
    out = staging.output_file(store, "s3://b/prepared/p.csv")
    assert out == tmp_path / "prepared" / "p.csv"
    out.write_bytes(b"converted")
    body = {"Bucket": "b", "Key": "prepared/p.csv", "Body": b"converted"}
    aws.respond("s3", "put_object", {"ETag": '"e"'}, body)
    staging.publish(store, "s3://b/prepared/p.csv", out)
