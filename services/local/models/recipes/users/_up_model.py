"""The user-personalization model: an item-to-item scorer folded over a recency-weighted history.

Scores for a user are ``Σ_h w_h · (item model row of h)``, where ``w_h`` decays with how far back
in the history ``h`` is, plus a sequential "what comes next" term from the last few items. The
item model is EASE (a closed-form linear autoencoder) when the active catalogue is small enough
to hold an items × items matrix, otherwise ALS factors (``implicit``) with a fold-in of the
history. Scoring needs only the history, so users unseen at training time, and events sent after
training, are personalised immediately.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from services.local.models.recipes.base import load_npz, save_npz
from services.local.models.recipes.retrieval.calibration import Calibration
from services.local.models.recipes.retrieval.index_file import (
    ROWS_KEY,
    SHARED_FACTORS,
    CandidateIndex,
    load_index,
    save_index,
)
from services.local.models.recipes.retrieval.norm_ordered import NormOrderedIndex
from services.local.models.recipes.retrieval.sampled_softmax import (
    SOFTMAX_SAMPLE,
    estimated_softmax,
)
from services.local.models.recipes.retrieval.search import search_index
from services.local.models.recipes.saved.model_header import (
    HeaderMap,
    header_float,
    header_int,
    header_object,
    header_str,
)
from services.local.models.recipes.saved.sparse_arrays import csr_arrays, csr_from_arrays

# Relative margin by which a partition's bound must fall short of the scale to be skipped
# (float32 rounding of a 64-term inner product is below 1e-5 of it)
SCALE_MARGIN = 1e-3


@dataclass(frozen=True)
class UPParams:
    """Scoring-time settings, saved with the model."""

    history_length: int = 100  # "bptt": only the latest N history items count
    recency_decay: float = 0.9  # weight of the j-th most recent item is decay**j
    sequence_weight: float = 0.3  # share of the "next item" transition term
    sequence_window: int = 3  # transitions to the next N items; last 2N history items used
    als_regularization: float = 0.1  # fold-in ridge term, ALS only

    @classmethod
    def from_header(cls, doc: HeaderMap) -> UPParams:
        """The settings ``save`` wrote (the header's ``params``); a setting a file of an older
        version lacks keeps its default.

        Raises:
            ValueError: a setting is not a number (``model_header``).
        """
        default = cls()
        return cls(
            history_length=header_int(doc, "history_length", default.history_length),
            recency_decay=header_float(doc, "recency_decay", default.recency_decay),
            sequence_weight=header_float(doc, "sequence_weight", default.sequence_weight),
            sequence_window=header_int(doc, "sequence_window", default.sequence_window),
            als_regularization=header_float(doc, "als_regularization", default.als_regularization),
        )


def _weights(rows: Sequence[tuple[int, np.ndarray, np.ndarray]], n: int, m: int) -> sp.csr_matrix:
    """users × items sparse matrix of history weights (repeated items add up)."""
    r = np.concatenate([np.full(len(h), i) for i, h, _ in rows])
    c = np.concatenate([h for _, h, _ in rows])
    v = np.concatenate([w for _, _, w in rows])
    return sp.csr_matrix((v, (r, c)), shape=(n, m), dtype=np.float64)


@dataclass
class UserPersonalizationModel:
    """Item-model scores folded over the user's recent history (see module doc)."""

    recipe_name: str
    item_ids: np.ndarray
    popularity: np.ndarray
    params: UPParams
    neighbours: sp.csr_matrix | None  # EASE weights, items × items (sparsified), or None
    # ALS item factors (float32), or None: items × f by item code, or with ``factor_codes``
    # the learned items' rows only, in the order of those codes
    factors: np.ndarray | None
    transitions: sp.csr_matrix  # row-normalised "i then j" counts, items × items
    user_ids: np.ndarray  # users seen in training, sorted
    user_histories: sp.csr_matrix  # users × history positions → item code + 1 (0 = none)
    # candidate retrieval over the ALS factors of a large catalogue (``retrieval``), or None
    retrieval: CandidateIndex | None = None
    # how the index's search was set at training time, or why the model keeps none
    # (``retrieval.calibration.calibrate``); None when the catalogue was too small to consider one
    retrieval_calibration: Calibration | None = None
    # the item code (int64) of each row of ``factors`` when they hold the learned items only,
    # in descending order of norm (a ``NormOrderedIndex`` then searches them in place: one
    # copy of the factors, 1.28 GB at 5,000,000 × 64); None: row i is item code i
    factor_codes: np.ndarray | None = None
    _pos: dict[str, int] = field(default_factory=dict, repr=False)
    _users: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._pos = {str(item): i for i, item in enumerate(self.item_ids)}
        self._users = {str(u): i for i, u in enumerate(self.user_ids)}
        # Items ALS never saw (too rare) have zero factors; scoring skips their rows, which
        # on a large catalogue is most of the memory one request has to stream through.
        self._factor_rows: np.ndarray | None = None
        self._scored_factors = self.factors
        # row of ``factors`` of each item code (-1: not learned), when they are not by code
        self._row_of: np.ndarray | None = None
        learned = None
        if self.factors is not None and self.factor_codes is not None:
            self._factor_rows = np.asarray(self.factor_codes, dtype=np.int64)
            self._row_of = np.full(len(self.item_ids), -1, dtype=np.int64)
            self._row_of[self._factor_rows] = np.arange(len(self._factor_rows))
            # as the by-code rows below would count them (the softmax's sample follows)
            few = len(self._factor_rows) < 0.9 * len(self.item_ids)
            learned = np.sort(self._factor_rows) if few else np.arange(len(self.item_ids))
        elif self.factors is not None:
            rows = np.flatnonzero(np.any(self.factors != 0, axis=1))
            if len(rows) < 0.9 * len(self.factors):
                self._factor_rows = rows
                self._scored_factors = np.ascontiguousarray(self.factors[rows])
            learned = rows if self._factor_rows is not None else np.arange(len(self.factors))
        self._learned = learned if learned is not None else np.empty(0, dtype=np.int64)
        self._is_learned = np.zeros(len(self.item_ids), dtype=bool)
        self._is_learned[self._learned] = True
        # the fixed sample of learned items that estimates a softmax denominator (index only)
        rng = np.random.default_rng(0)
        self._softmax_sample = (
            self._learned
            if len(self._learned) <= SOFTMAX_SAMPLE
            else np.sort(rng.choice(self._learned, SOFTMAX_SAMPLE, replace=False))
        )
        top = float(self.popularity.max()) if len(self.popularity) else 0.0
        # a tiny popularity term only breaks ties among items the user model knows nothing about
        self._tiebreak = (self.popularity / top * 1e-6) if top > 0 else np.zeros(len(self.item_ids))

    @property
    def item_index(self) -> dict[str, int]:
        """Item ID → position in ``item_ids`` (built once; the runtime shares it)."""
        return self._pos

    def known_history(self, user_id: str) -> list[int]:
        """Item codes of a training user's latest history, oldest first."""
        u = self._users.get(user_id)
        if u is None:
            return []
        row = self.user_histories.getrow(u)
        return (row.data[np.argsort(row.indices)] - 1).astype(np.int64).tolist()

    def _history_codes(self, user_id: str | None, history: Sequence[str]) -> np.ndarray:
        """The item codes a user is scored on: the given history, else the training one."""
        codes = [self._pos[h] for h in history if h in self._pos]
        if not codes and user_id is not None:
            codes = self.known_history(str(user_id))
        return np.asarray(codes[-self.params.history_length :], dtype=np.int64)

    def score_user(self, user_id: str | None, history: Sequence[str]) -> np.ndarray | None:
        """Scores for every item (float64), or None for an unknown user without usable history.

        One request on a 500,000-item catalogue touches a few MiB per pass over the scores,
        so each step works in place on one vector, and the sequential term, which is sparse,
        is added only where it is non-zero (the same values as the dense sum).
        """
        h = self._history_codes(user_id, history)
        if not len(h):
            return None
        p = self.params
        w = p.recency_decay ** np.arange(len(h) - 1, -1, -1, dtype=np.float64)
        scores = self._item_model_scores(h, w)
        seq = self.sequence_term(h)
        if seq is not None:
            scores *= 1 - p.sequence_weight
            scores[seq[0]] += p.sequence_weight * seq[1]
        scores += self._tiebreak
        return scores

    def sequence_term(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The "what comes next" term of history codes ``h``: the item codes it reaches
        (int32, sorted) and its values there, scaled to a largest value of 1; None when it is
        switched off or reaches no item."""
        p = self.params
        if p.sequence_weight <= 0:
            return None
        last = h[-2 * p.sequence_window :]
        wl = 0.5 ** np.arange(len(last) - 1, -1, -1, dtype=np.float64)
        # the rows of ``last`` weighted by ``wl`` and summed, read straight off the CSR arrays:
        # the same sums in the same order as a sparse product, without building two matrices
        # per request
        t = self.transitions
        starts, ends = t.indptr[last], t.indptr[last + 1]
        if not (ends > starts).any():
            return None
        pos = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
        items, where = np.unique(t.indices[pos], return_inverse=True)
        values = np.bincount(where, weights=t.data[pos] * np.repeat(wl, ends - starts))
        top = values.max()
        if not top > 0:
            return None
        return items.astype(np.int32), values / top

    def user_vector(self, h: np.ndarray) -> np.ndarray:
        """The ALS user vector (float32) a request folds in from history codes ``h`` (oldest
        first, the newest weighing most): what the candidate index is searched with."""
        w = self.params.recency_decay ** np.arange(len(h) - 1, -1, -1, dtype=np.float64)
        return self.fold_in(h, w).astype(np.float32)

    def sampled_user_vectors(self, n: int, seed: int) -> np.ndarray:
        """``user_vector`` of up to ``n`` training users drawn with ``seed`` (those with a
        stored history): the query vectors its index is calibrated on (float32, users × f)."""
        assert self.factors is not None
        counts = np.diff(self.user_histories.indptr)
        users = np.flatnonzero(counts > 0)
        rng = np.random.default_rng(seed)
        users = np.sort(rng.choice(users, size=min(n, len(users)), replace=False))
        out = np.zeros((len(users), self.factors.shape[1]), dtype=np.float32)
        for r, u in enumerate(users):
            out[r] = self.user_vector(np.asarray(self.known_history(str(self.user_ids[u]))))
        return out

    def item_factors(self, codes: np.ndarray) -> np.ndarray:
        """The ALS factors (float32, len(codes) × f) of item codes ``codes`` (int), zero for
        items ALS did not learn, whichever order ``factors`` keeps its rows in."""
        assert self.factors is not None
        if self._row_of is None:
            return self.factors[codes]
        rows = self._row_of[codes]
        if not len(rows) or rows.min() >= 0:  # all learned: one gather, as by code
            return self.factors[rows]
        out = np.zeros((len(rows), self.factors.shape[1]), dtype=self.factors.dtype)
        known = rows >= 0
        out[known] = self.factors[rows[known]]
        return out

    def fold_in(self, h: np.ndarray, w: np.ndarray) -> np.ndarray:
        """ALS's ridge fold-in: the user vector (float64) that best reproduces history codes
        ``h`` weighted by ``w``."""
        assert self.factors is not None
        y = self.item_factors(h).astype(np.float64)
        a = y.T @ (y * w[:, None]) + self.params.als_regularization * np.eye(y.shape[1])
        return np.linalg.solve(a, y.T @ w)

    def _item_model_scores(self, h: np.ndarray, w: np.ndarray) -> np.ndarray:
        """A new float64 vector of item-model scores over every item, scaled to |max| 1."""
        if self.neighbours is not None:
            s = np.asarray(self.neighbours[h].T @ w).ravel()
            top = np.abs(s).max()
        elif self.factors is not None:
            s, top = self._factor_scores_of(self.fold_in(h, w))
        else:
            return np.zeros(len(self.item_ids))
        if top > 0:
            s /= top
        return s

    def _factor_scores_of(self, user: np.ndarray) -> tuple[np.ndarray, float]:
        """One user vector against the item factors: float64 scores over every item (zero for
        items without factors) and their largest absolute value."""
        assert self._scored_factors is not None
        # float32 like the factors: a float64 operand would copy the whole factor matrix
        rows = self._scored_factors
        if self._row_of is not None:  # rows in the index's order: a zero after the last row
            padded = np.zeros((1, len(rows) + 1), dtype=np.float32)
            np.matmul(user[None, :].astype(np.float32), rows.T, out=padded[:, :-1])
            part = padded[0, :-1]
            top = float(np.abs(part).max()) if len(part) else 0.0
            # each code's row (-1, unlearned: the zero), read in order of code: half the time
            # of writing the rows' scores to their codes (random writes)
            return np.take(padded[0], self._row_of).astype(np.float64), top
        part = (user[None, :].astype(np.float32) @ rows.T)[0]
        top = float(np.abs(part).max()) if len(part) else 0.0
        if self._factor_rows is None:
            return part.astype(np.float64), top
        out = np.zeros(len(self.item_ids))
        out[self._factor_rows] = part
        return out, top

    def scorer(self, user_id: str | None, history: Sequence[str]) -> CandidateScorer | None:
        """Exact scores on demand for the items an index finds, instead of ``score_user``'s
        whole catalogue; None when the model keeps no index (the runtime scans every item) or
        cannot personalise this user (the runtime serves popular items)."""
        if self.retrieval is None or self.factors is None:
            return None
        h = self._history_codes(user_id, history)
        if not len(h):
            return None
        return CandidateScorer(self, h)

    def score_users(
        self, user_ids: Sequence[str | None], histories: Sequence[Sequence[str]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """``score_user`` for many users at once (offline evaluation), as one matrix product.

        Returns:
            (scores, personalised): float32 users × items, and per user whether the row holds
            scores (False rows are zero: the caller serves popularity, as for None).
        """
        p = self.params
        n, m = len(user_ids), len(self.item_ids)
        hist_w: list[tuple[int, np.ndarray, np.ndarray]] = []
        seq_w: list[tuple[int, np.ndarray, np.ndarray]] = []
        personalised = np.zeros(n, dtype=bool)
        for r, (user, hist) in enumerate(zip(user_ids, histories, strict=True)):
            h = self._history_codes(user, hist)
            if not len(h):
                continue
            personalised[r] = True
            hist_w.append((r, h, p.recency_decay ** np.arange(len(h) - 1, -1, -1.0)))
            last = h[-2 * p.sequence_window :]
            seq_w.append((r, last, 0.5 ** np.arange(len(last) - 1, -1, -1.0)))
        scores = np.zeros((n, m), dtype=np.float32)
        if not hist_w:
            return scores, personalised
        if self.neighbours is not None:
            scores[:] = (_weights(hist_w, n, m) @ self.neighbours).toarray()
        elif self.factors is not None:
            f = self.factors
            reg = self.params.als_regularization * np.eye(f.shape[1])
            users = np.zeros((n, f.shape[1]), dtype=np.float32)
            for r, h, w in hist_w:
                y = self.item_factors(h).astype(np.float64)
                users[r] = np.linalg.solve(y.T @ (y * w[:, None]) + reg, y.T @ w)
            scores[:] = self._factor_scores(users)
        top = np.abs(scores).max(axis=1, keepdims=True)
        np.divide(scores, top, out=scores, where=top > 0)
        if p.sequence_weight > 0:
            seq = (_weights(seq_w, n, m) @ self.transitions).tocsr()
            seq_top = seq.max(axis=1).toarray().ravel()
            rows = np.flatnonzero(seq_top > 0)
            scores[rows] *= 1 - p.sequence_weight
            coo = seq.tocoo()
            keep = seq_top[coo.row] > 0
            scores[coo.row[keep], coo.col[keep]] += (
                p.sequence_weight * coo.data[keep] / seq_top[coo.row[keep]]
            )
        scores += self._tiebreak.astype(np.float32)
        scores[~personalised] = 0.0
        return scores, personalised

    def _factor_scores(self, users: np.ndarray) -> np.ndarray:
        """users × items scores of user vectors against the item factors (float32)."""
        assert self._scored_factors is not None
        # float32 like the factors: a float64 operand would copy the whole factor matrix
        rows = self._scored_factors
        if self._row_of is not None:  # rows in the index's order, as in ``_factor_scores_of``
            padded = np.zeros((len(users), len(rows) + 1), dtype=np.float32)
            np.matmul(users.astype(np.float32), rows.T, out=padded[:, :-1])
            return np.take(padded, self._row_of, axis=1)
        part = users.astype(np.float32) @ rows.T
        if self._factor_rows is None:
            return part
        out = np.zeros((len(users), len(self.item_ids)), dtype=np.float32)
        out[:, self._factor_rows] = part
        return out

    def score_item(self, item_id: str) -> np.ndarray | None:
        """Neighbours of one item: the user scorer with a history of just that item."""
        if item_id not in self._pos:
            return None
        return self.score_user(None, [item_id])

    def save(self, path: Path) -> None:
        """Write the model to an .npz file of plain arrays."""
        n = len(self.item_ids)
        arrays: dict[str, np.ndarray] = {
            "item_ids": self.item_ids,
            "popularity": self.popularity,
            "user_ids": self.user_ids,
            **csr_arrays("transitions", self.transitions, store_shape=False),
            **csr_arrays("histories", self.user_histories, store_shape=False),
        }
        if self.neighbours is not None:
            arrays.update(csr_arrays("neighbours", self.neighbours, store_shape=False))
        if self.factors is not None:
            arrays["factors"] = np.asarray(self.factors, dtype=np.float32)  # no copy if float32
        if self.factor_codes is not None:
            arrays["factor_codes"] = self.factor_codes
        header: dict[str, object] = {
            "recipe_name": self.recipe_name,
            "kind": "ease" if self.neighbours is not None else "als",
            "n_items": n,
            "history_cols": self.user_histories.shape[1],
            "params": self.params.__dict__,
        }
        if self.retrieval is not None:
            save_index(self.retrieval, arrays, header, self.factors)
        if self.retrieval_calibration is not None:
            self.retrieval_calibration.save_to(header)
        save_npz(path, header, **arrays)

    @classmethod
    def load(cls, path: Path) -> UserPersonalizationModel:
        """Read a model written by ``save``.

        A file written before the model kept its factors in its index's order (factors by
        item code and the index's sorted copy of the learned rows) is read as one copy: the
        sorted rows, which are the learned items' factors, and their codes; the by-code
        factors are not read.
        """
        header, a = load_npz(path, skip_if={"factors": "retrieval_vectors"})
        n = header_int(header, "n_items")
        n_users = len(a["user_ids"])
        hist_cols = header_int(header, "history_cols")
        factors, factor_codes = a.get("factors"), a.get("factor_codes")
        if "retrieval_vectors" in a:
            factors = np.ascontiguousarray(a.pop("retrieval_vectors"), dtype=np.float32)
            factor_codes = a["retrieval_codes"]
            header = {**header, ROWS_KEY: SHARED_FACTORS}
        return cls(
            recipe_name=header_str(header, "recipe_name"),
            item_ids=a["item_ids"],
            popularity=a["popularity"],
            params=UPParams.from_header(header_object(header, "params")),
            neighbours=csr_from_arrays("neighbours", a, (n, n)) if "neighbours_data" in a else None,
            factors=factors,
            transitions=csr_from_arrays("transitions", a, (n, n)),
            user_ids=a["user_ids"],
            user_histories=csr_from_arrays("histories", a, (n_users, hist_cols), integers=True),
            # a model saved before indexes existed has none: its requests scan every item
            retrieval=load_index(header, a, factors, factor_codes),
            retrieval_calibration=Calibration.from_header(header),
            factor_codes=factor_codes,
        )


class CandidateScorer:
    """One user's ``score_user`` values, computed exactly for the items asked about.

    ``score_user`` divides the item model's scores by their largest absolute value over the
    whole catalogue; here that value is taken over the index's best items for the user's vector
    and for its negation (the most negative score), each re-scored exactly. Items of the
    sequential term are always candidates, since that term can lift an item the item model
    ranks low.
    """

    BASE = 64  # items asked of the index for the scale

    def __init__(self, model: UserPersonalizationModel, history: np.ndarray) -> None:
        self.model = model
        assert model.retrieval is not None
        self.user = model.user_vector(history)
        self.scale = self._scale()
        seq = model.sequence_term(history)
        self.seq_idx = np.empty(0, dtype=np.int64) if seq is None else seq[0].astype(np.int64)
        self.seq_val = np.empty(0) if seq is None else seq[1].astype(np.float64)

    def _scale(self) -> float:
        """The largest absolute raw score among the index's ``BASE`` best items for the
        user's vector and its ``BASE // 4`` best for the negated vector (the most negative).

        The second search is what a request spent most of its time on (the partitions
        nearest the negated vector hold the many items of small norm: about 94,000 items
        scanned against 3,000 for the first, on the 500,000-item seed shop). It scans only
        the partitions whose largest norm times the user's could beat the first search's
        value, which leaves none for most users; the value is the same (the comments below
        say why).
        """
        index = self.model.retrieval
        assert index is not None
        if isinstance(index, NormOrderedIndex):  # its item of the largest |score|, exactly
            code = index.extreme(self.user)
            return float(np.abs(self._raw(np.array([code])))[0]) if code >= 0 else 0.0
        raw = self._raw(index.search(self.user, self.BASE))
        top = float(np.abs(raw).max()) if len(raw) else 0.0
        lists, dist = index.partitions(-self.user)
        valid = lists >= 0
        # No item of partition p scores beyond ‖u‖·largest_norms[p]; with a margin far above
        # float32 rounding, partitions below the first value cannot raise the scale.
        norms, sizes = index.largest_norms()
        reach = norms[np.maximum(lists, 0)] * float(np.linalg.norm(self.user))
        beyond = valid & (reach > top * (1 - SCALE_MARGIN))
        skipped = int(sizes[lists[valid & ~beyond]].sum()) if top > 0 else 0
        n = self.BASE // 4
        if skipped < n:  # too few items left out to be sure: the whole search, as ever
            low = self._raw(index.search(-self.user, n))
            return max(top, float(np.abs(low).max()) if len(low) else 0.0)
        # The skipped partitions hold at least n items scoring within ±top, so the search's
        # n lowest all score below top; those below -top are in the lowest n of the
        # partitions kept too, and those between -top and top do not change the maximum.
        if not beyond.any():
            return top
        low = self._raw(index.search_in(-self.user, n, lists, dist, beyond))
        low = low[low < -top]
        return max(top, float(-low.min()) if len(low) else 0.0)

    def _raw(self, idx: np.ndarray) -> np.ndarray:
        """The item model's unscaled scores at ``idx`` (float64; 0 for unlearned items)."""
        return (self.model.item_factors(idx) @ self.user).astype(np.float64)

    def at(self, idx: np.ndarray) -> np.ndarray:
        """``score_user``'s values at item codes ``idx`` (float64)."""
        idx = np.asarray(idx, dtype=np.int64)
        s = self._raw(idx)
        if self.scale > 0:
            s /= self.scale
        if len(self.seq_idx):
            w = self.model.params.sequence_weight
            s *= 1 - w
            pos = np.searchsorted(self.seq_idx, idx)
            pos[pos >= len(self.seq_idx)] = 0
            hit = self.seq_idx[pos] == idx
            s[hit] += w * self.seq_val[pos[hit]]
        return s + self.model._tiebreak[idx]

    def top(
        self, n: int, allowed: np.ndarray | None = None, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Item codes (sorted, unique) and exact scores of the index's ``n`` best items for
        the user (of the ``allowed`` items, a bool per item code, when given: see
        ``FactorIndex.search``; of a ``NormOrderedIndex``'s ``rows`` only, when given: see
        ``NormOrderedIndex.search_rows``) plus the sequential term's items, allowed or not."""
        found = search_index(self.model.retrieval, self.user, n, allowed, rows)
        idx = np.union1d(found, self.seq_idx)
        return idx, self.at(idx)

    def softmax_at(self, idx: np.ndarray, scores: np.ndarray, temperature: float) -> np.ndarray:
        """``ranking.softmax_at`` over the whole catalogue, its denominator estimated: items
        in ``idx`` exactly, unlearned items at their score of 0 (their tie-break is below
        1e-6), the other learned items from the mean over a fixed sample of
        ``SOFTMAX_SAMPLE`` learned items."""
        m = self.model
        idx = np.asarray(idx, dtype=np.int64)
        rest = len(m._learned) - int(m._is_learned[idx].sum())
        sample = m._softmax_sample[~np.isin(m._softmax_sample, idx)]
        unlearned = len(m.item_ids) - len(m._learned) - int((~m._is_learned[idx]).sum())
        return estimated_softmax(scores, temperature, rest, self.at(sample), unlearned)
