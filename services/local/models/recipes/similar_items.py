"""aws-similar-items: related items; locally the same cosine neighbours as aws-sims."""

from __future__ import annotations

from typing import ClassVar

from services.local.models.recipes._item_knn import ItemKnnRecipe


class SimilarItemsRecipe(ItemKnnRecipe):
    """Personalize also blends item metadata; the local engine uses co-interactions only."""

    name: ClassVar[str] = "aws-similar-items"
    description: ClassVar[str] = "Items similar to a given item, from co-interactions."


RECIPE = SimilarItemsRecipe()
