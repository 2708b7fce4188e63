"""Streamlit 1.67 draws a file uploader's own words ("Drag and drop a file here", "Upload",
"200MB per file") in English with no parameter to change them; in Korean a caption under every
uploader says what they ask for (trial s9 found them the only English on the Korean pages), under
the box it describes, not above its label, where it read as the previous field's caption (trial
s13b: under the Refresh tab's S3 field, as if that field took a file)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import Seeded, app_in
from tests.dashboard.rendered import shown

# The catalogue's Korean for the hint, written by hand; the server's limit is 200 MB.
KOREAN = (
    "파일 하나를 상자에 끌어다 놓거나 Upload 버튼을 눌러 고르세요. 최대 200MB입니다. 상자 "
    "안의 안내 문구와 버튼 이름은 Streamlit이 영어로만 표시합니다."
)


def _in_order(node: Any) -> Iterator[Any]:
    """Every element of the page, in the order it is drawn."""
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _in_order(child)


def _after_each_uploader(at: AppTest) -> list[str]:
    """What is drawn right after each file uploader ("" when that is not a caption); each
    uploader takes one file."""
    drawn = list(_in_order(at.main))
    assert not any(e.proto.multiple_files for e in drawn if e.type == "file_uploader")
    return [
        shown(drawn[i + 1].value) if i + 1 < len(drawn) and drawn[i + 1].type == "caption" else ""
        for i, element in enumerate(drawn)
        if element.type == "file_uploader"
    ]


@pytest.mark.parametrize(
    ("page", "uploaders"),
    [("dashboard/pages/data.py", 2), ("dashboard/pages/operations.py", 1)],
)
def test_every_uploader_has_its_words_in_korean_under_it(
    seeded: Seeded, page: str, uploaders: int
) -> None:
    after = _after_each_uploader(app_in(page, "ko"))
    assert after == [KOREAN] * uploaders
    # in English the box says it itself: no caption repeats it
    english = _after_each_uploader(app_in(page, "en"))
    assert len(english) == uploaders
    assert not any("Drop the file on the box" in text for text in english)
