"""Live traffic for an experiment with a planted lift, through the engine's real runtime and
events APIs, as a shop backend would send it (docs/experiments.md): the split rule picks the
arm, the arm's campaign answers a list, the first item is viewed with the list's
recommendationId, its impression and the arm as eventAttributionSource; the user buys an item
of the catalogue with probability ``base_rate``, times (1 + ``lift``) in the treated arm. The
purchase does not depend on the list, so the true lift of conversion and of revenue per user
is exactly ``lift``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from services.experiments.assignment import assign
from services.experiments.records import Experiment


def send_traffic(
    clients: Any,
    tracking_id: str,
    experiment: Experiment,
    users: Sequence[str],
    items: Sequence[str],
    *,
    base_rate: float,
    lift: float,
    at: int,
    seed: int = 23,
) -> Counter[str]:
    """Send one session per user at epoch second ``at``; returns purchases per arm."""
    rng = np.random.default_rng(seed)
    treated = experiment.arms[1].name
    bought: Counter[str] = Counter()
    for user in users:
        arm = assign(experiment.name, user, experiment.split)
        listed = clients.runtime.get_recommendations(
            campaignArn=experiment.arm(arm).target, userId=user, numResults=5
        )
        shown = [i["itemId"] for i in listed["itemList"]]
        events: list[dict[str, Any]] = [
            {
                "eventType": "View",
                "itemId": shown[0],
                "sentAt": at,
                "recommendationId": listed["recommendationId"],
                "impression": shown,
                "metricAttribution": {"eventAttributionSource": arm},
            }
        ]
        rate = base_rate * (1 + lift) if arm == treated else base_rate
        if rng.random() < rate:
            events.append(
                {"eventType": "Purchase", "itemId": items[rng.integers(len(items))], "sentAt": at}
            )
            bought[arm] += 1
        clients.events.put_events(
            trackingId=tracking_id, userId=user, sessionId=f"{user}-s", eventList=events
        )
    return bought
