"""Tags given to Create* calls are stored and returned by ListTagsForResource, in-process and
over HTTP (Personalize API reference: every Create* with a ``tags`` member)."""

from __future__ import annotations

import pytest

from tests.local.refusals import TRANSPORTS, World


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_create_calls_store_their_tags(world: World, transport: str) -> None:
    w = world.over(transport)
    p = w.clients.personalize
    suffix = transport.replace("-", "")

    def tags(label: str) -> list[dict[str, str]]:
        return [{"tagKey": "team", "tagValue": "recs"}, {"tagKey": "what", "tagValue": label}]

    created = {
        "group": p.create_dataset_group(name=f"tagged-{suffix}", tags=tags("group"))[
            "datasetGroupArn"
        ],
        "filter": p.create_filter(
            name=f"tagged-{suffix}",
            datasetGroupArn=w.ws["group"],
            filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("view")',
            tags=tags("filter"),
        )["filterArn"],
        "solution": p.create_solution(
            name=f"tagged-{suffix}",
            datasetGroupArn=w.ws["group"],
            recipeArn="arn:aws:personalize:::recipe/aws-popularity-count",
            tags=tags("solution"),
        )["solutionArn"],
        "campaign": p.create_campaign(
            name=f"tagged-{suffix}", solutionVersionArn=w.version, tags=tags("campaign")
        )["campaignArn"],
    }
    for label, arn in created.items():
        assert p.list_tags_for_resource(resourceArn=arn)["tags"] == tags(label), label
    # Describe* never shows the engine's bookkeeping key.
    assert "_tags" not in p.describe_filter(filterArn=created["filter"])["filter"]
    untagged = p.create_dataset_group(name=f"plain-{suffix}")["datasetGroupArn"]
    assert p.list_tags_for_resource(resourceArn=untagged)["tags"] == []
    p.delete_campaign(campaignArn=created["campaign"])
    p.delete_solution(solutionArn=created["solution"])
    p.delete_filter(filterArn=created["filter"])
    p.delete_dataset_group(datasetGroupArn=created["group"])
    p.delete_dataset_group(datasetGroupArn=untagged)
