"""aws-semantic-similarity: related items from their text, for catalogues with cold items.

Developer guide, "Semantic-Similarity recipe": it "analyzes the textual descriptions and
attributes of items" rather than co-interactions, needs an Items dataset with an ``itemName``
field and at least one ``textual`` field (Interactions are optional), can rank by popularity or
freshness (``rankingInfluence`` POPULARITY / FRESHNESS, 0.0-1.0, default 0, on the campaign's
or batch job's config; FRESHNESS reads the reserved CREATION_TIMESTAMP field) and, with the
solution's ``performIncrementalUpdate``, reflects new and changed items without a retrain.

Locally the item "embedding" is TF-IDF over character n-grams of the itemName and textual
fields (``item_text``): no download, any script (Hangul included). With
``performIncrementalUpdate`` the runtime folds every new or changed Items row into the served
model with the vocabulary fitted at training (``with_items``), so a PutItems shows up in the
next request instead of Personalize's "about 30 minutes".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

import services.local.models.recipes.items.item_text as text
from services.local.models.recipes.base import N_, TrainingConfig, TrainingData, TrainingError
from services.local.models.recipes.items.item_knn import RelatedItemsModel
from services.local.models.recipes.saved.model_header import header_bool, header_strings
from services.local.models.recipes.saved.stored import (
    MODEL,
    Array,
    Entry,
    Header,
    Nested,
    Sparse,
    Stored,
)

POPULARITY, FRESHNESS = "POPULARITY", "FRESHNESS"


def text_columns(item_fields: Mapping[str, str], items: pd.DataFrame) -> list[str]:
    """The itemName field then the textual fields, as the recipe reads them.

    Raises:
        TrainingError: no Items data, or a schema without an itemName or a textual field.
    """
    names = text.fields_of(text.ITEM_NAME, item_fields, items)
    textual = text.fields_of(text.TEXTUAL, item_fields, items)
    if not len(items) or not names or not textual:
        raise TrainingError(
            "aws-semantic-similarity needs an Items dataset with data, a string field marked "
            '"itemName": true and at least one string field marked "textual": true (has: '
            f"{len(items)} items, itemName {names or 'none'}, textual {textual or 'none'})"
        )
    return names + [c for c in textual if c not in names]


def _created(rows: pd.DataFrame) -> np.ndarray:
    if "CREATION_TIMESTAMP" not in rows.columns:
        return np.full(len(rows), np.nan)
    return pd.to_numeric(rows["CREATION_TIMESTAMP"], errors="coerce").to_numpy(np.float64)


def _unit(v: np.ndarray) -> np.ndarray:
    """``v`` scaled to [0, 1] (NaN → 0; a constant vector → 0)."""
    v = v.astype(np.float64)
    finite = np.isfinite(v)
    if not finite.any():
        return np.zeros(len(v))
    lo, hi = float(v[finite].min()), float(v[finite].max())
    out = np.zeros(len(v))
    if hi > lo:
        out[finite] = (v[finite] - lo) / (hi - lo)
    return out


@dataclass
class SemanticModel(RelatedItemsModel, Stored):
    """One TF-IDF row per item, plus what rankingInfluence weighs."""

    recipe_name: str
    item_ids: np.ndarray
    popularity: np.ndarray  # distinct users per item in the training interactions (0 without)
    created: np.ndarray  # CREATION_TIMESTAMP per item, epoch seconds (NaN unknown)
    vectors: sp.csr_matrix  # items × n-grams, L2-normalised rows
    vocabulary: text.TextVocabulary
    columns: tuple[str, ...]  # the Items fields the text is made of
    incremental: bool = False  # the solution's performIncrementalUpdate
    _pos: dict[str, int] = field(default_factory=dict, repr=False)

    LAYOUT: ClassVar[tuple[Entry, ...]] = (
        *MODEL,
        Header("columns", header_strings),
        Header("incremental", header_bool),
        Array("created"),
        Nested("vocabulary", text.TextVocabulary, (Array("terms", str), Array("idf"))),
        Sparse("vectors", "vec"),
    )

    def __post_init__(self) -> None:
        self._index_items()

    def score_item(self, item_id: str) -> np.ndarray | None:
        """Cosine similarity of every item's text to ``item_id``'s (the item itself -1);
        None for an unknown item or one without text."""
        i = self._pos.get(item_id)
        if i is None or not self.vectors[i].nnz:
            return None
        scores = np.asarray((self.vectors @ self.vectors[i].T).todense()).ravel()
        scores = scores.astype(np.float64)
        scores[i] = -1.0
        return scores

    def influenced(self, scores: np.ndarray, influence: Mapping[str, float]) -> np.ndarray:
        """``scores`` re-weighted by rankingInfluence: each similar item's similarity times
        ``1 + POPULARITY × popularity + FRESHNESS × freshness``, both scaled to [0, 1] over the
        catalogue (log of distinct users; CREATION_TIMESTAMP, unknown = oldest). Similarity
        stays the first criterion (a weight of 1 can at most double a score), the factors
        decide among items about as similar; dissimilar items stay below every similar one."""
        pop = float(influence.get(POPULARITY, 0.0) or 0.0)
        fresh = float(influence.get(FRESHNESS, 0.0) or 0.0)
        if pop <= 0 and fresh <= 0:
            return scores
        similar = scores > 0
        if not similar.any():
            return scores
        boost = 1.0 + pop * _unit(np.log1p(self.popularity)) + fresh * _unit(self.created)
        return np.where(similar, scores * boost, scores)

    def with_items(self, items: pd.DataFrame) -> SemanticModel:
        """This model with every row of ``items`` (re)vectorised with the training vocabulary:
        new items are appended, changed ones replaced (performIncrementalUpdate)."""
        if not len(items) or "ITEM_ID" not in items.columns:
            return self
        ids = pd.unique(items["ITEM_ID"].astype(str))
        new = np.setdiff1d(ids, self.item_ids.astype(str))
        item_ids = np.concatenate([self.item_ids.astype(object), new.astype(object)])
        rows = text.aligned(items, np.asarray(ids, dtype=object))
        fresh_vectors = self.vocabulary.transform(text.item_text(rows, list(self.columns)))
        n = len(item_ids)
        keep = np.ones(n, dtype=bool)
        pos = pd.Index(item_ids.astype(str)).get_indexer(ids)
        keep[pos] = False
        old = sp.vstack([self.vectors, sp.csr_matrix((len(new), self.vectors.shape[1]))])
        placed = sp.csr_matrix((np.ones(len(pos)), (pos, np.arange(len(pos)))), shape=(n, len(pos)))
        vectors = sp.csr_matrix(
            sp.diags(keep.astype(np.float32)) @ old + placed @ fresh_vectors, dtype=np.float32
        )
        created = np.concatenate([self.created, np.full(len(new), np.nan)])
        created[pos] = _created(rows)
        popularity = np.concatenate([self.popularity, np.zeros(len(new))])
        return SemanticModel(
            self.recipe_name,
            item_ids,
            popularity,
            created,
            vectors,
            self.vocabulary,
            self.columns,
            self.incremental,
        )


class SemanticSimilarityRecipe:
    """aws-semantic-similarity (RELATED_ITEMS)."""

    name: ClassVar[str] = "aws-semantic-similarity"
    recipe_type: ClassVar[str] = "RELATED_ITEMS"
    description: ClassVar[str] = N_(
        "Items whose name and description read alike (TF-IDF over words and character "
        "n-grams), "
        "optionally ranked by popularity or freshness; needs no interactions."
    )

    def fit(self, data: TrainingData, config: TrainingConfig) -> SemanticModel:
        """Vectorise every item of the Items dataset (and count interactions, if any)."""
        columns = text_columns(data.item_fields, data.items)
        ids = np.sort(pd.unique(data.items["ITEM_ID"].astype(str))).astype(object)
        inter = data.interactions
        if len(inter):
            ids = np.union1d(ids, inter["ITEM_ID"].astype(str).unique()).astype(object)
        rows = text.aligned(data.items, ids)
        vocabulary, vectors = text.fit_text(text.item_text(rows, columns))
        popularity = np.zeros(len(ids))
        if len(inter):
            pairs = inter.drop_duplicates(["USER_ID", "ITEM_ID"])["ITEM_ID"].astype(str)
            counts = pairs.value_counts()
            popularity = counts.reindex(ids.astype(str)).fillna(0).to_numpy(np.float64)
        return SemanticModel(
            self.name,
            ids,
            popularity,
            _created(rows),
            vectors,
            vocabulary,
            tuple(columns),
            config.incremental,
        )

    def load(self, path: Path) -> SemanticModel:
        """Read a model written by ``SemanticModel.save``."""
        return SemanticModel.read(path)


RECIPE = SemanticSimilarityRecipe()
