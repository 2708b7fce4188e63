"""Training of the v2 network with JAX and optax on the CPU (imported only by ``fit``).

Loss: cross-entropy of the next item. When the catalogue has no more than ``negatives + 1``
items the softmax runs over the whole catalogue (``loss = logsumexp(s over all items) − s⁺``):
it costs no more than ``k`` sampled negatives and is exact, where uniform draws with
replacement repeat some items and miss others (full cross-entropy is what makes SASRec beat
BERT4Rec: Klenitskiy & Vasilev, RecSys 2023, against BCE with one negative). There is no
catalogue size below which full softmax replaces the sampled one, because it did not learn
more and costs several times a step (docs/benchmarks.md, "v2: full softmax to 20 epochs"):
on MovieLens latest-small's cold validation split 20 epochs of it scored NDCG@10 0.0662 over
epochs 9-20 against sampled softmax's 0.0677 (the returned model 0.0597 against 0.0693) for
5.2× the training seconds; on the generated shop's it gained 2.8 %, as 2,048 sampled
negatives did, which gained nothing on the shop's test seeds. A step of full softmax costs
4.2× a sampled one at 5,000 items, 9.9× at 10,000 and 17× at 20,000 (``bench/v2_loss_cost.py``),
its logits grow with the catalogue (at 500,000 items one step's would take 12.8 GB), and at
the 60 s budget on 2 shared cores it managed 1-2 epochs (leave-last-out NDCG@10, MovieLens
latest-small 0.0069 vs 0.0258, generated shop 0.251 vs 0.336). Larger catalogues use sampled
softmax (``sampled_softmax_loss``): at every position the next item (the positive) competes
with ``k`` negatives that each window draws from q(j) ∝ (training count of j + 1) **
``SAMPLING_POWER`` (a draw equal to the positive is masked), with the log(k·q) correction of
sampled softmax (Bengio & Senécal, 2008) so the loss estimates the full softmax's:
``loss = logsumexp(s⁺, s⁻₁ − log k·q₁, …, s⁻ₖ − log k·qₖ) − s⁺``. Each window draws its own:
one set shared by the batch (``SHARED_NEGATIVES``, off) pushes down only ``k`` items a step
for every position, and 256 of them scored a third lower on MovieLens (0.043 against 0.0677);
2,048 shared came back to the defaults' level on both datasets but not to the shop's gain of
2,048 drawn per window, at 1.8-1.9× a default step. Popular items are the
negatives that decide the top of a list; drawn uniformly, most of the 256 draws were items
nobody ranks high (MovieLens latest-small, leave-last-out validation NDCG@10 after 17 epochs:
0.031 vs 0.027 uniform). Either way each position is weighted by its event weight (and
recency, see ``user_personalization_v2``). Many negatives per position are what lifts SASRec
far above its one-negative BCE original (Petrov & Macdonald, "gSASRec", RecSys 2023). Their
gBCE loss is here as they define it (``gbce_loss``, ``gbce_beta``; ``LOSS`` = "gbce", uniform
negatives, t = ``GBCE_T``) but is not how v2 trains: on MovieLens latest-small's validation
split (docs/benchmarks.md, 2026-12-06) gBCE with t = 0.75 and 256 uniform negatives learned
little more than popularity in the steps 20 epochs give (leave-last-out NDCG@10 flat near
0.009 from epoch 3, early stopping at 13; the split's NDCG@10 0.046 against sampled softmax's
0.075), and with the popularity negatives above and no correction it ranked nothing (0.000).
Adam, learning rate ``LEARNING_RATE``, with decoupled weight decay (AdamW) when the
``weight_decay`` hyperparameter is above 0 (``Budget``). Item embeddings start random; the
``cooccurrence_start`` hyperparameter adds that multiple of co-occurrence embeddings
(``initial_embeddings``), which on the validation splits of docs/benchmarks.md (2026-12-07)
lifted MovieLens latest-small by about 10 % (not its three test seeds) and left the generated
shop unchanged, so its default is 0 (off).

Speed (2 CPU cores): a step costs what its positions cost, and about half of the shop's window
positions are padding, so windows are batched by length (``batches``): a batch of windows that
fit in half the columns computes only those columns and takes twice as many windows. A large
catalogue's step reads and updates only the embedding rows its batch touches, with their Adam
moments (lazy Adam, ``touched_rows``): dense Adam rewrote the whole table and both moments
every step, which at the seed shop's 500,000 items cost more than the network did.

Bounds: at most ``epochs`` passes, a deadline on the training clock (``Budget.deadline``), and
early stopping when validation NDCG@10 has not improved for ``PATIENCE`` epochs; the weights of
the best validation epoch are returned. The validation split is ``_sasrec_validation``'s. With
``Budget.averaging`` above 0 the weights validated and returned are a moving average over
epochs (``averaged``), not the epoch's own: the steps themselves do not change. The training
clock is the wall clock less compilation: it counts the steps (each batch's preparation, the
step, the wait for it to finish) and the validation passes, not the one-off tracing and
compiling of a step's shape (``compiled_step``), which on a cold machine took longer than the
demo's whole budget (8.3 s against 5 s: its metrics fit ran one step). The clock is read after
every step, once the step has finished; a step that crosses the deadline is the fit's last, and
the epoch it ends is still validated: that step and that validation pass are the overrun.

Compilation: a step is compiled ahead of its first call, once per loss, weight decay and input
shape (``compiled_step``), and kept for the process, so the second fit of a version reuses the
first fit's compilations when its shapes are the same (they are when both round to the same
batch size and ``EMBEDDING_ROWS``). ``use_compile_cache`` also keeps them on disk (JAX's
persistent compilation cache), so a later version or worker process loads them instead of
compiling again.
"""

