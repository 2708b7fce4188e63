"""The guardrail's decision, on numbers worked out by hand, and its reason as a reader sees
it: the metric named as the pages name it, in the reader's language, from the stored numbers."""

from __future__ import annotations

import json

import pytest

from services.evaluation.version_data import VersionData
from services.i18n import use_language
from services.pipeline import guardrail_reason, judge

KEY = "normalized_discounted_cumulative_gain_at_10"
WAY_OUT = (
    ". To deploy it anyway: Deploy on Operations (with a confirmation), or run again with --force"
)


def test_a_drop_within_the_tolerance_deploys() -> None:
    r = judge(KEY, {KEY: 0.196}, {KEY: 0.2}, 2.5)  # (0.196 - 0.2) / 0.2 = -2 %
    assert r.allowed and r.change_pct == pytest.approx(-2.0)
    assert r.reason == "NDCG@10 0.1960 vs 0.2000 served (-2.0%, within the 2.5% tolerance)"


def test_a_drop_beyond_the_tolerance_is_refused() -> None:
    r = judge(KEY, {KEY: 0.15}, {KEY: 0.2}, 10)  # -25 %
    assert not r.allowed and r.change_pct == pytest.approx(-25.0)
    assert r.reason == (
        "NDCG@10 0.1500 vs 0.2000 served (-25.0%, a drop beyond the 10% tolerance)" + WAY_OUT
    )


def test_an_improvement_deploys() -> None:
    r = judge(KEY, {KEY: 0.3}, {KEY: 0.2}, 0)
    assert r.allowed and r.change_pct == pytest.approx(50.0)


def test_force_deploys_and_keeps_the_refusal_reason() -> None:
    r = judge(KEY, {KEY: 0.1}, {KEY: 0.2}, 5, force=True)
    assert r.allowed and r.forced
    assert r.reason == (
        "forced: NDCG@10 0.1000 vs 0.2000 served (-50.0%, a drop beyond the 5% tolerance)"
    )
    # forced but allowed anyway: nothing was overridden, so no "forced:"
    assert judge(KEY, {KEY: 0.3}, {KEY: 0.2}, 5, force=True).reason.startswith("NDCG@10 0.3000")


def test_nothing_served_to_compare_with_deploys() -> None:
    assert judge(KEY, {KEY: 0.1}, None, 5).allowed
    r = judge(KEY, {KEY: 0.1}, {"precision_at_10": 0.3}, 5)
    assert r.allowed
    assert r.reason == "NDCG@10 0.1000; the served version has no NDCG@10 to compare with"


def test_a_metric_the_version_does_not_report_refuses_and_lists_the_keys() -> None:
    r = judge("ndcg", {KEY: 0.1, "precision_at_10": 0.2}, {KEY: 0.1}, 5)
    assert not r.allowed
    assert r.reason == (
        "the new version reports no Ndcg (it has: NDCG@10, Precision@10); choose one of those "
        "as the guardrail's metric"
    )


def test_a_zero_served_value_allows_zero_and_any_gain() -> None:
    assert judge(KEY, {KEY: 0.0}, {KEY: 0.0}, 0).allowed
    gain = judge(KEY, {KEY: 0.1}, {KEY: 0.0}, 0)
    assert gain.allowed and gain.change_pct is None
    assert gain.reason == "NDCG@10 0.1000 vs 0.0000 served (+∞, within the 0% tolerance)"


def _stored(result_dict: dict) -> dict:
    """What a run keeps of a guardrail (its step's detail is a JSON column)."""
    return json.loads(json.dumps(result_dict))


@pytest.fixture
def korean():
    use_language("ko")
    yield
    use_language("en")


def test_the_stored_numbers_render_the_reason_in_korean(korean: None) -> None:
    """The run stores the worker's English; a Korean reader gets the reason in Korean, from the
    numbers (translations from the catalogue, written by hand)."""
    use_language("en")  # the worker's language
    refused = _stored(judge(KEY, {KEY: 0.15}, {KEY: 0.2}, 10).to_dict())
    missing = _stored(judge("ndcg", {KEY: 0.1}, {KEY: 0.1}, 5).to_dict())
    first = _stored(judge(KEY, {KEY: 0.1}, None, 5, force=True).to_dict())
    forced = _stored(judge(KEY, {KEY: 0.1}, {KEY: 0.2}, 5, force=True).to_dict())
    assert refused["reason"].startswith("NDCG@10 0.1500 vs")  # stored in English
    use_language("ko")
    assert guardrail_reason(refused) == (
        "NDCG@10 0.1500, 서비스 중 0.2000 (-25.0%, 허용 하락폭 10% 초과). 그래도 배포하려면 "
        "운영 페이지의 배포 탭에서 확인을 거쳐 배포하거나 --force로 다시 실행하세요"
    )
    assert guardrail_reason(missing) == (
        "새 버전에 Ndcg 값이 없습니다(있는 지표: NDCG@10). 그중 하나를 가드레일 지표로 고르세요"
    )
    assert guardrail_reason(first) == (
        "NDCG@10 0.1000. 서비스 중인 버전에는 비교할 NDCG@10 값이 없습니다"
    )
    assert guardrail_reason(forced) == (
        "강제 배포: NDCG@10 0.1000, 서비스 중 0.2000 (-50.0%, 허용 하락폭 5% 초과)"
    )


