"""Apply a parsed filter to candidate items: the mask of items a request may return.

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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from services.local.filters.columns import ItemColumns, as_numbers, item_rows, match_values
from services.local.filters.expression import (
    NUMERIC_OPS,
    RECENT_INTERACTIONS_PER_TYPE,
    Condition,
    CurrentItemRef,
    Expression,
    FilterExpression,
    FilterExpressionError,
    Param,
)
from services.local.filters.values import parse_filter_values

# --- evaluation ------------------------------------------------------------------------------


def evaluate(
    expr: FilterExpression,
    *,
    item_ids: np.ndarray,
    items: pd.DataFrame,
    user_interactions: pd.DataFrame | Sequence[tuple[str, str, float]],
    current_user: Mapping[str, str] | None,
    values: Mapping[str, str] | Mapping[str, list[str]] | None,
    current_item: Mapping[str, str] | None = None,
    event_key: Callable[[str], str] = str.lower,
    positions: Mapping[str, int] | None = None,
    columns: ItemColumns | None = None,
) -> np.ndarray:
    """Mask over ``item_ids`` of the items the filter lets through.

    Args:
        expr: a parsed ItemID filter.
        item_ids: candidate item IDs (e.g. the model's catalogue).
        items: the Items dataset: ITEM_ID plus metadata (categorical values joined with '|').
        user_interactions: ITEM_ID, EVENT_TYPE, TIMESTAMP of the current user, as a frame
            or as (item, event type, time) rows.
        current_user: the current user's metadata (values as strings); empty if unknown.
        values: filterValues, raw as in the API ('"a","b"') or already split into lists.
        current_item: metadata of the request's itemId, for CurrentItem conditions.
        event_key: what makes two event types the same (lower case by default).
        positions: item ID → position in ``item_ids``, when the caller keeps one (a model's
            item index): the user's items are then placed by it instead of by hashing every
            ID of a catalogue of 500,000 items on each request.
        columns: ``items`` already lined up with ``item_ids`` (kept with a loaded model), so
            that Items conditions do not line up and match the whole frame on each request.

    Raises:
        FilterExpressionError: malformed filterValues, a missing INCLUDE parameter, a
            non-numeric value for a comparison, or CurrentItem without an item.
        NotImplementedError: for UserID (user-segment) and ActionID (action) filters.
    """
    require_item_filter(expr)
    params = resolve_values(values)
    ctx = FilterContext(
        np.asarray(item_ids, dtype=object),
        items,
        user_interactions,
        current_item,
        event_key,
        positions,
        columns,
    )
    include: list[np.ndarray] = []
    exclude: list[np.ndarray] = []
    for e in expr.expressions:
        mask = expression_mask(e, ctx, params, current_user or {})
        if mask is not None:
            (include if e.action == "INCLUDE" else exclude).append(mask)
    n = len(ctx.item_ids)
    allowed = np.logical_or.reduce(include) if include else np.ones(n, dtype=bool)
    if exclude:
        allowed &= ~np.logical_or.reduce(exclude)
    return np.asarray(allowed, dtype=bool)


def require_item_filter(expr: FilterExpression) -> None:
    """Refuse a filter that is not an item filter (``INCLUDE|EXCLUDE ItemID …``).

    Raises:
        NotImplementedError: a UserID (user-segment) or ActionID (action) filter.
    """
    if expr.target != "ItemID":
        raise NotImplementedError(
            f"this filter filters {expr.target}s: user filters (UserID) apply to batch segment "
            "jobs and action filters (ActionID) to GetActionRecommendations, not to item "
            "recommendations"
        )


def evaluate_users(
    expr: FilterExpression,
    *,
    user_ids: np.ndarray,
    users: pd.DataFrame,
    values: Mapping[str, str] | None,
) -> np.ndarray:
    """Mask over ``user_ids`` of the users a user-segment filter (``… UserID WHERE
    Users.FIELD …``) lets through, for batch segment jobs ("Filtering batch recommendations and
    user segments"); the same rules as item filters, applied to the Users dataset.

    Raises:
        FilterExpressionError: as ``evaluate``.
        NotImplementedError: an ItemID filter, or a user filter on Interactions fields.
    """
    if expr.target != "UserID":
        raise NotImplementedError("an item filter (ItemID) cannot filter a user segment")
    if any(c.dataset != "Users" for e in expr.expressions for c in e.conditions):
        raise NotImplementedError(
            "the local engine filters user segments on Users fields only, not on Interactions"
        )
    as_items = FilterExpression(
        expr.text, tuple(replace(e, target="ItemID") for e in expr.expressions)
    )
    frame = users.rename(columns={"USER_ID": "ITEM_ID"}).reset_index(drop=True)
    return evaluate(
        as_items,
        item_ids=np.asarray(user_ids, dtype=object),
        items=frame,
        user_interactions=pd.DataFrame(columns=["ITEM_ID", "EVENT_TYPE", "TIMESTAMP"]),
        current_user={},
        values=values,
    )


# An action filter's datasets, as the item filter the evaluation reads it as.
_AS_ITEM_DATASETS = {"Actions": "Items", "Action_Interactions": "Interactions"}


def _action_event(raw: str) -> str:
    """Action interaction event types compare alike however spelled: "Not taken",
    "NOT_TAKEN" and "not taken" are one type (ActionInteraction reference: "Viewed, Taken, and
    Not Taken"; the filter examples write "NOT_TAKEN")."""
    return raw.strip().lower().replace("_", " ")


def evaluate_actions(
    expr: FilterExpression,
    *,
    action_ids: np.ndarray,
    actions: pd.DataFrame,
    user_events: pd.DataFrame,
    current_user: Mapping[str, str] | None,
    values: Mapping[str, str] | Mapping[str, list[str]] | None,
) -> np.ndarray:
    """Mask over ``action_ids`` of the actions an action filter (``… ActionID WHERE
    Actions.FIELD …`` or ``Action_Interactions.EVENT_TYPE …``, developer guide "Action
    recommendation filter expression examples") lets through: the rules of item filters, with
    the Actions dataset (ACTION_ID first) in the Items dataset's place and the user's action
    interactions (ACTION_ID, EVENT_TYPE, TIMESTAMP) in the Interactions dataset's.

    Raises:
        FilterExpressionError: as ``evaluate``.
        NotImplementedError: an ItemID or UserID filter.
    """
    if expr.target != "ActionID":
        raise NotImplementedError(
            f"this filter filters {expr.target}s; action recommendations take a filter of "
            "actions (INCLUDE/EXCLUDE ActionID)"
        )
    as_items = FilterExpression(
        expr.text,
        tuple(
            replace(
                e,
                target="ItemID",
                where=tuple(
                    tuple(replace(c, dataset=_AS_ITEM_DATASETS[c.dataset]) for c in group)
                    for group in e.where
                ),
            )
            for e in expr.expressions
        ),
    )
    return evaluate(
        as_items,
        item_ids=np.asarray(action_ids, dtype=object),
        items=actions.rename(columns={"ACTION_ID": "ITEM_ID"}).reset_index(drop=True),
        user_interactions=user_events.rename(columns={"ACTION_ID": "ITEM_ID"}),
        current_user=current_user,
        values=values,
        event_key=_action_event,
    )


def resolve_values(
    values: Mapping[str, str] | Mapping[str, list[str]] | None,
) -> dict[str, list[str]]:
    """filterValues as lists of strings per parameter name (raw API strings are parsed).

    Raises:
        FilterExpressionError: a malformed raw value (``parse_filter_values``).
    """
    if not values:
        return {}
    raw = {k: v for k, v in values.items() if isinstance(v, str)}
    parsed = parse_filter_values(raw)
    for k, v in values.items():
        if not isinstance(v, str):
            parsed[k] = [str(x) for x in v]
    return parsed


def expression_mask(
    e: Expression, ctx: FilterContext, params: dict[str, list[str]], user: Mapping[str, str]
) -> np.ndarray | None:
    """The items ``e`` matches, or None when ``e`` does not apply to this request."""
    groups = applicable(e, params, user)
    if groups is None:
        return None
    result = np.zeros(len(ctx.item_ids), dtype=bool)
    for group in groups:
        part = np.ones(len(ctx.item_ids), dtype=bool)
        for cond in group:
            part &= ctx.condition(cond, params)
        result |= part
    return result


def applicable(
    e: Expression, params: dict[str, list[str]], user: Mapping[str, str]
) -> list[tuple[Condition, ...]] | None:
    """The OR of AND groups of ``e`` this request evaluates (without the conditions an
    EXCLUDE ignores for a missing parameter), or None when ``e`` does not apply: its IF does
    not hold for ``user``, or no condition is left.

    Raises:
        FilterExpressionError: an INCLUDE expression lacks a parameter.
    """
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
    return groups or None


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
    return bool(NUMERIC_OPS[cond.op](np.array([number]), threshold)[0])


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
    if not isinstance(v, Param):
        # the parser gives a comparison a number, $NAME or CurrentItem.FIELD, never a string
        raise FilterExpressionError(
            f"{cond.dataset}.{cond.field} {cond.op} needs a number, got {v!r}"
        )
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


class FilterContext:
    """The request's data, aligned to the candidate items; lookups are computed lazily."""

    def __init__(
        self,
        item_ids: np.ndarray,
        items: pd.DataFrame | None,
        interactions: pd.DataFrame | Sequence[tuple[str, str, float]] | None,
        current_item: Mapping[str, str] | None,
        event_key: Callable[[str], str] = str.lower,
        positions: Mapping[str, int] | None = None,
        columns: ItemColumns | None = None,
    ) -> None:
        self.event_key = event_key
        self.columns = columns
        self.item_ids = item_ids
        self.items = items if items is not None else pd.DataFrame({"ITEM_ID": []})
        self.interactions = interactions
        self.current_item = current_item
        self._rows: np.ndarray | None = None
        self._events: tuple[list[str], list[str]] | None = None
        self.positions = positions  # item ID → position in item_ids, or None

    def condition(self, cond: Condition, params: dict[str, list[str]]) -> np.ndarray:
        if cond.dataset == "Interactions":
            return self._interactions(cond, params)
        return self._items(cond, params)

    def _item_rows(self) -> np.ndarray:
        """Row of each candidate in the items table, -1 when it has none."""
        if self._rows is None:
            self._rows = item_rows(self.items, self.item_ids)
        return self._rows

    def _aligned(self, values: np.ndarray, fill: object) -> np.ndarray:
        """``values`` (one per row of the items table) per candidate, ``fill`` without a row."""
        rows = self._item_rows()
        known = rows >= 0
        out = np.full(len(self.item_ids), fill, dtype=values.dtype)
        out[known] = values[rows[known]]
        return out

    def _items(self, cond: Condition, params: dict[str, list[str]]) -> np.ndarray:
        if cond.field not in self.items.columns:
            return np.zeros(len(self.item_ids), dtype=bool)  # no such metadata: nothing matches
        if cond.op in ("IN", "NOT IN"):
            wanted = self._strings_for(cond, params)
            if self.columns is not None:
                has_value, hit = self.columns.matches(cond.field, wanted)
            else:
                has_value, hit = match_values(self.items[cond.field], wanted)
                has_value, hit = self._aligned(has_value, False), self._aligned(hit, False)
            return hit if cond.op == "IN" else has_value & ~hit
        if self.columns is not None:
            numbers = self.columns.numbers(cond.field)
        else:
            numbers = self._aligned(as_numbers(self.items[cond.field]), np.nan)
        threshold = _number(cond, params, self.current_item)
        if np.isnan(threshold):
            return np.zeros(len(self.item_ids), dtype=bool)
        with np.errstate(invalid="ignore"):
            return NUMERIC_OPS[cond.op](numbers, threshold) & ~np.isnan(numbers)

    def _strings_for(self, cond: Condition, params: dict[str, list[str]]) -> list[str]:
        return _strings(cond, params, self.current_item)

    def _recent_events(self) -> tuple[list[str], list[str]]:
        """The user's latest interactions per event type: item IDs and keyed event types."""
        if self._events is None:
            events = self.interactions
            if (
                isinstance(events, pd.DataFrame)
                or (events := _recent_rows(events, self.event_key)) is None
            ):
                events = self._recent_frame()
            self._events = events
        return self._events

    def _recent_frame(self) -> tuple[list[str], list[str]]:
        """``_recent_events`` of interactions given as a frame (or rows it cannot take)."""
        df = self.interactions
        if df is None or len(df) == 0:
            return [], []
        if not isinstance(df, pd.DataFrame):
            df = pd.DataFrame(list(df), columns=["ITEM_ID", "EVENT_TYPE", "TIMESTAMP"])
        df = df.sort_values("TIMESTAMP", ascending=False, kind="stable")
        df = df.groupby("EVENT_TYPE", sort=False).head(RECENT_INTERACTIONS_PER_TYPE)
        types = df["EVENT_TYPE"].fillna("").astype(str)
        keyed = types.str.lower() if self.event_key is str.lower else types.map(self.event_key)
        return df["ITEM_ID"].astype(str).tolist(), keyed.tolist()

    def _touched(self, cond: Condition, params: dict[str, list[str]]) -> list[str]:
        """IDs of the items of the user's recent events ``cond`` (an Interactions condition)
        matches."""
        items, types = self._recent_events()
        wanted = {self.event_key(v) for v in self._strings_for(cond, params)}
        keep = cond.op == "IN"  # NOT IN: the events of the other types
        return [
            i for i, t in zip(items, types, strict=True) if ("*" in wanted or t in wanted) == keep
        ]

    def _interactions(self, cond: Condition, params: dict[str, list[str]]) -> np.ndarray:
        touched = self._touched(cond, params)
        if self.positions is None:
            return pd.Index(self.item_ids).isin(touched)
        out = np.zeros(len(self.item_ids), dtype=bool)
        out[[self.positions[i] for i in touched if i in self.positions]] = True
        return out

    def interaction_codes(self, cond: Condition, params: dict[str, list[str]]) -> np.ndarray:
        """The positions (sorted, unique int64) of the items ``_interactions`` marks, found
        through ``positions`` (which the caller gives) without a pass over the catalogue."""
        assert self.positions is not None
        touched = self._touched(cond, params)
        return np.unique(
            np.array([self.positions[i] for i in touched if i in self.positions], dtype=np.int64)
        )

    def items_key(self, cond: Condition, params: dict[str, list[str]]) -> tuple[object, ...]:
        """What ``_items``'s answer for ``cond`` depends on besides the Items data: the
        condition and its values resolved (raising as ``_items`` would)."""
        if cond.field not in self.items.columns:
            return (cond,)
        if cond.op in ("IN", "NOT IN"):
            return (cond, tuple(self._strings_for(cond, params)))
        threshold = _number(cond, params, self.current_item)
        return (cond, None if np.isnan(threshold) else threshold)  # NaN matches nothing


def _recent_rows(
    rows: Sequence[tuple[str, str, float]] | None, event_key: Callable[[str], str]
) -> tuple[list[str], list[str]] | None:
    """``_recent_frame``'s answer for interactions given as (item, event type, time) rows,
    without building a frame (a request's history is at most a few hundred rows, and pandas
    costs milliseconds to sort and group them): newest first, ties in their given order (a
    stable sort, as the frame's), at most ``RECENT_INTERACTIONS_PER_TYPE`` per event type as
    given. None for rows the frame would treat otherwise: a missing event type or time, or a
    non-ASCII event type (pandas lower-cases those with other rules than Python)."""
    if not rows:
        return [], []
    for _, event, ts in rows:
        if not isinstance(event, str) or not event.isascii() or ts is None or ts != ts:
            return None
    counts: dict[str, int] = {}
    items, types = [], []
    for item, event, _ in sorted(rows, key=lambda r: r[2], reverse=True):
        seen = counts.get(event, 0)
        if seen < RECENT_INTERACTIONS_PER_TYPE:
            counts[event] = seen + 1
            items.append(str(item))
            types.append(event_key(event))
    return items, types
