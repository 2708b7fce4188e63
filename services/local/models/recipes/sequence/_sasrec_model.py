"""The v2 recipes' trained model: SASRec weights scored with numpy (no JAX at serving time).

Scores for a user are the network's output after the newest item of the history the runtime
hands over (bulk rows and PutEvents, oldest first), so users unseen at training time and events
sent after training are personalised at once, and the order of the history matters.

A score is the network's last hidden state dotted with an item's embedding, so a large
catalogue's model keeps the same kind of candidate index over its item embeddings as
User-Personalization keeps over its factors (``retrieval``): a request then scores exactly only
the items the index finds (``SequenceScorer``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from services.local.models.recipes.base import load_npz, save_npz
from services.local.models.recipes.retrieval.calibration import Calibration
from services.local.models.recipes.retrieval.index_file import (
    CandidateIndex,
    load_index,
    save_index,
)
from services.local.models.recipes.retrieval.sampled_softmax import (
    estimated_softmax,
    softmax_sample,
)
from services.local.models.recipes.retrieval.search import search_index
from services.local.models.recipes.saved.model_header import header_object, header_str
from services.local.models.recipes.sequence._sasrec_net import Params, encode, last_scores

_PARAM_PREFIX = "w_"
BATCH_USERS = 512  # users per forward pass in ``score_users`` (bounded memory)


@dataclass
class SequenceModel:
    """A trained self-attentive next-item model (see ``_sasrec_net`` for the network).

    ``training`` records how training ended: ``epochs`` (the cap), ``epochs_run``,
    ``best_epoch``, ``stopped`` ("epochs" | "early_stopping" | "time_budget"), ``seconds``,
    ``max_training_seconds``, ``validation_users`` and ``validation_ndcg_at_10``.
    """

    recipe_name: str
    item_ids: np.ndarray  # object (str), the catalogue; item i is network code i + 1
    popularity: np.ndarray  # float64, distinct users per item
    params: Params  # float32 numpy arrays
    training: Mapping[str, Any] = field(default_factory=dict)
    # candidate retrieval over the item embeddings of a large catalogue (``retrieval``), or None
    retrieval: CandidateIndex | None = None
    # how the index's search was set at training time, or why the model keeps none
    # (``retrieval.calibration.calibrate``); None when the catalogue was too small to consider one
    retrieval_calibration: Calibration | None = None
    _pos: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._pos = {str(item): i for i, item in enumerate(self.item_ids)}

    @property
    def length(self) -> int:
        """The longest history the network reads (``bptt``); older items are dropped."""
        return int(self.params["pos_emb"].shape[0])

    @property
    def item_index(self) -> dict[str, int]:
        """Item ID → position in ``item_ids``."""
        return self._pos

    def codes(self, history: Sequence[str]) -> np.ndarray:
        """Network codes (int32) of the newest ``length`` known items of ``history``."""
        codes = [self._pos[h] + 1 for h in history if h in self._pos]
        return np.asarray(codes[-self.length :], dtype=np.int32)

    def score_user(self, user_id: str | None, history: Sequence[str]) -> np.ndarray | None:
        """Scores (float64, one per item) after the history's newest item; None when no item of
        the history is in the catalogue. ``user_id`` is not used: the history is the input."""
        codes = self.codes(history)
        if not len(codes):
            return None
        return last_scores(np, self.params, codes[None, :])[0].astype(np.float64)

    def scorer(self, user_id: str | None, history: Sequence[str]) -> SequenceScorer | None:
        """Exact scores on demand for the items the index finds, instead of ``score_user``'s
        whole catalogue; None when the model keeps no index (the runtime scans every item) or
        no item of the history is in the catalogue (the runtime serves popular items)."""
        if self.retrieval is None:
            return None
        codes = self.codes(history)
        if not len(codes):
            return None
        return SequenceScorer(self, codes)

    def user_vectors(self, histories: Sequence[Sequence[str]]) -> np.ndarray:
        """The hidden state ``SequenceScorer`` searches the index with (float32, one row per
        history with a catalogue item; histories without one are left out), ``BATCH_USERS``
        histories a forward pass."""
        seqs = np.zeros((len(histories), self.length), dtype=np.int32)
        for r, hist in enumerate(histories):
            codes = self.codes(hist)
            if len(codes):
                seqs[r, -len(codes) :] = codes
        seqs = seqs[seqs[:, -1] > 0]
        dim = int(self.params["item_emb"].shape[1])
        out = np.zeros((len(seqs), dim), dtype=np.float32)
        for start in range(0, len(seqs), BATCH_USERS):
            block = seqs[start : start + BATCH_USERS]
            out[start : start + BATCH_USERS] = encode(np, self.params, block)[:, -1]
        return out

    def score_users(
        self, user_ids: Sequence[str | None], histories: Sequence[Sequence[str]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Offline evaluation's batch scorer: a float32 users × items matrix (rows of users
        without a known history item are zero) and a bool per user, True where the row holds
        that user's ``score_user`` scores. Forward passes take ``BATCH_USERS`` users each."""
        n = len(user_ids)
        scores = np.zeros((n, len(self.item_ids)), dtype=np.float32)
        seqs = np.zeros((n, self.length), dtype=np.int32)
        for r, hist in enumerate(histories):
            codes = self.codes(hist)
            if len(codes):
                seqs[r, -len(codes) :] = codes
        personalised = seqs[:, -1] > 0
        rows = np.flatnonzero(personalised)
        for start in range(0, len(rows), BATCH_USERS):
            block = rows[start : start + BATCH_USERS]
            scores[block] = last_scores(np, self.params, seqs[block])
        return scores, personalised

    def score_item(self, item_id: str) -> np.ndarray | None:
        """What follows ``item_id``: the scores after a history of that item alone."""
        if item_id not in self._pos:
            return None
        return self.score_user(None, [item_id])

    def save(self, path: Path) -> None:
        """Write the model to an .npz of plain float32 arrays and a JSON header (no objects)."""
        arrays = {
            f"{_PARAM_PREFIX}{k}": np.asarray(v, dtype=np.float32) for k, v in self.params.items()
        }
        header: dict[str, object] = {
            "recipe_name": self.recipe_name,
            "training": dict(self.training),
        }
        if self.retrieval is not None:
            save_index(self.retrieval, arrays, header)
        if self.retrieval_calibration is not None:
            self.retrieval_calibration.save_to(header)
        save_npz(path, header, item_ids=self.item_ids, popularity=self.popularity, **arrays)

    @classmethod
    def load(cls, path: Path) -> SequenceModel:
        """Read a model written by ``save``."""
        header, a = load_npz(path)
        params = {k[len(_PARAM_PREFIX) :]: v for k, v in a.items() if k.startswith(_PARAM_PREFIX)}
        return cls(
            recipe_name=header_str(header, "recipe_name"),
            item_ids=a["item_ids"],
            popularity=a["popularity"],
            params=params,
            training=header_object(header, "training", {}),
            # a model saved before v2 kept indexes has none: its requests scan every item
            retrieval=load_index(header, a),
            retrieval_calibration=Calibration.from_header(header),
        )


