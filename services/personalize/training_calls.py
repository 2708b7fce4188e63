"""The facade's calls on training: recipes, their algorithms and feature transformations,
solutions, solution versions and their metrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.personalize import wire
from services.personalize.calls import Calls, compact, newest_first
from services.personalize.models import (
    Algorithm,
    FeatureTransformation,
    Recipe,
    Solution,
    SolutionVersion,
)


class TrainingCalls(Calls):
    """List, describe, create and stop what trains: recipes, solutions and versions."""

    def list_recipes(self, domain: str | None = None) -> list[Recipe]:
        return self._list("list_recipes", "recipes", wire.recipe, domain=domain)

    def describe_recipe(self, arn: str) -> Recipe:
        return wire.recipe(self._call(self._p, "describe_recipe", arn, recipeArn=arn)["recipe"])

    def describe_algorithm(self, arn: str) -> Algorithm:
        """A recipe's algorithm (``Recipe.algorithm_arn``): its hyperparameters' defaults and
        ranges (DescribeAlgorithm)."""
        resp = self._call(self._p, "describe_algorithm", arn, algorithmArn=arn)
        return wire.algorithm(resp["algorithm"])

    def describe_feature_transformation(self, arn: str) -> FeatureTransformation:
        """A recipe's feature transformation and its default parameters
        (DescribeFeatureTransformation)."""
        resp = self._call(
            self._p, "describe_feature_transformation", arn, featureTransformationArn=arn
        )
        return wire.feature_transformation(resp["featureTransformation"])

    # --- solutions and versions -------------------------------------------------------------

    def list_solutions(self, dataset_group_arn: str | None = None) -> list[Solution]:
        return self._list(
            "list_solutions",
            "solutions",
            wire.solution,
            dataset_group_arn,
            datasetGroupArn=dataset_group_arn,
        )

    def describe_solution(self, arn: str) -> Solution:
        resp = self._call(self._p, "describe_solution", arn, solutionArn=arn)
        return wire.solution(resp["solution"])

    def create_solution(self, request: Mapping[str, Any]) -> str:
        """CreateSolution with ``request`` as its parameters (built and checked by
        ``services.workspace.new_solution.build_request``); returns the solution's ARN.

        Raises ServiceError: InvalidInputException's text names the refused parameter (a
        hyperparameter out of range, a bad schedule), LimitExceeded at 10 solutions a group,
        ResourceAlreadyExists for a taken name."""
        resp = self._call(
            self._p, "create_solution", str(request.get("name")), "Solution", **request
        )
        arn: str = resp["solutionArn"]
        return arn

    def list_solution_versions(self, solution_arn: str) -> list[SolutionVersion]:
        """Versions of one solution, newest first."""
        versions = self._list(
            "list_solution_versions",
            "solutionVersions",
            wire.solution_version,
            solution_arn,
            solutionArn=solution_arn,
        )
        return newest_first(versions)

    def describe_solution_version(self, arn: str) -> SolutionVersion:
        resp = self._call(self._p, "describe_solution_version", arn, solutionVersionArn=arn)
        return wire.solution_version(resp["solutionVersion"])

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
        if training_mode not in ("FULL", "UPDATE"):
            raise ValueError(f"training_mode must be 'FULL' or 'UPDATE', not {training_mode!r}")
        resp = self._call(
            self._p,
            "create_solution_version",
            solution_arn,
            **compact(solutionArn=solution_arn, trainingMode=training_mode, name=name),
        )
        arn: str = resp["solutionVersionArn"]
        return arn

    def stop_solution_version(self, version_arn: str) -> None:
        """Stop a version that is still training (billed up to that point, not resumable)."""
        self._call(
            self._p, "stop_solution_version_creation", version_arn, solutionVersionArn=version_arn
        )
