"""Stop an experiment, or promote its winner: confirmed in the shared dialog, operators only,
audited."""

from __future__ import annotations

import streamlit as st

from dashboard import deps, identity
from dashboard.components.confirm_dialog import Confirmation, confirm_button
from dashboard.components.formatting import version_name
from dashboard.components.operations.actions import flash, run_action
from dashboard.components.text import md_code, md_escape, md_help
from services.experiments.promotion import is_campaign, promote
from services.experiments.records import Experiment
from services.experiments.verdict import BETTER, Comparison
from services.i18n import _, formats, ngettext
from services.store.audit_text import UPDATED, UPDATED_NONE
from services.store.audit_text import note as audit_note


def _suggested_winner(experiment: Experiment, decided: Comparison | None) -> str:
    if decided is None:
        return experiment.arms[0].name
    return decided.treatment if decided.state == BETTER else decided.control


def show_actions(experiment: Experiment, decided: Comparison | None) -> None:
    """Stop, or pick the winner and promote it (default: the arm the verdict names in
    ``decided``; without a verdict, as on AWS where the page reads no outcomes, the control)."""
    refusal = identity.refusal()
    names = [a.name for a in experiment.arms]
    suggested = _suggested_winner(experiment, decided)
    winner = st.selectbox(
        _("Winner to promote"),
        names,
        index=names.index(suggested),
        # a new verdict makes a new widget, so the default moves on to the arm it names
        key=f"experiment_winner_{experiment.id}_{suggested}",
    )
    arm = experiment.arm(winner or names[0])
    if is_campaign(arm.target):
        what = _(
            "Every other arm's campaign is updated (UpdateCampaign) to the solution version "
            "that {winner}'s campaign {campaign} serves, so all shoppers get it whichever "
            "arm the shop sends them to; the experiment ends."
        )
    else:
        what = _(
            "A recommender's recipe cannot be changed: send every shopper to {winner}'s "
            "recommender {campaign} from now on; the experiment ends."
        )
    what = what.format(winner=md_escape(arm.name), campaign=md_code(arm.target))
    if decided is None:
        what += "\n\n" + _("**No winner is proven yet**: this decides without the evidence.")
    left, right = st.columns(2)
    with left:
        confirm_button(
            f"experiment_promote_{experiment.id}",
            _("Promote {arm}").format(arm=arm.name),
            Confirmation(_("Promote the winner?"), what, _("Promote")),
            lambda: _promote(experiment, arm.name),
            disabled=refusal is not None,
            help=md_help(refusal),
            icon=":material/emoji_events:",
        )
    with right:
        confirm_button(
            f"experiment_stop_{experiment.id}",
            _("Stop without a winner"),
            Confirmation(
                _("Stop the experiment?"),
                _(
                    "The results stop counting now; no campaign changes. The shop's backend "
                    "should then send everybody to one arm."
                ),
                _("Stop"),
            ),
            lambda: _stop(experiment),
            disabled=refusal is not None,
            help=md_help(refusal),
            icon=":material/stop_circle:",
        )


def _promote(experiment: Experiment, winner: str) -> None:
    done = run_action(
        "promote_experiment_winner",
        experiment.name,  # the audit's target is what was acted on: the experiment
        {"dataset_group": experiment.dataset_group_arn, "winner": winner},
        lambda: promote(deps.service(), deps.experiments(), experiment, winner),
        failure=_("Could not promote the winner"),
        note=lambda p: (
            audit_note(UPDATED, campaigns=", ".join(p.updated))
            if p.updated
            else audit_note(UPDATED_NONE)
        ),
    )
    if done is not None:
        flash(
            ngettext(
                "{winner} promoted: {count} campaign updated to {version}.",
                "{winner} promoted: {count} campaigns updated to {version}.",
                len(done.updated),
            ).format(
                winner=winner,
                count=formats.count(len(done.updated)),
                version=version_name(done.version) if done.version else "–",
            )
        )
        st.rerun()


def _stop(experiment: Experiment) -> None:
    done = run_action(
        "stop_experiment",
        experiment.name,
        {"dataset_group": experiment.dataset_group_arn},
        lambda: deps.experiments().stop(experiment.id),
        failure=_("Could not stop the experiment"),
    )
    if done is not None:
        flash(_("Experiment {name} stopped.").format(name=experiment.name))
        st.rerun()
