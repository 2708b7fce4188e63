"""Row order and row selection on Arrow tables of dataset rows, with integer keys only.

Sorting or hashing millions of ID strings is what made imports slow; every function here
works on dictionary codes (``pyarrow.compute.dictionary_encode``) and int64 timestamps.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse

PIECE_ROWS = 500_000  # rows of a slice worth hashing on a core of its own


def dictionary_codes(column: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """``column`` as one dictionary array and its int codes (equal strings, equal codes).

    A column that is already dictionary-encoded must have distinct dictionary values in each
    chunk, as ``dictionary_encode`` makes them.
    """
    if isinstance(column, pa.ChunkedArray):
        if pa.types.is_dictionary(column.type) and column.num_chunks and _one_dictionary(column):
            # the chunks' codes joined under their one dictionary: joining the chunks copied
            # the dictionary too, and even a single chunk
            column = _joined_codes(column.chunks)
        else:
            if pa.types.is_dictionary(column.type):
                column = column.unify_dictionaries()
            column = column.combine_chunks()
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    return column, column.indices.to_numpy(zero_copy_only=False)


def _one_dictionary(column: pa.ChunkedArray) -> bool:
    """Whether every chunk has the same dictionary (as the parts of one table taken apart by
    ``take`` or ``slice`` do): then their codes agree and no unification, which hashes every
    chunk's dictionary, is needed."""
    chunks = column.chunks
    return all(c.dictionary.equals(chunks[0].dictionary) for c in chunks[1:])


def dictionary_encode(
    column: pa.Array | pa.ChunkedArray, pieces: int, *, runs: bool = False, few: bool = False
) -> pa.DictionaryArray:
    """``pyarrow.compute.dictionary_encode(column)`` (the same dictionary, in order of first
    appearance, and the same codes) as one array, hashed as ``pieces`` slices at once.

    Hashing millions of ID strings is the costliest step of an Interactions import after the
    parse (1.0 s of CPU for 6,000,000 USER_IDs); pyarrow's kernel runs on one core. The slices'
    dictionaries are unified in slice order, so a value first seen in a later slice comes after
    every value of the earlier ones, as in one pass. A column shorter than ``PIECE_ROWS`` a
    slice is hashed in one piece. A chunked column (the parse's chunks) is read chunk by chunk,
    never joined into one copy.

    With ``runs``, a value repeated on neighbouring rows (a user's rows often follow one
    another) is hashed once per run (``pyarrow.compute.run_end_encode``) and its code repeated:
    the seed shop's 3,000,000 USER_IDs are 500,000 runs. Worth it for values that are many and
    come in runs; a column of few values (an event type) hashes as fast as its runs are found.
    A run that crosses from one chunk to the next counts as two.

    With ``few``, for a column of few distinct values (an event type), the strings are hashed
    as they are, in one pass over the chunks: its hash table stays in the cache, so hashing
    them as words (``_short_words``) saves nothing and its copies of the column (150 MB of
    fresh memory for 6,000,000 event types) cost more than the hashing.
    """
    if few:
        return _one_array(pc.dictionary_encode(column))
    if runs and column.null_count == 0 and len(column) > 1:
        encoded_runs = _chunks(pc.run_end_encode(column))
        values = pa.chunked_array([c.values for c in encoded_runs], column.type)
        if len(values) < len(column) * 0.9:
            encoded = _encode_slices(values, pieces)
            lengths = np.concatenate(
                [np.diff(c.run_ends.to_numpy(), prepend=0) for c in encoded_runs]
            )
            codes = np.repeat(encoded.indices.to_numpy(), lengths)
            return pa.DictionaryArray.from_arrays(pa.array(codes), encoded.dictionary)
    return _encode_slices(column, pieces)


