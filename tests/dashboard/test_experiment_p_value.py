"""The Experiments page's interval table writes a p-value too small for four decimals as
``< 0.0001``, never ``0.0000`` (a trial on the demo shop showed ``0.0000`` for B's conversion)."""

from __future__ import annotations

import pytest

from dashboard.components.experiments.report import _row
from services.experiments.stats import Difference
from services.experiments.verdict import BETTER, CONVERSION, Comparison


def _comparison(p_value: float) -> Comparison:
    difference = Difference(
        estimate=0.2,
        low=0.1,
        high=0.3,
        fixed_low=0.12,
        fixed_high=0.28,
        p_value=p_value,
        control_mean=0.4,
        treatment_mean=0.6,
        alpha=0.05,
    )
    return Comparison("A", "B", CONVERSION, BETTER, difference, None)


@pytest.mark.parametrize(
    ("p_value", "shown"),
    [(3e-12, "< 0.0001"), (0.00009, "< 0.0001"), (0.0001, "0.0001"), (0.8396, "0.8396")],
)
def test_the_p_value_column(p_value: float, shown: str) -> None:
    row = _row(_comparison(p_value))
    assert row["p-value (any day)"] == shown
