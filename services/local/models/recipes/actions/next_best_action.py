"""aws-next-best-action: the actions a user will most likely take (PERSONALIZED_ACTIONS).

Developer guide, "Next-Best-Action recipe": it predicts, from the actions of the Actions
dataset, "the actions that a user will most likely take based on their interactions with
actions and items", within the action optimization period (featurization hyperparameter
``action_optimization_period``, days, default 14); the list is sorted by propensity score. An
action gets a score only once it has at least 50 TAKEN and at least 50 NOT_TAKEN or VIEWED
interactions in the training data, within 6 weeks of the newest action interaction; until then
it is recommended without personalization with a score of 0.0. Of two actions a user is as
likely to take, the one with the greater VALUE ranks higher.

Locally each scored action is a logistic regression (scikit-learn) from the user's item history
(the Interactions dataset: which items, as a unit-length bag, seen through 16 SVD factors of all
histories) to "took the action within the optimization period after being shown it" (TAKEN,
against VIEWED / NOT_TAKEN without a TAKEN in the period). Scoring at request time reads the
user's newest item history, so PutEvents change the propensities without retraining; a user the
model never saw gets each action's base rate.

Limits, each checked against its source: 50 TAKEN and 50 NOT_TAKEN/VIEWED interactions within
6 weeks of the newest one (recipe page); ``action_optimization_period`` default 14, integer in
[7, 28] (the recipe page's "Properties and hyperparameters"; parameters.py); numResults default
5, at most 100 (botocore GetActionRecommendationsRequest; runtime/handlers.py); 1-10 actions per
PutActions and 1-10 events per PutActionInteractions, eventType Viewed / Taken / Not Taken
(botocore personalize-events shapes); an Actions schema with ACTION_ID and 1-10 more columns
("Actions dataset schema requirements (custom)"; data/schemas.py); action filters as "Action
recommendation filter expression examples" writes them (filters/parse.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from services.local.models.recipes.base import N_, TrainingConfig, TrainingData, TrainingError
from services.local.models.recipes.saved.model_header import header_float
from services.local.models.recipes.saved.stored import MODEL, Array, Entry, Header, Stored
from services.local.models.recipes.training_data.event_filter import filter_interactions
from services.local.models.recipes.training_data.indexed_events import catalogue

DAY = 86_400
MIN_EVENTS = 50  # TAKEN and NOT_TAKEN/VIEWED interactions an action needs for a score
WINDOW_DAYS = 42  # "within 6 weeks of the latest interaction timestamp"
DEFAULT_PERIOD_DAYS = 14
FACTORS = 16  # dimensions user histories are compared in
C = 10.0  # inverse L2 strength of each action's logistic regression
# "You can specify Viewed, Taken, and Not Taken event types" (ActionInteraction reference)
ACTION_EVENT_TYPES = {"VIEWED": "VIEWED", "TAKEN": "TAKEN", "NOT TAKEN": "NOT_TAKEN"}


def action_event_type(raw: object) -> str | None:
    """VIEWED, TAKEN or NOT_TAKEN for any spelling Personalize shows (Viewed, Not Taken,
    NOT_TAKEN …); None for anything else."""
    return ACTION_EVENT_TYPES.get(str(raw).strip().upper().replace("_", " "))


def _column(frame: pd.DataFrame, name: str, n: int) -> np.ndarray:
    if name not in frame.columns:
        return np.full(n, np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(np.float64)


@dataclass
class ActionModel(Stored):
    """Per scored action a weight per item and an intercept; per action its metadata."""

    recipe_name: str
    item_ids: np.ndarray  # the items user histories are read over
    popularity: np.ndarray  # item interactions per item (Model protocol; not served)
    action_ids: np.ndarray
    weights: np.ndarray  # items × actions float32 (zero column: an unscored action)
    intercepts: np.ndarray  # per action
    scored: np.ndarray  # bool per action: has enough interactions for a propensity score
    value: np.ndarray  # VALUE per action (NaN unknown)
    expires: np.ndarray  # ACTION_EXPIRATION_TIMESTAMP per action (NaN never)
    repeat_days: np.ndarray  # REPEAT_FREQUENCY per action (NaN: no wait)
    period_days: float
    # each user's newest TAKEN per action in the training data (for REPEAT_FREQUENCY)
    taken_users: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    taken_actions: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    taken_at: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _pos: dict[str, int] = field(default_factory=dict, repr=False)
    _taken: dict[str, list[tuple[str, float]]] = field(default_factory=dict, repr=False)

    LAYOUT: ClassVar[tuple[Entry, ...]] = (
        *MODEL,
        Header("period_days", header_float),
        Array("action_ids"),
        Array("weights", np.float32),
        Array("intercepts"),
        Array("scored"),
        Array("value"),
        Array("expires"),
        Array("repeat_days"),
        Array("taken_users"),
        Array("taken_actions"),
        Array("taken_at"),
    )

    def __post_init__(self) -> None:
        self._pos = {str(item): i for i, item in enumerate(self.item_ids)}
        for user, action, when in zip(
            self.taken_users, self.taken_actions, self.taken_at, strict=True
        ):
            self._taken.setdefault(str(user), []).append((str(action), float(when)))

    def taken_by(self, user_id: str) -> list[tuple[str, float]]:
        """(action ID, newest TAKEN time) of the user's actions in the training data."""
        return self._taken.get(str(user_id), [])

    def score_user(self, user_id: str | None, history: Sequence[str]) -> np.ndarray | None:
        """PERSONALIZED_ACTIONS campaigns answer GetActionRecommendations only."""
        return None

    def score_item(self, item_id: str) -> np.ndarray | None:
        """PERSONALIZED_ACTIONS campaigns answer GetActionRecommendations only."""
        return None

    def propensities(self, history: Sequence[str]) -> np.ndarray:
        """The probability of taking each action (``action_ids`` order) for a user with this
        item history (any order; unknown items ignored); 0.0 for unscored actions."""
        seen = sorted({self._pos[i] for i in history if i in self._pos})
        x = np.zeros(len(self.item_ids), dtype=np.float64)
        if seen:
            x[seen] = 1.0 / np.sqrt(len(seen))
        logits = x @ self.weights + self.intercepts
        return np.where(self.scored, 1.0 / (1.0 + np.exp(-logits)), 0.0)

    def ranked(
        self, history: Sequence[str], blocked: np.ndarray | None = None, now: float | None = None
    ) -> list[tuple[str, float]]:
        """(action ID, score) best first: by propensity, then VALUE; expired actions (their
        ACTION_EXPIRATION_TIMESTAMP before ``now``) and ``blocked`` ones left out."""
        scores = self.propensities(history)
        keep = np.ones(len(self.action_ids), dtype=bool)
        if now is not None:
            keep &= ~(self.expires < now)
        if blocked is not None:
            keep &= ~blocked
        value = np.nan_to_num(self.value, nan=-np.inf)
        order = np.lexsort((self.action_ids.astype(str), -value, -scores))
        return [(str(self.action_ids[i]), float(scores[i])) for i in order if keep[i]]

    def waiting(self, taken: dict[str, float], now: float) -> np.ndarray:
        """Actions a user took (action ID → newest TAKEN time) less than REPEAT_FREQUENCY
        days before ``now`` (Actions dataset schema: REPEAT_FREQUENCY)."""
        out = np.zeros(len(self.action_ids), dtype=bool)
        for k, action in enumerate(self.action_ids):
            when = taken.get(str(action))
            days = self.repeat_days[k]
            if when is not None and not np.isnan(days):
                out[k] = now - when < days * DAY
        return out


