"""Train: start a new solution version (FULL, or UPDATE for User-Personalization), confirmed."""

from __future__ import annotations

import streamlit as st

from dashboard import deps, identity
from dashboard.components.formatting import mode_name, relative_time, short_id
from dashboard.components.operations.actions import flash, run_action
from dashboard.components.text import md_code, md_escape, md_help
from services.i18n import N_, _
from services.personalize.models import is_terminal, short_arn
from services.workspace.overview import DatasetGroupOverview, SolutionStatus
from services.workspace.recipe_capabilities import UPDATE_RECIPES

CONFIRM_KEY = "train_confirm"
_RESET_KEY = "train_reset"
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
    text = _("{count} version(s); newest {version} {status}").format(
        count=status.version_count,
        version=md_code(short_id(newest.arn)),
        status=md_escape(newest.status),
    )
    if active and active.arn != newest.arn:
        text += _("; newest ACTIVE {version}").format(version=md_code(short_id(active.arn)))
    return text


def _default(solutions: list[SolutionStatus], target: str | None) -> int:
    for i, s in enumerate(solutions):
        if target and (target == s.solution.arn or target.startswith(s.solution.arn + "/")):
            return i
    return 0


def show_train(groups: list[DatasetGroupOverview], target: str | None) -> None:
    """Choose a solution and a training mode, confirm the cost, start training."""
    solutions = [s for g in groups for s in g.solutions]
    if not solutions:
        st.info(_("No solution yet: create one in the New solution tab, then train it here."))
        return
    by_arn = {s.solution.arn: s for s in solutions}
    arn = st.selectbox(
        _("Solution"),
        list(by_arn),
        index=_default(solutions, target),
        format_func=lambda a: _label(by_arn[a]),
        key="train_solution",
    )
    status = by_arn[arn or solutions[0].solution.arn]
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
            _("Version {version} of {solution} is still {status} (started {when}).").format(
                version=md_escape(short_id(newest.arn)),
                solution=md_escape(solution.name),
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
    if st.session_state.pop(_RESET_KEY, False):
        st.session_state[CONFIRM_KEY] = False
    confirmed = st.checkbox(_("I understand training is billed"), key=CONFIRM_KEY)
    if st.button(
        _("Start training"),
        key="train_button",
        type="primary",
        icon=":material/model_training:",
        disabled=not confirmed or identity.refusal() is not None,
        help=md_help(identity.refusal()),
    ):
        service = deps.service()
        arn = run_action(
            "create_solution_version",
            solution.arn,
            {"training_mode": mode},
            lambda: service.create_solution_version(solution.arn, training_mode=mode),
            failure=_("Could not start training {solution}").format(solution=solution.name),
            note=lambda new: f"new version {new}",
        )
        if arn:
            st.session_state[_RESET_KEY] = True
            flash(
                _("Training started: {solution}/{version} ({mode}).").format(
                    solution=solution.name, version=short_id(arn), mode=mode
                )
            )
            st.rerun()
