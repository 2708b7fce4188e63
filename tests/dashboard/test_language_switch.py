"""The sidebar's language switch (issue #21): a first visit speaks the browser's language, the
switch changes every page's text for the session, and the sign-in page is translated too."""

from __future__ import annotations

import unicodedata

import pytest
from streamlit.runtime.context import ContextProxy
from streamlit.testing.v1 import AppTest

from services.access import hash_password
from services.i18n import use_language
from tests.dashboard.conftest import APP, TIMEOUT, Seeded

PASSWORD = "비밀번호 long enough 1"


@pytest.fixture(autouse=True)
def english_after() -> None:
    yield
    use_language("en")


def _browser(monkeypatch: pytest.MonkeyPatch, locale: str | None) -> None:
    """What ``st.context.locale`` reports (the browser's navigator.language)."""
    monkeypatch.setattr(ContextProxy, "locale", property(lambda self: locale))


@pytest.mark.parametrize(
    ("locale", "title", "choice"), [("ko-KR", "개요", "ko"), ("en-US", "Overview", "en")]
)
def test_a_first_visit_speaks_the_browser_language(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch, locale: str, title: str, choice: str
) -> None:
    _browser(monkeypatch, locale)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == title
    assert at.segmented_control(key="language_switch").value == choice


def test_the_switch_changes_the_pages_and_keeps_the_choice(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    _browser(monkeypatch, "en-GB")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert at.title[0].value == "Overview"
    at.segmented_control(key="language_switch").set_value("ko").run()
    # AppTest formats the options of the page's radios in this thread when it sends their
    # state back, as a browser sends the labels it shows: the Korean ones now.
    use_language("ko")
    assert at.title[0].value == "개요"
    assert at.button(key="overview_refresh").label == "새로 고침"
    at.switch_page("dashboard/pages/operations.py").run()  # the choice stays for the session
    assert at.title[0].value == "운영"
    assert not at.exception, [e.value for e in at.exception]
    at.segmented_control(key="language_switch").set_value("en").run()
    assert at.title[0].value == "Operations"


def test_the_language_rides_in_the_url_over_the_browsers(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reload or a new tab with ?lang=ko speaks Korean in an English browser; the switch
    writes its choice to the URL, and a page switch keeps it there."""
    _browser(monkeypatch, "en-US")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = "ko"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    use_language("ko")
    assert at.title[0].value == "개요"
    assert at.segmented_control(key="language_switch").value == "ko"
    at.segmented_control(key="language_switch").set_value("en").run()
    use_language("en")
    assert at.title[0].value == "Overview"
    assert at.query_params["lang"] == "en"
    at.switch_page("dashboard/pages/operations.py").run()
    assert at.title[0].value == "Operations"
    assert at.query_params["lang"] == "en"
    # a value the app does not speak is ignored: the browser's language, written back
    fresh = AppTest.from_file(APP, default_timeout=TIMEOUT)
    fresh.query_params["lang"] = "xx"
    fresh.run()
    assert fresh.title[0].value == "Overview"
    assert fresh.query_params["lang"] == "en"


def test_a_hangul_user_signs_in_on_the_korean_sign_in_page(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sign-in page speaks Korean before anybody is signed in, and 김철수 typed as
    decomposed jamo (as some input methods send it) signs in to the account written composed."""
    _browser(monkeypatch, "ko-KR")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    hashed = hash_password(PASSWORD)
    at.secrets["access"] = {"accounts": {"김철수": {"role": "viewer", "password_hash": hashed}}}
    at.run()
    assert at.title[0].value == "로그인"
    assert [t.label for t in at.text_input] == ["사용자 이름", "비밀번호"]
    at.text_input(key="sign_in_name").input(unicodedata.normalize("NFD", "김철수"))
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button(key="sign_in_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "개요"
    assert "**김철수** · 조회자" in [m.value for m in at.sidebar.markdown]


def test_a_tab_label_in_either_language_names_its_tab() -> None:
    """The Operations tabs' callback puts the open tab in the URL; it may run before the run
    sets the session's language, so a Korean label must name its tab whatever this thread
    speaks."""
    from dashboard.components.operations.tabs import TAB_LABELS
    from dashboard.components.page_tabs import tab_of
    from services.i18n import _

    use_language("ko")
    korean = _(TAB_LABELS["deploy"])
    assert korean == ":material/rocket_launch: 배포"
    assert tab_of(TAB_LABELS, korean) == "deploy"
    use_language("en")  # a callback's thread, before streamlit_app.py sets the language
    assert tab_of(TAB_LABELS, korean) == "deploy"
    assert tab_of(TAB_LABELS, TAB_LABELS["deploy"]) == "deploy"
    assert tab_of(TAB_LABELS, "배포") is None and tab_of(TAB_LABELS, None) is None


def test_in_korean_the_sidebar_says_which_key_applies_typed_text(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streamlit 1.67 writes "Press Enter to apply" / "Press Ctrl+Enter to apply" under a field
    in English whatever the app's language, with no option to change it (trial s11). In
    Korean the sidebar says it in Korean, under the switch; in English the hint is Streamlit's
    own and the sidebar says nothing more. (The browser test shows the English hint beside it:
    tests/e2e/test_korean.py.)"""
    _browser(monkeypatch, "ko-KR")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    hints = [c.value for c in at.sidebar.caption if "Ctrl+Enter" in c.value]
    assert hints == [
        "입력한 내용은 Enter를 누르거나(여러 줄 입력란은 Ctrl+Enter, Mac에서는 ⌘+Enter) 입력란 "
        '밖을 클릭하면 적용됩니다. 입력란 아래의 회색 영어 안내 "Press … to apply"는 '
        "Streamlit이 표시하는 고정 문구입니다."
    ]
    at.segmented_control(key="language_switch").set_value("en").run()
    assert not [c for c in at.sidebar.caption if "Ctrl+Enter" in c.value]
