"""Data: is the data right, and did the events arrive?"""

from __future__ import annotations

import streamlit as st

from dashboard.components import data_sections, readiness_import
from dashboard.components.data_snapshots import (
    GroupData,
    datasets,
    group_picker,
    load_group_data,
    refresh_row,
)
from dashboard.components.errors import shown_errors
from services.errors import ServiceError

st.title("Data")
st.caption("Is the data right? Did the events arrive?")

group = group_picker("data_group")
if group is None:
    st.stop()

pairs = []
with shown_errors("Datasets"):
    pairs = datasets(group.arn)

data: GroupData | None = None
snapshot_error = None
try:
    data = load_group_data(group.arn)
except ServiceError as err:
    snapshot_error = str(err)

with shown_errors("Import jobs"):
    data_sections.summary(pairs, data)
if data is not None:
    refresh_row(data, "data_refresh")
else:
    st.warning(f"Could not read the data back: {snapshot_error}", icon=":material/warning:")

events_tab, volume_tab, datasets_tab, check_tab = st.tabs(
    ["Events (PutEvents)", "Interactions", "Schemas & imports", "Check & import a file"]
)
with events_tab:
    st.caption("What the event tracker received, which otherwise only CloudWatch counters show.")
    if data is not None:
        with shown_errors("Event trackers"):
            data_sections.put_events(data, data_sections.trackers(group.arn))
with volume_tab:
    if data is not None:
        data_sections.volume(data)
with datasets_tab:
    if not pairs:
        st.info("No datasets in this group yet: create an Interactions dataset and its schema.")
    with shown_errors("Import jobs"):
        data_sections.datasets_and_imports(pairs)
with check_tab:
    readiness_import.section(pairs)
