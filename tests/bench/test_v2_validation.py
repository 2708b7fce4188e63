"""The v2 validation harness's cold split: users the fit never sees, as the reported seeds'."""

from __future__ import annotations

from bench import quality
from bench.v2_validation import COLD_FRACTION, REPORTED_SEEDS, cold_split
from services.local.models import metrics
from services.local.models.recipes.base import TrainingConfig
from services.local.models.training import check_minimums


def test_cold_users_are_neither_trained_on_nor_reported_and_hold_their_newest_tenth() -> None:
    data = quality.generate_shop(3_000, seed=1)
    split = cold_split(data)
    kept = check_minimums(data, TrainingConfig())
    filtered = kept.interactions
    reported = set().union(*(metrics.split_users(kept, s).test_users for s in REPORTED_SEEDS))
    trained = set(split.train.interactions["USER_ID"].astype(str))
    cold = set(split.test_users)
    assert cold and not cold & trained and not cold & reported and not trained & reported
    # every user outside the reported ones is cold or trained on; a third of them cold
    assert cold | trained == set(filtered["USER_ID"].astype(str)) - reported
    assert abs(len(cold) - COLD_FRACTION * len(cold | trained)) <= 1
    # a cold user's truth is their newest 10 % (at least one event), the rest their history
    user = split.test_users[0]
    events = filtered.loc[filtered["USER_ID"].astype(str) == user].sort_values(
        "TIMESTAMP", kind="stable"
    )
    items = events["ITEM_ID"].astype(str).tolist()
    held = max(1, len(items) // 10)
    assert split.histories[0] == tuple(items[:-held])
    assert split.truths[0] == frozenset(items[-held:])
