"""Read a Personalize bulk-import CSV and check it strictly against the dataset's schema.

The file is parsed by pyarrow with every column as a string, then each column is validated and
converted with vectorised pyarrow compute into the schema's Arrow type; only when a check fails
do we go back to find the offending row, so good files stay fast (a fraction of a second per
million interactions). Nothing goes through pandas. Columns are read as strings rather than
with pyarrow's numeric types because pyarrow's number parsing is more lenient than a strict
check should be (it trims spaces and reads "0x10" as 16).

Error messages become a DatasetImportJob's ``failureReason``. They name the *data row* (1-based,
the header not counted) and the file line it starts on, plus the column: "data row 14 (line 15),
column TIMESTAMP: '1.7e12' is not an integer number of seconds".

Decisions where Personalize's behaviour is not documented:
- A UTF-8 byte-order mark is rejected, as the readiness check does: Personalize's importer
  would read it as part of the first column's name, and saving without it costs nothing.
- Columns are matched to schema fields by name, in any order; nullable fields may be absent.
- Blank lines are skipped. Values are not trimmed: " u1" and "u1" are different IDs.
- Interactions duplicates on (USER_ID, ITEM_ID, TIMESTAMP) keep the first row (as Personalize
  drops them); Items/Users rows repeating an ID keep the last one (upsert semantics). Both are
  counted in ``duplicates_dropped``.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from services.local.data.imports.import_columns import ARROW_TYPES, ImportFailed, convert
from services.local.data.imports.rows import (
    PIECE_ROWS,
    dictionary_codes,
    dictionary_encode,
    first_interactions_by_user,
    first_interactions_keyed,
    last_per_key,
    user_parts,
    user_time_keys,
)
from services.local.data.schemas import AvroSchema, SchemaError, normalize_dataset_type
from services.local.models.recipes.base import INTERACTION_COLUMNS
from services.local.rules.csv_sniff import UTF8_BOM, binary_kind, header_separator

_ID_FIELDS = {
    "Interactions": ("USER_ID", "ITEM_ID"),
    "Items": ("ITEM_ID",),
    "Users": ("USER_ID",),
    "Actions": ("ACTION_ID",),
    "Action_Interactions": ("USER_ID", "ACTION_ID"),
}
_HEADER_PREFIX = 1 << 20  # bytes; far more than any header
_SCAN_BYTES = 8 << 20  # the block of the pass over the bytes before the parse (``_scan``)
_BLOCK_BYTES = 1 << 20  # pyarrow's read block (its default): a record must fit in one
# a quoted file from this size is parsed in pieces on every core (``_parse_pieces``)
PARALLEL_PARSE_BYTES = 8 << 20


@dataclass(frozen=True)
class ImportedData:
    """A validated, typed dataset file.

    Attributes:
        table: one column per schema field, typed by the schema (string, int64, float64,
            bool; empty values of nullable fields are null). Items and Users rows are in file
            order. Interactions have INTERACTION_COLUMNS first (EVENT_TYPE "" and EVENT_VALUE
            null when the file has none), USER_ID and EVENT_TYPE dictionary-encoded, and come
            grouped by user, oldest first, as the bulk store keeps them (file order among
            rows of one user and time).
        rows_read: data rows in the file (header and blank lines not counted).
        duplicates_dropped: rows removed as duplicates (see the module docstring).
    """

    table: pa.Table
    rows_read: int
    duplicates_dropped: int


def read_dataset_csv(path: Path, schema: AvroSchema, dataset_type: str) -> ImportedData:
    """Read ``path`` as a bulk CSV for a dataset of ``dataset_type`` with ``schema``.

    Args:
        path: the CSV file, with a header row.
        schema: the dataset's parsed schema.
        dataset_type: Interactions, Items or Users (case-insensitive).

    Raises:
        ImportFailed: with a message naming the row, the column and what is wrong.
    """
    try:
        kind = normalize_dataset_type(dataset_type)
    except SchemaError as err:
        raise ImportFailed(str(err)) from err
    # The file's bytes and the parsed strings the checks replaced (the times; the IDs and
    # event types now hashed) are let go on return, before the rows are sorted: the import's
    # peak memory no longer holds them, and the sort's pyarrow arrays reuse their pages.
    columns, rows_read = _checked_columns(Path(path), schema, kind)
    out = _assemble(columns, schema, kind, rows_read)
    out, dropped = _drop_duplicates(out, kind)
    return ImportedData(table=out, rows_read=rows_read, duplicates_dropped=dropped)


def _checked_columns(
    path: Path, schema: AvroSchema, kind: str
) -> tuple[dict[str, pa.Array | pa.ChunkedArray], int]:
    """The file's columns checked and converted (Interactions' USER_ID and EVENT_TYPE
    dictionary-encoded), and its number of data rows; see ``read_dataset_csv``."""
    path = Path(path)
    try:
        with path.open("rb"):  # the refusals of a missing file or a folder, as Python names them
            pass
    except FileNotFoundError as err:
        raise ImportFailed(f"input file {path} does not exist") from err
    except IsADirectoryError as err:
        raise ImportFailed(f"input {path} is a directory, not a CSV file") from err
    # One open file for the scan, the parse and any error's row: what is checked is what is read.
    with pa.OSFile(str(path)) as source:
        scan = _scan(source)
        header = _read_header(scan.header_text)
        _check_header(header, schema, kind)
        locate = _Locator(source)
        table = _parse(source, header, locate, quoted=scan.quoted)
        if table.num_rows == 0:
            raise ImportFailed("the file has a header but no data rows")

        present = {f.name: f for f in schema.fields if f.name in header}
        ids = set(_ID_FIELDS[kind])

        # Interactions' USER_ID and EVENT_TYPE repeat: as dictionaries they sort (take) and
        # store several times cheaper (with runs: USER_ID's rows come in runs of a user's
        # events; few: EVENT_TYPE has a handful of values)
        encoded = {"USER_ID": "runs", "EVENT_TYPE": "few"} if kind == "Interactions" else {}

        def checked(name: str) -> pa.Array | pa.ChunkedArray:
            # The parsed chunks as they come: joining them first copied every column into
            # fresh memory, whose pages cost more to fault in than the checks themselves.
            col = convert(table.column(name), present[name], is_id=name in ids, where=locate)
            if name in encoded:  # hashed in one piece while other cores check other columns
                how = encoded[name]
                return dictionary_encode(col, 1, runs=how == "runs", few=how == "few")
            if kind == "Interactions" and name == "ITEM_ID" and isinstance(col, pa.ChunkedArray):
                # joined here, once, while USER_ID is hashed: each core's gather of the rows
                # in order (``_drop_duplicates``) would otherwise join them again for itself
                # (pyarrow's take of a chunked column joins its chunks first)
                return col.combine_chunks()
            return col

        # The columns are checked on every core at once (pyarrow's kernels release the GIL);
        # a file with several bad columns is refused for the first of them in schema order,
        # as a column-by-column check would refuse it.
        with ThreadPoolExecutor(max_workers=_cores()) as pool:
            futures = {name: pool.submit(checked, name) for name in present}
            columns = {name: future.result() for name, future in futures.items()}
    return columns, table.num_rows


# --- bytes and text ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scan:
    """What one pass over a file's bytes found (``_scan``)."""

    header_text: str  # the file's start, decoded: enough for the header
    quoted: bool  # a quote character anywhere: values may then hold line breaks


