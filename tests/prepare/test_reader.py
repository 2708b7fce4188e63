"""Reading raw files: encodings in a fixed order, delimiters, gzip, and line numbers."""

import gzip

import pytest

from services.prepare import RawFileError, detect, reader
from services.prepare.reader import iter_chunks

TEXT = "회원ID,상품코드\nK1,상품1\n"
LATIN = "Kunde,Artikel\nMüller,Käse\n"


@pytest.mark.parametrize(
    ("data", "encoding", "first"),
    [
        (TEXT.encode("utf-8"), "utf-8", "회원ID"),
        (TEXT.encode("utf-8-sig"), "utf-8-sig", "회원ID"),
        (TEXT.encode("cp949"), "cp949", "회원ID"),
        (TEXT.encode("euc-kr"), "cp949", "회원ID"),  # EUC-KR is a subset of CP949
        (LATIN.encode("latin-1"), "latin-1", "Kunde"),
        (LATIN.encode("utf-8"), "utf-8", "Kunde"),
    ],
)
def test_encoding_is_the_first_that_decodes_the_whole_file(tmp_path, data, encoding, first):
    path = tmp_path / "raw.csv"
    path.write_bytes(data)
    layout = detect(path)
    assert layout.encoding == encoding
    assert layout.header[0] == first
    (chunk,) = iter_chunks(path, layout, layout.header)
    assert chunk.frame.iloc[0, 1] in ("상품1", "Käse")


def test_a_late_non_utf8_byte_still_selects_the_fallback(tmp_path):
    path = tmp_path / "raw.csv"
    rows = "".join(f"u{i},i{i}\n" for i in range(200_000))
    path.write_bytes(("a,b\n" + rows).encode() + "Müller,x\n".encode("latin-1"))
    assert detect(path).encoding == "latin-1"


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_delimiter_is_detected(tmp_path, delimiter):
    path = tmp_path / "raw.txt"
    path.write_text(delimiter.join(["user", "item", "when"]) + "\n" + delimiter.join("abc") + "\n")
    layout = detect(path)
    assert layout.delimiter == delimiter
    assert layout.header == ("user", "item", "when")


def test_gzip_and_jsonl_are_recognised_by_content(tmp_path):
    path = tmp_path / "events.data"
    path.write_bytes(gzip.compress(b'{"u": "a", "i": 1}\n{"u": "b", "i": 2}\n'))
    layout = detect(path)
    assert (layout.format, layout.compression) == ("jsonl", "gzip")
    (chunk,) = iter_chunks(path, layout, ["i", "u"])
    assert chunk.frame["u"].tolist() == ["a", "b"] and chunk.lines.tolist() == [1, 2]


@pytest.mark.parametrize("piece_bytes", [32 << 20, 64, 100])
def test_line_numbers_survive_pieces_chunks_and_malformed_rows(tmp_path, monkeypatch, piece_bytes):
    monkeypatch.setattr(reader, "_PIECE_BYTES", piece_bytes)  # many pieces of a small file
    path = tmp_path / "raw.csv"
    lines = ["u,i"] + [f"u{k},i{k}" if k % 7 else f"u{k},i{k},extra" for k in range(2, 60)]
    path.write_text("\n".join(lines) + "\n")
    layout = detect(path)
    got, bad = [], []
    for chunk in iter_chunks(path, layout, ["u"], chunk_rows=5):
        got += list(zip(chunk.lines.tolist(), chunk.frame["u"].tolist(), strict=True))
        bad += [line for line, _, _ in chunk.malformed]
    assert all(u == f"u{line}" for line, u in got)
    assert bad == [k for k in range(2, 60) if k % 7 == 0]
    assert len(got) + len(bad) == 58


def test_unreadable_files_say_why(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(RawFileError, match="empty"):
        detect(empty)
    path = tmp_path / "raw.csv"
    path.write_text("user,item\na,b\n")
    with pytest.raises(RawFileError, match="no column 'when'; its columns are user, item"):
        next(iter_chunks(path, detect(path), ["user", "when"]))
    with pytest.raises(FileNotFoundError):
        detect(tmp_path / "missing.csv")
