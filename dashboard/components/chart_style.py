"""The font every chart names: Korean item names, categories and user IDs must not draw as
boxes. Plotly draws text as SVG in the browser, which falls back glyph by glyph along this
list; servers that take headless screenshots install Noto Sans CJK (README, "Korean").
In Korean, date axes read 12월 6일, not Plotly's English month names ("Dec 6, 2026")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np
import plotly.express as px
import plotly.graph_objects as go

from services.i18n.catalogue import current_language

# Streamlit's own face first (Latin), then CJK faces: Linux (fonts-noto-cjk), the Noto web
# font's name, macOS, Windows.
FONT_FAMILY = (
    '"Source Sans", "Source Sans Pro", "Noto Sans CJK KR", "Noto Sans KR", '
    '"Apple SD Gothic Neo", "Malgun Gothic", sans-serif'
)


# Plotly's own qualitative palette, the colours its charts would pick anyway.
PALETTE = tuple(px.colors.qualitative.Plotly)


def category_colors(values: Iterable[str]) -> dict[str, str]:
    """One colour per distinct value, by sorted order, cycling ``PALETTE``: charts that show
    the same categories (event types) and are given this one map colour them alike, whatever
    subset each one draws (Plotly's own choice goes by order of appearance per chart)."""
    names = sorted({str(v) for v in values})
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


# Plotly picks a date tick's format by the distance between ticks (ms, or "M1" a month);
# its defaults print English month names, and d3's time format takes literal text, so Korean
# gets numbers with 년/월/일 at every zoom level.
KOREAN_DATE_TICKS = (
    {"dtickrange": [None, 1_000], "value": "%H:%M:%S.%L"},
    {"dtickrange": [1_000, 60_000], "value": "%H:%M:%S"},
    {"dtickrange": [60_000, 86_400_000], "value": "%-m월 %-d일 %H:%M"},
    {"dtickrange": [86_400_000, "M1"], "value": "%-m월 %-d일"},
    {"dtickrange": ["M1", "M12"], "value": "%Y년 %-m월"},
    {"dtickrange": ["M12", None], "value": "%Y년"},
)
KOREAN_DATE_HOVER = "%Y년 %-m월 %-d일 %H:%M"


def _dates(values: Any) -> bool:
    """Whether a trace's ``x`` holds dates (Plotly keeps pandas' times as datetime64)."""
    if values is None:
        return False
    arr = np.asarray(values)
    if arr.size == 0:
        return False
    return np.issubdtype(arr.dtype, np.datetime64) or isinstance(arr.flat[0], date)


def cjk_font(fig: go.Figure) -> go.Figure:
    """``fig`` with ``FONT_FAMILY`` for all its text (titles, axes, legend, hover).

    Each text's own font is named, not only the layout's: Streamlit's chart theme gives titles,
    axes and legends its app font, which would otherwise win over the inherited layout font.
    In Korean, an x axis of dates gets ``KOREAN_DATE_TICKS`` and ``KOREAN_DATE_HOVER``."""
    family = {"family": FONT_FAMILY}
    fig.update_layout(
        font=family,
        title_font=family,
        legend_font=family,
        legend_title_font=family,
        hoverlabel_font=family,
    )
    fig.update_xaxes(tickfont=family, title_font=family)
    fig.update_yaxes(tickfont=family, title_font=family)
    fig.update_annotations(font=family)
    if current_language() == "ko" and any(_dates(getattr(t, "x", None)) for t in fig.data):
        fig.update_xaxes(tickformatstops=list(KOREAN_DATE_TICKS), hoverformat=KOREAN_DATE_HOVER)
    return fig
