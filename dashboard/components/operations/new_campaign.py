"""New campaign: an ACTIVE version of a solution, a name, minProvisionedTPS and the
campaignConfig its recipe takes; the cost shown, confirmed, audited, operators only.

What can serve, the checks, the request and the cost are ``services.workspace.new_campaign``'s;
this draws.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import deps, identity, reads
from dashboard.components.alerts import PAGE_FILES
from dashboard.components.confirm_dialog import Confirmation, confirm_button
from dashboard.components.formatting import exact_time, version_name
from dashboard.components.operations.actions import flash, run_action
from dashboard.components.operations.arn_picker import pick_by_arn, pick_group
from dashboard.components.operations.kept_note import show_kept_note
from dashboard.components.operations.progress import listed
from dashboard.components.text import md_code, md_escape, md_help
from services.costs.pricing import prices_for
from services.i18n import N_, _, formats
from services.personalize.models import SolutionVersion, short_arn
from services.workspace.new_campaign import (
    DEFAULT_AGE_DAYS,
    DEFAULT_TPS,
    DEFAULT_WEIGHT,
    MIN_TPS,
    NewCampaign,
    active_versions,
    build_request,
    campaign_solutions,
    explores,
    problems,
    refused_field,
    serving_cost,
)
from services.workspace.overview import DatasetGroupOverview
from services.workspace.resource_names import NAME_MAX

REFUSED_KEY = "nc_refused"  # (field, the form's values when sent, the service's text)
TEXT = {
    "group": N_("Dataset group"),
    "no_group": N_("No dataset group yet: create one on the Data page first."),
    "solution": N_("Solution"),
    "no_solution": N_(
        "No solution in this group can serve a campaign yet: create one in the New solution tab."
    ),
    "version": N_("Solution version to serve (ACTIVE)"),
    "no_version": N_("This solution has no ACTIVE version yet: train one in the Train tab."),
    "version_label": N_("{version} · trained {when}"),
    "name": N_("Campaign name"),
    "name_help": N_("1–{max} Latin letters (a–z, A–Z), digits, '-' or '_'."),
    "tps": N_("Minimum provisioned TPS (minProvisionedTPS)"),
    "tps_help": N_(
        "A whole number, at least {min} (CreateCampaign's TransactionsPerSecond). Billed every "
        "hour even without traffic; Personalize scales above it when traffic needs more."
    ),
    "config": N_("Campaign configuration (campaignConfig)"),
    "weight": N_("Exploration weight (explorationWeight, 0–1)"),
    "weight_help": N_(
        "How much to recommend new, rarely seen items: 0 none, 1 most. Default {default}."
    ),
    "age": N_("Exploration item age cut-off in days (explorationItemAgeCutOff)"),
    "age_help": N_("Explore only items created within this many days. Default {default}."),
    "no_explore": N_("{recipe} does not explore: itemExplorationConfig is not sent."),
    "metadata": N_("Return item metadata with recommendations (enableMetadataWithRecommendations)"),
    "metadata_help": N_("Lets a request ask for Items columns; billed extra. Default off."),
    "cost": N_(
        "Cost: minProvisionedTPS {tps} bills {hourly} an hour, {monthly} a month, "
        "from the moment the campaign is ACTIVE, even without traffic."
    ),
    "cost_unknown": N_(" The metadata surcharge has no known price in this region."),
    "create": N_("Create campaign"),
    "confirm_title": N_("Create the campaign?"),
    "confirm_label": N_("Yes, create the campaign"),
    "confirm_what": N_(
        "CreateCampaign makes **{name}** serving {version} of {solution} with "
        "minProvisionedTPS {tps}."
    ),
    "failed": N_("Could not create {name}"),
    "created": N_(
        "Campaign {name} created: it is listed in the Deploy tab and on Recommendations once "
        "it is ACTIVE."
    ),
    # What the tab keeps saying after the create: what was made, and where to follow it
    "made": N_("Campaign **{name}** created: {arn}"),
    "made_creating": N_(
        "It is being created: it is listed under Running work at the top of this page until "
        "it is ACTIVE, then in the Deploy tab and on Recommendations."
    ),
    "made_done": N_(
        "It is no longer being created (it has left Running work): its status is in the "
        "Deploy tab, and once ACTIVE it serves on Recommendations."
    ),
    "watch": N_("Recommendations"),
}
CREATED_KEY = "nc_created"  # what the last create made: {name, arn}


def t(key: str) -> str:
    """The text of ``key`` in the reader's language."""
    return _(TEXT[key])


def _version_label(version: SolutionVersion) -> str:
    # Fixed text only: a label that changes between reruns resets the choice.
    return t("version_label").format(
        version=version_name(version.arn), when=exact_time(version.created)
    )


def _cost_text(form: NewCampaign) -> str:
    settings = deps.settings()
    cost = serving_cost(form, prices_for(settings.region, settings.prices))
    text = t("cost").format(
        tps=form.min_tps,
        hourly=formats.money(cost.hourly_usd, "USD"),
        monthly=formats.money(cost.monthly_usd, "USD"),
    )
    return text + (t("cost_unknown") if cost.metadata_hourly_usd is None else "")


