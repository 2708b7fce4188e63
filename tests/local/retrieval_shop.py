"""The shop the candidate-retrieval tests serve (test_retrieval.py for User-Personalization,
test_retrieval_v2.py for v2) and the checks both make of an index's lists against the exact
scan's: the same top 25 (recall ≥ 0.98) and the exact scan's scores."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from bench import seed_shop

ITEMS = 2000
# the seed shop's shape (power-law popularity, sessions along neighbouring items), small
SHOP = seed_shop.generate(n_items=ITEMS, n_users=1500, n_interactions=40_000, seed=3)
_counts = SHOP.interactions["USER_ID"].value_counts()
ASKED = sorted(_counts[_counts >= 5].index)[:60]

Answers = Mapping[tuple[str, str], list[dict]]  # (user, filter name) → itemList


def ids(items: list[dict]) -> list[str]:
    return [i["itemId"] for i in items]


def assert_top_25_held(exact: Answers, indexed: Answers, name: str) -> None:
    """Every exact list has 25 items and the index's lists hold ≥ 98 % of them on average."""
    recall = [len(set(ids(indexed[(u, name)])) & set(ids(exact[(u, name)]))) / 25 for u in ASKED]
    assert all(len(exact[(u, name)]) == 25 for u in ASKED)
    assert np.mean(recall) >= 0.98


def assert_scores_kept(exact: Answers, indexed: Answers) -> None:
    """For at least 98 % of the users (at most one of the 60), every item both unfiltered
    lists hold carries the exact scan's score (relative 1e-4): a score is exact when the
    search finds what it is scaled by (v1: the user's largest absolute score), which, like
    the top 25, the index's calibration asks of 98 % of the users, not of each one."""
    kept = 0
    for u in ASKED:
        scores = {i["itemId"]: i["score"] for i in exact[(u, "")]}
        both = [i for i in indexed[(u, "")] if i["itemId"] in scores]
        assert len(both) >= 20  # the comparison is not vacuous
        kept += all(i["score"] == pytest.approx(scores[i["itemId"]], rel=1e-4) for i in both)
    assert kept >= 0.98 * len(ASKED)
