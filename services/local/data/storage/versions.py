"""A per-group counter of catalogue changes, so runtime caches know when items or users changed."""

from __future__ import annotations

from sqlalchemy import insert, select

from services.local.data.storage import tables as t
from services.local.data.storage.resources import Resources


def bump_data_version(res: Resources, group: str) -> None:
    """Tell runtime caches that a group's items or users changed."""
    row = res.conn.execute(
        select(t.data_versions.c.version).where(t.data_versions.c.group_arn == group)
    ).first()
    if row is None:
        res.conn.execute(insert(t.data_versions).values(group_arn=group, version=1))
    else:
        res.conn.execute(
            t.data_versions.update()
            .where(t.data_versions.c.group_arn == group)
            .values(version=row.version + 1)
        )
