"""The import checks and hashes the parse's chunks as they come
(services/local/data/imports/importer.py, import_columns.py, rows.py), never joining a column
into one copy first: a file of several chunks (pyarrow's read blocks of 1 MiB, or of 64 KiB,
parsed on several cores, and the pieces of a quoted file) is refused for a bad value in a late
chunk with the row and the line a one-chunk read names, and a good one gives the table an
independent computation (pandas) expects. Line numbers are counted by hand while the file is
written: quoted values with line breaks put the lines ahead of the rows."""

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
HEADER = ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"]
ROWS = 30_000  # about 1.3 MiB: two read blocks of 1 MiB, twenty of 64 KiB


def _rows(rows_: int = ROWS) -> list[list[str]]:
    """Hangul and quoted-comma IDs, users in runs that cross the read blocks, repeated rows,
    and event types of which one in 500 spans two lines."""
    rng = np.random.default_rng(11)
    out = []
    for k in range(rows_):
        user = f"사용자{k // 7 % 900}" if k % 5 else f'u,"{k // 7 % 300}"'
        event = "클릭\n두 줄" if k % 500 == 3 else ["View", "AddToCart", "구매"][k % 3]
        when = str(1_700_000_000 + int(rng.integers(0, 40)))
        value = "" if k % 4 else f"{k % 10}.5"
        out.append([user, f"상품{int(rng.integers(0, 3000))}", when, event, value])
    out[-1] = out[-2]  # a repeated row at the very end
    return out


def _write(path: Path, records: list[list[str]]) -> tuple[Path, list[int]]:
    """The CSV (every value quoted) and the file line each data row starts on."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(HEADER)
    lines, line = [], 2
    for record in records:
        lines.append(line)
        writer.writerow(record)
        line += 1 + sum(value.count("\n") for value in record)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path, lines


def _read_as(way: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read in pyarrow's blocks of 1 MiB, or of 64 KiB (many blocks, so many boundaries), or
    in pieces on 3 cores."""
    if way == "small blocks":
        monkeypatch.setattr(importer, "_BLOCK_BYTES", 64 << 10)
    if way == "pieces":
        monkeypatch.setattr(importer, "PARALLEL_PARSE_BYTES", 1024)
        monkeypatch.setattr(importer, "_cores", lambda: 3)


@pytest.mark.parametrize("way", ["1 MiB blocks", "small blocks", "pieces"])
def test_the_file_is_read_in_several_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    """The premise of the tests below: the parse gives every column in several chunks."""
    path, _ = _write(tmp_path / "good.csv", _rows())
    _read_as(way, monkeypatch)
    with pa.OSFile(str(path)) as source:
        parsed = importer._parse(source, HEADER, importer._Locator(source), quoted=True)
    assert parsed.num_rows == ROWS
    assert all(parsed.column(name).num_chunks >= 2 for name in HEADER)


@pytest.mark.parametrize("way", ["1 MiB blocks", "small blocks", "pieces"])
def test_a_good_file_of_many_chunks_is_the_table_pandas_expects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    records = _rows()
    path, _ = _write(tmp_path / "good.csv", records)
    _read_as(way, monkeypatch)
    got = read_dataset_csv(path, SCHEMA, "Interactions")

    frame = pd.DataFrame(records, columns=HEADER)
    frame["TIMESTAMP"] = frame["TIMESTAMP"].astype(np.int64)
    frame["EVENT_VALUE"] = pd.to_numeric(frame["EVENT_VALUE"].replace("", np.nan))
    expected = frame.drop_duplicates(["USER_ID", "ITEM_ID", "TIMESTAMP"], keep="first")
    first_seen = {u: k for k, u in enumerate(dict.fromkeys(frame["USER_ID"]))}
    expected = expected.assign(code=expected["USER_ID"].map(first_seen)).sort_values(
        ["code", "TIMESTAMP"], kind="stable"
    )
    table = got.table
    assert (got.rows_read, got.duplicates_dropped) == (ROWS, ROWS - len(expected))
    assert got.duplicates_dropped >= 1
    for name in ("USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"):
        assert table.column(name).to_pylist() == expected[name].tolist(), name
    assert np.allclose(
        table.column("EVENT_VALUE").to_numpy(zero_copy_only=False),
        expected["EVENT_VALUE"].to_numpy(),
        equal_nan=True,
    )
    # users numbered in order of first appearance, the dictionary holding each once
    assert table.column("USER_ID").combine_chunks().dictionary.to_pylist() == list(first_seen)


