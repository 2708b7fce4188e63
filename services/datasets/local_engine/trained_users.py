"""The users a solution version was trained with, read from the in-process local engine's model
file (read only). Personalize lists no version's users, so on AWS and over HTTP there is no
source (``evaluation.known_users`` then checks against the dataset group's data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from sqlalchemy.exc import SQLAlchemyError

from services.config import Settings
from services.datasets.local_engine.group_data import storage_read
from services.errors import ServiceError
from services.evaluation.known_users import TrainedUsers, TrainedUsersSource

if TYPE_CHECKING:
    from services.local.engine import LocalEngine


def local_trained_users(engine: LocalEngine, version_arn: str) -> TrainedUsers | None:
    """The users of version ``version_arn`` as its model file lists them, with the newest
    interaction time it trained on; None when the version is unknown, has no model (not
    ACTIVE) or its model keeps no user index.

    Raises:
        ServiceError: the engine's database could not be read, or the model file is missing,
            unreadable or damaged (the engine's message: the file and what to do).
    """
    from services.local.data.storage.model_files import model_file
    from services.local.models.training import EVALUATION, trained_user_ids

    try:
        with engine.reading() as res:
            doc = res.find(version_arn)
    except SQLAlchemyError as err:
        raise ServiceError(f"The local engine's database could not be read: {err}") from err
    path = doc.get("_modelPath") if doc is not None else None
    if doc is None or doc.get("status") != "ACTIVE" or not path:
        return None
    with storage_read():
        ids = trained_user_ids(
            model_file(engine.data_dir, path),
            data_dir=engine.data_dir,
            what=f"model file of solution version {version_arn}",
        )
    if ids is None:
        return None
    data_to = (doc.get(EVALUATION) or {}).get("dataTo")
    return TrainedUsers(
        version_arn,
        pa.array(ids.astype(str), pa.string()),
        None if data_to is None else int(data_to),
    )


def trained_users_source(settings: Settings) -> TrainedUsersSource | None:
    """Where a version's trained users can be read: the in-process engine, else None (AWS, or
    an engine over HTTP: Personalize lists no version's users)."""
    if settings.is_local and not settings.endpoint_url:
        from services.local.engine import get_engine

        engine = get_engine(settings)
        return lambda arn: local_trained_users(engine, arn)
    return None
