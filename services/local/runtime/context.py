"""GetRecommendations / GetPersonalizedRanking ``context``: contextual metadata honoured.

API reference GetRecommendations, ``context``: "The contextual metadata to use when getting
recommendations. Contextual metadata includes any interaction information that might be
relevant when getting a user's recommendations, such as the user's current location or device
type"; developer guide, "Increasing recommendation relevance with contextual metadata": the
keys are columns of the Item interactions dataset (e.g. DEVICE) and the values what the
interactions record there. The engine favours, among the model's scores, the items that were
interacted with under the same context: each key adds ``WEIGHT ·`` the standardised log count
of the item's interactions with that value (services.local.models.objective.reweight). A key
that is not a column of the Item interactions dataset is InvalidInputException; the columns
USER_ID, ITEM_ID and TIMESTAMP are not context.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd

from services.local.context import EngineContext
from services.local.data.storage import frames
from services.local.errors import InvalidInput
from services.local.models.objective import reweight

WEIGHT = 0.5
TTL = 30.0  # seconds the per-value counts of a group are reused
NOT_CONTEXT = frozenset({"USER_ID", "ITEM_ID", "TIMESTAMP"})
_cache: dict[str, tuple[float, pd.DataFrame]] = {}
_lock = threading.Lock()


def _interactions(engine: EngineContext, group: str) -> pd.DataFrame:
    with _lock:
        hit = _cache.get(group)
    if hit is not None and time.monotonic() - hit[0] < TTL:
        return hit[1]
    frame = frames.interactions(engine.read_db, engine.bulk, group, extra=True)
    with _lock:
        _cache[group] = (time.monotonic(), frame)
    return frame


def apply_context(
    engine: EngineContext,
    group: str,
    item_ids: np.ndarray,
    scores: np.ndarray,
    context: dict[str, str],
) -> np.ndarray:
    """``scores`` (one per item of ``item_ids``) favouring items interacted with under
    ``context``. Raises InvalidInput for a key that is not an Item interactions column."""
    frame = _interactions(engine, group)
    out = np.asarray(scores, dtype=np.float64)
    for key, value in sorted(context.items()):
        if key in NOT_CONTEXT or key not in frame.columns:
            raise InvalidInput(
                f"context key {key} is not a contextual column of the Item interactions dataset."
            )
        matching = frame.loc[frame[key].astype(str) == value, "ITEM_ID"]
        counts = matching.value_counts().reindex(item_ids, fill_value=0)
        out = reweight(out, counts.to_numpy(dtype=np.float64), WEIGHT)
    return out