def _scan(source: pa.NativeFile) -> _Scan:
    """Refuse a file that is empty, binary, has a NUL byte or a byte-order mark, starts with
    bytes that are not UTF-8, or holds nothing but blank lines, as the import always has (in
    that order of checks); else the header's text and whether the file has quotes.

    One pass over ``source`` in blocks read into one buffer, reused: the file is never held
    whole (217 MiB of fresh memory for 6,000,000 interactions, most of the import's reading
    time). The rest of the file is checked to be UTF-8 while pyarrow parses it.
    """
    size = source.size()
    if size == 0:
        raise ImportFailed(
            "the file is empty (0 bytes); expected a CSV with a header row and data rows"
        )
    buffer = bytearray(min(size, _SCAN_BYTES))
    first = b""
    nul, quoted, content, offset = -1, False, False, 0
    while True:
        got = source.readinto(buffer)
        if got == 0:
            break
        block = memoryview(buffer)[:got]
        if offset == 0:
            first = bytes(block)
        if nul < 0:
            found = buffer.find(b"\x00", 0, got)
            nul = offset + found if found >= 0 else -1
        quoted = quoted or buffer.find(b'"', 0, got) >= 0
        content = content or re.search(rb"\S", block) is not None
        offset += got
    source.seek(0)
    _reject_binary(first[:16], nul)
    if first.startswith(UTF8_BOM):
        raise ImportFailed(
            "the file starts with a UTF-8 byte-order mark (BOM), which would become part of the "
            "first column's name; save the file as UTF-8 without a BOM"
        )
    header_text = _decode_prefix(first, size)
    if not content:
        raise ImportFailed("the file has no content (only blank lines)")
    return _Scan(header_text, quoted)


