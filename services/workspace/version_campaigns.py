"""Solution versions joined with the campaigns that serve them (Solutions & metrics, costs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from services.personalize.listed import described
from services.personalize.models import (
    Solution,
    SolutionVersion,
    is_terminal,
    short_arn,
    version_label,
)
from services.workspace.overview import DatasetGroupOverview
from services.workspace.recipe_capabilities import POPULARITY_RECIPES


@dataclass(frozen=True)
class VersionInfo:
    """One solution version with what the page shows next to it."""

    solution: Solution
    version: SolutionVersion
    deployed_in: tuple[str, ...]  # names of campaigns serving it

    @property
    def recipe(self) -> str:
        arn = self.version.recipe_arn or self.solution.recipe_arn
        return short_arn(arn) if arn else "AutoML"

    @property
    def label(self) -> str:
        """The version's name on every page (``version_label``)."""
        return version_label(self.version.arn)

    @property
    def is_baseline(self) -> bool:
        return self.recipe in POPULARITY_RECIPES

    @property
    def training_time(self) -> timedelta | None:
        v = self.version
        if is_terminal(v.status) and v.created and v.updated:
            return v.updated - v.created
        return None


def versions_with_campaigns(
    group: DatasetGroupOverview, describe_finished: Callable[[str], SolutionVersion]
) -> list[VersionInfo]:
    """Every version of every solution in the group, newest first within a solution, with the
    names of the campaigns serving it. The versions are the snapshot's (``group``'s
    ListSolutionVersions, not listed again); finished ones are described (recipe, training
    hours come from Describe only), and left out when deleted since the List;
    ``describe_finished`` may be cached.

    Raises:
        ServiceError: a List/Describe call failed.
    """
    served: dict[str, list[str]] = {}
    for c in group.campaigns:
        if c.served_version_arn:
            served.setdefault(c.served_version_arn, []).append(c.campaign.name)
    infos = []
    for status in group.solutions:
        for listed in status.versions:
            version = listed
            if is_terminal(listed.status):
                found = described(describe_finished, [listed.arn])
                if not found:
                    continue  # deleted since the List
                version = found[0]
            infos.append(VersionInfo(status.solution, version, tuple(served.get(listed.arn, ()))))
    return infos
