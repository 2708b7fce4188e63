"""Read a raw export in chunks: CSV/TSV (any common delimiter and encoding, gzip or not),
Parquet, or JSON Lines, each row with the line it came from.

Parsing is pyarrow's (CSV, Parquet) and pandas' (JSON Lines); this module only decides how to
call them. The encoding is found by decoding the whole file with each candidate in turn, in a
fixed order: UTF-8 (a BOM selects ``utf-8-sig``), then CP949 (a superset of EUC-KR, the
usual Korean export encoding), then Latin-1, which decodes any bytes and so comes last.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from services.i18n import N_, _
from services.local.rules.csv_sniff import ENCODINGS, binary_kind, decoding, lines_separator

from .mapping import Source
from .reject_reasons import BLANK_LINE, MALFORMED, reject_reason

CHUNK_ROWS = 200_000
_BLOCK_BYTES = 8 << 20
_PIECE_BYTES = 16 << 20
_SAMPLE_BYTES = 64 << 10


class RawFileError(ValueError):
    """The raw file cannot be read as given (format, encoding or header problem)."""


# A mapping naming columns the file does not have: English for the CLI and a run's record,
# the reader's language on the pages (``missing_columns_text``).
_MISSING = N_("{file} has no column {absent}; its columns are {columns}")


class MissingColumns(RawFileError):
    """The mapping reads columns the raw file does not have; ``values`` (file, absent,
    columns: text) fill its template, which a refresh run stores with its check step."""

    def __init__(self, file: str, absent: Sequence[str], header: Sequence[str]) -> None:
        self.values = {
            "file": file,
            "absent": ", ".join(map(repr, absent)),
            "columns": ", ".join(header),
        }
        super().__init__(_MISSING.format(**self.values))


def missing_columns_text(values: Mapping[str, str]) -> str:
    """``MissingColumns``' sentence in the reader's language, from its stored ``values``.

    Raises:
        KeyError: ``values`` lack one of file, absent, columns.
    """
    return _(_MISSING).format(**values)


@dataclass(frozen=True)
class RawLayout:
    """How a raw file is read: format, compression, encoding, delimiter and its columns."""

    format: str  # csv, parquet, jsonl
    compression: str | None  # gzip or None
    encoding: str | None  # None for Parquet
    delimiter: str | None  # CSV only
    header: tuple[str, ...]
    multiline: bool = False  # CSV values span lines (quoted newlines) in the sample


@dataclass
class RawChunk:
    """Rows read, the line each came from, and the rows that could not be parsed."""

    frame: pd.DataFrame
    lines: np.ndarray  # int64, one per row of frame
    malformed: list[tuple[int, str, str]] = field(default_factory=list)  # (line, reason, text)


def _open(path: Path, compression: str | None) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if compression == "gzip" else path.open("rb")


def _encoding(path: Path, compression: str | None) -> str:
    """The first of ENCODINGS that decodes the whole file (utf-8-sig when it has a BOM)."""

    def blocks() -> Iterator[bytes]:
        with _open(path, compression) as f:
            while block := f.read(_BLOCK_BYTES):
                yield block

    return decoding(blocks, ENCODINGS)


def _sample_lines(path: Path, compression: str | None, encoding: str) -> list[str]:
    with _open(path, compression) as f:
        raw = f.read(_SAMPLE_BYTES)
    text = raw.decode(encoding, errors="ignore")
    lines = text.splitlines()
    return lines[:-1] if len(raw) == _SAMPLE_BYTES and len(lines) > 1 else lines


def detect(path: str | Path, source: Source | None = None) -> RawLayout:
    """Find how to read ``path``; explicit ``source`` settings win over detection.

    Raises:
        FileNotFoundError: no such file.
        RawFileError: an empty file, or a file without a usable header.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    source = source or Source()
    with path.open("rb") as f:
        magic = f.read(4)
    if not magic:
        raise RawFileError(f"{path.name} is empty (0 bytes)")
    fmt = source.format
    kind = binary_kind(magic)
    if fmt in ("auto", "parquet") and kind == "parquet":
        names = tuple(pq.ParquetFile(path).schema_arrow.names)
        return RawLayout("parquet", None, None, None, names)
    if fmt == "parquet":
        raise RawFileError(f"{path.name} is not a Parquet file (no PAR1 magic bytes)")
    compression = "gzip" if kind == "gzip" else None
    with _open(path, compression) as f:
        head = f.read(_SAMPLE_BYTES)
    # Text exports never hold NUL bytes (UTF-16 exports, which do, are not supported either);
    # without this check latin-1 would decode an image or a zip into one nonsense column.
    if b"\x00" in head:
        raise RawFileError(
            f"{path.name} is not a text file (it contains NUL bytes): give a CSV/TSV, JSON "
            "Lines (UTF-8, CP949/EUC-KR or Latin-1, gzip or not) or a Parquet file"
        )
    encoding = _encoding(path, compression) if source.encoding == "auto" else source.encoding
    lines = _sample_lines(path, compression, encoding)
    first = next((line for line in lines if line.strip()), "")
    if fmt == "jsonl" or (fmt == "auto" and first.lstrip("\ufeff ").startswith("{")):
        frame = pd.read_json(io.StringIO("\n".join(lines[:50])), lines=True, dtype=False)
        return RawLayout("jsonl", compression, encoding, None, tuple(map(str, frame.columns)))
    delimiter = lines_separator(lines) if source.delimiter == "auto" else source.delimiter
    header = next(csv.reader([lines[0].lstrip("\ufeff")], delimiter=delimiter), []) if lines else []
    header = [h.strip() for h in header]
    if not header or not any(header):
        raise RawFileError(f"{path.name} has no header line (the first line is empty)")
    missing = [i + 1 for i, h in enumerate(header) if not h]
    if missing:
        raise RawFileError(f"{path.name}: header columns {missing} have no name")
    records = sum(1 for _ in csv.reader(lines, delimiter=delimiter))
    multiline = records < len(lines)
    return RawLayout("csv", compression, encoding, delimiter, tuple(header), multiline)


