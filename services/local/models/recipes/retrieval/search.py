"""One search of a model's candidate index, among a filter's items given either way.

Both candidate scorers (User-Personalization's and the sequence model's) search their index
this way, so the choice between a mask and a norm-ordered index's own rows is made once.
"""

from __future__ import annotations

import numpy as np

from services.local.models.recipes.retrieval.index_file import CandidateIndex
from services.local.models.recipes.retrieval.norm_ordered import NormOrderedIndex


def search_index(
    index: CandidateIndex | None,
    user: np.ndarray,
    n: int,
    allowed: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Item codes (int64) of ``index``'s ``n`` best items for ``user``: among the
    ``allowed`` items (a bool per item code) when given, among the rows ``rows`` of a
    ``NormOrderedIndex`` (``search_rows``) when given.

    Raises:
        ValueError: ``rows`` for an index that is not a ``NormOrderedIndex``, or no index.
    """
    if index is None:
        raise ValueError("the model keeps no candidate index")
    if rows is None:
        return index.search(user, n, allowed)
    if not isinstance(index, NormOrderedIndex):
        raise ValueError("only a norm-ordered index is searched among its own rows")
    return index.search_rows(user, n, rows)
