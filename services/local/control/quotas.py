"""Per-account and per-group quotas, as Personalize's documented defaults (PERSONALIZE.md §5)."""

from __future__ import annotations

MAX_DATASET_GROUPS = 5
MAX_SOLUTIONS_PER_GROUP = 10
MAX_CAMPAIGNS_PER_GROUP = 5
MAX_FILTERS_PER_GROUP = 10
MAX_PENDING_VERSIONS = 20
MAX_PENDING_IMPORTS = 5
