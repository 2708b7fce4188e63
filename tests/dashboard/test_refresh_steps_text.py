"""The refresh steps table shows a guardrail's reason in the reader's language, rendered from
the numbers the run stored (trial s9: "normalized_discounted_cumulative_gain_at_10 0.2008 vs
0.2008", English only); a step stored without those numbers keeps its stored text."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from dashboard.components.operations.refresh import history_frame, steps_frame
from dashboard.components.operations.refresh_text import run_reason, step_reason
from services.i18n import use_language
from services.pipeline import SUCCEEDED, RefreshRun, RefreshStep, judge
from services.pipeline.steps.rejections import rejection_text

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


REJECTS = "TIMESTAMP is not a date-time or an epoch number"
# Trial s13b's night: 1,767 of 4,416 rows with an unreadable TIMESTAMP, over the 1% limit; as
# the check step stores it now (with the reason's kind) and before the kinds were stored.
REJECTED = {
    "read": 4416, "rejected": 1767, "share": 1767 / 4416,
    "reasons": [[REJECTS, 1767, "not_datetime", {"field": "TIMESTAMP"}]],
    "rejects_path": "/d/r.rejects.csv", "max_pct": 1.0,
}  # fmt: skip
OLD_REJECTED = {**REJECTED, "reasons": [[REJECTS, 1767]]}
CHECK = "Check the interactions data"
KEPT = "Campaigns keep serving their previous versions."
# messages.po's Korean, filled by hand: 1,767 / 4,416 = 0.400136 → 40.01%; the limit's field
# by its Korean label (거부 행 최대 비율 (%)), never the CLI's --max-rejected
KOREAN_REJECTED = (
    "4,416행 중 1,767행 거부(40.01%): 1,767 TIMESTAMP 값이 날짜·시간도 epoch 숫자도 아닙니다. "
    "거부된 행: /d/r.rejects.csv. 실행이 허용하는 1%를 넘어서 아무것도 가져오지 "
    "않았습니다. 내보내기 파일(또는 매핑)을 고친 뒤 다시 실행하거나, 이 행들을 버려도 된다면 "
    "한도(새로 고침 탭의 ‘거부 행 최대 비율 (%)’)를 올리세요."
)
ENGLISH_REJECTED = (
    "1,767 of 4,416 rows rejected (40.01%): 1,767 " + REJECTS + "; rejects in "
    "/d/r.rejects.csv. That is more than the 1% a run accepts, so nothing was imported: fix "
    "the export (or its mapping) and run again, or raise the limit ({setting}) if these rows "
    "are meant to go."
)


def _failed_run(step: RefreshStep, reason: str) -> RefreshRun:
    return RefreshRun(
        3, "arn:group", "kshop", "manual", "me", {}, "FAILED", reason, WHEN, WHEN, WHEN, "o", 0,
        (step,),
    )  # fmt: skip


def _check_run(detail: dict) -> RefreshRun:
    """A run the check step refused, with the texts the worker stores in English."""
    use_language("en")
    stored = f"{CHECK}: {rejection_text(detail)}"
    check = RefreshStep(
        "check:INTERACTIONS", "check", CHECK, None, "FAILED", WHEN, WHEN, stored,
        {"rejected_rows": detail},
    )  # fmt: skip
    return _failed_run(check, f"{stored} {KEPT}")


@pytest.mark.parametrize("detail", [REJECTED, OLD_REJECTED], ids=["kinds", "older run"])
def test_a_check_refused_for_rejected_rows_reads_all_in_korean(detail: dict) -> None:
    """Trial s13b: the step's name and the closing sentence were Korean, the reason between
    them English and naming --max-rejected and the English field."""
    run = _check_run(detail)
    use_language("ko")
    try:
        (step_reason,) = list(steps_frame(run).iloc[:, 2])
        outcome = run_reason(run)
        past = history_frame([run]).iloc[0, -1]
    finally:
        use_language("en")
    assert step_reason == KOREAN_REJECTED
    assert (
        outcome
        == f"상호작용 데이터 확인: {KOREAN_REJECTED} 캠페인은 이전 버전을 계속 서비스합니다."
    )
    assert past == outcome  # 지난 실행's 사유
    assert "--max-rejected" not in outcome and "rows" not in outcome


def test_a_check_refused_for_rejected_rows_names_the_field_in_english_and_the_flag_in_the_cli() -> (
    None
):
    run = _check_run(REJECTED)
    page = ENGLISH_REJECTED.format(
        setting="“Largest share of rejected rows (%)” on the Refresh tab"
    )
    assert run_reason(run) == f"{CHECK}: {page} {KEPT}"
    # the worker's English (the CLI's and the audit's) names the flag only, and ends its
    # sentence before the closing one (trial s13, finding 10)
    assert run.reason == f"{CHECK}: {ENGLISH_REJECTED.format(setting='--max-rejected')} {KEPT}"


def _in_korean(render: Callable[[], str]) -> str:
    use_language("ko")
    try:
        return render()
    finally:
        use_language("en")


def _plan_run(detail: dict, stored: str, reason: str) -> RefreshRun:
    plan = RefreshStep(
        "plan", "plan", "Plan the refresh of kshop", "arn:group", "FAILED", WHEN, WHEN,
        f"Plan the refresh of kshop: {stored}", detail,
    )  # fmt: skip
    return _failed_run(plan, reason)


NO_CAMPAIGN = (
    "no campaign in kshop to refresh: create one, or name the solutions to train with --solution"
)


def test_a_group_without_a_campaign_is_told_to_pick_a_solution_in_its_field() -> None:
    """Trial s13b: "no campaign in kshop to refresh: … with --solution. 캠페인은 이전 버전을
    계속 서비스합니다." on a group without any campaign. The worker now stores no closing
    sentence for it (services/pipeline/steps/runner.py), and the page names its field."""
    run = _plan_run(
        {"refusal": "no_campaign", "group": "kshop", "campaigns_in_group": 0},
        NO_CAMPAIGN,
        f"Plan the refresh of kshop: {NO_CAMPAIGN}.",
    )
    use_language("ko")
    try:
        korean, step = run_reason(run), steps_frame(run).iloc[0, 2]
    finally:
        use_language("en")
    assert korean == (
        "kshop 새로 고침 계획: kshop에는 새로 고칠 캠페인이 없습니다. ‘학습할 솔루션’에서 학습할 "
        "솔루션을 고르거나 먼저 캠페인을 만드세요."
    )
    assert step == (
        "kshop에는 새로 고칠 캠페인이 없습니다. ‘학습할 솔루션’에서 학습할 솔루션을 고르거나 먼저 "
        "캠페인을 만드세요."
    )
    assert run_reason(run) == (
        "Plan the refresh of kshop: kshop has no campaign to refresh: pick the solutions to "
        "train in “Solutions to train”, or create a campaign first."
    )


def test_a_solution_without_update_is_told_to_pick_full_in_its_field() -> None:
    stored = (
        "kshop-sims uses aws-similar-items, which has no UPDATE training mode (only "
        "User-Personalization recipes do): refresh it with --training-mode FULL"
    )
    run = _plan_run(
        {"refusal": "no_update", "solution": "kshop-sims", "recipe": "aws-similar-items"},
        stored,
        f"Plan the refresh of kshop: {stored}. {KEPT}",
    )
    korean = _in_korean(lambda: run_reason(run))
    # kshop-sims ends in "s" (read 심스, a vowel): 는
    assert korean == (
        "kshop 새로 고침 계획: kshop-sims는 aws-similar-items 레시피를 쓰는데, 이 레시피에는 "
        "UPDATE 학습 모드가 없습니다(User-Personalization 레시피에만 있음). ‘학습 모드’에서 "
        "FULL (전체) 모드를 고른 뒤 새로 고치세요. 캠페인은 이전 버전을 계속 서비스합니다."
    )


def test_an_older_plan_failure_keeps_its_stored_words() -> None:
    """Before the refusal was stored with the step: the label and the closing sentence are
    rendered, the message between them is the stored one."""
    run = _plan_run({}, NO_CAMPAIGN, f"Plan the refresh of kshop: {NO_CAMPAIGN} {KEPT}")
    korean = _in_korean(lambda: run_reason(run))
    assert korean == (
        f"kshop 새로 고침 계획: {NO_CAMPAIGN}. 캠페인은 이전 버전을 계속 서비스합니다."
    )


def test_a_successful_runs_reasons_read_in_korean() -> None:
    """Trial s14 (finding 2): a successful run's plan, import, train and deploy reasons stayed
    English in Korean mode. Expected: messages.po's Korean, filled by hand with the run's
    names (job name = the import job ARN's last part, version = solution/ARN tail)."""
    version = f"{SOLUTION}/e763a6ac"
    job = "arn:aws:personalize:ap-northeast-2:1:dataset-import-job/refresh-9-night"

    def step(key: str, kind: str, target: str, reason: str, detail: dict) -> RefreshStep:
        return RefreshStep(key, kind, kind, target, SUCCEEDED, WHEN, WHEN, reason, detail)

    plan = step("plan", "plan", "g", "1 import, 1 solution to train, 1 campaign", PLAN)
    steps = (
        plan,
        step("import:Interactions", "import", "ds", "import job refresh-9-night ACTIVE",
             {"job_arn": job}),
        step(f"train:{SOLUTION}", "train", SOLUTION, "version kshop-up/e763a6ac ACTIVE",
             {"version_arn": version}),
        step(f"deploy:{CAMPAIGN}", "deploy", CAMPAIGN, "kshop-reco now serves kshop-up/e763a6ac",
             {"requested": True, "version_arn": version}),
        step(f"deploy:{CAMPAIGN}", "deploy", CAMPAIGN, "old run's words", {"requested": True}),
    )  # fmt: skip
    run = RefreshRun(
        9, "arn:group", "kshop", "manual", "me", {}, SUCCEEDED, "", WHEN, WHEN, WHEN, "o", 0, steps
    )
    try:
        use_language("ko")
        korean = [step_reason(run, s) for s in steps]
        use_language("en")
        english = [step_reason(run, s) for s in steps]
    finally:
        use_language("en")
    assert korean == [
        "가져오기 1건, 학습할 솔루션 1개, 캠페인 1개",
        "가져오기 작업 refresh-9-night이 활성 상태입니다",  # particles by the final letter
        "버전 kshop-up/e763a6ac이 활성 상태입니다",
        "kshop-reco가 이제 kshop-up/e763a6ac을 제공합니다",
        "old run's words",  # recorded without the version: the stored English stands
    ]
    assert english[0] == steps[0].reason
    assert english[3] == steps[3].reason
