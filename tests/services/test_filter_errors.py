"""The engine's filter-expression errors, translated at display time (trial s13 finding 10:
"Invalid filterExpression: unexpected character…" in Korean mode). The messages are the
engine's own, made by its parser (services.local.filters) from bad expressions; the Korean
expected here is messages.po's template filled by hand."""

from __future__ import annotations

import pytest

from services.evaluation.filter_errors import readable_filter_error
from services.i18n import use_language
from services.local.filters.expression import FilterExpressionError
from services.local.filters.parse import parse_filter


def engine_says(expression: str) -> str:
    """What CreateFilter answers for ``expression`` (services/local/control/filters.py)."""
    with pytest.raises(FilterExpressionError) as refused:
        parse_filter(expression)
    return f"Invalid filterExpression: {refused.value}"


@pytest.fixture
def korean():
    use_language("ko")
    yield
    use_language("en")


def test_known_engine_messages_read_in_korean(korean: None) -> None:
    said = engine_says('EXCLUDE ItemID WHERE Items.CATEGORY IN (#"x")')
    assert said.startswith("Invalid filterExpression: unexpected character '#' at position 40")
    assert readable_filter_error(said) == (
        "40번째 위치에 쓸 수 없는 문자가 있습니다: '#' (근처: 's.CATEGORY IN (#\"x\")')."
    )
    said = engine_says('EXCLUDE ItemID WHERE Items.CATEGORY IN ("x"')
    assert "is never closed" in said
    assert readable_filter_error(said).startswith("여는 괄호가 닫히지 않았습니다: 39번째 위치")
    long = "EXCLUDE ItemID WHERE Items.CATEGORY IN (" + ",".join(['"x"'] * 700) + ")"
    assert readable_filter_error(engine_says(long)) == (
        f"표현식이 {len(long)}자입니다. Personalize는 최대 2500자까지 받습니다."
    )


def test_unknown_messages_are_left_as_they_came() -> None:
    assert readable_filter_error("Personalize said something new") is None
    # in English the known ones read as the engine's own sentence, shorter
    said = engine_says('EXCLUDE ItemID WHERE Items.CATEGORY IN (#"x")')
    assert readable_filter_error(said) == (
        "Unexpected character '#' at position 40 (near 's.CATEGORY IN (#\"x\")')."
    )
