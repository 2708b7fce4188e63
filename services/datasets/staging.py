"""Files the dashboard checks, prepares and imports: objects at ``s3://`` URIs, read locally.

The readiness check and the prepare step read a file on this machine; Personalize imports
from an ``s3://`` URI. With the local engine the URI *is* a file on this machine
(``LocalObjects``: ``<data dir>/s3/BUCKET/KEY``), so it is read and written in place; with S3
the object is uploaded or downloaded and read through a private temporary copy of this
process. The pages call these functions and never ask which store they hold.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import MutableSequence
from pathlib import Path

from services.datasets.snapshot import LocalObjects, ObjectStore
from services.errors import ServiceError

SCRATCH = Path(tempfile.gettempdir()) / "personalize-dashboard"


def private_copy(digest: str, name: str, data: bytes) -> Path:
    """``data`` as a file of this process's temporary folder (written once per digest)."""
    path = SCRATCH / digest / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path


def store_upload(
    store: ObjectStore,
    uri: str,
    digest: str,
    name: str,
    data: bytes,
    uploaded: MutableSequence[str],
) -> Path:
    """Store an uploaded file at ``uri`` and return the local file to read.

    Locally the object is the file (written unless it is there). On S3 each URI is uploaded
    once per ``uploaded`` memo (the caller's session, so a page rerun does not upload again)
    and the private copy is read.

    Raises:
        ServiceError: S3 refused or could not be reached (see ``S3Objects``).
    """
    if isinstance(store, LocalObjects):
        path = store.path(uri)
        if not path.exists():
            store.put(uri, data)
        return path
    if uri not in uploaded:
        store.put(uri, data)
        uploaded.append(uri)
    return private_copy(digest, name, data)


def fetch(store: ObjectStore, uri: str) -> Path:
    """The object at ``uri`` as a local file (locally the object itself).

    Raises:
        ServiceError: no file at ``uri``, a URI that leaves the local bucket folder, or S3
            refused or could not be reached.
    """
    if isinstance(store, LocalObjects):
        try:
            path = store.path(uri)
        except ValueError as err:
            raise ServiceError(str(err)) from err
        if not path.is_file():
            raise ServiceError(f"No file at {uri} (locally: {path}).")
        return path
    digest = hashlib.sha256(uri.encode()).hexdigest()[:16]
    return private_copy(digest, uri.rsplit("/", 1)[-1], store.get(uri))


def output_file(store: ObjectStore, uri: str) -> Path:
    """Where to write a file that becomes the object at ``uri`` (its folder exists).

    Locally the object's own path; on S3 a temporary file, uploaded by ``publish``.
    """
    if isinstance(store, LocalObjects):
        path = store.path(uri)
    else:
        path = SCRATCH / "prepared" / Path(uri).name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def publish(store: ObjectStore, uri: str, path: Path) -> None:
    """Make the file written at ``output_file(store, uri)`` the object at ``uri``.

    Raises:
        ServiceError: S3 refused or could not be reached.
    """
    if not isinstance(store, LocalObjects):
        store.put(uri, path.read_bytes())
