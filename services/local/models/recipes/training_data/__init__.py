"""What a recipe trains on: the events it keeps (``event_filter``) and their integer codes
(``indexed_events``: catalogue, featurization percentiles, users × items matrix)."""

from __future__ import annotations

from services.local.models.recipes.training_data.event_filter import filter_interactions
from services.local.models.recipes.training_data.indexed_events import index

__all__ = ["filter_interactions", "index"]
