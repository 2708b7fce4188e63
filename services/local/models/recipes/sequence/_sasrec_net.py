"""The v2 recipes' network: a causal self-attentive sequence encoder (SASRec family).

One forward pass, written once over an array module ``xp`` (numpy at serving time, jax.numpy
while training), so the serving process never imports JAX and both sides compute the same
function. Architecture (Kang & McAuley, "Self-Attentive Sequential Recommendation", 2018, with
pre-norm blocks as in gSASRec, Petrov & Macdonald, RecSys 2023):

- input: item codes, shape (batch, L), left-padded with 0; item ``i`` of the catalogue is code
  ``i + 1``;
- ``item_emb[code] * sqrt(d) + pos_emb``, padding positions zeroed;
- ``layers`` blocks of ``x + attention(LN(x))`` (one head, causal, padding keys masked) and
  ``x + W2·relu(W1·LN(x) + b1) + b2``, then a final LayerNorm;
- the score of item ``j`` after position ``t`` is ``h_t · item_emb[j + 1]`` (the input
  embeddings are shared with the output).

Parameters are a flat dict of float32 arrays named as in ``param_shapes``, saved as they are in
the model's .npz.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

MASKED = -1e9  # attention logit of a masked key (finite: an all-padding row stays finite)
EPS = 1e-6  # LayerNorm's variance floor

Params = dict[str, Any]  # name -> array (numpy or jax)
Dropout = Callable[[Any, int], Any]  # (activations, site number) -> activations


def param_shapes(n_items: int, dim: int, length: int, layers: int) -> dict[str, tuple[int, ...]]:
    """Name → shape of every parameter, for ``n_items`` catalogue items (plus padding)."""
    shapes: dict[str, tuple[int, ...]] = {"item_emb": (n_items + 1, dim), "pos_emb": (length, dim)}
    for b in range(layers):
        shapes |= {
            f"b{b}_ln1_g": (dim,),
            f"b{b}_ln1_b": (dim,),
            f"b{b}_wq": (dim, dim),
            f"b{b}_wk": (dim, dim),
            f"b{b}_wv": (dim, dim),
            f"b{b}_ln2_g": (dim,),
            f"b{b}_ln2_b": (dim,),
            f"b{b}_w1": (dim, dim),
            f"b{b}_b1": (dim,),
            f"b{b}_w2": (dim, dim),
            f"b{b}_b2": (dim,),
        }
    return shapes | {"ln_g": (dim,), "ln_b": (dim,)}


def init_params(n_items: int, dim: int, length: int, layers: int, seed: int) -> Params:
    """Seeded float32 parameters: N(0, 0.02) weights (padding row zero), LayerNorm gains 1,
    biases 0."""
    rng = np.random.default_rng(seed)
    out: Params = {}
    for name, shape in param_shapes(n_items, dim, length, layers).items():
        tail = name.rsplit("_", 1)[-1]
        if tail == "g":
            out[name] = np.ones(shape, dtype=np.float32)
        elif tail in ("b", "b1", "b2"):
            out[name] = np.zeros(shape, dtype=np.float32)
        else:
            out[name] = (rng.standard_normal(shape) * 0.02).astype(np.float32)
    out["item_emb"][0] = 0.0
    return out


def layers_of(params: Params) -> int:
    """How many attention blocks ``params`` holds."""
    return sum(1 for k in params if k.endswith("_wq"))


def _layer_norm(xp: Any, x: Any, g: Any, b: Any) -> Any:
    mean = xp.mean(x, axis=-1, keepdims=True)
    var = xp.mean((x - mean) ** 2, axis=-1, keepdims=True)
    return (x - mean) / xp.sqrt(var + EPS) * g + b


def encode(xp: Any, params: Params, seqs: Any, dropout: Dropout | None = None) -> Any:
    """Hidden states, shape (batch, L, d), for item-code sequences of shape (batch, L).

    ``dropout`` (training only) is applied to the embeddings and to each sub-layer's output;
    ``site`` numbers them so a caller can draw independent masks.
    """
    drop = dropout or (lambda x, _site: x)
    length = seqs.shape[1]
    dim = params["item_emb"].shape[1]
    valid = (seqs > 0)[..., None]
    x = params["item_emb"][seqs] * np.float32(np.sqrt(dim)) + params["pos_emb"][-length:]
    x = drop(x * valid, 0)
    causal = np.tril(np.ones((length, length), dtype=bool))
    # the traced array on the left, so jax (not numpy) combines the two while training
    allowed = (seqs > 0)[:, None, :] & causal[None, :, :]
    scale = np.float32(1.0 / np.sqrt(dim))
    for b in range(layers_of(params)):
        h = _layer_norm(xp, x, params[f"b{b}_ln1_g"], params[f"b{b}_ln1_b"])
        q, k, v = (h @ params[f"b{b}_w{n}"] for n in "qkv")
        logits = xp.where(allowed, (q @ xp.swapaxes(k, -1, -2)) * scale, MASKED)
        logits = logits - xp.max(logits, axis=-1, keepdims=True)
        weights = xp.exp(logits)
        weights = weights / xp.sum(weights, axis=-1, keepdims=True)
        x = x + drop(weights @ v, 1 + 2 * b)
        h = _layer_norm(xp, x, params[f"b{b}_ln2_g"], params[f"b{b}_ln2_b"])
        ff = xp.maximum(h @ params[f"b{b}_w1"] + params[f"b{b}_b1"], 0.0)
        x = (x + drop(ff @ params[f"b{b}_w2"] + params[f"b{b}_b2"], 2 + 2 * b)) * valid
    return _layer_norm(xp, x, params["ln_g"], params["ln_b"]) * valid


def last_scores(xp: Any, params: Params, seqs: Any) -> Any:
    """Scores of every catalogue item after each sequence's last position: (batch, n_items).

    Sequences are left-padded, so the last column is each one's newest item.
    """
    h = encode(xp, params, seqs)[:, -1, :]
    return h @ params["item_emb"][1:].T
