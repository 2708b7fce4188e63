"""Personalize filter expressions: parse them (CreateFilter) and apply them (GetRecommendations).

Grammar (a small tokenizer and a recursive-descent parser; keywords are upper-case, as in every
Personalize example)::

    filter     := expression ("|" expression)*
    expression := (INCLUDE | EXCLUDE) (ItemID | UserID) WHERE where [IF user_cond (AND user_cond)*]
    where      := conjunct (OR conjunct)*            -- AND binds tighter than OR
    conjunct   := condition (AND condition)*
    condition  := Dataset.FIELD (IN list | NOT IN list | op number_or_param)
    list       := "(" ("\\"text\\"" | $PARAM) ("," ...)* ")" | CurrentItem.FIELD
    op         := = | != | < | <= | > | >=
    user_cond  := CurrentUser.FIELD (IN list | NOT IN list | op number_or_param)

Semantics (Personalize developer guide, "Filter expressions" and "Combining multiple
expressions"):
- ``INCLUDE A | INCLUDE B | EXCLUDE C`` keeps (A or B) minus C; order does not matter.
- Conditions joined by AND/OR must use one dataset; chain datasets with ``|``.
- ``Interactions.EVENT_TYPE`` matches case-insensitively and looks at the user's latest 100
  interactions per event type; ``"*"`` means any event type. Item values match exactly.
- A categorical value "a|b" matches IN when any of its parts is listed; NOT IN when none is.
- Items missing from the items table, or with no value for the field, match no condition.
- An INCLUDE expression needs every parameter it uses. In an EXCLUDE expression a condition
  whose parameter is missing is ignored (all of them: the expression excludes nothing).
- An expression whose IF condition does not hold for the current user is ignored; so is one
  with an IF on a user without metadata.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_EXPRESSION_CHARS = 2_500
MAX_FIELDS_PER_FILTER = 5
MAX_FILTER_VALUES = 25
MAX_FILTER_VALUE_CHARS = 1_000
RECENT_INTERACTIONS_PER_TYPE = 100

_NUMERIC_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_DATASETS = ("Items", "Users", "Interactions")
_PARAM_KEY_RE = re.compile(r"^[A-Za-z0-9_]{1,50}$")
_NUMBER_RE = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


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
    """``dataset.field op values``; ``dataset`` is Items, Users, Interactions or CurrentUser."""

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
    target: str  # ItemID | UserID
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
        """ItemID (recommendation filters) or UserID (user-segment filters)."""
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


# --- tokenizer -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # WORD STRING PARAM NUMBER OP ( ) , | . END
    text: str
    pos: int


def _near(text: str, pos: int) -> str:
    snippet = text[max(0, pos - 15) : pos + 25].replace("\n", " ")
    return f"at position {pos} (near {snippet!r})"


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise FilterExpressionError(f"unterminated string {_near(text, i)}")
            if end == i + 1:
                raise FilterExpressionError(f"empty string value {_near(text, i)}")
            tokens.append(_Token("STRING", text[i + 1 : end], i))
            i = end + 1
        elif ch == "$":
            m = re.compile(r"[A-Za-z0-9_]+").match(text, i + 1)
            if not m:
                raise FilterExpressionError(f"'$' must start a parameter name {_near(text, i)}")
            tokens.append(_Token("PARAM", m.group(), i))
            i = m.end()
        elif ch.isdigit() or (ch in "-." and _NUMBER_RE.match(text, i)):
            m = _NUMBER_RE.match(text, i)
            assert m is not None  # ch is a digit or the lookahead matched
            tokens.append(_Token("NUMBER", m.group(), i))
            i = m.end()
        elif ch.isalpha() or ch == "_":
            m = re.compile(r"[A-Za-z0-9_]+").match(text, i)
            assert m is not None
            tokens.append(_Token("WORD", m.group(), i))
            i = m.end()
        elif ch in "=<>!":
            m = re.compile(r"[=<>!]+").match(text, i)
            assert m is not None
            tokens.append(_Token("OP", m.group(), i))
            i = m.end()
        elif ch in "(),|.":
            tokens.append(_Token(ch, ch, i))
            i += 1
        else:
            hint = "; string values are double-quoted" if ch in "'`“”" else ""
            raise FilterExpressionError(f"unexpected character {ch!r} {_near(text, i)}{hint}")
    tokens.append(_Token("END", "", n))
    _check_parentheses(text, tokens)
    return tokens


def _check_parentheses(text: str, tokens: list[_Token]) -> None:
    opened: list[int] = []
    for tok in tokens:
        if tok.kind == "(":
            opened.append(tok.pos)
        elif tok.kind == ")":
            if not opened:
                raise FilterExpressionError(
                    f"unbalanced parentheses: ')' has no matching '(' {_near(text, tok.pos)}"
                )
            opened.pop()
    if opened:
        raise FilterExpressionError(
            f"unbalanced parentheses: '(' is never closed {_near(text, opened[-1])}"
        )


# --- parser ----------------------------------------------------------------------------------


def parse_filter(expression: str) -> FilterExpression:
    """Parse a CreateFilter ``filterExpression``.

    Raises:
        FilterExpressionError: naming the position and what was expected there.
    """
    if not isinstance(expression, str) or not expression.strip():
        raise FilterExpressionError("the filter expression is empty")
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise FilterExpressionError(
            f"the filter expression is {len(expression)} characters long; "
            f"the limit is {MAX_EXPRESSION_CHARS}"
        )
    parser = _Parser(expression, _tokenize(expression))
    parsed = FilterExpression(expression, parser.parse())
    fields = filter_fields(parsed)
    if len(fields) > MAX_FIELDS_PER_FILTER:
        raise FilterExpressionError(
            f"the filter uses {len(fields)} distinct fields ({', '.join(sorted(fields))}); "
            f"the limit is {MAX_FIELDS_PER_FILTER}"
        )
    return parsed


class _Parser:
    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0

    # token helpers
    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def _advance(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def _is(self, kind: str, text: str | None = None) -> bool:
        return self.tok.kind == kind and (text is None or self.tok.text == text)

    def _fail(self, message: str, tok: _Token | None = None) -> FilterExpressionError:
        tok = tok or self.tok
        if tok.kind == "END":
            found = "the end of the expression"
        elif tok.kind == "STRING":
            found = f'"{tok.text}"'
        else:
            found = repr(tok.text)
        return FilterExpressionError(f"{message}, found {found} {_near(self.text, tok.pos)}")

    def _word(self, *choices: str) -> str:
        tok = self.tok
        if tok.kind == "WORD" and tok.text in choices:
            self.i += 1
            return tok.text
        expected = " or ".join(choices)
        if tok.kind == "WORD" and tok.text.upper() in {c.upper() for c in choices}:
            raise self._fail(f"expected {expected} (spelled exactly so)")
        raise self._fail(f"expected {expected}")

    def _expect(self, kind: str, what: str) -> _Token:
        if self.tok.kind != kind:
            raise self._fail(f"expected {what}")
        return self._advance()

    # grammar
    def parse(self) -> tuple[Expression, ...]:
        expressions = [self._expression()]
        while self._is("|"):
            self._advance()
            expressions.append(self._expression())
        targets = {e.target for e in expressions}
        if len(targets) > 1:
            raise FilterExpressionError(
                "all expressions chained with '|' must filter the same thing (ItemID or UserID)"
            )
        return tuple(expressions)

    def _expression(self) -> Expression:
        action = self._word("INCLUDE", "EXCLUDE")
        if self._is("WORD", "ActionID"):
            raise self._fail("action filters (ActionID) are not supported by the local engine")
        target = self._word("ItemID", "UserID")
        self._word("WHERE")
        where = self._where(target)
        if_: tuple[Condition, ...] = ()
        if self._is("WORD", "IF"):
            if target != "ItemID":
                raise self._fail("IF CurrentUser conditions apply only to ItemID filters")
            self._advance()
            if_ = self._if_conditions()
        if not (self._is("|") or self._is("END")):
            raise self._fail("expected AND, OR, IF, '|' or the end of the expression")
        return Expression(action, target, where, if_)

    def _where(self, target: str) -> tuple[tuple[Condition, ...], ...]:
        groups: list[tuple[Condition, ...]] = []
        first: Condition | None = None
        while True:
            group: list[Condition] = []
            while True:
                start = self.tok
                cond = self._condition(target)
                if first is None:
                    first = cond
                elif cond.dataset != first.dataset:
                    raise FilterExpressionError(
                        f"AND/OR can only combine conditions on one dataset: "
                        f"{cond.dataset}.{cond.field} after {first.dataset}.{first.field} "
                        f"{_near(self.text, start.pos)}; chain expressions for different "
                        "datasets with '|'"
                    )
                group.append(cond)
                if not self._is("WORD", "AND"):
                    break
                self._advance()
            groups.append(tuple(group))
            if not self._is("WORD", "OR"):
                return tuple(groups)
            self._advance()

    def _dataset_field(self) -> tuple[str, str, _Token]:
        start = self._expect("WORD", "a dataset field such as Items.GENRE")
        if self.tok.kind != ".":
            raise self._fail(f"expected '.' and a field name after {start.text!r}")
        self._advance()
        name = self._expect("WORD", f"a field name after '{start.text}.'")
        return start.text, name.text, start

    def _condition(self, target: str) -> Condition:
        dataset, field, start = self._dataset_field()
        if dataset in ("CurrentUser", "CurrentItem"):
            where = (
                "after IF" if dataset == "CurrentUser" else "as a value (Items.X IN CurrentItem.X)"
            )
            raise self._fail(f"{dataset} can only be used {where}", start)
        if dataset not in _DATASETS:
            raise self._fail("unknown dataset; expected Items, Users or Interactions", start)
        if dataset == "Interactions" and field != "EVENT_TYPE":
            raise self._fail("Interactions conditions can only use EVENT_TYPE", start)
        if target == "ItemID" and dataset == "Users":
            raise self._fail(
                "ItemID filters cannot test Users fields in WHERE; use IF CurrentUser.FIELD", start
            )
        if target == "UserID" and dataset == "Items":
            raise self._fail("UserID filters can only test Users and Interactions fields", start)
        op, values = self._operator_and_values(dataset, field)
        return Condition(dataset, field, op, values)

    def _if_conditions(self) -> tuple[Condition, ...]:
        conds: list[Condition] = []
        while True:
            dataset, field, start = self._dataset_field()
            if dataset != "CurrentUser":
                raise self._fail("IF conditions must test CurrentUser.FIELD", start)
            op, values = self._operator_and_values(dataset, field)
            conds.append(Condition(dataset, field, op, values))
            if self._is("WORD", "OR"):
                raise self._fail("IF conditions can only be combined with AND")
            if not self._is("WORD", "AND"):
                return tuple(conds)
            self._advance()

    def _operator_and_values(self, dataset: str, field: str) -> tuple[str, tuple[Value, ...]]:
        tok = self.tok
        if tok.kind == "WORD" and tok.text in ("IN", "NOT"):
            self._advance()
            op = "IN"
            if tok.text == "NOT":
                self._word("IN")
                op = "NOT IN"
            return op, self._value_list(dataset)
        if tok.kind == "OP" and tok.text in _NUMERIC_OPS:
            if dataset == "Interactions":
                raise self._fail("Interactions.EVENT_TYPE takes IN or NOT IN, not a comparison")
            self._advance()
            return tok.text, (self._number(dataset),)
        if tok.kind == "END":
            raise self._fail(f"expected an operator after {dataset}.{field}")
        raise self._fail(
            f"unknown operator after {dataset}.{field}; expected IN, NOT IN, =, !=, <, <=, > or >="
        )

    def _value_list(self, dataset: str) -> tuple[Value, ...]:
        if self._is("WORD", "CurrentItem"):
            return (self._current_item(dataset),)
        open_tok = self._expect("(", "'(' and a list of values")
        values: list[Value] = []
        while True:
            tok = self.tok
            if tok.kind == "STRING":
                values.append(tok.text)
            elif tok.kind == "PARAM":
                values.append(Param(tok.text))
            elif tok.kind == "NUMBER":
                raise self._fail('values in a list are double-quoted strings, e.g. ("10")')
            else:
                raise self._fail("expected a double-quoted value or a $PARAM")
            self._advance()
            if self._is(")"):
                self._advance()
                break
            if not self._is(","):
                raise self._fail(f"expected ',' or ')' to close the list opened at {open_tok.pos}")
            self._advance()
        if "*" in values and dataset != "Interactions":
            raise FilterExpressionError(
                f'"*" (every event type) is only for Interactions.EVENT_TYPE '
                f"{_near(self.text, open_tok.pos)}"
            )
        return tuple(values)

    def _number(self, dataset: str) -> Value:
        tok = self.tok
        if tok.kind == "NUMBER":
            self._advance()
            return float(tok.text)
        if tok.kind == "PARAM":
            self._advance()
            return Param(tok.text)
        if tok.kind == "WORD" and tok.text == "CurrentItem":
            return self._current_item(dataset)
        if tok.kind == "STRING":
            raise self._fail("comparison operators compare numbers; use IN for string values")
        raise self._fail("expected a number or a $PARAM")

    def _current_item(self, dataset: str) -> CurrentItemRef:
        if dataset != "Items":
            raise self._fail("CurrentItem can only be compared with Items fields")
        _, field, _ = self._dataset_field()
        return CurrentItemRef(field)


# --- filterValues ----------------------------------------------------------------------------


def parse_filter_values(raw: Mapping[str, str] | None) -> dict[str, list[str]]:
    """Parse GetRecommendations ``filterValues``: ``{"GENRES": '"comedy","drama"'}``.

    Each value is a comma-separated list of double-quoted strings; bare numbers are also
    accepted for numeric parameters (``"10"`` or ``10``).

    Raises:
        FilterExpressionError: for a bad key, an empty or over-long value, or bad quoting.
    """
    if not raw:
        return {}
    if not isinstance(raw, Mapping):
        raise FilterExpressionError("filterValues must be a map of parameter name to values")
    if len(raw) > MAX_FILTER_VALUES:
        raise FilterExpressionError(
            f"filterValues has {len(raw)} parameters; the limit is {MAX_FILTER_VALUES}"
        )
    parsed: dict[str, list[str]] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not _PARAM_KEY_RE.match(key):
            hint = " (leave out the '$')" if isinstance(key, str) and key.startswith("$") else ""
            raise FilterExpressionError(
                f"filterValues key {key!r} must be 1-50 letters, digits or underscores{hint}"
            )
        if not isinstance(value, str):
            raise FilterExpressionError(f"filterValues[{key!r}] must be a string")
        if len(value) > MAX_FILTER_VALUE_CHARS:
            raise FilterExpressionError(
                f"filterValues[{key!r}] is {len(value)} characters long; "
                f"the limit is {MAX_FILTER_VALUE_CHARS}"
            )
        parsed[key] = _split_values(key, value)
    return parsed


def _split_values(key: str, value: str) -> list[str]:
    example = '"\\"comedy\\",\\"drama\\""'
    out: list[str] = []
    i, n = 0, len(value)
    while True:
        while i < n and value[i].isspace():
            i += 1
        if i >= n:
            what = "is empty" if not out else "ends with ','"
            raise FilterExpressionError(f"filterValues[{key!r}] {what}; e.g. {example}")
        if value[i] == '"':
            end = value.find('"', i + 1)
            if end < 0:
                raise FilterExpressionError(
                    f"filterValues[{key!r}]: unterminated quote at position {i}"
                )
            out.append(value[i + 1 : end])
            i = end + 1
        else:
            end = value.find(",", i)
            end = n if end < 0 else end
            bare = value[i:end].strip()
            if not _NUMBER_RE.fullmatch(bare):
                raise FilterExpressionError(
                    f"filterValues[{key!r}]: {bare!r} must be double-quoted; e.g. {example}"
                )
            out.append(bare)
            i = end
        while i < n and value[i].isspace():
            i += 1
        if i >= n:
            return out
        if value[i] != ",":
            raise FilterExpressionError(
                f"filterValues[{key!r}]: expected ',' between values at position {i}"
            )
        i += 1


# --- evaluation ------------------------------------------------------------------------------


def evaluate(
    expr: FilterExpression,
    *,
    item_ids: np.ndarray,
    items: pd.DataFrame,
    user_interactions: pd.DataFrame,
    current_user: Mapping[str, str] | None,
    values: Mapping[str, str] | Mapping[str, list[str]] | None,
    current_item: Mapping[str, str] | None = None,
) -> np.ndarray:
    """Mask over ``item_ids`` of the items the filter lets through.

    Args:
        expr: a parsed ItemID filter.
        item_ids: candidate item IDs (e.g. the model's catalogue).
        items: the Items dataset: ITEM_ID plus metadata (categorical values joined with '|').
        user_interactions: ITEM_ID, EVENT_TYPE, TIMESTAMP of the current user.
        current_user: the current user's metadata (values as strings); empty if unknown.
        values: filterValues, raw as in the API ('"a","b"') or already split into lists.
        current_item: metadata of the request's itemId, for CurrentItem conditions.

    Raises:
        FilterExpressionError: malformed filterValues, a missing INCLUDE parameter, a
            non-numeric value for a comparison, or CurrentItem without an item.
        NotImplementedError: for UserID (user-segment) filters.
    """
    if expr.target != "ItemID":
        raise NotImplementedError(
            "user-segment filters (INCLUDE/EXCLUDE UserID) apply to batch segment jobs, which "
            "the local engine does not run"
        )
    params = _resolve_values(values)
    ctx = _Context(np.asarray(item_ids, dtype=object), items, user_interactions, current_item)
    include: list[np.ndarray] = []
    exclude: list[np.ndarray] = []
    for e in expr.expressions:
        mask = _expression_mask(e, ctx, params, current_user or {})
        if mask is not None:
            (include if e.action == "INCLUDE" else exclude).append(mask)
    n = len(ctx.item_ids)
    allowed = np.logical_or.reduce(include) if include else np.ones(n, dtype=bool)
    if exclude:
        allowed &= ~np.logical_or.reduce(exclude)
    return np.asarray(allowed, dtype=bool)


def _resolve_values(
    values: Mapping[str, str] | Mapping[str, list[str]] | None,
) -> dict[str, list[str]]:
    if not values:
        return {}
    raw = {k: v for k, v in values.items() if isinstance(v, str)}
    parsed = parse_filter_values(raw)
    for k, v in values.items():
        if not isinstance(v, str):
            parsed[k] = [str(x) for x in v]
    return parsed


def _expression_mask(
    e: Expression, ctx: _Context, params: dict[str, list[str]], user: Mapping[str, str]
) -> np.ndarray | None:
    """The items ``e`` matches, or None when ``e`` does not apply to this request."""
    missing = {p for c in e.conditions for p in c.params} - params.keys()
    if missing and e.action == "INCLUDE":
        names = ", ".join(f"${p}" for p in sorted(missing))
        raise FilterExpressionError(
            f"filterValues must supply {names}: INCLUDE expressions need every parameter"
        )

    def usable(c: Condition) -> bool:  # EXCLUDE ignores conditions with missing parameters
        return not (c.params & missing)

    for cond in filter(usable, e.if_):
        if not _user_condition(cond, user, params):
            return None
    groups = [g for g in (tuple(filter(usable, group)) for group in e.where) if g]
    if not groups:
        return None
    result = np.zeros(len(ctx.item_ids), dtype=bool)
    for group in groups:
        part = np.ones(len(ctx.item_ids), dtype=bool)
        for cond in group:
            part &= ctx.condition(cond, params)
        result |= part
    return result


def _user_condition(cond: Condition, user: Mapping[str, str], params: dict[str, list[str]]) -> bool:
    raw = user.get(cond.field)
    if raw is None or str(raw) == "":
        return False
    value = str(raw)
    if cond.op in ("IN", "NOT IN"):
        wanted = set(_strings(cond, params, None))
        hit = any(part in wanted for part in value.split("|"))
        return hit if cond.op == "IN" else not hit
    try:
        number = float(value)
    except ValueError:
        return False
    threshold = _number(cond, params, None)
    return bool(_NUMERIC_OPS[cond.op](np.array([number]), threshold)[0])


def _strings(
    cond: Condition, params: dict[str, list[str]], current_item: Mapping[str, str] | None
) -> list[str]:
    out: list[str] = []
    for v in cond.values:
        if isinstance(v, Param):
            out.extend(params[v.name])
        elif isinstance(v, CurrentItemRef):
            raw = _current_item_value(v, current_item)
            out.extend(raw.split("|") if raw else [])
        else:
            out.append(str(v))
    return out


def _number(
    cond: Condition, params: dict[str, list[str]], current_item: Mapping[str, str] | None
) -> float:
    (v,) = cond.values
    if isinstance(v, float):
        return v
    if isinstance(v, CurrentItemRef):
        raw = _current_item_value(v, current_item)
        try:
            return float(raw) if raw else float("nan")
        except ValueError:
            return float("nan")  # a non-numeric current value matches nothing
    got = params[v.name]
    if len(got) != 1:
        raise FilterExpressionError(
            f"${v.name} must be a single number for {cond.dataset}.{cond.field} {cond.op}, "
            f"got {len(got)} values"
        )
    try:
        return float(got[0])
    except ValueError as err:
        raise FilterExpressionError(
            f"${v.name} must be a number for {cond.dataset}.{cond.field} {cond.op}, got {got[0]!r}"
        ) from err


def _current_item_value(ref: CurrentItemRef, current_item: Mapping[str, str] | None) -> str:
    if current_item is None:
        raise FilterExpressionError(
            f"the filter uses CurrentItem.{ref.field}, which needs an itemId in the request"
        )
    raw = current_item.get(ref.field)
    return "" if raw is None else str(raw)


class _Context:
    """The request's data, aligned to the candidate items; lookups are computed lazily."""

    def __init__(
        self,
        item_ids: np.ndarray,
        items: pd.DataFrame | None,
        interactions: pd.DataFrame | None,
        current_item: Mapping[str, str] | None,
    ) -> None:
        self.item_ids = item_ids
        self.items = items if items is not None else pd.DataFrame({"ITEM_ID": []})
        self.interactions = interactions
        self.current_item = current_item
        self._rows: np.ndarray | None = None
        self._events: pd.DataFrame | None = None

    def condition(self, cond: Condition, params: dict[str, list[str]]) -> np.ndarray:
        if cond.dataset == "Interactions":
            return self._interactions(cond, params)
        return self._items(cond, params)

    def _item_rows(self) -> np.ndarray:
        """Row of each candidate in the items table, -1 when it has none."""
        if self._rows is None:
            ids = self.items["ITEM_ID"].astype(str)
            if len(ids) == len(self.item_ids) and np.array_equal(
                ids.to_numpy(dtype=object), self.item_ids
            ):
                self._rows = np.arange(len(ids))  # the common case: same catalogue, same order
                return self._rows
            keep = None
            if not ids.is_unique:  # keep the last row per item ID, as an upsert would
                keep = np.flatnonzero(~ids.duplicated(keep="last").to_numpy())
                ids = ids.iloc[keep]
            pos = pd.Index(ids).get_indexer(self.item_ids)
            if keep is not None:
                pos = np.where(pos >= 0, keep[np.maximum(pos, 0)], -1)
            self._rows = pos
        return self._rows

    def _items(self, cond: Condition, params: dict[str, list[str]]) -> np.ndarray:
        n = len(self.item_ids)
        if cond.field not in self.items.columns:
            return np.zeros(n, dtype=bool)  # no such metadata: nothing matches
        column = self.items[cond.field]
        rows = self._item_rows()
        known = rows >= 0
        if cond.op in ("IN", "NOT IN"):
            wanted = self._strings_for(cond, params)
            has_value, hit = _match_values(column, wanted)
            matched = hit if cond.op == "IN" else has_value & ~hit
        else:
            numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            threshold = _number(cond, params, self.current_item)
            with np.errstate(invalid="ignore"):
                matched = _NUMERIC_OPS[cond.op](numbers, threshold) & ~np.isnan(numbers)
                if np.isnan(threshold):
                    matched[:] = False
        out = np.zeros(n, dtype=bool)
        out[known] = matched[rows[known]]
        return out

    def _strings_for(self, cond: Condition, params: dict[str, list[str]]) -> list[str]:
        return _strings(cond, params, self.current_item)

    def _recent_events(self) -> pd.DataFrame:
        """The user's latest interactions per event type, with a lower-cased event type."""
        if self._events is None:
            df = self.interactions
            if df is None or len(df) == 0:
                self._events = pd.DataFrame({"ITEM_ID": [], "TYPE": []})
            else:
                df = df.sort_values("TIMESTAMP", ascending=False, kind="stable")
                df = df.groupby("EVENT_TYPE", sort=False).head(RECENT_INTERACTIONS_PER_TYPE)
                self._events = pd.DataFrame(
                    {
                        "ITEM_ID": df["ITEM_ID"].astype(str).to_numpy(dtype=object),
                        "TYPE": df["EVENT_TYPE"].fillna("").astype(str).str.lower().to_numpy(),
                    }
                )
        return self._events

    def _interactions(self, cond: Condition, params: dict[str, list[str]]) -> np.ndarray:
        events = self._recent_events()
        wanted = {v.lower() for v in self._strings_for(cond, params)}
        if "*" in wanted:
            chosen = np.ones(len(events), dtype=bool)
        else:
            chosen = events["TYPE"].isin(wanted).to_numpy()
        if cond.op == "NOT IN":
            chosen = ~chosen
        touched = events["ITEM_ID"].to_numpy()[chosen]
        return pd.Index(self.item_ids).isin(touched)


def _match_values(column: pd.Series, wanted: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(has a value, some '|'-separated part is in ``wanted``) per row of ``column``."""
    column = column.reset_index(drop=True)
    if pd.api.types.is_bool_dtype(column.dtype):
        column = column.map({True: "true", False: "false"})
    elif pd.api.types.is_numeric_dtype(column.dtype):
        # Compare numbers as numbers: "10" matches 10 and 10.0.
        numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        targets = pd.to_numeric(pd.Series(wanted, dtype=object), errors="coerce").dropna()
        has_value = ~np.isnan(numbers)
        return has_value, np.isin(numbers, targets.to_numpy(dtype=float)) & has_value
    strings = column if column.dtype == "str" else column.astype("str")
    has_value = (strings.notna() & (strings != "")).to_numpy()
    if not wanted:
        return has_value, np.zeros(len(strings), dtype=bool)
    if strings.str.contains("|", regex=False, na=False).any():
        # One regex over the column (RE2 inside pyarrow) beats splitting every cell.
        alternatives = "|".join(re.escape(w) for w in wanted)
        pattern = rf"(?:^|\|)(?:{alternatives})(?:\||$)"
        hit = strings.str.contains(pattern, regex=True, na=False).to_numpy()
    else:
        hit = strings.isin(wanted).to_numpy()
    return has_value, hit & has_value
