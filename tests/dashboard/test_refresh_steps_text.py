"""The refresh steps table shows a guardrail's reason in the reader's language, rendered from
the numbers the run stored (trial s9: "normalized_discounted_cumulative_gain_at_10 0.2008 vs
0.2008", English only); a step stored without those numbers keeps its stored text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from dashboard.components.operations.refresh import steps_frame
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
