"""The Data page's import history writes when each job started in the zone it is given (the
reader's), to the second, and names the zone in the column (hand-computed: 2026-10-31
15:47:05 UTC is 2026-11-01 00:47:05 in Seoul, UTC+9)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from dashboard.components.data.charts import events_by_hour_figure
from dashboard.components.data.sections import import_table
from services.i18n import use_language
from services.personalize.models import ImportJob

JOB = ImportJob(
    arn="arn:aws:personalize:us-east-1:000000000000:dataset-import-job/night",
    name="night",
    status="ACTIVE",
    import_mode="INCREMENTAL",
    created=datetime(2026, 10, 31, 15, 47, 5, tzinfo=UTC),
)


def test_import_start_times_are_written_in_the_readers_zone() -> None:
    seoul = ZoneInfo("Asia/Seoul")
    assert import_table([JOB], zone=seoul)["started at (Asia/Seoul)"].tolist() == [
        "Nov 1, 2026 00:47:05"
    ]
    assert import_table([JOB])["started at (UTC)"].tolist() == ["Oct 31, 2026 15:47:05"]
    use_language("ko")
    try:
        table = import_table([JOB], zone=seoul)
        assert table["시작 시각 (Asia/Seoul)"].tolist() == ["2026년 11월 1일 00:47:05"]
    finally:
        use_language("en")


def test_events_per_hour_are_drawn_on_the_readers_clock() -> None:
    # the 15:00 UTC hour is Seoul's 00:00 of the next day
    hour = pd.Timestamp("2026-10-31 15:00", tz="UTC")
    by_hour = pd.DataFrame({"hour": [hour], "EVENT_TYPE": ["view"], "events": [3]})
    figure = json.loads(events_by_hour_figure(by_hour, zone=ZoneInfo("Asia/Seoul")).to_json())
    assert [x[:16] for x in figure["data"][0]["x"]] == ["2026-11-01T00:00"]
    assert figure["layout"]["title"]["text"] == "Events received per hour (last 48 h, Asia/Seoul)"
