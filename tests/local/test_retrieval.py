"""Candidate retrieval (services/local/models/recipes/retrieval/): a User-Personalization
model of a large catalogue answers GetRecommendations from its factor index, with the exact
scan's list (recall of its top 25 ≥ 0.98), filters applied exactly, and the scores the exact
scan gives; a small catalogue keeps the exact scan.

The threshold is lowered with the recipe's ``index_min_items`` parameter. The served model is
fitted here on the group's own interactions (the ALS path, ``max_dense_items`` 0, which the
API does not expose) and written over the model file of a version the engine trained, once
without an index (the reference) and once with it; every answer is asked through boto3.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench import seed_shop
from services.config import Settings
from services.local.engine import get_engine, reset_engines
from services.local.models import ranking
from services.local.models.recipes.base import TrainingConfig, TrainingData
from services.local.models.recipes.retrieval.partitions import FactorIndex
from services.local.models.recipes.users._up_model import UserPersonalizationModel
from services.local.models.recipes.users.user_personalization import UserPersonalizationRecipe
from services.local.runtime import scoring
from services.personalize.clients import build_clients
from tests.local import retrieval_shop
from tests.local.retrieval_shop import ASKED, ITEMS, SHOP, ids
from tests.local.workspace import create_group, import_file, train, wait_for

CONFIG = TrainingConfig(hyperparameters={"max_dense_items": "0", "min_item_interactions": "1"})


def _interactions(path: Path) -> int:
    return seed_shop.write_csv(SHOP.interactions, path)


def _category(item: str) -> str:
    # one item in 100 is "rare" (20 items): a filter on it is very selective
    code = int(item[1:])
    return "rare" if code % 100 == 7 else f"cat{code * 3 // ITEMS}"


def _price(item: str) -> float:
    return float(int(item[1:]) * 7919 % 100)  # 0-99, spread over the catalogue


# Filters on item metadata that the index path must apply exactly (name → expression, values)
ITEM_FILTERS = {
    "cheap": ("EXCLUDE ItemID WHERE Items.PRICE >= $MIN", {"MIN": '"60"'}),  # 60 % allowed
    "cat-price": (
        "INCLUDE ItemID WHERE Items.CATEGORY IN ($C) | EXCLUDE ItemID WHERE Items.PRICE < 20",
        {"C": '"cat0","cat2"'},
    ),
}


@dataclass
class Served:
    exact: dict[tuple[str, str], list[dict]]  # (user, filter) → itemList
    indexed: dict[tuple[str, str], list[dict]]
    model: UserPersonalizationModel
    # with scoring.SELECTIVE_ITEMS lowered, so that filtered lists come from the index, at its
    # own nprobe and at every partition (where it finds what the exact scan finds)
    filtered: dict[tuple[str, str], list[dict]]
    exhaustive: dict[tuple[str, str], list[dict]]


DATA = TrainingData(interactions=SHOP.interactions.assign(EVENT_VALUE=np.nan))


def _fit() -> UserPersonalizationModel:
    return UserPersonalizationRecipe().fit(DATA, CONFIG)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir = tmp_path_factory.mktemp("retrieval") / "data"
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    p = clients.personalize
    ws = create_group(clients, data_dir, with_items=True, write=_interactions)
    items_csv = data_dir / "s3" / "bucket" / "shop" / "items-all.csv"
    pd.DataFrame(
        {
            "ITEM_ID": SHOP.items["ITEM_ID"],
            "CATEGORY": [_category(i) for i in SHOP.items["ITEM_ID"]],
            "PRICE": [_price(i) for i in SHOP.items["ITEM_ID"]],
            "CREATION_TIMESTAMP": 1_600_000_000,
        }
    ).to_csv(items_csv, index=False)
    import_file(clients, ws["items_dataset"], "items-all", "s3://bucket/shop/items-all.csv")
    _, version = train(clients, ws["group"], "up", "aws-user-personalization")
    campaign = p.create_campaign(name="c", solutionVersionArn=version, minProvisionedTPS=1)
    arn = campaign["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=arn), "campaign")
    filters = {"": None}
    for name, expression in (
        ("cat", "INCLUDE ItemID WHERE Items.CATEGORY IN ($C)"),
        ("rare", 'INCLUDE ItemID WHERE Items.CATEGORY IN ("rare")'),
        *((name, expression) for name, (expression, _) in ITEM_FILTERS.items()),
    ):
        f = p.create_filter(name=name, datasetGroupArn=ws["group"], filterExpression=expression)
        wait_for(lambda f=f: p.describe_filter(filterArn=f["filterArn"]), "filter")
        filters[name] = f["filterArn"]
    (model_path,) = (data_dir / "models").glob("*.npz")
    plain = _fit()
    indexed = UserPersonalizationRecipe(index_min_items=500).for_serving(plain, CONFIG, DATA)

    def answers(model: UserPersonalizationModel) -> dict[tuple[str, str], list[dict]]:
        model.save(model_path)
        reset_engines()  # the next request loads the model file again
        runtime = build_clients(settings).runtime
        out = {}
        for user in ASKED:
            for name, arn in filters.items():
                extra = {"filterArn": arn} if arn else {}
                if name == "cat":
                    extra["filterValues"] = {"C": '"cat1"'}
                elif name in ITEM_FILTERS:
                    extra["filterValues"] = ITEM_FILTERS[name][1]
                got = runtime.get_recommendations(
                    campaignArn=campaign["campaignArn"], userId=user, numResults=25, **extra
                )
                out[(user, name)] = got["itemList"]
        return out

    exact = answers(plain)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scoring, "SELECTIVE_ITEMS", 10)
        filtered = answers(indexed)
        assert indexed.retrieval is not None
        nlist = indexed.retrieval.index.nlist
        everywhere = FactorIndex.from_array(indexed.retrieval.to_array(), nlist)
        exhaustive = answers(replace(indexed, retrieval=everywhere))
    with_index = answers(indexed)  # last: the model file the tests below load
    loaded = get_engine(settings).models.get(
        {
            "solutionVersionArn": version,
            "status": "ACTIVE",
            "_modelPath": str(model_path.relative_to(data_dir)),
            "_recipeName": "aws-user-personalization",
            "datasetGroupArn": ws["group"],
        }
    )
    yield Served(exact, with_index, loaded.model, filtered, exhaustive)  # type: ignore[arg-type]
    reset_engines()


def test_the_served_model_answers_from_its_index(served: Served) -> None:
    model = served.model
    assert model.retrieval is not None
    scorer = model.scorer(ASKED[0], [])
    assert scorer is not None
    cand, _ = scorer.top(200)
    # a real subset of the catalogue, not a disguised full scan
    assert 200 <= len(cand) < ITEMS // 2
    # searched as calibrated at training time, saved in the model file and loaded with it
    cal = model.retrieval_calibration
    assert cal is not None and model.retrieval.nprobe == cal.nprobe
    assert cal.recall is not None and cal.recall >= 0.98
    assert cal.scale_found is not None and cal.scale_found >= 0.98


@pytest.mark.parametrize("name", ["", "cat"])
def test_index_lists_hold_the_exact_top_25(served: Served, name: str) -> None:
    retrieval_shop.assert_top_25_held(served.exact, served.indexed, name)


def test_index_lists_keep_the_exact_scores(served: Served) -> None:
    """Listed items carry the exact scan's scores: exact re-scoring, and a softmax whose
    denominator is exact here (the catalogue is smaller than the sample that estimates it)."""
    retrieval_shop.assert_scores_kept(served.exact, served.indexed)


def test_filters_apply_exactly_with_the_index(served: Served) -> None:
    for u in ASKED:
        cat = ids(served.indexed[(u, "cat")])
        assert cat and all(_category(i) == "cat1" for i in cat)
        # a very selective filter: its 20 items are scored exactly, the lists are identical
        rare = served.indexed[(u, "rare")]
        assert [i["itemId"] for i in rare] == ids(served.exact[(u, "rare")])
        assert len(rare) == 20 and all(_category(i["itemId"]) == "rare" for i in rare)


@pytest.mark.parametrize("name", ["", "cat", "rare", *ITEM_FILTERS])
def test_filtered_index_lists_are_the_exact_lists_when_it_visits_every_partition(
    served: Served, name: str
) -> None:
    """The index path with a filter (searched among the allowed items, then re-scored) gives
    the exact scan's list, item for item, once its search visits every partition: only the
    index's approximation, never the filtering, can change a list."""
    for u in ASKED:
        assert ids(served.exhaustive[(u, name)]) == ids(served.exact[(u, name)])
        assert len(served.exact[(u, name)]) == 20 if name == "rare" else 25


