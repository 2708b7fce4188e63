"""Train: start a new solution version (FULL, or UPDATE for User-Personalization), confirmed."""

from __future__ import annotations

import streamlit as st

from dashboard import deps, identity
from dashboard.components.formatting import relative_time, short_id
from dashboard.components.operations.actions import flash, run_action
from dashboard.components.text import md_code, md_escape, md_help
from services.personalize.models import is_terminal, short_arn
from services.workspace.overview import DatasetGroupOverview, SolutionStatus
from services.workspace.recipe_capabilities import UPDATE_RECIPES

CONFIRM_KEY = "train_confirm"
_RESET_KEY = "train_reset"
_MODE_HELP = {
    "FULL": "retrain on all data (billed per training hour)",
    "UPDATE": "fold in new items and interactions without full retraining; cheaper, and it "
    "stops the solution's automatic updates",
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
        return "never trained"
    text = (
        f"{status.version_count} version(s); newest {md_code(short_id(newest.arn))} "
        f"{md_escape(newest.status)}"
    )
    if active and active.arn != newest.arn:
        text += f"; newest ACTIVE {md_code(short_id(active.arn))}"
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
        st.info("No solution yet: create one in the New solution tab, then train it here.")
        return
    by_arn = {s.solution.arn: s for s in solutions}
    arn = st.selectbox(
        "Solution",
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
        "Training mode",
        modes,
        horizontal=True,
        captions=[_MODE_HELP[m] for m in modes],
        key=f"train_mode_{solution.arn}",
    )
    if recipe in UPDATE_RECIPES and status.newest_active is None:
        st.caption("UPDATE needs an ACTIVE FULL version first.")
    elif recipe not in UPDATE_RECIPES:
        st.caption(
            f"UPDATE is offered for User-Personalization recipes only, not {md_escape(recipe)}."
        )
    newest = status.newest_version
    if newest and not is_terminal(newest.status):
        st.warning(
            md_escape(
                f"Version {short_id(newest.arn)} of {solution.name} is still {newest.status} "
                f"(started {relative_time(newest.created)})."
            ),
            icon=":material/hourglass_top:",
        )
    st.markdown(
        f"Creates a new version of **{md_escape(solution.name)}** ({mode}). Training is billed per "
        "training hour; campaigns keep serving their current version until you deploy the "
        "new one in the Deploy tab."
    )
    if st.session_state.pop(_RESET_KEY, False):
        st.session_state[CONFIRM_KEY] = False
    confirmed = st.checkbox("I understand training is billed", key=CONFIRM_KEY)
    if st.button(
        "Start training",
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
            failure=f"Could not start training {solution.name}",
            note=lambda new: f"new version {new}",
        )
        if arn:
            st.session_state[_RESET_KEY] = True
            flash(f"Training started: {solution.name}/{short_id(arn)} ({mode}).")
            st.rerun()
