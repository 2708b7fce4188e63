"""The USER_SEGMENTATION model behind aws-item-affinity and aws-item-attribute-affinity.

Developer guide, "Item-Affinity recipe" / "Item-Attribute-Affinity recipe": a batch segment job
asks, per line, for the users most likely to interact with an item (``{"itemId": …}``) or with
items that have given metadata (``{"itemAttributes": "ITEMS.genres = \\"Comedy\\" AND …"}``),
each list "sorted in descending order based on the probability that each user will interact".

Locally a user's affinity for a target set of items is how close their history is to it: the
target is the items themselves plus their co-interaction neighbours (the aws-sims cosine, top K
per item), and a user's score is the dot product of their history (rows scaled by
1/sqrt(length), so heavy users do not top every segment) with that target. Users who already
interacted with a target item rank high, then users of its neighbours.

The model keeps the metadata an attribute query reads from the Items dataset as it was at
training ("Amazon Personalize generates segments using only the bulk data present at the last
full solution version training"): categorical fields and numeric fields; textual fields cannot
be queried ("Unstructured text item metadata can't be used as item attributes").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

import services.local.models.recipes.items.item_text as text
from services.local.models.recipes.base import TrainingConfig, TrainingData
from services.local.models.recipes.items.item_knn import ItemKnnRecipe
from services.local.models.recipes.saved.model_header import header_strings
from services.local.models.recipes.saved.stored import MODEL, Array, Entry, Header, Sparse, Stored
from services.local.models.recipes.training_data.indexed_events import index

# ITEMS.<field> = "<value with \" escapes>" | ITEMS.<field> = <number>, joined by AND
_TERM = re.compile(
    r'\s*ITEMS\.([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?))\s*',
    re.IGNORECASE,
)


class SegmentQueryError(ValueError):
    """An itemAttributes query the model cannot answer (the line's error in the output)."""


@dataclass
class AffinityModel(Stored):
    """Users' histories and items' neighbours; attribute values for attribute queries."""

    recipe_name: str
    item_ids: np.ndarray
    popularity: np.ndarray  # distinct users per item
    user_ids: np.ndarray  # object, sorted
    history: sp.csr_matrix  # users × items, rows scaled by 1/sqrt(length)
    similarity: sp.csr_matrix  # items × items co-interaction cosine, top K per row
    attr_columns: tuple[str, ...] = ()
    attr_values: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=str))
    _pos: dict[str, int] = field(default_factory=dict, repr=False)

    LAYOUT: ClassVar[tuple[Entry, ...]] = (
        *MODEL,
        Header("attr_columns", header_strings),
        Array("user_ids"),
        Array("attr_values", str),
        Sparse("history", "hist"),
        Sparse("similarity", "sim"),
    )

    def __post_init__(self) -> None:
        self._pos = {str(item): i for i, item in enumerate(self.item_ids)}

    def score_user(self, user_id: str | None, history: Sequence[str]) -> np.ndarray | None:
        """USER_SEGMENTATION models answer batch segment jobs only."""
        return None

    def score_item(self, item_id: str) -> np.ndarray | None:
        """USER_SEGMENTATION models answer batch segment jobs only."""
        return None

    def users_for_items(self, targets: np.ndarray) -> np.ndarray:
        """Affinity of every user (``user_ids`` order) for the items at positions ``targets``:
        their history's dot product with the targets and the targets' neighbours."""
        n = len(self.item_ids)
        weight = np.zeros(n, dtype=np.float64)
        weight[targets] = 1.0 / len(targets)
        target = weight + self.similarity.T @ weight  # similarity rows are each item's top K
        return np.asarray(self.history @ target, dtype=np.float64).ravel()

    def items_for_item(self, item_id: str) -> np.ndarray:
        """Positions of ``item_id`` (Item-Affinity's query).

        Raises:
            SegmentQueryError: the item is not in the model.
        """
        i = self._pos.get(str(item_id))
        if i is None:
            raise SegmentQueryError(f"Item {item_id} is not in the solution version's data.")
        return np.asarray([i])

    def items_with(self, query: str) -> np.ndarray:
        """Positions of the items matching every ``ITEMS.field = value`` term of ``query``
        (Item-Attribute-Affinity). Categorical values match one of an item's ``|``-separated
        values, case-insensitively; numbers match numerically.

        Raises:
            SegmentQueryError: a malformed query, a field that is not a categorical or numeric
                Items field, or no item matching it.
        """
        terms = _parse(query)
        match = np.ones(len(self.item_ids), dtype=bool)
        for name, value in terms:
            col = {c.upper(): k for k, c in enumerate(self.attr_columns)}.get(name.upper())
            if col is None:
                usable = ", ".join(self.attr_columns) or "none"
                raise SegmentQueryError(
                    f"ITEMS.{name} is not a categorical or numeric Items field of this solution "
                    f"version (usable: {usable})."
                )
            match &= _matches(self.attr_values[:, col], value)
        if not match.any():
            raise SegmentQueryError(f"No item has {query}.")
        return np.flatnonzero(match)


