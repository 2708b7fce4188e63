"""Operations: what is running, what needs deploying, and what was done (by whom)."""

from __future__ import annotations

import streamlit as st

from dashboard.components.errors import shown_errors
from dashboard.components.ops_actions import show_flash
from dashboard.components.ops_audit import show_audit_log
from dashboard.components.ops_deploy import show_deploy
from dashboard.components.ops_progress import show_running_work
from dashboard.components.ops_train import show_train
from dashboard.components.overview_data import load_overview
from services.overview import DatasetGroupOverview

st.title("Operations")
st.caption("What is running, what needs deploying, and what was done (and by whom).")
show_flash()
target = st.query_params.get("target")  # set by the Overview's "Deploy on Operations" links

st.subheader("Running work")
show_running_work()

groups: list[DatasetGroupOverview] = []
with shown_errors("Could not read the workspace"):
    groups = load_overview()
if not groups:
    st.info("No dataset group yet: run `make demo`, or create one on the Data page.")

deploy, train, audit = st.tabs(
    [
        ":material/rocket_launch: Deploy",
        ":material/model_training: Train",
        ":material/history: Audit log",
    ]
)
with deploy:
    with shown_errors("Could not prepare the deploy"):
        show_deploy(groups, target)
with train:
    with shown_errors("Could not prepare training"):
        show_train(groups, target)
with audit:
    show_audit_log()
