"""Where trained models are kept: ``$PERSONALIZE_DATA_DIR/models/<name>.npz``.

A solution version's (or recommender's) document records its model file relative to the data
directory (``models/<name>.npz``), so a data directory that is moved, restored from a backup or
copied serves its own files. Documents written before that hold an absolute path: it is read
as the file of the same name in *this* data directory's model folder, never the path itself
(a copied directory must not serve, nor depend on, the original's files).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

MODELS_FOLDER = "models"


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
