"""Item-to-item neighbours (co-interacting users) for the RELATED_ITEMS recipes.

Local settings: ``neighbours`` (K, default 50) and ``min_item_interactions`` (default 3):
items with fewer interactions are too sparse to have trustworthy neighbours, so
``score_item`` returns None and the runtime falls back to popular items, as Personalize does.

SIMS' documented algorithm hyperparameters (developer guide, "SIMS recipe"):

- ``popularity_discount_factor`` d (default 0.5, [0, 1]): item j's similarity to item i is
  c_ij / (n_i^0.5 · n_j^d), c_ij the users who interacted with both and n the users of each;
  "a value of 0 makes the most popular items appear as recommendations regardless of their
  correlation" (the raw co-interaction count), 1 makes items with co-interactions appear
  "regardless of their popularity" (the share of j's users who also had i), and the default
  0.5 is the cosine.
- ``min_cointeraction_count`` (documented default 3, [0, 10]): "the minimum number of
  co-interactions you need to calculate the similarity between a pair of items"; pairs with
  fewer are no neighbours. A solution that does not set it keeps every co-interacting pair
  (the local default, as before the parameter was read: see parameters.py).

With either away from the cosine, the K neighbours are chosen again from the cosine's best
``CANDIDATES`` × K per item.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from services.local.models.recipes.base import N_, TrainingConfig, TrainingData
from services.local.models.recipes.hyperparameter_values import hp_float, hp_int
from services.local.models.recipes.saved.model_header import header_int
from services.local.models.recipes.saved.stored import MODEL, Entry, Header, Sparse, Stored
from services.local.models.recipes.training_data.indexed_events import index


class RelatedItemsModel:
    """What every RELATED_ITEMS model shares: an item index and no answer for a user."""

    item_ids: np.ndarray
    _pos: dict[str, int]

    def _index_items(self) -> None:
        self._pos = {str(item): i for i, item in enumerate(self.item_ids)}

    @property
    def item_index(self) -> dict[str, int]:
        """Item ID → position in ``item_ids`` (built once; the runtime shares it)."""
        return self._pos

    def score_user(self, user_id: str | None, history: Sequence[str]) -> np.ndarray | None:
        """RELATED_ITEMS recipes take an itemId, not a user."""
        return None


@dataclass
class ItemKnnModel(RelatedItemsModel, Stored):
    """Sparse items × items cosine similarities, top K per item."""

    recipe_name: str
    item_ids: np.ndarray
    popularity: np.ndarray
    similarity: sp.csr_matrix
    min_interactions: int
    _pos: dict[str, int] = field(default_factory=dict, repr=False)

    LAYOUT: ClassVar[tuple[Entry, ...]] = (
        *MODEL,
        Header("min_interactions", header_int),
        Sparse("similarity", "sim", square=True),
    )

    def __post_init__(self) -> None:
        self._index_items()
        top = float(self.popularity.max()) if len(self.popularity) else 0.0
        # beyond the K neighbours, popular items come first
        self._tiebreak = self.popularity / top * 1e-6 if top > 0 else np.zeros(len(self.item_ids))

    def score_item(self, item_id: str) -> np.ndarray | None:
        """Cosine neighbours of ``item_id``; None for unknown or too-sparse items.

        The item itself scores -1, below every other item.
        """
        i = self._pos.get(item_id)
        if i is None or self.popularity[i] < self.min_interactions:
            return None
        scores = self.similarity.getrow(i).toarray().ravel().astype(np.float64) + self._tiebreak
        scores[i] = -1.0
        return scores


COSINE = 0.5  # the popularity_discount_factor at which the similarity is the cosine
CANDIDATES = 4  # cosine neighbours per item that a discount other than COSINE re-ranks


def discounted(
    cosine: sp.csr_matrix, users: np.ndarray, discount: float, least: int, k: int
) -> sp.csr_matrix:
    """items × items c_ij / (n_i^0.5 · n_j^discount) for the pairs of ``cosine`` with at least
    ``least`` co-interacting users c_ij, the best ``k`` per row (see the module doc).

    ``cosine`` holds c_ij / sqrt(n_i n_j) of binary user vectors and ``users`` is n per item,
    so each pair's c_ij is recovered from it exactly (rounded).
    """
    coo = cosine.tocoo()
    rows, cols = coo.row, coo.col
    counts = np.rint(coo.data * np.sqrt(users[rows] * users[cols]))
    keep = counts >= max(least, 1)
    rows, cols, counts = rows[keep], cols[keep], counts[keep]
    score = counts / (np.sqrt(users[rows]) * users[cols] ** discount)
    order = np.lexsort((-score, rows))
    rows, cols, score = rows[order], cols[order], score[order]
    starts = np.searchsorted(rows, rows, side="left")
    best = np.arange(len(rows)) - starts < k
    return sp.csr_matrix((score[best], (rows[best], cols[best])), shape=cosine.shape)


KNN_PHASE = "item neighbours"


class ItemKnnRecipe:
    """Base of aws-similar-items and aws-sims."""

    name: ClassVar[str] = "aws-sims"
    recipe_type: ClassVar[str] = "RELATED_ITEMS"
    description: ClassVar[str] = N_("Items often interacted with by the same users.")

    def fit(self, data: TrainingData, config: TrainingConfig) -> ItemKnnModel:
        """Cosine similarity between items' user vectors, top K per item (implicit)."""
        from implicit.nearest_neighbours import ItemItemRecommender  # heavy import

        hp = config.hyperparameters
        k = hp_int(hp, "neighbours", 50)
        discount = hp_float(hp, "popularity_discount_factor", COSINE)
        least = hp_int(hp, "min_cointeraction_count", 1)
        idx = index(data, config)
        x = idx.matrix()
        x.data = np.minimum(x.data, 1.0)  # co-occurrence of users, not of repeat counts
        # cosine = dot products of unit-length item columns; normalising here keeps the CSR
        # format implicit wants (its CosineRecommender hands itself a COO matrix and warns)
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0)).ravel())
        norms[norms == 0] = 1.0
        x = sp.csr_matrix(x @ sp.diags(1.0 / norms))
        reweigh = discount != COSINE or least > 1
        knn = ItemItemRecommender(
            K=CANDIDATES * k if reweigh else k, num_threads=min(2, os.cpu_count() or 1)
        )
        # implicit's all-pairs k-NN is one native call (its fit refuses a callback): a stop
        # gets through before and after it, not inside
        config.checkpoint(KNN_PHASE, 0, 2)
        knn.fit(x, show_progress=False)
        config.checkpoint(KNN_PHASE, 1, 2)
        sim = sp.csr_matrix(knn.similarity, dtype=np.float64)
        if reweigh:
            sim = discounted(sim, norms**2, discount, least, k)
        config.checkpoint(KNN_PHASE, 2, 2)
        sim = sp.csr_matrix(sim, dtype=np.float32)
        sim.setdiag(0)
        sim.eliminate_zeros()
        return ItemKnnModel(
            self.name, idx.item_ids, idx.popularity(), sim, hp_int(hp, "min_item_interactions", 3)
        )

    def load(self, path: Path) -> ItemKnnModel:
        """Read a model written by ``ItemKnnModel.save``."""
        return ItemKnnModel.read(path)
