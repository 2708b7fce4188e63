"""Blocks of the Data page: the first-screen summary, schemas and imports, volume, events."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dashboard import reads
from dashboard.components.data import charts as data_charts
from dashboard.components.formatting import exact_time, relative_time
from dashboard.components.status import badge_markdown
from dashboard.components.text import md_escape
from services.datasets.group_data import (
    HEAD_SHARE,
    GroupData,
    events_by_hour,
    tail_shape,
    time_since,
    with_time,
)
from services.personalize.models import Dataset, ImportJob, Schema, is_failed, is_terminal

LATEST_EVENTS = 20


def status_dot(status: str) -> str:
    """``✓ ACTIVE``, ``✗ CREATE FAILED``, ``… CREATE IN_PROGRESS``: a status a table cell can
    scan. Plain marks, not coloured emoji: those need a colour-emoji font, which many Linux
    desktops lack (they drew as empty boxes in a fresh Chromium)."""
    if is_failed(status):
        return f"✗ {status}"
    if not is_terminal(status):
        return f"… {status}"
    return f"✓ {status}" if status == "ACTIVE" else status


def schema_table(schema: Schema) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "field": f.name,
                "type": f.type,
                "nullable": f.nullable,
                "categorical": f.categorical,
                "textual": f.textual,
            }
            for f in schema.fields
        ],
        columns=["field", "type", "nullable", "categorical", "textual"],
    )


def import_table(jobs: Sequence[ImportJob]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "status": status_dot(j.status),
                "job": j.name,
                "mode": j.import_mode,
                "started": relative_time(j.created),
                "finished": relative_time(j.completed) if j.completed else "—",
                "started at": exact_time(j.created),
                "failure reason": j.failure_reason or "",
            }
            for j in jobs
        ],
        columns=["status", "job", "mode", "started", "finished", "started at", "failure reason"],
    )


def summary(pairs: Sequence[tuple[Dataset, Schema | None]], data: GroupData | None) -> None:
    """The first screen: failed or running imports, missing datasets, events of the last day."""
    if not any(d.dataset_type == "INTERACTIONS" for d, _ in pairs):
        st.info(
            "This group has no Interactions dataset: create one (with its schema), then check "
            "and import a CSV in the last section of this page."
        )
    for dataset, _ in pairs:
        jobs = reads.import_jobs(dataset.arn)
        if jobs is None:
            continue  # the read said why
        latest = jobs[0] if jobs else None
        if latest is None:
            st.info(
                f"{md_escape(dataset.name)}: nothing imported yet. Check and import a file below."
            )
        elif is_failed(latest.status):
            st.error(
                md_escape(
                    f"The latest import into {dataset.name} ({latest.name}) failed: "
                    f"{latest.failure_reason or 'no reason given'}"
                ),
                icon=":material/error:",
            )
        elif not is_terminal(latest.status):
            st.info(
                md_escape(f"Importing into {dataset.name}: {latest.name} is {latest.status}."),
                icon="⏳",
            )
    if data is not None and data.has_interactions:
        events = data.put
        day = int(time_since(events).le(pd.Timedelta(hours=24)).sum()) if len(events) else 0
        if day:
            st.success(
                f"{day} events arrived through PutEvents in the last 24 h.",
                icon=":material/mark_email_read:",
            )
        else:
            st.warning(
                "No events arrived through PutEvents in the last 24 h: check the app sends "
                "them with the event tracker's trackingId.",
                icon=":material/inbox:",
            )


def datasets_and_imports(pairs: Sequence[tuple[Dataset, Schema | None]]) -> None:
    """Per dataset: its status, schema as a table, and its import history."""
    for dataset, schema in pairs:
        st.markdown(
            f"#### {md_escape(dataset.dataset_type.title())} · {md_escape(dataset.name)} "
            f"{badge_markdown(dataset.status)}"
        )
        left, right = st.columns([2, 3])
        with left:
            st.markdown("**Schema**")
            if schema is None or not schema.fields:
                st.caption("No readable schema.")
            else:
                st.dataframe(
                    schema_table(schema), hide_index=True, key=f"data_schema_{dataset.name}"
                )
                st.caption(f"Schema {md_escape(schema.name)}")
        with right:
            st.markdown("**Import jobs** (newest first)")
            jobs = reads.import_jobs(dataset.arn)  # None: the read said why
            if jobs == []:
                st.caption("No import yet: use “Check and import a file” below.")
            elif jobs:
                st.dataframe(
                    import_table(jobs),
                    hide_index=True,
                    key=f"data_imports_{dataset.name}",
                    column_config={"failure reason": st.column_config.TextColumn(width="large")},
                )


def volume(data: GroupData) -> None:
    """Interaction volume over time by event type, and the popularity long tail."""
    total = data.interaction_count
    if not total:
        st.info("No interactions yet: import a CSV below or send events with PutEvents.")
        return
    st.plotly_chart(data_charts.volume_figure(*data.volume), key="data_volume")
    tail = data.long_tail
    st.plotly_chart(data_charts.long_tail_figure(tail), key="data_tail")
    shape = tail_shape(tail)
    st.caption(
        f"{total:,} interactions on {shape.items:,} items. The top {HEAD_SHARE:.0%} of items "
        f"({shape.head:,}) get {shape.head_share:.0%} of interactions; {shape.single:,} items "
        "have a single interaction."
    )


def put_events(data: GroupData, trackers: Sequence[tuple[str, str | None]] | None) -> None:
    """What PutEvents delivered: counts by type and by hour, and the latest events
    (``trackers`` None: they could not be read, and the events are shown without them)."""
    events = data.put
    if events.empty:
        if trackers is None:
            st.info("No events received through PutEvents yet.")
        elif not trackers:
            st.info(
                "No event tracker in this group: create one (CreateEventTracker) and send the "
                "app's events with its trackingId to see them here."
            )
        else:
            ids = ", ".join(f"{name} ({tid})" for name, tid in trackers)
            st.info(f"No events received through PutEvents yet. Send them with: {md_escape(ids)}.")
        return
    frame = with_time(events)
    last = frame["time"].max().to_pydatetime()
    cols = st.columns(4)
    cols[0].metric("Events received", f"{len(frame):,}")
    cols[1].metric("Users", f"{frame['USER_ID'].nunique():,}")
    cols[2].metric("Event types", f"{frame['EVENT_TYPE'].nunique():,}")
    cols[3].metric("Latest event", relative_time(last), help=exact_time(last))
    left, right = st.columns([1, 2])
    left.plotly_chart(data_charts.events_by_type_figure(events), key="data_events_type")
    right.plotly_chart(
        data_charts.events_by_hour_figure(events_by_hour(events)),
        key="data_events_hour",
    )
    latest = frame.sort_values("time", ascending=False, kind="stable").head(LATEST_EVENTS)
    latest = latest.assign(time=latest["time"].dt.strftime("%Y-%m-%d %H:%M:%S UTC"))
    shown = ["time", "USER_ID", "ITEM_ID", "EVENT_TYPE"] + [
        c
        for c in latest.columns
        if c not in ("time", "USER_ID", "ITEM_ID", "EVENT_TYPE", "TIMESTAMP")
        and latest[c].notna().any()
    ]
    st.markdown(f"**Latest {min(LATEST_EVENTS, len(frame))} events**")
    st.dataframe(latest[shown], hide_index=True, key="data_latest_events")
    if trackers:
        st.caption(
            "Event trackers: " + md_escape(", ".join(f"{n} (trackingId {t})" for n, t in trackers))
        )
