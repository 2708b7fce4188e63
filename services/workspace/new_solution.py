"""A new solution: which recipes fit a dataset group, their parameters, checks, the request.

Everything the Operations page's "New solution" section decides lives here; the page only
draws. Sources: CreateSolution (API reference: the name rule of
``services.workspace.resource_names``, ``solutionConfig.algorithmHyperParameters`` and
``featureTransformationParameters`` as string maps, ``performAutoTraining`` default true,
``autoTrainingConfig.schedulingExpression`` ``rate(N days)`` with N 1–30), DescribeAlgorithm
(``defaultHyperParameters`` and ``defaultHyperParameterRanges``, the ranges a value is
checked against before the call) and DescribeFeatureTransformation (``defaultParameters``; no
ranges are published, so only the service can refuse those values, and its text is shown at
the field it names: ``refused_fields``).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.i18n import _, ngettext
from services.personalize.facade import PersonalizeService
from services.personalize.models import HyperParameter, Recipe, Solution
from services.polling import Polling, PollTimedOut, wait_for
from services.workspace.recipe_capabilities import datasets_for
from services.workspace.resource_names import name_problem

SCHEDULE_DAYS = (1, 30)  # autoTrainingConfig: rate(N days), N from 1 to 30
DEFAULT_SCHEDULE_DAYS = 7
# Field keys of a form: "name", "recipe", "schedule", "hp:<name>" and "ft:<name>".
HYPER, FEATURE = "hp:", "ft:"
_SAID = "Personalize said: "


@dataclass(frozen=True)
class RecipeOption:
    """A recipe the account (or the engine) offers, with what it needs and takes.

    ``required``/``optional``: dataset types (INTERACTIONS, ITEMS, …); ``missing``: required
    types the group has not; ``hyperparameters`` from DescribeAlgorithm, ``features`` from
    DescribeFeatureTransformation (kind "", default only)."""

    recipe: Recipe
    required: tuple[str, ...]
    optional: tuple[str, ...]
    missing: tuple[str, ...]
    hyperparameters: tuple[HyperParameter, ...] = ()
    features: tuple[HyperParameter, ...] = ()

    @property
    def fits(self) -> bool:
        """Whether the group has every dataset the recipe needs."""
        return not self.missing

    @property
    def tunable(self) -> tuple[str, ...]:
        """Names of the hyperparameters performHPO tunes."""
        return tuple(p.name for p in self.hyperparameters if p.tunable)


@dataclass(frozen=True)
class NewSolution:
    """What the form holds: strings as typed (hyperparameter maps are string maps)."""

    name: str
    group_arn: str
    option: RecipeOption
    hyperparameters: Mapping[str, str] = field(default_factory=dict)
    features: Mapping[str, str] = field(default_factory=dict)
    perform_hpo: bool = False
    event_type: str = ""
    auto_training: bool = True
    schedule_days: int = DEFAULT_SCHEDULE_DAYS


def recipe_options(
    service: PersonalizeService, dataset_types: Collection[str]
) -> list[RecipeOption]:
    """Every custom recipe ListRecipes offers (domain use cases are for recommenders, not
    solutions), described with its algorithm and feature transformation, those the group's
    ``dataset_types`` fit first, then by name.

    Raises ServiceError from ListRecipes or a Describe call."""
    have = {t.upper() for t in dataset_types}
    options = []
    for listed in service.list_recipes():
        if listed.domain:
            continue
        recipe = service.describe_recipe(listed.arn)
        required, optional = datasets_for(recipe.name)
        hyper: tuple[HyperParameter, ...] = ()
        if recipe.algorithm_arn:
            hyper = service.describe_algorithm(recipe.algorithm_arn).hyperparameters
        features: tuple[HyperParameter, ...] = ()
        if recipe.feature_transformation_arn:
            defaults = service.describe_feature_transformation(
                recipe.feature_transformation_arn
            ).defaults
            features = tuple(HyperParameter(n, "", v) for n, v in defaults.items())
        options.append(
            RecipeOption(
                recipe=recipe,
                required=tuple(sorted(required)),
                optional=tuple(sorted(optional)),
                missing=tuple(sorted(required - have)),
                hyperparameters=hyper,
                features=features,
            )
        )
    return sorted(options, key=lambda o: (not o.fits, o.recipe.name))


# The recipe the form opens on, most wanted first: a data scientist comparing recipes on a
# shop's interactions starts from User-Personalization (v2, the transformer, where the engine
# or the account offers it; else v1), not from the alphabet's first recipe (item-affinity), a
# segmenting recipe without hyperparameters that left the form empty in a trial.
DEFAULT_RECIPES = ("aws-user-personalization-v2", "aws-user-personalization")


def default_option(options: Sequence[RecipeOption]) -> int:
    """Index in ``options`` (``recipe_options``' order) of the recipe the form opens on: the
    first of ``DEFAULT_RECIPES`` offered that the group's datasets fit, else the first option
    (fitting ones sort first); 0 for no options."""
    index = {o.recipe.name: i for i, o in enumerate(options) if o.fits}
    return next((index[name] for name in DEFAULT_RECIPES if name in index), 0)


def range_text(param: HyperParameter) -> str:
    """The range DescribeAlgorithm gives, as shown next to the field ("" without one)."""
    if param.kind == "categorical":
        return _("one of {values}").format(values=", ".join(param.values))
    if param.kind in ("integer", "continuous") and param.low is not None:
        fmt = (lambda x: str(int(x))) if param.kind == "integer" else (lambda x: f"{x:g}")
        kind = _("integer") if param.kind == "integer" else _("continuous")
        return _("{kind} in [{low}, {high}]").format(
            kind=kind, low=fmt(param.low), high=fmt(param.high or 0.0)
        )
    return ""


def value_problem(param: HyperParameter, raw: str) -> str | None:
    """Why ``raw`` is outside ``param``'s DescribeAlgorithm range, or None (also for a
    parameter without a range: the service decides those)."""
    text = raw.strip()
    if not text:
        return _("{name} is empty: give a value or keep the default.").format(name=param.name)
    if param.kind == "categorical":
        if param.values and text.lower() not in {v.lower() for v in param.values}:
            return _("{name} takes {range}, not '{value}'.").format(
                name=param.name, range=range_text(param), value=text
            )
        return None
    if param.kind not in ("integer", "continuous"):
        return None
    try:
        value = float(text)
    except ValueError:
        return _("{name} takes a number ({range}), not '{value}'.").format(
            name=param.name, range=range_text(param), value=text
        )
    if not math.isfinite(value) or (param.kind == "integer" and not value.is_integer()):
        what = _("an integer") if param.kind == "integer" else _("a finite number")
        return _("{name} takes {what} ({range}), not '{value}'.").format(
            name=param.name, what=what, range=range_text(param), value=text
        )
    if (param.low is not None and value < param.low) or (
        param.high is not None and value > param.high
    ):
        return _("{name} takes {range}, not {value}.").format(
            name=param.name, range=range_text(param), value=text
        )
    return None


def problems(form: NewSolution) -> dict[str, str]:
    """What keeps the form from being sent, by field key (empty when it can be sent)."""
    found: dict[str, str] = {}
    if (wrong_name := name_problem(form.name)) is not None:
        found["name"] = wrong_name
    if form.option.missing:
        found["recipe"] = ngettext(
            "{recipe} needs the {datasets} dataset, which this dataset group does not have.",
            "{recipe} needs the {datasets} datasets, which this dataset group does not have.",
            len(form.option.missing),
        ).format(recipe=form.option.recipe.name, datasets=", ".join(form.option.missing))
    for param in form.option.hyperparameters:
        raw = form.hyperparameters.get(param.name)
        problem = None if raw is None else value_problem(param, raw)
        if problem:
            found[HYPER + param.name] = problem
    for param in form.option.features:
        raw = form.features.get(param.name)
        if raw is not None and not raw.strip():
            found[FEATURE + param.name] = _(
                "{name} is empty: give a value or keep the default."
            ).format(name=param.name)
    low, high = SCHEDULE_DAYS
    if form.auto_training and not low <= form.schedule_days <= high:
        found["schedule"] = _("Automatic training runs every {low} to {high} days.").format(
            low=low, high=high
        )
    return found


def _changed(values: Mapping[str, str], params: tuple[HyperParameter, ...]) -> dict[str, str]:
    # Only values that differ from the defaults are sent: the service applies its defaults.
    defaults = {p.name: p.default for p in params}
    return {n: v.strip() for n, v in values.items() if n in defaults and v.strip() != defaults[n]}


def changed_from_defaults(form: NewSolution) -> list[tuple[str, str, str]]:
    """``(name, value, default)`` of each hyperparameter, then feature transformation
    parameter, whose field differs from its DescribeAlgorithm / DescribeFeatureTransformation
    default, in the recipe's order: exactly what ``build_request`` sends in ``solutionConfig``
    (``default`` is "" for a parameter DescribeAlgorithm gives only a range)."""
    changed = []
    for values, params in (
        (form.hyperparameters, form.option.hyperparameters),
        (form.features, form.option.features),
    ):
        sent = _changed(values, params)
        changed += [(p.name, sent[p.name], p.default or "") for p in params if p.name in sent]
    return changed


def build_request(form: NewSolution) -> dict[str, Any]:
    """CreateSolution's parameters for a form with no ``problems``.

    Raises ValueError naming the first problem when there is one."""
    found = problems(form)
    if found:
        raise ValueError(next(iter(found.values())))
    config: dict[str, Any] = {}
    hyper = _changed(form.hyperparameters, form.option.hyperparameters)
    if hyper:
        config["algorithmHyperParameters"] = hyper
    features = _changed(form.features, form.option.features)
    if features:
        config["featureTransformationParameters"] = features
    if form.auto_training:
        config["autoTrainingConfig"] = {"schedulingExpression": f"rate({form.schedule_days} days)"}
    request: dict[str, Any] = {
        "name": form.name,
        "datasetGroupArn": form.group_arn,
        "recipeArn": form.option.recipe.arn,
        "performHPO": form.perform_hpo,
        "performAutoTraining": form.auto_training,
    }
    if form.event_type.strip():
        request["eventType"] = form.event_type.strip()
    if config:
        request["solutionConfig"] = config
    return request


def refused_fields(message: str, option: RecipeOption) -> dict[str, str]:
    """The fields a refusal of CreateSolution names, each with the service's own text (what
    follows "Personalize said: " in a ServiceError, or the whole message). A field is named
    when its parameter's name appears as a word; "schedule" for schedulingExpression."""
    said = message.split(_SAID, 1)[1] if _SAID in message else message
    found = {}
    for prefix, params in ((HYPER, option.hyperparameters), (FEATURE, option.features)):
        for param in params:
            if re.search(rf"(?<![A-Za-z0-9_]){re.escape(param.name)}(?![A-Za-z0-9_])", said):
                found[prefix + param.name] = said
    if "schedulingExpression" in said or "rate(" in said:
        found["schedule"] = said
    return found


def wait_until_active(
    service: PersonalizeService,
    solution_arn: str,
    timeout: float = 30.0,
    poll: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Solution:
    """Describe the solution until it is ACTIVE, failed, or ``timeout`` seconds passed;
    returns the last description (its ``status`` says which). CreateSolutionVersion needs an
    ACTIVE solution (ResourceInUseException before).

    Raises ServiceError from DescribeSolution."""
    try:
        return wait_for(
            lambda: service.describe_solution(solution_arn),
            lambda solution: solution.status == "ACTIVE" or "FAILED" in solution.status,
            Polling(poll, timeout, sleep=sleep, clock=clock),
        )
    except PollTimedOut as err:
        return err.last
