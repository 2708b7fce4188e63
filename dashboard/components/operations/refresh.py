"""Refresh now: the same run as ``python -m services.pipeline refresh``, started from here.

The run executes in a background thread of the dashboard's process (``Pipeline.start_background``,
as the command does) and writes every step to the store; the button returns as soon as the run
is claimed. This panel only reads those rows (``reads.refresh_run``, cached two seconds, so any
number of open tabs cost one query per interval) and never blocks a page; while the run lasts,
Running work above lists it with its current step (the page's one poll), and the run's box
lists every step once it ended.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import deps, identity, reads
from dashboard.components.confirm_dialog import Confirmation, confirm_button
from dashboard.components.data.prepare import RAW_TYPES, S3, UPLOAD
from dashboard.components.data.readiness_import import stage_upload, staging_location
from dashboard.components.errors import show_failure, shown_errors
from dashboard.components.formatting import mode_name, when_column
from dashboard.components.language import file_uploader
from dashboard.components.operations.arn_picker import pick_group
from dashboard.components.operations.refresh_refusals import (
    DATA_FIELD,
    MAPPING_FIELD,
    MAX_REJECTED_FIELD,
    SOLUTIONS_FIELD,
    TRAINING_MODE_FIELD,
    max_rejected_setting,
    no_campaign_to_refresh,
    option_error,
)
from dashboard.components.operations.refresh_text import run_reason, step_label, step_reason
from dashboard.components.text import md_code, md_escape, md_help
from services.datasets.snapshot import LocalObjects
from services.errors import ServiceError
from services.i18n import N_, _, formats
from services.pipeline import (
    DEFAULT_METRIC,
    GUARDRAIL_METRICS,
    RUNNING,
    RefreshOptions,
    RefreshRun,
)
from services.pipeline.options import (
    DEFAULT_MAX_REJECTED_PCT,
    DEFAULT_TOLERANCE_PCT,
    IMPORT_MODES,
    TRAINING_MODES,
    DataSource,
    parse_sources,
)
from services.pipeline.steps.planning import default_solutions
from services.pipeline.steps.rejections import check_warnings
from services.prepare import load_mapping
from services.store.audit_text import run_note
from services.workspace.metric_names import metric_label
from services.workspace.overview import DatasetGroupOverview

RUN_KEY = "refresh_run"
# Plain text marks: emoji need a colour-emoji font, which many Linux desktops lack (they drew
# as empty boxes in a fresh Chromium).
_MARKS = {"SUCCEEDED": "✓", "FAILED": "✗", "REFUSED": "✗", "SKIPPED": "–", RUNNING: "…"}


def took(seconds: float | None) -> str:
    """A run's or step's duration, or "running"."""
    return formats.duration(seconds) if seconds is not None else _("running")


def steps_frame(run: RefreshRun) -> pd.DataFrame:
    """One row per step: what, outcome, why, how long."""
    return pd.DataFrame(
        [
            (
                step_label(run, s),
                f"{_MARKS.get(s.status, '')} {s.status}",
                step_reason(run, s),
                took(s.seconds),
            )
            for s in run.steps
        ],
        columns=[_("step"), _("outcome"), _("reason"), _("took")],
    )


def _guardrail_text(run: RefreshRun) -> str:
    parts = []
    for g in run.guardrails:
        if g.get("new_value") is None:
            continue
        served = g.get("served_value")
        change = g.get("change_pct")
        numbers = formats.metric(g["new_value"])
        numbers += f" vs {formats.metric(served)}" if served is not None else ""
        numbers += f" ({formats.change(change / 100, 1)})" if change is not None else ""
        # runs recorded before the campaign was kept in the detail have no name
        campaign = f"{g['campaign']}: " if g.get("campaign") else ""
        parts.append(f"{'✓' if g.get('allowed') else '✗'} {campaign}{numbers}")
    return "; ".join(parts)


def history_frame(runs: list[RefreshRun]) -> pd.DataFrame:
    """Past runs: outcome, when, how long, who, and the guardrail's numbers."""
    return pd.DataFrame(
        [
            (
                r.id,
                r.dataset_group_name,
                _("{status} (stalled)").format(status=r.status) if r.stale else r.status,
                r.started,
                took(r.seconds),
                f"{r.actor} ({r.trigger})",
                _guardrail_text(r),
                run_reason(r),
            )
            for r in runs
        ],
        columns=[
            _("run"),
            _("group"),
            _("outcome"),
            _("started"),
            _("took"),
            _("by"),
            _("guardrail (new vs served)"),
            _("reason"),
        ],
    )


def _percent(where: Any, label: str, default: float, key: str, **extra: Any) -> float:
    """A percentage field (0 to 100, in steps of 0.5) in ``where`` (``st`` or a column)."""
    return float(
        where.number_input(
            label, min_value=0.0, max_value=100.0, value=default, step=0.5, key=key, **extra
        )
    )


