"""Read a dataset back through a dataset export job, as Personalize offers no "read my data" call.

The export writes CSV files under ``<path><jobName>/``; this module starts the job, waits for it
and reads the files into a DataFrame. Locally ``s3://BUCKET/KEY`` is the file
``$PERSONALIZE_DATA_DIR/s3/BUCKET/KEY`` (as the local engine maps it); on AWS the files are read
with an injected S3 client (``list_objects_v2`` + ``get_object``). The same object store holds
uploads for import and batch-inference previews.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from services.config import LOCAL_ACCOUNT, Settings
from services.errors import BackendUnavailable, ServiceError
from services.personalize.models import is_failed, is_terminal
from services.personalize.session import aws_client
from services.polling import Polling, PollTimedOut, wait_for

LOCAL_ROLE_ARN = f"arn:aws:iam::{LOCAL_ACCOUNT}:role/PersonalizeDashboardLocal"
AWS_PREFIX = "personalize-dashboard"  # every object the dashboard writes on AWS lives under it
MODES = ("BULK", "PUT", "ALL")
# string columns read as text (a user "007" or an arm "1" must not become a number)
ID_COLUMNS = (
    "USER_ID",
    "ITEM_ID",
    "EVENT_TYPE",
    "SESSION_ID",
    "RECOMMENDATION_ID",
    "EVENT_ATTRIBUTION_SOURCE",
    "IMPRESSION",  # item IDs joined by "|"
)


class ConfigMissing(ServiceError):  # noqa: N818 (a ServiceError pages show as is)
    """AWS mode needs a setting that is not set."""


class ExportSource(Protocol):
    """What snapshots need from ``PersonalizeService``."""

    def create_dataset_export_job(
        self, name: str, dataset_arn: str, output_path: str, role_arn: str, ingestion_mode: str
    ) -> str: ...

    def describe_dataset_export_job(self, arn: str) -> Any: ...


# --- where files go -------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """Where the dashboard writes: ``s3://`` URIs per purpose, and the role Personalize uses.

    Locally each purpose is its own bucket folder (``$PERSONALIZE_DATA_DIR/s3/uploads/...``);
    on AWS everything is under ``s3://PERSONALIZE_EXPORT_BUCKET/personalize-dashboard/``.
    """

    role_arn: str
    bucket: str | None = None  # None: local buckets named after the purpose

    def uri(self, purpose: str, *parts: str) -> str:
        """``s3://…/<purpose>/<parts…>`` (a trailing "" part gives a folder URI ending in /)."""
        base = f"s3://{self.bucket}/{AWS_PREFIX}/{purpose}" if self.bucket else f"s3://{purpose}"
        return "/".join([base, *parts])


