"""Train: start a new solution version (FULL, or UPDATE for User-Personalization), confirmed."""

from __future__ import annotations

import streamlit as st

from dashboard import deps
from dashboard.components.formatting import mode_name, relative_time, version_name
from dashboard.components.operations.actions import (
    clear_confirmation,
    confirmed_button,
    flash,
    run_action,
)
from dashboard.components.operations.arn_picker import pick_by_arn
from dashboard.components.text import md_code, md_escape
from services.i18n import N_, _, formats, ngettext
from services.personalize.models import is_terminal, short_arn
from services.store.audit_text import NEW_VERSION
from services.store.audit_text import note as audit_note
from services.workspace.overview import DatasetGroupOverview, SolutionStatus
from services.workspace.recipe_capabilities import UPDATE_RECIPES

_MODE_HELP = {
    "FULL": N_("retrain on all data (billed per training hour)"),
    "UPDATE": N_(
        "fold in new items and interactions without full retraining; cheaper, and it "
        "stops the solution's automatic updates"
    ),
}


def _recipe(status: SolutionStatus) -> str:
    arn = status.solution.recipe_arn
    return short_arn(arn) if arn else "AutoML"


def _label(status: SolutionStatus) -> str:
    # Stable text only: changing options would reset the user's choice on the next rerun.
    return f"{status.solution.name} ({_recipe(status)})"


def _state(status: SolutionStatus) -> str:
    newest, active = status.newest_version, status.newest_active
    if newest is None:
        return _("never trained")
    text = ngettext(
        "{count} version; newest {version} {status}",
        "{count} versions; newest {version} {status}",
        status.version_count,
    ).format(
        count=formats.count(status.version_count),
        version=md_code(version_name(newest.arn)),
        status=md_escape(newest.status),
    )
    if active and active.arn != newest.arn:
        text += _("; newest ACTIVE {version}").format(version=md_code(version_name(active.arn)))
    return text


def show_train(groups: list[DatasetGroupOverview], target: str | None) -> None:
    """Choose a solution and a training mode, confirm the cost, start training."""
    solutions = [s for g in groups for s in g.solutions]
    status = pick_by_arn(
        _("Solution"),
        solutions,
        arn=lambda s: s.solution.arn,
        name=_label,
        key="train_solution",
        empty=_("No solution yet: create one in the New solution tab, then train it here."),
        target=target,
    )
    if status is None:
        return
    solution = status.solution
    st.caption(_state(status))
    recipe = _recipe(status)
    modes = ["FULL"]
    if recipe in UPDATE_RECIPES and status.newest_active is not None:
        modes.append("UPDATE")
    mode = st.radio(
        _("Training mode"),
        modes,
        format_func=mode_name,
        horizontal=True,
        captions=[_(_MODE_HELP[m]) for m in modes],
        key=f"train_mode_{solution.arn}",
    )
    if recipe in UPDATE_RECIPES and status.newest_active is None:
        st.caption(_("UPDATE needs an ACTIVE FULL version first."))
    elif recipe not in UPDATE_RECIPES:
        st.caption(
            _("UPDATE is offered for User-Personalization recipes only, not {recipe}.").format(
                recipe=md_escape(recipe)
            )
        )
    newest = status.newest_version
    if newest and not is_terminal(newest.status):
        st.warning(
            _("Version {version} is still {status} (started {when}).").format(
                version=md_escape(version_name(newest.arn)),
                status=md_escape(newest.status),
                when=md_escape(relative_time(newest.created)),
            ),
            icon=":material/hourglass_top:",
        )
    st.markdown(
        _(
            "Creates a new version of **{solution}** ({mode}). Training is billed per training "
            "hour; campaigns keep serving their current version until you deploy the new one "
            "in the Deploy tab."
        ).format(solution=md_escape(solution.name), mode=mode)
    )
    consent = _("I understand training is billed")
    if confirmed_button("train", consent, _("Start training"), icon=":material/model_training:"):
        service = deps.service()
        arn = run_action(
            "create_solution_version",
            solution.arn,
            {"training_mode": mode},
            lambda: service.create_solution_version(solution.arn, training_mode=mode),
            failure=_("Could not start training {solution}").format(solution=solution.name),
            note=lambda new: audit_note(NEW_VERSION, arn=new),
        )
        if arn:
            clear_confirmation("train")
            flash(
                _("Training started: {version} ({mode}).").format(
                    version=version_name(arn), mode=mode
                )
            )
            st.rerun()
