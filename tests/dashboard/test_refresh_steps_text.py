"""The refresh steps table shows a guardrail's reason in the reader's language, rendered from
the numbers the run stored (trial s9: "normalized_discounted_cumulative_gain_at_10 0.2008 vs
0.2008", English only); a step stored without those numbers keeps its stored text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from dashboard.components.operations.refresh import steps_frame
from dashboard.components.operations.refresh_text import run_reason
from services.i18n import use_language
from services.pipeline import SUCCEEDED, RefreshRun, RefreshStep, judge

KEY = "normalized_discounted_cumulative_gain_at_10"
WHEN = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _step(kind: str, reason: str, detail: dict) -> RefreshStep:
    return RefreshStep(kind, kind, kind, None, SUCCEEDED, WHEN, WHEN, reason, detail)


def _run(*steps: RefreshStep) -> RefreshRun:
    return RefreshRun(
        1, "arn:group", "shop", "manual", "me", {}, SUCCEEDED, None, WHEN, WHEN, WHEN, "o", 0, steps
    )


@pytest.fixture
def steps() -> RefreshRun:
    use_language("en")  # the worker writes English
    result = judge(KEY, {KEY: 0.2008}, {KEY: 0.2008}, 2.0)
    detail = json.loads(json.dumps(result.to_dict()))  # as the run's JSON column keeps it
    old = {"metric": KEY, "reason": "an older record"}  # before the numbers were all stored
    return _run(
        _step("guardrail", result.reason, detail),
        _step("guardrail", f"{KEY} 0.2 vs 0.1 served (+100.0%, within the 2% tolerance)", old),
        _step("deploy", "Deployed.", {}),
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "NDCG@10 0.2008 vs 0.2008 served (0.0%, within the 2% tolerance)"),
        ("ko", "NDCG@10 0.2008, 서비스 중 0.2008 (0.0%, 허용 하락폭 2% 이내)"),
    ],
)
def test_the_guardrail_reason_is_shown_in_the_readers_language(
    steps: RefreshRun, language: str, expected: str
) -> None:
    use_language(language)
    try:
        frame = steps_frame(steps)
    finally:
        use_language("en")
    reasons = list(frame.iloc[:, 2])
    assert reasons[0] == expected
    assert KEY not in reasons[0]
    # an older stored reason and any other step's are shown as stored
    assert reasons[1:] == [
        f"{KEY} 0.2 vs 0.1 served (+100.0%, within the 2% tolerance)",
        "Deployed.",
    ]


SOLUTION = "arn:aws:personalize:ap-northeast-2:1:solution/kshop-up"
CAMPAIGN = "arn:aws:personalize:ap-northeast-2:1:campaign/kshop-reco"
PLAN = {
    "imports": [{"dataset_type": "Interactions", "location": "s3://kshop/night.csv"}],
    "solutions": [{"arn": SOLUTION, "name": "kshop-up", "mode": "FULL"}],
    "campaigns": [{"arn": CAMPAIGN, "name": "kshop-reco", "solution_arn": SOLUTION}],
}


def _trial_run(language: str) -> tuple[RefreshRun, RefreshRun]:
    """Trial s13's runs 9 (refused) and 7 (failed at the check), with the texts the worker
    stores (services/pipeline/steps/runner.py), rendered in ``language`` afterwards."""
    use_language("en")
    refused = judge(KEY, {KEY: 0.2158}, {KEY: 0.2989}, 2.0)
    assert not refused.allowed
    detail = json.loads(json.dumps(refused.to_dict()))

    def step(
        key: str,
        kind: str,
        label: str,
        target: str | None,
        status: str,
        reason: str,
        detail: dict | None = None,
    ) -> RefreshStep:
        return RefreshStep(key, kind, label, target, status, WHEN, WHEN, reason, detail or {})

    plan = step("plan", "plan", "Plan the refresh of kshop", "arn:group", SUCCEEDED, "", PLAN)
    check = "Check the interactions data"
    steps = (
        plan,
        step("check:Interactions", "check", check, "s3://kshop/night.csv", SUCCEEDED, "ok"),
        step("import:Interactions", "import", "Import interactions (FULL)", "ds", SUCCEEDED, ""),
        step(f"train:{SOLUTION}", "train", "Train kshop-up (FULL)", SOLUTION, SUCCEEDED, ""),
        step(
            f"guardrail:{CAMPAIGN}",
            "guardrail",
            "Guardrail for kshop-reco",
            CAMPAIGN,
            "REFUSED",
            refused.reason,
            detail,
        ),
        step(
            f"deploy:{CAMPAIGN}",
            "deploy",
            "Deploy to kshop-reco",
            CAMPAIGN,
            "SKIPPED",
            "refused by the guardrail; it keeps serving kshop-up/e763a6ac",
        ),
    )
    run = RefreshRun(
        9,
        "arn:group",
        "kshop",
        "manual",
        "me",
        {"import_mode": "FULL"},
        "REFUSED",
        f"Not deployed by the guardrail: kshop-reco: {refused.reason}",
        WHEN,
        WHEN,
        WHEN,
        "o",
        0,
        steps,
    )
    failure = "no file at s3://kshop/none.csv"
    failed = RefreshRun(
        7,
        "arn:group",
        "kshop",
        "cron",
        "me",
        {"import_mode": "FULL"},
        "FAILED",
        f"{check}: {failure} Campaigns keep serving their previous versions.",
        WHEN,
        WHEN,
        WHEN,
        "o",
        0,
        (
            plan,
            step("check:Interactions", "check", check, "s3://x", "FAILED", f"{check}: {failure}"),
        ),
    )
    use_language(language)
    return run, failed


def test_refresh_steps_and_outcome_read_in_korean() -> None:
    """Trial s13 (finding 10): "Plan the refresh of kshop", "Deploy to kshop-reco" and "Not
    deployed by the guardrail…" stayed English in Korean mode. Expected: messages.po's
    Korean for each template, filled by hand with the run's names."""
    try:
        run, failed = _trial_run("ko")
        frame = steps_frame(run)
        outcome, why = run_reason(run), run_reason(failed)
        failed_step = steps_frame(failed).iloc[1, 2]
    finally:
        use_language("en")
    assert list(frame.iloc[:, 0]) == [
        "kshop 새로 고침 계획",
        "상호작용 데이터 확인",
        "상호작용 가져오기(FULL (전체))",
        "kshop-up 학습(FULL (전체))",
        "kshop-reco 가드레일",
        "kshop-reco에 배포",
    ]
    assert frame.iloc[5, 2] == "가드레일이 거부해 kshop-up/e763a6ac 버전을 계속 서비스합니다"
    assert outcome == (
        "가드레일이 배포하지 않았습니다: kshop-reco: NDCG@10 0.2158, 서비스 중 0.2989 (-27.8%, "
        "허용 하락폭 2% 초과). 그래도 배포하려면 운영 페이지의 배포 탭에서 확인을 거쳐 배포하거나 "
        "--force로 다시 실행하세요"
    )
    # the engine's own words are quoted as they came; the sentence after them gets its stop
    assert why == (
        "상호작용 데이터 확인: no file at s3://kshop/none.csv. 캠페인은 이전 버전을 계속 "
        "서비스합니다."
    )
    assert failed_step == "상호작용 데이터 확인: no file at s3://kshop/none.csv"


