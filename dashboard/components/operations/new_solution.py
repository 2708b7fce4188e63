"""New solution: dataset group, recipe, hyperparameters, HPO, event type, auto-training, and
optionally a first training; confirmed, audited, operators only.

What fits, the checks and the request are ``services.workspace.new_solution``'s; this draws.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import deps, identity, reads
from dashboard.components.alerts import PAGE_FILES
from dashboard.components.confirm_dialog import Confirmation, confirm_button
from dashboard.components.formatting import dataset_type_name
from dashboard.components.operations.actions import flash, run_action
from dashboard.components.operations.arn_picker import pick_group
from dashboard.components.operations.kept_note import show_kept_note
from dashboard.components.operations.progress import listed
from dashboard.components.text import md_code, md_escape, md_help, md_label
from dashboard.components.widget_scope import scoped
from services.errors import ServiceError
from services.i18n import N_, _, ngettext
from services.personalize.facade import PersonalizeService
from services.personalize.models import HyperParameter, version_label
from services.store.audit_text import NEW_SOLUTION, NEW_VERSION
from services.store.audit_text import note as audit_note
from services.workspace.new_solution import (
    DEFAULT_SCHEDULE_DAYS,
    FEATURE,
    HYPER,
    SCHEDULE_DAYS,
    NewSolution,
    RecipeOption,
    build_request,
    changed_from_defaults,
    default_option,
    problems,
    range_text,
    refused_fields,
    wait_until_active,
)
from services.workspace.overview import DatasetGroupOverview
from services.workspace.resource_names import NAME_MAX

REFUSED_KEY = "ns_refused"  # {field key: (value sent, the service's text)}
# Every string this section shows, in one place (the i18n issue translates them).
TEXT = {
    "no_group": N_("No dataset group yet: create one on the Data page first."),
    "group": N_("Dataset group"),
    "recipe": N_("Recipe"),
    "fits": N_("fits this group"),
    "needs": N_("needs {missing}"),
    "datasets": N_("Needs: {required}. Also learns from: {optional}."),
    "name": N_("Solution name"),
    "name_help": N_("1–{max} Latin letters (a–z, A–Z), digits, '-' or '_'."),
    "hyper": N_("Hyperparameters (DescribeAlgorithm)"),
    "hyper_none": N_("This recipe takes no hyperparameters."),
    "features": N_("Feature transformation (DescribeFeatureTransformation)"),
    "default": N_("Default {default}"),
    "tunable": N_("; tuned by HPO"),
    "hpo": N_("Tune hyperparameters (performHPO)"),
    "hpo_help": N_("Trains several versions over the tunable ranges and keeps the best: {names}."),
    "hpo_none": N_("This recipe has no tunable hyperparameter."),
    "event_type": N_("Event type (optional: empty trains on every event type)"),
    "auto": N_("Automatic training (performAutoTraining)"),
    "days": N_("Every N days (autoTrainingConfig)"),
    "train_now": N_("Train a first version now (CreateSolutionVersion, FULL)"),
    "summary": N_(
        "CreateSolution makes **{name}** in {group} with {recipe}{hpo}. Training is "
        "billed per training hour{auto}."
    ),
    "summary_hpo": N_(", tuning its hyperparameters"),
    "confirm": N_("The solution trains (billed) when started or scheduled."),
    "confirm_now": N_("Trains a first version now (CreateSolutionVersion, FULL): billed from now."),
    "confirm_not_now": N_("Trains no version now: start one in the Train tab."),
    "confirm_changed": N_("Hyperparameters changed from their defaults: {changes}."),
    "confirm_change": N_("{name} {value} (default {default})"),
    "confirm_defaults": N_("Every hyperparameter at its default."),
    "confirm_auto_off": N_("Automatic training is off."),
    "confirm_title": N_("Create the solution?"),
    "confirm_label": N_("Yes, create the solution"),
    "create": N_("Create solution"),
    "failed": N_("Could not create {name}"),
    "created": N_("Solution {name} created."),
    "training": N_("Solution {name} created; training started: {version}."),
    "not_active": N_(
        "Solution {name} created; it is {status}: train it in the Train tab once it is ACTIVE."
    ),
    "train_failed": N_("Could not start training {name}"),
    "waiting": N_("Waiting for {name} to be ACTIVE before training it…"),
    # What the tab keeps saying after the create: what was made, and where to follow it
    "made": N_("Solution **{name}** created: {arn}"),
    "made_training": N_(
        "Its first version {version} is training (FULL): it is listed under Running work at "
        "the top of this page until it is ACTIVE, then its metrics are on Solutions & metrics."
    ),
    "made_trained": N_(
        "Its first version {version} is no longer training (it has left Running work): its "
        "status and metrics are on Solutions & metrics."
    ),
    "made_train_later": N_("No version is training yet: train one in the Train tab."),
    "watch": N_("Solutions & metrics"),
}
CREATED_KEY = "ns_created"  # what the last create made: {name, arn, version, note}


def t(key: str) -> str:
    """The text of ``key`` in the reader's language."""
    return _(TEXT[key])