def _local_folder_hint() -> None:
    """With the local engine, where ``s3://BUCKET/KEY`` is on this machine (the folder the
    engine and every import read, ``services.datasets.snapshot.object_store``)."""
    objects = deps.objects()
    if isinstance(objects, LocalObjects):
        st.caption(
            _("Locally, {uri} is the file {path}.").format(
                uri=md_code("s3://BUCKET/KEY"),
                path=md_code(f"{objects.root.expanduser().resolve()}/BUCKET/KEY"),
            )
        )


def _data_location(key: str) -> tuple[str, bool] | None:
    """The data field: a typed ``s3://`` location (``TYPE=LOCATION`` for items or users) or a
    file uploaded where imports read it, as Data › Prepare stores its uploads. Returns the
    location text and whether it was uploaded; None when nothing is given (or the upload has
    nowhere to go, said on the page)."""
    source = st.radio(
        _(DATA_FIELD), [S3, UPLOAD], format_func=_, horizontal=True, key=f"{key}_source"
    )
    if source == S3:
        data = st.text_input(
            _("S3 location"),
            key=key,
            placeholder=_("s3://bucket/interactions.csv"),
            help=_(
                "Checked against Personalize's rules before the import; an error stops the "
                "run. TYPE=LOCATION (items=s3://bucket/items.csv) for items or users."
            ),
        ).strip()
        _local_folder_hint()
        return (data, False) if data else None
    where = staging_location()
    if where is None:
        return None
    staged = None
    with shown_errors(_("Reading the file")):
        staged = stage_upload(where, f"{key}_upload", N_("Raw export"), RAW_TYPES)
    return (staged.uri, True) if staged is not None else None


def _mapping(denied: str | None) -> Any:
    return file_uploader(
        _(MAPPING_FIELD),
        ["json"],
        "refresh_mapping",
        _(
            "The JSON from Data → Prepare → Download the mapping: the data above is then a raw "
            "export, prepared by this mapping before the check."
        ),
        disabled=denied is not None,  # the upload only feeds a run the viewer cannot start
    )


def _sources(given: tuple[str, bool] | None, mapping_file: Any) -> tuple[DataSource, ...]:
    """The run's data: the typed or uploaded location with the mapping's document (an upload
    goes into the mapping's dataset type, else Interactions).

    Raises:
        ValueError: the mapping or the location is refused (``OptionError``, ``MappingError``),
            or the mapping is not UTF-8 text (``UnicodeDecodeError``).
    """
    mappings = (
        [load_mapping(mapping_file.getvalue().decode("utf-8")).to_dict()]
        if mapping_file is not None
        else []
    )
    if given is None:
        return parse_sources([], mappings)
    location, uploaded = given
    if uploaded:
        kind = str(mappings[0]["dataset_type"]) if mappings else "interactions"
        location = f"{kind.upper()}={location}"
    return parse_sources([location], mappings)


def _options(group: DatasetGroupOverview, denied: str | None) -> RefreshOptions | None:
    given = _data_location("refresh_data")
    mapping_file = _mapping(denied)
    max_rejected = _percent(
        st,
        _(MAX_REJECTED_FIELD),
        DEFAULT_MAX_REJECTED_PCT,
        "refresh_max_rejected",
        disabled=mapping_file is None,
        help=_(
            "With a mapping: when preparing the raw export rejects more than this share of its "
            "rows, the run stops before any import and campaigns keep their versions. Below "
            "it, the rejected rows are a warning of the run."
        ),
    )
    left, right = st.columns(2)
    # the modes a run may take are the options' own (RefreshOptions checks them)
    import_mode, training_mode = (
        column.radio(label, list(modes), format_func=mode_name, horizontal=True, key=key)
        for column, label, modes, key in (
            (left, _("Import mode"), IMPORT_MODES, "refresh_import_mode"),
            (right, _(TRAINING_MODE_FIELD), TRAINING_MODES, "refresh_training_mode"),
        )
    )
    with_campaign = [
        s.name
        for s in default_solutions(
            [s.solution for s in group.solutions], [c.solution_arn for c in group.campaigns]
        )
    ]
    solutions = st.multiselect(
        _(SOLUTIONS_FIELD),
        [s.solution.name for s in group.solutions],
        default=with_campaign,
        key=f"refresh_solutions_{group.group.arn}",
        help=_("Default: every solution that backs a campaign."),
    )
    # the plan step's refusal, said here before a run starts (trial s13b)
    nothing_to_train = not solutions and not with_campaign
    if nothing_to_train:
        st.warning(
            no_campaign_to_refresh(group.group.name, has_solutions=bool(group.solutions)),
            icon=":material/info:",
        )
    deploy = st.toggle(_("Deploy when the guardrail allows"), value=True, key="refresh_deploy")
    left, right = st.columns(2)
    metric = left.selectbox(
        _("Guardrail metric"),
        GUARDRAIL_METRICS,
        index=GUARDRAIL_METRICS.index(DEFAULT_METRIC),
        format_func=metric_label,
        key="refresh_metric",
    )
    tolerance = _percent(
        right, _("Largest allowed drop (%)"), DEFAULT_TOLERANCE_PCT, "refresh_tolerance"
    )
    force = st.checkbox(
        _("Force: deploy even if the metric dropped more"), key="refresh_force", disabled=not deploy
    )
    try:
        options = RefreshOptions(
            data=_sources(given, mapping_file),
            import_mode=import_mode or "FULL",
            training_mode=training_mode or "FULL",
            solutions=tuple(solutions),
            deploy=deploy,
            force=force and deploy,
            metric=metric,
            tolerance_pct=float(tolerance),
            max_rejected_pct=float(max_rejected),
        )
    except ValueError as err:  # MappingError and UnicodeDecodeError are ValueErrors too
        st.error(md_escape(option_error(err, UPLOAD)), icon=":material/error:")
        return None
    return None if nothing_to_train else options


