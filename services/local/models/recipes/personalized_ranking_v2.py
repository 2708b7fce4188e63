"""aws-personalized-ranking-v2: the personalized-ranking model under v2's name."""

from __future__ import annotations

from typing import ClassVar

from services.local.models.recipes.personalized_ranking import PersonalizedRankingRecipe


class PersonalizedRankingV2Recipe(PersonalizedRankingRecipe):
    """Personalize's v2 is a transformer; locally it shares the v1 model."""

    name: ClassVar[str] = "aws-personalized-ranking-v2"


RECIPE = PersonalizedRankingV2Recipe()
