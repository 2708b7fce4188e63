"""Each recipe's hyperparameters as Personalize documents them: names, defaults, ranges, HPO.

One table serves DescribeAlgorithm (``defaultHyperParameters``, ``defaultHyperParameterRanges``),
DescribeFeatureTransformation (``defaultParameters``) and CreateSolution's checks of
``algorithmHyperParameters``, ``featureTransformationParameters`` and the HPO ranges, so what
the engine describes is exactly what it accepts.

Sources (Amazon Personalize developer guide, each recipe's "Properties and hyperparameters"
table): User-Personalization and Personalized-Ranking (hidden_dimension 149 [32, 256], bptt 32
[2, 32], recency_mask true, min/max_user_history_length_percentile 0.0 / 0.99 in [0, 1]);
SIMS (popularity_discount_factor 0.5 [0, 1], min_cointeraction_count 3 [0, 10], user history
percentiles 0.005 / 0.995, item interaction count percentiles 0.01 / 0.9); Similar-Items
(popularity_discount_factor 0.0 [0, 1] not tunable, item_id_hidden_dim and
item_metadata_hidden_dim 100 [30, 200]; the current guide's names: the 2023 archive of the
guide spelled them item_id_hidden_dimension / item_metadata_hidden_dimension); the v2 recipes
(apply_recency_bias true, not tunable); Trending-Now (feature transformation parameter
trend_discovery_frequency: "30 minutes", "1 hour", "2 hours", "3 hours" or "1 day", default
"2 hours" — the 2023 archive said 3h — string, not tunable). Popularity-Count takes none.

The v2 recipes: Personalize documents only apply_recency_bias for them. Locally they are a
self-attentive sequence model (``user_personalization_v2.py``), and the table adds the local
settings that model trains with, so a solution can bound and size its training:
``hidden_dimension`` (64, [8, 256]), ``bptt`` (50, [2, 200]: the longest history the network
reads), ``negative_samples`` (256, [1, 2048]), ``weight_decay`` (0.0, [0, 100]: AdamW's
decoupled decay), ``cooccurrence_start`` (0.0, [0, 1]: how much of the item co-occurrence
embeddings the item embeddings start from), ``weight_averaging`` (0.8, [0, 0.99]: the decay of
the moving average over epochs of the weights the model keeps), ``epochs`` (100, [1, 1000]) and
``max_training_seconds`` (300, [1, 86400]: the seconds of a whole solution version's
training, both fits of a FULL version, counting training steps, not the one-off JAX
compilation, which each version reports apart; see ``user_personalization_v2`` for what runs
past it).
None is tunable (no performHPO grid for v2), and every one, apply_recency_bias included,
changes what the model learns.

How the models read theirs (every listed name is read by its recipe's training:
tests/local/recipes/test_parameters_read.py walks them): ``bptt`` bounds the history a user's
scores look at, ``hidden_dimension`` sizes ALS factors, ``recency_mask`` turns recency
weighting on or off, ``trend_discovery_frequency`` is Trending-Now's window,
``action_optimization_period`` Next-Best-Action's; the user-history-length and
item-interaction-count percentiles leave users and items outside them out of training
(``indexed_events.index``); SIMS' ``popularity_discount_factor`` and
``min_cointeraction_count`` shape its similarities (``items/item_knn.py``); Similar-Items' in
``similar_items.py``.

Local defaults that differ from the documented ones: DescribeAlgorithm reports Personalize's
defaults (hidden_dimension 149, bptt 32), but a solution that sets neither trains with the
local model's own (hidden_dimension 64, bptt 50; user_personalization.py). They size different
models: Personalize's hidden_dimension is the width of its neural network, while locally it is
the rank of ALS factors, used only for catalogues above 6,000 active items, where 64 keeps
training about half as costly as 149 for the local model's quality; and locally bptt is how
many recent history items the scores blend (no back-propagation), where 50 serves PutEvents
histories better. Likewise the featurization percentiles and SIMS' min_cointeraction_count
(documented 3) apply only when a solution sets them: unset, every user, item and
co-interacting pair is kept, as the local models were measured (bench/quality.py); set, even to
the documented default, they are honoured. A value a caller sets must still lie in the
documented range.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.local.models.recipes.popular.trending_now import DEFAULT_FREQUENCY, FREQUENCIES


@dataclass(frozen=True)
class Parameter:
    """One hyperparameter: ``kind`` is integer, continuous or categorical."""

    name: str
    kind: str
    default: str
    low: float | None = None
    high: float | None = None
    values: tuple[str, ...] = ()
    tunable: bool = False

    def check(self, raw: str, where: str) -> str | None:
        """Why ``raw`` is not an acceptable value, or None."""
        if self.kind == "categorical":
            if raw.lower() not in {v.lower() for v in self.values}:
                return f"{where} is '{raw}'; {self.name} takes one of {', '.join(self.values)}."
            return None
        try:
            value = float(raw)
        except ValueError:
            return f"{where} is '{raw}', not a number."
        if not math.isfinite(value):
            return f"{where} is '{raw}', not a finite number."
        if self.kind == "integer" and not value.is_integer():
            return f"{where} is '{raw}'; {self.name} is an integer."
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            return f"{where} is {raw}; {self.name} must be in [{self.bound()}]."
        return None

    def bound(self) -> str:
        """``low, high`` as Personalize prints the range."""
        fmt = (lambda x: str(int(x))) if self.kind == "integer" else str
        return f"{fmt(self.low)}, {fmt(self.high)}"


def _int(name: str, default: int, low: int, high: int, *, tunable: bool) -> Parameter:
    return Parameter(name, "integer", str(default), low, high, tunable=tunable)


def _float(name: str, default: float, low: float, high: float, *, tunable: bool) -> Parameter:
    return Parameter(name, "continuous", str(default), low, high, tunable=tunable)


def _bool(name: str, default: bool, *, tunable: bool) -> Parameter:
    values = ("true", "false")
    return Parameter(name, "categorical", str(default).lower(), values=values, tunable=tunable)


def _percentiles(name: str, low: float, high: float) -> tuple[Parameter, Parameter]:
    """The featurization pair ``min_<name>_percentile`` (default ``low``) and
    ``max_<name>_percentile`` (default ``high``), each in [0.0, 1.0] and not tunable: the
    percentiles of a count (``user_history_length``, ``item_interaction_count``) between which
    users or items are kept (``indexed_events._within_percentiles`` applies them)."""
    return (
        _float(f"min_{name}_percentile", low, 0.0, 1.0, tunable=False),
        _float(f"max_{name}_percentile", high, 0.0, 1.0, tunable=False),
    )


_USER_HISTORY = _percentiles("user_history_length", 0.0, 0.99)
_HRNN_LIKE = (
    _int("hidden_dimension", 149, 32, 256, tunable=True),
    _int("bptt", 32, 2, 32, tunable=True),
    _bool("recency_mask", True, tunable=True),
)
_V2 = (
    _bool("apply_recency_bias", True, tunable=False),
    # local settings of the sequence model (see the module doc)
    _int("hidden_dimension", 64, 8, 256, tunable=False),
    _int("bptt", 50, 2, 200, tunable=False),
    _int("negative_samples", 256, 1, 2048, tunable=False),
    _float("weight_decay", 0.0, 0.0, 100.0, tunable=False),
    _float("cooccurrence_start", 0.0, 0.0, 1.0, tunable=False),
    _float("weight_averaging", 0.8, 0.0, 0.99, tunable=False),
    _int("epochs", 100, 1, 1000, tunable=False),
    _int("max_training_seconds", 300, 1, 86_400, tunable=False),
)

# recipe name → (algorithm hyperparameters, feature transformation parameters)
PARAMETERS: dict[str, tuple[tuple[Parameter, ...], tuple[Parameter, ...]]] = {
    "aws-user-personalization": (_HRNN_LIKE, _USER_HISTORY),
    "aws-personalized-ranking": (_HRNN_LIKE, _USER_HISTORY),
    "aws-user-personalization-v2": (_V2, ()),
    "aws-personalized-ranking-v2": (_V2, ()),
    "aws-sims": (
        (
            _float("popularity_discount_factor", 0.5, 0.0, 1.0, tunable=True),
            _int("min_cointeraction_count", 3, 0, 10, tunable=True),
        ),
        (
            *_percentiles("user_history_length", 0.005, 0.995),
            *_percentiles("item_interaction_count", 0.01, 0.9),
        ),
    ),
    "aws-similar-items": (
        (
            _float("popularity_discount_factor", 0.0, 0.0, 1.0, tunable=False),
            _int("item_id_hidden_dim", 100, 30, 200, tunable=True),
            _int("item_metadata_hidden_dim", 100, 30, 200, tunable=True),
        ),
        (),
    ),
    # Semantic-Similarity's page lists no hyperparameters (its influences are rankingInfluence)
    "aws-semantic-similarity": ((), ()),
    # Next-Best-Action: featurization hyperparameter action_optimization_period (days)
    "aws-next-best-action": (
        (),
        (_int("action_optimization_period", 14, 7, 28, tunable=False),),
    ),
    "aws-popularity-count": ((), ()),
    "aws-trending-now": (
        (),
        (
            Parameter(
                "trend_discovery_frequency",
                "categorical",
                DEFAULT_FREQUENCY,
                values=tuple(FREQUENCIES),
            ),
        ),
    ),
}


def algorithm_parameters(recipe: str) -> tuple[Parameter, ...]:
    """The algorithm hyperparameters of a recipe (empty for an unknown name)."""
    return PARAMETERS.get(recipe, ((), ()))[0]


def feature_parameters(recipe: str) -> tuple[Parameter, ...]:
    """The featurization parameters of a recipe's feature transformation."""
    return PARAMETERS.get(recipe, ((), ()))[1]


