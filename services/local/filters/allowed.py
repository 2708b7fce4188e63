"""The items a filter lets through for one request, without a pass over the catalogue.

Why: ``evaluate`` answers with a mask over every item, built anew per request; on 5,000,000
items its passes (and the inversions and counts around it) were a large part of a filtered
request (bench/items_filter.py). Here the Items part of the filter, which does not depend on
the user, comes from a ``SelectionCache``, and the user's part (Interactions expressions, the
items a use case leaves out) is a few hundred item codes added or removed. The answer is the
one ``evaluate`` gives (same rules, same code for each condition, same errors in the same
order; tests/local/test_filter_allowed.py checks it against ``evaluate``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from services.local.filters.columns import ItemColumns
from services.local.filters.evaluate import (
    Condition,
    FilterContext,
    applicable,
    expression_mask,
    require_item_filter,
    resolve_values,
)
from services.local.filters.expression import Expression, FilterExpression
from services.local.filters.selection import Selection, SelectionCache

_EMPTY = np.empty(0, dtype=np.int64)


@dataclass(frozen=True)
class AllowedItems:
    """``base`` (every item when None) with ``added`` items put in and ``removed`` ones
    taken out, over item codes 0 … ``size`` − 1. ``added`` holds no item of ``base`` and
    ``removed`` only items of it or of ``added`` (``of`` keeps them so)."""

    size: int
    base: Selection | None
    added: np.ndarray  # sorted unique int64 codes
    removed: np.ndarray  # sorted unique int64 codes

    @classmethod
    def of(
        cls,
        size: int,
        base: Selection | None,
        added: np.ndarray = _EMPTY,
        removed: np.ndarray = _EMPTY,
    ) -> AllowedItems:
        """The set (``base`` ∪ ``added``) − ``removed``, its parts reduced as the class says."""
        added = np.unique(np.asarray(added, dtype=np.int64))
        removed = np.unique(np.asarray(removed, dtype=np.int64))
        if base is None:
            added = _EMPTY
        elif len(added):
            added = added[~base.contains(added)]
        if len(removed):
            inside = np.isin(removed, added)
            inside |= True if base is None else base.contains(removed)
            removed = removed[inside]
        return cls(size, base, added, removed)

    def without(self, codes: np.ndarray) -> AllowedItems:
        """This set less ``codes``."""
        return AllowedItems.of(
            self.size, self.base, self.added, np.union1d(self.removed, np.asarray(codes))
        )

    @property
    def count(self) -> int:
        """How many items the set holds."""
        whole = self.size if self.base is None else self.base.count
        return whole + len(self.added) - len(self.removed)

    def contains(self, codes: np.ndarray) -> np.ndarray:
        """Whether each of ``codes`` is in the set (bool array)."""
        codes = np.asarray(codes, dtype=np.int64)
        inside = np.ones(len(codes), dtype=bool) if self.base is None else self.base.contains(codes)
        if len(self.added):
            inside |= np.isin(codes, self.added)
        if len(self.removed):
            inside &= ~np.isin(codes, self.removed)
        return inside

    def codes(self) -> np.ndarray:
        """The set's codes, ascending (int64): a pass over the catalogue unless ``base`` is
        kept as codes."""
        whole = np.arange(self.size) if self.base is None else self.base.codes()
        if len(self.added):
            whole = np.union1d(whole, self.added)
        if len(self.removed):
            whole = whole[~np.isin(whole, self.removed)]
        return whole

    def mask(self) -> np.ndarray:
        """A bool per item (read-only: it may be the cached selection's own)."""
        if not len(self.added) and not len(self.removed) and self.base is not None:
            return self.base.mask()
        out = np.ones(self.size, dtype=bool) if self.base is None else self.base.mask().copy()
        out[self.added] = True
        out[self.removed] = False
        return out


def allowed_items(
    expr: FilterExpression,
    *,
    columns: ItemColumns,
    selections: SelectionCache,
    user_interactions: Sequence[tuple[str, str, float]],
    current_user: Mapping[str, str] | None,
    values: Mapping[str, str] | Mapping[str, list[str]] | None,
    positions: Mapping[str, int],
) -> AllowedItems:
    """What ``evaluate`` (same arguments, ``item_ids`` the model's, ``items`` the columns'
    frame, no current item) lets through, as an ``AllowedItems``.

    ``INCLUDE`` parts I and ``EXCLUDE`` parts E keep I − E (I every item without an
    INCLUDE); split by dataset, that is ((I_items ∪ I_user) − E_items) − E_user, where the
    Items parts come from ``selections`` and the user's parts are the few items of their
    recent events.

    Raises:
        FilterExpressionError, NotImplementedError: as ``evaluate``.
    """
    require_item_filter(expr)
    params = resolve_values(values)
    user = current_user or {}
    ctx = FilterContext(
        np.asarray(columns.item_ids, dtype=object),
        columns.items,
        user_interactions,
        None,
        positions=positions,
        columns=columns,
    )
    parts: dict[str, list[tuple[Expression, tuple[object, ...]]]] = {"INCLUDE": [], "EXCLUDE": []}
    user_sets: dict[str, list[np.ndarray]] = {"INCLUDE": [], "EXCLUDE": []}
    for e in expr.expressions:  # in order, so that errors come as ``evaluate`` raises them
        groups = applicable(e, params, user)
        if groups is None:
            continue
        if e.dataset == "Interactions":
            user_sets[e.action].append(_user_codes(groups, ctx, params))
        else:
            key = tuple(tuple(ctx.items_key(c, params) for c in group) for group in groups)
            parts[e.action].append((e, key))
    include, exclude = parts["INCLUDE"], parts["EXCLUDE"]
    any_include = bool(include or user_sets["INCLUDE"])

    def union(chosen: list[tuple[Expression, tuple[object, ...]]], start: bool) -> np.ndarray:
        out = np.full(columns.size, start, dtype=bool)
        for e, _ in chosen:
            mask = expression_mask(e, ctx, params, user)
            assert mask is not None  # applicable above
            out |= mask
        return out

    def keyed(chosen: list[tuple[Expression, tuple[object, ...]]]) -> tuple[object, ...]:
        return tuple((e.action, k) for e, k in chosen)

    base = None
    if include or exclude or any_include:

        def build() -> np.ndarray:
            kept = union(include, False) if include else np.full(columns.size, not any_include)
            if exclude:
                kept &= ~union(exclude, False)
            return kept

        base = selections.get(("kept", any_include, keyed(include), keyed(exclude)), build)
    added = _joined(user_sets["INCLUDE"])
    if len(added) and exclude:  # an item the user's INCLUDE adds is still one E_items takes out
        left_out = selections.get(("left out", keyed(exclude)), lambda: union(exclude, False))
        added = added[~left_out.contains(added)]
    return AllowedItems.of(columns.size, base, added, _joined(user_sets["EXCLUDE"]))


def _user_codes(
    groups: list[tuple[Condition, ...]], ctx: FilterContext, params: dict[str, list[str]]
) -> np.ndarray:
    """The items an Interactions expression's OR of AND groups matches (sorted codes): the
    sets of ``FilterContext.interaction_codes``, as ``expression_mask`` combines masks."""
    out = _EMPTY
    for group in groups:
        part: np.ndarray | None = None
        for cond in group:
            got = ctx.interaction_codes(cond, params)
            part = got if part is None else np.intersect1d(part, got)
        out = np.union1d(out, part if part is not None else _EMPTY)
    return out


def _joined(sets: list[np.ndarray]) -> np.ndarray:
    out = _EMPTY
    for s in sets:
        out = np.union1d(out, s)
    return out