from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

# the CPU is the only device here; without this JAX probes for GPUs and warns about them
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

from services.local.models.recipes.base import Checkpoint, no_checkpoint  # noqa: E402
from services.local.models.recipes.sequence import _sasrec_validation  # noqa: E402
from services.local.models.recipes.sequence._sasrec_net import MASKED, Params, encode, last_scores  # noqa: E402
from services.local.models.recipes.sequence._sasrec_validation import (  # noqa: E402
    EarlyStopping,
    Validation,
    validation_ndcg,
)

_log = logging.getLogger(__name__)

EPOCHS_PHASE = "v2 epochs"
STEPS_PER_CHECK = 50  # training steps between two stop checks within an epoch

# JAX's own counters of this process: persistent-cache hits and misses (jax.monitoring
# events), so a fit's report can say what it compiled and what it loaded
_CACHE_EVENTS = ("/jax/compilation_cache/cache_hits", "/jax/compilation_cache/cache_misses")
_COMPILE_EVENTS: dict[str, float] = dict.fromkeys(_CACHE_EVENTS, 0.0)
_cache_dir: list[Path] = []  # the directory this process's compilation cache is in, if any


def _count_event(event: str, **_: str | int) -> None:
    if event in _CACHE_EVENTS:
        _COMPILE_EVENTS[event] += 1


jax.monitoring.register_event_listener(_count_event)


