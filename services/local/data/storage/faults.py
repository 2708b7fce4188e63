"""Faults of the data directory's files, named for the person who has to fix them.

A full disk, a folder the engine may not write, a bulk file or a model file that is
truncated or damaged, a file that is gone: each becomes a ``StorageFault`` whose message says
what happened, where, and what to do ("writing the model file failed: no space left on the
device holding /srv/data/models", "model file models/x.npz … is corrupt (truncated or
damaged): retrain"). A job ends FAILED with the message as its failureReason; a runtime request
is refused with it; the dashboard's pages show it.

A request is refused with InvalidInputException (HTTP 400): botocore's personalize-runtime
model lists only InvalidInputException and ResourceNotFoundException for GetRecommendations
and GetPersonalizedRanking, and a 5xx would have every SDK retry a request that the damaged
file fails again. Files are named relative to the data directory (a page shows no server
paths beyond it); a write fault names the folder it could not write, since that is where space
must be freed or permissions fixed.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from services.local.errors import EngineError

_ERRNO_IN_TEXT = re.compile(r"\[errno (\d+)\]", re.IGNORECASE)  # pyarrow's OSError text


class StorageFault(EngineError):
    """A file of the data directory cannot be read or written; the message names the cause,
    the file or folder and the remedy."""

    code = "InvalidInputException"
    status = 400


def error_number(err: OSError) -> int | None:
    """The errno of ``err`` (pyarrow sometimes gives it only in the text)."""
    if err.errno is not None:
        return err.errno
    match = _ERRNO_IN_TEXT.search(str(err))
    return int(match.group(1)) if match else None


def write_cause(err: OSError, path: Path) -> str:
    """Why writing ``path`` failed, in words ("no space left on the device holding DIR")."""
    target = Path(err.filename) if isinstance(err.filename, str) else path
    folder = target.parent
    code = error_number(err)
    if code == errno.ENOSPC:
        return f"no space left on the device holding {folder}"
    if code == errno.EDQUOT:
        return f"the disk quota of the device holding {folder} is used up"
    if code == errno.EFBIG:
        return f"{path.name} is larger than this process may write (a file size limit)"
    if code in (errno.EACCES, errno.EPERM):
        return f"the folder {folder} is not writable (permission denied)"
    if code == errno.EROFS:
        return f"the folder {folder} is on a read-only file system"
    if code in (errno.ENOTDIR, errno.EEXIST):
        blocker = next(
            (p for p in (target, *target.parents) if p.exists() and not p.is_dir()), folder
        )
        return f"{blocker} is a file where a folder is needed"
    if code == errno.EIO:
        return f"the device holding {folder} reported an I/O error"
    return f"{err.strerror or err} ({path})"


def write_fault(err: OSError, path: Path, what: str) -> StorageFault:
    """``StorageFault`` for a failed write of ``what`` (e.g. "the model file") to ``path``."""
    return StorageFault(f"Writing {what} failed: {write_cause(err, path)}.")


@contextmanager
def writing(path: Path, what: str) -> Iterator[Path]:
    """Write ``path`` (in the block, after its folder is created); an OSError deletes what
    was written of it and becomes ``write_fault``.

    Raises:
        StorageFault: the folder or the file cannot be written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield path
    except OSError as err:
        with suppress(OSError):
            path.unlink(missing_ok=True)
        raise write_fault(err, path, what) from err


def shown(path: Path, data_dir: Path) -> str:
    """``path`` relative to the data directory when it is inside it (POSIX separators)."""
    try:
        return Path(path).relative_to(data_dir).as_posix()
    except ValueError:
        return Path(path).name


def unreadable(
    path: Path, data_dir: Path, what: str, remedy: str, err: BaseException | None = None
) -> StorageFault:
    """``StorageFault`` for a file that is missing, not readable or cannot be parsed.

    Args:
        path: the file.
        data_dir: the engine's data directory (the file is named relative to it).
        what: what the file is, e.g. "model file" or "bulk file".
        remedy: what to do, e.g. "retrain".
        err: the error reading it raised, if any.
    """
    if not Path(path).exists():
        state = "is missing"
    elif isinstance(err, OSError) and error_number(err) in (errno.EACCES, errno.EPERM):
        state = "cannot be read (permission denied)"
    elif isinstance(err, OSError) and error_number(err) == errno.EIO:
        state = "cannot be read (the device reported an I/O error)"
    else:
        state = "is corrupt (truncated or damaged)"
    return StorageFault(f"The {what} {shown(path, data_dir)} {state}: {remedy}.")
