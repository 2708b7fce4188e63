"""The USER_SEGMENTATION recipes: aws-item-affinity and aws-item-attribute-affinity, the users
most likely to interact with an item or with items of given metadata (``_affinity``)."""

from __future__ import annotations

from services.local.models.recipes.segments._affinity import AffinityModel, SegmentQueryError

__all__ = ["AffinityModel", "SegmentQueryError"]