@pytest.mark.parametrize("name", ["cat", *ITEM_FILTERS])
def test_item_filters_apply_exactly_on_the_index_path(served: Served, name: str) -> None:
    """At the index's own nprobe, with the filter too broad to score its items exactly:
    every listed item passes the filter and the lists hold the exact scan's top 25."""
    allowed = {
        "cat": lambda i: _category(i) == "cat1",
        "cheap": lambda i: _price(i) < 60,
        "cat-price": lambda i: _category(i) in ("cat0", "cat2") and _price(i) >= 20,
    }[name]
    recall = []
    for u in ASKED:
        got = ids(served.filtered[(u, name)])
        assert len(got) == 25 and all(allowed(i) for i in got)
        recall.append(len(set(got) & set(ids(served.exact[(u, name)]))) / 25)
    assert np.mean(recall) >= 0.98


def test_small_catalogues_keep_the_exact_scan(tmp_path: Path) -> None:
    """Below ``index_min_items`` no index is built, ``scorer`` declines, and a model saved
    without one (as every model before indexes) loads and scans every item."""
    rows = []
    rng = np.random.default_rng(0)
    for u in range(200):
        for k, i in enumerate(rng.integers(0, 400, size=20)):
            rows.append((f"u{u}", f"i{i}", 1_700_000_000 + k, "view", np.nan))
    frame = pd.DataFrame(
        rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"]
    )
    recipe = UserPersonalizationRecipe(index_min_items=1000)
    data = TrainingData(interactions=frame)
    model = recipe.for_serving(recipe.fit(data, CONFIG), CONFIG, data)
    assert model.retrieval is None and model.scorer("u1", []) is None
    model.save(tmp_path / "m.npz")
    again = UserPersonalizationModel.load(tmp_path / "m.npz")
    assert again.retrieval is None
    np.testing.assert_array_equal(
        ranking.top_k(again.score_user("u1", []), 25)[0],
        ranking.top_k(model.score_user("u1", []), 25)[0],
    )


