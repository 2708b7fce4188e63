"""The one CSV front-end: binary kinds, byte order marks, encodings (Korean exports included)
and separators, and the three readers (import, readiness, prepare) agreeing through it."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from services.local.data.imports.importer import ImportFailed, read_dataset_csv
from services.local.data.schemas import parse_schema
from services.local.rules.csv_sniff import binary_kind, decoding, header_separator, lines_separator
from services.prepare.reader import detect
from services.readiness.reader import sniff
from tests.local.workspace import INTERACTIONS_SCHEMA

KOREAN = "회원ID,상품코드,주문일시\nM1,P1,2024-03-05 오후 3:12:00\n"


def blocks_of(data: bytes, size: int):  # type: ignore[no-untyped-def]
    return lambda: (data[i : i + size] for i in range(0, len(data), size))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (KOREAN.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + KOREAN.encode("utf-8"), "utf-8-sig"),
        (KOREAN.encode("cp949"), "cp949"),
        ("가격,￦12,900원\n".encode("cp949"), "cp949"),  # the full-width won sign
        ("café,crème\n".encode("latin-1"), "latin-1"),
    ],
    ids=["utf-8", "utf-8 with BOM", "cp949", "cp949 won sign", "latin-1"],
)
def test_the_first_encoding_that_decodes_every_block_wins(data: bytes, expected: str) -> None:
    # Blocks of 5 bytes cut multi-byte Hangul characters in two: the decoder carries them over.
    assert decoding(blocks_of(data, 5)) == expected


def test_a_byte_invalid_in_every_candidate_raises() -> None:
    with pytest.raises(UnicodeDecodeError):
        decoding(blocks_of(b"ok\n\xff\n", 2), ("utf-8", "cp949"))


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("sheet.csv", "a,b\n")
    return out.getvalue()


def _parquet() -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.table({"a": [1]}), out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        # mtime=0: the same bytes, and so the same test ID, in every pytest-xdist worker
        (gzip.compress(b"USER_ID\n", mtime=0), "gzip"),
        (_zip(), "zip"),
        (_parquet(), "parquet"),
        (b"%PDF-1.7\n", "pdf"),
        (b"SQLite format 3\x00", "sqlite"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "xls"),
        ("USER_ID".encode("utf-16"), "utf-16"),
        (KOREAN.encode("cp949"), None),
        (b"\xef\xbb\xbfUSER_ID\n", None),
    ],
)
def test_binary_kinds(head: bytes, kind: str | None) -> None:
    assert binary_kind(head) == kind


@pytest.mark.parametrize(
    ("line", "separator"),
    [
        ("USER_ID,ITEM_ID", ","),
        ("USER_ID;ITEM_ID;TIMESTAMP", ";"),
        ("a,b;c;d", ","),  # Personalize splits on commas whatever else the line holds
        ("USER_ID\tITEM_ID|X|Y", "|"),
        ("a;b\tc", ";"),  # a tie goes to the semicolon
        ("USER_ID", ","),
    ],
)
def test_header_separator(line: str, separator: str) -> None:
    assert header_separator(line) == separator


def test_lines_separator_needs_the_same_width_on_every_line() -> None:
    # Commas inside prices would split lines unevenly; the tab splits each into two.
    lines = ["회원ID\t가격", "M1\t₩12,900", "M2\t₩1,200,000", "M3\t900"]
    assert lines_separator(lines) == "\t"
    assert lines_separator(["a", "b"]) == ","


def test_import_readiness_and_prepare_read_one_korean_tab_export_alike(tmp_path: Path) -> None:
    path = tmp_path / "orders.tsv"
    path.write_bytes("회원ID\t상품코드\tTIMESTAMP\nM1\tP1\t1700000000\n".encode("cp949"))
    layout = detect(path)
    assert (layout.encoding, layout.delimiter) == ("cp949", "\t")
    assert layout.header == ("회원ID", "상품코드", "TIMESTAMP")
    sniffed, findings = sniff(path)
    assert sniffed is not None and sniffed.delimiter == "\t"
    assert [f.code for f in findings] == ["wrong_separator"]
    schema = parse_schema(INTERACTIONS_SCHEMA)
    # Personalize reads UTF-8 only: the import names the first CP949 byte; the same export in
    # UTF-8 gets as far as the separator.
    with pytest.raises(ImportFailed, match="not valid UTF-8: byte 0xBF at byte offset 2"):
        read_dataset_csv(path, schema, "Interactions")
    path.write_bytes(path.read_bytes().decode("cp949").encode("utf-8"))
    with pytest.raises(ImportFailed, match="separated by a tab; Personalize needs commas"):
        read_dataset_csv(path, schema, "Interactions")
    utf8 = sniff(path)[0]
    assert detect(path).encoding == "utf-8" and utf8 is not None
    assert (utf8.delimiter, utf8.header) == ("\t", layout.header)


def test_a_gzip_export_is_prepared_but_refused_by_the_import_and_the_check(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress(KOREAN.encode("cp949")))
    layout = detect(path)
    assert (layout.compression, layout.encoding) == ("gzip", "cp949")
    _, findings = sniff(path)
    assert [f.code for f in findings] == ["binary_file"]
    assert "gzip archive" in findings[0].detail
    schema = parse_schema(INTERACTIONS_SCHEMA)
    with pytest.raises(ImportFailed, match="gzip-compressed"):
        read_dataset_csv(path, schema, "Interactions")
