"""The candidate index's calibration (recipes/retrieval/ ``calibrate``): at training time a
model's index is searched over the fewest partitions that find 98 % of the exact top 25 for
sampled users' query vectors, or the model keeps the exact scan when that would scan more than
a quarter of the items; the calibration is saved with the model and named in the training
report.

Every expected recall here is computed apart from the code under test: the exact top 25 by
numpy's argsort of the full score matrix, the index's answers by faiss's own search at the
chosen setting.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.local.jobs.tasks.training import training_summary
from services.local.models.recipes.base import TrainingConfig, TrainingData
from services.local.models.recipes.retrieval.calibration import (
    CALIBRATION_MARGIN,
    CALIBRATION_Z,
    MAX_VISIT_SHARE,
    Calibration,
    calibrate,
)
from services.local.models.recipes.retrieval.partitions import FactorIndex
from services.local.models.recipes.sequence._sasrec_model import SequenceModel
from services.local.models.recipes.sequence._sasrec_net import init_params
from services.local.models.recipes.sequence.user_personalization_v2 import (
    UserPersonalizationV2Recipe,
)
from services.local.models.training import training_report_of
from tests.local.retrieval_shop import SHOP

K = 25


def _clustered(n: int, dim: int, clusters: int, rng: np.random.Generator) -> np.ndarray:
    """Items around ``clusters`` centres with norms spread over an order of magnitude (as
    learned factors are): an index partitions them well."""
    centres = rng.normal(size=(clusters, dim))
    x = centres[rng.integers(0, clusters, n)] + 0.3 * rng.normal(size=(n, dim))
    return (x * np.exp(rng.uniform(-1.2, 1.2, size=(n, 1)))).astype(np.float32)


def _exact_top(users: np.ndarray, items: np.ndarray) -> list[set[int]]:
    scores = users.astype(np.float64) @ items.astype(np.float64).T
    return [set(np.argsort(-row, kind="stable")[:K].tolist()) for row in scores]


def _recalls(
    index: FactorIndex, nprobe: int, users: np.ndarray, truth: list[set[int]]
) -> np.ndarray:
    """Per user, the share of its exact top 25 that faiss's own search at ``nprobe`` returns."""
    at = FactorIndex(index=index.index, nprobe=nprobe)
    return np.array(
        [len(set(at.search(u, K).tolist()) & t) / K for u, t in zip(users, truth, strict=True)]
    )


def _clears(recall: np.ndarray) -> bool:
    se = recall.std(ddof=1) / np.sqrt(len(recall))
    return bool(recall.mean() - CALIBRATION_Z * se >= 0.98 + CALIBRATION_MARGIN)


def test_calibration_reaches_the_target_on_a_forced_index() -> None:
    rng = np.random.default_rng(11)
    items = _clustered(6000, 16, 40, rng)
    index = FactorIndex.build(items, np.arange(len(items)), seed=1)
    # users lean towards one cluster each, as a history's fold-in does
    users = items[rng.integers(0, len(items), 600)] + 0.5 * rng.normal(size=(600, 16))
    sampled, others = users[:300].astype(np.float32), users[300:].astype(np.float32)
    found = calibrate(index, items, np.arange(len(items)), sampled)
    assert found.nprobe is not None and found.reason == ""
    assert 1 < found.nprobe < index.index.nlist  # a real choice, not a full scan
    truth = _exact_top(sampled, items)
    recall = _recalls(index, found.nprobe, sampled, truth)
    assert recall.mean() >= 0.98 and _clears(recall)
    assert found.recall == pytest.approx(recall.mean(), abs=1e-12)
    # the fewest partitions that do: one fewer does not clear the target
    assert not _clears(_recalls(index, found.nprobe - 1, sampled, truth))
    # and users the calibration never saw get their top 25 as well
    assert _recalls(index, found.nprobe, others, _exact_top(others, items)).mean() >= 0.98
    assert found.visited is not None and 0 < found.visited <= MAX_VISIT_SHARE


