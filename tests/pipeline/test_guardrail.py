"""The guardrail's decision, on numbers worked out by hand, and its reason as a reader sees
it: the metric named as the pages name it, in the reader's language, from the stored numbers."""

from __future__ import annotations

import json

import pytest

from services.i18n import use_language
from services.pipeline import guardrail_reason, judge

KEY = "normalized_discounted_cumulative_gain_at_10"


def test_a_drop_within_the_tolerance_deploys() -> None:
    r = judge(KEY, {KEY: 0.196}, {KEY: 0.2}, 2.5)  # (0.196 - 0.2) / 0.2 = -2 %
    assert r.allowed and r.change_pct == pytest.approx(-2.0)
    assert r.reason == "NDCG@10 0.1960 vs 0.2000 served (-2.0%, within the 2.5% tolerance)"


def test_a_drop_beyond_the_tolerance_is_refused() -> None:
    r = judge(KEY, {KEY: 0.15}, {KEY: 0.2}, 10)  # -25 %
    assert not r.allowed and r.change_pct == pytest.approx(-25.0)
    assert r.reason == "NDCG@10 0.1500 vs 0.2000 served (-25.0%, a drop beyond the 10% tolerance)"


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
        "NDCG@10 0.1500, 서비스 중 0.2000 (-25.0%, 허용 하락폭 10% 초과)"
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
