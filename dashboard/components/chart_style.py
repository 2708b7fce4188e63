"""The font every chart names: Korean item names, categories and user IDs must not draw as
boxes. Plotly draws text as SVG in the browser, which falls back glyph by glyph along this
list; servers that take headless screenshots install Noto Sans CJK (README, "Korean")."""

from __future__ import annotations

import plotly.graph_objects as go

# Streamlit's own face first (Latin), then CJK faces: Linux (fonts-noto-cjk), the Noto web
# font's name, macOS, Windows.
FONT_FAMILY = (
    '"Source Sans", "Source Sans Pro", "Noto Sans CJK KR", "Noto Sans KR", '
    '"Apple SD Gothic Neo", "Malgun Gothic", sans-serif'
)


def cjk_font(fig: go.Figure) -> go.Figure:
    """``fig`` with ``FONT_FAMILY`` for all its text (titles, axes, legend, hover).

    Each text's own font is named, not only the layout's: Streamlit's chart theme gives titles,
    axes and legends its app font, which would otherwise win over the inherited layout font."""
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
    return fig