def _recipe_label(option: RecipeOption) -> str:
    # Stable text only: a changing label would reset the choice on the next rerun.
    missing = ", ".join(map(dataset_type_name, option.missing))
    state = t("fits") if option.fits else t("needs").format(missing=missing)
    return f"{option.recipe.name} ({option.recipe.recipe_type or '?'}; {state})"


def _param_field(prefix: str, recipe: str, param: HyperParameter) -> str:
    key = f"ns_{prefix[:2]}_{recipe}_{param.name}"
    shown = t("default").format(default=param.default if param.default is not None else "–")
    limits = range_text(param)
    help_text = f"{shown}; {limits}" if limits else shown
    if param.tunable:
        help_text += t("tunable")
    # The range in the label too, escaped only where markdown would start: screen readers
    # read a label's source, so md_escape's backslashes before _ ( [ would be spoken.
    label = md_label(f"{param.name} ({limits})" if limits else param.name)
    if param.kind == "categorical" and param.values and param.default in param.values:
        value = st.selectbox(
            label,
            list(param.values),
            index=list(param.values).index(param.default or ""),
            key=key,
            help=md_label(help_text),
        )
        return str(value)
    return st.text_input(label, value=param.default or "", key=key, help=md_label(help_text))


def _show_created() -> None:
    """What the last create made, kept above the form (where the confirm was pressed) until
    dismissed or replaced: the solution's name and ARN, the version training and where to
    watch it, or why none trains."""
    made = st.session_state.get(CREATED_KEY)
    if not made:
        return
    lines = [t("made").format(name=md_escape(made["name"]), arn=md_code(made["arn"]))]
    if made["version"]:
        # Say "listed under Running work" only while the panel above lists it: a local
        # version often trains in seconds, and a trial found the claim next to "Nothing running".
        key = "made_trained" if listed(made["version"]) is False else "made_training"
        lines.append(t(key).format(version=md_code(version_label(made["version"]))))
    elif made["note"]:
        lines.append(md_escape(made["note"]))
    else:
        lines.append(t("made_train_later"))
    show_kept_note(
        CREATED_KEY,
        "\n\n".join(lines),
        (
            lambda beside: beside.page_link(
                PAGE_FILES["solutions"], label=t("watch"), icon=":material/monitoring:"
            )
        )
        if made["version"]
        else None,
    )


def _recipe_description(description: str) -> str:
    """The recipe's DescribeRecipe description in the reader's language: the local engine's
    are English strings of the catalogue (marked where each recipe defines them); AWS's are
    shown as AWS wrote them, even one that happens to match a catalogue string."""
    return _(description) if description and deps.settings().is_local else description


