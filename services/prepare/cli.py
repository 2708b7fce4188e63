"""Command line: prepare a raw export by a mapping, or suggest a mapping to start from.

    python -m services.prepare RAW --mapping MAPPING.json --out OUT.csv [--schema-out S.json]
    python -m services.prepare suggest RAW --dataset-type interactions [--timezone ZONE] \
        [--schema SCHEMA.json]

RAW and MAPPING.json may be ``s3://BUCKET/KEY``, as on the Data page: with the local engine
the file under ``$PERSONALIZE_DATA_DIR/s3/BUCKET/KEY``, on AWS the object read through S3.

Exit status: 0 prepared and ready; 1 prepared but the readiness check found an error;
2 the mapping or the raw file is unusable or cannot be read (nothing written).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from services.config import ConfigError, Settings
from services.datasets.snapshot import ObjectStore, local_input, object_store
from services.errors import ServiceError
from services.readiness.cli import render
from services.readiness.schema import load_schema

from .mapping import DATASET_TYPES, MappingError, load_mapping
from .prepared import prepare_file
from .reader import RawFileError
from .suggest import suggest_mapping


def _prepare_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m services.prepare",
        description="Turn a raw export into a Personalize dataset CSV (and its schema) by a "
        "mapping, then run the readiness check on the result. "
        "`python -m services.prepare suggest RAW …` prints a mapping to start from.",
    )
    p.add_argument(
        "raw",
        help="raw export: CSV/TSV (gzip or not), Parquet or JSON Lines; a path or s3://BUCKET/KEY",
    )
    p.add_argument("--mapping", required=True, help="mapping JSON file (a path or s3://…)")
    p.add_argument("--out", required=True, help="Personalize CSV to write")
    p.add_argument("--schema-out", help="also write the Avro schema JSON here")
    p.add_argument("--rejects", help="rejected rows (default: OUT with .rejects.csv)")
    p.add_argument("--now", type=float, help="epoch seconds for 'in the future' checks")
    return p


def _suggest_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m services.prepare suggest",
        description="Print a suggested mapping (JSON) for a raw export; notes go to stderr.",
    )
    p.add_argument("raw", help="the raw export: a path or s3://BUCKET/KEY")
    p.add_argument("--dataset-type", required=True, choices=DATASET_TYPES)
    p.add_argument(
        "--timezone",
        default=None,
        help="IANA zone for times without an offset (default: Asia/Seoul for a Korean "
        "export, else UTC)",
    )
    p.add_argument(
        "--schema", help="the target dataset's Avro schema JSON: suggest only its fields"
    )
    return p


def _unwritable(target: str | Path | None) -> str | None:
    """Why an output file cannot be written there (None: it can, as far as can be told)."""
    if target is None:
        return None
    if str(target).startswith("s3://"):
        # Outputs are local files; the refresh (--data … --mapping) prepares into the bucket.
        return "outputs are local files: give a path (refresh --mapping writes to the bucket)"
    path = Path(target)
    if path.is_dir():
        return "is a directory; give a file name"
    if not path.parent.is_dir():
        return f"the folder {path.parent} does not exist"
    return None


class _Unreadable(Exception):
    """An input that is not there or cannot be fetched (the message names the argument)."""


def _input(label: str, location: str, store: Callable[[], ObjectStore]) -> Path:
    if not location.startswith("s3://"):
        return Path(location)  # the readers name a missing local file themselves
    try:
        return local_input(location, store)
    except (ValueError, ServiceError, ConfigError) as error:
        raise _Unreadable(f"{label} {location}: {error}") from error


def main(
    argv: Sequence[str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    objects: Callable[[], ObjectStore] | None = None,
) -> int:
    """Run the CLI; returns the exit status. ``objects`` makes the store ``s3://`` inputs are
    read from (default: the one of the settings in the environment)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    out = out or sys.stdout
    err = err or sys.stderr
    store = objects or functools.cache(lambda: object_store(Settings.from_env()))
    try:
        if argv[:1] == ["suggest"]:
            args = _suggest_parser().parse_args(argv[1:])
            fields = None
            if args.schema is not None:
                schema, problems = load_schema(Path(args.schema), args.dataset_type)
                if problems:
                    err.write(f"error: --schema {args.schema}: {problems[0].detail}\n")
                    return 2
                fields = [f.name for f in schema.fields]
            suggestion = suggest_mapping(
                _input("raw", args.raw, store),
                args.dataset_type,
                timezone=args.timezone,
                schema_fields=fields,
            )
            out.write(suggestion.mapping.to_json())
            for note in (*suggestion.notes, *suggestion.unmapped, suggestion.timezone_note):
                err.write(f"  {note}\n")
            return 0
        args = _prepare_parser().parse_args(argv)
        for label, target in (
            ("--out", args.out),
            ("--rejects", args.rejects),
            ("--schema-out", args.schema_out),
        ):
            problem = _unwritable(target)
            if problem:
                err.write(f"error: {label} {target}: {problem}\n")
                return 2
        mapping = load_mapping(_input("--mapping", args.mapping, store))
        prepared = prepare_file(
            _input("raw", args.raw, store),
            mapping,
            args.out,
            schema_out=args.schema_out,
            rejects_path=args.rejects,
            now=args.now,
        )
    except (MappingError, RawFileError, FileNotFoundError, _Unreadable) as error:
        err.write(f"error: {error}\n")
        return 2
    result = prepared.conversion
    out.write(result.summary() + "\n")
    for reason, count in result.rejects.most_common():
        out.write(f"  rejected {count}: {reason}\n")
    if result.rows_rejected:
        out.write(f"  rejected rows with their line numbers: {result.rejects_path}\n")
    render(prepared.report, out)
    return 0 if prepared.ok else 1
