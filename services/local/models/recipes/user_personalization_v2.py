"""aws-user-personalization-v2: the same model as aws-user-personalization, under v2's name."""

from __future__ import annotations

from typing import ClassVar

from services.local.models.recipes.user_personalization import UserPersonalizationRecipe


class UserPersonalizationV2Recipe(UserPersonalizationRecipe):
    """Personalize's v2 is a transformer; locally it shares the v1 model."""

    name: ClassVar[str] = "aws-user-personalization-v2"


RECIPE = UserPersonalizationV2Recipe()
