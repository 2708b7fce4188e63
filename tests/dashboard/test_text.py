"""md_escape / md_code: every value reads back as exactly its text (checked by parsing)."""

from __future__ import annotations

import pytest

from dashboard.components.text import (
    WORD_JOINER,
    chart_text,
    md_code,
    md_escape,
    md_help,
    md_label,
)
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


LABEL_ATTACKS = [
    "_em_ __strong__ a_*b*_c x_ _y",
    "- item",
    "+ item",
    "* item",
    "1. one",
    "12) twelve",
    "> quote",
    "## heading",
    "=== not a rule",
    "[text](http://evil.test) [ref][x] [def]: http://evil.test",
    "![img](http://evil.test/x.png)",
    "see:red[x] and :material/home: or a::b",
    "&amp; &#60; R&D",
]


@pytest.mark.parametrize("value", VALUES + LABEL_ATTACKS)
def test_a_label_draws_as_itself(value: str) -> None:
    drawn = draw(md_label(value))
    assert not drawn.active and not drawn.styled, md_label(value)
    assert drawn.text == value.replace("\n", " "), md_label(value)


@pytest.mark.parametrize(
    "label",
    [
        "hidden_dimension (integer in [32, 256])",
        "max_user_history_length_percentile",
        "recency_mask (one of true, false)",
        "min_user_history_length_percentile (continuous in [0, 1])",
        "bptt (정수, [2, 32] 범위)",
        "item-name's price: ₩12,900 = 10% off?",
    ],
)
def test_a_plain_label_keeps_its_text_without_backslashes(label: str) -> None:
    """Screen readers and copy-paste get a label's source: nothing in these starts markdown,
    so nothing is escaped (md_escape would put a backslash before each _ ( [ , - and ')."""
    assert md_label(label) == label
    assert draw(label).text == label


def test_a_label_escapes_only_where_markdown_would_start() -> None:
    assert md_label(None) == ""
    assert md_label("_x_ a_b") == "\\_x\\_ a_b"
    assert md_label("see [a](b) [32, 256]") == "see [a\\](b) [32, 256]"
    assert md_label("- 1. x") == "\\- 1. x"
    assert md_label("1. x") == "1\\. x"
    assert md_label("x:red[y] time 08:39") == "x\\:red[y] time 08:39"
    assert md_label("a*b*") == "a\\*b\\*"


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


def test_chart_labels_from_data_are_text_for_plotly() -> None:
    """plotly.js reads <a href>, <b>, <br> in legends, ticks and hovers; entities it shows as
    their characters. An event type or item ID from data stays text."""
    import json

    import pandas as pd

    from dashboard.components.data import charts

    link = '<a href="http://evil.test">Sign in again</a> <b>x</b> & 김민준'
    text = (
        '&lt;a href="http://evil.test"&gt;Sign in again&lt;/a&gt; &lt;b&gt;x&lt;/b&gt; &amp; 김민준'
    )
    assert chart_text(link) == text and chart_text(None) == ""
    when = pd.Timestamp("2026-01-01", tz="UTC")
    figures = [
        charts.volume_figure(
            pd.DataFrame({"time": [when], "EVENT_TYPE": [link], "interactions": [3]}), "day"
        ),
        charts.events_by_type_figure(pd.DataFrame({"TIMESTAMP": [1.7e9], "EVENT_TYPE": [link]})),
        charts.events_by_hour_figure(
            pd.DataFrame({"hour": [when], "EVENT_TYPE": [link], "events": [1]})
        ),
        charts.long_tail_figure(
            pd.DataFrame(
                {"rank": [1], "interactions": [3], "item": [link], "cumulative share": [1.0]}
            )
        ),
    ]
    for figure in figures:
        drawn = json.dumps(json.loads(figure.to_json())["data"], ensure_ascii=False)
        assert "<a" not in drawn and "<b>" not in drawn
        assert text.replace('"', '\\"') in drawn


def test_an_arn_in_text_copies_exactly() -> None:
    """An ARN in a message (e.g. a promotion's solution version) must copy without joiners:
    AWS refuses an ARN holding U+2060. It is drawn as a code span; the sentence around it
    stays escaped text."""
    arn = "arn:aws:personalize:us-east-1:123456789012:solution/shop-pop/3f2a9c1b"
    source = md_escape(f"B promoted: 1 campaign(s) updated to {arn}.")
    assert f"`{arn}`" in source and WORD_JOINER not in source
    drawn = draw(f"**{source}**")
    assert not drawn.active and drawn.text == f"B promoted: 1 campaign(s) updated to {arn}."
    assert WORD_JOINER in md_escape("see :smile: not an arn:aws: part")


def test_no_joiner_where_no_transform_would_start() -> None:
    assert WORD_JOINER not in md_escape("NDCG@10 precision@25 12.5 -3 a-b")
    assert WORD_JOINER in md_escape("ops@example.com")
