"""The rule playground in a real browser (issue #21, item 3): a merchandiser (an operator: no
access is configured on the local engine) in Korean mode previews a promotion for three users,
saves its filter through the dialog (in Korean: the dialog's own reruns keep the session's
language), and finds it offered in the side-by-side grid's filter picker, which then filters
the grid. Nothing leaves 127.0.0.1 and the console stays clean (the ``page`` fixture).

The seeded shop (tests/local/workspace.py): items i60-i89 are cat2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.test_browser import (  # page, shots: the fixtures (a checked tab, a folder)
    TIMEOUT_MS,
    _idle,
    _no_exception,
    page,  # noqa: F401
    shots,  # noqa: F401
)

PROMOTE_CAT2 = 'INCLUDE ItemID WHERE Items.CATEGORY IN ("cat2")'
USERS = ["u0", "u1", "u2"]
NAME = "promo-cat2"


def _key(tab: Any, key: str) -> Any:
    """The element container Streamlit marks with a widget's ``key`` (class ``st-key-<key>``)."""
    return tab.locator(f".st-key-{key}").first


def _type(tab: Any, key: str, text: str) -> None:
    box = _key(tab, key).locator("textarea")
    box.fill(text)
    box.press("Control+Enter")
    _idle(tab)


def test_a_merchandiser_previews_a_promotion_saves_it_and_finds_it_in_the_grid(
    page: Any,  # noqa: F811
    shots: Path,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    page.get_by_text("한국어", exact=True).first.click()
    _idle(page)
    page.get_by_role("link", name="추천", exact=True).first.click()
    _idle(page)
    main = page.locator('[data-testid="stMain"]')
    assert _key(page, "rec_filter").count() == 0  # no filter in the group yet
    _type(page, "pg_users", "\n".join(USERS))
    _type(page, "pg_promo", PROMOTE_CAT2)
    _no_exception(page, "preview")
    # the share line, then one before/after table per user, all in Korean
    expect(main).to_contain_text("프로모션: 목록의", timeout=TIMEOUT_MS)
    for user in USERS:
        expect(main.locator("strong", has_text=user).first).to_be_visible(timeout=TIMEOUT_MS)
    main.get_by_text("프로모션: 목록의").first.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "playground-ko.png"))

    page.get_by_role("button", name="프로모션 필터 저장…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("데이터셋 그룹에 필터를 만듭니다", timeout=TIMEOUT_MS)
    box = dialog.locator(".st-key-pg_name_promo input")
    box.fill(NAME)
    box.press("Enter")
    _idle(page)
    # typing ran the dialog alone (not streamlit_app.py): it must still speak Korean
    expect(dialog).to_contain_text("필터 이름")
    dialog.get_by_role("button", name="필터 만들기").click()
    _idle(page)
    _no_exception(page, "save")
    expect(main).to_contain_text("filterArn", timeout=TIMEOUT_MS)  # the parameters to send

    # the grid's filter picker (above the grid) now offers the saved filter; picked, it filters
    picker = _key(page, "rec_filter")
    _idle(page)
    options = page.get_by_role("option")
    for _attempt in range(3):
        # the picker's arrow opens its list (a click on the text field only focuses it); a
        # rerun still drawing the page after the save closes a list opened meanwhile
        picker.locator('button[aria-haspopup="listbox"]').click()
        try:
            expect(options.first).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            _idle(page)
    expect(options).to_have_text(["(없음)", NAME], timeout=TIMEOUT_MS)
    page.get_by_role("option", name=NAME).click()
    _idle(page)
    _no_exception(page, "grid filtered")
    expect(picker.get_by_role("combobox")).to_have_value(NAME)
    page.screenshot(path=str(shots / "grid-filtered-ko.png"))