def show_new_solution(groups: list[DatasetGroupOverview], target: str | None) -> None:
    """The New solution form; ``target`` (a dataset group ARN) preselects the group; above it,
    what the last create made (``_show_created``)."""
    _show_created()
    group = pick_group(t("group"), groups, key="ns_group", empty=t("no_group"), target=target)
    if group is None:
        return
    types = tuple(sorted({d.dataset.dataset_type for d in group.datasets}))
    options = reads.recipe_options(types)
    if options is None:
        return  # the read said why
    by_recipe = {o.recipe.arn: o for o in options}
    recipe_arn = st.selectbox(
        t("recipe"),
        list(by_recipe),
        index=default_option(options),
        format_func=lambda a: _recipe_label(by_recipe[a]),
        # per group: its datasets decide the default and the labels ("fits" / "needs …")
        key=scoped("ns_recipe", group.group.arn),
    )
    option = by_recipe[recipe_arn or options[0].recipe.arn]
    recipe = option.recipe.name
    st.caption(md_escape(_recipe_description(option.recipe.description or "")))
    st.caption(
        md_escape(
            t("datasets").format(
                required=", ".join(map(dataset_type_name, option.required)) or "–",
                optional=", ".join(map(dataset_type_name, option.optional)) or "–",
            )
        )
    )
    slots = {"recipe": st.container()}
    name = st.text_input(
        t("name"),
        key="ns_name",
        max_chars=NAME_MAX,
        help=t("name_help").format(max=NAME_MAX),
    )
    slots["name"] = st.container()

    hyper: dict[str, str] = {}
    st.markdown(f"**{t('hyper')}**")
    if not option.hyperparameters:
        st.caption(t("hyper_none"))
    for param in option.hyperparameters:
        hyper[param.name] = _param_field(HYPER, recipe, param)
        slots[HYPER + param.name] = st.container()
    features: dict[str, str] = {}
    if option.features:
        st.markdown(f"**{t('features')}**")
    for param in option.features:
        features[param.name] = _param_field(FEATURE, recipe, param)
        slots[FEATURE + param.name] = st.container()

    hpo = st.toggle(
        t("hpo"),
        key=f"ns_hpo_{recipe}",
        disabled=not option.tunable,
        help=md_help(
            t("hpo_help").format(names=", ".join(option.tunable))
            if option.tunable
            else t("hpo_none")
        ),
    )
    event_type = st.text_input(t("event_type"), key="ns_event_type")
    auto = st.toggle(t("auto"), value=True, key="ns_auto")
    low, high = SCHEDULE_DAYS
    days = st.number_input(
        t("days"),
        min_value=low,
        max_value=high,
        value=DEFAULT_SCHEDULE_DAYS,
        step=1,
        disabled=not auto,
        key="ns_days",
    )
    slots["schedule"] = st.container()
    train_now = st.checkbox(t("train_now"), key="ns_train_now")

    form = NewSolution(
        name=name.strip(),
        group_arn=group.group.arn,
        option=option,
        hyperparameters=hyper,
        features=features,
        perform_hpo=bool(hpo) and bool(option.tunable),
        event_type=event_type,
        auto_training=bool(auto),
        schedule_days=int(days),
    )
    values = {"name": form.name, "schedule": str(form.schedule_days)}
    values |= {HYPER + k: v for k, v in hyper.items()} | {
        FEATURE + k: v for k, v in features.items()
    }
    found = problems(form)
    # The service's refusals stay at their field while the field keeps the refused value.
    refused = st.session_state.get(REFUSED_KEY, {})
    shown = {k: text for k, (value, text) in refused.items() if values.get(k) == value}
    blocking = {k: v for k, v in found.items() if k != "name" or form.name}
    _show_at_fields(slots, shown | blocking)

    said = {
        "name": md_escape(form.name or "…"),
        "group": md_escape(group.group.name),
        "recipe": md_code(recipe),
        "hpo": t("summary_hpo") if form.perform_hpo else "",
    }
    every = ngettext(
        "; it trains a new version every day by itself",
        "; it trains a new version every {days} days by itself",
        form.schedule_days,
    ).format(days=form.schedule_days)
    summary = t("summary").format(**said, auto=every if auto else "")
    st.markdown(summary)
    confirm_button(
        "ns",
        t("create"),
        Confirmation(
            t("confirm_title"),
            # automatic training is said in the list, where it is not missed
            "\n".join(
                [t("summary").format(**said, auto=""), "", *_confirm_lines(form, train_now)]
                + ["", t("confirm")]
            ),
            t("confirm_label"),
        ),
        lambda: _create(form, train_now, slots, values),
        disabled=bool(found) or identity.refusal() is not None,
        help=md_help(identity.refusal()),
        icon=":material/add_circle:",
    )


