"""Chart style: in Korean, date axes read with 년/월/일, never Plotly's English month names."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import pytest

from dashboard.components.chart_style import KOREAN_DATE_HOVER, cjk_font
from services.i18n.catalogue import current_language, use_language

DAYS = pd.DataFrame(
    {"time": pd.date_range("2026-11-23", periods=15, freq="D"), "events": range(15)}
)


@pytest.fixture
def korean() -> Iterator[None]:
    before = current_language()
    use_language("ko")
    yield
    use_language(before)


def _formats(fig: go.Figure) -> dict[tuple[object, object], str]:
    return {tuple(stop.dtickrange): stop.value for stop in fig.layout.xaxis.tickformatstops}


def test_a_korean_date_axis_names_days_and_months_in_korean(korean: None) -> None:
    fig = cjk_font(px.line(DAYS, x="time", y="events"))
    formats = _formats(fig)
    # A tick a day apart reads "11월 23일"; an hour apart "11월 23일 05:00"; a month "2026년 11월".
    assert formats[(86_400_000, "M1")] == "%-m월 %-d일"
    assert formats[(60_000, 86_400_000)] == "%-m월 %-d일 %H:%M"
    assert formats[("M1", "M12")] == "%Y년 %-m월"
    assert not any("%b" in f or "%B" in f for f in formats.values())  # no month names
    assert fig.layout.xaxis.hoverformat == KOREAN_DATE_HOVER


def test_a_korean_axis_of_labels_keeps_plotly_s_own_format(korean: None) -> None:
    fig = cjk_font(px.bar(x=["신발", "커피"], y=[3, 4]))
    assert not fig.layout.xaxis.tickformatstops
    assert fig.layout.xaxis.hoverformat is None


def test_an_english_date_axis_keeps_plotly_s_own_format() -> None:
    use_language("en")
    fig = cjk_font(px.line(DAYS, x="time", y="events"))
    assert not fig.layout.xaxis.tickformatstops
    assert fig.layout.xaxis.hoverformat is None
