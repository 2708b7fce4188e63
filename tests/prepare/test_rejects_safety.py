"""The rejects file is for people: formula-like cells are neutralised (``services.csv_safety``),
in every chunk, in the header and in a malformed line's raw text, and through every way a
file is prepared (the module API, the CLI, a refresh's prepare step all call ``convert``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from services.prepare import convert, parse_mapping, prepare_file

HYPERLINK = '=HYPERLINK("http://evil.test","x")'
RAW = (
    "user,item,@when\n"
    f'u1,"{HYPERLINK.replace(chr(34), chr(34) * 2)}",not-a-date\n'
    "@SUM(A1:A9),i2,bad\n"
    "u3,i3,1709600400\n"
    "-3.5,\uff1d1+1,bad\n"
    "=1+2,i5,1709600400,extra\n"
)
COLUMNS = {"USER_ID": "user", "ITEM_ID": "item", "TIMESTAMP": "@when"}
MAPPING = parse_mapping(
    {
        "version": 1,
        "dataset_type": "interactions",
        "fields": [{"name": name, "column": column} for name, column in COLUMNS.items()],
    }
)
NOT_A_DATE = "TIMESTAMP is not a date-time or an epoch number"
# Checked by hand: rows 2, 3 and 5 have no date, row 6 has four fields; row 4 is written.
EXPECTED = [
    ["line", "reason", "user", "item", "'@when", "raw"],
    ["2", NOT_A_DATE, "u1", "'" + HYPERLINK, "not-a-date", ""],
    ["3", NOT_A_DATE, "'@SUM(A1:A9)", "i2", "bad", ""],
    ["5", NOT_A_DATE, "-3.5", "'\uff1d1+1", "bad", ""],  # a number stays a number
    ["6", "malformed row: 4 fields, the header has 3", "", "", "", "'=1+2,i5,1709600400,extra"],
]


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_convert_neutralises_every_chunk_of_the_rejects(tmp_path: Path) -> None:
    raw = tmp_path / "orders.csv"
    raw.write_text(RAW, encoding="utf-8")
    for chunk_rows in (1, 1000):  # one chunk per row (header written once), and one chunk
        out = tmp_path / f"out-{chunk_rows}.csv"
        result = convert(raw, MAPPING, out, chunk_rows=chunk_rows)
        assert result.rows_written == 1 and result.rows_rejected == 4
        assert result.rejects_path is not None
        assert _rows(result.rejects_path) == EXPECTED
        # the prepared file is for Personalize, not a spreadsheet: its IDs are kept as they are
        assert out.read_text(encoding="utf-8").splitlines()[1].startswith('"u3","i3"')


def test_prepare_file_writes_the_same_safe_rejects(tmp_path: Path) -> None:
    raw = tmp_path / "orders.csv"
    raw.write_text(RAW, encoding="utf-8")
    prepared = prepare_file(raw, MAPPING, tmp_path / "interactions.csv")
    path = prepared.conversion.rejects_path
    assert path is not None and _rows(path) == EXPECTED
