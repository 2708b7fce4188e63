"""A large Interactions file is checked, dictionary-encoded, sorted and gathered on every core
(services/local/data/imports/importer.py, rows.py): the table is the one a single core makes, and
the one an independent computation with pandas expects (repeated (USER_ID, ITEM_ID, TIMESTAMP) rows
dropped keeping the first, each user's rows together oldest first, users in order of first
appearance); a file with several bad columns is refused for the first in schema order."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from services.local.data.imports import importer, rows
from services.local.data.imports.import_columns import ImportFailed
from services.local.data.imports.importer import read_dataset_csv
from services.local.data.schemas import parse_schema
from tests.local.workspace import interactions_schema

SCHEMA = parse_schema(interactions_schema({"name": "EVENT_VALUE", "type": ["null", "float"]}))


def _frame(n: int = 4000, seed: int = 3) -> pd.DataFrame:
    """Skewed users (one holds a fifth of the rows) with Hangul and quoted-comma IDs, times
    in no order with many ties, whole rows repeated, and ties of user and time with other
    items (kept: only a repeated item is dropped)."""
    rng = np.random.default_rng(seed)
    names = [f"사용자{k}" if k % 3 else f'u,"{k}"' for k in range(300)]
    users = np.where(rng.random(n) < 0.2, 0, rng.integers(0, 300, n))
    frame = pd.DataFrame(
        {
            "USER_ID": [names[u] for u in users],
            "ITEM_ID": [f"상품{k}" for k in rng.integers(0, 40, n)],
            "TIMESTAMP": rng.integers(1_700_000_000, 1_700_000_030, n),
            "EVENT_TYPE": rng.choice(["View", "클릭", "Add,Cart"], n),
            "EVENT_VALUE": np.where(rng.random(n) < 0.5, np.nan, rng.random(n).round(3)),
        }
    )
    repeats = frame.sample(n // 10, random_state=seed)  # whole rows again, later in the file
    return pd.concat([frame, repeats], ignore_index=True)


def _write(frame: pd.DataFrame, path: Path) -> Path:
    out = io.StringIO()
    frame.to_csv(out, index=False, quoting=csv.QUOTE_NONNUMERIC, na_rep="")
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _cores(monkeypatch: pytest.MonkeyPatch, cores: int) -> None:
    monkeypatch.setattr(importer, "_cores", lambda: cores)
    monkeypatch.setattr(importer, "PIECE_ROWS", 100)
    monkeypatch.setattr(rows, "PIECE_ROWS", 100)


@pytest.mark.parametrize("cores", [2, 3, 8])
def test_every_core_makes_the_table_one_core_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cores: int
) -> None:
    frame = _frame()
    path = _write(frame, tmp_path / "interactions.csv")
    _cores(monkeypatch, 1)
    one = read_dataset_csv(path, SCHEMA, "Interactions")
    _cores(monkeypatch, cores)
    many = read_dataset_csv(path, SCHEMA, "Interactions")
    # sorted and gathered in parts of whole users (a user holding a fifth of the rows may
    # leave one part fewer than asked)
    assert cores - 1 <= many.table.column("USER_ID").num_chunks <= cores
    assert many.table.combine_chunks().equals(one.table.combine_chunks())
    assert (many.rows_read, many.duplicates_dropped) == (one.rows_read, one.duplicates_dropped)

    # what pandas makes of the same rows, computed without the importer's code
    expected = frame.drop_duplicates(["USER_ID", "ITEM_ID", "TIMESTAMP"], keep="first")
    first_seen = {u: k for k, u in enumerate(dict.fromkeys(frame["USER_ID"]))}
    expected = expected.assign(code=expected["USER_ID"].map(first_seen)).sort_values(
        ["code", "TIMESTAMP"], kind="stable"
    )
    got = many.table.to_pandas()
    assert many.duplicates_dropped == len(frame) - len(expected) >= 400
    for name in ("USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"):
        assert got[name].astype(object).tolist() == expected[name].tolist(), name
    assert np.allclose(got["EVENT_VALUE"], expected["EVENT_VALUE"], equal_nan=True)


def test_the_first_bad_column_in_schema_order_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad TIMESTAMP in an early row and an empty USER_ID in a later one: the USER_ID is
    named (the schema's first column), whichever core finishes first."""
    frame = _frame(n=1000).astype({"TIMESTAMP": str})
    frame.loc[3, "TIMESTAMP"] = "1.7e9"
    frame.loc[700, "USER_ID"] = ""
    path = _write(frame, tmp_path / "bad.csv")
    messages = set()
    for cores in (1, 4):
        _cores(monkeypatch, cores)
        with pytest.raises(ImportFailed) as err:
            read_dataset_csv(path, SCHEMA, "Interactions")
        messages.add(str(err.value))
    assert messages == {
        "data row 701 (line 702), column USER_ID: empty value, but an ID is required"
    }


