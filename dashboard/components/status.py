"""Status badges, so every page colours Personalize statuses the same way."""

from __future__ import annotations

import streamlit as st

from dashboard.components.formatting import status_colour
from dashboard.components.text import md_escape, md_help

# Colours Streamlit accepts in st.badge and ``:color-badge[…]`` markdown.
_BADGE_COLOURS = {"red", "orange", "yellow", "blue", "green", "violet", "gray", "primary"}


def _colour(status: str | None) -> str:
    colour = status_colour(status)
    return colour if colour in _BADGE_COLOURS else "gray"


def badge_markdown(status: str | None) -> str:
    """``:green-badge[ACTIVE]`` for inline use in markdown and captions (the status escaped:
    it is a service's text)."""
    return f":{_colour(status)}-badge[{md_escape(status or 'UNKNOWN')}]"


def status_badge(status: str | None, help_text: str | None = None) -> None:
    """A coloured badge element for a Personalize status string."""
    st.badge(md_escape(status or "UNKNOWN"), color=_colour(status), help=md_help(help_text))  # type: ignore[arg-type]
