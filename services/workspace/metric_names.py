"""How people write Personalize's offline metric keys: ``NDCG@10`` for
``normalized_discounted_cumulative_gain_at_10``. One rule for every place that names a metric:
the Solutions page's charts and tables, the refresh form and the refresh guardrail's reason.
"""

from __future__ import annotations

import re

from services.i18n import N_, _

# Personalize's metric keys → how people write them ("NDCG@10").
_FAMILIES = (
    ("normalized_discounted_cumulative_gain_at_", N_("NDCG@")),
    ("precision_at_", N_("Precision@")),
    ("mean_reciprocal_rank_at_", N_("MRR@")),
    ("average_rewards_at_", N_("Avg rewards@")),
    ("hit_at_", N_("Hit@")),
    ("recall_at_", N_("Recall@")),
)
# Metric keys without a K, as the engine and Personalize report them.
# hits/recall at 1 percent: USER_SEGMENTATION solutions' metrics (of the top 1 % of users).
_OTHER_METRICS = {
    "coverage": N_("Coverage"),
    "hits_at_1_percent": N_("Hits@1%"),
    "recall_at_1_percent": N_("Recall@1%"),
}


def metric_label(key: str) -> str:
    """``normalized_discounted_cumulative_gain_at_10`` → ``NDCG@10``,
    ``recall_at_1_percent`` → ``Recall@1%``; unknown keys capitalised, underscores as spaces."""
    if key in _OTHER_METRICS:
        return _(_OTHER_METRICS[key])
    for prefix, short in _FAMILIES:
        if key.startswith(prefix):
            return _(short) + key[len(prefix) :]
    return key.replace("_", " ").capitalize()


def metric_sort_key(key: str) -> tuple[int, int, str]:
    """NDCG, precision, MRR, … by family, then by K; other keys (coverage) last."""
    for rank, (prefix, _short) in enumerate(_FAMILIES):
        if key.startswith(prefix):
            k = re.sub(r"\D", "", key[len(prefix) :])
            return (rank, int(k) if k else 0, key)
    return (len(_FAMILIES), 0, key)
