"""Operations: what is running, what needs deploying, and what was done (by whom)."""

from __future__ import annotations

import streamlit as st

from dashboard import deps, reads
from dashboard.components import cost_panels
from dashboard.components.group_picker import caption_with_refresh
from dashboard.components.operations.actions import show_flash
from dashboard.components.operations.arn_picker import follow_link
from dashboard.components.operations.audit import show_audit_log
from dashboard.components.operations.deploy import show_deploy
from dashboard.components.operations.new_campaign import show_new_campaign
from dashboard.components.operations.new_solution import show_new_solution
from dashboard.components.operations.progress import show_running_work
from dashboard.components.operations.refresh import show_refresh
from dashboard.components.operations.tabs import TAB_LABELS, TABS_KEY
from dashboard.components.operations.train import show_train
from dashboard.components.page_tabs import url_tabs
from dashboard.components.setup_file import show_setup_tab
from services.i18n import _

st.title(_("Operations"))
caption_with_refresh(
    _("What is running, what needs deploying, and what was done (and by whom)."),
    "operations_refresh",
    data=False,
)
show_flash()
target = st.query_params.get("target")  # set by the Overview's "Deploy on Operations" links

groups = reads.overview()  # None: the read said what failed; the audit log still shows
st.subheader(_("Running work"))
if groups is not None:
    show_running_work()
if groups:
    follow_link(target, groups)  # a link's group is the group of every tab
if groups == []:
    st.info(_("No dataset group yet: run `make demo`, or create one on the Data page."))


refresh, deploy, new_campaign, train, new_solution, costs, setup, audit = url_tabs(
    TAB_LABELS, TABS_KEY
)
unreadable = _("Needs the workspace, which could not be read (see above).")
# The tabs that act on the workspace: each says so when it could not be read.
for tab, show in (
    (refresh, lambda g: show_refresh(g)),
    (deploy, lambda g: show_deploy(g, target)),
    (new_campaign, lambda g: show_new_campaign(g, target)),
    (train, lambda g: show_train(g, target)),
    (new_solution, lambda g: show_new_solution(g, target)),
):
    with tab:
        if groups is None:
            st.caption(unreadable)
        else:
            show(groups)
with costs:
    if groups is not None:
        cost_panels.operations_section(reads.campaign_costs())
with setup:
    show_setup_tab(deps.settings().setup_file)
with audit:
    show_audit_log()
