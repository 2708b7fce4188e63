"""A parsed Personalize filter expression (the parser's output, the evaluator's input).

Limits are Personalize's documented quotas for filters and filterValues.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MAX_EXPRESSION_CHARS = 2_500
MAX_FIELDS_PER_FILTER = 5
MAX_FILTER_VALUES = 25
MAX_FILTER_VALUE_CHARS = 1_000
RECENT_INTERACTIONS_PER_TYPE = 100


# Comparison operators a condition may use on a numeric field.
NUMERIC_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class FilterExpressionError(ValueError):
    """A filter expression or filterValues is malformed, or cannot be applied."""


# --- AST -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """A ``$NAME`` placeholder, filled from filterValues at request time."""

    name: str


@dataclass(frozen=True)
class CurrentItemRef:
    """``CurrentItem.FIELD``: a value of the item a related-items request is about."""

    field: str


Value = str | float | Param | CurrentItemRef


@dataclass(frozen=True)
class Condition:
    """``dataset.field op values``; ``dataset`` is Items, Users, Interactions, Actions,
    Action_Interactions or CurrentUser."""

    dataset: str
    field: str
    op: str  # IN, NOT IN, =, !=, <, <=, >, >=
    values: tuple[Value, ...]

    @property
    def params(self) -> frozenset[str]:
        """Names of the parameters this condition uses."""
        return frozenset(v.name for v in self.values if isinstance(v, Param))


@dataclass(frozen=True)
class Expression:
    """One ``INCLUDE|EXCLUDE ... WHERE ... [IF ...]`` part of a filter."""

    action: str  # INCLUDE | EXCLUDE
    target: str  # ItemID | UserID | ActionID
    where: tuple[tuple[Condition, ...], ...]  # OR of ANDs
    if_: tuple[Condition, ...] = ()  # ANDed CurrentUser conditions

    @property
    def dataset(self) -> str:
        """The one dataset the WHERE conditions use."""
        return self.where[0][0].dataset

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """Every condition, WHERE then IF."""
        return tuple(c for group in self.where for c in group) + self.if_


@dataclass(frozen=True)
class FilterExpression:
    """A parsed filter: expressions chained with ``|``."""

    text: str
    expressions: tuple[Expression, ...]

    @property
    def target(self) -> str:
        """ItemID (recommendation filters), UserID (user-segment filters) or ActionID (action
        recommendation filters)."""
        return self.expressions[0].target

    @property
    def params(self) -> frozenset[str]:
        """Names of every ``$PARAM`` in the filter."""
        return frozenset(p for e in self.expressions for c in e.conditions for p in c.params)


def filter_fields(expr: FilterExpression) -> set[str]:
    """Dataset fields the filter reads, as "Items.GENRE", "Users.AGE", "Interactions.EVENT_TYPE".

    CurrentUser fields count as Users fields and CurrentItem fields as Items fields (Personalize
    limits distinct fields per filter and per dataset group).
    """
    fields: set[str] = set()
    for e in expr.expressions:
        for c in e.conditions:
            dataset = "Users" if c.dataset == "CurrentUser" else c.dataset
            fields.add(f"{dataset}.{c.field}")
            fields.update(f"Items.{v.field}" for v in c.values if isinstance(v, CurrentItemRef))
    return fields
