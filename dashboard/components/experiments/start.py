"""Start an experiment: name, control and treatment, split, the events that count."""

from __future__ import annotations

import streamlit as st

from dashboard import deps, identity
from dashboard.components.experiments.link import open_experiment
from dashboard.components.operations.actions import flash, run_action
from dashboard.components.text import md_help
from services.experiments.records import DEFAULT_MIN_LIFT, Arm
from services.i18n import _
from services.store.audit_text import EXPERIMENT
from services.store.audit_text import note as audit_note
from services.workspace.overview import DatasetGroupOverview


def _targets(group: DatasetGroupOverview) -> dict[str, str]:
    """ARN -> label of every ACTIVE campaign and recommender of the group."""
    found = {
        c.campaign.arn: _("campaign {name}").format(name=c.campaign.name)
        for c in group.campaigns
        if c.campaign.status == "ACTIVE"
    }
    found.update(
        {
            r.arn: _("recommender {name}").format(name=r.name)
            for r in group.recommenders
            if r.status == "ACTIVE"
        }
    )
    return found


def show_start(group: DatasetGroupOverview) -> None:
    """The start form; an operator's submit stores the experiment (audited)."""
    targets = _targets(group)
    if len(targets) < 2:
        st.info(
            _(
                "An experiment needs two ACTIVE campaigns or recommenders in this dataset "
                "group: create a second one on Operations."
            )
        )
        return
    arns = list(targets)
    refusal = identity.refusal()
    with st.form("experiment_start"):
        name = st.text_input(
            _("Experiment name"),
            key="experiment_name",
            help=_("Part of the split's hash: it can never be reused or changed."),
        )
        left, right = st.columns(2)
        control = left.selectbox(
            _("Arm A (control)"), arns, format_func=targets.get, key="experiment_a"
        )
        treatment = right.selectbox(
            _("Arm B"), arns, index=1, format_func=targets.get, key="experiment_b"
        )
        share_a = st.slider(_("Share of users in A (%)"), 10, 90, 50, key="experiment_share")
        left, right = st.columns(2)
        click = left.text_input(_("Click event type"), "View", key="experiment_click")
        conversion = right.text_input(
            _("Conversion event type"), "Purchase", key="experiment_conversion"
        )
        left, right = st.columns(2)
        lift = left.number_input(
            _("Smallest lift worth finding (%)"),
            0.5,
            100.0,
            DEFAULT_MIN_LIFT * 100,
            step=0.5,
            key="experiment_lift",
        )
        planned = right.number_input(
            _("Users you expect in all"),
            100,
            100_000_000,
            10_000,
            step=1_000,
            key="experiment_planned",
            help=_("The interval is made tightest around this many users; any number is valid."),
        )
        submitted = st.form_submit_button(
            _("Start the experiment"),
            type="primary",
            disabled=refusal is not None,
            help=md_help(refusal),
        )
    if not submitted or control is None or treatment is None:
        return
    arms = [Arm("A", share_a * 100, control), Arm("B", (100 - share_a) * 100, treatment)]
    params = {
        "name": name,
        "arms": [{"name": a.name, "weight": a.weight, "target": a.target} for a in arms],
        "click_event": click,
        "conversion_event": conversion,
        "min_lift": lift / 100,
        "planned_users": int(planned),
    }
    started = run_action(
        "start_experiment",
        group.group.arn,
        params,
        lambda: deps.experiments().start(
            name.strip(),
            group.group.arn,
            arms,
            actor=identity.actor(),
            click_event=click,
            conversion_event=conversion,
            min_lift=lift / 100,
            planned_users=int(planned),
        ),
        failure=_("Could not start the experiment"),
        note=lambda e: audit_note(EXPERIMENT, id=e.id),
    )
    if started is not None:
        flash(_("Experiment {name} started.").format(name=started.name))
        open_experiment(started.id)
        st.rerun()
