"""Data: is the data right, and did the events arrive?"""

from __future__ import annotations

import streamlit as st

from dashboard import reads
from dashboard.components.data import prepare as prepare_section
from dashboard.components.data import readiness_import
from dashboard.components.data import sections as data_sections
from dashboard.components.data.new_dataset import show_new_dataset
from dashboard.components.data.new_group import show_new_group
from dashboard.components.data.tabs import TAB_LABELS, TABS_KEY
from dashboard.components.errors import shown_errors
from dashboard.components.group_picker import group_picker, refresh_row
from dashboard.components.operations.actions import show_flash
from dashboard.components.page_tabs import url_tabs
from services.i18n import _

st.title(_("Data"))
st.caption(_("Is the data right? Did the events arrive?"))

show_flash()
# A new shop starts here (the other pages' "No dataset group yet" notes point to this page).
show_new_group(expanded=not reads.dataset_groups())
group = group_picker("data_group")
if group is None:
    st.stop()  # no group yet, or the groups could not be read: the picker said which

# Each read below draws its own message when it fails; what does not need it still renders.
pairs = reads.datasets(group.arn)
data = reads.group_data(group.arn)
trackers = reads.event_trackers(group.arn)  # None: unreadable; []: the group has none

if pairs is not None:
    data_sections.summary(pairs, data, trackers)
if data is not None:
    refresh_row(data, "data_refresh")

events_tab, volume_tab, datasets_tab, check_tab, prepare_tab = url_tabs(TAB_LABELS, TABS_KEY)
with events_tab:
    st.caption(_("What the event tracker received, which otherwise only CloudWatch counters show."))
    if data is not None:
        data_sections.put_events(data, trackers)
with volume_tab:
    if data is not None:
        # read on demand in process: a damaged data file is named here, not a traceback
        with shown_errors(_("Could not read the interactions")):
            data_sections.volume(data)
with datasets_tab:
    if pairs == []:
        st.info(_("No datasets in this group yet: create an Interactions dataset and its schema."))
    if pairs is not None:
        show_new_dataset(group, pairs)
    data_sections.datasets_and_imports(pairs or [])
with check_tab:
    if pairs is not None:
        readiness_import.section(pairs, data)
with prepare_tab:
    if pairs is not None:
        prepare_section.section(pairs, data)
