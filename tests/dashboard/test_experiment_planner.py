"""The experiment planner's sentence: within a year in days; beyond, in years and said to be
out of reach (the trial read "about 12,480 days in all" for 34 years)."""

from __future__ import annotations

from dashboard.components.experiments.report import planner_sentence
from services.i18n.catalogue import current_language, use_language


def test_within_a_year_the_planner_counts_days() -> None:
    text = planner_sentence("3.0%", "conversion rate", 93, 365)
    assert text == (
        "To see a 3.0% lift in conversion rate at this traffic (93 users a day) you need "
        "about 365 days in all."
    )


def test_beyond_a_year_the_planner_says_years_and_out_of_reach() -> None:
    # 12,480 days ÷ 365.25 = 34.2 years
    text = planner_sentence("3.0%", "revenue per user", 93, 12_480)
    assert "about 34 years" in text
    assert "out of reach" in text
    assert "days" not in text and "12,480" not in text
    # one day past a year is already said in years (366 ÷ 365.25 = 1.0)
    assert "need about 1 year: out of reach" in planner_sentence("3.0%", "conversion rate", 93, 366)


def test_in_korean_the_years_read_as_years() -> None:
    before = current_language()
    use_language("ko")
    try:
        text = planner_sentence("3.0%", "매출", 93, 12_480)
    finally:
        use_language(before)
    assert "약 34년이 걸립니다" in text and "일" not in text.split("34년")[1]


def test_one_user_and_one_day_read_singular_in_english_and_the_same_in_korean() -> None:
    assert planner_sentence("3.0%", "conversion rate", 1, 1) == (
        "To see a 3.0% lift in conversion rate at this traffic (1 user a day) you need about "
        "1 day in all."
    )
    assert planner_sentence("3.0%", "conversion rate", 2, 2) == (
        "To see a 3.0% lift in conversion rate at this traffic (2 users a day) you need about "
        "2 days in all."
    )
    before = current_language()
    use_language("ko")
    try:
        one = planner_sentence("3.0%", "전환율", 1, 1)
        two = planner_sentence("3.0%", "전환율", 2, 2)
    finally:
        use_language(before)
    assert (
        one == "지금 트래픽(하루 사용자 1명)으로 전환율의 3.0% 향상을 확인하려면 "
        "모두 약 1일이 필요합니다."
    )
    assert (
        two == "지금 트래픽(하루 사용자 2명)으로 전환율의 3.0% 향상을 확인하려면 "
        "모두 약 2일이 필요합니다."
    )
