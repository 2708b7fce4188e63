"""Tests for services.local.data.imports.importer: strict CSV checks, typed output, duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from services.local.data.imports.importer import ImportedData, ImportFailed, read_dataset_csv
from services.local.data.schemas import AvroSchema, parse_schema


def _schema(*fields: dict) -> AvroSchema:
    return parse_schema(json.dumps({"type": "record", "name": "S", "fields": list(fields)}))


INTERACTIONS = _schema(
    {"name": "USER_ID", "type": "string"},
    {"name": "ITEM_ID", "type": "string"},
    {"name": "TIMESTAMP", "type": "long"},
    {"name": "EVENT_TYPE", "type": "string"},
    {"name": "EVENT_VALUE", "type": ["null", "float"]},
    {"name": "DEVICE", "type": ["null", "string"], "categorical": True},
)
ITEMS = _schema(
    {"name": "ITEM_ID", "type": "string"},
    {"name": "GENRES", "type": "string", "categorical": True},
    {"name": "PRICE", "type": "double"},
    {"name": "CREATION_TIMESTAMP", "type": "long"},
    {"name": "IN_STOCK", "type": ["null", "boolean"]},
    {"name": "RANK", "type": ["null", "int"]},
    {"name": "DESCRIPTION", "type": ["null", "string"], "textual": True},
)
USERS = _schema(
    {"name": "USER_ID", "type": "string"},
    {"name": "AGE", "type": "int"},
    {"name": "TIER", "type": ["null", "string"], "categorical": True},
)
HEADER = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE\n"


def write(tmp_path: Path, content: str | bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def failure(path: Path, schema: AvroSchema = INTERACTIONS, kind: str = "Interactions") -> str:
    with pytest.raises(ImportFailed) as err:
        read_dataset_csv(path, schema, kind)
    return str(err.value)


# --- whole-file rejections -------------------------------------------------------------------


def test_rejects_zero_byte_file(tmp_path):
    assert "empty (0 bytes)" in failure(write(tmp_path, b""))


def test_rejects_blank_lines_only(tmp_path):
    assert "no content" in failure(write(tmp_path, b"\n\n"))


def test_rejects_header_only(tmp_path):
    assert failure(write(tmp_path, HEADER)) == "the file has a header but no data rows"


def test_rejects_missing_file(tmp_path):
    assert "does not exist" in failure(tmp_path / "nope.csv")


def test_rejects_non_utf8_with_byte_offset(tmp_path):
    # "USER_ID,ITEM_ID,TIMESTAMP\n" is 26 bytes; "u1,caf" 6 more: the bad byte is at offset 32.
    data = b"USER_ID,ITEM_ID,TIMESTAMP\nu1,caf\xe9,1700000000\n"
    message = failure(write(tmp_path, data), _schema(*_ids_and_time()))
    assert "not valid UTF-8" in message
    assert "byte 0xE9 at byte offset 32 (line 2)" in message


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"USER_ID,ITEM_ID\x00\x01\x02", "binary (NUL byte at byte offset 15)"),
        (b"\x1f\x8b\x08\x00rest", "gzip-compressed"),
        (b"PK\x03\x04rest", "ZIP archive"),
        ("USER_ID,ITEM_ID\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_rejects_binary_files(tmp_path, data, needle):
    assert needle in failure(write(tmp_path, data))


# --- header ----------------------------------------------------------------------------------


def test_header_missing_required_columns_are_named(tmp_path):
    message = failure(write(tmp_path, "USER_ID,EVENT_TYPE\nu1,click\n"))
    assert "missing required column(s) ITEM_ID, TIMESTAMP" in message


def test_header_unknown_column(tmp_path):
    message = failure(write(tmp_path, HEADER.strip() + ",COLOR\nu1,i1,1,click,,,red\n"))
    assert "unknown column 'COLOR'" in message
    assert "missing" not in message


def test_header_wrong_case_hints_the_schema_name(tmp_path):
    text = "user_id,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,i1,1,click\n"
    message = failure(write(tmp_path, text))
    assert (
        "unknown column 'user_id' (column names are case-sensitive: did you mean 'USER_ID'?)"
        in (message)
    )
    assert "missing required column(s) USER_ID" in message


def test_header_with_spaces_and_other_separators(tmp_path):
    text = "USER_ID, ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,i1,1,click\n"
    assert "remove the spaces around ITEM_ID" in failure(write(tmp_path, text))
    text = "USER_ID;ITEM_ID;TIMESTAMP\nu1;i1;1\n"
    assert "separated by ';'" in failure(write(tmp_path, text))
    text = "USER_ID,ITEM_ID,TIMESTAMP,\nu1,i1,1,\n"
    assert "header column 4 has no name" in failure(write(tmp_path, text))
    text = "USER_ID,ITEM_ID,TIMESTAMP,USER_ID\nu1,i1,1,u1\n"
    assert "USER_ID more than once" in failure(write(tmp_path, text))


def test_missing_header_row_is_explained(tmp_path):
    message = failure(write(tmp_path, "u1,i1,1700000000,click\nu2,i2,1700000001,click\n"))
    assert "the first row must be a header" in message


# --- row-level rejections --------------------------------------------------------------------


def _ids_and_time() -> list[dict]:
    return [
        {"name": "USER_ID", "type": "string"},
        {"name": "ITEM_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
    ]


def test_rejects_ragged_row_with_row_and_line(tmp_path):
    text = HEADER + "u1,i1,1700000000,click,,\n\nu2,i2,1700000001,click,1.0,,extra\n"
    message = failure(write(tmp_path, text))
    assert message.startswith("data row 2 (line 4) has 7 values but the header has 6 columns")


def test_rejects_short_row(tmp_path):
    text = HEADER + "u1,i1,1700000000,click,,\nu2,i2\n"
    assert "data row 2 (line 3) has 2 values" in failure(write(tmp_path, text))


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("1.7e12", "'1.7e12' is not an integer number of seconds"),
        ("1700000000.0", "'1700000000.0' is not an integer number of seconds"),
        ("2023-11-14", "'2023-11-14' is not a number; TIMESTAMP is long"),
        ("1700000000000", "1700000000000 looks like milliseconds; Personalize needs epoch seconds"),
        ("1700000000000000", "looks like microseconds"),
        ("-5", "-5 is negative"),
        ("", "empty value, but the schema does not allow null"),
        ("99999999999999999999", "out of range for a 64-bit integer"),
    ],
)
def test_rejects_bad_timestamps(tmp_path, value, needle):
    text = HEADER + "u1,i1,1700000000,click,,\n" + f"u2,i2,{value},click,,\n"
    message = failure(write(tmp_path, text))
    assert message.startswith("data row 2 (line 3), column TIMESTAMP: ")
    assert needle in message


def test_rejects_bad_numbers_in_metadata(tmp_path):
    text = HEADER + "u1,i1,1700000000,click,high,\n"
    assert failure(write(tmp_path, text)) == (
        "data row 1 (line 2), column EVENT_VALUE: 'high' is not a number"
    )
    text = HEADER + 'u1,i1,1700000000,click,"1,5",\n'
    assert "use '.' as the decimal separator" in failure(write(tmp_path, text))
    text = "USER_ID,AGE\nu1,30\nu2,thirty\n"
    message = failure(write(tmp_path, text), USERS, "Users")
    assert message == "data row 2 (line 3), column AGE: 'thirty' is not a number; AGE is int"
    text = "USER_ID,AGE\nu1,3000000000\n"
    assert "out of range for type int (32-bit)" in failure(write(tmp_path, text), USERS, "Users")
    text = "USER_ID,AGE\nu1,1e999\n"
    assert "not an integer number" in failure(write(tmp_path, text), USERS, "Users")


def test_rejects_empty_values_in_non_nullable_columns(tmp_path):
    items = "ITEM_ID,GENRES,PRICE,CREATION_TIMESTAMP\ni1,a,,1700000000\n"
    message = failure(write(tmp_path, items), ITEMS, "Items")
    assert message == (
        "data row 1 (line 2), column PRICE: empty value, but the schema does not allow null here"
    )


def test_rejects_bad_ids(tmp_path):
    text = HEADER + ",i1,1700000000,click,,\n"
    assert failure(write(tmp_path, text)) == (
        "data row 1 (line 2), column USER_ID: empty value, but an ID is required"
    )
    long_id = "x" * 257
    text = HEADER + f"u1,i1,1700000000,click,,\nu2,{long_id},1700000000,click,,\n"
    message = failure(write(tmp_path, text))
    assert message.startswith("data row 2 (line 3), column ITEM_ID: value is 257 characters long")
    assert "IDs are limited to 256" in message


def test_rejects_long_categorical_values_per_value(tmp_path):
    head = "ITEM_ID,GENRES,PRICE,CREATION_TIMESTAMP\n"
    ok = "|".join(["a" * 600, "b" * 600])  # 1201 characters, but each value is within 1000
    path = write(tmp_path, head + f"i1,{ok},1.0,1700000000\n")
    assert read_dataset_csv(path, ITEMS, "Items").table["GENRES"][0].as_py() == ok
    bad = "a|" + "z" * 1001
    message = failure(
        write(tmp_path, head + f"i1,a,1,1\ni2,{bad},1.0,1700000000\n"), ITEMS, "Items"
    )
    assert message.startswith("data row 2 (line 3), column GENRES: a categorical value is 1001")


def test_row_numbers_count_records_not_lines(tmp_path):
    head = "ITEM_ID,GENRES,PRICE,CREATION_TIMESTAMP,DESCRIPTION\n"
    text = head + 'i1,a,1.0,1700000000,"two\nlines, with a comma"\ni2,b,cheap,1700000000,x\n'
    message = failure(write(tmp_path, text), ITEMS, "Items")
    assert message == "data row 2 (line 4), column PRICE: 'cheap' is not a number"


def test_rejects_bad_boolean(tmp_path):
    head = "ITEM_ID,GENRES,PRICE,CREATION_TIMESTAMP,IN_STOCK\n"
    message = failure(write(tmp_path, head + "i1,a,1.0,1700000000,yes\n"), ITEMS, "Items")
    assert "'yes' is not a boolean (true or false)" in message


# --- good files ------------------------------------------------------------------------------


def test_interactions_round_trip(tmp_path):
    text = (
        HEADER
        + "u1,i1,1700000000,click,,mobile\n"
        + "u2,i2,1700000050,purchase,19.5,\n"
        + 'u1,"i,3",0,click,-2,tablet|tv\n'
    )
    result = read_dataset_csv(write(tmp_path, text), INTERACTIONS, "interactions")
    assert isinstance(result, ImportedData)
    assert (result.rows_read, result.duplicates_dropped) == (3, 0)
    table = result.table
    assert {f.name: str(f.type) for f in table.schema} == {
        "USER_ID": "dictionary<values=string, indices=int32, ordered=0>",
        "ITEM_ID": "string",
        "TIMESTAMP": "int64",
        "EVENT_TYPE": "dictionary<values=string, indices=int32, ordered=0>",
        "EVENT_VALUE": "double",
        "DEVICE": "string",
    }
    assert table.column_names == [
        "USER_ID",
        "ITEM_ID",
        "TIMESTAMP",
        "EVENT_TYPE",
        "EVENT_VALUE",
        "DEVICE",
    ]
    # Grouped by user (in order of first appearance), each user's rows oldest first.
    assert table.to_pydict() == {
        "USER_ID": ["u1", "u1", "u2"],
        "ITEM_ID": ["i,3", "i1", "i2"],
        "TIMESTAMP": [0, 1700000000, 1700000050],
        "EVENT_TYPE": ["click", "click", "purchase"],
        "EVENT_VALUE": [-2.0, None, 19.5],
        "DEVICE": ["tablet|tv", "mobile", None],
    }


def test_interactions_without_event_columns_get_defaults(tmp_path):
    schema = _schema(*_ids_and_time())
    text = "TIMESTAMP,ITEM_ID,USER_ID\n1700000000,i1,u1\n1700000001,i2,u1\n"  # any column order
    table = read_dataset_csv(write(tmp_path, text), schema, "Interactions").table
    assert table.column_names == ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"]
    assert table["EVENT_TYPE"].to_pylist() == ["", ""]
    assert table["EVENT_VALUE"].type == pa.float64()
    assert table["EVENT_VALUE"].to_pylist() == [None, None]
    assert table["USER_ID"].to_pylist() == ["u1", "u1"]
    assert table["ITEM_ID"].to_pylist() == ["i1", "i2"]


def test_items_round_trip_with_nullable_columns(tmp_path):
    text = (
        "ITEM_ID,GENRES,PRICE,CREATION_TIMESTAMP,IN_STOCK,RANK,DESCRIPTION\n"
        'i1,comedy|drama,9.99,1700000000,TRUE,3,"Soft, warm\nand blue"\n'
        "i2,horror,0,1600000000,,,\n"
        "i3,drama,1e2,1650000000,false,-1,plain\n"
    )
    result = read_dataset_csv(write(tmp_path, text), ITEMS, "Items")
    table = result.table
    assert {f.name: str(f.type) for f in table.schema} == {
        "ITEM_ID": "string",
        "GENRES": "string",
        "PRICE": "double",
        "CREATION_TIMESTAMP": "int64",
        "IN_STOCK": "bool",
        "RANK": "int64",
        "DESCRIPTION": "string",
    }
    assert table.column_names[:2] == ["ITEM_ID", "GENRES"]  # schema order
    assert table.to_pydict() == {
        "ITEM_ID": ["i1", "i2", "i3"],
        "GENRES": ["comedy|drama", "horror", "drama"],
        "PRICE": [9.99, 0.0, 100.0],
        "CREATION_TIMESTAMP": [1700000000, 1600000000, 1650000000],
        "IN_STOCK": [True, None, False],
        "RANK": [3, None, -1],
        "DESCRIPTION": ["Soft, warm\nand blue", None, "plain"],
    }


def test_nullable_column_absent_from_file(tmp_path):
    table = read_dataset_csv(write(tmp_path, "USER_ID,AGE\nu1,31\n"), USERS, "Users").table
    assert table.column_names == ["USER_ID", "AGE", "TIER"]
    assert table["AGE"].type == pa.int64() and table["AGE"].to_pylist() == [31]
    assert table["TIER"].type == pa.string() and table["TIER"].to_pylist() == [None]


def test_utf8_bom_is_rejected(tmp_path):
    data = b"\xef\xbb\xbfUSER_ID,AGE,TIER\nu\xc3\xa9,31,gold\n"
    assert "byte-order mark" in failure(write(tmp_path, data), USERS, "Users")


def test_crlf_line_endings(tmp_path):
    data = b"USER_ID,AGE\r\nu1,31\r\nu2,\xc3\xa9\r\n"
    assert "data row 2 (line 3), column AGE" in failure(write(tmp_path, data), USERS, "Users")
    table = read_dataset_csv(write(tmp_path, b"USER_ID,AGE\r\nu1,31\r\n"), USERS, "Users").table
    assert table["USER_ID"].to_pylist() == ["u1"] and table["AGE"].to_pylist() == [31]


def test_interaction_duplicates_are_dropped_and_counted(tmp_path):
    text = (
        HEADER
        + "u1,i1,100,click,1,\n"
        + "u1,i1,100,purchase,2,\n"  # same user, item and time: dropped
        + "u1,i1,101,click,3,\n"
        + "u2,i1,100,click,4,\n"
        + "u1,i1,100,click,5,\n"  # dropped
    )
    result = read_dataset_csv(write(tmp_path, text), INTERACTIONS, "Interactions")
    assert (result.rows_read, result.duplicates_dropped) == (5, 2)
    assert result.table["EVENT_VALUE"].to_pylist() == [1.0, 3.0, 4.0]  # the first of each


def test_item_duplicates_keep_the_last_row(tmp_path):
    text = "USER_ID,AGE\nu1,20\nu2,30\nu1,21\n"
    result = read_dataset_csv(write(tmp_path, text), USERS, "Users")
    assert (result.rows_read, result.duplicates_dropped) == (3, 1)
    assert result.table.select(["USER_ID", "AGE"]).to_pylist() == [
        {"USER_ID": "u2", "AGE": 30},
        {"USER_ID": "u1", "AGE": 21},
    ]


@pytest.mark.parametrize("chunks", [1, 3])
@pytest.mark.parametrize("dictionary", [False, True])
def test_last_per_key_matches_pandas_keep_last(chunks, dictionary):
    """The sort-based mask equals pandas' ``duplicated(keep="last")`` (an independent
    computation) on IDs with repeats, Hangul and an empty string; all distinct gives None."""
    from services.local.data.imports.rows import last_per_key

    rng = np.random.default_rng(3)
    ids = np.array(["상품-7", "p10", "p2", "", "p1", "상품-10"], dtype=object)
    values = ids[rng.integers(0, len(ids), size=300)].tolist()
    parts = np.array_split(np.array(values, dtype=object), chunks)
    column = pa.chunked_array([pa.array(list(part), pa.string()) for part in parts])
    if dictionary:
        column = pa.chunked_array([chunk.dictionary_encode() for chunk in column.chunks])
    expected = ~pd.Series(values).duplicated(keep="last").to_numpy()
    assert last_per_key(column).tolist() == expected.tolist()
    assert last_per_key(pa.array(["b", "a", "c", "상"])) is None
    assert last_per_key(pa.array([], pa.string())) is None


def test_reads_200k_rows(tmp_path):
    n = 200_000
    rng = np.random.default_rng(7)
    users = rng.integers(0, 5_000, n)
    items = rng.integers(0, 2_000, n)
    times = 1_600_000_000 + np.arange(n)  # distinct, so no duplicates
    lines = [HEADER]
    lines += [f"u{u},i{i},{t},view,,\n" for u, i, t in zip(users, items, times, strict=True)]
    path = write(tmp_path, "".join(lines))
    result = read_dataset_csv(path, INTERACTIONS, "Interactions")
    assert (result.rows_read, result.duplicates_dropped) == (n, 0)
    table = result.table
    assert table["TIMESTAMP"].type == pa.int64()
    assert table["EVENT_VALUE"].null_count == n
    got = table.select(["USER_ID", "ITEM_ID", "TIMESTAMP"]).to_pandas()
    assert got["USER_ID"].astype(str).is_unique is False  # users repeat…
    # …and each user's rows come together, oldest first (the order storage keeps).
    runs = (got["USER_ID"] != got["USER_ID"].shift()).sum()
    assert runs == len(set(users.tolist()))
    assert got.groupby("USER_ID", observed=True)["TIMESTAMP"].is_monotonic_increasing.all()
    by_time = got.set_index("TIMESTAMP").sort_index()
    assert by_time.loc[1_600_000_000 + 12345].tolist() == [f"u{users[12345]}", f"i{items[12345]}"]
    assert by_time.index.tolist() == list(times)


def test_a_repeat_among_rows_of_one_user_and_time_is_found_by_item(tmp_path):
    text = (
        HEADER
        + "u1,i1,100,click,1,\n"
        + "u1,i2,100,click,2,\n"  # same user and time, another item: kept
        + "u2,i1,100,click,3,\n"
        + "u1,i1,100,click,4,\n"  # repeats the first row: dropped
        + "u1,i3,100,click,5,\n"
    )
    result = read_dataset_csv(write(tmp_path, text), INTERACTIONS, "Interactions")
    assert result.duplicates_dropped == 1
    assert result.table["EVENT_VALUE"].to_pylist() == [1.0, 2.0, 5.0, 3.0]


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        (" 31", "' 31' is not an integer number"),  # pyarrow's int parser would trim it
        ("31 ", "'31 ' is not an integer number"),
        ("0x1F", "'0x1F' is not a number; AGE is int"),  # …and read it as hex
        ("+31", None),  # a sign is fine
    ],
)
def test_integers_are_read_strictly(tmp_path, value, needle):
    path = write(tmp_path, f"USER_ID,AGE\nu1,30\nu2,{value}\n")
    if needle is None:
        assert read_dataset_csv(path, USERS, "Users").table["AGE"].to_pylist() == [30, 31]
    else:
        assert failure(path, USERS, "Users") == f"data row 2 (line 3), column AGE: {needle}"


def test_quoted_line_breaks_across_read_blocks(tmp_path):
    # Over 2 MiB of values spanning lines: pyarrow reads in 1 MiB blocks, so some value
    # crosses a block boundary (read without newlines_in_values, that row would be lost).
    head = "ITEM_ID,GENRES,PRICE,CREATION_TIMESTAMP,DESCRIPTION\n"
    rows = [f'i{k},a,1.0,1700000000,"first line {k}\nsecond, {"x" * 90}"\n' for k in range(20_000)]
    result = read_dataset_csv(write(tmp_path, head + "".join(rows)), ITEMS, "Items")
    assert result.rows_read == 20_000
    described = result.table["DESCRIPTION"]
    assert described[0].as_py() == f"first line 0\nsecond, {'x' * 90}"
    assert described[19_999].as_py() == f"first line 19999\nsecond, {'x' * 90}"
    assert result.table["ITEM_ID"][12_345].as_py() == "i12345"


def test_utf8_is_checked_beyond_the_header_prefix(tmp_path):
    # Over 1 MiB of 3-byte characters: one straddles the header prefix's end; a bad byte
    # far into the file is still named with its offset and line.
    head = b"USER_ID,AGE,TIER\n"
    rows = [f"u{k},{k % 90},골드등급\n".encode() for k in range(60_000)]
    good = head + b"".join(rows)
    assert len(good) > 1 << 20
    table = read_dataset_csv(write(tmp_path, good), USERS, "Users").table
    assert table.num_rows == 60_000 and table["TIER"][59_999].as_py() == "골드등급"
    bad_row = 50_000
    rows[bad_row - 1] = rows[bad_row - 1].replace("등".encode(), b"\xff\xfe")
    offset = len(head) + sum(len(r) for r in rows[: bad_row - 1]) + rows[bad_row - 1].index(b"\xff")
    message = failure(write(tmp_path, head + b"".join(rows)), USERS, "Users")
    assert f"byte 0xFF at byte offset {offset} (line {bad_row + 1})" in message