# (column, bad value, the message after "data row N (line L), column C: ")
BAD = [
    ("TIMESTAMP", "1.7e9", "'1.7e9' is not an integer number of seconds"),
    (
        "TIMESTAMP",
        "1700000000000",
        "1700000000000 looks like milliseconds; Personalize needs epoch seconds",
    ),
    ("TIMESTAMP", "-5", "-5 is negative; timestamps are epoch seconds since 1970"),
    ("ITEM_ID", "", "empty value, but an ID is required"),
    (
        "USER_ID",
        "가" * 257,
        "value is 257 characters long; IDs are limited to 256 ('" + "가" * 40 + "…')",
    ),
    ("EVENT_VALUE", "1,5", "'1,5' is not a number; use '.' as the decimal separator"),
    (
        "EVENT_VALUE",
        "1e39",
        "'1e39' is out of range for type float (32-bit); declare the field as double",
    ),
]


@pytest.mark.parametrize("way", ["1 MiB blocks", "small blocks", "pieces"])
@pytest.mark.parametrize(("column", "value", "problem"), BAD)
def test_a_bad_value_in_a_late_chunk_is_named_with_its_row_and_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    way: str,
    column: str,
    value: str,
    problem: str,
) -> None:
    records = _rows()
    bad_row = ROWS - 1234  # in the last read block, after dozens of two-line values
    records[bad_row][HEADER.index(column)] = value
    path, lines = _write(tmp_path / "bad.csv", records)
    _read_as(way, monkeypatch)
    with pytest.raises(ImportFailed) as err:
        read_dataset_csv(path, SCHEMA, "Interactions")
    line = lines[bad_row]
    assert line > bad_row + 2  # the two-line values before it moved it down
    assert str(err.value) == f"data row {bad_row + 1} (line {line}), column {column}: {problem}"


def test_a_cp949_file_is_named_by_its_first_bad_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Korean export saved as CP949: the byte and line of its first Hangul character,
    found here by encoding the text before it, whether the file is read in large or small
    blocks or in pieces."""
    records = [[f"u{k}", f"i{k}", "1700000000", "View", ""] for k in range(ROWS)]
    records[ROWS - 1234][1] = "상품"
    path, lines = _write(tmp_path / "cp949.csv", records)
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("cp949"))
    offset = len(text[: text.index("상품")].encode("cp949"))
    first = "상".encode("cp949")[0]
    expected = (
        f"the file is not valid UTF-8: byte 0x{first:02X} at byte offset {offset} "
        f"(line {lines[ROWS - 1234]}) cannot be decoded; save the file as UTF-8"
    )
    for way in ("1 MiB blocks", "small blocks", "pieces"):
        _read_as(way, monkeypatch)
        with pytest.raises(ImportFailed) as err:
            read_dataset_csv(path, SCHEMA, "Interactions")
        assert str(err.value) == expected, way


@pytest.mark.parametrize("pieces", [1, 3])
def test_dictionary_encode_of_chunks_is_one_pass_over_the_rows(
    monkeypatch: pytest.MonkeyPatch, pieces: int
) -> None:
    """Chunks hashed as they are (runs that cross a chunk's end, an empty chunk, Hangul,
    values of up to 8 bytes hashed as words and longer ones as strings, or every value as a
    string for a column of few values): the dictionary and codes of one pass over the joined
    column."""
    monkeypatch.setattr(rows, "PIECE_ROWS", 4)
    short = ["u1", "u1", "u2", "가", "가", "u1", "", "u3", "u3", "u3"]
    long = ["user-000001", "사용자 하나", "user-000001", "x" * 40, "x" * 40, "u1"]
    for values in (short, long):
        chunks = [values[:3], [], values[3:4], values[4:]]
        column = pa.chunked_array(chunks, pa.string())
        joined = pa.array(values)
        for runs, few in ((False, False), (True, False), (False, True)):
            got = rows.dictionary_encode(column, pieces, runs=runs, few=few)
            assert got.equals(pc.dictionary_encode(joined)), (values, runs, few)
            assert got.dictionary.to_pylist() == list(dict.fromkeys(values))


def test_interactions_sort_without_one_key_is_the_same_order() -> None:
    """Times too far apart to share one integer with the user codes are sorted with two keys:
    the same rows in the same order as pandas' stable sort, repeats dropped the same way."""
    users = np.array([2, 0, 1, 0, 2, 0, 1, 0], dtype=np.int32)
    times = np.array([5, 2**61, 3, 0, 5, 2**61, 3, 7], dtype=np.int64)
    items = pa.array(["a", "b", "c", "d", "a", "e", "c", "f"])
    assert rows._user_time_key(users, times) is None  # 62 bits of time and 2 of users
    frame = pd.DataFrame({"u": users, "t": times, "i": items.to_pylist()})
    kept = frame.drop_duplicates(["u", "i", "t"], keep="first")
    expected = kept.sort_values(["u", "t"], kind="stable").index.tolist()
    assert rows.first_interactions_by_user(users, items, times).tolist() == expected
    for part in rows.user_parts(users, 2):
        got = rows.first_interactions_by_user(users, items, times, part).tolist()
        assert got == [k for k in expected if users[k] in set(users[part])]


