"""Where trained models are kept: ``$PERSONALIZE_DATA_DIR/models/<name>.npz``.

A solution version's (or recommender's) document records its model file relative to the data
directory (``models/<name>.npz``), so a data directory that is moved, restored from a backup or
copied serves its own files. Documents written before that hold an absolute path: it is read
as the file of the same name in *this* data directory's model folder, never the path itself
(a copied directory must not serve, nor depend on, the original's files).

A model is written to a partial file (``<name>.tmp.npz``, or ``<name>.<pid>-<attempt>.tmp.npz``
for a training job's attempt, ``attempt_partial``) and renamed when complete; a write that fails
removes its partial file itself, and one whose process was killed leaves it for
``sweep_partial``.
"""

from __future__ import annotations

import logging
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from services.local.data.storage import tables as t

_log = logging.getLogger(__name__)

MODELS_FOLDER = "models"
PARTIAL_SUFFIX = ".tmp.npz"
TRAINING_JOBS = ("train", "train-recommender")  # the job kinds that write model files


def partial(path: Path) -> Path:
    """Where the model ``path`` is written before it is complete: ``<name>.tmp.npz``, or
    ``path`` itself when it already is a partial file (``attempt_partial``)."""
    return path if path.name.endswith(PARTIAL_SUFFIX) else path.with_suffix(PARTIAL_SUFFIX)


def attempt_partial(path: Path, worker: str, attempt: int) -> Path:
    """Where attempt ``attempt`` (the job row's count) of a job whose worker is ``worker``
    (``host:pid:start-time``) writes the model ``path`` before it is placed:
    ``<name>.<pid>-<attempt>.tmp.npz`` beside it.

    Each attempt has its own file: a job handed to another worker (recovery) while its first
    worker still saves would otherwise have two writers on one file. The attempt number alone
    tells two claims of a job apart (each claim counts one more); the pid says whose it is.

    A job's other outputs (a batch or export file, an attribution report) are written the same
    way (``jobs.outputs``), to ``.<file name>.<pid>-<attempt>.tmp``: hidden and without the
    output's own suffix, so readers of the folder (``locations.resolve_location`` takes the
    ``.csv`` files) never take a half-written one for an output.
    """
    pid = worker.split(":")[1] if worker.count(":") >= 2 else "0"
    if path.suffix != ".npz":
        return path.with_name(f".{path.name}.{pid}-{attempt}.tmp")
    return path.with_name(f"{path.stem}.{pid}-{attempt}{PARTIAL_SUFFIX}")


def sweep_partial(db: sa.Engine, models_dir: Path) -> list[Path]:
    """Delete half-written model files left by a process that died while saving; returns them.

    Only when no training job runs in any process sharing the data directory: the files are
    listed before the jobs are read, so a training that starts meanwhile writes a file that is
    not on the list, and one that was running keeps its file. ``db`` should be the read-only
    database.
    """
    found = sorted(models_dir.glob(f"*{PARTIAL_SUFFIX}"))
    if not found:
        return []
    with db.connect() as conn:
        training = conn.execute(
            sa.select(t.jobs.c.id)
            .where(t.jobs.c.state == "running", t.jobs.c.kind.in_(TRAINING_JOBS))
            .limit(1)
        ).first()
    if training is not None:
        return []
    for path in found:
        try:
            path.unlink(missing_ok=True)
        except OSError as err:  # the folder is not writable: tried again at the next start
            _log.warning("could not delete the partial model file %s: %s", path, err)
    return found


def recorded(data_dir: Path, path: Path) -> str:
    """How a model file inside ``data_dir`` is recorded in a document (``models/x.npz``)."""
    return path.relative_to(data_dir).as_posix()


def model_file(data_dir: Path, recorded_path: str) -> Path:
    """The model file a document's ``_modelPath`` names, inside ``data_dir``.

    A relative path is taken from the data directory; an absolute one (older documents), or
    one that would leave the data directory, by its file name in the model folder.
    """
    posix = PurePosixPath(recorded_path.replace("\\", "/"))
    if posix.is_absolute() or Path(recorded_path).is_absolute() or ".." in posix.parts:
        return data_dir / MODELS_FOLDER / posix.name
    return data_dir.joinpath(*posix.parts)
