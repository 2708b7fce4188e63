"""aws-trending-now: items whose interaction rate grew fastest, the same for everybody.

The newest window (``featureTransformationParameters.trend_discovery_frequency``, Personalize's
"30 minutes", "1 hour", "2 hours" (default), "3 hours" or "1 day", ending at the newest
interaction) is compared with the window before it. An item's trend is the Poisson z-score of
the change, ``(recent − previous) / sqrt(recent + previous + 1)``: it needs both growth and
volume, so an item going from 0 to 1 event does not beat one going from 50 to 200. When the
newest window holds under 1 % of the interactions (sparse or old data) it widens to the span
of the newest 10 %, so there is something to compare. The runtime serves ``popularity``, which
holds the trend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from services.local.models.recipes.base import N_, TrainingConfig, TrainingData, TrainingError
from services.local.models.recipes.saved.model_header import header_int
from services.local.models.recipes.saved.stored import MODEL, Entry, Header, Stored
from services.local.models.recipes.training_data.indexed_events import index

# Trending-Now's trend_discovery_frequency values (developer guide, "Trending-Now recipe",
# Properties and hyperparameters) in seconds; the same list is the parameter's spec.
FREQUENCIES = {
    "30 minutes": 1800,
    "1 hour": 3600,
    "2 hours": 7200,
    "3 hours": 10800,
    "1 day": 86400,
}
DEFAULT_FREQUENCY = "2 hours"


def trend_window_seconds(features: Mapping[str, str]) -> int:
    """The trend window a solution's featureTransformationParameters ask for, in seconds."""
    raw = str(features.get("trend_discovery_frequency") or DEFAULT_FREQUENCY)
    try:
        return FREQUENCIES[raw.strip().lower()]
    except KeyError:
        known = ", ".join(FREQUENCIES)
        raise TrainingError(f"trend_discovery_frequency {raw!r} is not one of {known}") from None


@dataclass
class TrendingModel(Stored):
    """Trend scores per item (in ``popularity``, so the runtime serves them)."""

    recipe_name: str
    item_ids: np.ndarray
    popularity: np.ndarray
    window_seconds: int

    LAYOUT: ClassVar[tuple[Entry, ...]] = (
        *MODEL,
        Header("window_seconds", header_int),
    )

    def score_user(self, user_id: str | None, history: Sequence[str]) -> np.ndarray | None:
        """Not personalised."""
        return None

    def score_item(self, item_id: str) -> np.ndarray | None:
        """No item-to-item scores."""
        return None


def trend_scores(items: np.ndarray, ts: np.ndarray, n_items: int, window: int) -> np.ndarray:
    """Poisson z-score of each item's count in the newest window vs the one before."""
    end = int(ts.max())
    recent = np.bincount(items[ts > end - window], minlength=n_items).astype(np.float64)
    prev_mask = (ts > end - 2 * window) & (ts <= end - window)
    previous = np.bincount(items[prev_mask], minlength=n_items).astype(np.float64)
    return (recent - previous) / np.sqrt(recent + previous + 1.0)


class TrendingNowRecipe:
    """Fastest-growing items (see module doc)."""

    name: ClassVar[str] = "aws-trending-now"
    recipe_type: ClassVar[str] = "POPULAR_ITEMS"
    description: ClassVar[str] = N_("Items gaining popularity fastest.")

    def fit(self, data: TrainingData, config: TrainingConfig) -> TrendingModel:
        """Compare the newest window with the previous one."""
        idx = index(data, config)
        window = trend_window_seconds(config.features)
        ts = idx.timestamps
        if np.count_nonzero(ts > ts.max() - window) < 0.01 * len(ts):
            window = max(1, int(ts.max() - np.quantile(ts, 0.9)))
        scores = trend_scores(idx.items, ts, len(idx.item_ids), window)
        return TrendingModel(self.name, idx.item_ids, scores, window)

    def load(self, path: Path) -> TrendingModel:
        """Read a model written by ``TrendingModel.save``."""
        return TrendingModel.read(path)


RECIPE = TrendingNowRecipe()
