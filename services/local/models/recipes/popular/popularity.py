"""aws-popularity-count: the most popular items, the same for everybody.

Popularity is the number of distinct users who interacted with an item (after event type
filtering), not the number of events: "The most popular items are the items with the most
interactions data from unique users" (developer guide, "Popularity-Count recipe",
docs.aws.amazon.com/personalize/latest/dg/native-recipe-popularity.html). The popularity use
cases it backs say the same ("videos that have been watched by the most users", "Most
popular", VIDEO_ON_DEMAND use cases); Best sellers and Most viewed count Purchase and View
events that way. Personalize documents no time window for these: every event the model is
trained on counts, so the list changes at the next training.

Personalize uses it as the baseline for every other recipe; its runtime returns no scores, so
the model only carries ``popularity`` and both scoring methods return None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from services.local.models.recipes.base import N_, TrainingConfig, TrainingData
from services.local.models.recipes.saved.stored import MODEL, Constant, Entry, Stored
from services.local.models.recipes.training_data.indexed_events import index


@dataclass
class PopularityModel(Stored):
    """Distinct users per item, after event filtering."""

    recipe_name: str
    item_ids: np.ndarray
    popularity: np.ndarray

    LAYOUT: ClassVar[tuple[Entry, ...]] = (
        *MODEL,
        Constant("kind", "popularity"),
    )

    def score_user(self, user_id: str | None, history: Sequence[str]) -> np.ndarray | None:
        """Never personalised: the runtime serves ``popularity``."""
        return None

    def score_item(self, item_id: str) -> np.ndarray | None:
        """No item-to-item scores."""
        return None


class PopularityRecipe:
    """Counts distinct users per item."""

    name: ClassVar[str] = "aws-popularity-count"
    recipe_type: ClassVar[str] = "USER_PERSONALIZATION"
    description: ClassVar[str] = N_(
        "Most popular items by how many users interacted (the baseline)."
    )

    def fit(self, data: TrainingData, config: TrainingConfig) -> PopularityModel:
        """Count the distinct users of each catalogue item."""
        idx = index(data, config)
        return PopularityModel(self.name, idx.item_ids, idx.distinct_users())

    def update(
        self, model: PopularityModel, data: TrainingData, config: TrainingConfig
    ) -> PopularityModel:
        """Counting is cheap: an update is a refit."""
        return self.fit(data, config)

    def load(self, path: Path) -> PopularityModel:
        """Read a model written by ``PopularityModel.save``."""
        return PopularityModel.read(path)


RECIPE = PopularityRecipe()
