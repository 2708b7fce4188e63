"""The Data page's import history writes when each job started in the zone it is given (the
reader's), to the second, and names the zone in the column (hand-computed: 2026-10-31
15:47:05 UTC is 2026-11-01 00:47:05 in Seoul, UTC+9)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

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
