"""aws-item-affinity: the users most likely to interact with an item (batch segment jobs)."""

from __future__ import annotations

from typing import ClassVar

from services.local.models.recipes.base import N_
from services.local.models.recipes.segments._affinity import AffinityRecipe


class ItemAffinityRecipe(AffinityRecipe):
    """Input lines ``{"itemId": "105"}``; see ``_affinity`` for the model."""

    name: ClassVar[str] = "aws-item-affinity"
    description: ClassVar[str] = N_(
        "Users most likely to interact with each item of a batch segment job's input."
    )


RECIPE = ItemAffinityRecipe()