def _chunks(column: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    """The arrays of ``column``: its chunks, or itself."""
    return column.chunks if isinstance(column, pa.ChunkedArray) else [column]


def _one_array(encoded: pa.DictionaryArray | pa.ChunkedArray) -> pa.DictionaryArray:
    """``pyarrow.compute.dictionary_encode`` of a chunked column as one array: every chunk
    holds the same, whole dictionary (one hash table runs over the chunks), so their codes
    are joined under it without unifying the dictionaries again."""
    if not isinstance(encoded, pa.ChunkedArray):
        return encoded
    chunks = encoded.chunks
    if not chunks:
        return pc.dictionary_encode(pa.array([], encoded.type.value_type))
    return _joined_codes(chunks)


def _joined_codes(chunks: list[pa.DictionaryArray]) -> pa.DictionaryArray:
    """Chunks whose codes all index the last chunk's dictionary, as one array over it (one
    chunk as it is)."""
    if len(chunks) == 1:
        return chunks[0]
    indices = pa.concat_arrays([c.indices for c in chunks])
    return pa.DictionaryArray.from_arrays(indices, chunks[-1].dictionary)


def _encode_slices(column: pa.Array | pa.ChunkedArray, pieces: int) -> pa.DictionaryArray:
    """``dictionary_encode`` of every row, as ``pieces`` slices at once; values of at most 8
    bytes are hashed as the integers of their bytes (``_short_words``), a third of the time
    of hashing them as strings, and the dictionary is then each code's first value."""
    words = _short_words(column)
    keys = column if words is None else pa.array(words)
    n = len(keys)
    pieces = max(1, min(pieces, n // PIECE_ROWS))
    if pieces < 2:
        encoded = _one_array(pc.dictionary_encode(keys))
    else:
        cuts = [n * k // pieces for k in range(pieces + 1)]
        slices = [keys.slice(a, b - a) for a, b in itertools.pairwise(cuts)]

        def encode(part: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
            return _one_array(pc.dictionary_encode(part))

        with ThreadPoolExecutor(max_workers=pieces) as pool:  # the kernel releases the GIL
            parts = list(pool.map(encode, slices))
        encoded = pa.chunked_array(parts).unify_dictionaries().combine_chunks()
    if words is None:
        return encoded
    codes = encoded.indices
    first = take_ascending(column, _first_rows(codes.to_numpy()))
    return pa.DictionaryArray.from_arrays(codes, first)


def take_ascending(column: pa.Array | pa.ChunkedArray, rows: np.ndarray) -> pa.Array:
    """``column.take(rows)`` as one array, for ascending ``rows``, chunk by chunk.

    pyarrow's take of a chunked column joins all its chunks first, a copy of the whole column
    in fresh memory (the 3,500,000 run values of 6,000,000 USER_IDs, to take 300,000 of them);
    ascending rows fall in the chunks in order, so each chunk gives its own.
    """
    if not isinstance(column, pa.ChunkedArray):
        return column.take(pa.array(rows))
    ends = np.cumsum([len(chunk) for chunk in column.chunks])
    stops = np.searchsorted(rows, ends)  # rows[start:stop] fall in that chunk
    parts, start, offset = [], 0, 0
    for chunk, end, stop in zip(column.chunks, ends.tolist(), stops.tolist(), strict=True):
        if stop > start:
            parts.append(chunk.take(pa.array(rows[start:stop] - offset)))
        start, offset = stop, end
    return pa.concat_arrays(parts) if parts else pa.array([], column.type)


# the low ``k`` bytes of a word, for values of ``k`` bytes (k = 0..8)
_BYTE_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)


def _short_words(column: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """Each value's bytes as one little-endian uint64 (zero above its length), when every
    value has at most 8 bytes and none ends with a zero byte (then equal words are equal
    values: a shorter value's missing bytes are zeros, which no value ends with); else None.

    Short IDs ("u103420", numbers of up to 8 digits) are the common case; a string column
    without nulls only (an import's IDs and event types), one array or chunks.
    """
    if not pa.types.is_string(column.type) or column.null_count or len(column) == 0:
        return None
    words = []
    for chunk in _chunks(column):
        if len(chunk) == 0:
            continue
        found = _chunk_words(chunk)
        if found is None:
            return None
        words.append(found)
    return np.concatenate(words) if len(words) > 1 else words[0]


def _chunk_words(column: pa.Array) -> np.ndarray | None:
    """``_short_words`` of one non-empty string array without nulls."""
    n = len(column)
    offsets = np.frombuffer(column.buffers()[1], np.int32, n + 1, column.offset * 4)
    sizes = np.diff(offsets)
    if int(sizes.max()) > 8:
        return None
    start, end = int(offsets[0]), int(offsets[-1])
    data = np.zeros(end - start + 8, np.uint8)  # room to read 8 bytes from the last value
    data[: end - start] = np.frombuffer(column.buffers()[2], np.uint8, end - start, start)
    starts = offsets[:-1] - start
    filled = sizes > 0
    if (data[(starts + sizes - 1)[filled]] == 0).any():
        return None
    # every 8-byte window of the data, as a word: a (strided, unaligned) view, no copy
    windows = np.ndarray((end - start + 1,), dtype="<u8", buffer=data, strides=(1,))
    words = windows[starts]
    words &= _BYTE_MASKS[sizes]
    return words


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """The row where each code first appears, for codes numbered in order of first
    appearance (as ``dictionary_encode`` numbers them): the rows that raise the running
    maximum."""
    highest = np.maximum.accumulate(codes)
    new = np.empty(len(codes), dtype=bool)
    new[:1] = True
    np.greater(highest[1:], highest[:-1], out=new[1:])
    return np.flatnonzero(new)


def by_user_then_time(users: np.ndarray, timestamps: np.ndarray) -> np.ndarray:
    """The stable row order that puts each user's rows together, oldest first.

    Args:
        users: int codes of USER_ID (any order; users are grouped, not sorted by name).
        timestamps: int64 epoch seconds, same length.

    Returns:
        Row indices (an integer array); rows with equal user and time keep their order.
    """
    key = _user_time_key(users, timestamps)
    if key is None:
        return np.lexsort((timestamps, users))
    return _key_order(users, key)


def grouped_by_code(codes: np.ndarray) -> np.ndarray:
    """The stable order that groups equal codes, codes ascending: ``np.argsort(codes,
    kind="stable")``, as a counting sort in O(rows + codes) instead of a comparison sort.

    Args:
        codes: non-negative ints (dictionary codes), any order.

    Returns:
        Row indices (int32 below 2**31 rows); rows of one code keep their order.

    The counting sort is scipy's conversion of (code, row) pairs to a compressed sparse row
    matrix: each code's row holds the rows' indices, and a CSR matrix in canonical form
    (``sort_indices``, a check when they are sorted already) has them ascending. The pairs are
    given as 32-bit ints where they fit and codes that start at 0 are not shifted: each 64-bit
    or shifted copy of a column of millions was fresh memory (0.24 s of CPU for 6,000,000
    rows, 0.16 s without them).
    """
    return _grouped_with_ends(codes)[0]


def _grouped_with_ends(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``grouped_by_code(codes)`` and, for each code from the lowest to the highest, where
    its rows end in that order (the CSR matrix's row pointers: the counting sort counted
    them, so a ``np.bincount`` of the codes, a 64-bit copy of them, is not needed)."""
    n = len(codes)
    index = np.int32 if n < 2**31 else np.int64
    if n == 0:
        return np.empty(0, index), np.empty(0, index)
    low = int(codes.min())
    pairs = scipy.sparse.coo_array(
        (np.ones(n, np.int8), (codes - low if low else codes, np.arange(n, dtype=index))),
        shape=(int(codes.max()) - low + 1, n),
    )
    matrix = pairs.tocsr()
    matrix.sort_indices()
    return matrix.indices, matrix.indptr[1:]


def _key_order(users: np.ndarray, key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, kind="stable")`` for a ``_user_time_key``: the rows are grouped by
    user first (``grouped_by_code``), after which the key is out of order only within a user,
    in short runs that the stable sort (timsort) merges in about half the time of sorting the
    rows as they come (0.29 s of CPU instead of 0.55 s for 6,000,000 interactions). Rows of
    equal key keep file order: the grouping keeps it and so does the stable sort."""
    grouped = grouped_by_code(users)
    return grouped[np.argsort(key[grouped], kind="stable")]


def _user_time_key(users: np.ndarray, timestamps: np.ndarray) -> np.ndarray | None:
    """One int64 per row that orders rows by (user, time), or None if the two do not fit.

    Sorting one key is about three times faster than lexsort's two passes.
    """
    keys = user_time_keys(users, timestamps)
    return None if keys is None else keys.key


@dataclass(frozen=True)
class UserTimeKeys:
    """One int64 per row, ``user << bits | (time - low)``: ordered as the rows' (user, time),
    and each row's time is ``(key & (2**bits - 1)) + low`` again."""

    key: np.ndarray
    low: int
    bits: int

    def times(self, key: np.ndarray) -> np.ndarray:
        """The times of ``key`` (some of ``self.key``'s values), computed in place in it."""
        key &= (1 << self.bits) - 1
        key += self.low
        return key


def user_time_keys(
    users: np.ndarray, timestamps: np.ndarray | pa.Array | pa.ChunkedArray
) -> UserTimeKeys | None:
    """The rows' ``UserTimeKeys``, or None if users and times do not fit in 62 bits.

    Args:
        users: int codes of USER_ID.
        timestamps: int64 epoch seconds without nulls, an array or the parse's chunks (added
            chunk by chunk: a joined copy of them would be fresh memory).
    """
    if len(users) == 0:
        return UserTimeKeys(np.empty(0, np.int64), 0, 0)
    if isinstance(timestamps, np.ndarray):
        low, high = int(timestamps.min()), int(timestamps.max())
    else:
        bounds = pc.min_max(timestamps).as_py()
        low, high = bounds["min"], bounds["max"]
    span_bits = (high - low).bit_length()
    if span_bits + int(users.max()).bit_length() > 62:
        return None
    key = users.astype(np.int64)  # in place from here: each temporary is 8 bytes a row
    key <<= span_bits
    start = 0
    for chunk in _chunks(timestamps) if not isinstance(timestamps, np.ndarray) else [timestamps]:
        values = chunk if isinstance(chunk, np.ndarray) else chunk.to_numpy()
        key[start : start + len(values)] += values
        start += len(values)
    key -= low
    return UserTimeKeys(key, low, span_bits)


def is_grouped_by_user(users: np.ndarray, timestamps: np.ndarray) -> bool:
    """Whether rows already come in ``by_user_then_time`` order (codes ascending)."""
    if len(users) < 2:
        return True
    step = np.diff(users)
    return bool((step >= 0).all() and (np.diff(timestamps)[step == 0] >= 0).all())


def user_parts(users: np.ndarray, parts: int) -> list[np.ndarray]:
    """The rows grouped by user (``grouped_by_code``: codes ascending, file order within a
    user), cut into about ``parts`` runs of whole users of about as many rows each.

    Each run sorted by ``first_interactions_by_user`` and the runs put one after the other
    give the order that sorting every row would give, so the runs can be sorted at once. The
    rows are grouped once for all runs: cutting the file's rows into ranges of users first
    cost a pass over every row per range and a copy of each range's users and times.
    """
    grouped, ends = _grouped_with_ends(users)  # ends: where each code's rows end in it
    n = len(grouped)
    if parts < 2 or n < 2:
        return [grouped]
    # each cut moves back to the start of the user whose rows it falls in
    at = np.searchsorted(ends, n * np.arange(1, parts) // parts, side="right")
    cuts = np.unique(np.r_[0, ends][at])
    cuts = cuts[(cuts > 0) & (cuts < n)]
    bounds = [0, *cuts.tolist(), n]
    return [grouped[a:b] for a, b in itertools.pairwise(bounds)]


def first_interactions_by_user(
    users: np.ndarray,
    items: pa.Array | pa.ChunkedArray,
    timestamps: np.ndarray,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Row indices grouping each user's rows oldest first, without the rows that repeat an
    earlier row's (USER_ID, ITEM_ID, TIMESTAMP) (Personalize keeps the first).

    Only rows sharing a user and a time with another row are compared by item, so a file
    without such rows costs one integer sort.

    Args:
        users: int codes of USER_ID.
        items: the ITEM_ID column (strings).
        timestamps: int64 epoch seconds.
        rows: only these rows, already grouped by user (one of ``user_parts``: every row of
            each of their users, codes ascending, file order within a user); None for every
            row.
    """
    if rows is None:
        rows = grouped_by_code(users)
    # the rows are grouped: a stable sort by (user, time) orders each user's rows by time and
    # keeps the users in the grouped order (codes ascending), ties in file order
    users, timestamps = users[rows], timestamps[rows]
    key = _user_time_key(users, timestamps)
    if key is None:  # times too far apart to share one integer with the users: two keys
        local = np.lexsort((timestamps, users))
        users, timestamps = users[local], timestamps[local]
        same = (users[1:] == users[:-1]) & (timestamps[1:] == timestamps[:-1])
    else:
        local = np.argsort(key, kind="stable")
        key = key[local]
        same = key[1:] == key[:-1]  # same[k]: sorted rows k and k+1 share user and time
    order = rows[local]
    repeated = _repeated(order, same, items)
    return order if repeated is None else order[~repeated]


def first_interactions_keyed(
    keys: UserTimeKeys, items: pa.Array | pa.ChunkedArray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``first_interactions_by_user`` of ``rows`` (grouped by user, as there) with the rows'
    ``keys``, and the kept rows' times in that order.

    The times come out of the sorted keys, in place: a gather of the TIMESTAMP column in the
    new order (and a joined copy of its chunks) is not needed.
    """
    key = keys.key[rows]
    # grouped rows: the stable sort orders each user's rows by time, users in grouped order
    local = np.argsort(key, kind="stable")
    key = key[local]
    order = rows[local]
    repeated = _repeated(order, key[1:] == key[:-1], items)
    if repeated is not None:
        order, key = order[~repeated], key[~repeated]
    return order, keys.times(key)


def _repeated(
    order: np.ndarray, same: np.ndarray, items: pa.Array | pa.ChunkedArray
) -> np.ndarray | None:
    """Which of the rows ``order`` (sorted by user and time) repeat an earlier row's item at
    the same user and time (Personalize keeps the first), or None when no two rows share a
    user and a time. ``same[k]``: rows k and k + 1 share user and time."""
    if not same.any():
        return None
    shared = np.flatnonzero(np.r_[same, False] | np.r_[False, same])
    run = np.cumsum(~np.r_[False, same][shared])  # which tie each shared row belongs to
    candidates = pd.DataFrame(
        {
            "run": run,
            "item": items.take(pa.array(order[shared])).to_numpy(zero_copy_only=False),
        }
    )
    repeated = np.zeros(len(order), dtype=bool)
    # Within a tie, rows keep file order (the sort is stable): the first one stays.
    repeated[shared[candidates.duplicated(keep="first").to_numpy()]] = True
    return repeated


def last_per_key(column: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """Mask keeping the last row of each value of ``column``, or None if all are distinct.

    A string column is sorted, not hashed: Items and Users IDs are nearly all distinct, and
    hashing millions of distinct strings (``dictionary_encode``) took 2.8 s of CPU on the
    5,000,000 items of the ×10 seed shop, most of its import, where the stable sort and the
    comparison of neighbours take a fraction of that. Dictionary columns use their codes.
    """
    if isinstance(column, pa.ChunkedArray):
        if pa.types.is_dictionary(column.type):
            column = column.unify_dictionaries()
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        return _last_per_code(column.indices.to_numpy(zero_copy_only=False))
    n = len(column)
    if n < 2:
        return None
    order = pc.sort_indices(column)  # stable: equal values keep file order
    ordered = column.take(order)
    same = pc.equal(ordered.slice(1), ordered.slice(0, n - 1))
    repeats = np.asarray(pc.fill_null(same, False), dtype=bool)  # k: rows k, k + 1 equal
    if not repeats.any():
        return None
    keep = np.zeros(n, dtype=bool)
    # the last row of each run of equal values is the last one in file order
    keep[order.to_numpy()[np.r_[~repeats, True]]] = True
    return keep


def _last_per_code(codes: np.ndarray) -> np.ndarray | None:
    """``last_per_key`` over integer codes (equal values, equal codes)."""
    if len(codes) == 0 or len(np.unique(codes)) == len(codes):
        return None
    # The first occurrence in the reversed codes is the last one in file order.
    _, first_reversed = np.unique(codes[::-1], return_index=True)
    keep = np.zeros(len(codes), dtype=bool)
    keep[len(codes) - 1 - first_reversed] = True
    return keep
