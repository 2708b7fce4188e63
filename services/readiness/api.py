"""Entry points: check a CSV file or a DataFrame against Personalize's rules."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from services.i18n import _

from .columns import RowLines
from .interactions import InteractionsChecker
from .items import ItemsChecker, MetadataChecker
from .reader import BLOCK_BYTES, FileDefects, iter_blocks, sniff
from .report import DATASET_TYPES, Finding, ReadinessReport, Summary, sort_findings
from .schema import load_schema, match_header
from .users import UsersChecker

SchemaLike = Mapping[str, Any] | str | Path | None
_DF_CHUNK_ROWS = 250_000


def _checker(
    dataset_type: str,
    header: tuple[str, ...],
    schema: SchemaLike,
    now: float,
    event_type: str | None,
    threshold: float | None,
) -> tuple[InteractionsChecker | MetadataChecker, list[Finding]]:
    if dataset_type not in DATASET_TYPES:
        raise ValueError(
            _("dataset_type must be one of {types}, not {given}").format(
                types=", ".join(DATASET_TYPES), given=repr(dataset_type)
            )
        )
    parsed, findings = load_schema(schema, dataset_type)
    match = match_header(header, parsed)
    findings += match.findings
    if dataset_type == "interactions":
        checker: InteractionsChecker | MetadataChecker = InteractionsChecker(
            header, parsed, match, now=now, event_type=event_type, event_value_threshold=threshold
        )
    elif dataset_type == "items":
        checker = ItemsChecker(header, parsed, match, now=now)
    else:
        checker = UsersChecker(header, parsed, match, now=now)
    return checker, findings


def _finish(
    checker: InteractionsChecker | MetadataChecker,
    findings: list[Finding],
    dataset_type: str,
    source: str,
) -> ReadinessReport:
    if isinstance(checker, InteractionsChecker):
        more, summary, per_day, histogram, users, items = checker.result()
        findings += more
        report = ReadinessReport(
            dataset_type, source, (), summary, per_day, histogram, user_ids=users, item_ids=items
        )
    else:
        more, summary, ids = checker.result()
        findings += more
        is_items = dataset_type == "items"
        report = ReadinessReport(
            dataset_type,
            source,
            (),
            summary,
            user_ids=None if is_items else ids,
            item_ids=ids if is_items else None,
        )
    if checker.rows == 0 and not any(f.severity == "error" and f.code in _FATAL for f in findings):
        findings.insert(
            0,
            Finding(
                "header_only",
                "error",
                _("No data rows"),
                _("The file has a header but no data rows."),
                _("Export the data again; check the query/export did not return nothing."),
                (1,),
            ),
        )
        findings = [f for f in findings if f.code not in _VOLUME]
    return report.with_findings(_dedupe(findings))


_FATAL = {"empty_file", "binary_file", "not_utf8", "ragged_rows", "csv_parse_error"}
# Volume findings are noise when there is no data at all ("header_only" says it).
_VOLUME = {"too_few_interactions", "too_few_users_with_two"}


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str | None]] = set()
    out = []
    for f in findings:
        key = (f.code, f.column)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def check_file(
    path: str | Path,
    dataset_type: str,
    *,
    schema: SchemaLike = None,
    event_type: str | None = None,
    event_value_threshold: float | None = None,
    now: float | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> ReadinessReport:
    """Check a CSV file for Personalize, reading it in blocks (memory ~ block size).

    Args:
        path: the CSV file.
        dataset_type: "interactions", "items" or "users".
        schema: Personalize Avro schema (dict, JSON text or path); None = the defaults.
        event_type: the solution's eventType filter (training minimums count only these).
        event_value_threshold: the solution's eventValueThreshold (keeps EVENT_VALUE >= it).
        now: epoch seconds for "in the future" (default: the current time).
        block_bytes: bytes per block read.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: unknown dataset_type.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(_("no such file: {path}").format(path=path))
    now = time.time() if now is None else now
    layout, findings = sniff(path)
    if layout is None:
        if dataset_type not in DATASET_TYPES:
            raise ValueError(
                _("dataset_type must be one of {types}").format(types=", ".join(DATASET_TYPES))
            )
        return ReadinessReport(dataset_type, str(path), sort_findings(findings), Summary())
    checker, more = _checker(
        dataset_type, layout.header, schema, now, event_type, event_value_threshold
    )
    findings += more
    defects = FileDefects(ncols=len(layout.header), bad_utf8=layout.bad_header, source=path)
    pool = pa.default_memory_pool()
    if layout.header:
        for table, lines in iter_blocks(path, layout, defects, block_bytes, checker.column_types()):
            checker.feed(table, lines)
            del table
            pool.release_unused()  # hand freed block buffers back to the OS
    findings += defects.findings(layout.header)
    return _finish(checker, findings, dataset_type, str(path))


def _frame_chunks(df: pd.DataFrame) -> Iterator[tuple[pa.Table, RowLines]]:
    names = [f"c{i}" for i in range(df.shape[1])]
    for start in range(0, len(df), _DF_CHUNK_ROWS):
        part = df.iloc[start : start + _DF_CHUNK_ROWS]
        arrays = []
        for i in range(df.shape[1]):
            series = part.iloc[:, i]
            try:
                arrays.append(pa.array(series, from_pandas=True))
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                text = series.map(lambda v: "" if pd.isna(v) else str(v))
                arrays.append(pa.array(text.to_numpy(dtype=object), pa.string()))
        yield pa.table(dict(zip(names, arrays, strict=True))), RowLines(start + 2)


def check_dataframe(
    df: pd.DataFrame,
    dataset_type: str,
    *,
    schema: SchemaLike = None,
    event_type: str | None = None,
    event_value_threshold: float | None = None,
    now: float | None = None,
) -> ReadinessReport:
    """Check data already loaded as a DataFrame (columns named as in the CSV).

    Row numbers in findings are the lines the rows would have in a CSV with a header
    (first row = line 2). Typed columns (int64 TIMESTAMP, float EVENT_VALUE) are fine.
    """
    now = time.time() if now is None else now
    header = tuple(str(c) for c in df.columns)
    checker, findings = _checker(
        dataset_type, header, schema, now, event_type, event_value_threshold
    )
    for table, lines in _frame_chunks(df):
        checker.feed(table, lines)
    return _finish(checker, findings, dataset_type, "<DataFrame>")
