"""Amazon Personalize's data rules as constants, each with where it comes from.

Sources: the developer guide's "Data requirements" and "Service quotas" pages, and its
"Data insights" list (summarised in ``shared/reference/PERSONALIZE.md`` sections 5 and 6).
The limits the engine enforces too (training and import minimums, ID and value lengths,
metadata columns) are ``services.local.rules.data_limits``, imported here so the readiness
check names them with its own thresholds.
"""

from __future__ import annotations

from services.local.rules.data_limits import MAX_CATEGORICAL_LENGTH as MAX_CATEGORICAL_LENGTH
from services.local.rules.data_limits import MAX_ID_LENGTH as MAX_ID_LENGTH
from services.local.rules.data_limits import MAX_INTERACTIONS_METADATA as MAX_INTERACTIONS_METADATA
from services.local.rules.data_limits import MAX_ITEMS_METADATA as MAX_ITEMS_METADATA
from services.local.rules.data_limits import MAX_TEXTUAL_FIELDS as MAX_TEXTUAL_FIELDS
from services.local.rules.data_limits import MAX_TEXTUAL_LENGTH as MAX_TEXTUAL_LENGTH
from services.local.rules.data_limits import MAX_USERS_METADATA as MAX_USERS_METADATA
from services.local.rules.data_limits import MIN_IMPORT_INTERACTIONS as MIN_IMPORT_INTERACTIONS
from services.local.rules.data_limits import MIN_INTERACTIONS as MIN_INTERACTIONS
from services.local.rules.data_limits import MIN_USERS_WITH_TWO as MIN_USERS_WITH_TWO

# Newer rule: at least 1% of users must have two or more interactions.
MIN_SHARE_USERS_WITH_TWO = 0.01
# Recommended volumes (Data insights): below these results are usually popularity-like.
RECOMMENDED_INTERACTIONS = 50_000
RECOMMENDED_USERS = 1_000

# Multiple categorical values are joined with "|". The guide gives no hard per-value count;
# the service's Data analysis flags categorical data with more than 30 categories, so we
# warn above that (PERSONALIZE.md section 6). A warning, not an error: it doesn't block import.
MAX_CATEGORICAL_PARTS = 30
# Quotas: "event types combined with optional metadata columns in Interactions: 10",
# "metadata columns, excluding reserved fields, in Interactions: 5".
MAX_EVENT_TYPES_PLUS_METADATA = 10
# Data insights: "column is less than 70% complete".
MIN_COMPLETENESS = 0.70

# TIMESTAMP magnitude bands. Epoch seconds stay below 1e11 until the year 5138; epoch
# milliseconds for any date after 1973 are above 1e11, microseconds above 1e14.
SECONDS_BELOW = 1e11
MILLISECONDS_BELOW = 1e14
MICROSECONDS_BELOW = 1e17
# A timestamp this far past `now` is "in the future" (tolerates clock skew between hosts).
FUTURE_SLACK_SECONDS = 86_400
# A tail of events this much older than the bulk (first quartile) is flagged.
OLD_TAIL_DAYS = 730
# Implausible as a whole (our rule, not Personalize's: its import accepts these, but training
# on them is meaningless): an error when at least this share of TIMESTAMPs is in the future
# (a wrong unit, offset or year in the export), or when at least DECADES_APART_SHARE of them
# are DECADES_APART_DAYS or more before the recent bulk (the 90th percentile day of the
# events not in the future, so far-future placeholders cannot become the bulk), e.g. dates
# defaulted to 1970 or 1900 by a failed conversion. Fewer such rows stay warnings.
FUTURE_BULK_SHARE = 0.5
DECADES_APART_DAYS = 20 * 365
DECADES_APART_SHARE = 0.1

# Our data-quality hint, not Personalize's rule: a numeric column whose name holds one of
# these words is a price, and a negative one is warned about (it imports fine).
PRICE_NAME_WORDS = ("PRICE",)

# Example row numbers kept per finding.
MAX_EXAMPLES = 5
# Share of single-interaction users/items above which we warn.
SINGLE_INTERACTION_WARN_SHARE = 0.5
