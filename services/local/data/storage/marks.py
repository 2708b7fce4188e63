"""A digest of everything a dataset group's training would read, to tell whether it changed.

Covers the bulk files registered for the group (every completed import adds one, a data
deletion job rewrites them), the streamed interactions (PutEvents: their count and newest row),
and the streamed items and users with their properties (PutItems/PutUsers upsert rows in
place, so their content is hashed, not only counted).
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import Engine, func, select

from services.local.data.storage import tables as t

# The solution version field holding the mark of the data it trained on (not a wire field).
DATA_MARK = "_dataMark"


def data_mark(db: Engine, group: str) -> str:
    """The group's data as a hex digest: equal digests mean training would read the same data."""
    with db.connect() as conn:
        files = conn.execute(
            select(t.bulk_files.c.id).where(t.bulk_files.c.group_arn == group).order_by("id")
        ).scalars()
        streamed = conn.execute(
            select(func.count(), func.max(t.interactions.c.id)).where(
                t.interactions.c.group_arn == group
            )
        ).one()
        records = [
            [
                (row[0], json.dumps(row[1], sort_keys=True, default=str))
                for row in conn.execute(
                    select(key, table.c.props).where(table.c.group_arn == group).order_by(key)
                )
            ]
            for table, key in ((t.items, t.items.c.item_id), (t.users, t.users.c.user_id))
        ]
        parts = [list(files), list(streamed), records]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
