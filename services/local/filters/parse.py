"""Parse Personalize filter expressions (CreateFilter); their tokens are read by ``tokens``,
the filterValues of GetRecommendations by ``values``.

Grammar (a small tokenizer and a recursive-descent parser; keywords are upper-case, as in every
Personalize example)::

    filter     := expression ("|" expression)*
    expression := (INCLUDE | EXCLUDE) (ItemID | UserID | ActionID) WHERE where
                  [IF user_cond (AND user_cond)*]
    where      := conjunct (OR conjunct)*            -- AND binds tighter than OR
    conjunct   := condition (AND condition)*
    condition  := Dataset.FIELD (IN list | NOT IN list | op number_or_param)
                  -- ActionID filters: Actions.FIELD, Action_Interactions.EVENT_TYPE, and a
                  -- compared value may be parenthesised, as the guide's "Actions.VALUE >
                  -- ($VALUE)" is ("Action recommendation filter expression examples")
    list       := "(" ("\\"text\\"" | $PARAM) ("," ...)* ")" | CurrentItem.FIELD
    op         := = | != | < | <= | > | >=
    user_cond  := CurrentUser.FIELD (IN list | NOT IN list | op number_or_param)
"""

from __future__ import annotations

from services.local.filters.expression import (
    MAX_EXPRESSION_CHARS,
    MAX_FIELDS_PER_FILTER,
    NUMERIC_OPS,
    Condition,
    CurrentItemRef,
    Expression,
    FilterExpression,
    FilterExpressionError,
    Param,
    Value,
    filter_fields,
)
from services.local.filters.tokens import Token, near, tokenize

_DATASETS = ("Items", "Users", "Interactions")
# the datasets an ActionID filter reads, and the one of them holding event types
_ACTION_DATASETS = ("Actions", "Action_Interactions")
EVENT_DATASETS = ("Interactions", "Action_Interactions")


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
    parser = _Parser(expression, tokenize(expression))
    parsed = FilterExpression(expression, parser.parse())
    fields = filter_fields(parsed)
    if len(fields) > MAX_FIELDS_PER_FILTER:
        raise FilterExpressionError(
            f"the filter uses {len(fields)} distinct fields ({', '.join(sorted(fields))}); "
            f"the limit is {MAX_FIELDS_PER_FILTER}"
        )
    return parsed


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0

    # token helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def _advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def _is(self, kind: str, text: str | None = None) -> bool:
        return self.tok.kind == kind and (text is None or self.tok.text == text)

    def _fail(self, message: str, tok: Token | None = None) -> FilterExpressionError:
        tok = tok or self.tok
        if tok.kind == "END":
            found = "the end of the expression"
        elif tok.kind == "STRING":
            found = f'"{tok.text}"'
        else:
            found = repr(tok.text)
        return FilterExpressionError(f"{message}, found {found} {near(self.text, tok.pos)}")

    def _word(self, *choices: str) -> str:
        tok = self.tok
        if tok.kind == "WORD" and tok.text in choices:
            self.i += 1
            return tok.text
        expected = " or ".join(choices)
        if tok.kind == "WORD" and tok.text.upper() in {c.upper() for c in choices}:
            raise self._fail(f"expected {expected} (spelled exactly so)")
        raise self._fail(f"expected {expected}")

    def _expect(self, kind: str, what: str) -> Token:
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
        target = self._word("ItemID", "UserID", "ActionID")
        self._word("WHERE")
        where = self._where(target)
        if_: tuple[Condition, ...] = ()
        if self._is("WORD", "IF"):
            if target == "UserID":
                raise self._fail(
                    "IF CurrentUser conditions apply only to ItemID and ActionID filters"
                )
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
                        f"{near(self.text, start.pos)}; chain expressions for different "
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

    def _dataset_field(self) -> tuple[str, str, Token]:
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
        if target == "ActionID":
            if dataset not in _ACTION_DATASETS:
                raise self._fail(
                    "ActionID filters test Actions or Action_Interactions fields", start
                )
        elif dataset in _ACTION_DATASETS:
            raise self._fail(f"{dataset} fields can only be tested by ActionID filters", start)
        elif dataset not in _DATASETS:
            raise self._fail(
                "unknown dataset; expected Items, Users, Interactions, Actions or "
                "Action_Interactions",
                start,
            )
        if dataset in EVENT_DATASETS and field != "EVENT_TYPE":
            raise self._fail(f"{dataset} conditions can only use EVENT_TYPE", start)
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
        if tok.kind == "OP" and tok.text in NUMERIC_OPS:
            if dataset in EVENT_DATASETS:
                raise self._fail(f"{dataset}.EVENT_TYPE takes IN or NOT IN, not a comparison")
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
        if "*" in values and dataset not in EVENT_DATASETS:
            raise FilterExpressionError(
                f'"*" (every event type) is only for EVENT_TYPE conditions '
                f"{near(self.text, open_tok.pos)}"
            )
        return tuple(values)

    def _number(self, dataset: str) -> Value:
        if dataset == "Actions" and self._is("("):
            self._advance()
            value = self._number("")
            self._expect(")", "')' after the compared value")
            return value
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
