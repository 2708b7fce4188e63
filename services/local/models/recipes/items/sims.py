"""aws-sims: item-to-item collaborative filtering (cosine over co-interacting users)."""

from __future__ import annotations

from services.local.models.recipes.items.item_knn import ItemKnnRecipe

RECIPE = ItemKnnRecipe()