@pytest.mark.parametrize("pieces", [2, 3, 7])
def test_dictionary_encode_in_pieces_is_one_pass(
    monkeypatch: pytest.MonkeyPatch, pieces: int
) -> None:
    monkeypatch.setattr(rows, "PIECE_ROWS", 10)
    # values first seen late: the last slice brings new ones after every earlier value
    values = pa.array([f"v{k % 17}" for k in range(90)] + [f"w{k}" for k in range(30)] + ["v3"])
    got = rows.dictionary_encode(values, pieces)
    assert got.equals(pc.dictionary_encode(values))
    assert got.dictionary.to_pylist() == list(dict.fromkeys(values.to_pylist()))


@pytest.mark.parametrize("pieces", [1, 2, 3])
def test_dictionary_encode_by_runs_is_one_pass(
    monkeypatch: pytest.MonkeyPatch, pieces: int
) -> None:
    """Values in runs of neighbours (a user's rows), hashed once a run: the dictionary and the
    codes of one pass over every row, with Hangul, long and repeated-later values, and a
    column without runs (read row by row)."""
    monkeypatch.setattr(rows, "PIECE_ROWS", 5)
    rng = np.random.default_rng(5)
    names = ["사용자", "u,1", "x" * 300, "", "u2", "사용자 "]
    lengths = rng.integers(1, 6, 60)
    values = pa.array([names[k % 6] + str(k % 11) for k in range(60) for _ in range(lengths[k])])
    for column in (values, values.slice(3), pa.array(["a", "b", "a", "c"])):
        got = rows.dictionary_encode(column, pieces, runs=True)
        assert got.equals(pc.dictionary_encode(column))
        assert got.dictionary.to_pylist() == list(dict.fromkeys(column.to_pylist()))
        assert got.to_pylist() == column.to_pylist()


@pytest.mark.parametrize("pieces", [1, 3])
def test_short_values_hash_as_words_and_encode_as_strings(
    monkeypatch: pytest.MonkeyPatch, pieces: int
) -> None:
    """Values of up to 8 bytes are hashed as the integers of their bytes: the same dictionary
    and codes as hashing the strings, for values of 0 to 8 bytes (Hangul: 3 a character), a
    value that is another's prefix, and a slice; a value ending with a zero byte, which would
    read as the same word as its prefix, or one of 9 bytes is hashed as a string."""
    monkeypatch.setattr(rows, "PIECE_ROWS", 4)
    rng = np.random.default_rng(9)
    names = ["", "a", "ab", "12345678", "1234567", "가", "가나", "u,1", "8bytes!!"]
    values = pa.array([names[k] for k in rng.integers(0, len(names), 50)])
    assert rows._short_words(values) is not None
    for column in (values, values.slice(7), pa.array(["a\x00", "a"]), pa.array(["x" * 9, "x"])):
        got = rows.dictionary_encode(column, pieces)
        assert got.equals(pc.dictionary_encode(column))
        assert got.to_pylist() == column.to_pylist()
    assert rows._short_words(pa.array(["a\x00", "a"])) is None
    assert rows._short_words(pa.array(["x" * 9, "x"])) is None
    words = rows._short_words(pa.array(["ab", "a", "b"]))
    assert words is not None and words.tolist() == [0x6261, 0x61, 0x62]  # little-endian bytes


def test_user_parts_hold_whole_users_in_code_order() -> None:
    """The grouped rows cut into runs of whole users: the runs one after the other are the
    stable sort by code, and no user is in two runs, whatever the skew (one user holding most
    rows) or the number of runs asked for."""
    users = np.array([5, 0, 1, 5, 2, 0, 3, 4, 4, 1, 0, 2, 5, 5])
    skewed = np.array([3] * 30 + [0, 1, 2, 4, 4])
    high = users + 7  # no code below 7 (the counting sort counts from the lowest)
    cases = ((users, 3), (users, 2), (users, 20), (skewed, 2), (skewed, 4), (high, 3))
    for column, parts in cases:
        runs = rows.user_parts(column, parts)
        assert 2 <= len(runs) <= parts
        assert np.array_equal(np.concatenate(runs), np.argsort(column, kind="stable"))
        seen = [column[r] for r in runs]
        for earlier, later in zip(seen, seen[1:], strict=False):
            assert earlier.max() < later.min()  # whole users, ascending codes
    assert [r.tolist() for r in rows.user_parts(users, 1)] == [
        np.argsort(users, kind="stable").tolist()
    ]


