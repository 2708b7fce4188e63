"""The typed facade over the three Personalize boto3 clients: the only code pages call.

It hides paginators, turns wire dicts into frozen dataclasses (``services.personalize.models``)
and botocore errors into ``services.errors`` with actionable messages. It holds nothing but
boto3 clients, so it behaves the same against AWS and the local engine.

``PersonalizeService`` is one class built from the call groups (``calls`` the plumbing,
``data_calls``, ``training_calls``, ``deployment_calls``); the runtime's calls are here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from services.local.rules.runtime_limits import (
    MAX_ACTIONS,
    MAX_EVENTS_PER_CALL,
    MAX_RESULTS,
    MAX_RESULTS_WITH_METADATA,
)
from services.personalize import wire
from services.personalize.calls import compact as _compact
from services.personalize.data_calls import DataCalls
from services.personalize.deployment_calls import DeploymentCalls
from services.personalize.models import (
    Event,
    RecommendationList,
    is_terminal,
    short_arn,
)
from services.personalize.training_calls import TrainingCalls

__all__ = ["PersonalizeService", "filter_value", "is_terminal", "short_arn"]


def filter_value(values: Sequence[str]) -> str:
    """Quote and comma-join string values for ``filterValues`` (``"a","b"``)."""
    return ",".join('"' + v.replace('"', '\\"') + '"' for v in values)


def _filter_values(values: Mapping[str, str | Sequence[str]] | None) -> dict[str, str] | None:
    if not values:
        return None
    return {k: v if isinstance(v, str) else filter_value(v) for k, v in values.items()}


class PersonalizeService(DataCalls, TrainingCalls, DeploymentCalls):
    """Personalize for pages: list/describe resources, start work, get recommendations.

    Built from ``services.personalize.clients.Clients`` (``ClientBundle``). The control plane's
    calls live by what they are about (``data_calls``, ``training_calls``,
    ``deployment_calls``); the runtime's and the events' are here.
    """

    # --- runtime and events -----------------------------------------------------------------

    def get_recommendations(
        self,
        campaign_arn: str,
        user_id: str | None = None,
        item_id: str | None = None,
        num_results: int = 25,
        filter_arn: str | None = None,
        filter_values: Mapping[str, str | Sequence[str]] | None = None,
        metadata_columns: Sequence[str] = (),
        promotions: Sequence[Mapping[str, Any]] = (),
    ) -> RecommendationList:
        """Recommendations for a user (user recipes) or related to an item (related-items).

        ``campaign_arn`` may also be a recommender's ARN (sent as ``recommenderArn``).
        ``filter_values`` maps a filter parameter to a ready string or to values to quote;
        ``metadata_columns`` names Items columns to return with each item (the campaign or
        recommender must have metadata enabled; at most 50 results then); ``promotions`` are
        sent as given (GetRecommendations' ``Promotion`` shape: name, percentPromotedItems,
        filterArn, filterValues).
        """
        if user_id is None and item_id is None:
            raise ValueError("pass user_id (user recipes) or item_id (related-items recipes)")
        limit = MAX_RESULTS_WITH_METADATA if metadata_columns else MAX_RESULTS
        if not 1 <= num_results <= limit:
            raise ValueError(f"num_results must be between 1 and {limit}")
        source = "recommenderArn" if ":recommender/" in campaign_arn else "campaignArn"
        resp = self._call(
            self._runtime,
            "get_recommendations",
            campaign_arn,
            **_compact(
                **{source: campaign_arn},
                metadataColumns={"ITEMS": list(metadata_columns)} if metadata_columns else None,
                userId=user_id,
                itemId=item_id,
                numResults=num_results,
                filterArn=filter_arn,
                filterValues=_filter_values(filter_values),
                promotions=[dict(p) for p in promotions] or None,
            ),
        )
        return wire.recommendation_list(resp.get("itemList", []), resp.get("recommendationId"))

    def get_personalized_ranking(
        self,
        campaign_arn: str,
        user_id: str,
        items: Sequence[str],
        filter_arn: str | None = None,
        filter_values: Mapping[str, str | Sequence[str]] | None = None,
    ) -> RecommendationList:
        """``items`` re-ordered for ``user_id`` by a personalized-ranking campaign."""
        if not 1 <= len(items) <= MAX_RESULTS:
            raise ValueError(f"pass between 1 and {MAX_RESULTS} items to rank")
        resp = self._ask(
            "get_personalized_ranking",
            campaign_arn,
            filter_arn,
            filter_values,
            userId=user_id,
            inputList=list(items),
        )
        return wire.recommendation_list(
            resp.get("personalizedRanking", []), resp.get("recommendationId")
        )

    def get_action_recommendations(
        self,
        campaign_arn: str,
        user_id: str | None = None,
        num_results: int = 5,
        filter_arn: str | None = None,
        filter_values: Mapping[str, str | Sequence[str]] | None = None,
    ) -> RecommendationList:
        """The actions ``user_id`` will most likely take, from a campaign of a
        PERSONALIZED_ACTIONS recipe (Next-Best-Action), best first; each entry's ``item_id`` is
        an action ID and ``score`` its propensity (GetActionRecommendations' ``actionList``).

        Raises:
            ValueError: ``num_results`` outside 1-100 (GetActionRecommendations' maximum).
        """
        if not 1 <= num_results <= MAX_ACTIONS:
            raise ValueError(f"num_results must be between 1 and {MAX_ACTIONS}")
        resp = self._ask(
            "get_action_recommendations",
            campaign_arn,
            filter_arn,
            filter_values,
            userId=user_id,
            numResults=num_results,
        )
        return wire.action_list(resp.get("actionList", []), resp.get("recommendationId"))

    def _ask(
        self,
        operation: str,
        campaign_arn: str,
        filter_arn: str | None,
        filter_values: Mapping[str, str | Sequence[str]] | None,
        **members: Any,
    ) -> Any:
        """A runtime request of a campaign, with its filter (members that are None left out)."""
        return self._call(
            self._runtime,
            operation,
            campaign_arn,
            **_compact(
                campaignArn=campaign_arn,
                filterArn=filter_arn,
                filterValues=_filter_values(filter_values),
                **members,
            ),
        )

    def put_events(
        self, tracking_id: str, session_id: str, events: Sequence[Event], user_id: str | None = None
    ) -> int:
        """Send events through an event tracker, 10 per request; returns how many were sent."""
        if not events:
            raise ValueError("pass at least one event")
        for start in range(0, len(events), MAX_EVENTS_PER_CALL):
            batch = [_event_wire(e) for e in events[start : start + MAX_EVENTS_PER_CALL]]
            self._call(
                self._events,
                "put_events",
                None,
                "Event tracker",
                **_compact(
                    trackingId=tracking_id, userId=user_id, sessionId=session_id, eventList=batch
                ),
            )
        return len(events)


def _event_wire(event: Event) -> dict[str, Any]:
    return _compact(
        eventType=event.event_type,
        sentAt=event.sent_at,
        itemId=event.item_id,
        eventValue=event.event_value,
        eventId=event.event_id,
        recommendationId=event.recommendation_id,
        impression=list(event.impression) or None,
        properties=json.dumps(dict(event.properties)) if event.properties else None,
    )