def use_compile_cache(directory: Path) -> bool:
    """Keep compiled steps in ``directory`` (JAX's persistent compilation cache) and look
    there before compiling; every compilation is kept, however quick. The process keeps one
    directory: a different one given later replaces it. False (and a warning logged, training
    goes on compiling as before) when the directory cannot be made.

    The cache is trusted code: it lives under the engine's data directory (or
    ``PERSONALIZE_LOCAL_COMPILE_CACHE``), never in a directory others may write."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        _log.warning("no compilation cache at %s: %s", directory, err)
        return False
    if _cache_dir == [directory]:
        return True
    from jax.experimental.compilation_cache import compilation_cache

    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_compilation_cache_dir", str(directory))
    compilation_cache.reset_cache()  # the cache is set up once per process unless reset
    _cache_dir[:] = [directory]
    return True


BATCH = 128
LEARNING_RATE = 3e-3
ADAM_B1, ADAM_B2, ADAM_EPS = 0.9, 0.999, 1e-8  # optax.adam's defaults, also for the embeddings
DROPOUT = 0.2
# epochs without a new best validation score before training stops. On the cold validation
# splits (docs/benchmarks.md, "v2: validation shaped like the evaluation", 2026-12-07) 15
# picked the same epochs as 10 with the leave-last-out split; with the held-out split 10 stopped
# the generated shop on a plateau at epoch 23 (returned epoch 13: 0.3660 against 0.3968 with 15)
PATIENCE = 10
# window widths trained at: L/2, L (see ``batches``). Each width is one more XLA compilation
# (about 4 s on the shared 2 cores, in the budget when measured): four widths computed 10 % fewer
# positions on the shop than two, which their compilations ate up at a 60 s budget.
BUCKETS = 2
# negatives are drawn ∝ (target count + 1) ** SAMPLING_POWER, and the loss corrects for it
SAMPLING_POWER = 0.75
# The loss over sampled negatives: "sampled_softmax" (above) or "gbce" (``gbce_loss``, with
# GBCE_T its calibration t and uniform negatives, as in gSASRec). Internal training choices,
# not hyperparameters: Personalize's User-Personalization-v2 documents only
# apply_recency_bias, so DescribeAlgorithm has no name to list for them.
LOSS = "sampled_softmax"
GBCE_T = 0.75
# True: one set of k negatives per batch, shared by all its windows (a matrix product), instead
# of k per window; measured and not kept (module doc, docs/benchmarks.md)
SHARED_NEGATIVES = False
# Histories longer than ``bptt`` are cut into windows aligned to the newest event in the first
# epoch and at a random offset in each later one (``Windows.recut``), so the cut falls in a new
# place and each target is read after a different context every epoch; False = the first cut
# every epoch. On the cold validation splits (docs/benchmarks.md, "v2: windows cut at a random
# offset") it lifted MovieLens latest-small's NDCG@10 over epochs 9-20 by 15 % (returned model
# +13 %) and the generated shop's by 0.3 % (returned model +1.0 %), at the same cost a step.
RECUT_WINDOWS = True
# ... while the windows take at most this many bytes (x, y, w): each re-cut holds a second copy
# of them and its index arrays beside the first cut for the epoch, which at the ×10 shop (1.26 GB
# of windows, a 13.4 GiB peak under its 16 GiB bound) could not afford; larger data are cut once.
# The seed shop's 500,000 items (about 126 MB of windows) are re-cut.
RECUT_MAX_BYTES = 256 * 2**20
# gBCE's negatives: "uniform" as gSASRec draws them (what its β assumes), or "popularity"
# (the softmax's q above, without a correction); both measured in docs/benchmarks.md
GBCE_NEGATIVES = "uniform"
# events either side of an item that count as co-occurring with it (``initial_embeddings``):
# a whole window of ``bptt`` 50 scored higher than 10 on MovieLens latest-small's validation
# split (docs/benchmarks.md, 2026-12-07: 0.0858 against 0.0836 over epochs 9-20)
PMI_WINDOW = 50
# The embedding table is trained with its rows rounded up to a multiple of this, so catalogues
# of similar size share one compiled step (the rows past the catalogue are never an input, a
# target or a negative, and are dropped from the result).
EMBEDDING_ROWS = 512


@dataclass(frozen=True)
class Windows:
    """Training input: ``x`` item codes (windows × L, left-padded), ``y`` the next item at each
    position, ``w`` each position's loss weight (0 at padding); ``validation`` the users held
    out of them to pick the epoch (``_sasrec_validation``)."""

    x: np.ndarray
    y: np.ndarray
    w: np.ndarray
    validation: Validation
    # (rng) -> x, y, w of the same targets cut again at random offsets (``RECUT_WINDOWS``);
    # None = these every epoch
    recut: Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None


@dataclass(frozen=True)
class Budget:
    """What bounds training."""

    epochs: int
    seconds: float
    negatives: int
    seed: int
    # decoupled weight decay (AdamW, Loshchilov & Hutter, ICLR 2019) of the item embeddings
    # and the weight matrices, not of LayerNorm gains or biases: each step also subtracts
    # LEARNING_RATE · weight_decay · weight; 0 = plain Adam
    weight_decay: float = 0.0
    # when training must end (time.monotonic()), moved later by every second spent compiling
    # (``train``); None = ``seconds`` after ``train`` starts. A version's fits share one
    # budget (``user_personalization_v2.fit_deadline``).
    deadline: float | None = None
    # where a stop request gets through (``base.Checkpoint``): before each epoch and every
    # ``STEPS_PER_CHECK`` steps, as ("v2 epochs", epochs finished, epochs)
    checkpoint: Checkpoint = no_checkpoint
    # the weights validated, kept and returned are an exponential moving average over epochs
    # (``averaged``) with this decay; 0 = each epoch's own weights
    averaging: float = 0.0


def gbce_beta(negatives: int, n_items: int, t: float) -> float:
    """gSASRec's β for ``negatives`` uniform negatives out of ``n_items`` items and calibration
    ``t`` in [0, 1] (Petrov & Macdonald, "gSASRec: Reducing Overconfidence in Sequential
    Recommendation Trained with Negative Sampling", RecSys 2023, eq. for β): with the sampling
    rate α = k / (|I| − 1), β = α·(t·(1 − 1/α) + 1/α). t = 0 gives β = 1 (plain BCE), t = 1
    gives β = α (the fully calibrated end); MovieLens latest-small (9,724 items), k = 256,
    t = 0.75: β ≈ 0.270."""
    alpha = min(1.0, negatives / max(n_items - 1, 1))
    return alpha * (t * (1.0 - 1.0 / alpha) + 1.0 / alpha)


def gbce_loss(xp: Any, pos: Any, negs: Any, valid: Any, w: Any, beta: Any) -> Any:
    """gSASRec's generalised binary cross-entropy (RecSys 2023, as ``gbce_beta``), weighted
    mean over positions: per position, with k negatives,
    ``−(log σ(s⁺)^β + Σᵢ log(1 − σ(s⁻ᵢ))) / (k + 1)``, computed as
    ``(β·softplus(−s⁺) + Σᵢ softplus(s⁻ᵢ)) / (k + 1)``.

    Shapes: ``pos`` (..., ) the positive's score, ``negs`` (..., k) the negatives' scores,
    ``valid`` (..., k) False for a draw that is not a negative (it equals the positive; its term
    is left out, k stays the divisor), ``w`` (..., ) each position's weight (0 = padding).
    ``xp``: numpy or jax.numpy."""

    def softplus(a: Any) -> Any:
        return xp.logaddexp(0.0, a)

    k = negs.shape[-1]
    per = (beta * softplus(-pos) + xp.sum(xp.where(valid, softplus(negs), 0.0), axis=-1)) / (k + 1)
    return xp.sum(per * w) / xp.maximum(xp.sum(w), 1e-9)


def full_softmax_loss(xp: Any, logits: Any, pos: Any, w: Any) -> Any:
    """Cross-entropy of the next item over the whole catalogue, weighted mean over positions:
    per position ``logsumexp(logits) − pos``.

    Shapes: ``logits`` (..., n) every item's score (rows that are not catalogue items already
    set to ``MASKED``), ``pos`` (...) the positive's score (also among ``logits``), ``w`` (...)
    each position's weight (0 = padding). ``xp``: numpy or jax.numpy."""
    if xp is np:
        lse = np.logaddexp.reduce(logits, axis=-1)
    else:
        lse = jax.nn.logsumexp(logits, axis=-1)
    return xp.sum((lse - pos) * w) / xp.maximum(xp.sum(w), 1e-9)


