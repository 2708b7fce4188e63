"""Overview: is anything wrong? Alerts first, then every dataset group at a glance."""

from __future__ import annotations

import streamlit as st

from dashboard import deps, reads
from dashboard.components import cost_panels
from dashboard.components.alerts import PAGE_FILES, show_alerts
from dashboard.components.overview.alerts_data import (
    data_checks_allowed,
    load_alerts,
    safe_data_alerts,
)
from dashboard.components.overview.group import show_group
from dashboard.components.setup_file import show_drift
from services.i18n import _
from services.workspace.alerts import sort_alerts
from services.workspace.serving import combined

st.title(_("Overview"))
header, button = st.columns([5, 1], vertical_alignment="bottom")
header.caption(_("Is anything wrong? The most urgent finding comes first."))
if button.button(_("Refresh"), icon=":material/refresh:", key="overview_refresh"):
    reads.invalidate()

groups = reads.overview()
if groups is None:
    st.stop()  # the read said what failed and what to do
if not groups:
    st.info(
        _(
            "No dataset group yet: run `make demo` for a demo shop, or create one and import "
            "interactions on the Data page."
        )
    )
    st.page_link(PAGE_FILES["data"], label=_("Go to Data"), icon=":material/folder_open:")
    st.stop()
refreshes = reads.refresh_states_of(tuple(g.group.arn for g in groups))
alerts = load_alerts(groups, refreshes)
if data_checks_allowed():
    alerts = sort_alerts([*alerts, *safe_data_alerts(groups)])
show_alerts(alerts, combined(g.serves for g in groups))
show_drift(deps.settings().setup_file)
cost_panels.overview_summary(reads.campaign_costs())
for group in groups:
    st.divider()
    show_group(group, refreshes.get(group.group.arn))
