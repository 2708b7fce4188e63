"""aws-personalized-ranking-v2: re-ranks a given list with the v2 sequence model."""

from __future__ import annotations

from typing import ClassVar

from services.local.models.recipes.base import N_
from services.local.models.recipes.sequence.user_personalization_v2 import (
    UserPersonalizationV2Recipe,
)


class PersonalizedRankingV2Recipe(UserPersonalizationV2Recipe):
    """Same network and scores as User-Personalization-v2; the runtime ranks the request's
    inputList by them (GetPersonalizedRanking)."""

    name: ClassVar[str] = "aws-personalized-ranking-v2"
    recipe_type: ClassVar[str] = "PERSONALIZED_RANKING"
    description: ClassVar[str] = N_(
        "Ranks a list of items for a user by the order of their history."
    )


RECIPE = PersonalizedRankingV2Recipe()
