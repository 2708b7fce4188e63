"""Convert a raw export to a Personalize dataset CSV, chunk by chunk, with a rejects file.

Memory is bounded by the chunk size, not the file size. Every raw row ends up either in the
output or in the rejects file (with its line number and the first reason it failed), and the
result counts rejects per reason: nothing disappears silently.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from services.csv_safety import append_safe_csv
from services.i18n import _, formats, ngettext

from .converters import ARROW_TYPES, convert_field
from .mapping import Mapping
from .reader import CHUNK_ROWS, RawChunk, RawLayout, detect, iter_chunks
from .reject_reasons import BLANK_ROW, reject_reason

_BLANK = reject_reason(BLANK_ROW)
_WRITE = pacsv.WriteOptions(include_header=True, quoting_style="needed")


@dataclass
class ConvertResult:
    """What a conversion did: rows read, written and rejected (per reason), and how it read."""

    layout: RawLayout
    rows_read: int = 0
    rows_written: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    out: Path | None = None
    rejects_path: Path | None = None

    @property
    def rows_rejected(self) -> int:
        """Rows (and malformed lines) that were not written."""
        return sum(self.rejects.values())

    def summary(self) -> str:
        """One line for logs, the CLI and the Data page (counts as the pages write them:
        ``120,000 rows read``)."""
        read = self.layout
        how = f"{read.format}" + (f", {read.compression}" if read.compression else "")
        if read.encoding:
            how += ", " + _("encoding {encoding}").format(encoding=read.encoding)
        if read.delimiter:
            how += ", " + _("delimiter {delimiter}").format(delimiter=repr(read.delimiter))
        return ngettext(
            "{read} row read ({how}); {written} written; {rejected} rejected",
            "{read} rows read ({how}); {written} written; {rejected} rejected",
            self.rows_read,
        ).format(
            read=formats.count(self.rows_read),
            how=how,
            written=formats.count(self.rows_written),
            rejected=formats.count(self.rows_rejected),
        )


def output_schema(mapping: Mapping) -> pa.Schema:
    """The output columns: the mapped fields in mapping order, typed as they are written."""
    return pa.schema([(f.name, ARROW_TYPES[f.kind]) for f in mapping.fields])


def convert_chunk(chunk: RawChunk, mapping: Mapping) -> tuple[pa.Table, pd.DataFrame]:
    """(converted rows, rejected rows with ``line``, ``reason`` and their raw values)."""
    frame, n = chunk.frame, len(chunk.frame)
    reason = np.full(n, "", dtype=object)
    failed = np.zeros(n, dtype=bool)
    blank = np.ones(n, dtype=bool)
    for name in mapping.columns:
        col = frame[name]
        present = col.notna().to_numpy(bool)
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            present = present & (col.astype("str").str.strip() != "").to_numpy(bool)
        blank &= ~present
    reason[blank], failed = _BLANK, blank.copy()
    arrays = []
    for spec in mapping.fields:
        column = frame[spec.column] if spec.column is not None else None
        result = convert_field(spec, column, n, mapping.timezone)
        arrays.append(result.values)
        for why, mask in result.failures.items():
            new = mask & ~failed
            if new.any():
                reason[new] = why
                failed |= new
    table = pa.Table.from_arrays(arrays, schema=output_schema(mapping))
    if failed.any():
        table = table.filter(pa.array(~failed))
    rejects = frame.loc[failed].astype("str")
    rejects.insert(0, "reason", reason[failed])
    rejects.insert(0, "line", chunk.lines[failed])
    if chunk.malformed:
        bad = pd.DataFrame(chunk.malformed, columns=["line", "reason", "raw"])
        rejects = pd.concat([rejects, bad], ignore_index=True).sort_values("line", kind="stable")
    return table, rejects.reindex(columns=["line", "reason", *mapping.columns, "raw"])


def preview_conversion(
    raw: str | Path, mapping: Mapping, rows: int = 20
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(raw rows, converted rows, rejected rows) for the first ``rows`` rows of ``raw``.

    The raw and rejected frames start with the ``line`` column; converted rows carry theirs
    too, so the two sides line up.

    Raises:
        RawFileError, FileNotFoundError: as ``convert``.
    """
    layout = detect(raw, mapping.source)
    columns = tuple(dict.fromkeys(layout.header + mapping.columns))  # a missing one: an error
    chunk = next(iter_chunks(raw, layout, columns, rows), None)
    if chunk is None:
        empty = pd.DataFrame(columns=["line"])
        return empty, empty, empty
    last = int(chunk.lines[rows - 1]) if len(chunk.lines) > rows else None
    head = RawChunk(
        chunk.frame.head(rows).reset_index(drop=True),
        chunk.lines[:rows],
        [m for m in chunk.malformed if last is None or m[0] <= last],
    )
    table, rejects = convert_chunk(head, mapping)
    raw_rows = head.frame.copy()
    raw_rows.insert(0, "line", head.lines)
    converted = table.to_pandas()
    rejected = set(rejects["line"].tolist())
    converted.insert(0, "line", [line for line in head.lines.tolist() if line not in rejected])
    return raw_rows, converted, rejects


def convert(
    raw: str | Path,
    mapping: Mapping,
    out: str | Path,
    *,
    rejects_path: str | Path | None = None,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int], None] | None = None,
) -> ConvertResult:
    """Write the Personalize CSV for ``raw`` by ``mapping`` to ``out`` (UTF-8, comma, header).

    Args:
        raw: the raw export (CSV/TSV, gzip or not, Parquet, JSON Lines).
        mapping: a validated mapping.
        out: output CSV path; written to a temporary name and renamed when complete.
        rejects_path: where rejected rows go (default ``<out>.rejects.csv``); columns
            ``line, reason`` then the raw columns (``raw`` holds a malformed line's text),
            written by ``csv_safety`` (a cell such as ``=HYPERLINK(…)`` starts with ``'``).
        chunk_rows: rows per chunk (memory ~ chunk size × columns).
        progress: called with the rows read so far, after each chunk.

    Returns:
        ``ConvertResult`` with counts; the rejects file exists only when a row was rejected.

    Raises:
        RawFileError: the file cannot be read, or a mapped column is missing.
        FileNotFoundError: no such raw file.
    """
    out = Path(out)
    rejects_path = Path(rejects_path) if rejects_path else out.with_suffix(".rejects.csv")
    layout = detect(raw, mapping.source)
    result = ConvertResult(layout, out=out, rejects_path=rejects_path)
    tmp = out.with_name(f".{out.name}.part")
    rejects_tmp = rejects_path.with_name(f".{rejects_path.name}.part")
    wrote_rejects = False
    try:
        with pacsv.CSVWriter(tmp, output_schema(mapping), write_options=_WRITE) as writer:
            for chunk in iter_chunks(raw, layout, mapping.columns, chunk_rows):
                table, rejects = convert_chunk(chunk, mapping)
                writer.write_table(table)
                result.rows_read += len(chunk.frame) + len(chunk.malformed)
                result.rows_written += table.num_rows
                result.rejects.update(rejects["reason"].tolist())
                if len(rejects):
                    # for people (opened in a spreadsheet): formula-like cells neutralised
                    append_safe_csv(rejects, rejects_tmp, header=not wrote_rejects)
                    wrote_rejects = True
                if progress is not None:
                    progress(result.rows_read)
        os.replace(tmp, out)
        if wrote_rejects:
            os.replace(rejects_tmp, rejects_path)
        else:
            rejects_path.unlink(missing_ok=True)
    finally:
        tmp.unlink(missing_ok=True)
        rejects_tmp.unlink(missing_ok=True)
    return result
