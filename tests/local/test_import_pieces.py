"""A large quoted CSV is parsed in pieces on every core, each read from the file by the core
that parses it (services/local/data/imports/importer.py, ``_parse_pieces``): the table is the
whole file's read, whatever the cuts hit: quoted values
with line breaks (a cut inside one, even where the rest of the value looks like whole records),
doubled quotes, CRLF, blank lines, Hangul; a CP949 file and a byte-order mark are refused with
the same messages as before. Each piece count from 2 to 40 puts the cuts at other bytes.

A file read whole is read by pyarrow's own reader on every core, in read blocks that each end
after a whole record (``_read_csv``): the same values read across every kind of block boundary
exactly as Python's csv module reads them and as pyarrow's single-threaded reader does. The
bytes are first checked in one pass over a reused buffer (``_scan``), never held whole: what it
finds in a late block (a NUL byte, the first quote) is found as in the first one."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
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
    return importer._read_csv(pa.BufferReader(data), HEADER, quoted=True)


def _pieces(data: bytes, n: int) -> pa.Table | None:
    return importer._parse_pieces(pa.BufferReader(data), HEADER, n)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_pieces_read_what_the_whole_read_reads(newline: str) -> None:
    data = _file(newline=newline)
    whole = _whole(data)
    assert whole.num_rows == 600 and "\n" in whole.column("EVENT_TYPE")[2].as_py()
    used, refused = 0, 0
    for n in range(2, 41):
        pieces = _pieces(data, n)
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
    alone = importer._read_csv(pa.BufferReader(data[cut:]), HEADER, quoted=True, names=True)
    assert alone[0][0].as_py() == "u9"
    assert _pieces(data, 2) is None


def test_import_of_a_large_quoted_file_uses_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "interactions.csv"
    path.write_bytes(_file(rows=3000))
    whole = read_dataset_csv(path, SCHEMA, "Interactions").table  # below the threshold
    calls: list[tuple[int, bool]] = []
    parse_pieces = importer._parse_pieces

    def counted(source: pa.NativeFile, header: list[str], n: int | None = None) -> pa.Table | None:
        table = parse_pieces(source, header, 7)
        calls.append((source.size(), table is not None))
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


# --- the parallel reader of the whole file, and the scan before it ---------------------------


def _python_csv(data: bytes) -> dict[str, list[str]]:
    """The columns as Python's csv module reads the file (blank lines skipped)."""
    records = [r for r in csv.reader(io.StringIO(data.decode("utf-8"), newline="")) if r]
    assert records[0] == HEADER
    return {name: [r[k] for r in records[1:]] for k, name in enumerate(HEADER)}


def _read(path: Path) -> pa.Table:
    with pa.OSFile(str(path)) as source:
        return importer._read_csv(source, HEADER, quoted=True)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_line_breaks_in_values_are_read_whole_across_every_block_boundary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline: str
) -> None:
    data = _file(newline=newline)
    path = tmp_path / "quoted.csv"
    path.write_bytes(data)
    expected = _python_csv(data)
    assert len(expected["USER_ID"]) == 600 and "\n" in expected["EVENT_TYPE"][2]
    single = pa_csv.read_csv(
        str(path),
        read_options=pa_csv.ReadOptions(use_threads=False),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=True),
        convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(HEADER, pa.string())),
    )
    # 40 block sizes, 97 bytes apart: the boundaries fall inside values with line breaks,
    # right after them, on blank lines, between a CR and its LF
    for block in range(400, 4280, 97):
        monkeypatch.setattr(importer, "_BLOCK_BYTES", block)
        table = _read(path)
        assert table.column("USER_ID").num_chunks >= len(data) // block // 2, block
        assert {name: table.column(name).to_pylist() for name in HEADER} == expected, block
        assert table.equals(single.cast(table.schema)), block


def test_the_import_reads_a_value_with_line_breaks_in_a_late_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file's first quote is far past the scan's first block and the parse's first read
    block: the file is still read as one that may hold line breaks in values."""
    rows = [f"u{i % 7},i{i},{1_700_000_000 + i},view" for i in range(3000)]
    rows[2900] = f'u1,i2900,{1_700_002_900},"두\nu9,i9,9,view"'
    path = tmp_path / "late.csv"
    path.write_text("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n" + "\n".join(rows) + "\n")
    assert path.read_bytes().index(b'"') > 60_000  # past 14 blocks of 4 KiB
    monkeypatch.setattr(importer, "_SCAN_BYTES", 4096)
    monkeypatch.setattr(importer, "_BLOCK_BYTES", 4096)
    got = read_dataset_csv(path, SCHEMA, "Interactions")
    assert got.rows_read == 3000  # not 3001: "u9,i9,9,view" is the end of a value
    events = got.table.column("EVENT_TYPE").to_pylist()
    assert events.count("두\nu9,i9,9,view") == 1 and "u9" not in got.table["USER_ID"].to_pylist()


@pytest.mark.parametrize("scan", [4096, 8 << 20])
def test_a_nul_byte_in_a_late_block_is_named_by_its_offset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scan: int
) -> None:
    data = bytearray(_file(rows=3000))
    offset = len(data) - 1000  # far past the first scan block of 4 KiB
    data[offset] = 0
    path = tmp_path / "nul.csv"
    path.write_bytes(bytes(data))
    monkeypatch.setattr(importer, "_SCAN_BYTES", scan)
    with pytest.raises(ImportFailed) as err:
        read_dataset_csv(path, SCHEMA, "Interactions")
    assert str(err.value) == (
        f"the file looks binary (NUL byte at byte offset {offset}); expected a UTF-8 CSV text file"
    )


def test_blank_lines_over_many_scan_blocks_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\n \r\n\t" * 10_000)
    monkeypatch.setattr(importer, "_SCAN_BYTES", 4096)
    with pytest.raises(ImportFailed, match=r"^the file has no content \(only blank lines\)$"):
        read_dataset_csv(path, SCHEMA, "Interactions")
    path.write_bytes(b"\n \r\n\t" * 10_000 + b"x")  # one character in the last block
    with pytest.raises(ImportFailed, match="the header does not match"):
        read_dataset_csv(path, SCHEMA, "Interactions")


def test_refusals_do_not_depend_on_the_block_sizes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CP949 text, a byte-order mark and a ragged row late in the file are refused with the
    messages of a read in large blocks when read in small ones."""
    text = _file(rows=2000).decode("utf-8")
    cp949 = tmp_path / "cp949.csv"
    cp949.write_bytes(text.encode("cp949"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    data = text.encode("utf-8")
    cut = data.index(b"\n", len(data) * 3 // 4) + 1
    ragged = tmp_path / "ragged.csv"
    ragged.write_bytes(data[:cut] + b'"u1","i1","5"\n' + data[cut:])

    def refusals() -> list[str]:
        out = []
        for path in (cp949, bom, ragged):
            with pytest.raises(ImportFailed) as err:
                read_dataset_csv(path, SCHEMA, "Interactions")
            out.append(str(err.value))
        return out

    large = refusals()
    assert "not valid UTF-8: byte 0x" in large[0]
    assert "byte-order mark" in large[1]
    assert "has 3 values but the header has 4 columns" in large[2]
    monkeypatch.setattr(importer, "_SCAN_BYTES", 4096)
    monkeypatch.setattr(importer, "_BLOCK_BYTES", 4096)
    assert refusals() == large