class SequenceScorer:
    """One history's ``score_user`` values, computed exactly for the items asked about: the
    network's hidden state after the newest item, once, dotted with those items' embeddings."""

    def __init__(self, model: SequenceModel, codes: np.ndarray) -> None:
        self.model = model
        self.user = np.asarray(encode(np, model.params, codes[None, :])[0, -1], dtype=np.float32)

    def at(self, idx: np.ndarray) -> np.ndarray:
        """``score_user``'s values at item positions ``idx`` (float64)."""
        emb = self.model.params["item_emb"]
        return (emb[np.asarray(idx, dtype=np.int64) + 1] @ self.user).astype(np.float64)

    def top(
        self, n: int, allowed: np.ndarray | None = None, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Item positions (sorted, unique) and exact scores of the index's ``n`` best items
        (of the ``allowed`` items, a bool per position, when given: ``FactorIndex.search``;
        of a ``NormOrderedIndex``'s ``rows`` only: ``NormOrderedIndex.search_rows``)."""
        idx = np.unique(search_index(self.model.retrieval, self.user, n, allowed, rows))
        return idx, self.at(idx)

    def softmax_at(self, idx: np.ndarray, scores: np.ndarray, temperature: float) -> np.ndarray:
        """``ranking.softmax_at`` over the whole catalogue at ``idx`` (whose scores are
        ``scores``), its denominator estimated from a fixed sample of the other items."""
        n = len(self.model.item_ids)
        sample = softmax_sample(n)
        sample = sample[~np.isin(sample, idx)]
        return estimated_softmax(scores, temperature, n - len(np.unique(idx)), self.at(sample))
