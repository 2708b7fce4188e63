"""md_escape / md_code: every value reads back as exactly its text (checked by parsing)."""

from __future__ import annotations

import pytest

from dashboard.components.text import WORD_JOINER, md_code, md_escape, md_help
from tests.dashboard.rendered import draw

VALUES = [
    "**bold** __bold__ *em* ~~gone~~",
    "[Sign in again](http://evil.test) ![img](http://evil.test/x.png)",
    "<b>x</b> <script>alert(1)</script> &amp; &#60;",
    ":red[x] :blue-badge[y] :material/home: :smile: :streamlit:",
    "$x$ $$y$$ \\(z\\)",
    "`code` ``two`` ```",
    "# heading\n- item\n1. one\n> quote\n---\n| a | b |",
    "www.evil.test http://evil.test HTTPS://EVIL.TEST mail me@evil.test",
    "x -> y <- z <-> w -- v >= 1 <= 2 ~= 3",
    "김민준 님의 장바구니 ₩12,900 ￦5,000",
    "trailing backslash \\",
]


@pytest.mark.parametrize("value", VALUES)
def test_escaped_text_draws_as_itself(value: str) -> None:
    drawn = draw(f"before **{md_escape(value)}** after")
    assert not drawn.active
    assert drawn.text == f"before {value.replace(chr(10), ' ')} after"
    assert drawn.styled == value.replace("\n", " ")  # only the page's own bold


@pytest.mark.parametrize("value", VALUES)
def test_code_spans_hold_any_value(value: str) -> None:
    drawn = draw(f"id {md_code(value)} end")
    assert not drawn.active and not drawn.styled
    assert drawn.text == f"id {value.replace(chr(10), ' ')} end"


def test_nothing_and_what_stays_as_typed() -> None:
    assert md_escape(None) == "" and md_code(None) == "" and md_code("") == ""
    assert md_help(None) is None and md_help("") is None and md_help("a_b") == "a\\_b"
    assert md_escape("plain words 123") == "plain words 123"
    assert md_escape("shop-campaign") == "shop\\-campaign"
    # joiners only inside what a text transform would catch: ARN parts and times are copied
    # from code spans (md_code), which need none
    assert WORD_JOINER not in md_escape("a normal - sentence, with: punctuation.")
    assert md_code("arn:aws:personalize:us-east-1:1:campaign/x") == (
        "`arn:aws:personalize:us-east-1:1:campaign/x`"
    )