def _parse(query: str) -> list[tuple[str, str | float]]:
    """``ITEMS.a = "x" AND ITEMS.b = 3`` → [("a", "x"), ("b", 3.0)]."""
    terms: list[tuple[str, str | float]] = []
    for part in re.split(r"\s+AND\s+", str(query).strip(), flags=re.IGNORECASE):
        m = _TERM.fullmatch(part)
        if m is None:
            raise SegmentQueryError(
                f'itemAttributes {query!r}: each term must read ITEMS.FIELD = "value" or '
                "ITEMS.FIELD = number, joined by AND"
            )
        name, quoted, number = m.groups()
        terms.append(
            (name, re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else float(number))
        )
    return terms


def _matches(values: np.ndarray, wanted: str | float) -> np.ndarray:
    if isinstance(wanted, float):
        numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(np.float64)
        return np.isclose(numbers, wanted)
    want = wanted.strip().lower()
    return np.asarray([want in (p.strip() for p in str(v).split("|")) for v in values])


def _attributes(data: TrainingData, item_ids: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """The queryable Items columns (categorical, numeric) and their values per model item,
    as strings (categorical lower-cased; missing values empty)."""
    rows = text.aligned(data.items, item_ids)
    columns = text.fields_of(text.CATEGORICAL, data.item_fields, rows)
    columns += [
        c
        for c in rows.columns
        if c not in columns and c not in data.item_fields and pd.api.types.is_numeric_dtype(rows[c])
    ]
    values = np.empty((len(item_ids), len(columns)), dtype=object)
    for k, c in enumerate(columns):
        col = rows[c]
        if pd.api.types.is_numeric_dtype(col):
            values[:, k] = [repr(float(v)) if pd.notna(v) else "" for v in col]
        else:
            values[:, k] = [str(v).lower() if pd.notna(v) else "" for v in col]
    return tuple(columns), values.astype(str) if len(columns) else np.zeros((len(item_ids), 0), str)


class AffinityRecipe:
    """Base of aws-item-affinity and aws-item-attribute-affinity (USER_SEGMENTATION)."""

    name: ClassVar[str]
    recipe_type: ClassVar[str] = "USER_SEGMENTATION"
    description: ClassVar[str]
    with_attributes: ClassVar[bool] = False

    def fit(self, data: TrainingData, config: TrainingConfig) -> AffinityModel:
        """Users' histories plus the items' co-interaction neighbours (and attributes)."""
        knn = ItemKnnRecipe().fit(data, config)
        idx = index(data, config, known_items=knn.item_ids)
        x = idx.matrix()
        x.data = np.ones_like(x.data)
        length = np.asarray(x.sum(axis=1)).ravel()
        length[length == 0] = 1.0
        history = sp.csr_matrix(sp.diags(1.0 / np.sqrt(length)) @ x, dtype=np.float32)
        columns, values = (
            _attributes(data, knn.item_ids)
            if self.with_attributes
            else ((), np.zeros((len(knn.item_ids), 0), dtype=str))
        )
        return AffinityModel(
            self.name,
            knn.item_ids,
            idx.distinct_users(),
            idx.user_ids,
            history,
            knn.similarity,
            columns,
            values,
        )

    def load(self, path: Path) -> AffinityModel:
        """Read a model written by ``AffinityModel.save``."""
        return AffinityModel.read(path)
