"""Conversion: chunk size changes nothing, every row is accounted for, output is atomic."""

import pandas as pd
import pytest

from services.prepare import RawFileError, convert, load_mapping, parse_mapping, reader

from .conftest import CASES, MAPPINGS, raw_file


@pytest.mark.parametrize("stem", ["korean_headers_cp949", "malformed_rows_and_blank_lines"])
def test_small_chunks_give_the_same_output_and_rejects(stem, tmp_path, monkeypatch):
    mapping = load_mapping(MAPPINGS / f"{stem}.json")
    whole = convert(raw_file(stem), mapping, tmp_path / "a.csv")
    monkeypatch.setattr(reader, "_PIECE_BYTES", 50)  # and the file read in 50-byte pieces
    parts = convert(raw_file(stem), mapping, tmp_path / "b.csv", chunk_rows=2)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert whole.rejects == parts.rejects
    pd.testing.assert_frame_equal(
        pd.read_csv(whole.rejects_path, dtype=str), pd.read_csv(parts.rejects_path, dtype=str)
    )


@pytest.mark.parametrize("stem", CASES)
def test_every_row_is_written_or_rejected(stem, tmp_path):
    result = convert(raw_file(stem), load_mapping(MAPPINGS / f"{stem}.json"), tmp_path / "o.csv")
    assert result.rows_read == result.rows_written + result.rows_rejected
    assert result.rows_read > 0


def _interactions(item_column):
    """A mapping of the columns user, ``item_column`` and when to an Interactions file."""
    return {
        "version": 1,
        "dataset_type": "interactions",
        "fields": [
            {"name": "USER_ID", "column": "user"},
            {"name": "ITEM_ID", "column": item_column},
            {"name": "TIMESTAMP", "column": "when"},
        ],
    }


def test_a_missing_column_writes_nothing(tmp_path):
    raw = tmp_path / "raw.csv"
    raw.write_text("user,item,when\nu1,i1,1709600400\n")
    with pytest.raises(RawFileError, match="no column 'product'"):
        convert(raw, parse_mapping(_interactions("product")), tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == [raw]


def test_ids_too_long_and_categorical_limits_are_rejected(tmp_path):
    raw = tmp_path / "items.csv"
    raw.write_text(f"id,genre\n{'x' * 257},a\nok,{'g' * 1001}\nfine,a;b ; c\n")
    doc = {
        "version": 1,
        "dataset_type": "items",
        "fields": [
            {"name": "ITEM_ID", "column": "id"},
            {"name": "GENRE", "column": "genre", "type": "categorical", "split": ";"},
        ],
    }
    result = convert(raw, parse_mapping(doc), tmp_path / "out.csv")
    assert dict(result.rejects) == {
        "ITEM_ID is longer than 256 characters": 1,
        "GENRE is longer than 1000 characters": 1,
    }
    assert (tmp_path / "out.csv").read_text().splitlines()[1] == '"fine","a|b|c"'


def test_the_summary_writes_counts_as_the_pages_do(tmp_path):
    """The Data page shows this line in bold: "1,234 rows read", not "1234 rows read"; 1,234
    rows with a user, 1,001 without (rejected: USER_ID is required)."""
    from services.i18n import use_language

    raw = tmp_path / "raw.csv"
    rows = [f"u{n},i{n % 50},{1709600400 + n}" for n in range(1234)] + [",i1,1709600400"] * 1001
    raw.write_text("user,item,when\n" + "\n".join(rows) + "\n")
    result = convert(raw, parse_mapping(_interactions("item")), tmp_path / "out.csv")
    assert (result.rows_read, result.rows_written, result.rows_rejected) == (2235, 1234, 1001)
    assert result.summary().startswith("2,235 rows read (csv")
    assert result.summary().endswith("; 1,234 written; 1,001 rejected")
    use_language("ko")
    try:
        korean = result.summary()
    finally:
        use_language("en")
    assert "2,235" in korean and "1,234" in korean and "1,001" in korean, korean