def test_refresh_steps_read_as_stored_in_english() -> None:
    """In English the rendered labels are the worker's own words (one template each)."""
    run, failed = _trial_run("en")
    assert [s.label for s in run.steps] == list(steps_frame(run).iloc[:, 0])
    assert run_reason(run) == run.reason
    assert run_reason(failed) == (
        "Check the interactions data: no file at s3://kshop/none.csv. Campaigns keep serving "
        "their previous versions."
    )


def test_a_check_refused_for_rejected_rows_is_shown_in_the_readers_language() -> None:
    detail = {
        "read": 4416, "rejected": 1767, "share": 1767 / 4416,
        "reasons": [["TIMESTAMP is not a date-time or an epoch number", 1767]],
        "rejects_path": "/d/r.rejects.csv", "max_pct": 1.0,
    }  # fmt: skip
    stored = "Check the interactions data: (the worker's English)"
    check = RefreshStep(
        "check:INTERACTIONS", "check", "check", None, "FAILED", WHEN, WHEN, stored,
        {"rejected_rows": detail},
    )  # fmt: skip
    use_language("ko")
    try:
        (reason,) = list(steps_frame(_run(check)).iloc[:, 2])
    finally:
        use_language("en")
    # 1,767 / 4,416 = 0.400136 → 40.01%
    assert reason.startswith("4,416행 중 1,767행 거부(40.01%): 1,767 TIMESTAMP is not")
    assert "실행이 허용하는 1%을(를) 넘어서 아무것도 가져오지 않았습니다" in reason
