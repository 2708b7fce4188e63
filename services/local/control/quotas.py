"""Per-account and per-group quotas, as Personalize's documented defaults (PERSONALIZE.md §5)."""

from __future__ import annotations

from services.local.data.resources import Resources
from services.local.errors import LimitExceeded

MAX_DATASET_GROUPS = 5
MAX_SOLUTIONS_PER_GROUP = 10
MAX_CAMPAIGNS_PER_GROUP = 5
MAX_FILTERS_PER_GROUP = 10
MAX_RECOMMENDERS_PER_GROUP = 15
# "The maximum number of distinct dataset fields across all filters in a dataset group is 10"
# (developer guide, filter expressions, "Guidelines and requirements"); 5 per filter is checked
# by the parser (filters/expression.py).
MAX_FILTER_FIELDS_PER_GROUP = 10
MAX_PENDING_VERSIONS = 20
MAX_PENDING_IMPORTS = 5


def check_group_quota(
    res: Resources, kind: str, group_arn: str, limit: int, group_name: str | None = None
) -> None:
    """Refuse a new resource of ``kind`` (e.g. "solution") in the dataset group ``group_arn``
    when the group already holds ``limit`` of them (a per-group quota above): Personalize's
    Create* answers LimitExceededException (HTTP 400; API reference, CreateSolution,
    CreateCampaign, CreateFilter, CreateRecommender "Errors"). ``group_name``, when given,
    names the group in the message.

    Raises:
        LimitExceeded: the quota is reached.
    """
    if res.count(kind, group=group_arn) >= limit:
        group = f"Dataset group {group_name}" if group_name else "The dataset group"
        raise LimitExceeded(f"{group} already has {limit} {kind}s.")
