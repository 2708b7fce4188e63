"""services.local.filters: parsing, filterValues, and evaluation on a tiny catalogue."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from services.local.filters.evaluate import evaluate
from services.local.filters.expression import FilterExpressionError, filter_fields
from services.local.filters.parse import parse_filter
from services.local.filters.values import parse_filter_values

# --- parsing ---------------------------------------------------------------------------------


def test_parse_chained_expression():
    expr = parse_filter(
        "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE) | "
        'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click", "stream")'
    )
    assert [(e.action, e.target, e.dataset) for e in expr.expressions] == [
        ("INCLUDE", "ItemID", "Items"),
        ("EXCLUDE", "ItemID", "Interactions"),
    ]
    assert expr.params == {"GENRE"}
    assert expr.expressions[1].where[0][0].values == ("click", "stream")


def test_and_binds_tighter_than_or():
    expr = parse_filter('INCLUDE ItemID WHERE Items.A IN ("x") OR Items.B IN ("y") AND Items.C < 3')
    groups = expr.expressions[0].where
    assert [[c.field for c in g] for g in groups] == [["A"], ["B", "C"]]
    assert groups[1][1].op == "<" and groups[1][1].values == (3.0,)


def test_filter_fields_counts_current_user_and_current_item():
    expr = parse_filter(
        "EXCLUDE ItemID WHERE Items.GENRE IN ($G) AND Items.PRICE < CurrentItem.COST "
        "IF CurrentUser.AGE < 18 | "
        'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")'
    )
    assert filter_fields(expr) == {
        "Items.GENRE",
        "Items.PRICE",
        "Items.COST",
        "Users.AGE",
        "Interactions.EVENT_TYPE",
    }
    with pytest.raises(FilterExpressionError, match="6 distinct fields"):
        parse_filter(
            'INCLUDE ItemID WHERE Items.A IN ("a") IF CurrentUser.B < 1 AND '
            "CurrentUser.C < 1 AND CurrentUser.D < 1 AND CurrentUser.E < 1 AND "
            "CurrentUser.F < 1"
        )


def test_user_segment_filter_parses():
    expr = parse_filter("INCLUDE UserID WHERE Users.TIER IN ($T) OR Users.AGE >= 21")
    assert expr.target == "UserID"
    assert filter_fields(expr) == {"Users.TIER", "Users.AGE"}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('INCLUDE ItemID WHERE Items.GENRE IN ("a", "b"', "'(' is never closed at position 36"),
        ('INCLUDE ItemID WHERE Items.GENRE IN "a")', "')' has no matching '(' at position 39"),
        ('INCLUDE ItemID WHERE Products.GENRE IN ("a")', "unknown dataset; expected Items"),
        (
            'INCLUDE ItemID WHERE Items.GENRE IN ("a") AND Interactions.EVENT_TYPE IN ("x")',
            "AND/OR can only combine conditions on one dataset",
        ),
        (
            'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("x") OR Items.GENRE IN ("a")',
            "Items.GENRE after Interactions.EVENT_TYPE",
        ),
        ("INCLUDE ItemID WHERE Items.PRICE == 5", "unknown operator after Items.PRICE"),
        ('INCLUDE ItemID WHERE Items.GENRE LIKE ("a")', "found 'LIKE'"),
        ("INCLUDE ItemID WHERE Items.PRICE", "expected an operator after Items.PRICE"),
        ('include ItemID WHERE Items.G IN ("a")', "expected INCLUDE or EXCLUDE (spelled exactly"),
        ('INCLUDE ItemID Items.G IN ("a")', "expected WHERE, found 'Items'"),
        ("INCLUDE ItemID WHERE Items.G IN ('a')", "string values are double-quoted"),
        ('INCLUDE ItemID WHERE Items.G IN ("a") OR', "found the end of the expression"),
        ('INCLUDE ItemID WHERE Items.G IN ("a") junk', "expected AND, OR, IF, '|'"),
        ('INCLUDE ItemID WHERE Items.PRICE < "5"', "use IN for string values"),
        ("INCLUDE ItemID WHERE Items.YEAR IN (2020)", "double-quoted strings"),
        ('INCLUDE ItemID WHERE Users.AGE IN ("1")', "use IF CurrentUser.FIELD"),
        ('INCLUDE UserID WHERE Items.G IN ("a")', "UserID filters can only test Users"),
        ('EXCLUDE ItemID WHERE Interactions.EVENT_VALUE IN ("1")', "only use EVENT_TYPE"),
        ("EXCLUDE ItemID WHERE Interactions.EVENT_TYPE > 1", "takes IN or NOT IN"),
        ('INCLUDE ItemID WHERE Items.G IN ("*")', '"*" (every event type) is only for'),
        ('INCLUDE ItemID WHERE Items.G IN ("a") IF Users.AGE > 3', "must test CurrentUser"),
        (
            'INCLUDE ItemID WHERE Items.G IN ("a") IF CurrentUser.A > 3 OR',
            "only be combined with AND",
        ),
        ('INCLUDE UserID WHERE Users.G IN ("a") IF CurrentUser.A > 3', "apply only to ItemID"),
        ('INCLUDE ActionID WHERE Items.X IN ("a")', "ActionID filters test Actions or"),
        ('INCLUDE ItemID WHERE Actions.X IN ("a")', "only be tested by ActionID filters"),
        ('EXCLUDE ActionID WHERE Action_Interactions.USER_ID IN ("a")', "only use EVENT_TYPE"),
        ('EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE > ("a")', "takes IN or NOT IN"),
        ("INCLUDE ItemID WHERE Items.PRICE > (5)", "expected a number or a $PARAM"),
        ("INCLUDE ActionID WHERE Actions.VALUE > ($V $W)", "expected ')' after the compared"),
        (
            'INCLUDE ActionID WHERE Actions.X IN ("a") | INCLUDE ItemID WHERE Items.G IN ("a")',
            "must filter the same thing",
        ),
        (
            'INCLUDE ItemID WHERE Items.G IN ("a") | INCLUDE UserID WHERE Users.G IN ("a")',
            "must filter the same thing",
        ),
        ('INCLUDE ItemID WHERE Items.G IN ("a", )', "expected a double-quoted value"),
        ('INCLUDE ItemID WHERE Items.G IN ("a)', "unterminated string"),
        ("   ", "the filter expression is empty"),
        ('INCLUDE ItemID WHERE Items.G IN ("' + "x" * 2500 + '")', "limit is 2500"),
    ],
)
def test_parse_errors(text, needle):
    with pytest.raises(FilterExpressionError) as err:
        parse_filter(text)
    assert needle in str(err.value)


def test_more_than_five_fields_is_rejected():
    five = " AND ".join(f'Items.F{i} IN ("a")' for i in range(5))
    parse_filter(f"INCLUDE ItemID WHERE {five}")
    with pytest.raises(FilterExpressionError, match="6 distinct fields"):
        parse_filter(f'INCLUDE ItemID WHERE {five} AND Items.F9 IN ("b")')


def test_2500_characters_is_allowed():
    text = 'INCLUDE ItemID WHERE Items.G IN ("'
    text += "x" * (2500 - len(text) - 2) + '")'
    assert len(text) == 2500
    assert parse_filter(text).expressions[0].where[0][0].values == ("x" * 2464,)


# --- filterValues ----------------------------------------------------------------------------


def test_parse_filter_values():
    assert parse_filter_values(
        {"GENRES": '"comedy","drama"', "P": "10", "Q": ' "a, b" , "c" '}
    ) == {
        "GENRES": ["comedy", "drama"],
        "P": ["10"],
        "Q": ["a, b", "c"],
    }
    assert parse_filter_values({}) == {} and parse_filter_values(None) == {}


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ({"$G": '"a"'}, "leave out the '$'"),
        ({"G-1": '"a"'}, "letters, digits or underscores"),
        ({"G": "comedy"}, "'comedy' must be double-quoted"),
        ({"G": '"a",'}, "ends with ','"),
        ({"G": ""}, "is empty"),
        ({"G": '"a" "b"'}, "expected ',' between values"),
        ({"G": '"a'}, "unterminated quote"),
        ({"G": '"' + "x" * 1000 + '"'}, "limit is 1000"),
        ({f"P{i}": '"a"' for i in range(26)}, "26 parameters; the limit is 25"),
    ],
)
def test_parse_filter_values_errors(raw, needle):
    with pytest.raises(FilterExpressionError) as err:
        parse_filter_values(raw)
    assert needle in str(err.value)


# --- evaluation on a six-item catalogue ------------------------------------------------------
#
#   item  GENRE          PRICE  in the items table?
#   i1    comedy           5    yes
#   i2    drama           15    yes
#   i3    comedy|drama    25    yes
#   i4    horror           8    yes
#   i5    (none)         (none) yes, without metadata
#   i6    -                -    no
#
# The user purchased i1, clicked i2 and "Purchase"d i3 (event types match case-insensitively).

ITEM_IDS = np.array(["i1", "i2", "i3", "i4", "i5", "i6"], dtype=object)
ITEMS = pd.DataFrame(
    {
        "ITEM_ID": ["i1", "i2", "i3", "i4", "i5"],
        "GENRE": pd.Series(["comedy", "drama", "comedy|drama", "horror", None], dtype="str"),
        "PRICE": [5.0, 15.0, 25.0, 8.0, np.nan],
    }
)
EVENTS = pd.DataFrame(
    {
        "ITEM_ID": ["i1", "i2", "i3"],
        "EVENT_TYPE": ["purchase", "click", "Purchase"],
        "TIMESTAMP": [100, 200, 300],
    }
)
T, F = True, False


def run(text, values=None, user=None, events=EVENTS, current_item=None):
    return evaluate(
        parse_filter(text),
        item_ids=ITEM_IDS,
        items=ITEMS,
        user_interactions=events,
        current_user=user or {},
        values=values or {},
        current_item=current_item,
    ).tolist()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('INCLUDE ItemID WHERE Items.GENRE IN ("comedy")', [T, F, T, F, F, F]),
        ('INCLUDE ItemID WHERE Items.GENRE NOT IN ("comedy")', [F, T, F, T, F, F]),
        ('EXCLUDE ItemID WHERE Items.GENRE IN ("comedy")', [F, T, F, T, T, T]),
        ('EXCLUDE ItemID WHERE Items.GENRE NOT IN ("comedy")', [T, F, T, F, T, T]),
        ('INCLUDE ItemID WHERE Items.GENRE IN ("Comedy")', [F, F, F, F, F, F]),
        ("INCLUDE ItemID WHERE Items.PRICE <= 15", [T, T, F, T, F, F]),
        ("INCLUDE ItemID WHERE Items.PRICE > 8", [F, T, T, F, F, F]),
        ("INCLUDE ItemID WHERE Items.PRICE = 8", [F, F, F, T, F, F]),
        ("INCLUDE ItemID WHERE Items.PRICE != 8", [T, T, T, F, F, F]),
        ("EXCLUDE ItemID WHERE Items.PRICE >= 15", [T, F, F, T, T, T]),
        ('INCLUDE ItemID WHERE Items.GENRE IN ("comedy") AND Items.PRICE > 10', [F, F, T, F, F, F]),
        (
            'INCLUDE ItemID WHERE Items.GENRE IN ("horror") OR Items.GENRE IN ("comedy") '
            "AND Items.PRICE > 10",
            [F, F, T, T, F, F],
        ),
        ('INCLUDE ItemID WHERE Items.COLOR IN ("red")', [F, F, F, F, F, F]),
        ('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")', [F, T, F, T, T, T]),
        ('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")', [F, F, F, T, T, T]),
        ('INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("CLICK")', [F, T, F, F, F, F]),
        ('INCLUDE ItemID WHERE Interactions.EVENT_TYPE NOT IN ("purchase")', [F, T, F, F, F, F]),
        (
            'INCLUDE ItemID WHERE Items.GENRE IN ("comedy", "drama") | '
            'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")',
            [F, T, F, F, F, F],
        ),
        (
            'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase") | '
            'INCLUDE ItemID WHERE Items.GENRE IN ("comedy", "drama")',
            [F, T, F, F, F, F],
        ),
        (
            'INCLUDE ItemID WHERE Items.GENRE IN ("horror") | INCLUDE ItemID WHERE Items.PRICE < 6',
            [T, F, F, T, F, F],
        ),
        (
            'EXCLUDE ItemID WHERE Items.GENRE IN ("horror") | EXCLUDE ItemID WHERE Items.PRICE < 6',
            [F, T, T, F, T, T],
        ),
    ],
)
def test_evaluate(text, expected):
    assert run(text) == expected


def test_params_fill_lists_and_numbers():
    text = "INCLUDE ItemID WHERE Items.GENRE IN ($G) AND Items.PRICE <= $P"
    assert run(text, {"G": '"drama","horror"', "P": '"20"'}) == [F, T, F, T, F, F]
    assert run(text, {"G": '"drama"', "P": "30"}) == [F, T, T, F, F, F]
    assert run(text, {"G": ["comedy"], "P": ["5"]}) == [T, F, F, F, F, F]  # already split


def test_missing_include_param_is_an_error():
    with pytest.raises(FilterExpressionError, match=r"must supply \$G"):
        run("INCLUDE ItemID WHERE Items.GENRE IN ($G)")


def test_missing_exclude_param_makes_its_condition_a_no_op():
    assert run("EXCLUDE ItemID WHERE Items.GENRE IN ($G)") == [T, T, T, T, T, T]
    text = 'EXCLUDE ItemID WHERE Items.GENRE IN ("horror") AND Items.PRICE > $P'
    assert run(text) == [T, T, T, F, T, T]
    assert run(text, {"P": '"10"'}) == [T, T, T, T, T, T]  # horror costs 8
    chained = "INCLUDE ItemID WHERE Items.PRICE < 20 | EXCLUDE ItemID WHERE Items.GENRE IN ($G)"
    assert run(chained) == [T, T, F, T, F, F]
    assert run(chained, {"G": '"comedy"'}) == [F, T, F, T, F, F]


def test_bad_param_values():
    with pytest.raises(FilterExpressionError, match="single number"):
        run("INCLUDE ItemID WHERE Items.PRICE < $P", {"P": '"1","2"'})
    with pytest.raises(FilterExpressionError, match="must be a number"):
        run("INCLUDE ItemID WHERE Items.PRICE < $P", {"P": '"cheap"'})
    with pytest.raises(FilterExpressionError, match="must be double-quoted"):
        run("INCLUDE ItemID WHERE Items.GENRE IN ($G)", {"G": "comedy"})


def test_if_current_user():
    text = 'EXCLUDE ItemID WHERE Items.GENRE IN ("horror") IF CurrentUser.AGE < 18'
    assert run(text, user={"AGE": "12"}) == [T, T, T, F, T, T]
    assert run(text, user={"AGE": "30"}) == [T, T, T, T, T, T]
    assert run(text, user={}) == [T, T, T, T, T, T]  # unknown user: the IF does not hold
    text = 'INCLUDE ItemID WHERE Items.PRICE < 10 IF CurrentUser.TIER IN ("basic")'
    assert run(text, user={"TIER": "basic|trial"}) == [T, F, F, T, F, F]
    assert run(text, user={"TIER": "gold"}) == [T, T, T, T, T, T]
    text = "EXCLUDE ItemID WHERE Items.PRICE > 10 IF CurrentUser.AGE < $AGE"
    assert run(text, {"AGE": '"18"'}, user={"AGE": "12"}) == [T, F, F, T, T, T]


def test_current_item():
    text = (
        "INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE AND Items.GENRE IN CurrentItem.GENRE"
    )
    assert run(text, current_item={"PRICE": "30", "GENRE": "drama|horror"}) == [F, T, T, T, F, F]
    with pytest.raises(FilterExpressionError, match="needs an itemId"):
        run(text)


def test_only_the_latest_100_interactions_per_event_type_count():
    old = pd.DataFrame({"ITEM_ID": ["i1"], "EVENT_TYPE": ["view"], "TIMESTAMP": [1]})
    newer = pd.DataFrame(
        {"ITEM_ID": [f"x{k}" for k in range(100)], "EVENT_TYPE": "view", "TIMESTAMP": range(2, 102)}
    )
    buy = pd.DataFrame({"ITEM_ID": ["i4"], "EVENT_TYPE": ["buy"], "TIMESTAMP": [0]})
    text = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("view", "buy")'
    assert run(text, events=pd.concat([old, buy])) == [F, T, T, F, T, T]
    # 100 newer views push i1 out of the window; the single older "buy" still counts.
    assert run(text, events=pd.concat([old, newer, buy])) == [T, T, T, F, T, T]


def test_no_interactions_excludes_nothing():
    empty = pd.DataFrame({"ITEM_ID": [], "EVENT_TYPE": [], "TIMESTAMP": []})
    assert run('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")', events=empty) == [T] * 6


def test_numeric_metadata_matches_in_lists_numerically():
    items = pd.DataFrame({"ITEM_ID": ["a", "b", "c"], "YEAR": [2020, 2021, None]})
    mask = evaluate(
        parse_filter('INCLUDE ItemID WHERE Items.YEAR IN ("2020", "1999")'),
        item_ids=np.array(["a", "b", "c"], dtype=object),
        items=items,
        user_interactions=EVENTS,
        current_user={},
        values={},
    )
    assert mask.dtype == bool and mask.tolist() == [T, F, F]


def test_user_segment_filters_are_not_evaluated():
    with pytest.raises(NotImplementedError, match="batch segment jobs"):
        run("INCLUDE UserID WHERE Users.AGE > 3")


def test_categorical_parts_match_whole_values_only():
    items = pd.DataFrame(
        {
            "ITEM_ID": ["a", "b", "c", "d"],
            "GENRE": ["dramatic|kids", "sci-fi|r&b", "drama", "x.y|drama"],
        }
    )
    mask = evaluate(
        parse_filter("INCLUDE ItemID WHERE Items.GENRE IN ($G)"),
        item_ids=np.array(["d", "c", "b", "a"], dtype=object),  # not the table's order
        items=items,
        user_interactions=EVENTS,
        current_user={},
        values={"G": '"drama","r&b","x"'},
    )
    assert mask.tolist() == [T, T, T, F]
