"""A parsed filter checked against the schemas of its dataset group, at CreateFilter.

Rules, from the developer guide's "Filter expressions" pages ("Guidelines and requirements",
"Filter expression structure and elements"):

- ``Dataset.FIELD`` names a dataset the group has and a field of that dataset's schema
  (``CurrentUser.X`` is a Users field, ``CurrentItem.X`` an Items field); names are
  case-sensitive, as in schemas.
- "You can't create filter expressions that filter using values with a boolean type in your
  schema", and "You can't use filters to include or exclude items based on unstructured
  textual item metadata" (fields marked ``textual``).
- Comparison operators (``= != < <= > >=``) compare numbers, so they need a numeric field.
- "You can't use placeholder parameters in a filter expression that uses the NOT_IN
  operator."
- A ``$PARAM`` is one value list filled at request time, so it cannot stand for a number in one
  place and for string values in another.
- At most 25 parameters: GetRecommendations' ``filterValues`` holds at most 25 entries
  (botocore personalize-runtime shape ``FilterValues``, max 25), so a filter with more could
  never be given all of its values.

Whether Personalize refuses such an expression at CreateFilter (InvalidInputException) or
accepts it and lets the filter end CREATE FAILED with a ``failureReason`` is not documented,
and no public report shows either. The engine refuses synchronously with InvalidInputException,
the error botocore's model lists for CreateFilter, as it already does for syntax errors: the
caller learns at once, and no unusable filter is created, so it is never more lenient.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.local.data.schemas import NUMERIC_TYPES, AvroSchema, Field
from services.local.filters.expression import (
    NUMERIC_OPS,
    Condition,
    CurrentItemRef,
    FilterExpression,
    FilterExpressionError,
    Param,
)

MAX_PARAMS = 25  # entries of GetRecommendations' filterValues (botocore FilterValues, max 25)


def check_against_schemas(expr: FilterExpression, schemas: Mapping[str, AvroSchema]) -> None:
    """Refuse a filter its dataset group cannot apply.

    ``schemas``: the group's datasets by type, "Interactions" / "Items" / "Users".

    Raises:
        FilterExpressionError: naming the first problem found: a dataset the group lacks, a
            field not in its schema, a boolean or textual field, a comparison on a non-numeric
            field, a parameter in NOT IN, a parameter used both as a number and as strings,
            or more than 25 parameters.
    """
    param_kinds: dict[str, tuple[str, str]] = {}  # $NAME -> ("number"|"strings", where)
    for e in expr.expressions:
        for cond in e.conditions:
            dataset = "Users" if cond.dataset == "CurrentUser" else cond.dataset
            field = _field(schemas, dataset, cond.field, f"{cond.dataset}.{cond.field}")
            numeric_op = cond.op in NUMERIC_OPS
            if numeric_op and field.type not in NUMERIC_TYPES:
                raise FilterExpressionError(
                    f"{cond.dataset}.{cond.field} is of type {field.type}; "
                    f"'{cond.op}' compares numbers (use IN for string values)"
                )
            for value in cond.values:
                if isinstance(value, CurrentItemRef):
                    _field(schemas, "Items", value.field, f"CurrentItem.{value.field}")
            _check_params(cond, numeric_op, param_kinds)
    if len(param_kinds) > MAX_PARAMS:
        raise FilterExpressionError(
            f"the filter uses {len(param_kinds)} parameters; filterValues can fill at most "
            f"{MAX_PARAMS}"
        )


def _field(schemas: Mapping[str, AvroSchema], dataset: str, name: str, ref: str) -> Field:
    schema = schemas.get(dataset)
    if schema is None:
        raise FilterExpressionError(f"{ref}: the dataset group has no {dataset} dataset")
    field = schema.get(name)
    if field is None:
        raise FilterExpressionError(
            f"{ref}: the {dataset} schema has no field {name!r}{_hint(schema, name)}; "
            f"its fields are {', '.join(schema.field_names)}"
        )
    if field.type == "boolean":
        raise FilterExpressionError(
            f"{ref} is a boolean field, and filters cannot use boolean fields: store "
            '"True"/"False" as a string or 0/1 as an int instead'
        )
    if field.textual:
        raise FilterExpressionError(
            f"{ref} is a textual field, and filters cannot use unstructured text"
        )
    return field


def _hint(schema: AvroSchema, name: str) -> str:
    for candidate in schema.field_names:
        if candidate.upper() == name.upper():
            return f" (found {candidate!r}: field names are case-sensitive)"
    return ""


def _check_params(cond: Condition, numeric_op: bool, seen: dict[str, tuple[str, str]]) -> None:
    where = f"{cond.dataset}.{cond.field} {cond.op}"
    for value in cond.values:
        if not isinstance(value, Param):
            continue
        if cond.op == "NOT IN":
            raise FilterExpressionError(
                f"${value.name} in {where}: parameters cannot be used with NOT IN; use IN with "
                "the opposite action (EXCLUDE instead of INCLUDE, or the reverse)"
            )
        kind = "number" if numeric_op else "strings"
        earlier = seen.setdefault(value.name, (kind, where))
        if earlier[0] != kind:
            raise FilterExpressionError(
                f"${value.name} stands for {earlier[0]} in {earlier[1]} but for {kind} in "
                f"{where}; use a separate parameter for each"
            )