def sampled_softmax_loss(xp: Any, pos: Any, negs: Any, valid: Any, log_kq: Any, w: Any) -> Any:
    """Sampled softmax with the log(k·q) correction (Bengio & Senécal, 2008), weighted mean
    over positions: per position ``logsumexp(s⁺, s⁻₁ − log k·q₁, …, s⁻ₖ − log k·qₖ) − s⁺``.

    Shapes: ``pos`` (...), ``negs`` (..., k) the negatives' scores, ``valid`` (..., k) False
    for a draw that is not a negative (it equals the positive: left out of the sum),
    ``log_kq`` (..., k) or broadcastable, ``w`` (...) each position's weight."""
    negs = xp.where(valid, negs - log_kq, MASKED)
    logits = xp.concatenate([pos[..., None], negs], axis=-1)
    return full_softmax_loss(xp, logits, pos, w)


def _loss(
    params: Params,
    x: Any,
    y: Any,
    w: Any,
    neg: Any,
    key: Any,
    extra: Any,
    beta: Any,
    *,
    kind: str = "sampled_softmax",
) -> Any:
    """Weighted mean loss. ``neg`` None = full softmax, ``extra`` masking the embedding rows
    that are not catalogue items; else, over each window's negatives ``neg`` (batch, k; or
    (k,), one set for the whole batch, ``extra`` then (k,) too), sampled softmax with ``extra``
    their log(k·q) corrections when ``kind`` is "sampled_softmax", or gBCE with ``beta``
    (``gbce_loss``; ``extra`` unused) when "gbce"."""

    def dropout(a: Any, site: int) -> Any:
        keep = jax.random.bernoulli(jax.random.fold_in(key, site), 1.0 - DROPOUT, a.shape)
        return jnp.where(keep, a / (1.0 - DROPOUT), 0.0)

    h = encode(jnp, params, x, dropout)
    emb = params["item_emb"]
    pos = jnp.sum(h * emb[y], axis=-1)
    if neg is None:
        # every catalogue item competes (padding row and rows past the catalogue masked)
        return full_softmax_loss(jnp, jnp.where(extra, h @ emb.T, MASKED), pos, w)
    if neg.ndim == 1:
        # one set of negatives for the whole batch (``SHARED_NEGATIVES``): one matrix product
        negs = h @ emb[neg].T
        valid = neg[None, None, :] != y[..., None]
        log_kq = extra[None, None, :]
    else:
        # each window draws its own negatives
        negs = jnp.einsum("bld,bkd->blk", h, emb[neg])
        # a negative that happens to be the positive is not a negative
        valid = neg[:, None, :] != y[..., None]
        log_kq = extra[:, None, :]
    if kind == "gbce":
        return gbce_loss(jnp, pos, negs, valid, w, beta)
    return sampled_softmax_loss(jnp, pos, negs, valid, log_kq, w)


def cooccurrence_ppmi(
    y: np.ndarray, w: np.ndarray, n_items: int, window: int
) -> tuple[Any, np.ndarray]:
    """Positive pointwise mutual information of items that co-occur in the training windows:
    a symmetric scipy CSR matrix, n_items × n_items (item i = code i + 1), and a bool per item,
    True when it co-occurs with any item.

    Two targets of one window (``w`` > 0) at most ``window`` positions apart co-occur, counted
    in both directions; with c_ij those counts, c_i item i's row sum and C the sum of all,
    entry (i, j) is ``max(0, log(c_ij · C / (c_i · c_j)))``.
    """
    from scipy.sparse import coo_matrix

    rows, cols = [], []
    for d in range(1, min(window, y.shape[1] - 1) + 1):
        both = (w[:, :-d] > 0) & (w[:, d:] > 0)
        rows.append(y[:, :-d][both] - 1)
        cols.append(y[:, d:][both] - 1)
    a, b = np.concatenate(rows + cols), np.concatenate(cols + rows)
    counts = coo_matrix((np.ones(len(a)), (a, b)), shape=(n_items, n_items)).tocsr()
    counts.sum_duplicates()
    if not counts.nnz:
        return counts, np.zeros(n_items, dtype=bool)
    per_item = np.asarray(counts.sum(axis=1)).ravel()
    coo = counts.tocoo()
    pmi = np.log(coo.data * counts.sum() / (per_item[coo.row] * per_item[coo.col]))
    keep = pmi > 0
    ppmi = coo_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=counts.shape)
    return ppmi.tocsr(), per_item > 0