def test_calibration_keeps_the_exact_scan_when_the_target_is_out_of_reach() -> None:
    """Vectors without structure (isotropic noise) partition badly: finding 98 % of the top
    25 takes nearly every partition, so no index is kept."""
    rng = np.random.default_rng(12)
    items = rng.normal(size=(6000, 32)).astype(np.float32)
    users = rng.normal(size=(300, 32)).astype(np.float32)
    index = FactorIndex.build(items, np.arange(len(items)), seed=1)
    found = calibrate(index, items, np.arange(len(items)), users)
    assert found.nprobe is None and "25%" in found.reason
    # it reports the widest search within the cost bound, and what that search finds
    assert found.visited is not None and found.visited <= MAX_VISIT_SHARE
    recall = _recalls(index, found.tried, users, _exact_top(users, items))
    assert found.recall == pytest.approx(recall.mean(), abs=1e-12)
    assert recall.mean() < 0.98
    assert found.summary().startswith("exact scan: ")


def test_calibration_without_users_keeps_the_exact_scan() -> None:
    items = np.random.default_rng(1).normal(size=(500, 8)).astype(np.float32)
    index = FactorIndex.build(items, np.arange(500))
    found = calibrate(index, items, np.arange(500), np.zeros((0, 8), dtype=np.float32))
    assert found.nprobe is None and found.users == 0 and found.recall is None
    assert "no user history" in found.summary()


def _v2_model(emb: np.ndarray) -> SequenceModel:
    n, dim = emb.shape
    params = init_params(n, dim, 12, 2, seed=5)
    params["item_emb"][1:] = emb
    ids = SHOP.items["ITEM_ID"].to_numpy()[:n]
    return SequenceModel("aws-user-personalization-v2", ids, np.ones(n), params)


def test_v2_keeps_the_exact_scan_and_says_why(tmp_path: Path) -> None:
    """A v2 model whose item embeddings are noise (as after too little training) gets no
    index: its requests scan every item, so its lists are the exact scan's; the reason is
    saved with the model and reaches the training report."""
    rng = np.random.default_rng(3)
    emb = (0.3 * rng.normal(size=(2000, 16))).astype(np.float32)
    data = TrainingData(interactions=SHOP.interactions)
    model = UserPersonalizationV2Recipe(index_min_items=500).for_serving(
        _v2_model(emb), TrainingConfig(), data
    )
    cal = model.retrieval_calibration
    assert model.retrieval is None and cal is not None and cal.nprobe is None
    assert cal.users == 1000  # of the shop's 1,500 users, each with a history
    history = SHOP.interactions.loc[SHOP.interactions["USER_ID"] == "u0", "ITEM_ID"].tolist()
    assert model.scorer(None, history) is None  # the runtime scans every item
    model.save(tmp_path / "m.npz")
    again = SequenceModel.load(tmp_path / "m.npz")
    assert again.retrieval is None and again.retrieval_calibration == cal
    report = training_report_of(again)
    assert Calibration.from_dict(report["retrieval"]) == cal
    assert training_summary(report) == cal.summary()
    assert training_summary(report).startswith("exact scan: no search scanning at most 25%")


def test_v2_keeps_a_calibrated_index_for_clustered_embeddings(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    emb = _clustered(2000, 16, 20, rng)
    data = TrainingData(interactions=SHOP.interactions)
    model = UserPersonalizationV2Recipe(index_min_items=500).for_serving(
        _v2_model(emb), TrainingConfig(), data
    )
    cal = model.retrieval_calibration
    assert model.retrieval is not None and cal is not None
    assert model.retrieval.nprobe == cal.nprobe
    model.save(tmp_path / "m.npz")
    again = SequenceModel.load(tmp_path / "m.npz")
    assert again.retrieval is not None and again.retrieval.nprobe == cal.nprobe
    assert again.retrieval_calibration == cal
    assert training_summary(training_report_of(again)).startswith(
        f"candidate index: {cal.nprobe} of {cal.partitions} partitions a search"
    )
