"""TagResource, UntagResource, ListTagsForResource on any stored resource, and the tag rules
every Create* with a ``tags`` member shares.

Rules (developer guide, "Tagging Amazon Personalize resources", Guidelines and requirements):
at most 50 tags per resource, whether given at Create* or by TagResource, else
TooManyTagsException (HTTP 400; botocore's model lists it for TagResource and each Create*
that takes tags, while LimitExceededException is kept for request rates and quotas); a key
of 1–128 and a value of 0–256 characters from letters, numbers, separators and ``_ . : / = +
- @`` (botocore's ``TagKey``/``TagValue`` patterns, checked by the wire validation); a key
once per resource; keys and values that begin with ``aws:`` are reserved for AWS. UntagResource
takes at most 50 keys (TooManyTagKeysException, "50 tag keys per resource").

Which resources take tags: the guide's list ("You can add tags to the following types of
Amazon Personalize resources": batch inference and batch segment jobs, campaigns, datasets,
dataset groups, dataset import and export jobs, event trackers, filters, recommenders,
solutions, solution versions), plus data deletion jobs, whose CreateDataDeletionJob takes
``tags`` in botocore's model. Schemas, metric attributions and recipes are not on it
(CreateSchema and CreateMetricAttribution take no ``tags``): the three operations refuse
their ARNs with InvalidInputException (HTTP 400), the error botocore's model gives them for a
request they cannot act on, rather than store tags AWS would never keep.
"""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.data.storage.resources import LABELS, TAGS, kind_of
from services.local.errors import InvalidInput, ResourceNotFound, TooManyTagKeys, TooManyTags

MAX_TAGS = 50
RESERVED_PREFIX = "aws:"
TAGGABLE = {
    "batch-inference-job": "Batch inference job",
    "batch-segment-job": "Batch segment job",
    "campaign": "Campaign",
    "data-deletion-job": "Data deletion job",
    "dataset": "Dataset",
    "dataset-export-job": "Dataset export job",
    "dataset-group": "Dataset group",
    "dataset-import-job": "Dataset import job",
    "event-tracker": "Event tracker",
    "filter": "Filter",
    "recommender": "Recommender",
    "solution": "Solution",
    "solution-version": "Solution version",
}


def check_tags(tags: list[dict[str, str]]) -> None:
    """Check the ``tags`` of one request (a Create* call or TagResource), before anything is
    stored.

    Raises:
        InvalidInput: a key given twice, or a key or value beginning with ``aws:``.
        TooManyTags: more than 50 tags.
    """
    seen: set[str] = set()
    for i, tag in enumerate(tags, start=1):
        key, value = tag["tagKey"], tag["tagValue"]
        if key in seen:
            raise InvalidInput(f"tags.{i}: the tag key '{key}' is given twice; a key is unique.")
        seen.add(key)
        for what, text in (("key", key), ("value", value)):
            if text.lower().startswith(RESERVED_PREFIX):
                raise InvalidInput(
                    f"tags.{i}: a tag {what} cannot begin with '{RESERVED_PREFIX}' "
                    "(reserved for AWS)."
                )
    if len(tags) > MAX_TAGS:
        raise TooManyTags(f"{len(tags)} tags given; a resource can carry at most {MAX_TAGS}.")


def _doc(res: Any, arn: str) -> dict[str, Any]:
    """The stored document of the taggable resource ``arn``.

    Raises:
        InvalidInput: not a Personalize resource ARN, or one of a type that takes no tags.
        ResourceNotFound: no such resource.
    """
    kind = kind_of(arn)
    if kind not in TAGGABLE:
        if kind in LABELS:
            raise InvalidInput(
                f"{LABELS[kind]}s cannot be tagged; tags are for "
                f"{', '.join(label.lower() + 's' for label in TAGGABLE.values())}."
            )
        raise InvalidInput(f"resourceArn '{arn}' is not a Personalize resource ARN.")
    doc = res.find(arn)
    if doc is None:
        raise ResourceNotFound(f"{TAGGABLE[kind]} {arn} does not exist.")
    return doc


def tag_resource(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    """Add tags; a key the resource already has takes the new value. TooManyTags when the
    resource would carry more than 50."""
    check_tags(params["tags"])
    with engine.tx() as res:
        doc = _doc(res, params["resourceArn"])
        tags = {t["tagKey"]: t["tagValue"] for t in doc.get(TAGS, [])}
        tags.update({t["tagKey"]: t["tagValue"] for t in params["tags"]})
        if len(tags) > MAX_TAGS:
            raise TooManyTags(
                f"The resource would carry {len(tags)} tags; a resource can carry at most "
                f"{MAX_TAGS}."
            )
        doc[TAGS] = [{"tagKey": k, "tagValue": v} for k, v in tags.items()]
        res.save(params["resourceArn"], doc)
    return {}


def untag_resource(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    """Remove tags by key; TooManyTagKeys for more than 50 keys in one request."""
    if len(params["tagKeys"]) > MAX_TAGS:
        raise TooManyTagKeys(
            f"{len(params['tagKeys'])} tag keys given; at most {MAX_TAGS} per resource."
        )
    with engine.tx() as res:
        doc = _doc(res, params["resourceArn"])
        drop = set(params["tagKeys"])
        doc[TAGS] = [t for t in doc.get(TAGS, []) if t["tagKey"] not in drop]
        res.save(params["resourceArn"], doc)
    return {}


def list_tags_for_resource(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    with engine.reading() as res:
        return {"tags": list(_doc(res, params["resourceArn"]).get(TAGS, []))}


OPERATIONS = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
