"""An experiment's read-back on AWS: the dataset export calls and the S3 reads, each answered by
a model-shaped Stubber response, ending in the same outcomes ``arm_outcomes`` computes locally.

The users' arms are docs/experiments.md's test vectors (summer-recs, 50/50): user-3 and 김민준
are in A, user-1 and 이서연 in B.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.datasets.snapshot import S3Objects
from services.experiments.exported import (
    latest_event_export,
    read_exported_events,
    start_event_export,
)
from services.experiments.outcomes import arm_outcomes
from services.personalize.facade import PersonalizeService
from services.personalize.models import Dataset
from tests.aws.conftest import AwsStubs, Bundle
from tests.experiments.test_outcomes import START, T0, _experiment

A = "arn:aws:personalize:eu-west-1:123456789012"
INTERACTIONS = f"{A}:dataset/shop/INTERACTIONS"
ITEMS = f"{A}:dataset/shop/ITEMS"
DATASETS = [
    Dataset(INTERACTIONS, "shop-interactions", "INTERACTIONS", "ACTIVE"),
    Dataset(ITEMS, "shop-items", "ITEMS", "ACTIVE"),
]
ROLE = "arn:aws:iam::123456789012:role/PersonalizeS3"
FOLDER = "s3://shop-bucket/personalize-dashboard/exports/experiments/"
KEY = "personalize-dashboard/exports/experiments/"
NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
EVENTS_JOB, ITEMS_JOB = "exp1-events-20261203093000", "exp1-items-20261203093000"
PAGE = {"maxResults": 100}


def _request(name: str, dataset: str, mode: str) -> dict[str, object]:
    return {
        "jobName": name,
        "datasetArn": dataset,
        "ingestionMode": mode,
        "roleArn": ROLE,
        "jobOutput": {"s3DataDestination": {"path": FOLDER}},
    }


def _described(name: str, dataset: str, mode: str) -> dict[str, object]:
    return {
        "datasetExportJob": {
            "jobName": name,
            "datasetExportJobArn": f"{A}:dataset-export-job/{name}",
            "datasetArn": dataset,
            "ingestionMode": mode,
            "status": "ACTIVE",
            "jobOutput": {"s3DataDestination": {"path": FOLDER}},
            "creationDateTime": NOW,
        }
    }


def _listed(*names: str) -> dict[str, object]:
    return {
        "datasetExportJobs": [
            {
                "datasetExportJobArn": f"{A}:dataset-export-job/{n}",
                "jobName": n,
                "status": "ACTIVE",
                "creationDateTime": NOW - timedelta(days=k),
            }
            for k, n in enumerate(names)
        ]
    }


def test_the_export_is_started_found_and_read(aws: AwsStubs) -> None:
    service = PersonalizeService(Bundle(aws))
    for name, dataset, mode in ((EVENTS_JOB, INTERACTIONS, "PUT"), (ITEMS_JOB, ITEMS, "ALL")):
        aws.respond(
            "personalize",
            "create_dataset_export_job",
            {"datasetExportJobArn": f"{A}:dataset-export-job/{name}"},
            _request(name, dataset, mode),
        )
    started = start_event_export(service, _experiment(), DATASETS, FOLDER, ROLE, NOW)
    assert started == (
        f"{A}:dataset-export-job/{EVENTS_JOB}",
        f"{A}:dataset-export-job/{ITEMS_JOB}",
    )

    # the newest of the experiment's read-backs; another experiment's (exp2) is passed over
    listed = {
        INTERACTIONS: ("exp2-events-20261203100000", EVENTS_JOB, "exp1-events-20261201000000"),
        ITEMS: (ITEMS_JOB,),
    }
    for (dataset, names), (job, mode) in zip(
        listed.items(), ((EVENTS_JOB, "PUT"), (ITEMS_JOB, "ALL")), strict=True
    ):
        aws.respond(
            "personalize",
            "list_dataset_export_jobs",
            _listed(*names),
            {**PAGE, "datasetArn": dataset},
        )
        aws.respond(
            "personalize",
            "describe_dataset_export_job",
            _described(job, dataset, mode),
            {"datasetExportJobArn": f"{A}:dataset-export-job/{job}"},
        )
    export = latest_event_export(service, _experiment(), DATASETS)
    assert export is not None and export.status == "ACTIVE"
    assert (export.events.name, export.events.output_path) == (EVENTS_JOB, FOLDER)
    assert export.items is not None and export.items.ingestion_mode == "ALL"

    events_csv = (
        "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,EVENT_ATTRIBUTION_SOURCE\n"
        f"user-3,i1,{T0 + 10},View,,A\n"
        f"user-3,i1,{T0 + 20},Purchase,7000,A\n"  # its value wins over the price
        f"김민준,i2,{T0 + 30},Purchase,,A\n"  # the price: 20,000
        f"user-1,i1,{T0 + 40},View,,A\n"  # user-1 is in B: the event names the wrong arm
        f"이서연,i2,{T0 + 50},View,,B\n"
    ).encode()
    items_csv = b"ITEM_ID,PRICE\ni1,10000\ni2,20000\n"
    for job, body in ((EVENTS_JOB, events_csv), (ITEMS_JOB, items_csv)):
        key = f"{KEY}{job}/part-00000.csv"
        aws.respond(
            "s3",
            "list_objects_v2",
            {"Contents": [{"Key": key, "Size": len(body)}], "IsTruncated": False},
            {"Bucket": "shop-bucket", "Prefix": KEY + job},
        )
        aws.respond("s3", "get_object", {"Body": body}, {"Bucket": "shop-bucket", "Key": key})
    read = read_exported_events(S3Objects(aws.client("s3")), export)
    # the export has no IMPRESSION column either: impressions are unknown, not 0
    assert read.unknown == {"SESSION_ID", "RECOMMENDATION_ID", "IMPRESSION"}
    out = arm_outcomes(_experiment(), read.events, read.prices, START + timedelta(days=1),
                       read.unknown)  # fmt: skip
    a, b = out.arms
    # A: user-3 bought for 7,000 (its value), 김민준 for 20,000 (the price)
    assert (a.users, a.conversions, a.revenue, a.mislabelled) == (2, 2, 27_000.0, 0)
    assert a.conversion_rate == 1.0 and a.revenue_per_user.mean == 13_500.0
    # B: user-1 and 이서연 bought nothing; user-1's view names A
    assert (b.users, b.conversions, b.revenue, b.mislabelled) == (2, 0, 0.0, 1)
    assert (a.lists_acted_on, a.clicks, a.sessions) == (None, None, None)
