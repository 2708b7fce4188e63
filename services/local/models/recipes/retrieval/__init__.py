"""Candidate retrieval over a model's item factors, shared by the factor models (``users``) and
the sequence models (``sequence``): the partitioned and norm-ordered indexes, their calibration
when a version is trained, and the sampled softmax denominator. The engine outside the recipes
reads only the calibration a trained version reports."""

from __future__ import annotations

from services.local.models.recipes.retrieval.candidate_index import Calibration

__all__ = ["Calibration"]