def _pieces(path: Path, layout: RawLayout) -> Iterator[tuple[pa.Buffer | pa.NativeFile, int]]:
    """(input, lines before it): the file in pieces of about _PIECE_BYTES cut after a newline.

    pyarrow's streaming CSV reader reads its whole input ahead, so memory would grow with the
    file; fed piece by piece it stays bounded. A file whose values span lines cannot be cut
    safely without parsing it: it is read in one piece (such files are item catalogues with
    descriptions, small next to event logs).
    """
    if layout.multiline:
        yield pa.input_stream(str(path), compression=layout.compression), 0
        return
    lines = 0
    rest = b""
    with _open(path, layout.compression) as f:
        while block := f.read(_PIECE_BYTES):
            data = rest + block
            cut = data.rfind(b"\n") + 1  # "\n" is never inside a multi-byte CP949/UTF-8 char
            if not cut:
                rest = data
                continue
            yield pa.py_buffer(data[:cut]), lines
            lines += data.count(b"\n", 0, cut)
            rest = data[cut:]
    if rest:
        yield pa.py_buffer(rest), lines


def _batches(
    path: Path, layout: RawLayout, columns: Sequence[str], malformed: list[tuple[int, str, str]]
) -> Iterator[pa.RecordBatch]:
    """Record batches of ``columns``; rows that do not parse go to ``malformed`` (file lines)."""
    width = len(layout.header)
    offset = 0

    def invalid(row: pacsv.InvalidRow) -> str:
        text = row.text or ""
        reason = (
            reject_reason(BLANK_LINE)
            if not text.strip()
            else reject_reason(MALFORMED, fields=row.actual_columns, width=width)
        )
        malformed.append((int(row.number) + offset, reason, text))
        return "skip"

    for source, offset in _pieces(path, layout):
        yield from pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(
                encoding=layout.encoding or "utf8",
                column_names=[f"c{i}" for i in range(width)],
                skip_rows=1 if offset == 0 else 0,
                block_size=_BLOCK_BYTES,
                use_threads=False,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=layout.delimiter or ",",
                newlines_in_values=layout.multiline,
                ignore_empty_lines=False,
                invalid_row_handler=invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(width)},
                include_columns=[f"c{layout.header.index(c)}" for c in columns],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )


