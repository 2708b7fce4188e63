"""aws-personalized-ranking: re-ranks a given list with the user-personalization model."""

from __future__ import annotations

from typing import ClassVar

from services.local.models.recipes.base import N_
from services.local.models.recipes.users.user_personalization import UserPersonalizationRecipe


class PersonalizedRankingRecipe(UserPersonalizationRecipe):
    """Same scores as user personalization; the runtime ranks the request's inputList."""

    name: ClassVar[str] = "aws-personalized-ranking"
    recipe_type: ClassVar[str] = "PERSONALIZED_RANKING"
    description: ClassVar[str] = N_("Ranks a list of items for a user.")


RECIPE = PersonalizedRankingRecipe()
