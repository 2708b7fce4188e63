"""Prepare a raw export end to end: convert, write the schema, run the readiness check.

This is the one sequence the CLI, the Data page and the refresh pipeline share, so a file
prepared anywhere is checked the same way before it can be imported.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.readiness import ReadinessReport, check_file

from .convert import ConvertResult, convert
from .mapping import Mapping
from .schema import avro_schema


@dataclass(frozen=True)
class Prepared:
    """The output file, its schema, the conversion counts and the readiness report."""

    out: Path
    schema: dict[str, Any]
    conversion: ConvertResult
    report: ReadinessReport

    @property
    def ok(self) -> bool:
        """True when the prepared file has no readiness error (it may be imported)."""
        return self.report.ok


def prepare_file(
    raw: str | Path,
    mapping: Mapping,
    out: str | Path,
    *,
    schema_out: str | Path | None = None,
    rejects_path: str | Path | None = None,
    check_schema: dict[str, Any] | None = None,
    now: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> Prepared:
    """Convert ``raw`` by ``mapping`` to ``out``, then check ``out`` for Personalize.

    Args:
        raw: the raw export.
        mapping: a validated mapping.
        out: the Personalize CSV to write.
        schema_out: also write the Avro schema JSON there.
        rejects_path: rejected rows (default ``<out>.rejects.csv``).
        check_schema: check against this Avro schema (the target dataset's) instead of the
            one the mapping implies, so a field the dataset lacks is an error before import.
        now: epoch seconds for the readiness check's "in the future" (default: now).
        progress: called with rows read so far.

    Raises:
        RawFileError, FileNotFoundError: the raw file cannot be read as mapped.
    """
    conversion = convert(raw, mapping, out, rejects_path=rejects_path, progress=progress)
    schema = avro_schema(mapping)
    if schema_out is not None:
        Path(schema_out).write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    report = check_file(out, mapping.dataset_type, schema=check_schema or schema, now=now)
    return Prepared(Path(out), schema, conversion, report)
