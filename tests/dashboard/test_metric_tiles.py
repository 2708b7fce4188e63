"""The side-by-side tiles of Solutions & metrics (and Operations › Deploy) show losses as well as
gains (issue #21: a trial's v1-vs-v2 tiles showed four gains while coverage fell 68.7 % and
precision@10 12.5 %, which only the table said), each with its sign and colour, and no arrow
for a change that rounds to nothing."""

from __future__ import annotations

from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

from dashboard.components.solutions.metrics_chart import headline_keys
from tests.dashboard.rendered import shown

# The trial's comparison, by hand: v2 (chosen) against v1 (deployed). Relative changes:
# NDCG@5 +0.05/0.25 = +20 %, NDCG@10 +0.03/0.30 = +10 %, NDCG@25 +0.0008/0.40 = +0.2 % (rounds
# to 0 %), Precision@5 +0.01/0.10 = +10 %, Precision@10 -0.01/0.08 = -12.5 %, MRR@25
# +0.06/0.20 = +30 %, Coverage (0.1002 - 0.32)/0.32 = -68.7 %.
V1 = {
    "normalized_discounted_cumulative_gain_at_5": 0.25,
    "normalized_discounted_cumulative_gain_at_10": 0.30,
    "normalized_discounted_cumulative_gain_at_25": 0.40,
    "precision_at_5": 0.10,
    "precision_at_10": 0.08,
    "mean_reciprocal_rank_at_25": 0.20,
    "coverage": 0.32,
}
V2 = {
    "normalized_discounted_cumulative_gain_at_5": 0.30,
    "normalized_discounted_cumulative_gain_at_10": 0.33,
    "normalized_discounted_cumulative_gain_at_25": 0.4008,
    "precision_at_5": 0.11,
    "precision_at_10": 0.07,
    "mean_reciprocal_rank_at_25": 0.26,
    "coverage": 0.1002,
}


def _script() -> None:
    import streamlit as st

    from dashboard.components.solutions.metrics_chart import show_deltas
    from services.evaluation.version_data import VersionData

    chosen, reference, n, users = st.session_state["pair"]
    data = tuple(VersionData(test_users=u, users_with_truth=u) if u else None for u in users)
    show_deltas(
        chosen, reference, "deployed", ("shop/v2", "shop/v1 (deployed)"), headline=n, data=data
    )


def _tiles(
    chosen: dict, reference: dict, n: int = 4, users: tuple = (None, None), seen: list | None = None
) -> dict[str, Metric]:
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["pair"] = (chosen, reference, n, users)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if seen is not None:
        seen.extend(shown(w.value) for w in at.warning)
    return {shown(m.label): m.proto for m in at.metric}


def test_on_too_few_test_users_no_delta_is_coloured_and_a_warning_says_why() -> None:
    """The s13 trial's shop: 6 test users a version, "-70%" in red although 6 users cannot
    tell the versions apart (MIN_TEST_USERS is 30)."""
    warnings: list[str] = []
    tiles = _tiles(V2, V1, users=(6, 6), seen=warnings)
    assert tiles["Coverage"].delta == "-69% vs deployed"  # the number is still there
    assert all(t.color == Metric.GRAY for t in tiles.values())
    assert warnings == [
        "Too few test users to compare: scored on 6 vs 6 test users, fewer than 30: the "
        "difference cannot be told apart from chance. Neither version is shown to be better, "
        "so the deltas below are not coloured."
    ]
    # 30 on each side is enough: colours as before, no warning
    warnings.clear()
    tiles = _tiles(V2, V1, users=(30, 30), seen=warnings)
    assert tiles["Coverage"].color == Metric.RED and warnings == []


def test_the_tiles_show_the_largest_loss_and_gain_with_sign_and_colour() -> None:
    tiles = _tiles(V2, V1)
    # the four largest changes in size: Coverage -68.7 %, MRR +30 %, NDCG@5 +20 %,
    # Precision@10 -12.5 % (not NDCG@10 or Precision@5, +10 % each), in the metrics' order
    assert list(tiles) == ["NDCG@5", "Precision@10", "MRR@25", "Coverage"]
    coverage, precision, mrr = tiles["Coverage"], tiles["Precision@10"], tiles["MRR@25"]
    assert (coverage.body, coverage.delta) == ("0.1002", "-69% vs deployed")
    assert precision.delta == "-12% vs deployed"  # 12.5 rounds half to even
    assert mrr.delta == "+30% vs deployed"
    for loss in (coverage, precision):
        assert (loss.color, loss.direction) == (Metric.RED, Metric.DOWN)
    assert (mrr.color, mrr.direction) == (Metric.GREEN, Metric.UP)


def test_a_loss_smaller_than_every_gain_still_gets_a_tile() -> None:
    # Precision@10 -12.5 % is the only loss once coverage is unchanged, and the fifth
    # largest change: the smallest of the four largest gains (NDCG@10 and Precision@5, +10 %
    # each; NDCG@10 is the later of the two in size order) gives way to it.
    chosen = {**V2, "coverage": V1["coverage"]}
    tiles = _tiles(chosen, V1)
    assert "Precision@10" in tiles and tiles["Precision@10"].color == Metric.RED
    assert sum(t.color == Metric.GREEN for t in tiles.values()) == 3


def test_an_unchanged_metric_has_no_arrow_and_no_colour() -> None:
    tiles = _tiles(V2, V1, n=len(V1))  # every metric a tile
    ndcg25 = tiles["NDCG@25"]  # +0.2 %, which rounds to 0 %
    assert ndcg25.delta == "0% vs deployed"
    assert (ndcg25.color, ndcg25.direction) == (Metric.GRAY, Metric.NONE)


def test_gains_only_or_losses_only_pick_the_largest() -> None:
    keys = list(V1)
    rises = {k: v * 1.5 if k == "coverage" else v * 1.1 for k, v in V1.items()}
    assert headline_keys(rises, V1, keys, 2)[-1] == "coverage"  # +50 %, the largest
    falls = {k: v * 0.5 if k == "precision_at_10" else v * 0.9 for k, v in V1.items()}
    assert "precision_at_10" in headline_keys(falls, V1, keys, 2)
    assert headline_keys(V2, V1, keys[:3], 4) == keys[:3]  # fewer metrics than tiles: all
