"""New solution: dataset group, recipe, hyperparameters, HPO, event type, auto-training, and
optionally a first training; confirmed, audited, operators only.

What fits, the checks and the request are ``services.workspace.new_solution``'s; this draws.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import deps, identity, reads
from dashboard.components.operations.actions import flash, run_action
from dashboard.components.text import md_code, md_escape, md_help
from services.errors import ServiceError
from services.personalize.facade import PersonalizeService
from services.personalize.models import HyperParameter
from services.workspace.new_solution import (
    DEFAULT_SCHEDULE_DAYS,
    FEATURE,
    HYPER,
    NAME_MAX,
    SCHEDULE_DAYS,
    NewSolution,
    RecipeOption,
    build_request,
    problems,
    range_text,
    refused_fields,
    wait_until_active,
)
from services.workspace.overview import DatasetGroupOverview

CONFIRM_KEY = "ns_confirm"
REFUSED_KEY = "ns_refused"  # {field key: (value sent, the service's text)}
_RESET_KEY = "ns_reset"
# Every string this section shows, in one place (the i18n issue translates them).
TEXT = {
    "no_group": "No dataset group yet: create one on the Data page first.",
    "group": "Dataset group",
    "recipe": "Recipe",
    "fits": "fits this group",
    "needs": "needs {missing}",
    "datasets": "Needs: {required}. Also learns from: {optional}.",
    "name": "Solution name",
    "name_help": f"1–{NAME_MAX} letters, digits, '-' or '_'.",
    "hyper": "Hyperparameters (DescribeAlgorithm)",
    "hyper_none": "This recipe takes no hyperparameters.",
    "features": "Feature transformation (DescribeFeatureTransformation)",
    "default": "Default {default}",
    "tunable": "; tuned by HPO",
    "hpo": "Tune hyperparameters (performHPO)",
    "hpo_help": "Trains several versions over the tunable ranges and keeps the best: {names}.",
    "hpo_none": "This recipe has no tunable hyperparameter.",
    "event_type": "Event type (optional: empty trains on every event type)",
    "auto": "Automatic training (performAutoTraining)",
    "days": "Every N days (autoTrainingConfig)",
    "train_now": "Train a first version now (CreateSolutionVersion, FULL)",
    "summary": "CreateSolution makes **{name}** in {group} with {recipe}{hpo}. Training is "
    "billed per training hour{auto}.",
    "summary_hpo": ", tuning its hyperparameters",
    "summary_auto": "; it trains a new version every {days} days by itself",
    "confirm": "I understand the solution trains (billed) when started or scheduled",
    "create": "Create solution",
    "failed": "Could not create {name}",
    "created": "Solution {name} created.",
    "training": "Solution {name} created; training started: {version}.",
    "not_active": "Solution {name} created; it is {status}: train it in the Train tab once it is "
    "ACTIVE.",
    "train_failed": "Could not start training {name}",
    "waiting": "Waiting for {name} to be ACTIVE before training it…",
}


def _default_group(groups: list[DatasetGroupOverview], target: str | None) -> int:
    return next((i for i, g in enumerate(groups) if target and g.group.arn == target), 0)


def _recipe_label(option: RecipeOption) -> str:
    # Stable text only: a changing label would reset the choice on the next rerun.
    state = TEXT["fits"] if option.fits else TEXT["needs"].format(missing=", ".join(option.missing))
    return f"{option.recipe.name} ({option.recipe.recipe_type or '?'}; {state})"


def _param_field(prefix: str, recipe: str, param: HyperParameter) -> str:
    key = f"ns_{prefix[:2]}_{recipe}_{param.name}"
    shown = TEXT["default"].format(default=param.default if param.default is not None else "–")
    limits = range_text(param)
    help_text = f"{shown}; {limits}" if limits else shown
    if param.tunable:
        help_text += TEXT["tunable"]
    # The range in the label too (plain text: Streamlit labels render markdown, so escaped).
    label = md_escape(f"{param.name} ({limits})" if limits else param.name)
    if param.kind == "categorical" and param.values and param.default in param.values:
        value = st.selectbox(
            label,
            list(param.values),
            index=list(param.values).index(param.default or ""),
            key=key,
            help=md_help(help_text),
        )
        return str(value)
    return st.text_input(label, value=param.default or "", key=key, help=md_help(help_text))


def show_new_solution(groups: list[DatasetGroupOverview], target: str | None) -> None:
    """The New solution form; ``target`` (a dataset group ARN) preselects the group."""
    if not groups:
        st.info(TEXT["no_group"])
        return
    by_arn = {g.group.arn: g for g in groups}
    group_arn = st.selectbox(
        TEXT["group"],
        list(by_arn),
        index=_default_group(groups, target),
        format_func=lambda a: by_arn[a].group.name,
        key="ns_group",
    )
    group = by_arn[group_arn or groups[0].group.arn]
    types = tuple(sorted({d.dataset.dataset_type for d in group.datasets}))
    options = reads.recipe_options(types)
    if options is None:
        return  # the read said why
    by_recipe = {o.recipe.arn: o for o in options}
    recipe_arn = st.selectbox(
        TEXT["recipe"],
        list(by_recipe),
        format_func=lambda a: _recipe_label(by_recipe[a]),
        key="ns_recipe",
    )
    option = by_recipe[recipe_arn or options[0].recipe.arn]
    recipe = option.recipe.name
    st.caption(md_escape(option.recipe.description or ""))
    st.caption(
        md_escape(
            TEXT["datasets"].format(
                required=", ".join(option.required) or "–",
                optional=", ".join(option.optional) or "–",
            )
        )
    )
    slots = {"recipe": st.empty()}
    name = st.text_input(TEXT["name"], key="ns_name", max_chars=NAME_MAX, help=TEXT["name_help"])
    slots["name"] = st.empty()

    hyper: dict[str, str] = {}
    st.markdown(f"**{TEXT['hyper']}**")
    if not option.hyperparameters:
        st.caption(TEXT["hyper_none"])
    for param in option.hyperparameters:
        hyper[param.name] = _param_field(HYPER, recipe, param)
        slots[HYPER + param.name] = st.empty()
    features: dict[str, str] = {}
    if option.features:
        st.markdown(f"**{TEXT['features']}**")
    for param in option.features:
        features[param.name] = _param_field(FEATURE, recipe, param)
        slots[FEATURE + param.name] = st.empty()

    hpo = st.toggle(
        TEXT["hpo"],
        key=f"ns_hpo_{recipe}",
        disabled=not option.tunable,
        help=md_help(
            TEXT["hpo_help"].format(names=", ".join(option.tunable))
            if option.tunable
            else TEXT["hpo_none"]
        ),
    )
    event_type = st.text_input(TEXT["event_type"], key="ns_event_type")
    auto = st.toggle(TEXT["auto"], value=True, key="ns_auto")
    low, high = SCHEDULE_DAYS
    days = st.number_input(
        TEXT["days"],
        min_value=low,
        max_value=high,
        value=DEFAULT_SCHEDULE_DAYS,
        step=1,
        disabled=not auto,
        key="ns_days",
    )
    slots["schedule"] = st.empty()
    train_now = st.checkbox(TEXT["train_now"], key="ns_train_now")

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

    st.markdown(
        TEXT["summary"].format(
            name=md_escape(form.name or "…"),
            group=md_escape(group.group.name),
            recipe=md_code(recipe),
            hpo=TEXT["summary_hpo"] if form.perform_hpo else "",
            auto=TEXT["summary_auto"].format(days=form.schedule_days) if auto else "",
        )
    )
    if st.session_state.pop(_RESET_KEY, False):
        st.session_state[CONFIRM_KEY] = False
    confirmed = st.checkbox(TEXT["confirm"], key=CONFIRM_KEY)
    if st.button(
        TEXT["create"],
        key="ns_button",
        type="primary",
        icon=":material/add_circle:",
        disabled=not confirmed or bool(found) or identity.refusal() is not None,
        help=md_help(identity.refusal()),
    ):
        _create(form, train_now, slots, values)


def _show_at_fields(slots: dict[str, DeltaGenerator], errors: dict[str, str]) -> None:
    for key, slot in slots.items():
        if key in errors:
            slot.error(md_escape(errors[key]), icon=":material/error:")
        else:
            slot.empty()


def _create(
    form: NewSolution,
    train_now: bool,
    slots: dict[str, DeltaGenerator],
    values: dict[str, str],
) -> None:
    request = build_request(form)
    service = deps.service()
    refusal: list[str] = []

    def call() -> str:
        try:
            return service.create_solution(request)
        except ServiceError as err:
            refusal.append(str(err))
            raise

    arn = run_action(
        "create_solution",
        form.group_arn,
        request,
        call,
        failure=TEXT["failed"].format(name=form.name),
        note=lambda new: f"new solution {new}",
    )
    if not arn:
        fields = refused_fields(refusal[0], form.option) if refusal else {}
        st.session_state[REFUSED_KEY] = {k: (values.get(k), text) for k, text in fields.items()}
        _show_at_fields(slots, fields)
        return
    st.session_state.pop(REFUSED_KEY, None)
    st.session_state[_RESET_KEY] = True
    message = TEXT["created"].format(name=form.name)
    if train_now:
        message = _train(service, arn, form.name)
    flash(message)
    st.rerun()


def _train(service: PersonalizeService, solution_arn: str, name: str) -> str:
    try:
        with st.spinner(md_escape(TEXT["waiting"].format(name=name))):
            solution = wait_until_active(service, solution_arn)
    except ServiceError as err:
        return TEXT["train_failed"].format(name=name) + f": {err}"
    if solution.status != "ACTIVE":
        return TEXT["not_active"].format(name=name, status=solution.status)
    version = run_action(
        "create_solution_version",
        solution_arn,
        {"training_mode": "FULL"},
        lambda: service.create_solution_version(solution_arn),
        failure=TEXT["train_failed"].format(name=name),
        note=lambda new: f"new version {new}",
    )
    if not version:  # the reason is in the audit log; the page reruns to show the solution
        return TEXT["train_failed"].format(name=name) + ": see the audit log."
    return TEXT["training"].format(name=name, version=version)
