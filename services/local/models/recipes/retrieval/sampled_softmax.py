"""A catalogue softmax estimated from a request that scored only some items (the candidates
a search found): the denominator sums those exactly and the rest from a fixed sample."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SOFTMAX_SAMPLE = 4096  # items whose scores estimate a softmax denominator


@lru_cache(maxsize=8)
def softmax_sample(n: int) -> np.ndarray:
    """A fixed sample (int64 positions, sorted) of at most ``SOFTMAX_SAMPLE`` of ``n`` items,
    the same on every call: the items whose scores estimate a softmax denominator."""
    if n <= SOFTMAX_SAMPLE:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, SOFTMAX_SAMPLE, replace=False))


def estimated_softmax(
    scores: np.ndarray,
    temperature: float,
    rest: int,
    rest_sample: np.ndarray,
    zeros: int = 0,
) -> np.ndarray:
    """A catalogue softmax's values at the items of ``scores`` (float64), from a request that
    scored only some items: the denominator sums those items exactly, ``rest`` other items
    as that many times the mean over ``rest_sample`` (scores of a sample of them), and
    ``zeros`` more items whose score is 0."""
    z_top = float(scores.max()) / temperature
    top = np.exp(scores / temperature - z_top)
    total = float(top.sum())
    if rest > 0 and len(rest_sample):
        total += rest * float(np.exp(rest_sample / temperature - z_top).mean())
    total += max(zeros, 0) * float(np.exp(-z_top))
    return top / total
