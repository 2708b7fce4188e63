"""What the first bytes of a data file say, decided in one place for every reader of CSVs.

The engine's import (``services.local.data.imports.importer``), the readiness check
(``services.readiness.reader``) and raw-export preparation (``services.prepare.reader``) each
read CSVs under their own rules: the import and the readiness check hold a file to what
Personalize accepts (UTF-8 without a byte order mark, commas), preparation accepts what shops
export (UTF-8, CP949/EUC-KR or Latin-1, any common separator, gzip). What a file *is* does not
depend on the reader: its binary signature, its byte order mark, the encodings that decode it
and its separator are found here, and each reader words its own verdict.

It lives in the engine's public rules (``services.local.rules``) because the engine never
imports upward (services → services.local, not back); no dependency beyond the standard
library, so readiness and prepare reuse it without touching the engine's storage.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterable, Sequence

UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# Signatures of files people export by mistake instead of CSV text, by kind.
MAGIC = {
    b"\x1f\x8b": "gzip",
    b"PK\x03\x04": "zip",  # an .xlsx workbook is one
    b"PAR1": "parquet",
    b"%PDF": "pdf",
    b"SQLite format 3": "sqlite",
    b"\xd0\xcf\x11\xe0": "xls",  # an old Excel workbook (OLE2)
}

# Tried in this order; Latin-1 decodes any bytes, so it comes last. CP949 is a superset of
# EUC-KR, the usual encoding of Korean exports.
ENCODINGS = ("utf-8", "cp949", "latin-1")

SEPARATORS = {",": "comma", "\t": "tab", ";": "semicolon", "|": "vertical bar"}


def binary_kind(head: bytes) -> str | None:
    """The kind of non-text file ``head`` (its first bytes) starts like: a key of ``MAGIC``,
    ``"utf-16"`` for a UTF-16 byte order mark, or None when it may be text."""
    for magic, kind in MAGIC.items():
        if head.startswith(magic):
            return kind
    if head.startswith(UTF16_BOMS):
        return "utf-16"
    return None


def decoding(blocks: Callable[[], Iterable[bytes]], candidates: Sequence[str] = ENCODINGS) -> str:
    """The first of ``candidates`` that decodes every block ``blocks()`` yields (called once
    per candidate, so a file is read again rather than held); ``"utf-8-sig"`` for UTF-8 that
    starts with a byte order mark.

    Raises:
        UnicodeDecodeError: no candidate decodes the bytes (never with Latin-1 among them).
    """
    failure: UnicodeDecodeError | None = None
    for name in candidates:
        decoder = codecs.getincrementaldecoder(name)()
        first = b""
        try:
            for block in blocks():
                first = first or block[:3]
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as err:
            failure = err
            continue
        return "utf-8-sig" if name == "utf-8" and first.startswith(UTF8_BOM) else name
    assert failure is not None, "no encodings to try"
    raise failure


def header_separator(line: str) -> str:
    """The separator of a header line as Personalize reads it: a comma when the line has one,
    else the most frequent of tab, semicolon and vertical bar, else a comma (one column)."""
    if "," in line:
        return ","
    counts = {sep: line.count(sep) for sep in (";", "\t", "|")}  # a tie goes to the first
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def lines_separator(lines: Sequence[str]) -> str:
    """The separator splitting the first 200 non-blank ``lines`` into the most columns, the
    same number on every line (a comma when none does better than one column)."""
    best, width = ",", 1
    sample = [line for line in lines[:200] if line.strip()]
    for candidate in SEPARATORS:
        widths = {len(row) for row in csv.reader(sample, delimiter=candidate)}
        if len(widths) == 1 and (n := widths.pop()) > width:
            best, width = candidate, n
    return best
