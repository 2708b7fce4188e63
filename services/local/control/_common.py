"""Small pieces the control-plane modules share."""

from __future__ import annotations

from typing import Any

from services.local.resources import Resources, expect_kind

# Per-region and per-group quotas, as Personalize's documented defaults (PERSONALIZE.md §5).
MAX_DATASET_GROUPS = 5
MAX_SOLUTIONS_PER_GROUP = 10
MAX_CAMPAIGNS_PER_GROUP = 5
MAX_FILTERS_PER_GROUP = 10
MAX_PENDING_VERSIONS = 20
MAX_PENDING_IMPORTS = 5


def group_of(res: Resources, group_arn: str, param: str = "datasetGroupArn") -> dict[str, Any]:
    """The dataset group document an ARN parameter names."""
    expect_kind(group_arn, "dataset-group", param)
    return res.get(group_arn, "dataset-group")


def name_of_arn(arn: str) -> str:
    """Last path part of an ARN (a resource's name, or a version's ID)."""
    return arn.rsplit("/", 1)[-1]


def tags_of(params: dict[str, Any]) -> list[dict[str, str]]:
    """The tags a Create* call carries."""
    return list(params.get("tags") or [])