def labels(events: pd.DataFrame, period_days: float) -> pd.DataFrame:
    """One row per (user, action) shown or taken: ``took`` is whether a TAKEN came within
    ``period_days`` of the first VIEWED / NOT_TAKEN (a TAKEN never shown counts too)."""
    df = events.assign(KIND=events["EVENT_TYPE"].map(action_event_type)).dropna(subset=["KIND"])
    taken = df.loc[df["KIND"] == "TAKEN"].groupby(["USER_ID", "ACTION_ID"])["TIMESTAMP"].max()
    shown = df.loc[df["KIND"] != "TAKEN"].groupby(["USER_ID", "ACTION_ID"])["TIMESTAMP"].min()
    both = pd.concat([shown.rename("SHOWN"), taken.rename("TAKEN")], axis=1).reset_index()
    took = both["TAKEN"].notna() & (
        both["SHOWN"].isna() | (both["TAKEN"] - both["SHOWN"] <= period_days * DAY)
    )
    return both.assign(took=took.to_numpy())


class NextBestActionRecipe:
    """aws-next-best-action (PERSONALIZED_ACTIONS)."""

    name: ClassVar[str] = "aws-next-best-action"
    recipe_type: ClassVar[str] = "PERSONALIZED_ACTIONS"
    description: ClassVar[str] = N_(
        "The actions each user will most likely take within the action optimization period, "
        "from their item interactions and everyone's action interactions."
    )

    def fit(self, data: TrainingData, config: TrainingConfig) -> ActionModel:
        """A logistic regression per action with enough TAKEN and VIEWED / NOT_TAKEN events.

        Raises:
            TrainingError: no Actions data, or a bad action_optimization_period.
        """
        from sklearn.linear_model import LogisticRegression  # heavy import

        actions = data.actions
        if not len(actions) or "ACTION_ID" not in actions.columns:
            raise TrainingError("aws-next-best-action needs an Actions dataset with data")
        period = float(config.features.get("action_optimization_period", DEFAULT_PERIOD_DAYS))
        actions = actions.drop_duplicates("ACTION_ID", keep="last").reset_index(drop=True)
        action_ids = actions["ACTION_ID"].astype(str).to_numpy(dtype=object)
        inter = filter_interactions(data.interactions, config)
        item_ids = catalogue(data, inter)
        users = pd.Index(np.sort(inter["USER_ID"].astype(str).unique()))
        x = _histories(inter, users, item_ids)
        basis = _basis(x, config.seed)  # items × k: histories are compared in k dimensions
        n_items, n_actions = len(item_ids), len(action_ids)
        weights = np.zeros((n_items, n_actions), dtype=np.float32)
        intercepts = np.zeros(n_actions)
        scored = np.zeros(n_actions, dtype=bool)
        events = data.action_interactions
        if len(events):
            events = events.astype({"USER_ID": str, "ACTION_ID": str})
            newest = int(events["TIMESTAMP"].max())
            recent = events.loc[events["TIMESTAMP"] >= newest - WINDOW_DAYS * DAY]
            kinds = recent["EVENT_TYPE"].map(action_event_type)
            took = recent.loc[kinds == "TAKEN"].groupby("ACTION_ID").size()
            other = recent.loc[kinds.isin(["VIEWED", "NOT_TAKEN"])].groupby("ACTION_ID").size()
            table = labels(recent, period)
            for k, action in enumerate(action_ids):
                if took.get(action, 0) < MIN_EVENTS or other.get(action, 0) < MIN_EVENTS:
                    continue
                rows = table.loc[table["ACTION_ID"] == action]
                y = rows["took"].to_numpy()
                if y.all() or not y.any():
                    continue
                pos = users.get_indexer(rows["USER_ID"].astype(str))
                features = np.asarray(x[np.maximum(pos, 0)] @ basis) * (pos >= 0)[:, None]
                clf = LogisticRegression(C=C, max_iter=1000, random_state=config.seed)
                clf.fit(features, y)
                weights[:, k] = basis @ clf.coef_[0]  # back onto items: logit = x·(B w) + b
                intercepts[k] = float(clf.intercept_[0])
                scored[k] = True
        n = len(actions)
        newest_taken = _newest_taken(events)
        return ActionModel(
            self.name,
            item_ids,
            np.bincount(
                pd.Index(item_ids).get_indexer(inter["ITEM_ID"].astype(str)), minlength=n_items
            ).astype(np.float64),
            action_ids,
            weights,
            intercepts,
            scored,
            _column(actions, "VALUE", n),
            _column(actions, "ACTION_EXPIRATION_TIMESTAMP", n),
            _column(actions, "REPEAT_FREQUENCY", n),
            period,
            newest_taken["USER_ID"].to_numpy(dtype=object),
            newest_taken["ACTION_ID"].to_numpy(dtype=object),
            newest_taken["TIMESTAMP"].to_numpy(dtype=np.float64),
        )

    def load(self, path: Path) -> ActionModel:
        """Read a model written by ``ActionModel.save``."""
        return ActionModel.read(path)


