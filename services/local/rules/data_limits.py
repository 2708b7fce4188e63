"""Personalize's data limits that the engine enforces and the readiness check warns of, once.

Sources: the developer guide's "Data requirements", "Service quotas" and dataset schema
requirements pages (summarised in ``shared/reference/PERSONALIZE.md`` sections 5 and 6). The
engine refuses what passes them as Personalize does (the import job, CreateSchema, training);
``services.readiness.limits`` adds the dashboard's own thresholds to these.
"""

from __future__ import annotations

# Training minimum, counted AFTER the solution's eventType / eventValueThreshold filter.
MIN_INTERACTIONS = 1_000
MIN_USERS_WITH_TWO = 25
# "Minimum number of item interaction records per dataset import job in FULL or INCREMENTAL
# import mode: 1000" (Service quotas): an import job of fewer fails whatever the dataset holds.
MIN_IMPORT_INTERACTIONS = 1_000

# "USER_ID / ITEM_ID: max length 256 characters" (dataset schema requirements).
MAX_ID_LENGTH = 256
# "Categorical values can have at most 1000 characters ... your dataset import job will fail."
MAX_CATEGORICAL_LENGTH = 1_000
# Textual fields (Items): 20,000 characters (7,000 for Chinese and Japanese), one per schema.
MAX_TEXTUAL_LENGTH = 20_000
MAX_TEXTUAL_FIELDS = 1
# Quotas: "metadata columns, excluding reserved fields, in Interactions: 5"; Items 100; Users 25.
MAX_INTERACTIONS_METADATA = 5
MAX_ITEMS_METADATA = 100
MAX_USERS_METADATA = 25
