"""Blocks of the Data page: the first-screen summary, schemas and imports, volume, events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, tzinfo

import pandas as pd
import streamlit as st

from dashboard import reads
from dashboard.components.data import charts as data_charts
from dashboard.components.data.tabs import TAB_LABELS as DATA_TABS
from dashboard.components.formatting import (
    dataset_type_name,
    relative_time,
    status_name,
)
from dashboard.components.operations.tabs import TAB_LABELS as OPERATIONS_TABS
from dashboard.components.page_tabs import tab_label
from dashboard.components.status import badge_markdown
from dashboard.components.text import md_escape
from dashboard.components.time_zone import reader_zone
from services.datasets.group_data import (
    HEAD_SHARE,
    GroupData,
    events_by_hour,
    tail_shape,
    time_since,
    with_time,
)
from services.datasets.local_engine.import_repeats import ImportRepeats
from services.i18n import _, formats, ngettext
from services.local.rules.repeated_events import mostly_stored
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
        [(f.name, f.type, f.nullable, f.categorical, f.textual) for f in schema.fields],
        columns=[_("field"), _("type"), _("nullable"), _("categorical"), _("textual")],
    )


def import_repeats(jobs: Sequence[ImportJob]) -> Mapping[str, ImportRepeats]:
    """The finished jobs' counts of rows already stored (empty where nobody records them; a
    failed read said why)."""
    return reads.import_repeats(tuple(j.arn for j in jobs if j.status == "ACTIVE")) or {}


def already_stored_cell(counts: ImportRepeats | None) -> str:
    """``1,472 of 1,472``: of the rows an import stored, how many the dataset already held."""
    if counts is None:
        return "—"
    return _("{repeated} of {rows}").format(
        repeated=formats.count(counts.repeated), rows=formats.count(counts.rows)
    )


def import_table(
    jobs: Sequence[ImportJob],
    repeats: Mapping[str, ImportRepeats] | None = None,
    zone: tzinfo = UTC,
) -> pd.DataFrame:
    """One row per import job, newest first, its start written in ``zone``; with ``repeats``
    (the engine's record) a column of the rows each job found already stored."""
    table = pd.DataFrame(
        [
            (
                status_dot(j.status),
                j.name,
                j.import_mode or "—",
                relative_time(j.created),
                relative_time(j.completed) if j.completed else "—",
                formats.date_time(j.created, zone, seconds=True),
                j.failure_reason or "",
            )
            for j in jobs
        ],
        columns=[
            _("status"),
            _("job"),
            _("mode"),
            _("started"),
            _("finished"),
            _("started at ({zone})").format(zone=formats.zone_name(zone)),
            _("failure reason"),
        ],
    )
    if repeats:
        table.insert(
            4, _("already stored"), [already_stored_cell(repeats.get(j.arn)) for j in jobs]
        )
    return table


def repeated_import_warning(dataset: Dataset, job: ImportJob, counts: ImportRepeats) -> None:
    """The warning for an import most of whose rows the dataset already held."""
    st.warning(
        ngettext(
            "The latest import into {dataset} ({job}, {mode}) stored {rows} row, which the "
            "dataset already held: the same event was most likely imported before. Training "
            "counts it once; the dataset now holds it twice and its ingestion was billed "
            "again. Import only new events INCREMENTAL, or the whole history FULL.",
            "The latest import into {dataset} ({job}, {mode}) stored {rows} rows, {repeated} "
            "of which the dataset already held: the same events were most likely imported "
            "before. Training counts each of them once; the dataset now holds them twice and "
            "their ingestion was billed again. Import only new events INCREMENTAL, or the "
            "whole history FULL.",
            counts.rows,
        ).format(
            dataset=md_escape(dataset.name),
            job=md_escape(job.name),
            mode=md_escape(job.import_mode or "FULL"),
            rows=formats.count(counts.rows),
            repeated=formats.count(counts.repeated),
        ),
        icon=":material/content_copy:",
    )


def summary(
    pairs: Sequence[tuple[Dataset, Schema | None]],
    data: GroupData | None,
    trackers: Sequence[tuple[str, str | None]] | None = None,
) -> None:
    """The first screen: failed or running imports, missing datasets, events of the last day.
    ``trackers`` (name, trackingId) of the group's event trackers, None when unread: with
    none (``[]``) no PutEvents warning, since there is no trackingId to send with and the
    Events tab says how to add a tracker (trial s14, finding 6)."""
    if not any(d.dataset_type == "INTERACTIONS" for d, _ in pairs):
        st.info(
            _(
                "This group has no Interactions dataset: create one (with its schema) in the "
                "“{datasets}” tab, then check and import a CSV in the “{check}” tab."
            ).format(datasets=tab_label(DATA_TABS, "datasets"), check=tab_label(DATA_TABS, "check"))
        )
    for dataset, _schema in pairs:
        jobs = reads.import_jobs(dataset.arn)
        if jobs is None:
            continue  # the read said why
        latest = jobs[0] if jobs else None
        if latest is None:
            st.info(
                _(
                    "{dataset}: nothing imported yet. Check and import a file in the “{tab}” tab."
                ).format(dataset=md_escape(dataset.name), tab=tab_label(DATA_TABS, "check"))
            )
        elif is_failed(latest.status):
            st.error(
                _("The latest import into {dataset} ({job}) failed: {reason}").format(
                    dataset=md_escape(dataset.name),
                    job=md_escape(latest.name),
                    reason=md_escape(latest.failure_reason or _("no reason given")),
                ),
                icon=":material/error:",
            )
        elif not is_terminal(latest.status):
            st.info(
                _("Importing into {dataset}: {job} is {status}.").format(
                    dataset=md_escape(dataset.name),
                    job=md_escape(latest.name),
                    status=md_escape(status_name(latest.status)),
                ),
                icon="⏳",
            )
        elif dataset.dataset_type == "INTERACTIONS":
            counts = import_repeats([latest]).get(latest.arn)
            if counts is not None and mostly_stored(counts.repeated, counts.rows):
                repeated_import_warning(dataset, latest, counts)
    if data is not None and data.has_interactions:
        events = data.put
        day = int(time_since(events).le(pd.Timedelta(hours=24)).sum()) if len(events) else 0
        if day:
            st.success(
                ngettext(
                    "{count} event arrived through PutEvents in the last 24 h.",
                    "{count} events arrived through PutEvents in the last 24 h.",
                    day,
                ).format(count=formats.count(day)),
                icon=":material/mark_email_read:",
            )
        elif trackers != []:  # without a tracker there is no trackingId to check (trial s14)
            st.warning(
                _(
                    "No events arrived through PutEvents in the last 24 h: check the app sends "
                    "them with the event tracker's trackingId."
                ),
                icon=":material/inbox:",
            )


def datasets_and_imports(pairs: Sequence[tuple[Dataset, Schema | None]]) -> None:
    """Per dataset: its status, schema as a table, and its import history."""
    for dataset, schema in pairs:
        st.markdown(
            f"#### {md_escape(dataset_type_name(dataset.dataset_type))} · "
            f"{md_escape(dataset.name)} {badge_markdown(dataset.status)}"
        )
        left, right = st.columns([2, 3])
        with left:
            st.markdown(_("**Schema**"))
            if schema is None or not schema.fields:
                st.caption(_("No readable schema."))
            else:
                st.dataframe(
                    schema_table(schema), hide_index=True, key=f"data_schema_{dataset.name}"
                )
                st.caption(_("Schema {name}").format(name=md_escape(schema.name)))
        with right:
            st.markdown(_("**Import jobs** (newest first)"))
            jobs = reads.import_jobs(dataset.arn)  # None: the read said why
            if jobs == []:
                st.caption(
                    _("No import yet: use the “{tab}” tab.").format(
                        tab=tab_label(DATA_TABS, "check")
                    )
                )
            elif jobs:
                interactions = dataset.dataset_type == "INTERACTIONS"
                st.dataframe(
                    import_table(
                        jobs, import_repeats(jobs) if interactions else None, reader_zone()
                    ),
                    hide_index=True,
                    key=f"data_imports_{dataset.name}",
                    column_config={_("failure reason"): st.column_config.TextColumn(width="large")},
                )


def volume(data: GroupData) -> None:
    """Interaction volume over time by event type, and the popularity long tail."""
    total = data.interaction_count
    if not total:
        st.info(
            _(
                "No interactions yet: import a CSV in the “{tab}” tab or send events with "
                "PutEvents."
            ).format(tab=tab_label(DATA_TABS, "check"))
        )
        return
    stored_and_distinct(total, data.distinct_interaction_count)
    st.plotly_chart(data_charts.volume_figure(*data.volume), key="data_volume")
    tail = data.long_tail
    st.plotly_chart(data_charts.long_tail_figure(tail), key="data_tail")
    shape = tail_shape(tail)
    # three sentences, each with the noun of its own count
    sentences = (
        ngettext(
            "{total} interactions on {items} item.",
            "{total} interactions on {items} items.",
            shape.items,
        ),
        ngettext(
            "The top {top} of items ({head}) gets {head_share} of interactions.",
            "The top {top} of items ({head}) get {head_share} of interactions.",
            shape.head,
        ),
        ngettext(
            "{single} item has a single interaction.",
            "{single} items have a single interaction.",
            shape.single,
        ),
    )
    st.caption(
        " ".join(sentences).format(
            total=formats.count(total),
            items=formats.count(shape.items),
            top=formats.share(HEAD_SHARE),
            head=formats.count(shape.head),
            head_share=formats.share(shape.head_share),
            single=formats.count(shape.single),
        )
    )


def stored_and_distinct(stored: int, distinct: int) -> None:
    """What the interaction count is and what training uses of it: rows stored (bulk and
    streamed) against distinct events (``rules.repeated_events``)."""
    repeats = stored - distinct
    if not repeats:
        st.caption(
            ngettext(
                "{stored} row stored, a distinct event: training uses it (before its event "
                "type filters).",
                "{stored} rows stored, each a distinct event: training uses them all (before "
                "its event type filters).",
                stored,
            ).format(stored=formats.count(stored))
        )
        return
    st.warning(
        ngettext(
            "{stored} rows stored, {distinct} distinct events ({repeats} exact repeat of an "
            "earlier row's USER_ID, ITEM_ID and TIMESTAMP is counted once in training). "
            "Repeats come from importing the same events again INCREMENTAL.",
            "{stored} rows stored, {distinct} distinct events ({repeats} exact repeats of an "
            "earlier row's USER_ID, ITEM_ID and TIMESTAMP are counted once in training). "
            "Repeats come from importing the same events again INCREMENTAL.",
            repeats,
        ).format(
            stored=formats.count(stored),
            distinct=formats.count(distinct),
            repeats=formats.count(repeats),
        ),
        icon=":material/content_copy:",
    )


def put_events(data: GroupData, trackers: Sequence[tuple[str, str | None]] | None) -> None:
    """What PutEvents delivered: counts by type and by hour, and the latest events
    (``trackers`` None: they could not be read, and the events are shown without them)."""
    events = data.put
    if events.empty:
        if trackers is None:
            st.info(_("No events received through PutEvents yet."))
        elif not trackers:
            st.info(
                _(
                    "No event tracker in this group, and the pages do not create one: add an "
                    "`[[event_trackers]]` entry (`name`, `dataset_group`) to the setup file and "
                    "apply it (Operations › {tab}, or `python -m services.setup_file apply "
                    "shop.toml`), then send the app's events with its trackingId to see them here."
                ).format(tab=tab_label(OPERATIONS_TABS, "setup"))
            )
        else:
            ids = ", ".join(f"{name} ({tid})" for name, tid in trackers)
            st.info(
                _("No events received through PutEvents yet. Send them with: {trackers}.").format(
                    trackers=md_escape(ids)
                )
            )
        return
    frame = with_time(events)
    last = frame["time"].max().to_pydatetime()
    cols = st.columns(4)
    cols[0].metric(_("Events received"), formats.count(len(frame)))
    cols[1].metric(_("Users"), formats.count(frame["USER_ID"].nunique()))
    cols[2].metric(_("Event types"), formats.count(frame["EVENT_TYPE"].nunique()))
    zone = reader_zone()
    cols[3].metric(
        _("Latest event"),
        relative_time(last),
        help=f"{formats.date_time(last, zone, seconds=True)} ({formats.zone_name(zone)})",
    )
    # What the two counts are not (trial s9 compared them with the demo seed's printout of
    # generated events and of users sent with PutUsers). Bulk rows: every interaction less the
    # streamed ones (a storage-backed snapshot keeps no bulk frame, only the count).
    bulk = data.interaction_count - len(events)
    st.caption(
        ngettext(
            "Events received: every event PutEvents delivered to this group's interactions "
            "dataset; the {bulk} interaction imported in bulk is not counted. Users: the "
            "distinct user IDs of those events, new or also in the bulk data (not the users "
            "sent with PutUsers).",
            "Events received: every event PutEvents delivered to this group's interactions "
            "dataset; the {bulk} interactions imported in bulk are not counted. Users: the "
            "distinct user IDs of those events, new or also in the bulk data (not the users "
            "sent with PutUsers).",
            bulk,
        ).format(bulk=formats.count(bulk))
    )
    left, right = st.columns([1, 2])
    colors = data_charts.event_type_colors(events["EVENT_TYPE"])
    left.plotly_chart(data_charts.events_by_type_figure(events, colors), key="data_events_type")
    right.plotly_chart(
        data_charts.events_by_hour_figure(events_by_hour(events), colors, zone),
        key="data_events_hour",
    )
    latest = frame.sort_values("time", ascending=False, kind="stable").head(LATEST_EVENTS)
    latest = latest.assign(
        time=[formats.date_time(t.to_pydatetime(), zone, seconds=True) for t in latest["time"]]
    )
    shown = ["time", "USER_ID", "ITEM_ID", "EVENT_TYPE"] + [
        c
        for c in latest.columns
        if c not in ("time", "USER_ID", "ITEM_ID", "EVENT_TYPE", "TIMESTAMP")
        and latest[c].notna().any()
    ]
    latest_count = min(LATEST_EVENTS, len(frame))
    st.markdown(
        ngettext("**Latest event**", "**Latest {count} events**", latest_count).format(
            count=formats.count(latest_count)
        )
    )
    st.dataframe(
        latest[shown].rename(
            columns={"time": _("time ({zone})").format(zone=formats.zone_name(zone))}
        ),
        hide_index=True,
        key="data_latest_events",
    )
    if trackers:
        st.caption(
            _("Event trackers: {trackers}").format(
                trackers=md_escape(", ".join(f"{n} (trackingId {t})" for n, t in trackers))
            )
        )
