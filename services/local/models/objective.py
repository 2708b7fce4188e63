"""A solution's optimization objective: relevance re-weighted by a numeric item attribute.

Developer guide, "Optimizing a solution for an additional objective": with User-Personalization
or Personalized-Ranking, ``solutionConfig.optimizationObjective`` names a numerical column of
the Items dataset (``itemAttribute``, e.g. PRICE or VIDEO_LENGTH) and "Amazon Personalize gives
more importance to items with higher values for this column"; ``objectiveSensitivity``
(OFF | LOW | MEDIUM | HIGH) sets how much against relevance. Personalize does not publish its
formula; the engine blends standardised relevance with the standardised log of the attribute,
weighted 0 / 0.25 / 0.5 / 1 by sensitivity, so HIGH moves high-value items up more than LOW and
OFF leaves the ranking as relevance alone. Without a sensitivity the engine uses MEDIUM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

WEIGHTS = {"OFF": 0.0, "LOW": 0.25, "MEDIUM": 0.5, "HIGH": 1.0}
DEFAULT_SENSITIVITY = "MEDIUM"


@dataclass(frozen=True)
class Objective:
    """The column to favour and its weight against relevance (0 means relevance only)."""

    item_attribute: str
    weight: float


def objective_of(solution_config: dict[str, Any] | None) -> Objective | None:
    """The objective a solution (or a version's copy of its config) asks for, or None."""
    spec = (solution_config or {}).get("optimizationObjective") or {}
    attribute = spec.get("itemAttribute")
    if not attribute:
        return None
    weight = WEIGHTS[spec.get("objectiveSensitivity") or DEFAULT_SENSITIVITY]
    return Objective(attribute, weight) if weight > 0 else None


def _standardised(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


def reweight(scores: np.ndarray, values: np.ndarray, weight: float) -> np.ndarray:
    """Relevance ``scores`` (one per catalogue item, any scale) blended with the item
    attribute ``values`` (same order; NaN or negative counts as 0): ``z(scores) + weight ·
    z(log1p(values))``, where z standardises over the catalogue. Returns float64."""
    relevance = np.asarray(scores, dtype=np.float64)
    attribute = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0)
    return _standardised(relevance) + weight * _standardised(np.log1p(np.maximum(attribute, 0)))
