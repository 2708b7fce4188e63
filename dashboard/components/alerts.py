"""The alert list: one coloured box per finding, with a link to the page where to act."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashboard.components.formatting import exact_time
from dashboard.components.operations.tabs import link_params
from dashboard.components.text import md_code, md_escape
from services.i18n import N_, _, formats, ngettext
from services.workspace.alerts import Alert
from services.workspace.serving import Serves

# Page files as st.navigation knows them (relative to streamlit_app.py).
PAGE_FILES = {
    "operations": "dashboard/pages/operations.py",
    "data": "dashboard/pages/data.py",
    "recommendations": "dashboard/pages/recommendations.py",
    "solutions": "dashboard/pages/solutions.py",
}
_LINK_LABELS = {
    "campaign_behind": N_("Deploy on Operations"),
    "update_failed": N_("Retry on Operations"),
    "version_failed": N_("Retrain on Operations"),
    "never_trained": N_("Train on Operations"),
    "campaign_updating": N_("Watch on Operations"),
}
# The Operations tab where each kind of finding is acted on; other kinds open the page's first.
_LINK_TABS = {
    "campaign_behind": "deploy",
    "update_failed": "deploy",
    "version_failed": "train",
    "never_trained": "train",
}
_PAGE_LABELS = {
    "operations": N_("Open Operations"),
    "data": N_("Fix on Data"),
    "recommendations": N_("Check on Recommendations"),
    "solutions": N_("Compare on Solutions"),
}
_ICONS = {"error": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}


# What "nothing needs attention" means depends on what the workspace serves through.
_ALL_CLEAR = {
    Serves.CAMPAIGNS: N_(
        "Nothing needs attention: every campaign serves its newest ACTIVE version."
    ),
    Serves.RECOMMENDERS: N_("Nothing needs attention: no import and no recommender has failed."),
    Serves.BOTH: N_(
        "Nothing needs attention: every campaign serves its newest ACTIVE version and no "
        "recommender has failed."
    ),
}


def show_alerts(alerts: Sequence[Alert], serving: Serves = Serves.CAMPAIGNS) -> None:
    """Errors red, warnings orange, info blue, in the given (severity) order; with none, the
    all-clear in the words of what the workspace ``serving`` is through."""
    if not alerts:
        st.success(_(_ALL_CLEAR[serving]))
        return
    errors = sum(a.severity == "error" for a in alerts)
    warnings = sum(a.severity == "warning" for a in alerts)
    notes = len(alerts) - errors - warnings
    parts = (
        ngettext("{n} error", "{n} errors", errors).format(n=formats.count(errors)),
        ngettext("{n} warning", "{n} warnings", warnings).format(n=formats.count(warnings)),
        ngettext("{n} note", "{n} notes", notes).format(n=formats.count(notes)),
    )
    st.caption(", ".join(parts))
    for alert in alerts:
        # a quarter of the width holds the longest label ("Check on Recommendations") on one line
        text, link = st.columns([3, 1], vertical_alignment="center")
        with text:
            box = {"error": st.error, "warning": st.warning, "info": st.info}[alert.severity]
            box(md_escape(alert.message), icon=_ICONS[alert.severity])
        with link:
            hover = "\n\n".join(
                part
                for part in (
                    md_code(alert.target),
                    _("since {when}").format(when=exact_time(alert.since)) if alert.since else "",
                )
                if part
            )
            st.page_link(
                PAGE_FILES[alert.page],
                label=_(_LINK_LABELS.get(alert.kind, _PAGE_LABELS[alert.page])),
                icon=":material/arrow_forward:",
                help=hover or None,
                query_params=(
                    link_params(_LINK_TABS.get(alert.kind), alert.target)
                    if alert.page == "operations"
                    else {"target": alert.target}
                    if alert.target
                    else None
                ),
            )
