"""What a dataset group's data looks like now: bulk imports, PutEvents and the item catalog.

Personalize has no "read my data" call, so on AWS the frames come from dataset export jobs
(``services.datasets.snapshot``), one per (dataset, ingestion mode), started side by side; the
in-process local engine is read directly (``services.datasets.local_engine.snapshots``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pandas as pd
import pyarrow as pa

from services.datasets.interaction_summary import InteractionSummary, summary_of_frames
from services.datasets.snapshot import SnapshotSource
from services.evaluation.inspection import user_activity
from services.evaluation.sampling import ItemCatalog, recent_history
from services.i18n import N_
from services.local.rules.repeated_events import REPEAT_KEY, distinct_events, stored_again
from services.personalize.models import Dataset

EVENT_HOURS = 48  # the PutEvents-by-hour chart covers the last two days


@dataclass(frozen=True)
class GroupData:
    """A group's interactions (BULK and PUT apart) and items, as exported at ``taken``."""

    bulk: pd.DataFrame = field(default_factory=pd.DataFrame)
    put: pd.DataFrame = field(default_factory=pd.DataFrame)
    items: pd.DataFrame | None = None
    taken: datetime | None = None
    has_interactions: bool = False

    # How the data was read, as the pages say it ("Data snapshot taken 3 min ago <read_by>").
    read_by = N_("by dataset export jobs")

    # Derived tables are computed once per snapshot (a snapshot is cached and shared by page
    # runs), so a rerun of a page over millions of interactions costs nothing.
    @functools.cached_property
    def interactions(self) -> pd.DataFrame:
        """Every interaction, bulk and streamed."""
        frames = [f for f in (self.bulk, self.put) if not f.empty]
        if not frames:
            return self.bulk
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    @functools.cached_property
    def volume(self) -> tuple[pd.DataFrame, str]:
        """``volume_counts`` of every interaction."""
        return volume_counts(self.interactions)

    @functools.cached_property
    def long_tail(self) -> pd.DataFrame:
        """``long_tail`` of every interaction."""
        return long_tail(self.interactions)

    @functools.cached_property
    def user_activity(self) -> pd.DataFrame:
        """``inspection.user_activity`` of every interaction (for sampling users)."""
        return user_activity(self.interactions)

    @functools.cached_property
    def known_users(self) -> frozenset[str]:
        """The users with at least one interaction (``user_activity``'s), for membership
        checks: built once per snapshot, not on every page run (millions of IDs)."""
        return frozenset(self.user_activity["user"].astype(str))

    @functools.cached_property
    def summary(self) -> InteractionSummary:
        """Counts, newest PutEvents event and most recent users (the data checks' input)."""
        return summary_of_frames(self.bulk, self.put)

    @functools.cached_property
    def interaction_count(self) -> int:
        """Every interaction, bulk and streamed."""
        return len(self.interactions)

    @functools.cached_property
    def distinct_interaction_count(self) -> int:
        """The interactions training counts: every one less the rows repeating an earlier
        row's USER_ID, ITEM_ID and TIMESTAMP (``rules.repeated_events``), such as the rows of
        a file imported INCREMENTAL a second time."""
        return distinct_events(self.interactions) if self.interaction_count else 0

    def stored_again(self, events: pa.Table) -> int:
        """How many of ``events`` (distinct rows with the ``REPEAT_KEY`` columns, such as a
        file's before an INCREMENTAL import) the bulk data holds already: what the import job
        would find stored."""
        if self.bulk.empty:
            return 0
        stored = pa.Table.from_pandas(self.bulk.loc[:, list(REPEAT_KEY)], preserve_index=False)
        return stored_again(events, stored)

    def recent_history(self, users: Sequence[str], k: int = 5) -> dict[str, list[str]]:
        """Each user's latest ``k`` items, newest first (``sampling.recent_history``)."""
        return recent_history(self.interactions, users, k)

    @functools.cached_property
    def catalog(self) -> ItemCatalog:
        """Item names and categories of the Items snapshot."""
        return ItemCatalog.from_frame(self.items)


