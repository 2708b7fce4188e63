"""Where ``s3://`` locations live on this machine: ``$PERSONALIZE_DATA_DIR/s3/BUCKET/KEY``."""

from __future__ import annotations

from pathlib import Path

from services.local.context import EngineContext
from services.local.errors import InvalidInput
from services.local.importer import ImportFailed


def resolve_location(engine: EngineContext, location: str) -> list[Path]:
    """The CSV files an ``s3://`` or absolute local location names.

    ``s3://BUCKET/KEY`` maps to ``$PERSONALIZE_DATA_DIR/s3/BUCKET/KEY``; a location ending in
    ``/`` (or naming a folder) means every ``.csv`` file directly inside it, as on S3.
    """
    if location.startswith("s3://"):
        rest = location[len("s3://") :]
        if not rest or rest.startswith("/"):
            raise InvalidInput(f"dataLocation '{location}' has no bucket name.")
        base = engine.s3_dir.resolve()
        path = (base / rest).resolve()
        if base not in path.parents and path != base:
            raise InvalidInput(f"dataLocation '{location}' leaves the bucket folder.")
    elif location.startswith("file://"):
        path = Path(location[len("file://") :])
    else:
        path = Path(location)
        if not path.is_absolute():
            raise InvalidInput(
                f"dataLocation '{location}' must be s3://BUCKET/KEY or an absolute local path."
            )
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
        if not files:
            raise InvalidInput(f"No .csv files in {location}.")
        return files
    if not path.is_file():
        hint = f" (looked for {path})" if location.startswith("s3://") else ""
        raise InvalidInput(f"No file at {location}{hint}.")
    return [path]


def output_dir(engine: EngineContext, location: str) -> Path:
    """The folder an output ``s3://BUCKET/KEY`` (or local) path names; ImportFailed if it
    leaves the bucket folder."""
    if location.startswith("s3://"):
        base = engine.s3_dir.resolve()
        path = (base / location[len("s3://") :]).resolve()
        if base not in path.parents and path != base:
            raise ImportFailed(f"output path {location} leaves the bucket folder")
        return path
    return Path(location)
