"""Reading a CSV file in bounded blocks, with file-level checks along the way.

Each block (about `block_bytes`) ends on a line break outside quotes. pyarrow parses it
(multithreaded); when pyarrow's row count disagrees with the line count (ragged rows, blank
lines, quoted newlines), Python's csv module re-reads that block alone to get exact line
numbers. Memory is bounded by the block size, not the file size.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from services.i18n import N_, N_plural, _, formats, ngettext
from services.local.rules.csv_sniff import (
    ENCODINGS,
    SEPARATORS,
    UTF8_BOM,
    binary_kind,
    decoding,
    header_separator,
)

from .columns import RowLines, Tally
from .report import Finding
from .tally_checks import TallyCheck, tally_findings

csv.field_size_limit(max(csv.field_size_limit(), 1 << 26))

BLOCK_BYTES = 16 << 20
_HEAD_BYTES = 1 << 20
# How the report names each kind of binary file csv_sniff recognises.
_KINDS = {
    "gzip": N_("a gzip archive"),
    "zip": N_("a zip archive (an .xlsx workbook is one)"),
    "parquet": N_("a Parquet file"),
    "pdf": N_("a PDF document"),
    "sqlite": N_("an SQLite database"),
    "xls": N_("an old Excel (.xls) workbook"),
}
# csv_sniff's separators as the findings name them, in the reader's language.
_SEPARATOR_NAMES = {
    ",": N_("comma"),
    "\t": N_("tab"),
    ";": N_("semicolon"),
    "|": N_("vertical bar"),
}


@dataclass(frozen=True)
class CsvLayout:
    """What the first line says: column names, separator, where the data starts."""

    header: tuple[str, ...]
    delimiter: str
    data_offset: int
    # The header's first byte that is not UTF-8, as FileDefects.bad_utf8 holds one: (offset,
    # line 1, the bytes from it to the end of the line); None for a UTF-8 header.
    bad_header: tuple[int, int, bytes] | None = None


def _fatal(code: str, title: str, detail: str, fix: str) -> Finding:
    return Finding(code, "error", title, detail, fix)


def sniff(path: Path) -> tuple[CsvLayout | None, list[Finding]]:
    """File-level checks on the first bytes; None when the file cannot be read as CSV."""
    findings: list[Finding] = []
    size = path.stat().st_size
    if size == 0:
        return None, [
            _fatal(
                "empty_file",
                _("The file is empty"),
                _("The file has 0 bytes."),
                _("Export the data again; check the export job did not fail."),
            )
        ]
    with path.open("rb") as f:
        head = f.read(_HEAD_BYTES)
    kind = binary_kind(head)
    if kind in _KINDS:
        return None, [
            _fatal(
                "binary_file",
                _("Not a CSV file"),
                _("The file starts like {kind}, not text.").format(kind=_(_KINDS[kind])),
                _("Export the data as CSV (UTF-8, comma-separated)."),
            )
        ]
    if kind == "utf-16":
        return None, [
            _fatal(
                "not_utf8",
                _("The file is UTF-16, not UTF-8"),
                _("The file starts with a UTF-16 byte order mark."),
                _("Save it as UTF-8 (Excel: 'CSV UTF-8')."),
            )
        ]
    sample = head[:65536]
    control = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    if b"\x00" in sample or control > 0.01 * len(sample):
        nul = sample.find(b"\x00")
        where = (
            _("a NUL byte at offset {offset}").format(offset=nul)
            if nul >= 0
            else ngettext("{count} control byte", "{count} control bytes", control).format(
                count=formats.count(control)
            )
        )
        return None, [
            _fatal(
                "binary_file",
                _("The file is binary, not text"),
                ngettext(
                    "The first {count} byte contains {where}.",
                    "The first {count} bytes contain {where}.",
                    len(sample),
                ).format(count=formats.count(len(sample)), where=where),
                _("Export the data as CSV text (UTF-8, comma-separated)."),
            )
        ]
    start = 0
    if head.startswith(UTF8_BOM):
        start = len(UTF8_BOM)
        # Error, not warning: Personalize matches header names to schema fields exactly, and
        # readers that don't strip the BOM see the first column as "\ufeffUSER_ID", so the
        # import fails with a missing column. We cannot confirm the importer strips it, and
        # removing three bytes is cheap, so we block.
        findings.append(
            Finding(
                "utf8_bom",
                "error",
                _("The file starts with a UTF-8 byte order mark (BOM)"),
                _(
                    "The first 3 bytes are EF BB BF (Excel's 'CSV UTF-8' adds them); many "
                    "importers then read the first column name as {example}-like text, which no "
                    "longer matches the schema."
                ).format(example="'\\ufeff" + "USER_ID'"),
                _(
                    "Save without BOM (e.g. `sed -i '1s/^\\xEF\\xBB\\xBF//' FILE`, or pandas "
                    "to_csv(encoding='utf-8'))."
                ),
                (1,),
            )
        )
    end = head.find(b"\n", start)
    line = head[start:] if end < 0 else head[start:end]
    line = line.rstrip(b"\r")
    try:
        text = line.decode("utf-8")
        bad_header = None
    except UnicodeDecodeError as err:
        # Read as the encoding the not_utf8 finding names (CP949 for a Korean Excel export),
        # so the report shows the header's own names, not replacement characters; the finding
        # itself comes with the body's (FileDefects), this byte being the file's first.
        bad_header = (start + err.start, 1, line[err.start : err.start + 64])
        text = line.decode(legacy_encoding(path)[0], "replace")
    delimiter = header_separator(text)
    if delimiter != ",":
        name = _(_SEPARATOR_NAMES.get(delimiter, SEPARATORS[delimiter]))
        findings.append(
            Finding(
                "wrong_separator",
                "error",
                _("Columns are separated by {separator}s").format(separator=name),
                ngettext(
                    "The header has {count} {separator} and no comma; Personalize reads only "
                    "comma-separated files.",
                    "The header has {count} {separator}s and no comma; Personalize reads only "
                    "comma-separated files.",
                    text.count(delimiter),
                ).format(count=text.count(delimiter), separator=name),
                _(
                    "Export with commas as separators (the rest of this report reads the file "
                    "with the {separator} it uses)."
                ).format(separator=name),
                (1,),
            )
        )
    header = tuple(next(csv.reader([text], delimiter=delimiter), []))
    data_offset = size if end < 0 else end + 1
    return CsvLayout(header, delimiter, data_offset, bad_header), findings


# The names readiness gives to what csv_sniff.decoding finds (prepare's reading of the same
# file): (codec to show a byte with, iconv name, name for people). Latin-1 is decoding's catch-all
# for Western exports, which Excel writes as Windows-1252 (its superset for printable text).
_LEGACY_NAMES = {
    "cp949": ("cp949", "CP949", "CP949 (Korean)"),
    "latin-1": ("cp1252", "WINDOWS-1252", "Latin-1/Windows-1252"),
}


def legacy_encoding(path: Path) -> tuple[str, str, str]:
    """The legacy encoding a file that is not UTF-8 was saved in, as (Python codec, iconv
    name, name for people): the one prepare reads it with (``csv_sniff.decoding`` over the
    whole file, the encodings after UTF-8): CP949 for a Korean Excel export, else
    Windows-1252. Suggesting Windows-1252 for a CP949 file would have the user corrupt every
    Korean name, and CP949 for a Latin-1 file whose first odd byte pair happens to be a
    syllable would have ``iconv`` refuse it."""

    def blocks() -> Iterator[bytes]:
        with path.open("rb") as f:
            while block := f.read(BLOCK_BYTES):
                yield block

    legacy = tuple(e for e in ENCODINGS if e in _LEGACY_NAMES)
    return _LEGACY_NAMES[decoding(blocks, legacy)]


@dataclass
class FileDefects:
    """File-level problems found while streaming (ragged rows, encoding, …)."""

    ncols: int
    ragged: Tally = field(default_factory=Tally)
    ragged_fields: list[int] = field(default_factory=list)
    quoted_newlines: Tally = field(default_factory=Tally)
    quoted_columns: set[int] = field(default_factory=set)
    blank: Tally = field(default_factory=Tally)
    bad_utf8_blocks: int = 0
    bad_utf8: tuple[int, int, bytes] | None = None
    source: Path | None = None  # the file, to name its encoding as prepare reads it
    parse_error: tuple[int, str] | None = None

    def findings(self, header: tuple[str, ...]) -> list[Finding]:  # noqa: C901
        """Findings for the whole file."""
        out: list[Finding] = []
        if self.bad_utf8 is not None:
            offset, line, raw = self.bad_utf8
            codec, iconv_name, label = (
                legacy_encoding(self.source) if self.source else _LEGACY_NAMES["latin-1"]
            )
            guess = raw.decode(codec, "replace")[:1]  # the character the bad byte starts
            out.append(
                Finding(
                    "not_utf8",
                    "error",
                    _("The file is not valid UTF-8"),
                    _(
                        "Byte {byte} at offset {offset} (line {line}) is not valid UTF-8; as "
                        "{encoding} it would read {guess}, so the file was probably "
                        "saved in a legacy encoding. Personalize reads UTF-8 only."
                    ).format(
                        byte=f"0x{raw[0]:02X}",
                        offset=offset,
                        line=line,
                        encoding=label,
                        guess=repr(guess),
                    ),
                    _(
                        "Re-encode as UTF-8, e.g. `iconv -f {encoding} -t UTF-8 in.csv > out.csv`."
                    ).format(encoding=iconv_name),
                    (line,),
                )
            )
        shown = ", ".join(
            ngettext("line {line}: {count} field", "line {line}: {count} fields", n).format(
                line=r, count=n
            )
            for r, n in zip(self.ragged.rows, self.ragged_fields, strict=False)
        )
        cols = ", ".join(header[i] for i in sorted(self.quoted_columns) if i < len(header))
        out += tally_findings(
            self, _LINE_CHECKS, fields=self.ncols, shown=shown, columns=cols or "?"
        )
        if self.parse_error is not None:
            line, message = self.parse_error
            out.append(
                Finding(
                    "csv_parse_error",
                    "error",
                    _("The CSV cannot be parsed"),
                    _(
                        "Line {line}: {message}. Rows after this point in the same block were not "
                        "checked."
                    ).format(line=line, message=message),
                    _("Fix the quoting near this line."),
                    (line,),
                )
            )
        return out


# Lines the reader counts that the import would fail on or misread, in the order reported.
_LINE_CHECKS = (
    TallyCheck(
        "ragged",
        "ragged_rows",
        "error",
        N_("Rows with the wrong number of fields"),
        N_plural(
            "{count} row does not have the header's {fields} fields ({shown}); the "
            "import fails on it. This report skips it.",
            "{count} rows do not have the header's {fields} fields ({shown}); the "
            "import fails on them. This report skips them.",
        ),
        N_(
            "Quote values that contain the separator, and make every row have one value per column."
        ),
    ),
    TallyCheck(
        "quoted_newlines",
        "quoted_newlines",
        "warning",
        N_("Values contain line breaks"),
        N_plural(
            "{count} row has a quoted value spanning several lines (columns: "
            "{columns}). Valid CSV, but line-based tools (split, wc -l, grep) break "
            "such rows, and in an ID or categorical column it is usually a copy-paste "
            "error.",
            "{count} rows have a quoted value spanning several lines (columns: "
            "{columns}). Valid CSV, but line-based tools (split, wc -l, grep) break "
            "such rows, and in an ID or categorical column it is usually a copy-paste "
            "error.",
        ),
        N_("Replace line breaks inside values with spaces."),
    ),
    TallyCheck(
        "blank",
        "blank_lines",
        "warning",
        N_("Blank lines"),
        N_plural(
            "{count} line is empty; some importers read it as a row with empty IDs.",
            "{count} lines are empty; some importers read them as rows with empty IDs.",
        ),
        N_("Remove the empty lines."),
    ),
)


def _cut(buf: bytes) -> int:
    """Index just past the last line break outside double quotes (0 if none)."""
    pos = buf.rfind(b"\n")
    if pos < 0 or buf.find(b'"') < 0:
        return pos + 1
    parity = buf.count(b'"', 0, pos) % 2
    for _step in range(256):
        if parity == 0:
            return pos + 1
        prev = buf.rfind(b"\n", 0, pos)
        if prev < 0:
            return 0
        parity = (parity - buf.count(b'"', prev, pos)) % 2
        pos = prev
    return 0


def iter_blocks(
    path: Path,
    layout: CsvLayout,
    defects: FileDefects,
    block_bytes: int = BLOCK_BYTES,
    types: dict[int, pa.DataType] | None = None,
) -> Iterator[tuple[pa.Table, RowLines]]:
    """Yield (table c0…cN, line numbers) per block; columns are strings except `types`.

    A block whose values don't all parse as the given types is re-read as strings, so
    the column checks see (and report) the bad values.
    """
    names = [f"c{i}" for i in range(len(layout.header))]
    typed = {names[i]: t for i, t in (types or {}).items() if i < len(names)}
    line = 2
    offset = layout.data_offset
    carry = b""
    with path.open("rb") as f:
        f.seek(layout.data_offset)
        while True:
            raw = f.read(block_bytes)
            buf = carry + raw if carry else raw
            if not buf:
                return
            if raw:
                cut = _cut(buf)
                if cut == 0 and len(buf) > 4 * block_bytes:  # unbalanced quote: force a cut
                    cut = buf.rfind(b"\n") + 1 or len(buf)
                if cut == 0:
                    carry = buf
                    continue
                block, carry = buf[:cut], buf[cut:]
            else:
                block, carry = buf, b""
            newlines = block.count(b"\n")
            yield _parse(block, line, newlines, offset, names, typed, layout.delimiter, defects)
            line += newlines
            offset += len(block)


def _parse(
    block: bytes,
    line: int,
    newlines: int,
    offset: int,
    names: list[str],
    typed: dict[str, pa.DataType],
    delimiter: str,
    defects: FileDefects,
) -> tuple[pa.Table, RowLines]:
    """Fast path: pyarrow, typed then as strings; exact Python path if rows ≠ lines.

    pyarrow validates UTF-8 in string columns (numeric ones parsed, so are ASCII): only a
    block pyarrow rejects is decoded in Python to locate a bad byte.
    """
    lines = newlines + (0 if block.endswith(b"\n") else 1)
    invalid = 0

    def skip(_row: pacsv.InvalidRow) -> str:
        nonlocal invalid
        invalid += 1
        return "skip"

    quoted = b'"' in block
    for types in (typed, {}) if typed else ({},):
        invalid = 0
        try:
            table = pacsv.read_csv(
                pa.BufferReader(block),
                read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 22),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, newlines_in_values=quoted, invalid_row_handler=skip
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: types.get(n, pa.string()) for n in names},
                    null_values=[""],
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        if invalid == 0 and table.num_rows == lines:
            return table, RowLines(line)
        break
    try:
        block.decode("utf-8")
    except UnicodeDecodeError as err:
        defects.bad_utf8_blocks += 1
        if defects.bad_utf8 is None:
            at = line + block.count(b"\n", 0, err.start)
            # the bad byte and the rest of its line (≤ 64 bytes), enough to tell CP949 Hangul
            # from a Western legacy encoding
            end = block.find(b"\n", err.start)
            end = min(err.start + 64, len(block) if end < 0 else end)
            defects.bad_utf8 = (offset + err.start, at, block[err.start : end])
        block = block.decode("utf-8", "replace").encode("utf-8")
    return _parse_exactly(block.decode("utf-8"), line, names, delimiter, defects)


def _parse_exactly(
    text: str, line: int, names: list[str], delimiter: str, defects: FileDefects
) -> tuple[pa.Table, RowLines]:
    """The slow, exact path: Python's csv module, with physical line numbers."""
    ncols = len(names)
    rows: list[list[str]] = []
    where: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    one = np.ones(1, dtype=bool)
    before = 0
    try:
        for record in reader:
            at = line + before
            span = reader.line_num - before
            before = reader.line_num
            here = RowLines(at)
            if not record:
                defects.blank.add(one, here)
                continue
            if span > 1:
                defects.quoted_newlines.add(one, here)
                defects.quoted_columns.update(
                    i for i, v in enumerate(record) if "\n" in v or "\r" in v
                )
            if len(record) != ncols:
                if len(defects.ragged.rows) < 5:
                    defects.ragged_fields.append(len(record))
                defects.ragged.add(one, here)
                continue
            rows.append(record)
            where.append(at)
    except csv.Error as err:
        if defects.parse_error is None:
            defects.parse_error = (line + before + 1, str(err))
    columns = list(zip(*rows, strict=True)) if rows else [()] * ncols
    table = pa.table({n: pa.array(c, pa.string()) for n, c in zip(names, columns, strict=True)})
    return table, RowLines(line, np.asarray(where, dtype=np.int64))
