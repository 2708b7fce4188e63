"""Answers that are not what Personalize sends become MalformedResponse, never a KeyError,
AttributeError or a silently empty list; resources deleted after a List are left out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services import errors
from services.config import Settings
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.personalize.listed import described
from tests.dashboard.faults import response

CAMPAIGN = "arn:aws:personalize:us-east-1:000000000000:campaign/c"


def answering(body: bytes | dict[str, Any], status: int = 200) -> PersonalizeService:
    """The facade over real clients (as ``build_clients`` makes them for an endpoint) whose
    every request gets this answer; nothing is sent."""
    clients = build_clients(Settings(endpoint_url="http://127.0.0.1:9"))
    for client in (clients.personalize, clients.runtime):
        client.meta.events.register(
            "before-send", lambda request, **_: response(request, status, body)
        )
    return PersonalizeService(clients)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"<html>Bad gateway</html>", "the body is not JSON"),
        (b'{"datasetGroups": [{"name": "g"', "the body is not JSON"),
        ({"datasetGroups": "none"}, "'str' object has no attribute"),
        ({"datasetGroups": [{"name": "g"}]}, "no 'datasetGroupArn' in the response"),
        ({"datasetGroups": [{"datasetGroupArn": "a", "creationDateTime": "yesterday"}]},
         "Invalid timestamp"),
    ],
)  # fmt: skip
def test_unreadable_list_answers(body: bytes | dict[str, Any], detail: str) -> None:
    with pytest.raises(errors.MalformedResponse) as caught:
        answering(body).list_dataset_groups()
    message = str(caught.value)
    assert message.startswith("Personalize's answer to ListDatasetGroups could not be read (")
    assert detail in message
    assert "check that the endpoint and region are Personalize's" in message
    assert caught.value.operation == "ListDatasetGroups"


def test_describe_missing_its_member() -> None:
    with pytest.raises(errors.MalformedResponse, match=r"no 'campaign' in the response"):
        answering({}).describe_campaign(CAMPAIGN)
    with pytest.raises(errors.MalformedResponse, match=r"no 'campaignArn' in the response"):
        answering({"campaign": {"name": "c"}}).describe_campaign(CAMPAIGN)


def test_runtime_answer_not_json() -> None:
    with pytest.raises(errors.MalformedResponse, match="GetRecommendations could not be read"):
        answering(b"\xff\xfe not json").get_recommendations(CAMPAIGN, user_id="u1")


def test_an_empty_list_is_still_empty() -> None:
    # The check must not refuse what Personalize does send.
    assert answering({"datasetGroups": []}).list_dataset_groups() == []
    assert answering(json.dumps({"datasetGroups": []}).encode()).list_dataset_groups() == []


def test_described_leaves_out_what_was_deleted() -> None:
    def describe(arn: str) -> str:
        if arn == "gone":
            raise errors.NotFound("gone")
        return arn.upper()

    assert described(describe, ["a", "gone", "b"]) == ["A", "B"]


def test_described_passes_other_failures_on() -> None:
    def describe(arn: str) -> str:
        raise errors.AccessDenied("denied")

    with pytest.raises(errors.AccessDenied):
        described(describe, ["a"])
