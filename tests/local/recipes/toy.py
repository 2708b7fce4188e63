"""A small seeded data set with two clusters of items, for recipe and training tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from services.local.models.recipes.base import TrainingData

DAY = 86_400
CLUSTER_A = [f"a{i}" for i in range(20)]
CLUSTER_B = [f"b{i}" for i in range(20)]
COLD_ITEM = "cold"  # in the Items dataset only, never interacted with


def toy_data(n_users: int = 60, per_user: int = 20, seed: int = 7) -> TrainingData:
    """Users u0..u{n-1}; even users interact only with cluster A, odd ones only with B.

    Within a cluster, low-numbered items are more popular. Every user acts once a day.
    """
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, 21)
    p /= p.sum()
    rows = []
    for u in range(n_users):
        cluster = CLUSTER_A if u % 2 == 0 else CLUSTER_B
        picks = rng.choice(20, size=per_user, replace=True, p=p)
        for t, i in enumerate(picks):
            rows.append((f"u{u}", cluster[i], 1_600_000_000 + (u + t) * DAY, "click", 1.0))
    inter = pd.DataFrame(
        rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"]
    )
    inter["TIMESTAMP"] = inter["TIMESTAMP"].astype("int64")
    items = pd.DataFrame({"ITEM_ID": [*CLUSTER_A, *CLUSTER_B, COLD_ITEM], "GENRE": "x"})
    return TrainingData(inter, items)


def toy_data_with_text() -> TrainingData:
    """``toy_data`` with item text: cluster A are pots (냄비), cluster B shovels (삽), the cold
    item a large pot; TITLE is the schema's itemName field, DESCRIPTION a textual one."""
    base = toy_data()
    titles = [f"냄비 {i}호" for i in range(20)] + [f"정원 삽 {i}호" for i in range(20)]
    descriptions = ["스테인리스 주방 냄비"] * 20 + ["정원 가꾸기 삽"] * 20
    items = pd.DataFrame(
        {
            "ITEM_ID": [*CLUSTER_A, *CLUSTER_B, COLD_ITEM],
            "TITLE": [*titles, "대형 냄비"],
            "DESCRIPTION": [*descriptions, "스테인리스 주방 냄비 대형"],
            "CATEGORY": ["kitchen"] * 20 + ["garden"] * 20 + ["kitchen"],
        }
    )
    fields = {"TITLE": "itemName", "DESCRIPTION": "textual", "CATEGORY": "categorical"}
    return TrainingData(base.interactions, items, item_fields=fields)


def toy_data_with_actions(seed: int = 11) -> TrainingData:
    """``toy_data`` plus two actions: even users (cluster A) take "a-club" 9 times in 10 and
    odd users 1 in 10, the reverse for "b-club"; every user was shown both; "idle" was never
    shown. Each offer is answered a day later, within the optimization period."""
    base = toy_data()
    rng = np.random.default_rng(seed)
    rows = []
    for week in range(2):  # two offers a week apart: 120 shown, about 60 taken per action
        for u in range(60):
            for action, likes in (("a-club", u % 2 == 0), ("b-club", u % 2 == 1)):
                at = 1_600_000_000 + week * 7 * DAY + u * 100
                rows.append((f"u{u}", action, at, "Viewed"))
                took = rng.random() < (0.9 if likes else 0.1)
                rows.append((f"u{u}", action, at + DAY, "Taken" if took else "Not taken"))
    events = pd.DataFrame(rows, columns=["USER_ID", "ACTION_ID", "TIMESTAMP", "EVENT_TYPE"])
    actions = pd.DataFrame({"ACTION_ID": ["a-club", "b-club", "idle"], "VALUE": [1.0, 1.0, 9.0]})
    return TrainingData(base.interactions, base.items, actions=actions, action_interactions=events)