def test_an_index_survives_save_and_load(tmp_path: Path, served: Served) -> None:
    model = served.model
    model.save(tmp_path / "m.npz")
    again = UserPersonalizationModel.load(tmp_path / "m.npz")
    assert again.retrieval is not None and again.retrieval.nprobe == model.retrieval.nprobe  # type: ignore[union-attr]
    a, b = model.scorer(ASKED[1], []), again.scorer(ASKED[1], [])
    assert a is not None and b is not None
    np.testing.assert_array_equal(a.top(200)[0], b.top(200)[0])


def test_the_scale_skips_partitions_without_changing(served: Served) -> None:
    """``CandidateScorer``'s scale (the largest absolute raw score among the index's best
    items for the user's vector and for its negation) is, partitions skipped by their norm
    bound or not, the value of the two whole searches, bit for bit; and the bound does skip."""
    model = served.model
    index = model.retrieval
    assert index is not None
    norms, _ = index.largest_norms()
    skipped = 0
    users = [str(u) for u in model.user_ids[:300]]
    for u in users:
        scorer = model.scorer(u, [])
        assert scorer is not None
        both = np.union1d(index.search(scorer.user, 64), index.search(-scorer.user, 16))
        assert scorer.scale == float(np.abs(scorer._raw(both)).max())
        lists, _ = index.partitions(-scorer.user)
        top = float(np.abs(scorer._raw(index.search(scorer.user, 64))).max())
        skipped += bool((norms[lists] * np.linalg.norm(scorer.user) < top).any())
    # about one user in ten at any nprobe from 12 to 20 on this shop (29-30 of 300)
    assert skipped >= len(users) // 20
