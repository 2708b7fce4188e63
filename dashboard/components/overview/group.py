"""One dataset group on the Overview: its datasets, solutions and campaigns at a glance."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard.components.alerts import PAGE_FILES
from dashboard.components.formatting import duration, exact_time, relative_time, short_id
from dashboard.components.operations.tabs import link_params
from dashboard.components.status import badge_markdown
from dashboard.components.text import md_code, md_escape, md_help
from services.personalize.models import short_arn
from services.pipeline.freshness import RefreshState
from services.workspace.overview import CampaignStatus, DatasetGroupOverview
from services.workspace.use_cases import USE_CASE_TITLES

_WHEN = st.column_config.DatetimeColumn(format="distance", help="Relative time; copy for exact")
_ARN = st.column_config.TextColumn("ARN", help="Full ARN (copy it from here)", width="small")


def datasets_frame(group: DatasetGroupOverview) -> pd.DataFrame:
    """Datasets with their newest import job."""
    rows = [
        {
            "type": d.dataset.dataset_type,
            "status": d.dataset.status,
            "last import": d.latest_import.name if d.latest_import else "none yet",
            "import status": d.latest_import.status if d.latest_import else None,
            "imported": (d.latest_import.completed or d.latest_import.created)
            if d.latest_import
            else None,
            # blank, not Streamlit's grey "None", when nothing failed
            "failure": (d.latest_import.failure_reason or "") if d.latest_import else "",
            "ARN": d.dataset.arn,
        }
        for d in group.datasets
    ]
    return pd.DataFrame(rows)


def solutions_frame(group: DatasetGroupOverview) -> pd.DataFrame:
    """Solutions with their newest version and newest ACTIVE version."""
    rows = []
    for s in group.solutions:
        newest = s.newest_version
        rows.append(
            {
                "solution": s.solution.name,
                "recipe": short_arn(s.solution.recipe_arn or "") or "AutoML",
                "versions": s.version_count,
                "newest version": short_id(newest.arn) if newest else "none",
                "status": newest.status if newest else None,
                "trained": newest.created if newest else None,
                "newest ACTIVE": short_id(s.newest_active.arn) if s.newest_active else "none",
                "ARN": s.solution.arn,
            }
        )
    return pd.DataFrame(rows)


def recommenders_frame(group: DatasetGroupOverview) -> pd.DataFrame:
    """Recommenders of a Domain dataset group: use case, status and what serves them."""
    rows = [
        {
            "recommender": r.name,
            "use case": USE_CASE_TITLES.get(r.use_case, r.use_case),
            "status": r.status,
            # Personalize retrains recommenders about weekly; the local engine trains each once
            "served by": "Personalize (retrained weekly on AWS)",
            "min requests/s": r.min_requests_per_second,
            "updated": r.updated,
            "ARN": r.arn,
        }
        for r in group.recommenders
    ]
    return pd.DataFrame(rows)


def _auto_training_line(status: CampaignStatus) -> None:
    refresh = status.refresh
    if refresh is None:
        return
    parts = [f"Refreshed: **{md_escape(refresh.mode)}**"]
    if refresh.last_training:
        # the solution's newest version, which need not be the one this campaign serves
        parts.append(f"newest version trained {relative_time(refresh.last_training)}")
    if refresh.next_training:
        parts.append(f"next training {relative_time(refresh.next_training)}")
    st.markdown(
        " · ".join(parts),
        help=(f"every {refresh.schedule_days} days" if refresh.schedule_days else "no schedule")
        + f"\n\nnext: {exact_time(refresh.next_training)}",
    )


def _campaign_card(status: CampaignStatus) -> None:
    campaign = status.campaign
    served = status.served_version
    served_arn = campaign.solution_version_arn
    with st.container(border=True):
        st.markdown(
            f"**{md_escape(campaign.name)}** {badge_markdown(campaign.status)} · solution "
            f"{md_code(short_arn(status.solution_arn))}",
            help=md_code(campaign.arn),
        )
        trained = f", trained {relative_time(served.created)}" if served else ""
        st.markdown(
            f"Serves version {md_code(short_id(served_arn))}{trained}",
            help=f"{md_code(served_arn)}\n\ntrained "
            f"{exact_time(served.created if served else None)}",
        )
        _auto_training_line(status)
        if status.updating_to:
            st.info(
                f"Updating to version {md_code(short_id(status.updating_to))}: the old version "
                "serves "
                "until the update is ACTIVE.",
                icon=":material/refresh:",
            )
        elif status.syncing and status.newest_active:
            st.info(
                f"Syncing: version {md_code(short_id(status.newest_active.arn))} is ACTIVE and "
                "this "
                "campaign moves to it by itself (syncWithLatestSolutionVersion).",
                icon=":material/sync:",
            )
        elif status.behind and status.newest_active:
            newest = status.newest_active
            age = duration(status.undeployed_age) if status.undeployed_age else "a while"
            st.warning(
                f"Not deployed: version {md_code(short_id(newest.arn))} has been ACTIVE for {age} "
                "and this campaign does not serve it yet.",
                icon=":material/warning:",
            )
            st.page_link(
                PAGE_FILES["operations"],
                label="Deploy on Operations",
                icon=":material/rocket_launch:",
                help=f"{md_code(newest.arn)}\n\nACTIVE since {exact_time(newest.created)}",
                query_params=link_params("deploy", campaign.arn),
            )
        elif status.newest_active:
            st.success("Serves the newest ACTIVE version.", icon=":material/check_circle:")


def refresh_line(state: RefreshState | None) -> str:
    """The group's last refresh: outcome, when, how long, by whom."""
    run = state.last if state else None
    if run is None:
        return "No refresh yet: Operations → Refresh, or `python -m services.pipeline refresh`."
    status = f"{run.status}, its process stopped" if run.stale else run.status
    took = f" in {duration(timedelta(seconds=run.seconds))}" if run.seconds is not None else ""
    line = (
        f"Last refresh #{run.id}: {badge_markdown(run.status)} "
        f"{md_escape(status) if run.stale else ''} started {relative_time(run.started)}{took} "
        f"({md_escape(run.trigger)}, {md_escape(run.actor)})"
    )
    success = state.last_success if state else None
    if success is not None and success.id != run.id and success.finished:
        line += f"; last success {relative_time(success.finished)}"
    return line