def hyperparameter_problems(recipe: str, config: Mapping[str, Any]) -> list[str]:
    """What is wrong with a solutionConfig's hyperparameters for ``recipe`` (empty if nothing).

    Checks ``algorithmHyperParameters`` and ``featureTransformationParameters`` (names the
    recipe has, values in range) and ``hpoConfig.algorithmHyperParameterRanges`` (tunable
    parameters only, the range of the right kind, min ≤ max, inside the documented range).
    """
    problems: list[str] = []
    for key, params in (
        ("algorithmHyperParameters", algorithm_parameters(recipe)),
        ("featureTransformationParameters", feature_parameters(recipe)),
    ):
        known = {p.name: p for p in params}
        for name, raw in (config.get(key) or {}).items():
            where = f"solutionConfig.{key}.{name}"
            spec = known.get(name)
            if spec is None:
                have = ", ".join(known) or "none"
                problems.append(f"{recipe} has no parameter {name} in {key} (it has: {have}).")
                continue
            problem = spec.check(str(raw), where)
            if problem:
                problems.append(problem)
    ranges = ((config.get("hpoConfig") or {}).get("algorithmHyperParameterRanges")) or {}
    tunable = {p.name: p for p in algorithm_parameters(recipe) if p.tunable}
    for key, kind in (
        ("integerHyperParameterRanges", "integer"),
        ("continuousHyperParameterRanges", "continuous"),
        ("categoricalHyperParameterRanges", "categorical"),
    ):
        for i, entry in enumerate(ranges.get(key) or [], start=1):
            where = f"solutionConfig.hpoConfig.algorithmHyperParameterRanges.{key}.{i}"
            problems.extend(_range_problems(recipe, tunable, kind, entry, where))
    return problems


def _range_problems(
    recipe: str, tunable: dict[str, Parameter], kind: str, entry: Mapping[str, Any], where: str
) -> list[str]:
    name = entry.get("name", "")
    spec = tunable.get(name)
    if spec is None:
        have = ", ".join(tunable) or "none"
        return [f"{where}: {recipe} has no tunable parameter {name} (tunable: {have})."]
    if spec.kind != kind:
        return [f"{where}: {name} is a {spec.kind} parameter, not {kind}."]
    if kind == "categorical":
        bad = [v for v in entry.get("values") or [] if spec.check(str(v), where)]
        return [f"{where}: {name} takes {', '.join(spec.values)}, not {bad[0]}."] if bad else []
    low, high = entry.get("minValue"), entry.get("maxValue")
    problems = []
    if low is not None and high is not None and low > high:
        problems.append(f"{where}: minValue {low} is above maxValue {high}.")
    for label, value in (("minValue", low), ("maxValue", high)):
        if value is not None and spec.check(str(value), f"{where}.{label}"):
            problems.append(f"{where}.{label} {value} is outside {name}'s range [{spec.bound()}].")
    return problems