def cooccurrence_embeddings(
    y: np.ndarray, w: np.ndarray, n_items: int, dim: int, window: int, seed: int
) -> np.ndarray:
    """Item embeddings from co-occurrence in the training windows, shape (n_items + 1, dim),
    float32, row 0 (padding) zero, scaled to an RMS entry of 1 over the items that co-occur
    with any item.

    ``cooccurrence_ppmi`` factorised by a truncated SVD ``U S Vᵀ`` (its ``dim`` largest
    singular values): item i gets row i of ``U · sqrt(S)`` (Levy & Goldberg, "Neural Word
    Embedding as Implicit Matrix Factorization", NeurIPS 2014), so ``E Eᵀ`` approximates the
    matrix (its absolute value where an eigenvalue is negative). Items without a pair get
    zeros, and so do columns past the catalogue size. ``seed`` fixes the sparse solver's
    start vector.
    """
    from scipy.sparse.linalg import svds

    ppmi, seen = cooccurrence_ppmi(y, w, n_items, window)
    out = np.zeros((n_items + 1, dim), dtype=np.float32)
    if not ppmi.nnz:
        return out
    if n_items <= 4 * dim:
        u, s, _ = np.linalg.svd(ppmi.toarray())
        u, s = u[:, :dim], s[:dim]
    else:
        v0 = np.random.default_rng(seed).standard_normal(n_items)
        u, s, _ = svds(ppmi, k=dim, v0=v0)
    out[1:, : len(s)] = u * np.sqrt(np.maximum(s, 0.0))
    rms = float(np.sqrt(np.mean(out[1:][seen] ** 2)))
    return out / np.float32(rms) if rms > 0 else out


def initial_embeddings(item_emb: np.ndarray, data: Windows, seed: int, scale: float) -> np.ndarray:
    """A fresh fit's item embeddings, shape and dtype of ``item_emb`` (the random start):
    ``item_emb`` itself when ``scale`` is 0 (the ``cooccurrence_start`` hyperparameter's
    default), else ``item_emb + scale · cooccurrence_embeddings(data, window PMI_WINDOW)``
    (an RMS entry of ``scale`` over the items that co-occur with any item), so items seen
    together start close."""
    if not scale:
        return item_emb
    n_items, dim = item_emb.shape[0] - 1, item_emb.shape[1]
    extra = cooccurrence_embeddings(data.y, data.w, n_items, dim, PMI_WINDOW, seed)
    return (item_emb + np.float32(scale) * extra).astype(np.float32)


def _decayed(params: Params) -> Params:
    """True for the parameters weight decay applies to: matrices, not gains or biases."""
    return {name: np.ndim(value) == 2 for name, value in params.items()}


@lru_cache(maxsize=4)
def _optimizer(weight_decay: float = 0.0) -> optax.GradientTransformation:
    """Adam for the network's dense parameters, AdamW (``Budget.weight_decay``) when decayed."""
    if not weight_decay:
        return optax.adam(LEARNING_RATE)
    return optax.adamw(LEARNING_RATE, weight_decay=weight_decay, mask=_decayed)


def _adam_rows(
    table: Any, m: Any, v: Any, g: Any, t: Any, weight_decay: float = 0.0
) -> tuple[Any, Any, Any]:
    """Adam (optax.adam's defaults and formula; optax.adamw's with ``weight_decay`` > 0) on the
    embedding rows ``table`` with their moments ``m``, ``v`` and gradient ``g``; ``t`` is the
    step number (from 1). Only the rows given decay: a large catalogue's untouched rows wait,
    as their moments do (lazy AdamW)."""
    m = ADAM_B1 * m + (1.0 - ADAM_B1) * g
    v = ADAM_B2 * v + (1.0 - ADAM_B2) * g * g
    m_hat = m / (1.0 - ADAM_B1**t)
    v_hat = v / (1.0 - ADAM_B2**t)
    update = m_hat / (jnp.sqrt(v_hat) + ADAM_EPS) + weight_decay * table
    return table - LEARNING_RATE * update, m, v


