"""Which arm of an experiment a user is in: a stable hash of the user ID, nothing stored.

A shop backend calls ``assign`` before asking Personalize for recommendations, asks the arm's
campaign or recommender, and sends the arm's name as ``metricAttribution.eventAttributionSource``
with the list's ``recommendationId`` on every PutEvents event the list led to. The same user
always lands in the same arm of the same experiment, on every server and in every language,
and different experiments split users independently. This module uses the standard library
only, so it can be copied into a backend as is.

The rule (docs/experiments.md writes it down with test vectors):

1. ``key = "<experiment name>:<user id>"`` encoded as UTF-8;
2. ``bucket = int.from_bytes(sha256(key)[:8], "big") % 10_000`` (0..9,999);
3. arms are listed in order with integer weights in basis points that add up to 10,000; the
   user is in the first arm whose cumulative weight is greater than ``bucket``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

BUCKETS = 10_000  # weights are basis points of traffic: 5_000 is half


def bucket(experiment: str, user_id: str) -> int:
    """The user's bucket in ``experiment``: 0..9,999 (step 1 and 2 of the module's rule)."""
    digest = hashlib.sha256(f"{experiment}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def check_split(arms: Sequence[tuple[str, int]]) -> None:
    """Refuse a split that is not at least two distinct named arms with positive integer
    weights adding up to 10,000.

    Raises:
        ValueError: naming what is wrong.
    """
    if len(arms) < 2:
        raise ValueError("An experiment needs at least two arms.")
    names = [name for name, _ in arms]
    if any(not name or not name.strip() for name in names):
        raise ValueError("Every arm needs a name.")
    if len(set(names)) != len(names):
        raise ValueError("Arm names must differ from each other.")
    for name, weight in arms:
        if isinstance(weight, bool) or not isinstance(weight, int) or weight <= 0:
            raise ValueError(f"Arm {name!r} needs a positive whole number of basis points.")
    total = sum(weight for _, weight in arms)
    if total != BUCKETS:
        raise ValueError(f"Arm weights add up to {total:,} basis points, not {BUCKETS:,}.")


def assign(experiment: str, user_id: str, arms: Sequence[tuple[str, int]]) -> str:
    """The name of the arm ``user_id`` is in: ``arms`` is [(name, weight in basis points)],
    in a fixed order, weights adding up to 10,000 (``check_split``).

    Raises:
        ValueError: the split is not valid.
    """
    check_split(arms)
    b = bucket(experiment, user_id)
    cumulative = 0
    for name, weight in arms:
        cumulative += weight
        if b < cumulative:
            return name
    raise AssertionError("unreachable: the weights add up to BUCKETS")  # pragma: no cover
