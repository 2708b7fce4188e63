"""A scipy CSR matrix as plain arrays in a model file, and back (checked, never pickled).

A matrix named ``sim`` is stored as the members ``sim_data`` (float32), ``sim_indices`` (int32),
``sim_indptr`` (int64) and, unless the model's header already implies it, ``sim_shape`` (int64,
rows and columns). ``base.save_npz`` writes them next to the model's other arrays; files
written before this module existed use the same names and dtypes. A matrix of integers (item
codes: users' histories) keeps integer data (int32, or int64 beyond it): float32 is exact only
up to 2**24 = 16,777,216, so a larger catalogue's item numbers came back wrong.

On load the arrays are checked before a matrix is built from them: a damaged or mismatched
member set would otherwise give a matrix that fails, or answers wrongly, only when it is scored.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp


class SparseArraysError(ValueError):
    """The stored arrays of a matrix do not form a valid CSR matrix.

    A ValueError, so ``training.load_model`` reports the model file as corrupt, as it does a
    truncated file.
    """


def csr_arrays(name: str, m: sp.csr_matrix, *, store_shape: bool = True) -> dict[str, np.ndarray]:
    """The members that store ``m``, for ``save_npz(path, header, **arrays)``.

    Args:
        name: prefix of the member names (``<name>_data``, ``<name>_indices``, …).
        m: the matrix; float data is stored as float32, integer data as int32 (int64 when a
            value does not fit).
        store_shape: whether to store ``<name>_shape``; leave it out only where the model's
            header or other arrays give the shape (``csr_from_arrays`` must then be told it).

    Returns:
        Member name → array, in the order the members are written.
    """
    if m.data.dtype.kind in "iu":
        fits = not len(m.data) or np.abs(m.data).max() <= np.iinfo(np.int32).max
        data = m.data.astype(np.int32 if fits else np.int64)
    else:
        data = m.data.astype(np.float32)
    arrays = {
        f"{name}_data": data,
        f"{name}_indices": m.indices.astype(np.int32),
        f"{name}_indptr": m.indptr.astype(np.int64),
    }
    if store_shape:
        arrays[f"{name}_shape"] = np.asarray(m.shape, dtype=np.int64)
    return arrays


def csr_from_arrays(
    name: str,
    arrays: Mapping[str, np.ndarray],
    shape: tuple[int, int] | None = None,
    *,
    integers: bool = False,
) -> sp.csr_matrix:
    """The float32 matrix stored by ``csr_arrays(name, …)``, or with ``integers`` the integer
    one (int32, or int64 if stored so).

    Args:
        name: the prefix it was stored under.
        arrays: the model file's members (``load_npz``).
        shape: rows and columns, for a matrix stored without ``<name>_shape``; None reads it.
        integers: the matrix holds integers (item codes); files written before integer data
            was kept store them as float32, exact below 2**24, and are read as integers too.

    Raises:
        SparseArraysError: a member is missing or of the wrong kind, or the arrays disagree
            (indptr not rows + 1 long, not starting at 0 or decreasing, a column index outside
            the shape, indices and data of different lengths or longer than indptr says).
    """
    keys = [f"{name}_data", f"{name}_indices", f"{name}_indptr"]
    if shape is None:
        keys.append(f"{name}_shape")
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise SparseArraysError(f"sparse matrix {name!r}: missing {', '.join(missing)}")
    data, indices, indptr = (np.asarray(arrays[k]) for k in keys[:3])
    if shape is None:
        stored = np.asarray(arrays[f"{name}_shape"])
        if stored.shape != (2,) or stored.dtype.kind not in "iu" or (stored < 0).any():
            raise SparseArraysError(f"sparse matrix {name!r}: shape {stored!r} is not two sizes")
        shape = (int(stored[0]), int(stored[1]))
    kinds = "fiu" if integers else "f"
    if (
        data.dtype.kind not in kinds
        or indices.dtype.kind not in "iu"
        or indptr.dtype.kind not in "iu"
    ):
        raise SparseArraysError(
            f"sparse matrix {name!r}: data, indices and indptr are {data.dtype}, "
            f"{indices.dtype} and {indptr.dtype}; expected {'number' if integers else 'float'} "
            "and two integer arrays"
        )
    if integers and data.dtype.kind == "f" and not np.array_equal(data, np.rint(data)):
        raise SparseArraysError(f"sparse matrix {name!r}: its data are not whole numbers")
    if indptr.ndim == 1 and len(indptr) and indptr[-1] != len(indices):
        # scipy would silently drop the entries beyond indptr[-1] (its check_format prunes)
        raise SparseArraysError(
            f"sparse matrix {name!r}: indptr ends at {indptr[-1]} but there are "
            f"{len(indices)} indices"
        )
    try:
        # integers as stored (int32 unless a value needed int64); old float files' as int32
        dtype = (np.int32 if data.dtype.kind == "f" else data.dtype) if integers else np.float32
        m = sp.csr_matrix((data, indices, indptr), shape=shape, dtype=dtype)
        m.check_format(full_check=True)  # column indices in range, indptr non-decreasing
    except ValueError as err:
        raise SparseArraysError(f"sparse matrix {name!r}: {err}") from err
    return m
