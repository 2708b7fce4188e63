"""The facade's calls on training: recipes, their algorithms and feature transformations,
solutions, solution versions and their metrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.personalize import wire
from services.personalize.calls import Calls, newest_first, require_one_of
from services.personalize.models import (
    Algorithm,
    FeatureTransformation,
    Recipe,
    Solution,
    SolutionVersion,
)

# CreateSolutionVersion's trainingMode (API reference: TrainingMode, FULL | UPDATE; AUTOTRAIN
# is the service's own, for automatic training).
TRAINING_MODES = ("FULL", "UPDATE")


class TrainingCalls(Calls):
    """List, describe, create and stop what trains: recipes, solutions and versions."""

    def list_recipes(self, domain: str | None = None) -> list[Recipe]:
        return self._list("list_recipes", "recipes", wire.recipe, domain=domain)

    def describe_recipe(self, arn: str) -> Recipe:
        return self._describe("recipe", wire.recipe, arn)

    def describe_algorithm(self, arn: str) -> Algorithm:
        """A recipe's algorithm (``Recipe.algorithm_arn``): its hyperparameters' defaults and
        ranges (DescribeAlgorithm)."""
        return self._describe("algorithm", wire.algorithm, arn)

    def describe_feature_transformation(self, arn: str) -> FeatureTransformation:
        """A recipe's feature transformation and its default parameters
        (DescribeFeatureTransformation)."""
        return self._describe("featureTransformation", wire.feature_transformation, arn)

    # --- solutions and versions -------------------------------------------------------------

    def list_solutions(self, dataset_group_arn: str | None = None) -> list[Solution]:
        return self._list_of("solution", wire.solution, datasetGroupArn=dataset_group_arn)

    def describe_solution(self, arn: str) -> Solution:
        return self._describe("solution", wire.solution, arn)

    def create_solution(self, request: Mapping[str, Any]) -> str:
        """CreateSolution with ``request`` as its parameters (built and checked by
        ``services.workspace.new_solution.build_request``); returns the solution's ARN.

        Raises ServiceError: InvalidInputException's text names the refused parameter (a
        hyperparameter out of range, a bad schedule), LimitExceeded at 10 solutions a group,
        ResourceAlreadyExists for a taken name."""
        name = str(request.get("name"))
        return self._start("create_solution", "solutionArn", name, "Solution", **request)

    def list_solution_versions(self, solution_arn: str) -> list[SolutionVersion]:
        """Versions of one solution, newest first."""
        versions = self._list_of("solutionVersion", wire.solution_version, solutionArn=solution_arn)
        return newest_first(versions)

    def describe_solution_version(self, arn: str) -> SolutionVersion:
        return self._describe("solutionVersion", wire.solution_version, arn)

    def get_solution_metrics(self, version_arn: str) -> dict[str, float]:
        """Offline metrics of an ACTIVE version, keyed as Personalize names them."""
        resp = self._call(
            self._p, "get_solution_metrics", version_arn, solutionVersionArn=version_arn
        )
        return {k: float(v) for k, v in (resp.get("metrics") or {}).items()}

    def create_solution_version(
        self, solution_arn: str, training_mode: str = "FULL", name: str | None = None
    ) -> str:
        """Start training (billed); returns the new version's ARN."""
        require_one_of("training_mode", training_mode, TRAINING_MODES)
        return self._start(
            "create_solution_version",
            "solutionVersionArn",
            solution_arn,
            solutionArn=solution_arn,
            trainingMode=training_mode,
            name=name,
        )

    def stop_solution_version(self, version_arn: str) -> None:
        """Stop a version that is still training (billed up to that point, not resumable)."""
        self._call(
            self._p, "stop_solution_version_creation", version_arn, solutionVersionArn=version_arn
        )
