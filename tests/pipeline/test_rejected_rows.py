"""A raw export that loses rows in preparing: above the run's limit the check step refuses the
run before any import (campaigns keep their versions), below it the lost rows are a warning of
the run; when most rows are lost, the refusal names them before "too few interactions".

The raw exports are the shop's own good.csv rewritten as a Korean shop exports it (CP949,
Hangul headers, KST date-times), with the date-time of chosen rows replaced by the s13 trial's
unreadable "2026/31/31 25:61"; the expected counts follow from which rows were chosen.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from services.i18n import use_language
from services.pipeline import FAILED, SUCCEEDED, DataSource, RefreshOptions
from services.pipeline.steps.rejections import check_warnings, rejection_text
from tests.pipeline.conftest import Shop
from tests.pipeline.test_cli import _cli
from tests.pipeline.test_prepare_data import MAPPING as PREPARED_MAPPING

BAD_TIME = "2026/31/31 25:61"
# the corpus's Korean mapping (회원ID, 상품코드, 주문일시 "%Y-%m-%d %H:%M:%S" in Asia/Seoul, 구분)
# without EVENT_VALUE, which the shop's schema lacks
MAPPING = {
    **PREPARED_MAPPING,
    "fields": [f for f in PREPARED_MAPPING["fields"] if "values" not in f],
}
MAPPING["fields"].append({"name": "EVENT_TYPE", "column": "구분", "values": {"조회": "View"}})
REASON = "TIMESTAMP is not a date-time or an epoch number"


def _raw_export(shop: Shop, bad_rows: set[int] | None = None, *, every: int = 0) -> str:
    """good.csv (1,800 rows) as a CP949 export in the shop's bucket; the rows in ``bad_rows``
    (or each row whose index % 5 < ``every``) get an unreadable date-time."""
    good = pd.read_csv(shop.settings.data_dir / "s3" / "bucket" / "shop" / "good.csv")
    assert len(good) == 1800  # 60 users × 30 views (conftest)
    seoul = ZoneInfo("Asia/Seoul")
    times = [
        datetime.fromtimestamp(int(t), UTC).astimezone(seoul).strftime("%Y-%m-%d %H:%M:%S")
        for t in good["TIMESTAMP"]
    ]
    bad = bad_rows if bad_rows is not None else {i for i in range(len(good)) if i % 5 < every}
    raw = pd.DataFrame(
        {
            "회원ID": good["USER_ID"],
            "상품코드": good["ITEM_ID"],
            "주문일시": [BAD_TIME if i in bad else t for i, t in enumerate(times)],
            "구분": "조회",
        }
    )
    target = shop.settings.data_dir / "s3" / "bucket" / "shop" / "raw" / "orders.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    raw.to_csv(target, index=False, encoding="cp949")
    return "s3://bucket/shop/raw/orders.csv"


def _run(shop: Shop, location: str, **options: object) -> int:
    group = shop.pipeline.resolve_group("shop")
    triggered = shop.pipeline.trigger(
        group,
        RefreshOptions(data=(DataSource(location, mapping=MAPPING),), **options),  # type: ignore[arg-type]
        actor="t",
        trigger="test",
    )
    assert triggered.owner is not None
    shop.pipeline.execute(triggered.run_id, triggered.owner)
    return triggered.run_id


def _import_jobs(shop: Shop) -> int:
    p = shop.clients.personalize
    return len(p.list_dataset_import_jobs(datasetArn=shop.dataset)["datasetImportJobs"])


def test_a_night_with_40_percent_bad_times_is_refused_before_any_import(shop: Shop) -> None:
    jobs_before, served_before = _import_jobs(shop), shop.served()
    run_id = _run(shop, _raw_export(shop, every=2), tolerance_pct=100)
    run = shop.runs.get(run_id)
    assert run is not None and run.status == FAILED
    check = run.step("check:INTERACTIONS")
    assert check is not None and check.status == FAILED
    # rows 0,1 of every 5: 2/5 of 1,800 = 720, all for the one reason
    assert "720 of 1,800 rows rejected (40%): 720 " + REASON + "; rejects in " in check.reason
    assert "more than the 1% a run accepts, so nothing was imported" in check.reason
    # the CLI's English names its flag, not the page's field (the page renders its own)
    assert "(--max-rejected) if these rows are meant to go." in check.reason
    assert "Refresh tab" not in check.reason
    detail = check.detail["rejected_rows"]
    assert (detail["read"], detail["rejected"], detail["max_pct"]) == (1800, 720, 1.0)
    # the reason's kind, which the pages render in the reader's language
    assert detail["reasons"] == [[REASON, 720, "not_datetime", {"field": "TIMESTAMP"}]]
    rejects = pd.read_csv(detail["rejects_path"])
    assert len(rejects) == 720 and set(rejects["line"]) == {
        i + 2 for i in range(1800) if i % 5 < 2
    }  # line 1 is the header
    assert run.step("import:INTERACTIONS") is None  # no import was even started
    assert _import_jobs(shop) == jobs_before and shop.served() == served_before
    assert run.reason is not None and run.reason.endswith(
        "meant to go. Campaigns keep serving their previous versions."
    )


def test_most_rows_rejected_names_the_rejections_before_too_few(shop: Shop) -> None:
    """With the limit raised to 100%, the readiness check's "too few" still fails the run,
    but after the rejected rows (s13 finding 2): 3 of every 5 rows bad = 1,080 of 1,800,
    leaving 720 interactions (fewer than the 1,000 an import needs)."""
    run_id = _run(shop, _raw_export(shop, every=3), max_rejected_pct=100, tolerance_pct=100)
    run = shop.runs.get(run_id)
    assert run is not None and run.status == FAILED
    reason = run.step("check:INTERACTIONS").reason
    assert reason.startswith(
        "Check the interactions data: 1,080 of 1,800 rows rejected (60%): 1,080 " + REASON
    )
    assert reason.index("rows rejected") < reason.index("Too few interactions")
    assert run.reason.startswith("Check the interactions data: 1,080 of 1,800 rows rejected")


def test_a_few_rejected_rows_are_a_warning_of_the_run(shop: Shop) -> None:
    """9 of 1,800 rows (0.5%) is under the 1% limit: imported, trained, and the run's summary
    (not only the check step's line) says what was lost."""
    run_id = _run(shop, _raw_export(shop, {0, 100, 200, 300, 400, 500, 600, 700, 800}),
                  tolerance_pct=100)  # fmt: skip
    run = shop.runs.get(run_id)
    assert run is not None and run.status == SUCCEEDED, run.reason
    check = run.step("check:INTERACTIONS")
    assert check.reason.startswith("1,791 rows in 1 file, 1 warning;")
    assert run.reason is not None
    assert "Warning: 9 of 1,800 rows rejected (0.5%): 9 " + REASON + "; rejects in" in run.reason
    assert len(run.rejected_rows) == 1 and run.rejected_rows[0]["rejected"] == 9
    use_language("ko")
    try:
        (warning,) = check_warnings(run.rejected_rows)
    finally:
        use_language("en")
    assert warning.startswith("1,800행 중 9행 거부(0.5%)")


def test_the_limit_is_validated_and_stored_with_the_run() -> None:
    with pytest.raises(ValueError, match="largest share of rejected rows must be between"):
        RefreshOptions(max_rejected_pct=101)
    with pytest.raises(ValueError, match="largest share of rejected rows must be between"):
        RefreshOptions(max_rejected_pct=-1)
    options = RefreshOptions(max_rejected_pct=5)
    assert RefreshOptions.from_dict(json.loads(json.dumps(options.to_dict()))) == options
    assert RefreshOptions().max_rejected_pct == 1.0


def test_the_text_says_when_the_limit_was_passed() -> None:
    detail = {
        "read": 1472, "rejected": 981, "share": 981 / 1472,
        "reasons": [[REASON, 981]], "rejects_path": "/x/r.rejects.csv", "max_pct": 1.0,
    }  # fmt: skip
    # 981 / 1,472 = 0.66644 → 66.64%
    assert rejection_text(detail).startswith(
        "981 of 1,472 rows rejected (66.64%): 981 " + REASON + "; rejects in /x/r.rejects.csv. "
        "That is more than the 1% a run accepts"
    )
    assert rejection_text({**detail, "max_pct": 70.0}) == (
        "981 of 1,472 rows rejected (66.64%): 981 " + REASON + "; rejects in /x/r.rejects.csv"
    )


def test_cli_max_rejected_lets_a_meant_share_through(shop_env: Shop, tmp_path: Path) -> None:
    location = _raw_export(shop_env, every=1)  # 1 of every 5 rows: 360 of 1,800 (20%)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(MAPPING), encoding="utf-8")
    args = ("refresh", "--dataset-group", "shop", "--data", location, "--mapping", str(mapping),
            "--tolerance", "100")  # fmt: skip
    code, lines = _cli(*args)
    assert code == 1 and "360 of 1,800 rows rejected (20%)" in lines[-1]["reason"]
    code, lines = _cli(*args, "--max-rejected", "25")
    assert code == 0, lines[-1]
    assert "Warning: 360 of 1,800 rows rejected (20%)" in lines[-1]["reason"]
    code, lines = _cli(*args, "--max-rejected", "120")
    assert code == 2 and "largest share of rejected rows" in lines[-1]["message"]
