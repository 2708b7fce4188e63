"""Experiments: which campaign or recommender earns more, with an interval you may read daily."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard import deps, reads
from dashboard.components.errors import shown_errors
from dashboard.components.experiments import report as report_view
from dashboard.components.experiments.actions import show_actions
from dashboard.components.experiments.attributed import show_attributed
from dashboard.components.experiments.exported import show_event_export
from dashboard.components.experiments.link import linked_experiment, pick_experiment
from dashboard.components.experiments.start import show_start
from dashboard.components.formatting import exact_time, relative_time
from dashboard.components.group_picker import caption_with_refresh, group_picker
from dashboard.components.operations.actions import show_flash
from services.experiments.outcomes import arm_outcomes
from services.experiments.records import RUNNING, Experiment
from services.experiments.report import Report, build_report
from services.i18n import N_, _

STATES = {"running": N_("running"), "stopped": N_("stopped"), "promoted": N_("promoted")}

st.title(_("Experiments"))
show_flash()  # what the last start, stop or promotion did
caption_with_refresh(
    _("Which campaign earns more? Users are split by a hash of their ID (docs/experiments.md)."),
    "experiments_refresh",
    data=False,
)

everyone: list[Experiment] = []  # every group's, newest first: a link may name any of them
with shown_errors(_("Could not read the experiments")):
    everyone = deps.experiments().list()
linked = linked_experiment(everyone)  # ?experiment=12: a link opens it, in its group

group = group_picker("experiments_group", linked.dataset_group_arn if linked else None)
if group is None:
    st.stop()
overview = next((g for g in reads.overview() or [] if g.group.arn == group.arn), None)


def _label(e: Experiment) -> str:
    return _("{name} · {state} · since {when}").format(
        name=e.name, state=_(STATES[e.status]), when=exact_time(e.started)
    )


def _report(experiment: Experiment) -> Report | None:
    source = deps.experiment_events()
    if source is None:  # AWS: the events read back by a dataset export, else CloudWatch sums
        report = show_event_export(experiment)
        if report is None:
            found = reads.experiment_attribution(experiment)
            if found is not None:
                show_attributed(experiment, found)
        return report
    with shown_errors(_("Could not read the experiment's events")):
        events, prices = reads.experiment_events(
            source, experiment.dataset_group_arn, experiment.started
        )
        outcomes = arm_outcomes(experiment, events, prices, datetime.now(UTC))
        return build_report(experiment, outcomes)
    return None


experiments = [e for e in everyone if e.dataset_group_arn == group.arn]

if not experiments:
    st.info(_("No experiment yet: start one below."))
else:
    experiment = pick_experiment(experiments, linked, _label)
    if experiment.status != RUNNING:
        ended = (
            _("Ended {when} by promoting {winner}.") if experiment.winner else _("Ended {when}.")
        )
        st.caption(
            ended.format(when=relative_time(experiment.stopped), winner=experiment.winner),
            help=exact_time(experiment.stopped),
        )
    report = _report(experiment)
    if report is not None:
        report_view.show_headline(report)
        report_view.show_arms(report)
        report_view.show_intervals(report)
        report_view.show_planner(report)
    if experiment.status == RUNNING:
        show_actions(experiment, report.headline.decided if report else None)

st.subheader(_("Start an experiment"))
if overview is None:
    st.caption(_("Needs the workspace, which could not be read (see above)."))
else:
    show_start(overview)
