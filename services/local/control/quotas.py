"""Per-account and per-group quotas, as Personalize's documented defaults (PERSONALIZE.md §5)."""

from __future__ import annotations

MAX_DATASET_GROUPS = 5
MAX_SOLUTIONS_PER_GROUP = 10
MAX_CAMPAIGNS_PER_GROUP = 5
MAX_FILTERS_PER_GROUP = 10
# "The maximum number of distinct dataset fields across all filters in a dataset group is 10"
# (developer guide, filter expressions, "Guidelines and requirements"); 5 per filter is checked
# by the parser (filters/expression.py).
MAX_FILTER_FIELDS_PER_GROUP = 10
MAX_PENDING_VERSIONS = 20
MAX_PENDING_IMPORTS = 5
