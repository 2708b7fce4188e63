"""Every page loads on the seeded workspace without an exception."""

from __future__ import annotations

import pytest

from tests.dashboard.conftest import PAGES, Seeded, app_at


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_exception(seeded: Seeded, page: str) -> None:
    at = app_at(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every page has a title"