# What the import says of each binary kind csv_sniff recognises (the others, PDF, SQLite and
# old Excel, hold NUL bytes and are refused as binary below).
_BINARY = {
    "utf-16": "the file is UTF-16 encoded (it starts with a UTF-16 byte-order mark); save it "
    "as UTF-8",
    "gzip": "the file is gzip-compressed; decompress it to a plain UTF-8 CSV",
    "zip": "the file is a ZIP archive (e.g. .xlsx); export it as a UTF-8 CSV",
    "parquet": "the file is Parquet; the import needs a UTF-8 CSV",
}


def _reject_binary(head: bytes, nul: int) -> None:
    """Refuse a file starting with ``head`` whose first NUL byte is at offset ``nul`` (-1:
    none)."""
    kind = binary_kind(head)
    if kind in _BINARY:
        raise ImportFailed(_BINARY[kind])
    if nul >= 0:
        raise ImportFailed(
            f"the file looks binary (NUL byte at byte offset {nul}); expected a UTF-8 CSV text file"
        )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise ImportFailed(
            f"the file is not valid UTF-8: byte 0x{data[err.start]:02X} at byte offset "
            f"{err.start} (line {line}) cannot be decoded; save the file as UTF-8"
        ) from err


def _decode_prefix(first: bytes, size: int) -> str:
    """The start of the file as text, enough for the header (a character cut at the end is
    left out), from ``first``, the file's first bytes (more than ``_HEADER_PREFIX`` of them
    when the file has more), of a file of ``size`` bytes.

    A bad byte within the prefix is named as a decoding of the whole file would name it: the
    first undecodable byte is the first the whole decoding meets too, and whether it can be
    decoded depends on at most the three bytes after it, within ``first``.
    """
    prefix = first[:_HEADER_PREFIX]
    try:
        return prefix.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.reason == "unexpected end of data" and len(prefix) < size:
            return prefix[: err.start].decode("utf-8")
        return _decode(first)  # raises, naming the bad byte


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first file line, values) of every non-blank CSV record, header included."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    prev = 0
    try:
        for row in reader:
            start, prev = prev + 1, reader.line_num
            if row:
                yield start, row
    except csv.Error as err:
        raise ImportFailed(f"line {reader.line_num}: malformed CSV ({err})") from err


def _read_header(text: str) -> list[str]:
    # The header is the first record: parse a prefix, not a copy of a file of gigabytes.
    _, header = next(_records(text))
    separator = header_separator(header[0]) if len(header) == 1 else ","
    if separator in (";", "\t"):
        sep = "';'" if separator == ";" else "a tab"
        raise ImportFailed(
            f"the header {header[0]!r} looks separated by {sep}; Personalize needs commas"
        )
    for pos, name in enumerate(header, start=1):
        if name == "":
            raise ImportFailed(f"header column {pos} has no name (a trailing comma?)")
    dupes = sorted({n for n in header if header.count(n) > 1})
    if dupes:
        raise ImportFailed(f"header names column(s) {', '.join(dupes)} more than once")
    return header


def _check_header(header: list[str], schema: AvroSchema, kind: str) -> None:
    names = schema.field_names
    problems: list[str] = []
    missing = [f.name for f in schema.fields if not f.nullable and f.name not in header]
    if missing:
        problems.append(f"missing required column(s) {', '.join(missing)}")
    for col in header:
        if col not in names:
            problems.append(f"unknown column {col!r}{_column_hint(col, names)}")
    id_fields = _ID_FIELDS.get(kind, ())
    if kind in ("Items", "Users") and not problems and not set(header) - set(id_fields):
        # Personalize needs at least one metadata field; a file of bare IDs teaches nothing.
        problems.append(f"the file has no metadata column besides {', '.join(id_fields)}")
    if problems:
        if not set(header) & set(names):
            problems.append("the first row must be a header naming the schema fields")
        raise ImportFailed(
            f"the header does not match the {kind} schema ({', '.join(names)}): "
            + "; ".join(problems)
        )


