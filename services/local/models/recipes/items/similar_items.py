"""aws-similar-items: related items from co-interactions blended with item metadata.

Developer guide, "Similar-Items recipe": similarity "takes into account the co-occurrence of the
item in user histories in your Interaction dataset, and any item metadata similarities"
(categorical and unstructured text fields), and it recommends items similar to cold items
("fewer than 5 interactions"); an item it cannot find gets popular items.

The model keeps two item × item views:

- co-interactions: cosine over the users who interacted with both (the aws-sims neighbours);
- metadata: cosine of the items' categorical tokens and TF-IDF character n-grams of their
  textual fields (``item_text``), computed at request time from one sparse row per item.

Each view's row is scaled to a maximum of 1 (the metadata view weighted by a popularity prior,
log interactions scaled to 0.1 … 1) and the two are blended with a weight that follows the
evidence: an item with ``n`` interactions trusts co-interactions with ``n / (n + 5)`` (5 is
the guide's cold-item bound), so an item nobody has clicked yet is matched on metadata alone and
a best seller almost only on co-interactions.

Its documented hyperparameters, as the local model reads them: ``popularity_discount_factor``
(0.0, [0, 1]) divides a neighbour's score by ``(1 + interactions) ** factor``, so more of the
list goes to less popular items; ``item_metadata_hidden_dim`` (100, [30, 200]) is the width of
the metadata embedding (a truncated SVD of the metadata rows, when they have more features than
that); ``item_id_hidden_dim`` (100, [30, 200]) is how many co-interaction neighbours each item
keeps (the capacity of the item-ID part; Personalize's is an embedding width).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

import services.local.models.recipes.items.item_text as text
from services.local.models.recipes.base import N_, TrainingConfig, TrainingData
from services.local.models.recipes.hyperparameter_values import hp_float, hp_int
from services.local.models.recipes.items.item_knn import ItemKnnRecipe, RelatedItemsModel
from services.local.models.recipes.saved.model_header import header_float
from services.local.models.recipes.saved.stored import MODEL, Array, Entry, Header, Sparse, Stored

COLD_BOUND = 5.0  # "cold items (items with fewer than 5 interactions)"
PRIOR_FLOOR = 0.1  # the metadata weight of an item without interactions (most popular: 1)
CATEGORICAL_SHARE = 0.5  # of the metadata view, when an item has both kinds of metadata


def metadata_matrix(
    data: TrainingData, item_ids: np.ndarray, width: int, seed: int = 42
) -> np.ndarray:
    """One L2-normalised row per item (float32, at most ``width`` columns): categorical tokens
    and textual n-grams, each kind of metadata an equal share of the row, reduced by a
    truncated SVD when there are more features than ``width``; an item without metadata has
    an all-zero row."""
    rows = text.aligned(data.items, item_ids)
    fields = data.item_fields
    cat = text.categorical_matrix(
        text.categorical_tokens(rows, text.fields_of(text.CATEGORICAL, fields, rows))
    )
    words = [*text.fields_of(text.ITEM_NAME, fields, rows)]
    words += [c for c in text.fields_of(text.TEXTUAL, fields, rows) if c not in words]
    _, txt = text.fit_text(text.item_text(rows, words))
    w = np.float32(np.sqrt(CATEGORICAL_SHARE))
    both = sp.hstack([cat * w, txt * np.float32(np.sqrt(1 - CATEGORICAL_SHARE))], format="csr")
    both = text.normalise(both)
    if both.shape[1] > width and min(both.shape) > 1:
        from sklearn.decomposition import TruncatedSVD  # heavy import

        svd = TruncatedSVD(n_components=min(width, min(both.shape) - 1), random_state=seed)
        dense = svd.fit_transform(both).astype(np.float32)
    else:
        dense = both.toarray()
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    return np.divide(dense, norms, out=np.zeros_like(dense), where=norms > 0)


@dataclass
class SimilarItemsModel(RelatedItemsModel, Stored):
    """Co-interaction neighbours (top K per item) plus one metadata row per item."""

    recipe_name: str
    item_ids: np.ndarray
    popularity: np.ndarray  # interactions per item (the cold-item evidence)
    similarity: sp.csr_matrix  # items × items co-interaction cosine, top K per row
    metadata: np.ndarray  # items × embedding width, L2-normalised rows (float32)
    discount: float  # popularity_discount_factor
    _pos: dict[str, int] = field(default_factory=dict, repr=False)

    LAYOUT: ClassVar[tuple[Entry, ...]] = (
        *MODEL,
        Header("discount", header_float),
        Array("metadata", np.float32),
        Sparse("similarity", "sim"),
    )

    def __post_init__(self) -> None:
        self._index_items()
        logs = np.log1p(np.asarray(self.popularity, dtype=np.float64))
        top = float(logs.max()) if len(logs) else 0.0
        self._prior = PRIOR_FLOOR + (1 - PRIOR_FLOOR) * (logs / top if top > 0 else 0 * logs)

    def score_item(self, item_id: str) -> np.ndarray | None:
        """Blended neighbours of ``item_id``: the item itself scores -1; None for an unknown
        item, or one with neither interactions nor metadata (the runtime serves popular items).
        """
        i = self.item_index.get(item_id)
        if i is None:
            return None
        cf = self.similarity.getrow(i).toarray().ravel().astype(np.float64)
        meta = np.maximum(self.metadata @ self.metadata[i], 0.0).astype(np.float64)
        meta[i] = 0.0
        if not cf.any() and not meta.any():
            return None
        n = float(self.popularity[i])
        trust = n / (n + COLD_BOUND) if cf.any() else 0.0
        # among items whose metadata is about as close, the ones people interact with more
        # are likelier neighbours: metadata scores carry a popularity prior (× 0.1 … 1, so an
        # item nobody clicked can still be a neighbour); bench/quality.py --data related
        meta = _unit_max(meta) * self._prior
        scores = trust * _unit_max(cf) + (1.0 - trust) * meta
        if self.discount > 0:
            scores /= (1.0 + self.popularity) ** self.discount
        top = float(self.popularity.max()) if len(self.popularity) else 0.0
        if top > 0:  # beyond both views, popular items first
            scores += self.popularity / top * 1e-6
        scores[i] = -1.0
        return scores


def _unit_max(v: np.ndarray) -> np.ndarray:
    top = float(v.max()) if len(v) else 0.0
    return v / top if top > 0 else v


class SimilarItemsRecipe:
    """aws-similar-items (RELATED_ITEMS)."""

    name: ClassVar[str] = "aws-similar-items"
    recipe_type: ClassVar[str] = "RELATED_ITEMS"
    description: ClassVar[str] = N_(
        "Items similar to a given item, from co-interactions and item metadata (categorical "
        "and textual fields); items without interactions are matched on metadata."
    )

    def fit(self, data: TrainingData, config: TrainingConfig) -> SimilarItemsModel:
        """Co-interaction neighbours (as aws-sims) plus the items' metadata rows."""
        hp = config.hyperparameters
        neighbours = {"neighbours": str(hp_int(hp, "item_id_hidden_dim", 100))}
        knn = ItemKnnRecipe().fit(data, replace(config, hyperparameters=neighbours))
        width = hp_int(hp, "item_metadata_hidden_dim", 100)
        return SimilarItemsModel(
            self.name,
            knn.item_ids,
            knn.popularity,
            knn.similarity,
            metadata_matrix(data, knn.item_ids, width, config.seed),
            hp_float(hp, "popularity_discount_factor", 0.0),
        )

    def load(self, path: Path) -> SimilarItemsModel:
        """Read a model written by ``SimilarItemsModel.save``."""
        return SimilarItemsModel.read(path)


RECIPE = SimilarItemsRecipe()
