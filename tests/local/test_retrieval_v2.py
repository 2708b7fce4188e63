"""Candidate retrieval for aws-user-personalization-v2 (recipes/retrieval/, _sasrec_model.py):
a v2 model of a large catalogue answers GetRecommendations from an index over its item
embeddings, with the exact scan's list (recall of its top 25 ≥ 0.98), filters applied exactly
and the exact scan's scores; a small catalogue and Personalized-Ranking-v2 keep the exact scan.

The threshold is lowered with the recipe's ``index_min_items``. Training the network is not
what is tested here and takes JAX's compile time, so the model is v2's own network with item
embeddings of a known shape (one cluster per category, norms spread over two orders of
magnitude as trained embeddings' are) and its other weights as ``init_params`` makes them;
its lists are asked of the runtime's ``recommend`` with the user histories of a real engine
group, once with the index and once with the same model without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from bench import seed_shop
from services.config import Settings
from services.local.engine import get_engine, reset_engines
from services.local.models.recipes.base import TrainingConfig, TrainingData
from services.local.models.recipes.sequence._sasrec_model import SequenceModel
from services.local.models.recipes.sequence._sasrec_net import init_params
from services.local.models.recipes.sequence.personalized_ranking_v2 import (
    PersonalizedRankingV2Recipe,
)
from services.local.models.recipes.sequence.user_personalization_v2 import (
    UserPersonalizationV2Recipe,
)
from services.local.runtime import scoring
from services.local.runtime.model_cache import LoadedModel
from services.personalize.clients import build_clients
from tests.local import retrieval_shop
from tests.local.retrieval_shop import ASKED, ITEMS, SHOP, ids
from tests.local.workspace import create_group

CONFIG = TrainingConfig()
DATA = TrainingData(interactions=SHOP.interactions)
NO_VIEWED = {
    "name": "no-viewed",
    "filterExpression": 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("View")',
}


def _model(n_items: int = ITEMS) -> SequenceModel:
    """v2's network over the shop's items: embeddings clustered by category, varied norms."""
    rng = np.random.default_rng(5)
    params = init_params(n_items, 16, 12, 2, seed=5)
    cats = SHOP.items["CATEGORY_L1"].astype("category").cat.codes.to_numpy()[:n_items]
    centres = rng.normal(size=(cats.max() + 1, 16))
    emb = centres[cats] + 0.4 * rng.normal(size=(n_items, 16))
    emb *= np.exp(rng.uniform(-2.3, 2.3, size=(n_items, 1))) / 4
    params["item_emb"][1:] = emb.astype(np.float32)
    ids = SHOP.items["ITEM_ID"].to_numpy()[:n_items]
    popularity = np.ones(n_items)
    return SequenceModel("aws-user-personalization-v2", ids, popularity, params)


@dataclass
class Lists:
    exact: dict[tuple[str, str], list[dict]]  # (user, filter name) → itemList
    indexed: dict[tuple[str, str], list[dict]]
    model: SequenceModel


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lists]:
    data_dir = tmp_path_factory.mktemp("retrieval-v2") / "data"
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    ws = create_group(
        build_clients(settings), data_dir, write=lambda p: seed_shop.write_csv(SHOP.interactions, p)
    )
    engine = get_engine(settings)
    plain = _model()
    indexed = UserPersonalizationV2Recipe(index_min_items=500).for_serving(plain, CONFIG, DATA)
    out = []
    for model in (plain, indexed):
        loaded = LoadedModel(
            f"{ws['group']}/v2-{len(out)}", ws["group"], model.recipe_name,
            "USER_PERSONALIZATION", model, model.item_index,
        )  # fmt: skip
        out.append({
            (u, name): scoring.recommend(
                engine, loaded, user_id=u, item_id=None, num_results=25, filter_doc=doc
            )
            for u in ASKED
            for name, doc in (("", None), ("no-viewed", NO_VIEWED))
        })  # fmt: skip
    yield Lists(exact=out[0], indexed=out[1], model=indexed)
    reset_engines()


def test_the_model_answers_from_its_index(lists: Lists) -> None:
    model = lists.model
    assert model.retrieval is not None
    scorer = model.scorer(None, _history(ASKED[0]))
    assert scorer is not None
    cand, scores = scorer.top(200)
    # a real subset of the catalogue, not a disguised full scan, scored as score_user does
    assert 200 <= len(cand) < ITEMS // 2
    full = model.score_user(None, _history(ASKED[0]))
    assert full is not None
    np.testing.assert_allclose(scores, full[cand], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["", "no-viewed"])
def test_index_lists_hold_the_exact_top_25(lists: Lists, name: str) -> None:
    retrieval_shop.assert_top_25_held(lists.exact, lists.indexed, name)


def test_index_lists_keep_the_exact_scores(lists: Lists) -> None:
    """The catalogue is smaller than the sample that estimates the softmax denominator, so the
    listed items' scores are the exact scan's."""
    retrieval_shop.assert_scores_kept(lists.exact, lists.indexed)


def test_filters_apply_exactly_with_the_index(lists: Lists) -> None:
    frame = SHOP.interactions
    for u in ASKED:
        viewed = set(
            frame.loc[(frame["USER_ID"] == u) & (frame["EVENT_TYPE"] == "View"), "ITEM_ID"]
        )
        got = ids(lists.indexed[(u, "no-viewed")])
        assert viewed and len(got) == 25 and not viewed & set(got)


def test_small_catalogues_and_ranking_keep_the_exact_scan(tmp_path: Path) -> None:
    """Below ``index_min_items`` (and for Personalized-Ranking-v2, which ranks given lists) no
    index is built and ``scorer`` declines; a model saved without one (as every v2 model
    before indexes) loads and scans every item."""
    model = _model(400)
    assert (
        UserPersonalizationV2Recipe(index_min_items=1000).for_serving(model, CONFIG, DATA) is model
    )
    assert PersonalizedRankingV2Recipe(index_min_items=10).for_serving(model, CONFIG, DATA) is model
    assert model.scorer(None, _history(ASKED[0])) is None
    model.save(tmp_path / "m.npz")
    again = SequenceModel.load(tmp_path / "m.npz")
    assert again.retrieval is None


def test_an_index_survives_save_and_load(tmp_path: Path, lists: Lists) -> None:
    model = lists.model
    model.save(tmp_path / "m.npz")
    again = SequenceModel.load(tmp_path / "m.npz")
    assert again.retrieval is not None and again.retrieval.nprobe == model.retrieval.nprobe  # type: ignore[union-attr]
    a, b = model.scorer(None, _history(ASKED[1])), again.scorer(None, _history(ASKED[1]))
    assert a is not None and b is not None
    np.testing.assert_array_equal(a.top(200)[0], b.top(200)[0])


def _history(user: str) -> list[str]:
    frame = SHOP.interactions
    rows = frame.loc[frame["USER_ID"] == user].sort_values("TIMESTAMP", kind="stable")
    return rows["ITEM_ID"].tolist()


def test_an_unindexed_copy_is_the_exact_reference(lists: Lists) -> None:
    """The reference lists really come from a full scan: the model without its index."""
    plain = replace(lists.model, retrieval=None)
    assert plain.scorer(None, _history(ASKED[2])) is None