def _column_hint(col: str, names: tuple[str, ...]) -> str:
    for name in names:
        if col.strip() == name:
            return f" (remove the spaces around {name})"
        if col.strip().upper() == name.upper():
            return f" (column names are case-sensitive: did you mean {name!r}?)"
    close = difflib.get_close_matches(col, names, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _parse(source: pa.NativeFile, header: list[str], locate: _Locator, *, quoted: bool) -> pa.Table:
    # Quoted values may span lines (textual fields): with quotes, pyarrow's parallel reader
    # must find each read block's last whole record by following the quotes from the file's
    # start, one pass over every byte on one core, which cost more CPU than reading a large
    # quoted file in pieces on every core (``_parse_pieces``), each by pyarrow's reader on
    # one core; the parallel reader reads it whole when a piece may not have started at a
    # record.
    try:
        if quoted and source.size() >= PARALLEL_PARSE_BYTES:
            table = _parse_pieces(source, header)
            if table is not None:
                return table
        source.seek(0)  # where the scan left it (the pieces are read by offset)
        return _read_csv(source, header, quoted=quoted)
    except pa.ArrowInvalid as err:
        _decode(locate.data())  # invalid UTF-8 is named with its byte offset and line
        _diagnose(locate.text(), len(header))
        raise ImportFailed(f"the file is not a valid CSV: {err}") from err


def _read_csv(
    source: pa.NativeFile,
    header: list[str],
    *,
    quoted: bool,
    names: bool = False,
    threads: bool = True,
) -> pa.Table:
    """pyarrow's parse of ``source`` from where it stands, every column a string; ``names``:
    the bytes start at a record after the header and its columns are ``header``; ``threads``:
    on every core.

    pyarrow reads in blocks (``_BLOCK_BYTES``), each ending after the last record it holds
    whole, the next starting there, and parses them at once. Without quotes no value holds a
    line break, so every line break ends a record. With quotes (``newlines_in_values``) a line
    break may be inside a value: pyarrow then finds a block's last whole record by following
    the quotes from the block's start, itself the start of a record (the file's, or where the
    block before ended), so no block is cut inside a value.
    """
    return pa_csv.read_csv(
        source,
        read_options=pa_csv.ReadOptions(
            column_names=header if names else None, use_threads=threads, block_size=_BLOCK_BYTES
        ),
        parse_options=pa_csv.ParseOptions(newlines_in_values=quoted, ignore_empty_lines=True),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=True,
        ),
    )