def _basis(x: sp.csr_matrix, seed: int) -> np.ndarray:
    """Item factors (items × k, k ≤ ``FACTORS``) of the users × items histories (truncated
    SVD): a few hundred users cannot fit a weight per item, but can one per factor."""
    from sklearn.decomposition import TruncatedSVD  # heavy import

    k = min(FACTORS, min(x.shape) - 1)
    if k < 1:
        return np.eye(x.shape[1], dtype=np.float64)
    svd = TruncatedSVD(n_components=k, random_state=seed).fit(x)
    return np.asarray(svd.components_.T, dtype=np.float64)


def _newest_taken(events: pd.DataFrame) -> pd.DataFrame:
    """USER_ID, ACTION_ID, TIMESTAMP of each user's newest TAKEN event per action."""
    if not len(events):
        return pd.DataFrame({"USER_ID": [], "ACTION_ID": [], "TIMESTAMP": []})
    took = events.loc[events["EVENT_TYPE"].map(action_event_type) == "TAKEN"]
    newest = took.groupby(["USER_ID", "ACTION_ID"], as_index=False)["TIMESTAMP"].max()
    return newest.astype({"USER_ID": str, "ACTION_ID": str})


def _histories(inter: pd.DataFrame, users: pd.Index, item_ids: np.ndarray) -> sp.csr_matrix:
    """users × items CSR: which items each user interacted with, rows of unit length."""
    rows = users.get_indexer(inter["USER_ID"].astype(str))
    cols = pd.Index(item_ids).get_indexer(inter["ITEM_ID"].astype(str))
    m = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(users), len(item_ids)), dtype=np.float64
    )
    m.sum_duplicates()
    m.data[:] = 1.0
    length = np.sqrt(np.asarray(m.sum(axis=1)).ravel())
    length[length == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / length) @ m)


RECIPE = NextBestActionRecipe()
