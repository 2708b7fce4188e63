"""Candidate retrieval over a model's item factors, shared by the factor models (``users``) and
the sequence models (``sequence``): a request scores exactly only the items a search finds.

- ``partitions``: an inverted-file index of the factors (``FactorIndex``, faiss IVF-Flat);
- ``norm_ordered``: an exact search in descending order of norm (``NormOrderedIndex``);
- ``calibration``: which of them a model keeps, and how wide its search, chosen when the
  version is trained on sampled users' query vectors (``calibrated_index``, ``Calibration``);
- ``index_file``: the index in a model file (``save_index``, ``load_index``);
- ``search``: one search of either index, among a filter's items (``search_index``);
- ``sampled_softmax``: a catalogue softmax estimated from the items a request scored.

The engine outside the recipes reads only the calibration a trained version reports."""

from __future__ import annotations

from services.local.models.recipes.retrieval.calibration import Calibration

__all__ = ["Calibration"]
