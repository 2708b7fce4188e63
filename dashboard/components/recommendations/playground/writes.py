"""The rule playground's two writes, each by an operator and confirmed in a dialog: save an
expression as a filter (CreateFilter) and apply the tried exploration settings to the campaign
(UpdateCampaign) or the recommender (UpdateRecommender). Both are audited (``run_action``);
one dialog is open at a time.
"""

from __future__ import annotations

import streamlit as st

from dashboard import deps, identity, reads
from dashboard.components.operations.actions import run_action
from dashboard.components.recommendations.confirm import confirmed, dialog
from dashboard.components.recommendations.playground.rule_fields import EXPLORATION
from dashboard.components.text import md_escape, md_help, md_label
from services.evaluation import playground as pg
from services.i18n import _
from services.personalize.models import Filter
from services.workspace.catalog import CampaignInfo
from services.workspace.filter_twins import filter_with_expression
from services.workspace.resource_names import NAME_MAX, name_problem

SAVED_KEY = "pg_saved"  # expression -> filter ARN created in this session
CONFIRM_KEY = "pg_confirm"  # the rule whose dialog is open
USED_KEY = "pg_used"  # expression -> name of the existing filter used instead of a new one


def save_button(
    group_arn: str, expression: str, where: str, label: str, invalid: str | None = None
) -> None:
    """The save button and, once pressed by an operator, its confirmation dialog (kept open
    across reruns until it is confirmed or cancelled). ``invalid``: why the expression cannot
    be saved (said at its field); the button is then disabled and no dialog opens, even with
    the session state set by hand."""
    saved = st.session_state.get(SAVED_KEY, {}).get(expression)
    if saved:
        used = st.session_state.get(USED_KEY, {}).get(expression)
        st.caption(
            _("Uses the existing filter {name}: {arn}").format(
                name=md_escape(used), arn=md_escape(saved)
            )
            if used
            else _("Saved as {arn}").format(arn=md_escape(saved))
        )
        return
    twin = _twin(group_arn, expression) if invalid is None else None
    if twin is not None:
        st.info(
            _(
                "This expression is already filter **{name}** ({status}): use it, or save a "
                "second filter with the same expression."
            ).format(name=md_escape(twin.name), status=twin.status),
            icon=":material/content_copy:",
        )
        use = _("Use filter {name}").format(name=md_label(twin.name))
        if st.button(use, key=f"pg_use_{where}"):
            # no write: the shop request names the existing filter from now on
            st.session_state.setdefault(SAVED_KEY, {})[expression] = twin.arn
            st.session_state.setdefault(USED_KEY, {})[expression] = twin.name
            st.rerun()
    reason = identity.refusal()
    if invalid is not None and reason is None:
        reason = _("Correct the expression first: {problem}").format(problem=invalid)
    if st.button(label, key=f"pg_save_{where}", disabled=reason is not None, help=md_help(reason)):
        if identity.permit("create_filter", None, {"filter_expression": expression}):
            st.session_state[CONFIRM_KEY] = where
    if st.session_state.get(CONFIRM_KEY) == where and invalid is None:
        _save_filter_dialog(group_arn, expression, where, twin)


def _twin(group_arn: str, expression: str) -> Filter | None:
    """The group's saved filter with this expression, or None (also when the filters could
    not be read: the read said so, and saving stays possible)."""
    filters = reads.described_filters(group_arn)
    return filter_with_expression(filters or [], group_arn, expression)


def _save_filter_dialog(
    group_arn: str, expression: str, where: str, twin: Filter | None = None
) -> None:
    def confirm() -> None:
        name = st.text_input(
            _("Filter name"),
            key=f"pg_name_{where}",
            max_chars=NAME_MAX,
            help=_("1–{max} Latin letters (a–z, A–Z), digits, '-' or '_'.").format(max=NAME_MAX),
        ).strip()
        # checked here, as Personalize's CreateFilter would, before any call or audit row
        refused = name_problem(name) if name else _("Give the filter a name.")
        if name and refused:
            st.error(md_escape(refused), icon=":material/error:")
        elif refused:
            st.caption(refused)
        if confirmed(CONFIRM_KEY, f"pg_{where}", _("Create the filter"), refused):
            arn = run_action(
                "create_filter",
                name,
                {"dataset_group_arn": group_arn, "filter_expression": expression},
                lambda: deps.service().create_filter(name, group_arn, expression),
                failure=_("Could not create the filter"),
            )
            if arn:
                st.session_state.setdefault(SAVED_KEY, {})[expression] = arn
                st.session_state.pop(CONFIRM_KEY, None)
                st.rerun()

    what = _(
        "This creates a filter in the dataset group. Shoppers see no change until "
        "the shop sends its ARN with GetRecommendations."
    )
    if twin is not None:
        what += " " + _(
            "Filter **{name}** already has this expression: this makes a second one."
        ).format(name=md_escape(twin.name))
    dialog(_("Save the filter"), what, expression, None, confirm)


def apply_exploration(campaign: CampaignInfo, settings: dict[str, str]) -> None:
    """UpdateCampaign, or UpdateRecommender for a recommender, with the tried exploration
    settings (every other setting kept: ``pg.apply_exploration``), after an operator
    confirms; audited as ``update_campaign`` or ``update_recommender``."""
    reason = identity.refusal()
    label = (
        _("Apply these exploration settings to the recommender…")
        if campaign.is_recommender
        else _("Apply these exploration settings to the campaign…")
    )
    if st.button(label, key="pg_apply_exploration", disabled=reason is not None, help=reason):
        if identity.permit(_action(campaign), campaign.arn, {"itemExplorationConfig": settings}):
            st.session_state[CONFIRM_KEY] = EXPLORATION
    if st.session_state.get(CONFIRM_KEY) == EXPLORATION:
        _exploration_dialog(campaign, settings)


def _action(campaign: CampaignInfo) -> str:
    """The audited action (and the call) that changes exploration."""
    return "update_recommender" if campaign.is_recommender else "update_campaign"


def _exploration_dialog(campaign: CampaignInfo, settings: dict[str, str]) -> None:
    recommender = campaign.is_recommender

    def confirm() -> None:
        button = _("Apply to the recommender") if recommender else _("Apply to the campaign")
        if confirmed(CONFIRM_KEY, "pg_exploration", button):
            svc = deps.service()
            weight = float(settings["explorationWeight"])
            age = float(settings["explorationItemAgeCutOff"])
            done = run_action(
                _action(campaign),
                campaign.arn,
                {"itemExplorationConfig": settings},
                lambda: pg.apply_exploration(svc, campaign.arn, weight, age),
                failure=(
                    _("Could not update the recommender")
                    if recommender
                    else _("Could not update the campaign")
                ),
            )
            if done:
                st.session_state.pop(CONFIRM_KEY, None)
                st.rerun()

    if recommender:
        what = _(
            "UpdateRecommender changes {recommender}'s exploration: it keeps serving with its "
            "current settings until the update is ACTIVE, then every shopper's "
            "recommendations use them."
        ).format(recommender=md_escape(campaign.name))
        request = pg.as_json({"recommenderConfig": {"itemExplorationConfig": settings}})
    else:
        what = _(
            "UpdateCampaign changes {campaign}'s exploration: once the update is ACTIVE, "
            "every shopper's recommendations use it."
        ).format(campaign=md_escape(campaign.name))
        request = pg.as_json({"itemExplorationConfig": settings})
    dialog(_("Apply exploration settings"), what, request, "json", confirm)
