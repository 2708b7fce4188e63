"""The local engine's SQL tables: resources, data, and background jobs.

Resources are stored as their Describe document (JSON) plus the few columns the engine queries
by, so the wire shape lives in one place and new fields need no migration.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

resources = Table(
    "resources",
    metadata,
    Column("arn", String(256), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("name", String(256), nullable=False),
    Column("parent_arn", String(256)),  # dataset group, solution, dataset … that owns it
    Column("group_arn", String(256)),  # dataset group it belongs to, for scoping and deletes
    Column("created", Float, nullable=False),
    Column("seq", Integer, nullable=False),  # creation order, for stable listing
    Column("doc", JSON, nullable=False),
    Index("ix_resources_kind_parent", "kind", "parent_arn"),
    Index("ix_resources_kind_group", "kind", "group_arn"),
)

interactions = Table(
    "interactions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_arn", String(256), nullable=False),
    Column("user_id", String(256), nullable=False),
    Column("item_id", String(256), nullable=False),
    Column("ts", Integer, nullable=False),
    Column("event_type", String(256), nullable=False, default=""),
    Column("event_value", Float),
    # "bulk" rows are replaced by a FULL import; "put" rows (PutEvents) never are.
    Column("source", String(8), nullable=False),
    Column("received", Float),  # when a PutEvents event arrived (for the Data page)
    Column("session_id", String(256)),
    Column("event_id", String(256)),
    Column("recommendation_id", String(64)),
    Column("extra", JSON),
    Index("ix_interactions_user", "group_arn", "user_id", "ts"),
    Index("ix_interactions_source", "group_arn", "source"),
)

# Every recommendation list the runtime answered while the group had a metric attribution:
# which campaign or recommender (and solution version) issued a recommendationId, and when.
issued = Table(
    "issued_recommendations",
    metadata,
    Column("recommendation_id", String(64), primary_key=True),
    Column("group_arn", String(256), nullable=False),
    Column("source_arn", String(256), nullable=False),
    Column("version_arn", String(300), nullable=False),
    Column("ts", Float, nullable=False),
    Column("num_items", Integer, nullable=False),
    Index("ix_issued_group", "group_arn", "ts"),
)

# The items of every list GetRecommendations / GetPersonalizedRanking answered while the group
# had an event tracker, by recommendationId: what a PutEvents event naming that ID was shown
# (its implicit impression, services.local.data.impressions). ``item_ids``: in order.
shown_lists = Table(
    "shown_lists",
    metadata,
    Column("recommendation_id", String(64), primary_key=True),
    Column("group_arn", String(256), nullable=False),
    Column("item_ids", JSON, nullable=False),
    Column("ts", Float, nullable=False),
    Index("ix_shown_lists_group", "group_arn", "ts"),
)


def _records(name: str, id_column: str, *extra: Column[Any]) -> Table:
    """A table of records put by ID (Items, Users, Actions): one row per group and ID, its
    properties as JSON and ``source`` (bulk import or Put*), with ``extra`` columns after the
    ID."""
    return Table(
        name,
        metadata,
        Column("group_arn", String(256), primary_key=True),
        Column(id_column, String(256), primary_key=True),
        *extra,
        Column("props", JSON, nullable=False),
        Column("source", String(8), nullable=False),
    )


items = _records("items", "item_id", Column("creation_ts", Integer))
users = _records("users", "user_id")
# Next-Best-Action data streamed with PutActions / PutActionInteractions (bulk rows are
# Parquet files, as for the other datasets).
actions = _records("actions", "action_id")

action_interactions = Table(
    "action_interactions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_arn", String(256), nullable=False),
    Column("user_id", String(256), nullable=False),
    Column("action_id", String(256), nullable=False),
    Column("ts", Integer, nullable=False),
    Column("event_type", String(256), nullable=False),
    Column("session_id", String(256)),
    Column("event_id", String(256)),
    Column("recommendation_id", String(64)),
    Column("extra", JSON),
    Column("source", String(8), nullable=False),
    Index("ix_action_interactions_user", "group_arn", "user_id", "ts"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),  # import | train | batch
    Column("arn", String(256), nullable=False, unique=True),
    Column("state", String(16), nullable=False),  # queued | running | done | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("worker", String(128)),  # host:pid:start-time of the claiming process
    Column("heartbeat", Float),
    Column("cancel", Integer, nullable=False, default=0),
    Column("created", Float, nullable=False),
    Index("ix_jobs_state", "state"),
)

counters = Table(
    "counters",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
)

data_versions = Table(
    "data_versions",
    metadata,
    # Bumped on every write to a group's items/users, so runtime caches know when to reload.
    Column("group_arn", String(256), primary_key=True),
    Column("version", Integer, nullable=False),
)

bulk_files = Table(
    "bulk_files",
    metadata,
    # Bulk-imported rows live in files under $PERSONALIZE_DATA_DIR/bulk/ (bulk.py); a file counts
    # only once its row is here, inserted by the import's one short transaction.
    Column("id", Integer, primary_key=True, autoincrement=True),  # write order
    Column("group_arn", String(256), nullable=False),
    # Interactions | Items | Users | Actions | Action_Interactions
    Column("dataset_type", String(32), nullable=False),
    Column("path", String(512), nullable=False),  # relative to the bulk folder
    Column("rows", Integer, nullable=False),
    Column("created", Float, nullable=False),
    Index("ix_bulk_files_group", "group_arn", "dataset_type"),
)
