"""Tag rules, in-process and over HTTP: every Create* that takes ``tags`` and TagResource refuse
a 51st tag with TooManyTagsException (HTTP 400), UntagResource refuses a 51st key with
TooManyTagKeysException, and the key/value rules of the developer guide ("Tagging Amazon
Personalize resources") hold; each refusal leaves the stored state as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.session
import pytest

from services.local.wire.operations import operations
from services.local.wire.protocol import CONTROL
from tests.local.refusals import TRANSPORTS, World, refused
from tests.local.workspace import wait_for


def _tags(n: int, prefix: str = "k") -> list[dict[str, str]]:
    return [{"tagKey": f"{prefix}{i}", "tagValue": f"v{i}"} for i in range(n)]


def _create_requests(w: World) -> dict[str, dict[str, Any]]:
    """A request of every Create* operation with ``tags`` that would otherwise be valid in
    shape (the tag check comes before anything is looked up or stored)."""
    out = f"s3://bucket/out-{id(w)}/"
    batch = {
        "solutionVersionArn": w.version,
        "roleArn": "arn:aws:iam::000000000000:role/x",
        "jobInput": {"s3DataSource": {"path": "s3://bucket/in.json"}},
        "jobOutput": {"s3DataDestination": {"path": out}},
    }
    return {
        "CreateDatasetGroup": {"name": "tags-group"},
        "CreateDataset": {
            "name": "tags-ds",
            "schemaArn": w.ws["schema"],
            "datasetGroupArn": w.ws["group"],
            "datasetType": "Items",
        },
        "CreateDatasetImportJob": {
            "jobName": "tags-import",
            "datasetArn": w.ws["dataset"],
            "dataSource": {"dataLocation": "s3://bucket/shop/interactions.csv"},
        },
        "CreateDatasetExportJob": {
            "jobName": "tags-export",
            "datasetArn": w.ws["dataset"],
            "roleArn": "arn:aws:iam::000000000000:role/x",
            "jobOutput": {"s3DataDestination": {"path": out}},
        },
        "CreateEventTracker": {"name": "tags-tracker", "datasetGroupArn": w.ws["group"]},
        "CreateFilter": {
            "name": "tags-filter",
            "datasetGroupArn": w.ws["group"],
            "filterExpression": 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("view")',
        },
        "CreateSolution": {
            "name": "tags-solution",
            "datasetGroupArn": w.ws["group"],
            "recipeArn": "arn:aws:personalize:::recipe/aws-popularity-count",
        },
        "CreateSolutionVersion": {"solutionArn": w.solution},
        "CreateCampaign": {"name": "tags-campaign", "solutionVersionArn": w.version},
        "CreateBatchInferenceJob": {"jobName": "tags-batch", **batch},
        "CreateBatchSegmentJob": {"jobName": "tags-segment", **batch},
        "CreateDataDeletionJob": {
            "jobName": "tags-deletion",
            "datasetGroupArn": w.ws["group"],
            "dataSource": {"dataLocation": "s3://bucket/shop/users.csv"},
            "roleArn": "arn:aws:iam::000000000000:role/x",
        },
        "CreateRecommender": {
            "name": "tags-recommender",
            "datasetGroupArn": w.ws["group"],
            "recipeArn": "arn:aws:personalize:::recipe/aws-ecomm-popular-items-by-views",
        },
    }


def _tagged_creates() -> list[str]:
    """The Create* operations of botocore's model with a ``tags`` member that the engine
    implements."""
    model = botocore.session.get_session().get_service_model("personalize")
    implemented = {name for service, name in operations() if service == CONTROL}
    return sorted(
        name
        for name in model.operation_names
        if name.startswith("Create")
        and "tags" in model.operation_model(name).input_shape.members
        and name in implemented
    )


def _call(w: World, operation: str, params: dict[str, Any]) -> Callable[[], Any]:
    method = getattr(w.clients.personalize, botocore.xform_name(operation))
    return lambda: method(**params)


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("operation", _tagged_creates())
def test_every_create_refuses_a_51st_tag(world: World, transport: str, operation: str) -> None:
    w = world.over(transport)
    requests = _create_requests(w)
    assert operation in requests, f"add a request for {operation}"
    params = {**requests[operation], "tags": _tags(51)}
    refused(w, "TooManyTagsException", _call(w, operation, params), "at most 50")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_create_with_exactly_50_tags_keeps_them(world: World, transport: str) -> None:
    w = world.over(transport)
    p = w.clients.personalize
    name = f"fifty-{transport.replace('-', '')}"
    arn = p.create_dataset_group(name=name, tags=_tags(50))["datasetGroupArn"]
    try:
        assert len(p.list_tags_for_resource(resourceArn=arn)["tags"]) == 50
        # one more by TagResource is the 51st
        refused(
            w,
            "TooManyTagsException",
            lambda: p.tag_resource(resourceArn=arn, tags=_tags(1, "extra")),
            "at most 50",
        )
        # a key it already has only changes a value: still 50, accepted
        p.tag_resource(resourceArn=arn, tags=[{"tagKey": "k0", "tagValue": "new"}])
        tags = p.list_tags_for_resource(resourceArn=arn)["tags"]
        assert len(tags) == 50 and {"tagKey": "k0", "tagValue": "new"} in tags
    finally:
        p.delete_dataset_group(datasetGroupArn=arn)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_tag_and_untag_resource_limits(world: World, transport: str) -> None:
    w = world.over(transport)
    p = w.clients.personalize
    arn = w.campaign
    p.tag_resource(resourceArn=arn, tags=_tags(30))
    try:
        refused(
            w,
            "TooManyTagsException",
            lambda: p.tag_resource(resourceArn=arn, tags=_tags(21, "more")),
            "51 tags",
        )
        refused(
            w,
            "TooManyTagKeysException",
            lambda: p.untag_resource(resourceArn=arn, tagKeys=[f"k{i}" for i in range(51)]),
            "at most 50",
        )
    finally:
        p.untag_resource(resourceArn=arn, tagKeys=[f"k{i}" for i in range(30)])
    assert p.list_tags_for_resource(resourceArn=arn)["tags"] == []


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("tags", "code", "needle"),
    [
        ([{"tagKey": "aws:team", "tagValue": "x"}], "InvalidInputException", "aws:"),
        ([{"tagKey": "team", "tagValue": "AWS:x"}], "InvalidInputException", "aws:"),
        (
            [{"tagKey": "team", "tagValue": "a"}, {"tagKey": "team", "tagValue": "b"}],
            "InvalidInputException",
            "twice",
        ),
        ([{"tagKey": "team", "tagValue": "a\tb"}], "ValidationException", "tagValue"),
        ([{"tagKey": "team!", "tagValue": "a"}], "ValidationException", "tagKey"),
        ([{"tagKey": "k" * 129, "tagValue": "a"}], "ValidationException", "128"),
        ([{"tagKey": "team", "tagValue": "v" * 257}], "ValidationException", "256"),
    ],
)
def test_tag_key_and_value_rules(
    world: World, transport: str, tags: list[dict[str, str]], code: str, needle: str
) -> None:
    w = world.over(transport)
    p = w.clients.personalize
    refused(w, code, lambda: p.tag_resource(resourceArn=w.campaign, tags=tags), needle)
    refused(w, code, lambda: p.create_dataset_group(name="badtags", tags=tags), needle)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_documented_characters_are_accepted(world: World, transport: str) -> None:
    """Letters of any script, numbers, spaces and ``_ . : / = + - @``, and an empty value."""
    w = world.over(transport)
    p = w.clients.personalize
    tags = [
        {"tagKey": "팀 이름", "tagValue": "추천 + 검색"},
        {"tagKey": "a_b.c:d/e=f+g-h@i", "tagValue": ""},
    ]
    p.tag_resource(resourceArn=w.campaign, tags=tags)
    try:
        assert p.list_tags_for_resource(resourceArn=w.campaign)["tags"] == tags
    finally:
        p.untag_resource(resourceArn=w.campaign, tagKeys=[t["tagKey"] for t in tags])


def test_the_walk_covers_tagged_creates() -> None:
    """The list the first test walks is botocore's, not a hand-kept one."""
    names = _tagged_creates()
    assert {"CreateDatasetGroup", "CreateCampaign", "CreateSolutionVersion"} <= set(names)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_resources_that_take_no_tags_are_refused(world: World, transport: str) -> None:
    """Schemas and recipes are not on the guide's list of taggable resources (CreateSchema
    takes no tags): TagResource, UntagResource and ListTagsForResource refuse them. A dataset
    export job is on it: its tags are listed."""
    w = world.over(transport)
    p = w.clients.personalize
    tags = [{"tagKey": "team", "tagValue": "shop"}]
    recipe = "arn:aws:personalize:::recipe/aws-popularity-count"
    for arn in (w.ws["schema"], recipe):
        refused(
            w,
            "InvalidInputException",
            lambda a=arn: p.tag_resource(resourceArn=a, tags=tags),
            "cannot be tagged",
        )
        refused(
            w,
            "InvalidInputException",
            lambda a=arn: p.untag_resource(resourceArn=a, tagKeys=["team"]),
            "cannot be tagged",
        )
        refused(
            w,
            "InvalidInputException",
            lambda a=arn: p.list_tags_for_resource(resourceArn=a),
            "cannot be tagged",
        )
    export = dict(_create_requests(w)["CreateDatasetExportJob"], jobName=f"tagged-{transport}")
    arn = p.create_dataset_export_job(**export, tags=tags)["datasetExportJobArn"]
    assert p.list_tags_for_resource(resourceArn=arn)["tags"] == tags
    # the job ends before the next test compares the stored state around its refusals
    wait_for(lambda: p.describe_dataset_export_job(datasetExportJobArn=arn), "datasetExportJob")
