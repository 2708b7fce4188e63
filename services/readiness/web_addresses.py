"""Web addresses in a column (an item's IMAGE_URL, a product page): kept whole, never split.

A value starting with ``http://`` or ``https://`` is a web address. Split as a categorical
value on "/" it becomes ``https:|img.example.kr|P0001.jpg`` (Prepare joins the parts with
"|" and drops empty ones), which is what a trial's prepared items file held: a category per
path segment, and no address left to show.
"""

from __future__ import annotations

import re

import pandas as pd

WEB_ADDRESS = re.compile(r"https?://", re.IGNORECASE)
# What a split on "/" leaves of one: the scheme as its own category (RE2 syntax, for Arrow).
CUT_WEB_ADDRESS = r"(?i)^https?:\|"
# A column is of web addresses when at least this share of its non-empty values are.
WEB_ADDRESS_SHARE = 0.5


def holds_web_addresses(text: pd.Series) -> bool:
    """True when at least ``WEB_ADDRESS_SHARE`` of the non-empty values of ``text`` (strings,
    stripped) start with http:// or https:// (any case)."""
    values = text[text != ""]
    if values.empty:
        return False
    return bool(values.map(lambda v: WEB_ADDRESS.match(v) is not None).mean() >= WEB_ADDRESS_SHARE)
