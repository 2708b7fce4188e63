"""Which numbers an Avro ``float`` or ``double`` field can hold: the one rule that the local
engine's importer (``import_columns``) and the readiness check (``services.readiness``) share,
so the check never calls a file clean that the import job then refuses, nor the reverse.

- ``float`` is 32-bit IEEE 754 (Avro 1.11 specification, "Primitive Types": "float: single
  precision (32-bit) IEEE 754 floating-point number"): a value whose magnitude exceeds
  ``FLOAT32_MAX`` (3.4028235e38) overflows to infinity when Personalize stores it.
- ``double`` is 64-bit: a value beyond about 1.8e308 reads as infinity.
- NaN and infinity are refused in both. Personalize's guide ("Preparing training data",
  "Formatting your input data") describes numerical metadata as numbers and a missing value
  as an empty cell of a nullable field; it documents no NaN or Infinity literal, and a
  numerical feature that is not finite cannot be scaled for training. Our rule, stated as
  such: an unknown price is an empty cell, never ``NaN``.
"""

from __future__ import annotations

import numpy as np

# The largest finite IEEE 754 single-precision value, (2 - 2**-23) * 2**127.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def out_of_range(values: np.ndarray, avro_type: str) -> np.ndarray:
    """Which of ``values`` (float64, NaN where a cell is empty) the Avro type cannot hold.

    Args:
        values: the parsed numbers; empty cells must already be masked out by the caller
            (they are NaN here too, and would count as out of range).
        avro_type: ``"float"`` or ``"double"`` (anything else: only non-finite values count).

    Returns:
        A boolean array, True where the value is NaN, infinite, or (for ``float``) larger in
        magnitude than ``FLOAT32_MAX``.
    """
    finite = np.isfinite(values)
    if avro_type != "float":
        return ~finite
    return ~finite | (np.abs(np.where(finite, values, 0.0)) > FLOAT32_MAX)
