"""One dataset group on the Overview: its datasets, solutions and campaigns at a glance."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components.alerts import PAGE_FILES
from dashboard.components.formatting import (
    NO_VALUE,
    arn_column,
    dataset_type_name,
    exact_time,
    relative_time,
    status_name,
    version_name,
    when_column,
)
from dashboard.components.operations.tabs import link_params
from dashboard.components.status import badge_markdown
from dashboard.components.text import md_code, md_escape, md_help
from services.i18n import _, formats, ngettext
from services.personalize.models import short_arn
from services.pipeline.runs.freshness import RefreshState
from services.workspace.overview import CampaignStatus, DatasetGroupOverview
from services.workspace.serving import Serves
from services.workspace.use_cases import USE_CASE_TITLES


def _table(title: str, frame: pd.DataFrame | None, when: str, empty: str) -> bool:
    """A section's title, then its table (``when`` names the time column) or, when there is
    nothing to list (``frame`` None), the ``empty`` note. True when the table was drawn."""
    st.markdown(title)
    if frame is None:
        st.info(empty)
        return False
    st.dataframe(frame, hide_index=True, column_config={when: _when(), "ARN": arn_column()})
    return True


def _when() -> st.column_config.Column:
    return when_column(_("Relative time; copy for exact"))


def datasets_frame(group: DatasetGroupOverview) -> pd.DataFrame:
    """Datasets with their newest import job."""
    rows = [
        {
            _("type"): dataset_type_name(d.dataset.dataset_type),
            _("status"): d.dataset.status,
            _("last import"): d.latest_import.name if d.latest_import else _("none yet"),
            _("import status"): d.latest_import.status if d.latest_import else NO_VALUE,
            _("imported"): (d.latest_import.completed or d.latest_import.created)
            if d.latest_import
            else None,
            # blank, not Streamlit's grey "None", when nothing failed
            _("failure"): (d.latest_import.failure_reason or "") if d.latest_import else "",
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
                _("solution"): s.solution.name,
                _("recipe"): short_arn(s.solution.recipe_arn or "") or "AutoML",
                _("versions"): s.version_count,
                _("newest version"): version_name(newest.arn) if newest else _("none"),
                _("status"): newest.status if newest else NO_VALUE,
                _("trained"): newest.created if newest else None,
                _("newest ACTIVE"): version_name(s.newest_active.arn)
                if s.newest_active
                else _("none"),
                "ARN": s.solution.arn,
            }
        )
    return pd.DataFrame(rows)


def recommenders_frame(group: DatasetGroupOverview) -> pd.DataFrame:
    """Recommenders of a Domain dataset group: use case, status and what serves them."""
    rows = [
        {
            _("recommender"): r.name,
            _("use case"): _(USE_CASE_TITLES.get(r.use_case, r.use_case)),
            _("status"): r.status,
            # Personalize retrains recommenders about weekly; the local engine trains each once
            _("served by"): _("Personalize (retrained weekly on AWS)"),
            _("min requests/s"): r.min_requests_per_second,
            _("updated"): r.updated,
            "ARN": r.arn,
        }
        for r in group.recommenders
    ]
    return pd.DataFrame(rows)


def _auto_training_line(status: CampaignStatus) -> None:
    refresh = status.refresh
    if refresh is None:
        return
    parts = [_("Refreshed: **{mode}**").format(mode=md_escape(_(refresh.mode)))]
    if refresh.last_training:
        # the solution's newest version, which need not be the one this campaign serves
        parts.append(
            _("newest version trained {when}").format(when=relative_time(refresh.last_training))
        )
    if refresh.next_training:
        parts.append(_("next training {when}").format(when=relative_time(refresh.next_training)))
    every = (
        ngettext("every {n} day", "every {n} days", refresh.schedule_days).format(
            n=refresh.schedule_days
        )
        if refresh.schedule_days
        else _("no schedule")
    )
    st.markdown(
        " · ".join(parts),
        help=every + "\n\n" + _("next: {when}").format(when=exact_time(refresh.next_training)),
    )


def _campaign_card(status: CampaignStatus) -> None:
    campaign = status.campaign
    served = status.served_version
    served_arn = campaign.solution_version_arn
    with st.container(border=True):
        st.markdown(
            _("**{campaign}** {status} · solution {solution}").format(
                campaign=md_escape(campaign.name),
                status=badge_markdown(campaign.status),
                solution=md_code(short_arn(status.solution_arn)),
            ),
            help=md_code(campaign.arn),
        )
        version = md_code(version_name(served_arn))
        st.markdown(
            _("Serves version {version}, trained {when}").format(
                version=version, when=relative_time(served.created)
            )
            if served
            else _("Serves version {version}").format(version=version),
            help=f"{md_code(served_arn)}\n\n"
            + _("trained {when}").format(when=exact_time(served.created if served else None)),
        )
        _auto_training_line(status)
        if status.updating_to:
            st.info(
                _(
                    "Updating to version {version}: the old version serves until the update "
                    "is ACTIVE."
                ).format(version=md_code(version_name(status.updating_to))),
                icon=":material/refresh:",
            )
        elif status.syncing and status.newest_active:
            st.info(
                _(
                    "Syncing: version {version} is ACTIVE and this campaign moves to it by "
                    "itself (syncWithLatestSolutionVersion)."
                ).format(version=md_code(version_name(status.newest_active.arn))),
                icon=":material/sync:",
            )
        elif status.behind and status.newest_active:
            newest = status.newest_active
            age = formats.duration(status.undeployed_age) if status.undeployed_age else _("a while")
            st.warning(
                _(
                    "Not deployed: version {version} has been ACTIVE for {age} and this "
                    "campaign does not serve it yet."
                ).format(version=md_code(version_name(newest.arn)), age=age),
                icon=":material/warning:",
            )
            st.page_link(
                PAGE_FILES["operations"],
                label=_("Deploy on Operations"),
                icon=":material/rocket_launch:",
                help=f"{md_code(newest.arn)}\n\n"
                + _("ACTIVE since {when}").format(when=exact_time(newest.created)),
                query_params=link_params("deploy", campaign.arn),
            )
        elif status.newest_active:
            st.success(_("Serves the newest ACTIVE version."), icon=":material/check_circle:")


def refresh_line(state: RefreshState | None) -> str:
    """The group's last refresh: outcome, when, how long, by whom."""
    run = state.last if state else None
    if run is None:
        return _("No refresh yet: Operations → Refresh, or `python -m services.pipeline refresh`.")
    status = (
        _("{status}, its process stopped").format(status=status_name(run.status))
        if run.stale
        else ""
    )
    took = (
        _(" in {duration}").format(duration=formats.duration(run.seconds))
        if run.seconds is not None
        else ""
    )
    line = _(
        "Last refresh #{id}: {badge} {status} started {when}{took} ({trigger}, {actor})"
    ).format(
        id=run.id,
        badge=badge_markdown(run.status),
        status=md_escape(status),
        when=relative_time(run.started),
        took=took,
        trigger=md_escape(run.trigger),
        actor=md_escape(run.actor),
    )
    success = state.last_success if state else None
    if success is not None and success.id != run.id and success.finished:
        line += _("; last success {when}").format(when=relative_time(success.finished))
    return line


