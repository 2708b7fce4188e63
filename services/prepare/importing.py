"""Prepare a raw export where an import job can read it: the refresh pipeline's seam.

The raw file is read from ``s3://`` (the local engine's folder, or a temporary copy of the
object on AWS) or, locally, a path. The prepared CSV, with its rejects file
(``….rejects.csv``) next to it, goes where an import job reads, always an ``s3://`` location:
- locally, in the data directory's bucket folder (``$PERSONALIZE_DATA_DIR/s3/``): beside the
  raw export, ``s3://BUCKET/prepared/STAMP/NAME-MAPPING.csv``, for a raw ``s3://BUCKET/…``;
  ``s3://prepared/STAMP/NAME-MAPPING.csv`` (the folder ``s3/prepared/``) for a raw local file;
- on AWS, under the write location Personalize's role may read
  (``s3://PERSONALIZE_EXPORT_BUCKET/personalize-dashboard/prepared/STAMP/…``): the raw
  export's bucket may not be readable by that role, nor writable by the dashboard.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from services.config import Settings
from services.datasets.snapshot import (
    LocalObjects,
    ObjectStore,
    location,
    object_store,
    readable_file,
    split_uri,
)
from services.i18n import formats

from .convert import ConvertResult, convert
from .mapping import Mapping


@dataclass(frozen=True)
class PreparedImport:
    """``uri`` for CreateDatasetImportJob, ``path`` the same file locally, and the counts."""

    uri: str
    path: Path
    conversion: ConvertResult

    def note(self) -> str:
        """One line: rows read, written and rejected per reason."""
        common = self.conversion.rejects.most_common(3)
        reasons = ", ".join(f"{formats.count(n)} {r}" for r, n in common)
        return self.conversion.summary() + (f" ({reasons})" if reasons else "")


def _one_file(folder: str, names: list[str]) -> str:
    """The one name in ``names`` (a folder's files, hidden ones left out), else why not."""
    shown = [n for n in names if not n.startswith(".")]
    if len(shown) == 1:
        return shown[0]
    if not shown:
        raise ValueError(
            f"{folder} is a folder with no file: a mapping prepares one raw export, and none "
            "is there (has tonight's export arrived?)"
        )
    listed = ", ".join(shown[:5]) + (f" (and {len(shown) - 5} more)" if len(shown) > 5 else "")
    raise ValueError(
        f"{folder} is a folder with {len(shown)} files ({listed}): a mapping prepares one raw "
        "export; name the file, or keep one export per folder"
    )


def _raw_path(raw: str, settings: Settings, objects: ObjectStore) -> Path:
    """The raw export's local file. A folder (ending in ``/``, as a nightly
    ``--data s3://…/$(date -u +%F)/`` is) stands for the one file directly in it."""
    if raw.endswith("/") and raw.startswith("s3://"):
        children = [u[len(raw) :] for u in objects.list(raw)]
        raw += _one_file(raw, [c for c in children if c and "/" not in c])
    elif raw.endswith("/") and settings.is_local:
        folder = Path(raw).expanduser().resolve()
        if not folder.is_dir():
            raise ValueError(f"no folder at {raw} (locally: {folder})")
        return folder / _one_file(raw, sorted(p.name for p in folder.iterdir() if p.is_file()))
    if raw.startswith("s3://"):
        return readable_file(raw, objects)
    if settings.is_local:
        path = Path(raw).expanduser().resolve()
    else:
        raise ValueError(f"{raw} is not an S3 location: on AWS give s3://BUCKET/KEY")
    if not path.is_file():
        raise ValueError(f"no file at {raw} (locally: {path})")
    return path


def prepare_for_import(
    raw: str,
    mapping: Mapping,
    *,
    settings: Settings | None = None,
    objects: ObjectStore | None = None,
) -> PreparedImport:
    """Convert the raw export at ``raw`` by ``mapping``; return where the result can be imported.

    Each call writes a new file (named by time and mapping), so a nightly run never
    overwrites a file an earlier import job may still be reading.

    ``raw`` may be a folder (ending in ``/``) holding exactly one file: that file is the export.

    Raises:
        ValueError: no such raw file, a folder without exactly one file, or (RawFileError, a
            ValueError) a file that cannot be read as mapped.
    """
    settings = settings or Settings.from_env()
    objects = objects or object_store(settings)
    path = _raw_path(raw, settings, objects)
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
    token = hashlib.sha256(mapping.to_json().encode()).hexdigest()[:8]
    name = f"{path.name.split('.')[0]}-{token}.csv"
    if isinstance(objects, LocalObjects):
        # CreateDatasetImportJob takes only s3:// (the engine maps it to its bucket folder)
        if raw.startswith("s3://"):
            uri = f"s3://{split_uri(raw)[0]}/prepared/{stamp}/{name}"
        else:
            uri = location(settings).uri("prepared", stamp, name)
        out = objects.path(uri)
    else:
        uri = location(settings).uri("prepared", stamp, name)
        out = Path(tempfile.gettempdir()) / "personalize-prepare" / stamp / name
    out.parent.mkdir(parents=True, exist_ok=True)
    result = convert(path, mapping, out)  # rejects beside it: NAME.rejects.csv
    if not isinstance(objects, LocalObjects):
        objects.put(uri, out.read_bytes())
    return PreparedImport(uri, out, result)