def _confirm_lines(form: NewSolution, train_now: bool) -> list[str]:
    """The dialog's list of what confirming starts besides the solution: a first version
    training now, the parameters sent off their defaults, automatic training (a trial's
    click-through signed up for weekly billed training without reading it)."""
    changed = changed_from_defaults(form)
    lines = [t("confirm_now") if train_now else t("confirm_not_now")]
    if changed:
        changes = ", ".join(
            t("confirm_change").format(
                name=md_code(name), value=md_code(value), default=md_code(default or "–")
            )
            for name, value, default in changed
        )
        lines.append(t("confirm_changed").format(changes=changes))
    else:
        lines.append(t("confirm_defaults"))
    if form.auto_training:
        lines.append(
            ngettext(
                "Automatic training is on: a new version (billed) every day.",
                "Automatic training is on: a new version (billed) every {days} days.",
                form.schedule_days,
            ).format(days=form.schedule_days)
        )
    else:
        lines.append(t("confirm_auto_off"))
    return [f"- {line}" for line in lines]


def _show_at_fields(slots: dict[str, DeltaGenerator], errors: dict[str, str]) -> None:
    """Each error under its field. The slots are containers, not ``st.empty``: Streamlit's
    browser side marks every empty placeholder stale while any run is under way, a fragment's
    too, so the running-work poll greyed this tab's dozen placeholders every 2 s (trial s12's
    "12 elements"); an error of an earlier run is gone when this run ends."""
    for key, slot in slots.items():
        if key in errors:
            slot.error(md_escape(errors[key]), icon=":material/error:")


def _create(
    form: NewSolution,
    train_now: bool,
    slots: dict[str, DeltaGenerator],
    values: dict[str, str],
) -> None:
    request = build_request(form)
    service = deps.service()
    refusal: list[str] = []
    arn = run_action(
        "create_solution",
        form.group_arn,
        request,
        lambda: service.create_solution(request),
        failure=t("failed").format(name=form.name),
        note=lambda new: audit_note(NEW_SOLUTION, arn=new),
        refused=refusal,
    )
    if not arn:
        fields = refused_fields(refusal[0], form.option) if refusal else {}
        st.session_state[REFUSED_KEY] = {k: (values.get(k), text) for k, text in fields.items()}
        _show_at_fields(slots, fields)
        return
    st.session_state.pop(REFUSED_KEY, None)
    # The name is taken now: an empty field (and so a disabled button) until a new one is
    # typed, so a second click cannot send the same CreateSolution again.
    st.session_state.pop("ns_name", None)
    message, version, note = t("created").format(name=form.name), None, None
    if train_now:
        version, note = _train(service, arn, form.name)
        message = t("training").format(name=form.name, version=version) if version else note
    st.session_state[CREATED_KEY] = {
        "name": form.name,
        "arn": arn,
        "version": version,
        "note": note,
    }
    flash(message or "")
    st.rerun()


def _train(
    service: PersonalizeService, solution_arn: str, name: str
) -> tuple[str | None, str | None]:
    """Wait for the new solution to be ACTIVE and start its first version: (the version's ARN,
    None), or (None, why no version trains)."""
    try:
        with st.spinner(md_escape(t("waiting").format(name=name))):
            solution = wait_until_active(service, solution_arn)
    except ServiceError as err:
        return None, t("train_failed").format(name=name) + f": {err}"
    if solution.status != "ACTIVE":
        return None, t("not_active").format(name=name, status=solution.status)
    version = run_action(
        "create_solution_version",
        solution_arn,
        {"training_mode": "FULL"},
        lambda: service.create_solution_version(solution_arn),
        failure=t("train_failed").format(name=name),
        note=lambda new: audit_note(NEW_VERSION, arn=new),
    )
    if not version:  # the reason is in the audit log; the page reruns to show the solution
        return None, t("train_failed").format(name=name) + _(": see the audit log.")
    return version, None
