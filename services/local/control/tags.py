"""TagResource, UntagResource, ListTagsForResource on any stored resource."""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.data.resources import LABELS, TAGS, kind_of
from services.local.errors import InvalidInput, ResourceNotFound

MAX_TAGS = 200


def _doc(res: Any, arn: str) -> dict[str, Any]:
    kind = kind_of(arn)
    if kind not in LABELS:
        raise InvalidInput(f"resourceArn '{arn}' is not a Personalize resource ARN.")
    doc = res.find(arn)
    if doc is None:
        raise ResourceNotFound(f"{LABELS[kind]} {arn} does not exist.")
    return doc


def tag_resource(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    with engine.tx() as res:
        doc = _doc(res, params["resourceArn"])
        tags = {t["tagKey"]: t["tagValue"] for t in doc.get(TAGS, [])}
        tags.update({t["tagKey"]: t["tagValue"] for t in params["tags"]})
        if len(tags) > MAX_TAGS:
            from services.local.errors import LimitExceeded

            raise LimitExceeded(f"A resource can carry at most {MAX_TAGS} tags.")
        doc[TAGS] = [{"tagKey": k, "tagValue": v} for k, v in tags.items()]
        res.save(params["resourceArn"], doc)
    return {}


def untag_resource(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
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
