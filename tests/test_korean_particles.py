"""Korean particles after a name (issue #21: "B이(가)" on the pages): the helper picks the form
from the name's last character, and every Korean message settles its particles once formatted.

Expected forms are written by hand from how each name is read aloud in Korean."""

from __future__ import annotations

import pytest

from services.i18n import _, ngettext, use_language
from services.i18n.particles import final_sound, particle, resolve


@pytest.mark.parametrize(
    ("word", "template", "expected"),
    [
        # Hangul: 캠페인 ends in ㄴ, 버전 in ㄴ, 모델 in ㄹ, 추천기 and 파일 without / with ㄹ
        ("캠페인", "을(를)", "을"),
        ("추천기", "을(를)", "를"),
        ("버전", "이(가)", "이"),
        ("상품", "은(는)", "은"),
        ("데이터", "은(는)", "는"),
        ("모델", "(으)로", "로"),  # ㄹ takes 로
        ("상품", "(으)로", "으로"),
        ("파일", "과(와)", "과"),
        ("추천기", "와(과)", "와"),
        # digits read 영 일 이 삼 사 오 육 칠 팔 구
        ("shop-pop-2", "이(가)", "가"),  # 이
        ("v3", "을(를)", "을"),  # 삼
        ("u0", "은(는)", "은"),  # 영
        ("i5", "을(를)", "를"),  # 오
        ("job-1", "(으)로", "로"),  # 일: ㄹ
        ("job-6", "(으)로", "으로"),  # 육
        ("9", "과(와)", "와"),  # 구
        # acronyms letter by letter: ARN 에이알엔, CSV 씨에스브이, URL 유알엘
        ("ARN", "을(를)", "을"),
        ("CSV", "을(를)", "를"),
        ("URL", "(으)로", "로"),
        # loanwords: 샵업, 캠페인, 모델, 펜딩, 캣 / 리스트, 유저, 셀러스, 포유, 베드
        ("shop-up", "이(가)", "이"),
        ("shop-campaign", "은(는)", "은"),
        ("model", "(으)로", "로"),
        ("PENDING", "이(가)", "이"),
        ("cat", "을(를)", "을"),
        ("list", "을(를)", "를"),
        ("user", "이(가)", "가"),
        ("best-sellers", "은(는)", "는"),
        ("for-you", "과(와)", "와"),
        ("bed", "이(가)", "가"),
        # what cannot be read keeps both forms
        ("50%", "이(가)", "가"),  # 퍼센트 or 프로: a vowel either way
        ("", "을(를)", "을(를)"),
    ],
)
def test_particle(word: str, template: str, expected: str) -> None:
    assert particle(word, template) == expected


def test_final_sound_reads_the_last_character() -> None:
    assert [final_sound(w) for w in ("값", "물", "바다", "A1", "FULL", "{x}")] == [
        "consonant",
        "rieul",
        "vowel",
        "rieul",  # 일
        "rieul",  # 풀
        None,
    ]


def test_resolve_skips_markup_and_keeps_what_follows_a_placeholder() -> None:
    assert resolve("**shop-up**을(를) 배포합니다") == "**shop-up**을 배포합니다"
    assert resolve("`arn:…:solution/s1`이(가) 없습니다") == "`arn:…:solution/s1`이 없습니다"
    assert resolve("'red'이(가) 아니라") == "'red'가 아니라"
    assert resolve("{name}을(를) 배포") == "{name}을(를) 배포"  # not formatted yet
    assert resolve("버전 v2와(과) v1") == "버전 v2와 v1"
    # a parenthesis is passed over: the particle goes with the word before it
    assert resolve("접두사 ID(sku-…)을(를) 씁니다") == "접두사 ID(sku-…)를 씁니다"
    assert resolve("shop-up/1 (FULL)이(가)") == "shop-up/1 (FULL)이"


def test_korean_messages_settle_their_particles_when_formatted() -> None:
    # msgstr "… 그때까지는 {served}을(를) 서비스합니다." (Campaign … is updating to version …)
    use_language("ko")
    try:
        text = _(
            "Campaign {campaign} is updating to version {version}; it serves {served} until then."
        ).format(campaign="shop-campaign", version="shop-up/2", served="shop-up/1")
        assert "shop-up/1을 서비스" in text and "(를)" not in text
        one = ngettext("{n} dataset", "{n} datasets", 1).format(n=1)
        assert one == "데이터셋 1개"  # a message without a particle is unchanged
    finally:
        use_language("en")
    english = _(
        "Campaign {campaign} is updating to version {version}; it serves {served} until then."
    )
    assert type(english) is str and "(를)" not in english


@pytest.mark.parametrize(
    ("word", "expected"),
    # read aloud by hand: 1퍼센트를, 2.5퍼센트를, 100퍼센트를 (trial s14 saw "1%을(를)")
    [("1%", "를"), ("2.5%", "를"), ("100%", "를"), ("1", "을"), ("2", "를"), ("10", "을")],
)
def test_a_percent_reads_as_percent(word: str, expected: str) -> None:
    assert particle(word, "을(를)") == expected