def test_a_reason_stored_before_the_numbers_were_complete_is_not_rendered() -> None:
    """Runs recorded before this change: the numbers of a comparison are all there and render
    (with the metric's label now); a missing-metric refusal lacks the keys the version had, and
    an early record may lack the numbers altogether: None, so the page shows the stored text."""
    old_compare = {
        "metric": KEY,
        "new_value": 0.2008,
        "served_value": 0.2008,
        "change_pct": 0.0,
        "tolerance_pct": 2.0,
        "allowed": True,
        "forced": False,
        "reason": f"{KEY} 0.2008 vs 0.2008 served (0.0%, within the 2% tolerance)",
    }
    assert guardrail_reason(old_compare) == (
        "NDCG@10 0.2008 vs 0.2008 served (0.0%, within the 2% tolerance)"
    )
    old_missing = {**old_compare, "metric": "ndcg", "new_value": None, "change_pct": None}
    assert guardrail_reason(old_missing) is None
    assert guardrail_reason({"reason": "something older"}) is None


def _data(users: int, interactions: int, start: int) -> VersionData:
    return VersionData.from_record(
        {"testUsers": users, "usersWithTruth": users, "dataFrom": start, "dataTo": start + 86400},
        interactions,
    )


def test_a_refusal_says_the_versions_were_scored_on_different_holdouts_and_by_how_many() -> None:
    """The s13 trial's night: the served version trained on the bad night (2,649 rows), the new
    one on the good file (1,472), each scored on its own 6 test users; 0.2158 vs 0.2989 is
    (0.2158 - 0.2989) / 0.2989 = -27.80 %."""
    new = _data(6, 1472, 1_800_000_000)  # 2027-01-15 08:00 UTC
    served = _data(6, 2649, 1_800_000_060)  # a minute later
    r = judge(KEY, {KEY: 0.2158}, {KEY: 0.2989}, 2, new_data=new, served_data=served)
    assert not r.allowed  # still refused: see docs/pipeline.md, the guardrail on a small hold-out
    assert r.reason == (
        "NDCG@10 0.2158 vs 0.2989 served (-27.8%, a drop beyond the 2% tolerance); scored on "
        "different hold-outs (trained on 2027-01-15 08:00 → 2027-01-16 08:00 vs 2027-01-15 "
        "08:01 → 2027-01-16 08:01 (UTC); 1,472 vs 2,649 interactions); scored on 6 vs 6 test "
        "users, fewer than 30: the difference cannot be told apart from chance" + WAY_OUT
    )
    stored = _stored(r.to_dict())
    assert stored["new_data"]["testUsers"] == 6 and stored["served_data"]["interactions"] == 2649
    assert guardrail_reason(stored) == r.reason


def test_enough_users_on_the_same_data_name_the_counts_only() -> None:
    same = _data(120, 5000, 1_800_000_000)
    r = judge(KEY, {KEY: 0.19}, {KEY: 0.2}, 10, new_data=same, served_data=same)
    assert r.allowed
    assert r.reason == (
        "NDCG@10 0.1900 vs 0.2000 served (-5.0%, within the 10% tolerance); 120 vs 120 test users"
    )
    few = _data(29, 5000, 1_800_000_000)  # one short of 30 on one side is enough to say so
    assert "fewer than 30" in judge(KEY, {KEY: 0.19}, {KEY: 0.2}, 10, new_data=few,
                                    served_data=same).reason  # fmt: skip


def test_the_holdout_notes_render_in_korean(korean: None) -> None:
    use_language("en")
    stored = _stored(
        judge(KEY, {KEY: 0.15}, {KEY: 0.2}, 10, new_data=_data(6, 10, 0),
              served_data=_data(6, 20, 0)).to_dict()
    )  # fmt: skip
    use_language("ko")
    assert guardrail_reason(stored) == (
        "NDCG@10 0.1500, 서비스 중 0.2000 (-25.0%, 허용 하락폭 10% 초과); 서로 다른 평가 "
        "데이터로 채점함(상호작용 10건 vs 20건); 테스트 사용자 6명 vs 6명으로 30명보다 적어 "
        "차이를 우연과 구별할 수 없습니다. 그래도 배포하려면 운영 페이지의 배포 탭에서 확인을 "
        "거쳐 배포하거나 --force로 다시 실행하세요"
    )
