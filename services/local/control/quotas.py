"""Amazon Personalize's resource-count quotas: the one table the engine's Create* handlers read.

Each value is Personalize's default; AWS can raise the adjustable ones for an account, the
engine cannot, so it refuses exactly where a fresh AWS account would. Where two AWS pages
disagree the engine keeps the stricter value, so it is never more lenient than AWS.

Sources:

* [limits] Developer guide, "Amazon Personalize endpoints and quotas", section "Service
  quotas" (https://docs.aws.amazon.com/personalize/latest/dg/limits.html): "Your AWS account
  has the following quotas for each region" (500 active schemas, 5 active dataset groups,
  5 pending or in progress dataset import jobs, 5 pending or in progress batch inference
  jobs, 5 pending or in progress batch segment jobs, 20 pending or in progress solution
  versions) and "Each dataset group has the following quotas" (10 active solutions, 5 active
  campaigns, 5 recommenders, 30 filters, 20 distinct dataset fields across all filters, 5 data
  deletion jobs with a status of PENDING).
* [recommenders] Developer guide, "Domain recommenders"
  (https://docs.aws.amazon.com/personalize/latest/dg/creating-recommenders.html): "You can
  create at most 15 recommenders per region." Both recommender quotas hold: 5 in a group and
  15 in the region.
* [limits-2023] The same limits page as published in awsdocs/amazon-personalize-developer-guide
  (doc_source/limits.md), per dataset group: "Total number of filters. 10 (adjustable)" and
  "Total number of distinct dataset fields across all filters. 10". The current page says 30
  and 20; the engine keeps 10 and 10.
* [CreateEventTracker] API reference: "Only one event tracker can be associated with a dataset
  group. You will get an error if you call CreateEventTracker using the same dataset group as
  an existing event tracker." (The engine answers ResourceAlreadyExistsException, trackers.py.)
* [CreateMetricAttribution] Developer guide, "Measuring the impact of recommendations": one
  metric attribution per dataset group (metric_attributions.py).

Every quota below is refused with LimitExceededException, HTTP 400, unless its line says
otherwise: botocore's personalize 2018-05-22 model lists LimitExceededException for every
Create* operation and gives it no ``httpStatusCode``, so the awsJson1.1 protocol sends it as a
client error, 400 (``services.local.errors.LimitExceeded``). The engine counts every stored
resource of a kind, whatever its status, where AWS counts the active ones: never more lenient.
"""

from __future__ import annotations

from services.local.data.storage.resources import Resources
from services.local.errors import LimitExceeded

# -- per region (account) ------------------------------------------------------------------
MAX_SCHEMAS = 500  # [limits]
MAX_DATASET_GROUPS = 5  # [limits], adjustable on AWS
MAX_PENDING_IMPORTS = 5  # [limits]: dataset import jobs pending or in progress
MAX_PENDING_BATCH_INFERENCE = 5  # [limits]: batch inference jobs pending or in progress
MAX_PENDING_BATCH_SEGMENT = 5  # [limits]: batch segment jobs, counted apart from inference
MAX_PENDING_VERSIONS = 20  # [limits]: solution versions pending or in progress
MAX_RECOMMENDERS_PER_REGION = 15  # [recommenders]

# -- per dataset group ---------------------------------------------------------------------
MAX_SOLUTIONS_PER_GROUP = 10  # [limits], adjustable on AWS
MAX_CAMPAIGNS_PER_GROUP = 5  # [limits], adjustable on AWS
MAX_RECOMMENDERS_PER_GROUP = 5  # [limits]
MAX_FILTERS_PER_GROUP = 10  # [limits-2023]; [limits] says 30: the stricter is kept
# "The maximum number of distinct dataset fields across all filters in a dataset group is 10"
# (developer guide, filter expressions, "Guidelines and requirements", and [limits-2023];
# [limits] says 20); 5 per filter is checked by the parser (filters/expression.py).
MAX_FILTER_FIELDS_PER_GROUP = 10
MAX_PENDING_DELETIONS_PER_GROUP = 5  # [limits]: data deletion jobs with a status of PENDING
MAX_EVENT_TRACKERS_PER_GROUP = 1  # [CreateEventTracker]: ResourceAlreadyExistsException, 400
MAX_METRIC_ATTRIBUTIONS_PER_GROUP = 1  # [CreateMetricAttribution]


def check_region_quota(res: Resources, kind: str, limit: int) -> None:
    """Refuse a new resource of ``kind`` (e.g. "schema", "dataset-group") when the region
    already holds ``limit`` of them, whatever their group (a per-region quota above):
    Personalize's Create* answers LimitExceededException (HTTP 400; API reference,
    CreateSchema, CreateDatasetGroup, CreateRecommender "Errors").

    Raises:
        LimitExceeded: the quota is reached.
    """
    if res.count(kind) >= limit:
        noun = kind.replace("-", " ")
        raise LimitExceeded(
            f"This account already has {limit} {noun}s in the region, the quota; delete one first."
        )


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