def _show_created() -> None:
    """What the last create made, kept above the form until dismissed or replaced: the
    campaign's name and ARN, and where to follow it (``kept_note``)."""
    made = st.session_state.get(CREATED_KEY)
    if not made:
        return
    # "listed under Running work" only while the panel above lists it (new_solution's rule)
    creating = listed(made["arn"]) is not False
    show_kept_note(
        CREATED_KEY,
        t("made").format(name=md_escape(made["name"]), arn=md_code(made["arn"]))
        + "\n\n"
        + t("made_creating" if creating else "made_done"),
        None
        if creating
        else lambda beside: beside.page_link(
            PAGE_FILES["recommendations"], label=t("watch"), icon=":material/recommend:"
        ),
    )


def show_new_campaign(groups: list[DatasetGroupOverview], target: str | None) -> None:
    """The New campaign form, below what its last create made; ``target`` (a group, solution
    or version ARN) preselects."""
    _show_created()
    group = pick_group(t("group"), groups, key="nc_group", empty=t("no_group"), target=target)
    if group is None:
        return
    status = pick_by_arn(
        t("solution"),
        campaign_solutions(group),
        arn=lambda s: s.solution.arn,
        name=lambda s: f"{s.solution.name} ({short_arn(s.solution.recipe_arn or '')})",
        key="nc_solution",
        empty=t("no_solution"),
        target=target,
    )
    if status is None:
        return
    listed = reads.solution_versions(status.solution.arn)
    if listed is None:
        return  # the read said why
    active = {v.arn: v for v in active_versions(listed)}
    if not active:
        st.info(t("no_version"))
        return
    # containers, not st.empty: the running-work poll greys empty placeholders (new_solution)
    slots: dict[str, Any] = {}
    version_arn = st.selectbox(
        t("version"),
        list(active),
        format_func=lambda a: _version_label(active[a]),
        key=f"nc_version_{status.solution.arn}",
    )
    slots["version"] = st.container()
    name = st.text_input(
        t("name"), key="nc_name", max_chars=NAME_MAX, help=t("name_help").format(max=NAME_MAX)
    )
    slots["name"] = st.container()
    tps = st.number_input(
        t("tps"), value=DEFAULT_TPS, step=1, key="nc_tps", help=t("tps_help").format(min=MIN_TPS)
    )
    slots["tps"] = st.container()
    recipe = short_arn(status.solution.recipe_arn or "")
    st.markdown(f"**{t('config')}**")
    exploration = {"weight": DEFAULT_WEIGHT, "age": DEFAULT_AGE_DAYS}
    if explores(recipe):
        for key, step in (("weight", 0.05), ("age", 1.0)):
            default = exploration[key]
            exploration[key] = st.number_input(
                t(key),
                value=default,
                step=step,
                key=f"nc_{key}",
                help=t(f"{key}_help").format(default=f"{default:g}"),
            )
            slots[key] = st.container()
    else:
        st.caption(md_escape(t("no_explore").format(recipe=recipe)))
    metadata = st.toggle(t("metadata"), key="nc_metadata", help=t("metadata_help"))
    slots["metadata"] = st.container()

    form = NewCampaign(
        name=name.strip(),
        version_arn=version_arn or "",
        recipe=recipe,
        min_tps=int(tps),
        weight=float(exploration["weight"]),
        age_days=float(exploration["age"]),
        enable_metadata=bool(metadata),
    )
    cost = _cost_text(form)
    st.caption(md_escape(cost))
    values = repr(form)
    found = problems(form)
    refused = st.session_state.get(REFUSED_KEY)
    if refused and refused[1] == values and refused[0] not in found:
        found[refused[0]] = refused[2]  # the service's text, while the field holds that value
    for key, text in found.items():
        if form.name or key != "name":  # an empty name is not yet a mistake
            slots.get(key, slots["name"]).error(md_escape(text))

    what = "\n\n".join(
        (
            t("confirm_what").format(
                name=md_escape(form.name),
                version=md_code(version_name(form.version_arn)),
                solution=md_code(status.solution.name),
                tps=form.min_tps,
            ),
            md_escape(cost),
        )
    )
    confirm_button(
        "nc",
        t("create"),
        Confirmation(t("confirm_title"), what, t("confirm_label")),
        lambda: _create(form, values),
        disabled=bool(problems(form)) or identity.refusal() is not None,
        help=md_help(identity.refusal()),
        icon=":material/add_circle:",
    )


def _create(form: NewCampaign, values: str) -> None:
    """Send CreateCampaign (audited; refused for a viewer whatever the session says); a
    refusal is kept to show at the field it names."""
    try:
        request = build_request(form)
    except ValueError as err:  # a form edited between the click and the confirm
        st.error(md_escape(str(err)))
        return
    said: list[str] = []
    arn = run_action(
        "create_campaign",
        form.version_arn,
        request,
        lambda: deps.service().create_campaign(request),
        failure=t("failed").format(name=form.name),
        note="new campaign {}".format,
        refused=said,
    )
    if arn:
        st.session_state.pop(REFUSED_KEY, None)
        st.session_state.pop("nc_name", None)  # taken now: a second click cannot resend it
        st.session_state[CREATED_KEY] = {"name": form.name, "arn": arn}
        flash(t("created").format(name=form.name))
    elif said:  # the service's text, at the field it names (the audit log keeps it too)
        st.session_state[REFUSED_KEY] = (refused_field(said[0]), values, said[0])
    else:
        return  # not allowed: run_action said so and audited the attempt
    st.rerun()
