"""Training events as integer codes: the catalogue, the featurization percentiles, ``index``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from services.local.models.recipes.base import TrainingConfig, TrainingData, TrainingError
from services.local.models.recipes.training_data.event_filter import filter_interactions


def _within_percentiles(
    df: pd.DataFrame, column: str, features: Mapping[str, str], name: str
) -> pd.DataFrame:
    """Rows of the users (or items) whose number of interactions lies between the
    ``min_<name>_percentile`` and ``max_<name>_percentile`` percentiles of everyone's.

    The featurization hyperparameters of User-Personalization, Personalized-Ranking and SIMS
    (developer guide, each recipe's "Properties and hyperparameters": "Use
    min_user_history_length_percentile to exclude a percentage of users with short history
    lengths", max_… "with long history lengths"; SIMS' min/max_item_interaction_count_
    percentile the same for items), applied when the solution sets them: e.g. 0.05 and 0.95
    keep every user but those in the bottom or top 5 % of history lengths. A bound only the
    other side sets stays open. CreateSolution lets them through only for those recipes.
    """
    low, high = (features.get(f"{side}_{name}_percentile") for side in ("min", "max"))
    if (low is None and high is None) or df.empty:
        return df
    counts = df[column].value_counts()
    keep = pd.Series(True, index=counts.index)
    if low is not None:
        keep &= counts >= counts.quantile(float(low))
    if high is not None:
        keep &= counts <= counts.quantile(float(high))
    return df.loc[df[column].isin(counts.index[keep.to_numpy()])]


def catalogue(data: TrainingData, interactions: pd.DataFrame) -> np.ndarray:
    """Sorted item IDs of Items ∪ Interactions (dtype object)."""
    return _catalogue_of(data, pd.unique(interactions["ITEM_ID"].astype(str)))


def _catalogue_of(data: TrainingData, seen: np.ndarray) -> np.ndarray:
    """Sorted distinct IDs of ``seen`` (the interactions' distinct item IDs) and of the Items
    dataset (dtype object).

    Hashed to distinct IDs first, then sorted once as fixed-width strings: sorting Python
    ``str`` objects (np.union1d of object arrays) compares them one pair at a time in the
    interpreter, minutes for a 5,000,000-item catalogue on a loaded machine. The order is the
    same: both compare code points.
    """
    ids = np.asarray(seen).astype(str)
    if len(data.items) and "ITEM_ID" in data.items.columns:
        listed = np.asarray(data.items["ITEM_ID"].astype(str).unique()).astype(str)
        ids = np.asarray(pd.unique(np.concatenate([ids, listed]))).astype(str)
    return np.sort(ids).astype(object)


@dataclass(frozen=True)
class Indexed:
    """Filtered interactions as integer codes, sorted by (user, timestamp)."""

    user_ids: np.ndarray  # object, sorted
    item_ids: np.ndarray  # object, sorted catalogue
    users: np.ndarray  # int64 code per event
    items: np.ndarray  # int64 code per event
    timestamps: np.ndarray  # int64
    weights: np.ndarray  # float64

    def matrix(self, values: np.ndarray | None = None) -> sp.csr_matrix:
        """users × items CSR of summed ``values`` (default: the event weights)."""
        vals = self.weights if values is None else values
        shape = (len(self.user_ids), len(self.item_ids))
        m = sp.csr_matrix((vals, (self.users, self.items)), shape=shape, dtype=np.float64)
        m.sum_duplicates()
        return m

    def popularity(self) -> np.ndarray:
        """Number of filtered interactions per item."""
        return np.bincount(self.items, minlength=len(self.item_ids)).astype(np.float64)

    def distinct_users(self) -> np.ndarray:
        """Number of distinct users with at least one filtered interaction per item."""
        n = len(self.item_ids)
        pairs = np.unique(self.users * n + self.items)
        return np.bincount(pairs % n, minlength=n).astype(np.float64)


def sorted_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique strings, code per row); hashing first is far faster than sorting rows."""
    codes, uniques = pd.factorize(values.astype(str), sort=False)
    uniq = np.asarray(uniques).astype(str)
    order = np.argsort(uniq, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return uniq[order].astype(object), rank[codes]


def index(
    data: TrainingData, config: TrainingConfig, known_items: np.ndarray | None = None
) -> Indexed:
    """Filter ``data`` and encode it; raise TrainingError if nothing is left.

    With ``known_items`` the catalogue keeps that order and appends new items (sorted), so an
    existing model's arrays stay aligned.
    """
    df = filter_interactions(data.interactions, config, distinct=data.distinct_events)
    # the featurization percentiles shape what the model trains on, after event filtering
    # (here, not in filter_interactions: the metrics' user split must still see every user)
    df = _within_percentiles(df, "USER_ID", config.features, "user_history_length")
    df = _within_percentiles(df, "ITEM_ID", config.features, "item_interaction_count")
    if df.empty:
        raise TrainingError(
            "no interactions left after eventType/eventValueThreshold filtering and the "
            "featurization percentiles"
        )
    # each event's item as its distinct ID's number, one hashing pass over the events; the
    # catalogue and the codes then only look up the distinct IDs
    seen_codes, seen = pd.factorize(df["ITEM_ID"].astype(str), sort=False)
    items = _catalogue_of(data, seen)
    if known_items is not None:
        new = np.setdiff1d(items, known_items.astype(str))
        items = np.concatenate([known_items.astype(object), new.astype(object)])
    user_ids, users = sorted_codes(df["USER_ID"])
    codes = pd.Index(items).get_indexer(np.asarray(seen).astype(str).astype(object))[seen_codes]
    ts = df["TIMESTAMP"].to_numpy(dtype=np.int64)
    order = np.lexsort((ts, users))
    return Indexed(
        user_ids=user_ids.astype(object),
        item_ids=items,
        users=users[order].astype(np.int64),
        items=codes[order].astype(np.int64),
        timestamps=ts[order],
        weights=df["WEIGHT"].to_numpy(dtype=np.float64)[order],
    )
