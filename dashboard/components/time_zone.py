"""Which time zone a page writes times in: the data's own (a mapping's) or the reader's."""

from __future__ import annotations

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st


def zone_of(name: str | None) -> tzinfo:
    """The IANA zone ``name`` (``Asia/Seoul``); UTC when blank or unknown (a mapping being
    edited says why it is invalid where the name is typed)."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def reader_zone() -> tzinfo:
    """The zone of the reader's browser (a Korean shop's staff: Asia/Seoul), where the page
    has no data zone of its own; UTC when the browser does not say (tests, scripts)."""
    return zone_of(st.context.timezone)
