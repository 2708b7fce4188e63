"""Offline metrics of the USER_SEGMENTATION recipes (Item-Affinity, Item-Attribute-Affinity).

Developer guide, "Evaluating a solution version with metrics": for USER_SEGMENTATION Personalize
holds out the newest 20 % of each user's interactions (the other recipes split users), and
reports ``hits_at_1_percent`` (how many of the top 1 % of users the model predicts for an item
actually interacted with it in the held-out data) and ``recall_at_1_percent`` (those hits as a
share of the users who did). Locally both are averaged over held-out items (at most
``MAX_TEST_ITEMS``, drawn with the training seed, so a large catalogue stays quick).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from services.local.models.recipes.base import Recipe, TrainingConfig, TrainingData

HOLDOUT = 0.2
MAX_TEST_ITEMS = 500


def split_per_user(data: TrainingData) -> tuple[TrainingData, pd.DataFrame]:
    """(the oldest 80 % of each user's interactions as training data, the newest 20 %)."""
    df = data.interactions.sort_values(["USER_ID", "TIMESTAMP"], kind="stable")
    position = df.groupby("USER_ID", sort=False).cumcount().to_numpy()
    length = df.groupby("USER_ID", sort=False)["ITEM_ID"].transform("size").to_numpy()
    held = position >= np.floor(length * (1 - HOLDOUT))
    train = replace(data, interactions=df.loc[~held].reset_index(drop=True))
    return train, df.loc[held]


def segment_metrics(recipe: Recipe, data: TrainingData, config: TrainingConfig) -> dict[str, float]:
    """``hits_at_1_percent`` and ``recall_at_1_percent`` of ``recipe`` on the per-user split
    (empty when no held-out item is in the trained model)."""
    train, test = split_per_user(data)
    model: Any = recipe.fit(train, config)
    users = pd.Index(model.user_ids.astype(str))
    items = {str(i): k for k, i in enumerate(model.item_ids)}
    test = test.loc[test["ITEM_ID"].astype(str).isin(items.keys())]
    actual = test.groupby(test["ITEM_ID"].astype(str))["USER_ID"].agg(
        lambda s: set(users.get_indexer(s.astype(str))) - {-1}
    )
    actual = actual[actual.map(len) > 0]
    if actual.empty:
        return {}
    rng = np.random.default_rng(config.seed)
    chosen = sorted(actual.index)
    if len(chosen) > MAX_TEST_ITEMS:
        chosen = sorted(rng.choice(chosen, MAX_TEST_ITEMS, replace=False))
    top = max(1, math.ceil(0.01 * len(users)))
    hits, recall = [], []
    for item in chosen:
        scores = model.users_for_items(np.asarray([items[item]]))
        predicted = set(np.argsort(-scores, kind="stable")[:top].tolist())
        got = len(predicted & actual[item])
        hits.append(got)
        recall.append(got / len(actual[item]))
    return {
        "hits_at_1_percent": float(np.mean(hits)),
        "recall_at_1_percent": float(np.mean(recall)),
    }
