"""The plan step: which data to import, which solutions to train, which campaigns to deploy."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import partial

from services.i18n import ngettext
from services.personalize.models import Solution, short_arn
from services.pipeline.options import RefreshOptions
from services.pipeline.runs.records import SUCCEEDED
from services.pipeline.steps.calls import StepFailed
from services.pipeline.steps.step_context import StepContext, StepResult
from services.workspace.recipe_capabilities import supports_update

# Why the plan step refused a run, stored with the step (``detail["refusal"]`` and the values
# the message names) so a page says it in the reader's language with its own fields' names;
# the stored reason is the CLI's English, naming its flags.
NOT_ACTIVE = "group_not_active"
NO_ROLE = "no_role"
NO_DATASET = "no_dataset"
NO_SOLUTION = "no_solution"
NO_CAMPAIGN = "no_campaign"
NO_UPDATE = "no_update"
# How many campaigns the group has, when a failed plan knows it: with none, no campaign
# "keeps serving its previous version" (the runner's closing sentence).
CAMPAIGNS_IN_GROUP = "campaigns_in_group"


def refusal(code: str, **values: object) -> dict[str, object]:
    """The detail a plan step refusing for ``code`` stores: ``{"refusal": code, **values}``."""
    return {"refusal": code, **values}


def chosen_solutions(
    all_solutions: Sequence[Solution], wanted: Sequence[str], group_name: str
) -> list[Solution]:
    """The solutions named (by name or ARN) in ``wanted``, in the group's order.

    Raises:
        ValueError: a name matches no solution of the group (the message lists those it has).
    """
    names = set(wanted)
    chosen = [s for s in all_solutions if s.name in names or s.arn in names]
    missing = names - {s.name for s in chosen} - {s.arn for s in chosen}
    if missing:
        have = ", ".join(sorted(s.name for s in all_solutions)) or "none"
        raise ValueError(
            f"no solution {', '.join(sorted(missing))} in {group_name} (it has: {have})"
        )
    return chosen


def default_solutions(
    solutions: Sequence[Solution], served_solution_arns: Collection[str]
) -> list[Solution]:
    """What a refresh trains when no solution is named: every solution that backs a campaign,
    in the group's order (a solution no campaign serves would change nothing live)."""
    served = set(served_solution_arns)
    return [s for s in solutions if s.arn in served]


class Planning(StepContext):
    def _plan(self, options: RefreshOptions) -> StepResult:
        group_arn = self._run.dataset_group_arn
        group = self._call(lambda: self._svc.describe_dataset_group(group_arn))
        if group.status != "ACTIVE":
            raise StepFailed(
                f"dataset group {group.name} is {group.status}, not ACTIVE",
                refusal(NOT_ACTIVE, group=group.name, status=group.status),
            )
        imports = []
        if options.data:
            if not self._settings.is_local and not self._settings.role_arn:
                raise StepFailed(
                    "importing on AWS needs a role Personalize can assume to read S3: set "
                    "PERSONALIZE_ROLE_ARN",
                    refusal(NO_ROLE),
                )
            datasets = {
                d.dataset_type.upper(): d
                for d in self._call(lambda: self._svc.list_datasets(group_arn))
            }
            for source in options.data:
                dataset = datasets.get(source.dataset_type)
                if dataset is None:
                    raise StepFailed(
                        f"{group.name} has no {source.dataset_type.title()} dataset to import "
                        f"{source.location} into",
                        refusal(
                            NO_DATASET,
                            group=group.name,
                            dataset_type=source.dataset_type,
                            location=source.location,
                        ),
                    )
                imports.append(
                    {
                        "dataset_type": source.dataset_type,
                        "dataset_arn": dataset.arn,
                        "dataset_name": dataset.name,
                        "location": source.location,
                        "mapping": source.mapping,
                    }
                )
        all_solutions = self._call(lambda: self._svc.list_solutions(group_arn))
        campaigns_of = {
            s.arn: self._call(partial(self._svc.list_campaigns, s.arn)) for s in all_solutions
        }
        if options.solutions:
            try:
                chosen = chosen_solutions(all_solutions, options.solutions, group.name)
            except ValueError as err:
                known = {s.name for s in all_solutions} | {s.arn for s in all_solutions}
                missing = ", ".join(sorted(set(options.solutions) - known))
                have = ", ".join(sorted(s.name for s in all_solutions))
                raise StepFailed(
                    str(err), refusal(NO_SOLUTION, group=group.name, missing=missing, have=have)
                ) from err
        else:
            served = [arn for arn, campaigns in campaigns_of.items() if campaigns]
            chosen = default_solutions(all_solutions, served)
            if not chosen:
                # nothing is served, so no campaign "keeps its version" (runner)
                raise StepFailed(
                    f"no campaign in {group.name} to refresh: create one, or name the solutions "
                    "to train with --solution",
                    {**refusal(NO_CAMPAIGN, group=group.name), CAMPAIGNS_IN_GROUP: 0},
                )
        solutions, campaigns = [], []
        for listed in chosen:
            solution = self._call(partial(self._svc.describe_solution, listed.arn))
            recipe_arn = solution.recipe_arn or solution.auto_ml_best_recipe_arn
            recipe_type = (
                self._call(partial(self._svc.describe_recipe, recipe_arn)).recipe_type
                if recipe_arn
                else None
            )
            mode = options.training_mode
            if mode == "UPDATE" and not supports_update(recipe_arn):
                recipe = short_arn(recipe_arn or "AutoML")
                raise StepFailed(
                    f"{solution.name} uses {recipe}, which has no "
                    "UPDATE training mode (only User-Personalization recipes do): refresh it "
                    "with --training-mode FULL",
                    refusal(NO_UPDATE, solution=solution.name, recipe=recipe),
                )
            solutions.append(
                {
                    "arn": solution.arn,
                    "name": solution.name,
                    "mode": mode,
                    "recipe_arn": recipe_arn,
                    "recipe_type": recipe_type,
                }
            )
            for c in campaigns_of[listed.arn]:
                campaigns.append(
                    {
                        "arn": c.arn,
                        "name": c.name,
                        "solution_arn": solution.arn,
                        "recipe_type": recipe_type,
                    }
                )
        reason = ", ".join(
            (
                ngettext("{n} import", "{n} imports", len(imports)).format(n=len(imports)),
                ngettext("{n} solution to train", "{n} solutions to train", len(solutions)).format(
                    n=len(solutions)
                ),
                ngettext("{n} campaign", "{n} campaigns", len(campaigns)).format(n=len(campaigns)),
            )
        )
        return (
            SUCCEEDED,
            reason,
            {"imports": imports, "solutions": solutions, "campaigns": campaigns},
        )