def _csv_chunks(
    path: Path, layout: RawLayout, columns: Sequence[str], chunk_rows: int
) -> Iterator[RawChunk]:
    malformed: list[tuple[int, str, str]] = []
    line = 2  # the header is line 1
    consumed = 0  # malformed rows already placed among the line numbers
    seen = 0  # malformed rows already handed out with a chunk
    pending: list[pd.DataFrame] = []
    pending_lines: list[np.ndarray] = []
    buffered = 0
    for batch in _batches(path, layout, columns, malformed):
        n = batch.num_rows
        skips = np.asarray(sorted(m[0] for m in malformed[consumed:]), dtype=np.int64)
        candidates = np.arange(line, line + n + len(skips), dtype=np.int64)
        lines = candidates[~np.isin(candidates, skips)][:n] if len(skips) else candidates
        if n:
            consumed += int((skips <= lines[-1]).sum())
            line = int(lines[-1]) + 1
        frame = batch.to_pandas()
        frame.columns = list(columns)
        pending.append(frame)
        pending_lines.append(lines)
        buffered += n
        if buffered >= chunk_rows:
            yield RawChunk(_concat(pending), np.concatenate(pending_lines), malformed[seen:])
            seen = len(malformed)
            pending, pending_lines, buffered = [], [], 0
    if pending or len(malformed) > seen:
        frame = _concat(pending) if pending else pd.DataFrame(columns=list(columns), dtype="str")
        lines = np.concatenate(pending_lines) if pending_lines else np.zeros(0, dtype=np.int64)
        yield RawChunk(frame, lines, malformed[seen:])


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def iter_chunks(
    path: str | Path,
    layout: RawLayout,
    columns: Sequence[str],
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[RawChunk]:
    """The ``columns`` of the file, about ``chunk_rows`` rows at a time.

    Lines: the record's line for CSV (header = line 1; a quoted value spanning several lines
    counts as one, as in pyarrow's row numbers); the row number (from 1) for Parquet and
    JSON Lines. CSV columns come as text, exactly as written.

    Raises:
        RawFileError: a column missing from the file, or bytes that are not in the encoding.
    """
    path = Path(path)
    absent = [c for c in columns if c not in layout.header]
    if absent:
        raise MissingColumns(path.name, absent, layout.header)
    try:
        if layout.format == "csv":
            yield from _csv_chunks(path, layout, columns, chunk_rows)
            return
        start = 1
        if layout.format == "parquet":
            frames: Iterator[pd.DataFrame] = (
                b.to_pandas()
                for b in pq.ParquetFile(path).iter_batches(chunk_rows, columns=list(columns))
            )
        else:
            frames = (
                f.reindex(columns=list(columns))
                for f in pd.read_json(
                    path,
                    lines=True,
                    dtype=False,
                    chunksize=chunk_rows,
                    encoding=layout.encoding,
                    compression=layout.compression,
                )
            )
        for frame in frames:
            lines = np.arange(start, start + len(frame), dtype=np.int64)
            start += len(frame)
            yield RawChunk(frame.reset_index(drop=True), lines)
    except (pa.ArrowInvalid, UnicodeDecodeError, ValueError) as err:
        if isinstance(err, RawFileError):
            raise
        raise RawFileError(f"{path.name} could not be read as {layout.format}: {err}") from err


def preview(path: str | Path, layout: RawLayout, rows: int = 20) -> pd.DataFrame:
    """The first ``rows`` rows, every column, as read (with a ``line`` column first)."""
    chunk = next(iter_chunks(path, layout, layout.header, chunk_rows=rows), None)
    if chunk is None:
        return pd.DataFrame(columns=["line", *layout.header])
    frame = chunk.frame.head(rows).copy()
    frame.insert(0, "line", chunk.lines[: len(frame)])
    return frame
