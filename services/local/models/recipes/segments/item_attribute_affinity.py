"""aws-item-attribute-affinity: the users most likely to interact with items that have given
metadata (batch segment jobs)."""

from __future__ import annotations

from typing import ClassVar

from services.local.models.recipes.base import N_
from services.local.models.recipes.segments._affinity import AffinityRecipe


class ItemAttributeAffinityRecipe(AffinityRecipe):
    """Input lines ``{"itemAttributes": "ITEMS.genres = \\"Comedy\\""}``; see ``_affinity``."""

    name: ClassVar[str] = "aws-item-attribute-affinity"
    description: ClassVar[str] = N_(
        "Users most likely to interact with items that have the metadata of each input line "
        "(categorical or numeric Items fields, terms joined by AND)."
    )
    with_attributes: ClassVar[bool] = True


RECIPE = ItemAttributeAffinityRecipe()