def _parse_pieces(
    source: pa.NativeFile, header: list[str], n: int | None = None
) -> pa.Table | None:
    """A quoted file read as ``n`` pieces (one per core), each starting right after a line
    break and read from the file by the core that parses it, block by block (the file is never
    held whole); the pieces' tables in order, or None when a piece may not have started at a
    record (the caller then reads the file whole).

    Why the result is the whole file's read. The first piece starts where the file does. A
    piece that starts at a record is read exactly as the whole file's read reads those bytes,
    and ends right after a line break; if pyarrow is outside quotes there, that line break
    ended a record, so the next piece starts at one too. If pyarrow is inside quotes there (a
    quoted value crosses the cut), it keeps every byte to the end of the piece in that value
    (an unterminated quote is not an error to pyarrow), so the piece's last value ends with
    the line break, or the piece's last row is short and pyarrow refuses it. A piece whose
    last value ends with a line break, or that pyarrow refuses, makes the reading start over
    whole: it may be a cut inside quotes (or a value that ends with a line break, which is
    rare and read correctly by the whole read). Byte offsets in a line break never fall
    inside a UTF-8 character, so each piece's UTF-8 check is the file's.
    """
    size = source.size()
    if n is None:
        n = max(1, min(_cores(), size // (PARALLEL_PARSE_BYTES // 2)))
    cuts = [0]
    for k in range(1, n):
        cut = _line_end(source, max(cuts[-1], size * k // n))
        if 0 < cut < size:
            cuts.append(cut)
    cuts.append(size)
    if len(cuts) < 3:
        return None

    def read(k: int) -> pa.Table | None:
        start, end = cuts[k], cuts[k + 1]
        try:  # a stream of the piece's bytes, read as it is parsed, by offset: no copy of it
            piece = source.get_stream(start, end - start)
            return _read_csv(piece, header, quoted=True, names=k > 0, threads=False)
        except pa.ArrowInvalid:
            return None

    with ThreadPoolExecutor(max_workers=_cores()) as pool:
        tables = list(pool.map(read, range(len(cuts) - 1)))
    for table in tables[:-1]:
        if table is None or (table.num_rows and _ends_with_line_break(table)):
            return None
    if tables[-1] is None:
        return None
    try:
        return pa.concat_tables(tables)
    except pa.ArrowInvalid:  # the first piece's header read differently: read it whole
        return None


def _line_end(source: pa.NativeFile, at: int) -> int:
    """The offset just past the first line break at or after ``at`` (0 when there is none)."""
    window = 1 << 16
    while at < source.size():
        found = source.read_at(window, at).find(b"\n")
        if found >= 0:
            return at + found + 1
        at += window
    return 0


def _cores() -> int:
    return os.cpu_count() or 1


def _ends_with_line_break(table: pa.Table) -> bool:
    """Whether the last row's last value ends with a line break (see ``_parse_pieces``)."""
    last = table.column(table.num_columns - 1)[-1].as_py()
    return isinstance(last, str) and last.endswith(("\n", "\r"))


def _diagnose(text: str, width: int) -> None:
    """Find the first ragged or malformed record with the csv module (slow, error path only)."""
    records = _records(text)
    next(records)
    for row_no, (line, row) in enumerate(records, start=1):
        if len(row) != width:
            raise ImportFailed(
                f"data row {row_no} (line {line}) has {len(row)} values but the header has "
                f"{width} columns (an unquoted comma in a value?)"
            )


class _Locator:
    """Turns a 0-based data-row index into 'data row N (line L)', reading the file (``source``,
    the import's open file) again then: only a refusal needs it."""

    def __init__(self, source: pa.NativeFile) -> None:
        self._source = source

    def data(self) -> bytes:
        """The file's bytes."""
        self._source.seek(0)
        return self._source.read()

    def text(self) -> str:
        """The file as text (valid UTF-8: checked before)."""
        return self.data().decode("utf-8")

    def __call__(self, index: int, column: str) -> str:
        line = "?"
        for row_no, (start, _) in enumerate(_records(self.text())):
            if row_no == index + 1:
                line = str(start)
                break
        return f"data row {index + 1} (line {line}), column {column}"


# --- assembling the table --------------------------------------------------------------------


def _assemble(
    columns: dict[str, pa.Array | pa.ChunkedArray], schema: AvroSchema, kind: str, n: int
) -> pa.Table:
    order = list(INTERACTION_COLUMNS) if kind == "Interactions" else []
    order += [name for name in schema.field_names if name not in order]
    out: dict[str, pa.Array | pa.ChunkedArray] = {}
    for name in order:
        if name in columns:
            out[name] = columns[name]
        elif name == "EVENT_TYPE":
            out[name] = pa.repeat(pa.scalar("", pa.string()), n)
        else:
            # A nullable field the file leaves out: all null, of the field's type.
            field = schema.get(name)
            type_ = ARROW_TYPES[field.type] if field is not None else pa.float64()
            out[name] = pa.nulls(n, type_)
    if kind == "Interactions" and "EVENT_TYPE" not in columns:
        out["EVENT_TYPE"] = dictionary_encode(out["EVENT_TYPE"], 1, few=True)  # as a file's
    return pa.table(out)


def _drop_duplicates(table: pa.Table, kind: str) -> tuple[pa.Table, int]:
    if kind == "Action_Interactions":
        return table, 0  # every Viewed / Taken / Not Taken event counts
    if kind == "Interactions":
        # Finding repeats needs the rows sorted by user and time, which is also the order
        # storage keeps them in: the rows leave in it.
        # The rows are grouped by user once; each run of whole users is then sorted by time
        # and gathered on a core of its own (numpy's sort and pyarrow's take release the
        # GIL); the runs in order are the rows in order.
        _, users = dictionary_codes(table.column("USER_ID"))
        items = table.column("ITEM_ID")
        keys = user_time_keys(users, table.column("TIMESTAMP"))
        if keys is None:  # times too far apart to share one integer with the users
            times = table.column("TIMESTAMP").to_numpy()
        at = table.schema.get_field_index("TIMESTAMP")
        others = table.remove_column(at)

        def gather(rows: np.ndarray) -> pa.Table:
            if keys is None:
                return table.take(pa.array(first_interactions_by_user(users, items, times, rows)))
            # the times in order come with the sort; the other columns are gathered
            order, in_order = first_interactions_keyed(keys, items, rows)
            out = others.take(pa.array(order))
            return out.add_column(at, table.schema.field(at), pa.array(in_order))

        parts = _cores() if table.num_rows >= 2 * PIECE_ROWS else 1
        with ThreadPoolExecutor(max_workers=parts) as pool:
            out = pa.concat_tables(pool.map(gather, user_parts(users, parts)))
        return out, table.num_rows - out.num_rows
    keep = last_per_key(table.column(_ID_FIELDS[kind][0]))
    if keep is None:
        return table, 0
    return table.filter(pa.array(keep)), int((~keep).sum())


__all__ = ["ImportFailed", "ImportedData", "read_dataset_csv"]
