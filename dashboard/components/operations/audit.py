"""The audit log: who did what, to what, when, and how it ended."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dashboard import deps
from dashboard.components.downloads import csv_download
from dashboard.components.formatting import version_name, when_column
from services.i18n import _
from services.store.audit_text import action_text, actor_text, message_text, result_text

AUDIT_ROWS = 50


def audit_frame(limit: int = AUDIT_ROWS) -> pd.DataFrame:
    """The newest audit entries, newest first, their action, result and message in the page's
    language (``audit_text``: rows are stored in English); names, ARNs and parameters as
    stored, as text."""
    rows = [
        (
            r.at,
            actor_text(r.actor),
            action_text(r.action),
            version_name(r.target),
            result_text(r.result),
            message_text(r.message),
            json.dumps(r.params, sort_keys=True),
            r.target or "",
        )
        for r in deps.store().recent_actions(limit)
    ]
    columns = [
        _("when"),
        _("who"),
        _("action"),
        _("target"),
        _("result"),
        _("message"),
        _("parameters"),
        _("target ARN"),
    ]
    return pd.DataFrame(rows, columns=columns)


def show_audit_log(limit: int = AUDIT_ROWS) -> None:
    """The audit table, or what to do when it is empty."""
    frame = audit_frame(limit)
    if frame.empty:
        st.info(_("No action yet: deploys, training runs and stops are recorded here."))
        return
    st.dataframe(
        frame,
        hide_index=True,
        column_config={_("when"): when_column()},
    )
    csv_download(frame, _("Download the audit log as CSV"), "audit-log.csv", "audit_csv")