def _start(group: DatasetGroupOverview, options: RefreshOptions) -> None:
    params = options.to_dict()
    if not identity.permit("refresh", group.group.arn, params):
        return
    pipeline = deps.pipeline()
    actor = identity.actor()
    try:
        triggered = pipeline.trigger(group.group, options, actor=actor, trigger="dashboard")
    except ServiceError as err:  # the store refused the run: none started
        show_failure(_("Could not start the refresh"), err)
        return
    if triggered.owner is not None:
        try:
            pipeline.start_background(triggered.run_id, triggered.owner)
        except RuntimeError as err:  # no thread could start; the run was ended FAILED
            st.error(
                _("Could not start the refresh: {error}").format(error=md_escape(err)),
                icon=":material/error:",
            )
            return
    note = run_note(triggered.run_id, attached=triggered.attached, resumed=triggered.resumed)
    with shown_errors(_("The refresh started but is not in the audit log")):
        deps.store().record_action(actor, "refresh", group.group.arn, params, "ok", note)
    st.session_state[RUN_KEY] = triggered.run_id
    reads.invalidate()
    st.rerun()


def show_live_run(run_id: int) -> None:
    """The run's box: its outcome and one row per step. It does not poll: while the run lasts,
    Running work above (the page's one poll) names its current step, and reruns the page when
    the run ends, which redraws this box with every step."""
    run = reads.refresh_run(run_id)
    if run is None:
        return
    state = {"SUCCEEDED": "complete", RUNNING: "running"}.get(run.status, "error")
    label = _("Refresh #{id} of {group}: {status}").format(
        id=run.id, group=md_escape(run.dataset_group_name), status=md_escape(run.status)
    )
    if run.stale:
        label += _(" (its process stopped; the next Refresh now resumes it)")
    # Not a `with` block: leaving one marks the status "complete", which drew a tick beside
    # "RUNNING".
    box = st.status(label, state=state, expanded=True)
    if run.status == RUNNING and not run.stale:
        # A steps table drawn now would go stale at the next step; Running work follows it.
        box.caption(_("Its current step is under Running work at the top of this page."))
    else:
        box.dataframe(steps_frame(run), hide_index=True)
    failed = run.status == "FAILED"
    for warning in check_warnings(run.rejected_rows, max_rejected_setting()) if not failed else ():
        box.warning(md_escape(warning), icon=":material/warning:")
    if run.reason:
        box.caption(md_escape(run_reason(run)))


def show_refresh(groups: list[DatasetGroupOverview]) -> None:
    """Choose a group and options, confirm, start; follow the run; see past runs."""
    group = pick_group(
        _("Dataset group"),
        groups,
        key="refresh_group",
        empty=_("No dataset group yet: create one on the Data page."),
    )
    if group is None:
        return
    st.caption(
        _(
            "Import (optional) → train → guardrail → deploy → verify, as one run; the same as "
            "{command}."
        ).format(
            command=md_code(
                f"python -m services.pipeline refresh --dataset-group {group.group.name}"
            )
        )
    )
    history = reads.refresh_history(group.group.arn, 20)
    current = next((r for r in history if r.status == RUNNING), None)
    denied = identity.refusal()
    options = _options(group, denied)
    if denied is not None:
        st.caption(f":material/lock: {md_escape(denied)}")
    if current is not None and not current.stale:
        st.info(
            _("Refresh #{id} is running: starting now follows it.").format(id=current.id),
            icon=":material/hourglass_top:",
        )
    confirm_button(
        "refresh",
        _("Refresh now"),
        Confirmation(
            _("Refresh now?"),
            _(
                "This runs import, training, guardrail, deploy and verify for **{group}**: it "
                "trains new versions (billed) and may change live recommendations."
            ).format(group=md_escape(group.group.name)),
            _("Yes, refresh now"),
        ),
        lambda: _start(group, options) if options is not None else None,
        disabled=options is None or denied is not None,
        help=md_help(denied),
        icon=":material/autorenew:",
    )
    run_id = st.session_state.get(RUN_KEY) or (current.id if current else None)
    if run_id is not None:
        show_live_run(run_id)
    st.markdown(_("**Past runs**"))
    if not history:
        st.caption(_("No refresh of {group} yet.").format(group=md_escape(group.group.name)))
    else:
        st.dataframe(
            history_frame(history), hide_index=True, column_config={_("started"): when_column()}
        )
