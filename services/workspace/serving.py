"""What a dataset group answers recommendations through: campaigns (a solution version of a
recipe), recommenders (a Domain group's use cases), or both. Pages say "campaign" and "recipe",
"recommender" and "use case", or both, from this one answer.

Source: a Custom dataset group serves through campaigns only (CreateCampaign takes a solution
version); a Domain dataset group serves through recommenders (CreateRecommender, one use case
each) and may also hold custom solutions and campaigns (Personalize developer guide, "Domain
dataset groups": "you can also create custom resources").
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Serves(StrEnum):
    CAMPAIGNS = "campaigns"
    RECOMMENDERS = "recommenders"
    BOTH = "both"


def serves(*, domain: str | None, campaigns: int, recommenders: int) -> Serves:
    """What a group serves through, from its ``domain`` (None for a Custom group) and how many
    campaigns and recommenders it has (counts ≥ 0).

    A group with both is BOTH; with recommenders only, or a Domain group with neither yet (its
    next step is a recommender), RECOMMENDERS; otherwise CAMPAIGNS."""
    if campaigns and recommenders:
        return Serves.BOTH
    if recommenders or (domain and not campaigns):
        return Serves.RECOMMENDERS
    return Serves.CAMPAIGNS


def combined(each: Iterable[Serves]) -> Serves:
    """What several groups serve through together (a workspace): one kind if all agree on it,
    else BOTH; CAMPAIGNS for no group at all."""
    kinds = set(each)
    if not kinds:
        return Serves.CAMPAIGNS
    return kinds.pop() if len(kinds) == 1 else Serves.BOTH
