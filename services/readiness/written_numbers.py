"""Numbers written for people: "12,900", "₩12,900", "12,900원", "$1.50" ("1 234,5" is not).

Korean exports write the won sign full-width (U+FFE6 "￦": CP949 has it, not U+20A9 "₩"),
often with "원" after the number as well: "￦39,000원". Prepare converts such values to plain
numbers; readiness names them as such, so a file that only needs converting is pointed to
Prepare. One rule for both (prepare imports readiness, not the other way round).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_THOUSANDS = r"(?<=\d),(?=\d{3}(?:\D|$))"
_CURRENCY = r"^(?:[₩￦$＄€£¥￥]|KRW|USD|EUR)\s*|\s*(?:원|KRW|USD|EUR)$"


def written_numbers(text: pd.Series) -> np.ndarray:
    """Float per value of ``text`` (strings) with a currency sign or code and thousands
    separators taken out; NaN where what is left is not a number."""
    cleaned = text.str.replace(_CURRENCY, "", regex=True)
    cleaned = cleaned.str.replace(_THOUSANDS, "", regex=True)
    return np.asarray(pd.to_numeric(cleaned, errors="coerce").to_numpy(float, na_value=np.nan))
