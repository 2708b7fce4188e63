"""A large quoted CSV is parsed in pieces on every core (services/local/data/imports/importer.py,
``_parse_pieces``): the table is the whole file's read, whatever the cuts hit: quoted values
with line breaks (a cut inside one, even where the rest of the value looks like whole records),
doubled quotes, CRLF, blank lines, Hangul; a CP949 file and a byte-order mark are refused with
the same messages as before. Each piece count from 2 to 40 puts the cuts at other bytes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pytest

from services.local.data.imports import importer
from services.local.data.imports.import_columns import ImportFailed
from services.local.data.imports.importer import read_dataset_csv
from services.local.data.schemas import parse_schema
from tests.local.workspace import interactions_schema

HEADER = ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]
SCHEMA = parse_schema(interactions_schema())


def _file(rows: int = 600, newline: str = "\n") -> bytes:
    """Every value quoted; one event type in 30 spans lines, and the text after its line
    break is itself a well-formed record (the trap for a cut made inside the value)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator=newline)
    writer.writerow(HEADER)
    for i in range(rows):
        event = f"클릭\nu{i},i{i},{i},view" if i % 30 == 2 else ["view", 'say ""hi""'][i % 2]
        writer.writerow([f"u{i % 37}", f"상품{i}", str(1_700_000_000 + i), event])
        if i % 50 == 0:
            out.write(newline)  # a blank line
    return out.getvalue().encode("utf-8")


def _whole(data: bytes) -> pa.Table:
    return importer._read_csv(data, HEADER, quoted=True)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_pieces_read_what_the_whole_read_reads(newline: str) -> None:
    data = _file(newline=newline)
    whole = _whole(data)
    assert whole.num_rows == 600 and "\n" in whole.column("EVENT_TYPE")[2].as_py()
    used, refused = 0, 0
    for n in range(2, 41):
        pieces = importer._parse_pieces(data, HEADER, n)
        if pieces is None:  # a cut may sit inside a value: the caller reads the file whole
            refused += 1
        else:
            used += 1
            assert pieces.equals(whole), n
    # cuts between records are used; some land inside a value and are not
    assert used >= 10 and refused >= 1


def test_a_cut_inside_a_quoted_value_is_never_used() -> None:
    """The first line break after the middle of the file is inside a value, and what follows
    it there reads as a record on its own: cut there, the pieces are refused."""
    before = _file(rows=4).decode()
    value = "x" * len(before) + "\nu9,i9,9,view"
    data = (before + f'"u8","i8","8","{value}"\n"u7","i7","7","view"\n').encode()
    cut = data.index(b"\n", len(data) // 2) + 1
    assert data[cut:].startswith(b'u9,i9,9,view"\n')
    whole = _whole(data)
    assert whole.column("EVENT_TYPE")[4].as_py() == value and whole.num_rows == 6
    # read alone, the bytes after the cut would give a row "u9" the file does not have
    assert importer._read_csv(data[cut:], HEADER, quoted=True, names=True)[0][0].as_py() == "u9"
    assert importer._parse_pieces(data, HEADER, 2) is None


def test_import_of_a_large_quoted_file_uses_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "interactions.csv"
    path.write_bytes(_file(rows=3000))
    whole = read_dataset_csv(path, SCHEMA, "Interactions").table  # below the threshold
    calls: list[tuple[int, bool]] = []
    parse_pieces = importer._parse_pieces

    def counted(data: bytes, header: list[str], n: int | None = None) -> pa.Table | None:
        table = parse_pieces(data, header, 7)
        calls.append((len(data), table is not None))
        return table

    monkeypatch.setattr(importer, "PARALLEL_PARSE_BYTES", 1024)
    monkeypatch.setattr(importer, "_parse_pieces", counted)
    got = read_dataset_csv(path, SCHEMA, "Interactions").table
    assert calls == [(path.stat().st_size, True)]  # read in pieces, not whole
    assert got.equals(whole)


def test_cp949_and_bom_are_refused_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _file(rows=2000).decode("utf-8")
    path = tmp_path / "cp949.csv"
    path.write_bytes(text.encode("cp949"))
    whole, pieces = _refusals(path, monkeypatch)
    assert "not valid UTF-8: byte 0x" in pieces and pieces == whole
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    with pytest.raises(ImportFailed, match="byte-order mark"):
        read_dataset_csv(bom, SCHEMA, "Interactions")


def test_a_ragged_row_is_named_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _file(rows=2000)
    cut = data.index(b"\n", len(data) * 3 // 4) + 1
    bad = data[:cut] + b'"u1","i1","5"\n' + data[cut:]
    path = tmp_path / "ragged.csv"
    path.write_bytes(bad)
    whole, pieces = _refusals(path, monkeypatch)
    assert "has 3 values but the header has 4 columns" in pieces and pieces == whole


def _refusals(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The import's refusal of ``path`` read whole, then read in pieces."""
    with pytest.raises(ImportFailed) as whole:
        read_dataset_csv(path, SCHEMA, "Interactions")
    monkeypatch.setattr(importer, "PARALLEL_PARSE_BYTES", 1024)
    with pytest.raises(ImportFailed) as pieces:
        read_dataset_csv(path, SCHEMA, "Interactions")
    return str(whole.value), str(pieces.value)
