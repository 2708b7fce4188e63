"""The RELATED_ITEMS recipes and the co-purchase model: aws-sims and aws-similar-items
(neighbours by co-interacting users, ``item_knn``, blended with metadata for similar-items),
aws-semantic-similarity (items compared by their text, ``item_text``) and co-purchase counts
(the "Frequently bought together" use case)."""

from __future__ import annotations

from services.local.models.recipes.items.semantic_similarity import SemanticModel

__all__ = ["SemanticModel"]
