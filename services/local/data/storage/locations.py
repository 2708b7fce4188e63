"""Where ``s3://`` locations live on this machine: ``$PERSONALIZE_DATA_DIR/s3/BUCKET/KEY``.

Personalize takes S3 locations only: the model's ``S3Location`` pattern is
``(s3|http|https)://.+`` (so a local path is a ValidationException before any handler runs,
in-process and over HTTP alike), and the service reads ``s3://`` URIs (API reference,
DataSource.dataLocation, S3DataConfig.path). The engine maps ``s3://BUCKET/KEY`` to a folder
under the data directory and refuses ``http(s)://`` with InvalidInputException.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from services.local.context import EngineContext
from services.local.data.imports.importer import ImportFailed
from services.local.errors import InvalidInput

S3 = "s3://"


def refuse_kms_key(config: Mapping[str, Any] | None, param: str) -> None:
    """Refuse an ``S3DataConfig.kmsKeyArn`` (botocore shape ``S3DataConfig``: "the KMS key
    that Amazon Personalize uses to encrypt or decrypt the input and output files").

    Raises:
        InvalidInput: a key is given; the engine's files are plain files under the data
            directory, so it could neither decrypt an input nor encrypt an output with it, and
            a key accepted only to be ignored would leave a user believing the output is
            encrypted.
    """
    if (config or {}).get("kmsKeyArn"):
        raise InvalidInput(
            f"{param}.kmsKeyArn: the local engine reads and writes plain files under its data "
            "directory and cannot use a KMS key; leave it out locally (Personalize on AWS "
            "encrypts or decrypts the files with it)."
        )


def bucket_path(engine: EngineContext, location: str, param: str) -> Path:
    """The local path of an ``s3://BUCKET/KEY`` location.

    Raises:
        InvalidInput: not ``s3://``; no bucket; a key that climbs out of the bucket folder; a
            NUL character (the model's ``S3Location`` pattern ``(s3|http|https)://.+`` lets it
            through, but no file name can hold one, and S3 cannot list such a key in XML).
    """
    if "\x00" in location:
        raise InvalidInput(
            f"{param} {location!r} has a NUL character; no S3 key here can hold one."
        )
    if not location.startswith(S3):
        raise InvalidInput(
            f"{param} '{location}' must be an s3://BUCKET/KEY location; the local engine maps it "
            f"to {engine.s3_dir}/BUCKET/KEY."
        )
    rest = location[len(S3) :]
    if not rest or rest.startswith("/"):
        raise InvalidInput(f"{param} '{location}' has no bucket name.")
    base = engine.s3_dir.resolve()
    path = (base / rest).resolve()
    if base not in path.parents and path != base:
        raise InvalidInput(f"{param} '{location}' leaves the bucket folder.")
    return path


def resolve_location(
    engine: EngineContext, location: str, param: str = "dataLocation"
) -> list[Path]:
    """The CSV files an ``s3://`` location names.

    A location ending in ``/`` (or naming a folder) means every ``.csv`` file directly inside
    it, as on S3. Raises InvalidInput when nothing is there.
    """
    path = bucket_path(engine, location, param)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
        if not files:
            raise InvalidInput(f"No .csv files in {location}.")
        return files
    if not path.is_file():
        raise InvalidInput(f"No file at {location} (looked for {path}).")
    return [path]


def output_dir(engine: EngineContext, location: str) -> Path:
    """The folder an output ``s3://BUCKET/PREFIX/`` names (ImportFailed if it is not one)."""
    try:
        return bucket_path(engine, location, "output path")
    except InvalidInput as err:
        raise ImportFailed(err.message) from err
