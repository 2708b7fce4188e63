"""Co-purchase counts: the model behind the "Frequently bought together" use case.

Not a recipe a solution can name (Personalize offers it only as the ECOMMERCE use case
``aws-ecomm-frequently-bought-together``), so it is registered apart from the public recipes.
The score of item j for item i is the number of users who bought both; training data are the
use case's Purchase events. Items nobody bought with ``i`` keep a tiny popularity tie-break, so
the list is never empty; an item never bought gets None and the runtime serves popular items.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from services.local.models.recipes.base import N_, TrainingConfig, TrainingData
from services.local.models.recipes.items.item_knn import ItemKnnModel, ItemKnnRecipe
from services.local.models.recipes.training_data.indexed_events import index

NAME = "co-purchase"


class CoPurchaseRecipe:
    """Items × items counts of users who bought both (diagonal zero)."""

    name: ClassVar[str] = NAME
    recipe_type: ClassVar[str] = "RELATED_ITEMS"
    description: ClassVar[str] = N_("Items bought by the same customers, by how many bought both.")

    def fit(self, data: TrainingData, config: TrainingConfig) -> ItemKnnModel:
        """Count, for every pair of items, the users who interacted with both.

        Args:
            data: the group's interactions (filtered by ``config``, normally to Purchase).
            config: event filtering as for any recipe.

        Returns:
            A neighbour model whose similarities are co-purchase counts (float32).
        """
        idx = index(data, config)
        bought = idx.matrix()
        bought.data = np.ones_like(bought.data)  # a user buying twice counts once
        counts = sp.csr_matrix(bought.T @ bought, dtype=np.float32)
        counts.setdiag(0)
        counts.eliminate_zeros()
        return ItemKnnModel(self.name, idx.item_ids, idx.popularity(), counts, 1)

    def load(self, path: Path) -> ItemKnnModel:
        """Read a model written by ``ItemKnnModel.save``."""
        return ItemKnnRecipe().load(path)


RECIPE = CoPurchaseRecipe()
