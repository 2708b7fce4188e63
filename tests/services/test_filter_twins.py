"""Which saved filter already has an expression (the playground hints at a duplicate; AWS's
CreateFilter accepts one)."""

from __future__ import annotations

from services.personalize.models import Filter
from services.workspace.filter_twins import comparable, filter_with_expression

G = "arn:aws:personalize:us-east-1:1:dataset-group/shop"
EXPR = 'EXCLUDE ItemID WHERE Items.CATEGORY IN ("a  b")'


def test_whitespace_outside_quotes_does_not_matter_inside_it_does() -> None:
    assert comparable(' EXCLUDE  ItemID\nWHERE Items.CATEGORY IN ("a  b")\t') == EXPR
    assert comparable('EXCLUDE ItemID WHERE Items.CATEGORY IN ("a b")') != EXPR


def test_the_active_twin_of_the_same_group_is_found() -> None:
    def f(name: str, status: str = "ACTIVE", group: str = G, expr: str = EXPR) -> Filter:
        return Filter(f"{G}:filter/{name}", name, status, group, expr)

    filters = [
        f("b-pending", status="CREATE PENDING"),
        f("other-group", group=G + "2"),
        f("other-expression", expr=EXPR.replace("EXCLUDE", "INCLUDE")),
        f("z-active"),
        f("a-failed", status="CREATE FAILED"),
    ]
    found = filter_with_expression(filters, G, EXPR.replace(" WHERE", "   WHERE"))
    assert found is not None and found.name == "z-active"
    assert filter_with_expression(filters[1:3], G, EXPR) is None
