"""Solutions & metrics: which recipe / solution version is better, on which metric?"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import deps, reads
from dashboard.components import cost_panels
from dashboard.components.alerts import PAGE_FILES
from dashboard.components.cut_short import show_cut_short
from dashboard.components.formatting import arn_column, help_columns, version_name, when_column
from dashboard.components.group_picker import caption_with_refresh
from dashboard.components.operations.tabs import TAB_LABELS as OPERATIONS_TABS
from dashboard.components.page_tabs import tab_label
from dashboard.components.session_group import chosen_group, open_on, remember_pick
from dashboard.components.solutions.data_warning import warn_if_different_data
from dashboard.components.solutions.metrics_chart import show_deltas, show_metric_charts
from dashboard.components.solutions.metrics_data import (
    METRICS_HELP,
    VERSIONS_HELP,
    metrics_frame,
    metrics_table,
    versions_frame,
)
from dashboard.components.solutions.online_metrics import show_offline_vs_online
from dashboard.components.text import md_escape
from dashboard.components.widget_scope import scoped
from services.datasets.local_engine.versions import engine_scoring_rules
from services.evaluation.version_data import (
    TEST_INTERACTION_SHARE,
    TEST_USER_SHARE,
)
from services.i18n import N_, _, formats
from services.workspace.metric_names import metric_label, metric_sort_key
from services.workspace.serving import Serves
from services.workspace.version_campaigns import VersionInfo

st.title(_("Solutions & metrics"))
caption_with_refresh(
    _(
        "Every solution version with its offline metrics. Personalize scores each version on the "
        "newest {events} of events of {users} of users; compare versions of one dataset group "
        "only, against the popularity-count baseline (grey, dashed)."
    ).format(events=formats.share(TEST_INTERACTION_SHARE), users=formats.share(TEST_USER_SHARE)),
    "solutions_refresh",
    data=False,
)
# Next to the numbers: how they were computed (and where the local engine had to choose).
MARKS = N_("★ best per metric; – no value (no user to score, or not reported).")
BY_PERSONALIZE = N_(
    "Scored by Personalize on each test user's newest {share} of interactions. Personalize "
    "does not report how many users it scored or the time range of the data."
)


def _default_pair(active: list[VersionInfo]) -> tuple[int, int]:
    """(chosen, reference): the newest version of a deployed solution vs what is deployed."""
    deployed = next((i for i, v in enumerate(active) if v.deployed_in), None)
    if deployed is None:
        return 0, min(1, len(active) - 1)
    same_solution = [
        i
        for i, v in enumerate(active)
        if v.solution.arn == active[deployed].solution.arn and i != deployed
    ]
    newest = max(
        same_solution,
        key=lambda i: active[i].version.created or datetime.min.replace(tzinfo=UTC),
        default=None,
    )
    if newest is None:
        newest = next((i for i in range(len(active)) if i != deployed), deployed)
    return newest, deployed


def _versions_and_metrics() -> None:
    """The versions table, metric charts and side-by-side deltas of one dataset group."""
    groups = reads.overview()
    if groups is None:
        return  # the read said what failed and what to do
    if not groups:
        st.info(_("Nothing trained yet: run `make demo`, or create a dataset group on Data."))
        return
    names = [g.group.name for g in groups]
    if len(names) > 1:  # opens on the session's group, picked on any page
        arn = chosen_group()
        open_on("solutions_group", next((g.group.name for g in groups if g.group.arn == arn), None))
        picked = st.selectbox(
            _("Dataset group"),
            names,
            key="solutions_group",
            on_change=remember_pick("solutions_group", {g.group.name: g.group.arn for g in groups}),
        )
        group = groups[names.index(picked)]
    else:
        group = groups[0]
    infos = reads.group_versions(group)
    if infos is None:
        return
    if not infos and group.serves == Serves.RECOMMENDERS:
        st.info(
            _(
                "{group} serves through recommenders, one use case each: Personalize trains "
                "them by itself, so there is no solution version to compare here. Their "
                "recommendations are on the Recommendations page."
            ).format(group=md_escape(group.group.name))
        )
        st.page_link(
            PAGE_FILES["recommendations"],
            label=_("Check on Recommendations"),
            icon=":material/storefront:",
        )
        return
    if not infos:
        st.info(_("No solution version yet: train one on Operations."))
        st.page_link(
            PAGE_FILES["operations"], label=_("Train on Operations"), icon=":material/settings:"
        )
        return

    st.subheader(_("Solution versions"))
    st.caption(_("Click a version to compare it side by side (below)."))
    event = st.dataframe(
        versions_frame(infos),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=scoped("solutions_versions", group.group.arn),
        column_config={
            _("created"): when_column(),
            **help_columns(VERSIONS_HELP),
            "ARN": arn_column(),
        },
    )
    with st.expander(_("Training hours and their cost")):
        cost_panels.training_section(infos, reads.prices())

    active = [i for i in infos if i.version.status == "ACTIVE"]
    metrics: dict[str, dict[str, float]] = {}
    for info in active:  # one unreadable version says so and does not hide the others
        read = reads.solution_metrics(info.version.arn, info.label)
        if read is not None:
            metrics[info.version.arn] = read

    st.subheader(_("Offline metrics"))
    frame = metrics_frame(active, metrics)
    if frame.empty:
        st.info(_("No ACTIVE version yet: metrics appear when training finishes."))
        return
    all_keys = sorted(frame["metric"].unique(), key=metric_sort_key)
    keys = st.multiselect(
        _("Metrics"),
        all_keys,
        default=all_keys,
        format_func=metric_label,
        key=scoped("solutions_metrics", group.group.arn),
    )
    data = reads.version_data(tuple(i.version.arn for i in active)) or {}
    how = (
        engine_scoring_rules()
        if reads.version_data_reported()
        else _(BY_PERSONALIZE).format(share=formats.share(TEST_INTERACTION_SHARE))
    )
    st.caption(f"{how} {_(MARKS)}")
    st.dataframe(
        metrics_table(active, metrics, keys, data, metric_label),
        hide_index=True,
        column_config=help_columns(METRICS_HELP, share=formats.share(TEST_USER_SHARE)),
    )
    show_cut_short([(i.label, i.version.arn) for i in active], data)
    if not any(i.is_baseline for i in active):
        st.caption(_("No popularity-count version in this group: train one to get a baseline."))
    show_metric_charts(frame, keys)

    st.subheader(_("Offline vs online"))
    online = reads.online_reports(group.group.arn)
    if online is not None and not online:
        st.info(
            _(
                "No metric attribution in this dataset group, and the pages do not create one: "
                "add a `[[metric_attributions]]` entry (its metrics, role and S3 output path) to "
                "the setup file and apply it (Operations › {tab}, or `python -m "
                "services.setup_file apply shop.toml`), then send events with recommendation IDs "
                "to compare each campaign's offline metrics with what it earned live."
            ).format(tab=tab_label(OPERATIONS_TABS, "setup"))
        )
    for view in online or []:
        show_offline_vs_online(view, metrics)

    st.subheader(_("Side by side"))
    if len(active) < 2:
        st.info(_("Train a second version to compare two side by side."))
    else:
        by_arn = {i.version.arn: i for i in active}

        def describe(arn: str) -> str:
            info = by_arn[arn]
            if info.deployed_in:
                return _("{label} ({recipe}, deployed in {campaigns})").format(
                    label=info.label, recipe=info.recipe, campaigns=", ".join(info.deployed_in)
                )
            return f"{info.label} ({info.recipe})"

        first, second = _default_pair(active)
        rows = event.selection.rows
        clicked = infos[rows[0]].version.arn if rows and rows[0] < len(infos) else None
        # keyed by the group: another group's pair is other widgets, opened on its defaults
        key_a, key_b = (scoped(k, group.group.arn) for k in ("cmp_a", "cmp_b"))
        if clicked != st.session_state.get("solutions_clicked"):
            # a new click drills in: the clicked version becomes the one compared
            st.session_state["solutions_clicked"] = clicked
            at = next((k for k, i in enumerate(active) if i.version.arn == clicked), None)
            if at is not None:
                st.session_state.pop(key_a, None)  # the selectbox restarts at the click
                first = at
        left, right = st.columns(2)
        arns = list(by_arn)
        a_arn = (
            left.selectbox(_("Version"), arns, index=first, format_func=describe, key=key_a)
            or arns[first]
        )
        b_arn = (
            right.selectbox(_("Compared with"), arns, index=second, format_func=describe, key=key_b)
            or arns[second]
        )
        a, b = by_arn[a_arn], by_arn[b_arn]
        if a_arn == b_arn:
            st.info(_("Pick two different versions."))
        else:
            warn_if_different_data(
                (a.label, a.version), (b.label, b.version), data, reads.version_data_reported()
            )
            # said above the table too, and again here, beside the numbers it qualifies
            show_cut_short([(a.label, a_arn), (b.label, b_arn)], data)
            vs = _("deployed") if b.deployed_in else version_name(b_arn)
            show_deltas(
                metrics.get(a_arn, {}),
                metrics.get(b_arn, {}),
                vs,
                (a.label, b.label),
                data=(data.get(a_arn), data.get(b_arn)),
            )


_versions_and_metrics()

with st.expander(_("Saved metric snapshots (kept after versions are deleted)")):
    history = deps.store().metric_history()
    if history:
        st.dataframe(
            pd.DataFrame(
                [
                    {_("version"): version_name(s.version_arn), _("saved"): s.taken_at, **s.metrics}
                    for s in history
                ]
            ).rename(columns=metric_label),
            hide_index=True,
        )
    else:
        st.caption(_("No snapshot yet."))
