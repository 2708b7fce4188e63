"""The pyarrow text kernels behave like the pandas calls they replace on the hot path."""

import numpy as np
import pandas as pd

from services.prepare.arrow_text import matches, strings, to_float


def test_to_float_reads_plain_numbers_only():
    text = pd.Series([" 12 ", "-1.5", "1e3", ".5", "12,900", "abc", "", None, "1709600400123"])
    got = to_float(text)
    np.testing.assert_array_equal(got[:4], [12.0, -1.5, 1000.0, 0.5])
    assert np.isnan(got[4:8]).all()
    assert got[8] == 1709600400123.0


def test_matches_uses_re2_with_flags_and_nulls_are_false():
    text = pd.Series(["10:00:00+09:00", "10:00 utc", "10:00:00", None])
    assert matches(text, r"(?i)\d{2}:\d{2}(?::\d{2})?\s*(?:z|utc|[+-]\d{2}:?\d{2})$").tolist() == [
        True,
        True,
        False,
        False,
    ]


def test_strings_puts_nulls_where_asked():
    out = strings(pd.Series(["a", "b", "c"]), np.array([False, True, False]))
    assert out.to_pylist() == ["a", None, "c"]
