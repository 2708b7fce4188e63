"""An experiment on AWS, judged on its events read back by a dataset export: the button that
starts the export (operators, confirmed, audited), its status while it runs (a fragment that
re-reads it), and once it is ACTIVE the report the local mode shows."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard import deps, identity
from dashboard.components.confirm_dialog import Confirmation, confirm_button
from dashboard.components.errors import shown_errors
from dashboard.components.formatting import exact_time, relative_time, short_id
from dashboard.components.language import in_session_language
from dashboard.components.operations.actions import flash, run_action
from dashboard.components.text import md_code, md_escape, md_help
from services.datasets.snapshot import location
from services.experiments.exported import (
    EventExport,
    ExportedEvents,
    checked_output,
    latest_event_export,
    output_folder,
    read_exported_events,
    start_event_export,
)
from services.experiments.outcomes import arm_outcomes
from services.experiments.records import Experiment
from services.experiments.report import Report, build_report
from services.i18n import _
from services.personalize.models import Dataset

POLL_SECONDS = 5.0  # an export takes minutes on AWS
READ_KEY = "experiment_export_read"  # {job ARN: ExportedEvents}: each export is read once


def _path_key(experiment: Experiment) -> str:
    return f"experiment_export_path_{experiment.id}"


def show_event_export(experiment: Experiment) -> Report | None:
    """The read-back controls, then the report from the newest finished export (None while
    there is none, or it runs or failed; each said on the page)."""
    st.caption(
        _(
            "On AWS the events are read back with a dataset export job of the Interactions "
            "dataset (PutEvents data only) and of the Items dataset (for prices). Each export "
            "takes several minutes and writes a copy to S3 (S3 storage is billed); the report "
            "is as of the export's start."
        )
    )
    svc = deps.service()
    export: EventExport | None = None
    datasets: list[Dataset] = []
    with shown_errors(_("Could not read the exports")):
        datasets = svc.list_datasets(experiment.dataset_group_arn)
        export = latest_event_export(svc, experiment, datasets)
    _start_controls(experiment, datasets, running=export is not None and not export.done)
    if export is None:
        st.info(_("No export yet: read the events back to see the verdict."))
        return None
    if not export.done:
        st.fragment(run_every=POLL_SECONDS)(in_session_language(_poll))(experiment, datasets)
        return None
    if export.failure is not None:
        st.error(
            _("The export failed: {reason}").format(reason=md_escape(export.failure)),
            icon=":material/error:",
        )
        return None
    return _report(experiment, export)


def _start_controls(experiment: Experiment, datasets: list[Dataset], *, running: bool) -> None:
    where = None
    with shown_errors(_("Exports need the S3 settings")):
        where = location(deps.settings())
    if where is None:
        return
    key = _path_key(experiment)
    if key not in st.session_state:
        st.session_state[key] = output_folder(where)
    path = st.text_input(
        _("Export to (S3 folder)"),
        key=key,
        help=_("Personalize writes the CSV files here with the role {role}.").format(
            role=md_code(where.role_arn)
        ),
    )
    refusal = identity.refusal()
    reason = refusal or (_("An export is running.") if running else None)
    confirm_button(
        f"experiment_export_{experiment.id}",
        _("Read the events back (dataset export)"),
        Confirmation(
            _("Export the events?"),
            _(
                "Personalize exports the group's PutEvents interactions (ingestionMode PUT) "
                "and its items to {path} with the role {role}. This takes several minutes "
                "and stores a copy in S3."
            ).format(path=md_code(path), role=md_code(where.role_arn)),
            _("Export"),
        ),
        lambda: _start(experiment, datasets, path, where.role_arn),
        disabled=reason is not None,
        help=md_help(reason),
        icon=":material/download:",
    )


def _start(experiment: Experiment, datasets: list[Dataset], path: str, role_arn: str) -> None:
    try:
        folder = checked_output(path)
    except ValueError as err:
        st.error(_("Not an S3 folder: {reason}").format(reason=md_escape(err)))
        return
    done = run_action(
        "export_experiment_events",
        experiment.name,
        {"dataset_group": experiment.dataset_group_arn, "output": folder},
        lambda: start_event_export(
            deps.service(), experiment, datasets, folder, role_arn, datetime.now(UTC)
        ),
        failure=_("Could not start the export"),
        note=lambda arns: ", ".join(a for a in arns if a),
    )
    if done is not None:
        flash(_("Export {job} started.").format(job=short_id(done[0])))
        st.rerun()


def _poll(experiment: Experiment, datasets: list[Dataset]) -> None:
    """Re-read the export's status; when it is done, redraw the page."""
    with shown_errors(_("Could not read the exports")):
        export = latest_event_export(deps.service(), experiment, datasets)
        if export is not None and not export.done:
            st.info(
                _("Export {job} is {status}: this refreshes every {seconds} s.").format(
                    job=md_escape(short_id(export.events.arn)),
                    status=md_escape(export.status),
                    seconds=f"{POLL_SECONDS:.0f}",
                ),
                icon="⏳",
            )
            return
        st.rerun()


def _report(experiment: Experiment, export: EventExport) -> Report | None:
    cache: dict[str, ExportedEvents] = st.session_state.setdefault(READ_KEY, {})
    read = cache.get(export.events.arn)
    with shown_errors(_("Could not read the exported events")):
        if read is None:
            read = read_exported_events(deps.objects(), export)
            cache[export.events.arn] = read
        taken = export.events.created or datetime.now(UTC)
        st.caption(
            _("Events exported {when}: the figures are as of then.").format(
                when=relative_time(taken)
            ),
            help=exact_time(taken),
        )
        outcomes = arm_outcomes(experiment, read.events, read.prices, taken, read.unknown)
        return build_report(experiment, outcomes)
    return None