def test_codes_of_chunks_sharing_a_dictionary_are_theirs() -> None:
    """A grouped table's USER_ID in parts (slices and takes of one dictionary array) reads as
    the same codes over that dictionary, one part or several; parts of other dictionaries are
    unified first, so equal strings still get equal codes."""
    names = ["사용자1", "u2", "u,3", "u4"]
    whole = pa.DictionaryArray.from_arrays(pa.array([3, 0, 1, 1, 2, 0, 3], pa.int32()), names)
    strings = whole.to_pylist()
    for parts in ([whole], [whole.slice(0, 3), whole.slice(3)], [whole.slice(2, 2)]):
        column = pa.chunked_array(parts)
        got, codes = rows.dictionary_codes(column)
        assert got.to_pylist() == column.to_pylist()
        assert [names[k] for k in codes] == column.to_pylist()
    other = pa.DictionaryArray.from_arrays(pa.array([0, 1], pa.int32()), ["u2", "새 사용자"])
    got, codes = rows.dictionary_codes(pa.chunked_array([whole, other]))
    assert got.to_pylist() == [*strings, "u2", "새 사용자"]
    assert codes[-2] == codes[2] and len(set(codes.tolist())) == 5


def test_keyed_sort_gives_pandas_order_and_the_times_in_it() -> None:
    """The import's sort with one key built from the TIMESTAMP chunks as they come: per part of
    whole users, the rows pandas' stable sort keeps (repeats of user, item and time dropped,
    the first kept), and the kept rows' times read back out of the sorted keys."""
    rng = np.random.default_rng(5)
    n = 3000
    users = rng.integers(0, 60, n).astype(np.int32)
    times = rng.integers(1_700_000_000, 1_700_000_040, n).astype(np.int64)
    items = pa.array([f"상품{k}" for k in rng.integers(0, 6, n)])
    chunked = pa.chunked_array([times[:1000], times[1000:1001], times[1001:]])
    keys = rows.user_time_keys(users, chunked)
    assert keys is not None
    frame = pd.DataFrame({"u": users, "t": times, "i": items.to_pylist()})
    kept = frame.drop_duplicates(["u", "i", "t"], keep="first")
    expected = kept.sort_values(["u", "t"], kind="stable").index.tolist()
    assert len(expected) < n  # repeats were dropped
    got: list[int] = []
    for part in rows.user_parts(users, 3):
        order, in_order = rows.first_interactions_keyed(keys, items, part)
        assert in_order.tolist() == times[order].tolist()
        got += order.tolist()
    # the parts, in order, are the whole sort (codes ascending across parts)
    assert got == expected
