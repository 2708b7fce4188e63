"""Draw a readiness report: the verdict first, then numbers, findings with fixes, and charts."""

from __future__ import annotations

from datetime import UTC, tzinfo

import pandas as pd
import streamlit as st

from dashboard.components.data import charts as data_charts
from dashboard.components.data.tabs import TAB_LABELS as DATA_TABS
from dashboard.components.page_tabs import tab_label
from dashboard.components.text import md_escape
from services.i18n import N_, _, formats, ngettext
from services.readiness import ReadinessReport

# plain marks: colour emoji need a font many Linux desktops lack
_SEVERITY = {"error": N_("✗ error"), "warning": N_("! warning"), "info": N_("i info")}


def findings_table(report: ReadinessReport) -> pd.DataFrame:
    columns = [
        _("severity"),
        _("finding"),
        _("numbers"),
        _("fix"),
        _("column"),
        _("example lines"),
    ]
    return pd.DataFrame(
        [
            (
                _(_SEVERITY.get(f.severity, f.severity)),
                f.title,
                f.detail,
                f.fix,
                f.column or "",
                ", ".join(map(str, f.rows)),
            )
            for f in report.findings
        ],
        columns=columns,
    )


def show(report: ReadinessReport, zone: tzinfo = UTC) -> None:
    """Verdict banner, headline numbers, findings table and the charts that help; the data's
    time range in ``zone`` (the data's own, or the reader's), to the minute, named."""
    if report.errors:
        titles = "; ".join(f.title for f in report.errors[:3])
        st.error(
            ngettext(
                "{count} error blocks this import: {titles}. See the fix below.",
                "{count} errors block this import: {titles}. See the fixes below.",
                len(report.errors),
            ).format(count=formats.count(len(report.errors)), titles=md_escape(titles)),
            icon=":material/error:",
        )
        if report.looks_like_raw_export:
            st.info(
                _(
                    "This looks like a raw export with its own column names: the tab “{tab}” "
                    "maps its columns to the schema, converts its times, prices and encoding, "
                    "and checks the result before importing."
                ).format(tab=tab_label(DATA_TABS, "prepare")),
                icon=":material/arrow_forward:",
            )
    elif report.warnings:
        st.warning(
            ngettext(
                "Ready to import, with {count} warning worth reading first.",
                "Ready to import, with {count} warnings worth reading first.",
                len(report.warnings),
            ).format(count=formats.count(len(report.warnings))),
            icon=":material/warning:",
        )
    else:
        st.success(_("Ready to import: no errors and no warnings."), icon=":material/check_circle:")
    s = report.summary
    cols = st.columns(4)
    cols[0].metric(_("Rows"), formats.count(s.rows))
    counted = [
        (cols[1], N_("Users"), s.users, None, ("USER_ID",)),
        (cols[2], N_("Items"), s.items, None, ("ITEM_ID",)),
    ]
    if report.dataset_type == "interactions":
        counted.append(
            (
                cols[3],
                N_("Interactions used for training"),
                s.interactions_after_filter,
                N_("After the event type and threshold filters; Personalize needs at least 1,000."),
                ("USER_ID", "ITEM_ID", "TIMESTAMP"),
            )
        )
    for col, label, value, help_text, read_from in counted:
        missing = [c for c in read_from if c in s.missing_columns]
        if value is not None:
            col.metric(_(label), formats.count(value), help=_(help_text) if help_text else None)
        elif missing:  # not known: never a 0 that reads as an empty file
            col.metric(
                _(label),
                _("not known"),
                help=ngettext(
                    "The file has no {columns} column, so this cannot be counted.",
                    "The file has no {columns} columns, so this cannot be counted.",
                    len(missing),
                ).format(columns=", ".join(missing)),
            )
    if s.time_min and s.time_max:
        st.caption(
            _("From {start} to {end} ({zone})").format(
                start=formats.date_time(s.time_min, zone),
                end=formats.date_time(s.time_max, zone),
                zone=formats.zone_name(zone),
            )
            + (
                _(" · event types: ")
                + md_escape(
                    ", ".join(f"{k} ({formats.count(v)})" for k, v in s.event_types.items())
                )
                if s.event_types
                else ""
            )
        )
    if report.findings:
        st.dataframe(
            findings_table(report),
            hide_index=True,
            key="readiness_findings",
            column_config={
                _("numbers"): st.column_config.TextColumn(width="large"),
                _("fix"): st.column_config.TextColumn(width="large"),
            },
        )
    left, right = st.columns(2)
    if len(report.events_per_day):
        left.plotly_chart(
            data_charts.events_per_day_figure(report.events_per_day), key="readiness_per_day"
        )
    if report.interactions_per_user["users"].sum():  # all-zero bars draw an empty chart
        right.plotly_chart(
            data_charts.per_user_figure(report.interactions_per_user), key="readiness_per_user"
        )