@lru_cache(maxsize=4)
def _step(kind: str, weight_decay: float = 0.0) -> Any:
    """One jitted Adam step for the loss ``kind`` (as ``LOSS``), AdamW with ``weight_decay``
    > 0; one compiled function per input shape, shared by every fit.

    ``emb``, ``m``, ``v``: the item embedding table and its Adam moments. ``rows`` None = the
    step reads the whole table (``x``, ``y``, ``neg`` are item codes); else ``rows`` are the
    table rows the batch touches and ``x``, ``y``, ``neg`` index into them: only those rows
    and their moments are read and written (lazy Adam), so a step's cost does not grow with
    the catalogue. Rows the batch does not touch keep their moments until they are touched.
    """
    opt = _optimizer(weight_decay)

    # ``batch``: ``_loss``'s arguments after its parameters (x, y, w, neg, key, extra, beta)
    def step(params: Params, state: Any, emb: Any, m: Any, v: Any, t: Any, rows: Any, *batch: Any):  # noqa: ANN202
        sub = emb if rows is None else emb[rows]

        def loss_of(dense: Params, table: Any) -> Any:
            return _loss({**dense, "item_emb": table}, *batch, kind=kind)

        loss, (g_dense, g_sub) = jax.value_and_grad(loss_of, argnums=(0, 1))(params, sub)
        updates, state = opt.update(g_dense, state, params)
        params = optax.apply_updates(params, updates)
        if rows is None:
            emb, m, v = _adam_rows(emb, m, v, g_sub, t, weight_decay)
        else:
            new, m_rows, v_rows = _adam_rows(sub, m[rows], v[rows], g_sub, t, weight_decay)
            emb, m, v = emb.at[rows].set(new), m.at[rows].set(m_rows), v.at[rows].set(v_rows)
        return params, state, emb, m, v, loss

    # the table and its moments are updated in place (no copy of them per step)
    return jax.jit(step, donate_argnums=(2, 3, 4))


# This process's compiled steps by (loss, weight decay, argument tree and shapes): every fit
# of every version shares them. A catalogue large enough for row subsets adds a shape per
# power of two of touched rows, so the oldest are dropped past COMPILED_KEPT.
_COMPILED: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
COMPILED_KEPT = 32


def compiled_step(kind: str, weight_decay: float, args: tuple[Any, ...]) -> tuple[Any, bool]:
    """``_step(kind, weight_decay)`` compiled for the shapes and dtypes of ``args`` (its
    arguments, None where it takes None): traced, lowered and compiled by XLA, or loaded from
    the persistent cache, ahead of its first call; and True when that happened now, False
    when this process already had it."""
    leaves, tree = jax.tree_util.tree_flatten(args)
    key = (kind, weight_decay, tree, tuple((a.shape, a.dtype) for a in leaves))
    if key in _COMPILED:
        _COMPILED.move_to_end(key)
        return _COMPILED[key], False
    _COMPILED[key] = _step(kind, weight_decay).lower(*args).compile()
    while len(_COMPILED) > COMPILED_KEPT:
        _COMPILED.popitem(last=False)
    return _COMPILED[key], True


def forget_compiled() -> None:
    """Drop this process's compiled steps (and JAX's in-memory caches): the next fit gets
    them from the persistent cache or compiles them, as a new process would."""
    _COMPILED.clear()
    jax.clear_caches()


def touched_rows(
    x: np.ndarray, y: np.ndarray, neg: np.ndarray, table_rows: int
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray, np.ndarray]:
    """The embedding rows a batch reads and its codes renumbered into them: (rows, x, y, neg).

    ``rows`` holds row 0 (the padding item, which never gets a gradient, so code 0 stays
    local 0 and still means padding) and every code of ``x``, ``y`` and ``neg`` once (sorted),
    padded with row 0 to the next power of two, so steps share a few compiled shapes. None
    (codes unchanged) when that would read more than half the table: a small catalogue is
    updated whole, exactly as dense Adam would (MovieLens and the generated shop train as
    before; at the seed's 500,000 items a step reads about 5 % of the table).
    """
    uniq = np.unique(np.concatenate([[0], x.ravel(), y.ravel(), neg.ravel()]))
    size = 1 << int(len(uniq) - 1).bit_length()
    if 2 * size > table_rows:
        return None, x, y, neg
    rows = np.zeros(size, dtype=np.int32)
    rows[: len(uniq)] = uniq
    local = [np.searchsorted(uniq, a).astype(np.int32) for a in (x, y, neg)]
    return rows, local[0], local[1], local[2]


def jax_last_scores(params: Params, seqs: np.ndarray) -> np.ndarray:
    """The network's scores computed by JAX (``last_scores`` on jax.numpy, compiled), as numpy."""
    jp = {k: jnp.asarray(v) for k, v in params.items()}
    return np.asarray(jax.jit(lambda p, s: last_scores(jnp, p, s))(jp, jnp.asarray(seqs)))


