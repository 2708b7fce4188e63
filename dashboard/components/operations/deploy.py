"""Deploy: update a campaign to a chosen (default: the newest ACTIVE) version, after confirming."""

from __future__ import annotations

import streamlit as st

from dashboard import deps, identity, reads
from dashboard.components.confirm_dialog import Confirmation, confirm_button
from dashboard.components.cut_short import show_cut_short
from dashboard.components.formatting import exact_time, version_name
from dashboard.components.operations.actions import flash, run_action
from dashboard.components.operations.arn_picker import pick_by_arn
from dashboard.components.solutions.data_warning import warn_if_different_data
from dashboard.components.solutions.metrics_chart import show_deltas
from dashboard.components.status import badge_markdown
from dashboard.components.text import md_code, md_escape, md_help
from services.i18n import _
from services.personalize.models import SolutionVersion, short_arn
from services.workspace.overview import CampaignStatus, DatasetGroupOverview


def _campaign_label(status: CampaignStatus) -> str:
    # Stable text only: changing options would reset the user's choice on the next rerun.
    return _("{campaign} (solution {solution})").format(
        campaign=status.campaign.name, solution=short_arn(status.solution_arn)
    )


def _state(status: CampaignStatus) -> str:
    if status.updating_to:
        return _("updating to {version}").format(version=md_code(version_name(status.updating_to)))
    if status.behind and status.newest_active:
        return _("behind: {version} is newer and not deployed").format(
            version=md_code(version_name(status.newest_active.arn))
        )
    if status.newest_active:
        return _("serves the newest ACTIVE version")
    return _("no ACTIVE version")


def _version_label(version: SolutionVersion) -> str:
    # Fixed text only (no relative time, no "newest"): labels that change between reruns make
    # the browser show stale options. The state is in the line above the selectbox.
    return _("{version} · trained {when}").format(
        version=version_name(version.arn), when=exact_time(version.created)
    )


def _metrics(arn: str | None) -> dict[str, float]:
    return (reads.solution_metrics(arn, version_name(arn)) or {}) if arn else {}


def show_deploy(groups: list[DatasetGroupOverview], target: str | None) -> None:
    """Pick a campaign and a version, see the metric deltas, confirm, update."""
    statuses = [c for g in groups for c in g.campaigns]
    status = pick_by_arn(
        _("Campaign"),
        statuses,
        arn=lambda s: s.campaign.arn,
        name=_campaign_label,
        key="deploy_campaign",
        empty=_("No campaign yet: train a version, then create one in the New campaign tab."),
        target=target,
        index=next((i for i, s in enumerate(statuses) if s.behind), 0),  # else the first behind
    )
    if status is None:
        return
    campaign = status.campaign
    st.markdown(
        _("{status} solution {solution} · serving {version} · {state}").format(
            status=badge_markdown(campaign.status),
            solution=md_code(short_arn(status.solution_arn)),
            version=md_code(version_name(status.served_version_arn)),
            state=_state(status),
        ),
        help=md_code(campaign.arn),
    )
    listed = reads.solution_versions(status.solution_arn)
    if listed is None:
        return  # the read said why
    active = [v for v in listed if v.status == "ACTIVE"]
    if not active:
        st.info(_("This solution has no ACTIVE version yet: train one in the Train tab."))
        return
    served = status.served_version_arn
    versions = {v.arn: v for v in active}
    chosen_arn = st.selectbox(
        _("Version to deploy"),
        list(versions),
        index=0,  # versions come newest first: the newest ACTIVE one is the default
        format_func=lambda a: _version_label(versions[a]),
        # A newer ACTIVE version makes a new widget, so the default moves on to it.
        key=f"deploy_version_{campaign.arn}_{short_arn(active[0].arn)}",
    )
    chosen = versions[chosen_arn or active[0].arn]
    if chosen.arn == served:
        st.success(
            _("{campaign} already serves {version}.").format(
                campaign=md_escape(campaign.name), version=md_escape(version_name(chosen.arn))
            ),
            icon=":material/check_circle:",
        )
        return

    st.markdown(_("**Chosen version vs what the campaign serves** (offline metrics)"))
    serving = versions.get(served) if served else None
    if serving and chosen.created and serving.created and chosen.created < serving.created:
        st.caption(
            _(
                "A rollback: {chosen} was trained before {served}, the version the campaign serves."
            ).format(
                chosen=md_escape(version_name(chosen.arn)), served=md_escape(version_name(served))
            )
        )
    shown = tuple(arn for arn in (chosen.arn, served) if arn)
    data = reads.version_data(shown) or {}
    if serving:
        warn_if_different_data(
            (_("{version} (chosen)").format(version=version_name(chosen.arn)), chosen),
            (_("{version} (serving)").format(version=version_name(served)), serving),
            data,
            reads.version_data_reported(),
        )
    show_cut_short([(version_name(arn), arn) for arn in shown], data)
    show_deltas(
        _metrics(chosen.arn),
        _metrics(served),
        _("deployed"),
        (
            _("{version} (chosen)").format(version=version_name(chosen.arn)),
            _("{version} (serving)").format(version=version_name(served)),
        ),
        data=(data.get(chosen.arn), data.get(served) if served else None),
    )
    blocked = status.update_blocked()
    if blocked:
        st.info(md_escape(blocked), icon=":material/hourglass_top:")
    what = _(
        "UpdateCampaign switches **{campaign}** from {served} to {chosen}. It keeps serving "
        "{served} until the update is ACTIVE (minutes on AWS); from then on, every user "
        "gets recommendations from the chosen version."
    ).format(
        campaign=md_escape(campaign.name),
        served=md_code(version_name(served)),
        chosen=md_code(version_name(chosen.arn)),
    )

    def deploy() -> None:
        service = deps.service()
        done = run_action(
            "update_campaign",
            campaign.arn,
            {"solution_version_arn": chosen.arn, "previous_version_arn": served},
            lambda: service.update_campaign(campaign.arn, chosen.arn),
            failure=_("Could not update {campaign}").format(campaign=campaign.name),
            note=lambda _: f"{version_name(served)} → {version_name(chosen.arn)}",
        )
        if done:
            flash(
                _(
                    "Update of {campaign} to {chosen} started; it serves {served} until the "
                    "update is ACTIVE."
                ).format(
                    campaign=campaign.name,
                    chosen=version_name(chosen.arn),
                    served=version_name(served),
                )
            )
            st.rerun()

    confirm_button(
        "deploy",
        _("Update campaign"),
        Confirmation(
            _("Update the campaign?"),
            what,
            _("Yes, update the campaign"),
        ),
        deploy,
        disabled=blocked is not None or identity.refusal() is not None,
        help=md_help(identity.refusal()),
        icon=":material/rocket_launch:",
    )
