"""The candidate index in a model file: ``save_index`` puts either kind in the file's arrays
and JSON header, ``load_index`` reads it back."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from services.local.models.recipes.retrieval.norm_ordered import NormOrderedIndex
from services.local.models.recipes.retrieval.partitions import FactorIndex
from services.local.models.recipes.saved.model_header import header_int

# a model file's header mark (``save_index``): under ROWS_KEY, SHARED_FACTORS says its
# norm-ordered index searches the model's own factors, which the file keeps in the index's order
ROWS_KEY, SHARED_FACTORS = "retrieval_rows", "factors"

CandidateIndex = FactorIndex | NormOrderedIndex


def save_index(
    index: CandidateIndex,
    arrays: dict[str, np.ndarray],
    header: dict[str, object],
    factors: np.ndarray | None = None,
) -> None:
    """Put ``index`` in a model file's arrays and JSON header (``load_index`` reads it).

    A ``NormOrderedIndex`` whose rows are the model's ``factors`` themselves (the same array,
    saved by the model) is saved as a mark only: the file keeps those rows once.
    """
    if isinstance(index, NormOrderedIndex):
        if factors is not None and index.vectors is factors:
            header[ROWS_KEY] = SHARED_FACTORS
        else:
            arrays.update(index.to_arrays())
    else:
        arrays["retrieval_index"] = index.to_array()
        header["retrieval_nprobe"] = index.nprobe


def load_index(
    header: Mapping[str, object],
    arrays: Mapping[str, np.ndarray],
    factors: np.ndarray | None = None,
    factor_codes: np.ndarray | None = None,
) -> CandidateIndex | None:
    """The index a model file keeps, or None (a file saved without one: its requests scan
    every item). ``factors`` and ``factor_codes``: the model's rows and their item codes as
    loaded, which an index saved as ``SHARED_FACTORS`` searches in place.

    Raises:
        ValueError: the header marks a shared index but no factors were given.
    """
    if header.get(ROWS_KEY) == SHARED_FACTORS:
        if factors is None or factor_codes is None:
            raise ValueError("the model file's index searches factors it does not keep")
        return NormOrderedIndex.over(factors, factor_codes)
    if "retrieval_vectors" in arrays:
        return NormOrderedIndex.from_arrays(arrays)
    if "retrieval_index" in arrays:
        return FactorIndex.from_array(
            arrays["retrieval_index"], header_int(header, "retrieval_nprobe")
        )
    return None
