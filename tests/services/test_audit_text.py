"""The audit log in the reader's language (trial s12: in Korean mode every audit row was
English). Rows are stored in English; the expected Korean below is written by hand from the
catalogue's translations, and the stored rows are the literal strings the writers stored before
the templates existed, so old rows read the same way as new ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.i18n import use_language
from services.store.audit_text import (
    DEPLOYED,
    NEW_VERSION,
    RUN_ENDED,
    action_text,
    actor_text,
    changes_note,
    message_text,
    note,
    reason_text,
    result_text,
    run_note,
)

ARN = "arn:aws:personalize:us-east-1:000000000000:solution/demo-user-personalization/caf77b73"


@pytest.fixture
def korean() -> Iterator[None]:
    use_language("ko")
    yield
    use_language("en")


# (stored as the code before the templates wrote it, shown in Korean)
OLD_ROWS = [
    ("run #2 started", "실행 #2 시작"),
    ("run #3 attached", "이미 실행 중인 #3에 연결"),
    ("run #4 resumed", "실행 #4 재개"),
    (
        "run #2 SUCCEEDED: Deployed demo-recommendations → demo-user-personalization/caf77b73.",
        "실행 #2 SUCCEEDED: 배포함: demo-recommendations → demo-user-personalization/caf77b73.",
    ),
    (
        "run #5 REFUSED: Not deployed by the guardrail: demo-recommendations: NDCG@10 fell 40%",
        "실행 #5 REFUSED: 가드레일이 배포하지 않음: demo-recommendations: NDCG@10 fell 40%",
    ),
    (
        "run #6 SUCCEEDED: Every campaign already served the new versions.",
        "실행 #6 SUCCEEDED: 모든 캠페인이 이미 새 버전을 서비스하고 있었습니다.",
    ),
    (f"new version {ARN}", f"새 버전 {ARN}"),
    ("new solution arn:x/s", "새 솔루션 arn:x/s"),
    ("updated shop-a, shop-b", "업데이트함: shop-a, shop-b"),
    ("updated no campaign", "업데이트한 캠페인 없음"),
    ("experiment 7", "실험 7"),
    ("refused: locked for 30 s", "거부됨: 30 s 동안 잠김"),
    ("refused: viewers may not act", "거부됨: viewers may not act"),
    ("wrong user name or password", "사용자 이름 또는 비밀번호가 틀림"),
    (
        "wrong user name or password; locked for 60 s",
        "사용자 이름 또는 비밀번호가 틀림, 60 s 동안 잠김",
    ),
    ("started; its result was not recorded", "시작됨, 결과는 기록되지 않음"),
    ("1 change made", "변경 1건 완료"),
    ("3 changes made", "변경 3건 완료"),
]


@pytest.mark.parametrize(("stored", "korean_text"), OLD_ROWS)
def test_stored_english_rows_read_in_korean(korean: None, stored: str, korean_text: str) -> None:
    assert message_text(stored) == korean_text


@pytest.mark.parametrize(("stored", "korean_text"), OLD_ROWS)
def test_stored_rows_read_unchanged_in_english(stored: str, korean_text: str) -> None:
    assert message_text(stored) == stored


def test_the_writers_store_english_whatever_the_readers_language(korean: None) -> None:
    # what the writers store now is what they stored before, so both read the same way
    assert run_note(2, attached=False, resumed=False) == "run #2 started"
    assert run_note(3, attached=True, resumed=False) == "run #3 attached"
    assert run_note(4, attached=False, resumed=True) == "run #4 resumed"
    assert changes_note(1) == "1 change made" and changes_note(3) == "3 changes made"
    assert note(NEW_VERSION, arn=ARN) == f"new version {ARN}"
    reason = note(DEPLOYED, deployed="demo-recommendations → x/1")
    assert note(RUN_ENDED, run=2, status="SUCCEEDED", reason=reason) == (
        "run #2 SUCCEEDED: Deployed demo-recommendations → x/1."
    )
    assert reason_text(reason) == "배포함: demo-recommendations → x/1."


def test_actions_and_results_are_named_in_the_readers_language(korean: None) -> None:
    assert action_text("update_campaign") == "캠페인 업데이트"
    assert action_text("refresh finished") == "새로 고침 끝남"
    assert action_text("create_solution_version") == "새 버전 학습"
    assert result_text("ok") == "성공" and result_text("error") == "오류"
    assert action_text("some_future_action") == "some_future_action"  # unknown: as stored
    # what a refresh run did by itself names who started it and the run
    assert actor_text("김철수 (refresh #12)") == "김철수 (새로 고침 #12)"
    assert actor_text("otto (cli)") == "otto (cli)"  # the command's name, as stored


def test_untrusted_parts_are_copied_as_stored_and_unknown_text_is_kept(korean: None) -> None:
    # a name typed by a user, with markdown and HTML in it, is data: copied character for
    # character (the table draws text, never markdown)
    typed = "**shop** <b>x</b> [link](http://example.invalid) {run}"
    assert message_text(f"updated {typed}") == f"업데이트함: {typed}"
    assert message_text(f"new version {typed}") == f"새 버전 {typed}"
    # an error's own text matches no template: as stored
    error = "ResourceInUseException: campaign is updating"
    assert message_text(error) == error
    assert message_text(None) == "" and message_text("") == ""