def test_take_of_ascending_rows_chunk_by_chunk_is_pyarrows_take() -> None:
    """``take_ascending`` of a chunked column (empty chunks among them, Hangul values) is
    pyarrow's own take of the same rows, as one array: rows in the first, the last and in no
    chunk at all, every row, and none."""
    values = [f"사용자{k}" for k in range(40)]
    sizes = [0, 7, 1, 0, 12, 20, 0]  # sum 40
    starts = np.cumsum([0, *sizes])
    column = pa.chunked_array(
        [pa.array(values[a:b], pa.string()) for a, b in zip(starts, starts[1:], strict=False)],
        pa.string(),
    )
    rng = np.random.default_rng(3)
    cases = [np.arange(40), np.array([], np.int64), np.array([0, 39]), np.array([7, 8, 19])]
    cases += [np.sort(rng.choice(40, size, replace=False)) for size in (1, 5, 23)]
    for taken in cases:
        got = rows.take_ascending(column, taken)
        assert isinstance(got, pa.Array) and got.type == pa.string()
        assert got.to_pylist() == [values[k] for k in taken]  # by hand from the list
        assert got.equals(column.take(pa.array(taken, pa.int64())).combine_chunks())


def test_limits_count_characters_not_bytes(tmp_path: Path) -> None:
    """Lengths are measured in bytes first and in characters only past a limit: Hangul takes
    three bytes a character, so 256 of them (768 bytes) are an ID within the limit, 257 are
    refused with their count in characters; the same for a categorical value (1,000)."""
    head = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n"
    ok = _write_text(tmp_path / "ok.csv", head + f"u1,{'가' * 256},1700000000,View\n")
    got = read_dataset_csv(ok, SCHEMA, "Interactions").table.column("ITEM_ID")
    assert got.to_pylist() == ["가" * 256]
    bad = _write_text(tmp_path / "bad.csv", head + f"u1,i1,1,View\nu2,{'가' * 257},1,View\n")
    with pytest.raises(ImportFailed) as err:
        read_dataset_csv(bad, SCHEMA, "Interactions")
    assert str(err.value).startswith(
        "data row 2 (line 3), column ITEM_ID: value is 257 characters long; IDs are limited to 256"
    )
    items = parse_schema(
        '{"type": "record", "name": "Items", "fields": [{"name": "ITEM_ID", "type": "string"}, '
        '{"name": "GENRES", "type": "string", "categorical": true}]}'
    )
    fits = _write_text(tmp_path / "fits.csv", f"ITEM_ID,GENRES\ni1,{'장' * 1000}|{'르' * 900}\n")
    assert read_dataset_csv(fits, items, "Items").table.num_rows == 1
    over = _write_text(tmp_path / "over.csv", f"ITEM_ID,GENRES\ni1,a\ni2,b|{'장' * 1001}\n")
    with pytest.raises(ImportFailed) as err:
        read_dataset_csv(over, items, "Items")
    assert str(err.value) == (
        "data row 2 (line 3), column GENRES: a categorical value is 1001 characters long; "
        "the limit is 1000 per value"
    )


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_grouping_by_counting_sort_is_the_stable_sort() -> None:
    """Users grouped by a counting sort, then sorted by time within each: the order numpy's
    stable sorts give (ties of user and time keep file order), whatever the codes' offset."""
    rng = np.random.default_rng(7)
    for n, n_users in ((0, 1), (1, 1), (9, 2), (5000, 40), (5000, 4000)):
        users = rng.integers(0, n_users, n) + 3  # codes not starting at 0, as a range's
        times = rng.integers(1_700_000_000, 1_700_000_020, n)  # many ties
        assert np.array_equal(rows.grouped_by_code(users), np.argsort(users, kind="stable"))
        expected = np.lexsort((times, users))  # stable: ties keep file order
        assert np.array_equal(rows.by_user_then_time(users, times), expected)