def volume_counts(interactions: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Interactions per hour, day or week (by the data's span) and event type.

    Returns:
        (counts, unit): columns ``time`` (UTC bin start), ``EVENT_TYPE`` ("(none)" when
        absent) and ``interactions``; ``unit`` is "hour", "day" or "week". Weeks start on
        Thursdays (bins count from the epoch).
    """
    ts = pd.to_numeric(interactions["TIMESTAMP"], errors="coerce")
    ok = ts.notna().to_numpy()
    ts = ts[ok].astype("int64")
    if "EVENT_TYPE" in interactions.columns:
        types = interactions["EVENT_TYPE"][ok].fillna("(none)").astype(str)
    else:
        types = pd.Series("(none)", index=ts.index)
    step, unit = time_bin(int(ts.max() - ts.min()) if len(ts) else 0)
    frame = pd.DataFrame({"time": (ts // step) * step, "EVENT_TYPE": types.to_numpy()})
    counts = frame.groupby(["time", "EVENT_TYPE"]).size().rename("interactions").reset_index()
    counts["time"] = pd.to_datetime(counts["time"], unit="s", utc=True)
    return counts, unit


_DAY = 86_400
_BINS = ((3 * _DAY, 3600, "hour"), (180 * _DAY, _DAY, "day"), (float("inf"), 7 * _DAY, "week"))


def time_bin(span: int) -> tuple[int, str]:
    """(bin width in seconds, unit) for interactions spanning ``span`` seconds: hours up to
    three days, days up to 180 days, weeks beyond."""
    return next((s, u) for limit, s, u in _BINS if span <= limit)


def long_tail(interactions: pd.DataFrame) -> pd.DataFrame:
    """Items by interaction count, most popular first, with their rank and cumulative share
    (columns item, interactions, rank, cumulative share)."""
    return long_tail_of_counts(interactions["ITEM_ID"].astype(str).value_counts())


def long_tail_of_counts(counts: pd.Series) -> pd.DataFrame:
    """``long_tail`` from interactions per item (index: item ID), most popular first."""
    frame = counts.rename_axis("item").reset_index(name="interactions")
    frame["rank"] = range(1, len(frame) + 1)
    frame["cumulative share"] = frame["interactions"].cumsum() / frame["interactions"].sum()
    return frame


def with_time(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with a UTC ``time`` column from TIMESTAMP (epoch seconds) and an event type."""
    out = frame.copy()
    out["time"] = pd.to_datetime(
        pd.to_numeric(out["TIMESTAMP"], errors="coerce"), unit="s", utc=True
    )
    if "EVENT_TYPE" in out.columns:
        out["EVENT_TYPE"] = out["EVENT_TYPE"].fillna("(none)").astype(str)
    else:
        out["EVENT_TYPE"] = "(none)"
    return out.dropna(subset=["time"])


def events_by_hour(events: pd.DataFrame, now: datetime | None = None) -> pd.DataFrame:
    """Events per UTC hour over the last ``EVENT_HOURS`` hours, zero-filled, by event type."""
    frame = with_time(events)
    end = pd.Timestamp(now or datetime.now(UTC)).floor("h")
    start = end - timedelta(hours=EVENT_HOURS - 1)
    frame = frame[frame["time"] >= start]
    hours = pd.date_range(start, end, freq="h", name="hour")
    table = (
        frame.groupby([frame["time"].dt.floor("h").rename("hour"), "EVENT_TYPE"])
        .size()
        .unstack("EVENT_TYPE", fill_value=0)
        .reindex(hours, fill_value=0)
    )
    return (
        table.stack().rename("events").reset_index()
        if table.shape[1]
        else pd.DataFrame({"hour": hours, "EVENT_TYPE": "(none)", "events": 0})
    )


def time_since(events: pd.DataFrame, now: datetime | None = None) -> pd.Series:
    """Age of each event (a Timedelta per row with a readable TIMESTAMP)."""
    return pd.Timestamp(now or datetime.now(UTC)) - with_time(events)["time"]


@dataclass(frozen=True)
class TailShape:
    """How concentrated interactions are: the top ``HEAD_SHARE`` of items (``head``, at least
    one) get ``head_share`` of all interactions; ``single`` items have exactly one."""

    items: int
    head: int
    head_share: float
    single: int


HEAD_SHARE = 0.2  # "the top 20% of items"


def tail_shape(tail: pd.DataFrame) -> TailShape:
    """``TailShape`` of a non-empty ``long_tail`` frame."""
    head = max(1, round(len(tail) * HEAD_SHARE))
    return TailShape(
        items=len(tail),
        head=head,
        head_share=float(tail["cumulative share"].iloc[head - 1]),
        single=int((tail["interactions"] == 1).sum()),
    )


def active_dataset(datasets: Sequence[Dataset], dataset_type: str) -> Dataset | None:
    """The ACTIVE dataset of a type (INTERACTIONS, ITEMS, USERS) among a group's datasets."""
    for dataset in datasets:
        if dataset.dataset_type == dataset_type and dataset.status == "ACTIVE":
            return dataset
    return None


def rows_now(data: GroupData | None, dataset_type: str) -> int | None:
    """How many rows the group's ``dataset_type`` dataset holds now, for saying what a FULL
    import replaces (CreateDatasetImportJob, importMode FULL: "overwrites all existing bulk
    data in your dataset"; data recorded by PutEvents/PutItems/PutUsers stays).

    Args:
        data: the group's data as the page read it (None: it could not be read).
        dataset_type: ``INTERACTIONS``, ``ITEMS`` or ``USERS``.

    Returns:
        Interactions: the bulk rows (streamed events excluded, they stay). Items: the rows of
        the Items snapshot (individually put items included: an upper bound). None when not
        known: the data was not read, or a Users dataset (no snapshot of it is taken).
    """
    if data is None:
        return None
    if dataset_type == "INTERACTIONS":
        return data.interaction_count - len(data.put) if data.has_interactions else None
    if dataset_type == "ITEMS":
        return None if data.items is None else len(data.items)
    return None


def read_group_data(datasets: Sequence[Dataset], snapshots: SnapshotSource) -> GroupData:
    """Export the group's Interactions (BULK and PUT) and Items side by side and read them.

    Raises:
        ServiceError: an export could not be started, failed, or its files could not be read.
    """
    interactions = active_dataset(datasets, "INTERACTIONS")
    items = active_dataset(datasets, "ITEMS")
    requests = []
    if interactions:
        requests += [(interactions.arn, "BULK"), (interactions.arn, "PUT")]
    if items:
        requests.append((items.arn, "ALL"))
    if not requests:
        return GroupData()
    taken = snapshots.take_many(requests)
    by_key = {(s.dataset_arn, s.mode): s for s in taken}
    return GroupData(
        bulk=by_key[(interactions.arn, "BULK")].frame if interactions else pd.DataFrame(),
        put=by_key[(interactions.arn, "PUT")].frame if interactions else pd.DataFrame(),
        items=by_key[(items.arn, "ALL")].frame if items else None,
        taken=min(s.taken for s in taken),
        has_interactions=interactions is not None,
    )
