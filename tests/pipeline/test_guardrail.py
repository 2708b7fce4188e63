"""The guardrail's decision, on numbers worked out by hand."""

from __future__ import annotations

import pytest

from services.pipeline import judge

KEY = "normalized_discounted_cumulative_gain_at_10"


def test_a_drop_within_the_tolerance_deploys() -> None:
    r = judge(KEY, {KEY: 0.196}, {KEY: 0.2}, 2.5)  # (0.196 - 0.2) / 0.2 = -2 %
    assert r.allowed and r.change_pct == pytest.approx(-2.0)
    assert "0.1960 vs 0.2000 served (-2.0%, within the 2.5% tolerance)" in r.reason


def test_a_drop_beyond_the_tolerance_is_refused() -> None:
    r = judge(KEY, {KEY: 0.15}, {KEY: 0.2}, 10)  # -25 %
    assert not r.allowed and r.change_pct == pytest.approx(-25.0)
    assert "(-25.0%, a drop beyond the 10% tolerance)" in r.reason


def test_an_improvement_deploys() -> None:
    r = judge(KEY, {KEY: 0.3}, {KEY: 0.2}, 0)
    assert r.allowed and r.change_pct == pytest.approx(50.0)


def test_force_deploys_and_keeps_the_refusal_reason() -> None:
    r = judge(KEY, {KEY: 0.1}, {KEY: 0.2}, 5, force=True)
    assert r.allowed and r.forced and r.reason.startswith("forced: ") and "-50.0%" in r.reason


def test_nothing_served_to_compare_with_deploys() -> None:
    assert judge(KEY, {KEY: 0.1}, None, 5).allowed
    assert judge(KEY, {KEY: 0.1}, {"precision_at_10": 0.3}, 5).allowed


def test_a_metric_the_version_does_not_report_refuses_and_lists_the_keys() -> None:
    r = judge("ndcg", {KEY: 0.1, "precision_at_10": 0.2}, {KEY: 0.1}, 5)
    assert not r.allowed
    assert f"reports no ndcg (it has: {KEY}, precision_at_10)" in r.reason


def test_a_zero_served_value_allows_zero_and_any_gain() -> None:
    assert judge(KEY, {KEY: 0.0}, {KEY: 0.0}, 0).allowed
    gain = judge(KEY, {KEY: 0.1}, {KEY: 0.0}, 0)
    assert gain.allowed and gain.change_pct is None