def _recommenders_section(group: DatasetGroupOverview) -> None:
    _table(
        _("**Recommenders** ({domain} domain)").format(domain=md_escape(group.group.domain or "–")),
        recommenders_frame(group) if group.recommenders else None,
        _("updated"),
        _("No recommender yet: create one for a use case of this domain."),
    )


def show_group(group: DatasetGroupOverview, refresh: RefreshState | None = None) -> None:
    """Datasets, solutions and campaigns of one dataset group, and its last refresh."""
    g = group.group
    st.subheader(_("Dataset group {name}").format(name=md_escape(g.name)), help=md_code(g.arn))
    serving = group.serves
    counts = [ngettext("{n} dataset", "{n} datasets", len(group.datasets))]
    sizes: list[tuple[object, ...]] = [group.datasets]
    if serving != Serves.RECOMMENDERS:
        counts += [
            ngettext("{n} solution", "{n} solutions", len(group.solutions)),
            ngettext("{n} campaign", "{n} campaigns", len(group.campaigns)),
        ]
        sizes += [group.solutions, group.campaigns]
    if serving != Serves.CAMPAIGNS:
        counts.append(ngettext("{n} recommender", "{n} recommenders", len(group.recommenders)))
        sizes.append(group.recommenders)
    counts.append(ngettext("{n} event tracker", "{n} event trackers", len(group.event_trackers)))
    sizes.append(group.event_trackers)
    parts = [text.format(n=formats.count(len(s))) for text, s in zip(counts, sizes, strict=True)]
    st.markdown(f"{badge_markdown(g.status)} · {', '.join(parts)}")
    st.markdown(
        refresh_line(refresh),
        help=md_help(refresh.last.reason) if refresh and refresh.last else None,
    )
    _table(
        _("**Datasets**"),
        datasets_frame(group) if group.datasets else None,
        _("imported"),
        _("No dataset yet: create one and import interactions on the Data page."),
    )
    if serving == Serves.RECOMMENDERS:
        # No custom solution or campaign: say what serves instead of two empty sections that
        # ask for a recipe and a campaign the group does not need.
        _recommenders_section(group)
        st.caption(
            _(
                "This group serves through its recommenders, one use case each, which "
                "Personalize trains by itself."
            )
        )
        return
    if not _table(
        _("**Solutions**"),
        solutions_frame(group) if group.solutions else None,
        _("trained"),
        _("No solution yet: create one (recipe, hyperparameters) and train it."),
    ):
        st.page_link(
            PAGE_FILES["operations"],
            label=_("Operations › New solution"),
            icon=":material/add_circle:",
            query_params=link_params("new_solution", group.group.arn),  # preselects the group
        )
    if group.group.domain or group.recommenders:
        _recommenders_section(group)
    st.markdown(_("**Campaigns**"))
    if not group.campaigns:
        st.info(_("No campaign yet: train a version, then deploy it on Operations."))
        return
    columns = st.columns(min(3, len(group.campaigns)))
    for i, campaign in enumerate(group.campaigns):
        with columns[i % len(columns)]:
            _campaign_card(campaign)