def batches(
    x: np.ndarray, rows_at_full_length: int, rng: np.random.Generator
) -> list[tuple[np.ndarray, int]]:
    """One epoch's batches in random order: (window indices, width), windows of similar length.

    Windows are left-padded, so a window whose items fit in its last ``width`` columns gives
    the same hidden states when only those columns are computed (padding is masked anyway).
    Windows go to the narrowest of ``BUCKETS`` widths (L/2 and L) that holds them,
    and a batch of width ``width`` takes ``rows_at_full_length · L / width`` windows, so every
    step computes about the same number of positions (and there are at most ``BUCKETS``
    compiled shapes). A batch short of its size is padded by the caller with index −1.
    """
    length = x.shape[1]
    real = length - np.argmax(x > 0, axis=1)
    real[~(x > 0).any(axis=1)] = 0
    widths = sorted({max(1, -(-length * i // BUCKETS)) for i in range(1, BUCKETS + 1)})
    bucket = np.searchsorted(widths, real)
    out = []
    for b, width in enumerate(widths):
        members = rng.permutation(np.flatnonzero(bucket == b))
        size = max(1, rows_at_full_length * length // width)
        for start in range(0, len(members), size):
            part = members[start : start + size]
            out.append((np.r_[part, np.full(size - len(part), -1)].astype(np.int64), width))
    return [out[i] for i in rng.permutation(len(out))]


def sampling_distribution(y: np.ndarray, w: np.ndarray, n_items: int) -> np.ndarray:
    """Negative-sampling probabilities over codes 1..n_items (index 0 = code 1): training
    target counts ** ``SAMPLING_POWER``, each item counted at least once."""
    counts = np.bincount(y[w > 0], minlength=n_items + 1)[1:].astype(np.float64)
    q = (counts + 1.0) ** SAMPLING_POWER
    return q / q.sum()


def averaged(mean: Params | None, weights: Params, decay: float) -> Params:
    """The exponential moving average of the weights over epochs after one more epoch:
    ``decay · mean + (1 − decay) · weights`` per array, ``weights`` itself when there is no
    mean yet (the first epoch) or ``decay`` is 0. float32, as the weights."""
    if mean is None or not decay:
        return weights
    d = np.float32(decay)
    return {name: d * mean[name] + (np.float32(1.0) - d) * value for name, value in weights.items()}


def train(params: Params, data: Windows, budget: Budget) -> tuple[Params, dict[str, Any]]:
    """Train from ``params`` (numpy float32); returns the best weights (numpy) and a report:
    ``epochs``, ``epochs_run``, ``best_epoch``, ``stopped`` ("epochs" | "early_stopping" |
    "time_budget"), ``seconds``, ``max_training_seconds``, ``loss`` ("full_softmax" |
    "sampled_softmax" | "gbce"), ``negative_samples`` (as used: every other item under full
    softmax, else at most the catalogue size − 1), ``weight_decay``, ``weight_averaging``,
    ``steps``, ``validation_users``, ``validation_ndcg_at_10`` (the best epoch's, on
    ``validation_split`` with ``validation_lists``: ``_sasrec_validation``); and what the
    deadline saw:
    ``seconds_allowed`` (the training seconds from this call's start to its deadline),
    ``compile_seconds`` (one-off JAX work: the setup, whose small operations compile on their
    first use in the process, and for each step shape new to the process its compilation,
    ``compiled_step``, and first call), ``training_seconds`` (``seconds`` less
    ``compile_seconds``: what the deadline counts), ``last_step_seconds``
    and ``last_validation_seconds`` (the last step and validation pass: the training seconds
    past the deadline are at most their sum), ``compile_cache_hits`` and
    ``compile_cache_misses`` (JAX's persistent cache; both 0 when every shape was compiled
    earlier in the process)."""
    started = time.monotonic()
    deadline = started + budget.seconds if budget.deadline is None else budget.deadline
    events_before = dict(_COMPILE_EVENTS)
    last_step = last_validation = 0.0
    n_items = params["item_emb"].shape[0] - 1
    k = max(1, min(budget.negatives, n_items - 1))
    rng = np.random.default_rng(budget.seed)
    key = jax.random.PRNGKey(budget.seed)
    table_rows = -(-(n_items + 1) // EMBEDDING_ROWS) * EMBEDDING_ROWS
    padded = {**params, "item_emb": np.zeros((table_rows, params["item_emb"].shape[1]), np.float32)}
    padded["item_emb"][: n_items + 1] = params["item_emb"]
    current = {name: jnp.asarray(v) for name, v in padded.items() if name != "item_emb"}
    state = _optimizer(budget.weight_decay).init(current)
    emb = jnp.asarray(padded["item_emb"])
    emb_m, emb_v = jnp.zeros_like(emb), jnp.zeros_like(emb)
    # One-off JAX work is outside the clock, like the steps' compilation (``compiled_step``):
    # the setup above compiles its small operations on their first use in the process, and a
    # key split and the validation's slice of the table would compile inside the clock.
    _, warm = jax.random.split(key)  # unpacked, as the steps unpack theirs
    warm.block_until_ready()
    emb[: n_items + 1].block_until_ready()
    compiling = time.monotonic() - started
    full = n_items - 1 <= budget.negatives
    in_catalogue = (np.arange(table_rows) >= 1) & (np.arange(table_rows) <= n_items)
    uniform = LOSS == "gbce" and GBCE_NEGATIVES == "uniform"
    q = sampling_distribution(data.y, data.w, n_items)
    if uniform:
        q = np.full(n_items, 1.0 / n_items)
    beta = np.float32(gbce_beta(k, n_items, GBCE_T))
    cdf = np.cumsum(q)
    best, stopping = params, EarlyStopping(PATIENCE)
    mean: Params | None = None  # the weights' moving average over epochs (``averaged``)
    stopped, epoch, steps = "epochs", 0, 0
    n, length = data.x.shape
    # small data sets take fewer windows per step, so an epoch is several steps, not one
    size = int(min(BATCH, max(8, 2 ** int(np.log2(max(n // 8, 1))))))
    for epoch in range(1, budget.epochs + 1):
        budget.checkpoint(EPOCHS_PHASE, epoch - 1, budget.epochs)
        xs, ys, ws = data.x, data.y, data.w
        if RECUT_WINDOWS and data.recut is not None and epoch > 1:
            xs, ys, ws = data.recut(rng)
        for chosen, width in batches(xs, size, rng):
            if steps and steps % STEPS_PER_CHECK == 0:
                budget.checkpoint(EPOCHS_PHASE, epoch - 1, budget.epochs)
            # on the training clock (compilation left out); the batch's preparation counts
            step_started = time.monotonic() - compiling
            real = chosen >= 0
            x, y, w = (a[chosen, length - width :] for a in (xs, ys, ws))
            x, y, w = x * real[:, None], y * real[:, None], w * real[:, None]
            rows = None
            if full:
                neg, extra = None, in_catalogue
            else:
                draws = rng.random(k if SHARED_NEGATIVES else (len(chosen), k))
                neg = np.minimum(np.searchsorted(cdf, draws), n_items - 1)
                extra = np.log(k * q[neg]).astype(np.float32)
                neg = (neg + 1).astype(np.int32)
                rows, x, y, neg = touched_rows(x, y, neg, table_rows)
            key, sub = jax.random.split(key)
            steps += 1
            args = (current, state, emb, emb_m, emb_v, np.float32(steps), rows, x, y, w, neg)
            before = time.monotonic()
            step, new = compiled_step(LOSS, budget.weight_decay, (*args, sub, extra, beta))
            current, state, emb, emb_m, emb_v, loss = step(*args, sub, extra, beta)
            del args  # it held the table and moments the step has just consumed (donated)
            # steps are dispatched asynchronously: without the wait the clock would run ahead
            # of the work queued behind it
            loss.block_until_ready()
            if new:
                # one-off, outside the clock: compiling a new shape, and its first call, which
                # finishes loading it (XLA:CPU: 0.46 s where later calls of the tiny test
                # network took 3 ms) and counts its step's work with it
                compiling += time.monotonic() - before
            now = time.monotonic() - compiling
            last_step = now - step_started
            if now > deadline:
                stopped = "time_budget"
                break
        validation_started = time.monotonic()
        host = {name: np.asarray(v) for name, v in current.items()}
        host["item_emb"] = np.array(emb[: n_items + 1])
        mean = host = averaged(mean, host, budget.averaging)
        score = validation_ndcg(host, data.validation)
        last_validation = time.monotonic() - validation_started
        _log.debug("epoch %d: loss %.4f, validation NDCG@10 %.4f", epoch, float(loss), score)
        if stopping.improved(epoch, score):
            best = host
        if stopped == "time_budget":
            break
        if stopping.stop(epoch):
            stopped = "early_stopping"
            break
    compiled = {name: count - events_before[name] for name, count in _COMPILE_EVENTS.items()}
    seconds = time.monotonic() - started
    report = {
        "epochs": budget.epochs,
        "epochs_run": epoch,
        "best_epoch": stopping.best_epoch,
        "stopped": stopped,
        "seconds": round(seconds, 3),
        "max_training_seconds": budget.seconds,
        "loss": "full_softmax" if full else LOSS,
        "negative_samples": n_items - 1 if full else k,
        "weight_decay": budget.weight_decay,
        "weight_averaging": budget.averaging,
        "steps": steps,
        "validation_users": len(data.validation),
        "validation_ndcg_at_10": (
            round(stopping.best_score, 6) if np.isfinite(stopping.best_score) else None
        ),
        "validation_split": _sasrec_validation.split_name(),
        "validation_lists": _sasrec_validation.VALIDATION_LISTS,
        "seconds_allowed": round(deadline - started, 3),
        "compile_seconds": round(compiling, 3),
        "training_seconds": round(seconds - compiling, 3),
        "last_step_seconds": round(last_step, 3),
        "last_validation_seconds": round(last_validation, 3),
        "compile_cache_hits": int(compiled[_CACHE_EVENTS[0]]),
        "compile_cache_misses": int(compiled[_CACHE_EVENTS[1]]),
    }
    return best, report
