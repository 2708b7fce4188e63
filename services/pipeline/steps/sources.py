"""Where a refresh's data comes from: a location turned into what an import job can read,
and the readiness check run on it before any import.

``importable_location`` is the seam for preparing raw exports: with a mapping, the raw file
is converted first (services.prepare) and the converted file is what is checked and imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from services.config import Settings
from services.datasets.snapshot import LocalObjects, ObjectStore, readable_file
from services.i18n import ngettext
from services.prepare import parse_mapping
from services.prepare.convert import ConvertResult
from services.prepare.importing import prepare_for_import
from services.readiness import ReadinessReport, check_file

_MAX_LISTED = 3  # errors named in a refusal; the rest are counted
SAMPLES = 5  # users and items the verify step asks the updated campaign about
_SAMPLE_ROWS = 5_000


@dataclass(frozen=True)
class ImportSource:
    """``uri`` goes to CreateDatasetImportJob; ``check_paths`` are local files to check."""

    uri: str
    check_paths: tuple[Path, ...]
    note: str = ""  # what preparing the raw export did, when it was prepared
    conversion: ConvertResult | None = None  # its counts, when it was prepared


def importable_location(
    location: str,
    settings: Settings,
    objects: ObjectStore,
    mapping: dict[str, Any] | None = None,
) -> ImportSource:
    """Resolve ``location`` (``s3://BUCKET/KEY`` or an ``s3://…/`` folder).

    With a ``mapping`` document, ``location`` is a raw export: it is prepared first and the
    prepared file is the source.

    Raises:
        ValueError: the location does not exist or cannot be imported by this backend; or
            the raw export cannot be prepared by the mapping.
    """
    if mapping is not None:
        prepared = prepare_for_import(
            location, parse_mapping(mapping), settings=settings, objects=objects
        )
        return ImportSource(
            prepared.uri, (prepared.path,), f"prepared: {prepared.note()}", prepared.conversion
        )
    if location.startswith("s3://"):
        if isinstance(objects, LocalObjects):
            return ImportSource(location, _local_files(objects.path(location), location))
        uris = objects.list(location) if location.endswith("/") else [location]
        uris = [u for u in uris if u.lower().endswith(".csv")] if location.endswith("/") else uris
        if not uris:
            raise ValueError(f"no CSV file under {location}")
        return ImportSource(location, tuple(readable_file(u, objects) for u in uris))
    raise ValueError(
        f"{location} is not an S3 location: Personalize imports from s3://BUCKET/KEY; "
        "upload the file to S3 first (or give its mapping, to prepare a raw export)"
    )


def _local_files(path: Path, location: str) -> tuple[Path, ...]:
    if path.is_file():
        return (path,)
    if path.is_dir():
        files = tuple(sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv"))
        if files:
            return files
        raise ValueError(f"no CSV file in the folder {location}")
    raise ValueError(f"no file at {location} (locally: {path})")


def check_source(
    source: ImportSource, dataset_type: str, schema: dict[str, object] | None
) -> list[ReadinessReport]:
    """The readiness report of every file of the source."""
    return [check_file(p, dataset_type.lower(), schema=schema) for p in source.check_paths]


def refusal(reports: list[ReadinessReport]) -> str | None:
    """None when every file is clean, else a message naming the first errors and their fixes."""
    errors = [(r.source, f) for r in reports for f in r.errors]
    if not errors:
        return None
    named = "; ".join(
        f"{Path(src).name}: {f.title} ({f.detail}) — {f.fix}" for src, f in errors[:_MAX_LISTED]
    )
    more = f" (and {len(errors) - _MAX_LISTED} more)" if len(errors) > _MAX_LISTED else ""
    found = ngettext(
        "the readiness check found {n} error{more}: {named}",
        "the readiness check found {n} errors{more}: {named}",
        len(errors),
    )
    return found.format(n=len(errors), more=more, named=named)


def sample_ids(paths: tuple[Path, ...]) -> dict[str, list[str]]:
    """A few USER_IDs and ITEM_IDs of an interactions file (from its first rows, the most
    frequent first): ``{"sample_users": [...], "sample_items": [...]}``, lists may be empty."""
    if not paths:
        return {}
    try:
        head = pd.read_csv(
            paths[0],
            usecols=lambda c: c in ("USER_ID", "ITEM_ID"),
            dtype=str,
            nrows=_SAMPLE_ROWS,
            keep_default_na=False,
        )
    except (ValueError, OSError, UnicodeDecodeError):  # checked already; samples are optional
        return {}
    out = {}
    for column, key in (("USER_ID", "sample_users"), ("ITEM_ID", "sample_items")):
        if column in head.columns:
            values = head.loc[head[column] != "", column]
            out[key] = values.value_counts().index[:SAMPLES].tolist()
    return out