def location(settings: Settings) -> Location:
    """The write location for these settings; on AWS the bucket and role must be configured."""
    if settings.is_local:
        return Location(LOCAL_ROLE_ARN)
    if not settings.export_bucket:
        raise ConfigMissing(
            "AWS mode keeps uploads for import, dataset exports and batch previews in S3: set "
            "PERSONALIZE_EXPORT_BUCKET to a bucket in your region that Personalize may read "
            "and write (docs/aws.md, 'Personalize service role')."
        )
    if not settings.role_arn:
        raise ConfigMissing(
            "Personalize reads uploads and writes exports with its own IAM role: set "
            "PERSONALIZE_ROLE_ARN to a role that personalize.amazonaws.com may assume, with "
            f"access to s3://{settings.export_bucket}/{AWS_PREFIX}/ (docs/aws.md)."
        )
    return Location(settings.role_arn, settings.export_bucket)


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` → ("bucket", "key")."""
    if not uri.startswith("s3://"):
        raise ValueError(f"expected an s3://BUCKET/KEY location, not {uri!r}")
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket:
        raise ValueError(f"{uri!r} has no bucket name")
    return bucket, key


class ObjectStore(Protocol):
    """Objects by ``s3://`` URI."""

    def put(self, uri: str, data: bytes) -> None: ...
    def get(self, uri: str) -> bytes: ...
    def list(self, prefix: str) -> list[str]: ...


@dataclass(frozen=True)
class LocalObjects:
    """``s3://BUCKET/KEY`` ↔ ``<root>/BUCKET/KEY``, as the local engine maps it."""

    root: Path

    def path(self, uri: str) -> Path:
        """The local file of a URI; refuses paths that leave the root (``..``)."""
        bucket, key = split_uri(uri)
        base = self.root.resolve()
        path = (base / bucket / key).resolve()
        if base not in path.parents:
            raise ValueError(f"{uri!r} leaves the local bucket folder")
        return path

    def put(self, uri: str, data: bytes) -> None:
        path = self.path(uri)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def get(self, uri: str) -> bytes:
        try:
            return self.path(uri).read_bytes()
        except FileNotFoundError as err:
            raise ServiceError(f"No file at {uri}.") from err

    def list(self, prefix: str) -> list[str]:
        bucket, key = split_uri(prefix)
        folder = self.root.resolve() / bucket
        if not folder.is_dir():
            return []
        uris = []
        for path in folder.rglob("*"):
            rel = path.relative_to(folder).as_posix()
            if path.is_file() and rel.startswith(key):
                uris.append(f"s3://{bucket}/{rel}")
        return sorted(uris)


def readable_file(uri: str, objects: ObjectStore) -> Path:
    """A local file holding the object at ``uri`` (``s3://BUCKET/KEY``), for readers that take
    a path (the readiness check, prepare): locally the engine's own file in its bucket folder;
    on S3 a private temporary copy (one per URI, replaced by the next read).

    Raises:
        ValueError: ``uri`` is not ``s3://BUCKET/KEY``, is a folder (ends in ``/``), leaves the
            local bucket folder, or (locally) no file is there.
        ServiceError: S3 refused the read or could not be reached (``AwsSetupError`` when the
            AWS settings are the cause).
    """
    split_uri(uri)  # a malformed URI is refused before anything is read
    if uri.endswith("/"):
        raise ValueError(f"{uri} is a folder: name one file")
    if isinstance(objects, LocalObjects):
        path = objects.path(uri)
        if not path.is_file():
            raise ValueError(f"no file at {uri} (locally: {path})")
        return path
    digest = hashlib.sha256(uri.encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / "personalize-dashboard" / "objects" / digest
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / (uri.rsplit("/", 1)[-1] or "object")
    path.write_bytes(objects.get(uri))
    return path


def local_input(location: str, objects: Callable[[], ObjectStore]) -> Path:
    """A command line's input file: ``s3://BUCKET/KEY`` as ``readable_file`` reads it (the
    store ``objects()`` is made only then: locally the engine's bucket folder, on AWS S3),
    anything else a local path.

    Raises:
        ValueError: no such file, a directory, or as ``readable_file``.
        ServiceError: S3 refused the read or could not be reached.
    """
    if location.startswith("s3://"):
        return readable_file(location, objects())
    path = Path(location).expanduser()
    if path.is_dir():
        raise ValueError(f"is a directory, not a file: {path}")
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    return path


@dataclass(frozen=True)
class S3Objects:
    """Objects in S3 through an injected boto3 ``s3`` client."""

    client: Any

    def put(self, uri: str, data: bytes) -> None:
        bucket, key = split_uri(uri)
        self._call(
            "writing", uri, lambda: self.client.put_object(Bucket=bucket, Key=key, Body=data)
        )

    def get(self, uri: str) -> bytes:
        bucket, key = split_uri(uri)
        resp = self._call("reading", uri, lambda: self.client.get_object(Bucket=bucket, Key=key))
        return resp["Body"].read()

    def list(self, prefix: str) -> list[str]:
        bucket, key = split_uri(prefix)

        def keys() -> list[str]:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key)
            return [obj["Key"] for page in pages for obj in page.get("Contents", [])]

        return [f"s3://{bucket}/{k}" for k in sorted(self._call("listing", prefix, keys))]

    @staticmethod
    def _call(what: str, uri: str, fn: Callable[[], Any]) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn()
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            raise ServiceError(
                f"S3 refused {what} {uri} ({code}): check the bucket exists and that the "
                "dashboard's credentials may use it.",
                code=code,
            ) from err
        except BotoCoreError as err:
            raise BackendUnavailable(f"Could not reach S3 while {what} {uri}: {err}") from err


def object_store(settings: Settings, s3_client: Any | None = None) -> ObjectStore:
    """Local files for the local engine, else S3 (a client is built when none is given)."""
    if settings.is_local:
        return LocalObjects(settings.data_dir / "s3")
    if s3_client is None:
        s3_client = aws_client(settings, "s3")
    return S3Objects(s3_client)


# --- snapshots ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """A dataset's rows as exported by one job."""

    dataset_arn: str
    mode: str
    frame: pd.DataFrame = field(repr=False)
    job_arn: str
    taken: datetime


def read_csv_parts(objects: ObjectStore, folder: str) -> pd.DataFrame:
    """Every CSV part under ``folder``, concatenated (an export may write several)."""
    uris = objects.list(folder)
    # S3 folders may hold markers (_SUCCESS, manifests) next to the data files.
    parts = [u for u in uris if u.endswith(".csv")] or [
        u for u in uris if not u.rsplit("/", 1)[-1].startswith("_")
    ]
    blobs = [objects.get(u) for u in parts]
    frames = [
        pd.read_csv(io.BytesIO(b), dtype=dict.fromkeys(ID_COLUMNS, str)) for b in blobs if b.strip()
    ]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


class SnapshotSource(Protocol):
    """Reads datasets back as frames: export jobs (``DatasetSnapshots``) or, for the
    in-process local engine, its storage (``services.datasets.local_engine.snapshots``)."""

    def take(self, dataset_arn: str, mode: str = "ALL") -> Snapshot: ...
    def take_many(self, requests: Sequence[tuple[str, str]]) -> list[Snapshot]: ...


class DatasetSnapshots:
    """Export datasets and read them back as DataFrames."""

    def __init__(
        self,
        service: ExportSource,
        objects: ObjectStore,
        where: Location,
        *,
        timeout: float = 600.0,
        poll_seconds: float = 0.05,
        max_poll_seconds: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._service = service
        self._objects = objects
        self._where = where
        # first pause poll_seconds, doubling up to max_poll_seconds: an export's first seconds
        # are worth reading often, its minutes are not
        self._polling = Polling(poll_seconds, timeout, max_poll_seconds, sleep=sleep, clock=clock)

    def take(self, dataset_arn: str, mode: str = "ALL") -> Snapshot:
        """Export one dataset (BULK imports, PUT events/items, or ALL) and read it."""
        return self.take_many([(dataset_arn, mode)])[0]

    def take_many(self, requests: Sequence[tuple[str, str]]) -> list[Snapshot]:
        """Start every export first, then wait for all: they run side by side."""
        started = [(arn, mode, *self._start(arn, mode)) for arn, mode in requests]
        return [self._finish(arn, mode, job, folder) for arn, mode, job, folder in started]

    def _start(self, dataset_arn: str, mode: str) -> tuple[str, str]:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        name = f"snap-{mode.lower()}-{stamp}-{secrets.token_hex(4)}"
        output = self._where.uri("exports", dataset_arn.rsplit("/", 1)[-1], "")
        job = self._service.create_dataset_export_job(
            name, dataset_arn, output, self._where.role_arn, mode
        )
        return job, f"{output}{name}/"

    def _finish(self, dataset_arn: str, mode: str, job_arn: str, folder: str) -> Snapshot:
        try:
            job = wait_for(
                lambda: self._service.describe_dataset_export_job(job_arn),
                lambda job: is_terminal(job.status),
                self._polling,
            )
        except PollTimedOut as err:
            raise ServiceError(
                f"The dataset export is still {err.last.status} after {err.timeout_s:.0f} s; "
                "it keeps running: press Refresh in a few minutes."
            ) from None
        if is_failed(job.status) or job.status != "ACTIVE":
            reason = job.failure_reason or job.status
            raise ServiceError(f"The dataset export failed: {reason}")
        frame = read_csv_parts(self._objects, folder)
        return Snapshot(dataset_arn, mode, frame, job_arn, datetime.now(UTC))


def build_snapshots(
    service: ExportSource, settings: Settings, s3_client: Any | None = None
) -> DatasetSnapshots:
    """Export-job snapshots for these settings (raises ConfigMissing when AWS mode lacks a
    setting); ``services.datasets.local_engine.snapshots.snapshot_source`` picks the cheaper direct
    read for
    the in-process local engine."""
    return DatasetSnapshots(service, object_store(settings, s3_client), location(settings))