def show_group(group: DatasetGroupOverview, refresh: RefreshState | None = None) -> None:
    """Datasets, solutions and campaigns of one dataset group, and its last refresh."""
    g = group.group
    st.subheader(f"Dataset group {md_escape(g.name)}", help=md_code(g.arn))
    st.markdown(
        f"{badge_markdown(g.status)} · {len(group.datasets)} dataset(s), "
        f"{len(group.solutions)} solution(s), {len(group.campaigns)} campaign(s), "
        f"{len(group.event_trackers)} event tracker(s)"
    )
    st.markdown(
        refresh_line(refresh),
        help=md_help(refresh.last.reason) if refresh and refresh.last else None,
    )
    st.markdown("**Datasets**")
    if group.datasets:
        st.dataframe(
            datasets_frame(group), hide_index=True, column_config={"imported": _WHEN, "ARN": _ARN}
        )
    else:
        st.info("No dataset yet: create one and import interactions on the Data page.")
    st.markdown("**Solutions**")
    if group.solutions:
        st.dataframe(
            solutions_frame(group), hide_index=True, column_config={"trained": _WHEN, "ARN": _ARN}
        )
    else:
        st.info("No solution yet: create one (recipe, hyperparameters) and train it.")
        st.page_link(
            PAGE_FILES["operations"],
            label="Operations › New solution",
            icon=":material/add_circle:",
            query_params=link_params("new_solution", group.group.arn),  # preselects the group
        )
    if group.group.domain:
        st.markdown(f"**Recommenders** ({md_escape(group.group.domain)} domain)")
        if group.recommenders:
            st.dataframe(
                recommenders_frame(group),
                hide_index=True,
                column_config={"updated": _WHEN, "ARN": _ARN},
            )
        else:
            st.info("No recommender yet: create one for a use case of this domain.")
    st.markdown("**Campaigns**")
    if not group.campaigns:
        st.info("No campaign yet: train a version, then deploy it on Operations.")
        return
    columns = st.columns(min(3, len(group.campaigns)))
    for i, campaign in enumerate(group.campaigns):
        with columns[i % len(columns)]:
            _campaign_card(campaign)
