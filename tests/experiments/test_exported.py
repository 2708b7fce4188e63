"""An experiment's outcomes from exported CSV files (AWS mode's read-back), against hand counts.

The users' arms are docs/experiments.md's test vectors (summer-recs, 50/50): user-3, user-4 and
김민준 are in A; user-1, user-2 and 이서연 in B.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.datasets.snapshot import LocalObjects
from services.errors import ServiceError
from services.experiments.exported import EventExport, checked_output, read_exported_events
from services.experiments.outcomes import arm_outcomes
from services.experiments.records import Arm
from services.experiments.verdict import CONVERSION, compare, headline
from services.personalize.models import DatasetExportJob
from tests.experiments.test_outcomes import START, T0, _experiment

FOLDER = "s3://exports/experiments/"
# The export has the schema's columns: no EVENT_VALUE, no EVENT_ATTRIBUTION_SOURCE here, and
# (as always) no session. Split over two part files, with a marker beside them.
PART_0 = (
    "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,RECOMMENDATION_ID\n"
    f"user-3,i1,{T0 + 10},View,r1\n"
    f"user-3,i1,{T0 + 20},Purchase,\n"  # i1 costs 10,000
    f"user-4,i2,{T0 + 30},View,\n"
    f"김민준,i2,{T0 + 35},Purchase,\n"  # i2 costs 20,000
    f"user-2,i1,{T0 - 100},Purchase,\n"  # before the start: not counted
)
PART_1 = (
    "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,RECOMMENDATION_ID\n"
    f"user-1,i1,{T0 + 40},View,r2\n"
    f"user-1,i2,{T0 + 50},Purchase,\n"
    f"user-1,i3,{T0 + 60},Purchase,\n"  # i3 has no price: adds no revenue
    f"이서연,i1,{T0 + 70},View,r3\n"
)
ITEMS = "ITEM_ID,PRICE,CATEGORY\ni1,10000,커피\ni2,20000.0,차\ni3,,기타\n"


def _job(name: str, status: str = "ACTIVE") -> DatasetExportJob:
    return DatasetExportJob(f"arn:job/{name}", name, status, output_path=FOLDER)


def _store(tmp_path: Path, *, items: bool = True) -> LocalObjects:
    objects = LocalObjects(tmp_path)
    objects.put(FOLDER + "exp1-events-20261201/part-00000.csv", PART_0.encode())
    objects.put(FOLDER + "exp1-events-20261201/part-00001.csv", PART_1.encode())
    objects.put(FOLDER + "exp1-events-20261201/_SUCCESS", b"")
    if items:
        objects.put(FOLDER + "exp1-items-20261201/part-00000.csv", ITEMS.encode())
    return objects


def test_outcomes_from_an_export_by_hand(tmp_path: Path) -> None:
    export = EventExport(_job("exp1-events-20261201"), _job("exp1-items-20261201"))
    read = read_exported_events(_store(tmp_path), export)
    assert read.unknown == {"SESSION_ID", "EVENT_VALUE", "SOURCE", "IMPRESSION"}
    assert read.prices == {"i1": 10_000.0, "i2": 20_000.0}
    out = arm_outcomes(_experiment(), read.events, read.prices, START + timedelta(days=2),
                       read.unknown)  # fmt: skip
    a, b = out.arms
    # A: user-3 (view on r1, buys i1), user-4 (a view, no list), 김민준 (buys i2)
    assert (a.users, a.lists_acted_on, a.clicks, a.conversions) == (3, 1, 1, 2)
    assert a.conversion_rate == pytest.approx(2 / 3)
    assert a.revenue == 30_000.0 and a.revenue_per_user.mean == pytest.approx(10_000.0)
    # B: user-1 (view on r2, buys i2 and i3), 이서연 (view on r3); user-2 only before the start
    assert (b.users, b.lists_acted_on, b.clicks, b.conversions) == (2, 2, 2, 2)
    assert b.conversion_rate == 0.5
    assert b.revenue == 20_000.0 and b.revenue_per_user.mean == 10_000.0
    # What the export cannot tell is unknown, not 0
    for arm in (a, b):
        assert arm.sessions is None and arm.revenue_per_session is None
        assert arm.mislabelled is None and arm.impressions is None
    assert out.unknown == read.unknown and out.revenue_known


def test_an_export_with_the_impression_field_gives_impressions(tmp_path: Path) -> None:
    """The IMPRESSION field holds the explicit impressions as text ("12|13" stays two item
    IDs, not a number); without sessions a list is one per user and items."""
    objects = LocalObjects(tmp_path)
    objects.put(
        FOLDER + "exp1-events-1/part-00000.csv",
        (
            "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,IMPRESSION\n"
            f"user-3,12,{T0 + 10},View,12|13\n"  # clicked on a shown item
            f"user-3,99,{T0 + 20},Purchase,12|13\n"  # the same list
            f"user-4,7,{T0 + 30},View,5\n"  # shown 5, clicked 7
            f"user-4,5,{T0 + 40},View,\n"  # no impression on this event; 5 was shown to user-4
        ).encode(),
    )
    read = read_exported_events(objects, EventExport(_job("exp1-events-1"), None))
    assert "IMPRESSION" not in read.unknown
    assert list(read.events["IMPRESSION"]) == [("12", "13"), ("12", "13"), ("5",), None]
    a, b = arm_outcomes(
        _experiment(), read.events, {}, START + timedelta(days=1), read.unknown
    ).arms
    assert a.impressions is not None and b.impressions is not None
    assert (a.impressions.lists, a.impressions.items, a.impressions.clicks) == (2, 3, 2)
    assert a.impressions.click_through_rate == 1.0 and b.impressions.lists == 0


def test_without_event_values_or_prices_revenue_is_unknown(tmp_path: Path) -> None:
    """No EVENT_VALUE column and no Items dataset: revenue cannot be counted, so only
    conversion is compared and the wait is for conversion."""
    export = EventExport(_job("exp1-events-20261201"), None)
    read = read_exported_events(_store(tmp_path, items=False), export)
    assert read.prices == {}
    out = arm_outcomes(_experiment(), read.events, {}, START + timedelta(days=2), read.unknown)
    assert [a.revenue for a in out.arms] == [None, None] and not out.revenue_known
    comparisons = compare(_experiment(), out)
    assert [c.metric for c in comparisons] == [CONVERSION]
    assert headline(comparisons).wait_metric == CONVERSION


def test_an_export_without_event_types_is_refused(tmp_path: Path) -> None:
    objects = LocalObjects(tmp_path)
    objects.put(
        FOLDER + "exp1-events-1/part-00000.csv", f"USER_ID,ITEM_ID,TIMESTAMP\nu,i,{T0}\n".encode()
    )
    with pytest.raises(ServiceError, match="no EVENT_TYPE column"):
        read_exported_events(objects, EventExport(_job("exp1-events-1"), None))


def test_a_running_or_failed_export_is_not_read(tmp_path: Path) -> None:
    running = EventExport(_job("exp1-events-1", "CREATE IN_PROGRESS"), _job("exp1-items-1"))
    assert (running.status, running.done, running.failure) == ("CREATE IN_PROGRESS", False, None)
    with pytest.raises(ServiceError, match="CREATE IN_PROGRESS"):
        read_exported_events(LocalObjects(tmp_path), running)
    failed = EventExport(
        _job("exp1-events-1"),
        DatasetExportJob("arn:job/i", "exp1-items-1", "CREATE FAILED", failure_reason="denied"),
    )
    assert (failed.status, failed.done, failed.failure) == ("CREATE FAILED", True, "denied")


def test_output_paths() -> None:
    assert checked_output(" s3://bucket/experiments ") == "s3://bucket/experiments/"
    with pytest.raises(ValueError, match="s3://"):
        checked_output("/tmp/experiments")
    with pytest.raises(ValueError, match="at most 256"):
        checked_output("s3://b/" + "x" * 260)


def test_no_put_events_yet_counts_nobody(tmp_path: Path) -> None:
    """An export of a dataset without PutEvents data writes no part file: nobody, not an error."""
    read = read_exported_events(LocalObjects(tmp_path), EventExport(_job("exp1-events-2"), None))
    out = arm_outcomes(_experiment(), read.events, {}, datetime(2026, 12, 3, tzinfo=UTC),
                       read.unknown)  # fmt: skip
    assert [a.users for a in out.arms] == [0, 0]


def test_arms_named_by_numbers_are_read_as_names(tmp_path: Path) -> None:
    """An arm called "1" stays the text "1" in the export's EVENT_ATTRIBUTION_SOURCE, so an
    event that names the other arm is caught (read as numbers, "2.0" would name no arm)."""
    objects = LocalObjects(tmp_path)
    csv = (
        "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_ATTRIBUTION_SOURCE\n"
        f"user-3,i1,{T0 + 10},View,2\n"  # user-3 is in the first arm, "1"
        f"user-1,i1,{T0 + 20},View,\n"
    )
    objects.put(FOLDER + "exp1-events-3/part-00000.csv", csv.encode())
    read = read_exported_events(objects, EventExport(_job("exp1-events-3"), None))
    numbered = _experiment(
        arms=(Arm("1", 5_000, "arn:c/a"), Arm("2", 5_000, "arn:c/b")),
    )
    out = arm_outcomes(numbered, read.events, {}, START + timedelta(days=1), read.unknown)
    assert [(a.name, a.users, a.mislabelled) for a in out.arms] == [("1", 1, 1), ("2", 1, 0)]
