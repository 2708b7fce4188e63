"""The events a recipe trains on: eventType, eventValueThreshold and eventsConfig applied."""

from __future__ import annotations

import numpy as np
import pandas as pd

from services.local.models.recipes.base import INTERACTION_COLUMNS, TrainingConfig
from services.local.rules.repeated_events import without_repeats


def filter_interactions(
    interactions: pd.DataFrame, config: TrainingConfig, *, distinct: bool = False
) -> pd.DataFrame:
    """Apply eventType, eventValueThreshold and eventsConfig; add a float64 ``WEIGHT`` column.

    Personalize drops duplicate (USER_ID, ITEM_ID, TIMESTAMP) rows, so we do too
    (``rules.repeated_events``), unless
    ``distinct`` says the rows are already free of them (``TrainingData.distinct_events``):
    finding them hashes every event's IDs, the longest pass over a large shop's events. With
    eventsConfig only the listed event types are used, each with its weight and threshold.
    An event without a value never passes a threshold (NaN >= x is false).
    """
    df = interactions.loc[:, list(INTERACTION_COLUMNS)]
    if not distinct:
        df = without_repeats(df)
    keep = np.ones(len(df), dtype=bool)
    if config.event_type:
        keep &= (df["EVENT_TYPE"] == config.event_type).to_numpy()
    if config.event_value_threshold is not None:
        keep &= (df["EVENT_VALUE"] >= config.event_value_threshold).to_numpy()
    weight = np.ones(len(df), dtype=np.float64)
    if config.events:
        used = np.zeros(len(df), dtype=bool)
        etype = df["EVENT_TYPE"].to_numpy()
        value = df["EVENT_VALUE"].to_numpy(dtype=np.float64)
        for ev in config.events:
            rows = etype == ev.event_type
            if ev.event_value_threshold is not None:
                rows &= value >= ev.event_value_threshold
            used |= rows
            weight[rows] = ev.weight
        keep &= used
    out = df.loc[keep].copy()
    out["WEIGHT"] = weight[keep]
    return out.reset_index(drop=True)
