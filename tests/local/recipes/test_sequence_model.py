"""The v2 recipes are a real sequence model: a causal transformer trained with JAX, served with
numpy, bounded by its hyperparameters, and not the v1 model under a new name."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from services.local.models.recipes import get_recipe
from services.local.models.recipes.base import TrainingConfig, TrainingData, TrainingError
from services.local.models.recipes.parameters import algorithm_parameters
from services.local.models.recipes.sequence._sasrec_model import SequenceModel
from services.local.models.recipes.sequence._sasrec_net import (
    init_params,
    last_scores,
    param_shapes,
)
from services.local.models.recipes.sequence.user_personalization_v2 import (
    V2Settings,
    event_weights,
    settings_from,
    windows,
)
from services.local.models.recipes.training_data import index
from services.local.models.recipes.users._up_model import UserPersonalizationModel
from services.local.models.recipes.users.user_personalization import UserPersonalizationRecipe
from tests.local.recipes.toy import CLUSTER_A, CLUSTER_B, toy_data

V2 = ("aws-user-personalization-v2", "aws-personalized-ranking-v2")
# tiny and quick; one network shape for every fit here, so JAX compiles it once per run
TINY = {"hidden_dimension": "16", "bptt": "12", "negative_samples": "16", "epochs": "40"}
COLUMNS = ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"]


@pytest.fixture(scope="module", autouse=True)
def _shared_compile_cache(compile_cache: Path) -> None:
    """The fits here load what other test processes of the run compiled (and keep theirs)."""
    from services.local.models.recipes.sequence._sasrec_train import use_compile_cache

    use_compile_cache(compile_cache)


def frame(rows: list[tuple[str, str, int]]) -> TrainingData:
    df = pd.DataFrame([(u, i, t, "click", 1.0) for u, i, t in rows], columns=COLUMNS)
    return TrainingData(df.astype({"TIMESTAMP": "int64"}))


def successor_data(n_items: int = 30, users: int = 120, length: int = 12) -> TrainingData:
    """Every user walks the ring of items: i{k} is always followed by i{k+1 mod n}."""
    rng = np.random.default_rng(3)
    rows = []
    for u in range(users):
        start = int(rng.integers(n_items))
        rows += [(f"u{u}", f"i{(start + t) % n_items}", t) for t in range(length)]
    return frame(rows)


def top(model: SequenceModel, scores: np.ndarray | None, n: int) -> list[str]:
    assert scores is not None
    return [str(model.item_ids[i]) for i in np.argsort(-scores, kind="stable")[:n]]


@pytest.fixture
def no_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fits hold out no validation user (so nothing but epochs and the clock stops them)."""
    from services.local.models.recipes.sequence import _sasrec_validation

    monkeypatch.setattr(_sasrec_validation, "VALIDATION_SPLIT", "held_out_users")
    monkeypatch.setattr(_sasrec_validation, "VALIDATION_SHARE", 0.0)


@pytest.fixture(scope="module")
def ring() -> SequenceModel:
    return get_recipe(V2[0]).fit(successor_data(), TrainingConfig(hyperparameters=TINY))


@pytest.fixture(scope="module")
def clusters() -> SequenceModel:
    return get_recipe(V2[0]).fit(toy_data(), TrainingConfig(hyperparameters=TINY))


def test_numpy_forward_equals_jax_forward() -> None:
    from services.local.models.recipes.sequence._sasrec_train import jax_last_scores

    rng = np.random.default_rng(0)
    params = init_params(n_items=25, dim=16, length=12, layers=2, seed=1)
    # random, not initial, weights: gains and biases away from 1 and 0, larger embeddings
    params = {k: (v + rng.normal(0, 0.3, v.shape)).astype(np.float32) for k, v in params.items()}
    seqs = rng.integers(1, 26, size=(7, 12)).astype(np.int32)
    seqs[0, :9] = 0  # left padding, as served for short histories
    seqs[1, :11] = 0
    ours = last_scores(np, params, seqs)
    theirs = jax_last_scores(params, seqs)
    assert ours.shape == (7, 25)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_v2_is_not_v1_renamed(clusters: SequenceModel) -> None:
    for name in V2:
        recipe = get_recipe(name)
        assert not isinstance(recipe, UserPersonalizationRecipe)
        assert recipe.load.__func__ is not UserPersonalizationRecipe.load  # type: ignore[attr-defined]
    assert isinstance(clusters, SequenceModel)
    assert not isinstance(clusters, UserPersonalizationModel)
    assert set(clusters.params) == set(param_shapes(41, 16, 12, 2))


def test_full_softmax_when_the_catalogue_fits_in_the_negatives() -> None:
    # 30 items, 29 ≤ 32 negatives: every other item is a negative, exactly once
    hp = {**TINY, "negative_samples": "32"}
    model = get_recipe(V2[0]).fit(successor_data(), TrainingConfig(hyperparameters=hp))
    assert model.training["loss"] == "full_softmax"
    assert model.training["negative_samples"] == 29
    assert top(model, model.score_user(None, ["i3", "i4", "i5"]), 1) == ["i6"]


def test_ring_next_item_follows_the_newest_item(ring: SequenceModel) -> None:
    assert top(ring, ring.score_user(None, ["i3", "i4", "i5"]), 1) == ["i6"]
    assert top(ring, ring.score_user("nobody", ["i20"]), 1) == ["i21"]
    # reversed, the newest item is i3: what follows it comes first, and the scores change
    forward = ring.score_user(None, ["i3", "i4", "i5"])
    backward = ring.score_user(None, ["i5", "i4", "i3"])
    assert top(ring, backward, 1) == ["i4"]
    assert not np.allclose(forward, backward)  # type: ignore[arg-type]


def test_reversing_a_history_changes_the_scores(clusters: SequenceModel) -> None:
    history = ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"]
    newest_b = clusters.score_user(None, history)
    newest_a = clusters.score_user(None, history[::-1])
    assert newest_b is not None and newest_a is not None
    assert np.abs(newest_b - newest_a).max() > 0.1


def test_a_new_user_gets_the_cluster_they_click(clusters: SequenceModel) -> None:
    for history, cluster in ((["a3", "a7", "a1"], CLUSTER_A), (["b2", "b9", "b0"], CLUSTER_B)):
        scores = clusters.score_user("newcomer", history)
        assert set(top(clusters, scores, 10)) <= set(cluster)
    assert clusters.score_user("u0", []) is None  # the history is the input, nothing else


def test_batch_scores_equal_single_scores(clusters: SequenceModel) -> None:
    histories = [["a1", "a2"], [], ["b3"], ["nope"], ["a1"] * 30]
    batch, personalised = clusters.score_users([None] * 5, histories)
    assert personalised.tolist() == [True, False, True, False, True]
    for row, hist in enumerate(histories):
        single = clusters.score_user(None, hist)
        if single is None:
            assert not batch[row].any()
        else:
            np.testing.assert_allclose(batch[row], single, rtol=1e-5, atol=1e-6)


def test_personalized_ranking_v2_is_the_same_model(clusters: SequenceModel) -> None:
    ranking = get_recipe(V2[1]).fit(toy_data(), TrainingConfig(hyperparameters=TINY))
    assert ranking.recipe_name == V2[1] and get_recipe(V2[1]).recipe_type == "PERSONALIZED_RANKING"
    for name, array in clusters.params.items():
        np.testing.assert_array_equal(ranking.params[name], array)


def test_windows_hold_out_each_users_last_item() -> None:
    # u1: x, y, z, x (4 events); u2: y, z (2 events: too few to give one to validation)
    rows = [("u1", "x", 1), ("u1", "y", 2), ("u1", "z", 3), ("u1", "x", 4)]
    data = frame([*rows, ("u2", "y", 5), ("u2", "z", 6)])
    idx = index(data, TrainingConfig())
    assert list(idx.item_ids) == ["x", "y", "z"]  # codes x=1, y=2, z=3
    w = windows(idx, V2Settings(recency_bias=False, length=2), seed=0)
    # validation: u1's history x, y, z (the newest 2: y, z) → truth x, history items x, y, z
    assert w.validation.x.tolist() == [[2, 3]] and w.validation.truth.tolist() == [1]
    assert w.validation.seen.tolist() == [1, 2, 3]
    # training: u1's x→y, y→z in one window of 2; u2's y→z, left-padded
    assert w.x.tolist() == [[1, 2], [0, 2]]
    assert w.y.tolist() == [[2, 3], [0, 3]]
    assert w.w.tolist() == [[1.0, 1.0], [0.0, 1.0]]


def test_windows_hold_validation_users_out_of_training_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The held-out split (measured, not v2's default): ten users; the one ``holdout_users``
    draws (10 % of 10) gives no training target; every other user's events but their first
    are targets after the event before them."""
    from services.local.models.recipes.sequence import _sasrec_validation
    from services.local.models.recipes.sequence._sasrec_validation import holdout_users

    monkeypatch.setattr(_sasrec_validation, "VALIDATION_SPLIT", "held_out_users")
    rows = [(f"u{u}", f"i{(u + t) % 5}", 10 * u + t) for u in range(10) for t in range(4)]
    idx = index(frame(rows), TrainingConfig())
    w = windows(idx, V2Settings(recency_bias=False, length=4), seed=0)
    starts, ends = np.arange(0, 40, 4), np.arange(4, 44, 4)
    (held,) = holdout_users(starts, ends, seed=0, max_users=2000).tolist()
    assert len(w.validation) == 1
    # the held-out user's history (its older 3 events; 10 % of 4 rounds down, so 1 is truth)
    codes = (idx.items + 1).tolist()
    assert w.validation.x.tolist() == [[0, *codes[4 * held : 4 * held + 3]]]
    assert w.validation.truth.tolist() == [codes[4 * held + 3]]
    # training: one window a user, 3 targets each, left-padded; none of the held-out user's
    trained = [u for u in range(10) if u != held]
    assert w.x.tolist() == [[0, *codes[4 * u : 4 * u + 3]] for u in trained]
    assert w.y.tolist() == [[0, *codes[4 * u + 1 : 4 * u + 4]] for u in trained]
    assert w.w.tolist() == [[0.0, 1.0, 1.0, 1.0]] * 9


def test_a_warm_validation_user_trains_on_its_history_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The ``WARM`` held-out split (measured, not v2's default): the held-out user's older
    events stay training targets and only its truth (the newest 1 of its 4 events) is left
    out."""
    from services.local.models.recipes.sequence import _sasrec_validation
    from services.local.models.recipes.sequence._sasrec_validation import holdout_users

    monkeypatch.setattr(_sasrec_validation, "VALIDATION_SPLIT", "held_out_users")
    monkeypatch.setattr(_sasrec_validation, "WARM", True)
    rows = [(f"u{u}", f"i{(u + t) % 5}", 10 * u + t) for u in range(10) for t in range(4)]
    idx = index(frame(rows), TrainingConfig())
    w = windows(idx, V2Settings(recency_bias=False, length=4), seed=0)
    (held,) = holdout_users(np.arange(0, 40, 4), np.arange(4, 44, 4), 0, 2000).tolist()
    codes = (idx.items + 1).tolist()
    assert w.validation.truth.tolist() == [codes[4 * held + 3]]
    # every user has a window; the held-out user's holds 2 targets (its events 2 and 3)
    assert len(w.x) == 10
    assert w.y[held].tolist() == [0, 0, *codes[4 * held + 1 : 4 * held + 3]]


def test_recut_windows_start_long_histories_at_an_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    """u1 views a..g (g held out for validation): 5 targets b..f after a..e, in windows of 3.
    The first epoch's cut is aligned to the newest target; a re-cut starts the newest window
    ``offset`` targets short (0, 1 or 2), written out by hand below. u2 (one target) always
    keeps its one window."""
    rows = [("u1", item, t) for t, item in enumerate("abcdefg")]
    data = frame([*rows, ("u2", "a", 10), ("u2", "b", 11)])
    idx = index(data, TrainingConfig())
    c = {item: list(idx.item_ids).index(item) + 1 for item in "abcdefg"}
    a, b, cc, d, e, f = (c[i] for i in "abcdef")
    win = windows(idx, V2Settings(recency_bias=False, length=3), seed=0)
    assert win.validation.truth.tolist() == [c["g"]]
    u2 = [[0, 0, a], [0, 0, b]]
    by_offset = {  # [x, y] of every window, u1's newest first, then u2's
        0: [[[cc, d, e], [d, e, f]], [[0, a, b], [0, b, cc]], u2],
        1: [[[0, d, e], [0, e, f]], [[a, b, cc], [b, cc, d]], u2],
        2: [[[0, 0, e], [0, 0, f]], [[b, cc, d], [cc, d, e]], [[0, 0, a], [0, 0, b]], u2],
    }

    def cut(x: np.ndarray, y: np.ndarray) -> list[list[list[int]]]:
        return [[r, t] for r, t in zip(x.tolist(), y.tolist(), strict=True)]

    assert cut(win.x, win.y) == by_offset[0]
    assert win.recut is not None
    gen = np.random.default_rng(1)
    seen = set()
    for _ in range(12):
        x, y, w = win.recut(gen)
        seen.add(next(o for o, want in by_offset.items() if cut(x, y) == want))
        assert ((w > 0) == (y > 0)).all()
    assert seen == {0, 1, 2}
    # windows larger than the bound are cut once (here 3 windows × 3 columns × 12 bytes: 108)
    from services.local.models.recipes.sequence import _sasrec_train as train

    monkeypatch.setattr(train, "RECUT_MAX_BYTES", 107)
    assert windows(idx, V2Settings(recency_bias=False, length=3), seed=0).recut is None
    monkeypatch.setattr(train, "RECUT_MAX_BYTES", 108)
    assert windows(idx, V2Settings(recency_bias=False, length=3), seed=0).recut is not None


def test_recency_bias_weighs_newer_events_more() -> None:
    data = frame([("u", "x", 100), ("u", "y", 150), ("u", "z", 300)])
    idx = index(data, TrainingConfig())
    np.testing.assert_allclose(event_weights(idx, True), [0.5, 0.5 + 0.5 * 50 / 200, 1.0])
    np.testing.assert_allclose(event_weights(idx, False), [1.0, 1.0, 1.0])


class Recording(Mapping[str, str]):
    """A hyperparameter map that remembers which names were asked for."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        raise KeyError(key)

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.asked.add(key)
        return default

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def test_described_hyperparameters_are_the_ones_the_model_reads() -> None:
    for name in V2:
        hp = Recording()
        assert settings_from(TrainingConfig(hyperparameters=hp)) == V2Settings()
        described = {p.name: p.default for p in algorithm_parameters(name)}
        assert hp.asked == set(described)
        # the described defaults are the model's own
        assert settings_from(TrainingConfig(hyperparameters=described)) == V2Settings()


def test_settings_shape_and_bound_the_model(clusters: SequenceModel) -> None:
    assert clusters.params["item_emb"].shape == (42, 16)  # hidden_dimension, 41 items + pad
    assert clusters.length == 12  # bptt
    report = clusters.training
    assert report["epochs"] == 40 and report["max_training_seconds"] == 300.0
    assert report["loss"] == "sampled_softmax" and report["negative_samples"] == 16
    assert report["stopped"] in ("epochs", "early_stopping")
    assert 1 <= report["best_epoch"] <= report["epochs_run"] <= 40
    assert report["validation_users"] == 60 and report["validation_split"] == "last event"


def test_time_budget_stops_training_and_says_so(no_validation: None) -> None:
    hp = {**TINY, "epochs": "1000", "max_training_seconds": "1"}
    # no validation user, so nothing but the clock can stop 1000 epochs
    model = get_recipe(V2[0]).fit(successor_data(length=2), TrainingConfig(hyperparameters=hp))
    assert model.training["validation_users"] == 0
    assert model.training["stopped"] == "time_budget"
    assert model.training["epochs_run"] < 1000


# what the deadline checks cannot see: the report's bookkeeping around the last step and the
# return to the recipe (microseconds of work; a loaded machine may deschedule the process)
BOOKKEEPING = 0.25


def test_a_full_versions_two_fits_share_one_time_budget(
    tmp_path: Path, no_validation: None
) -> None:
    from services.local.models import training
    from services.local.models.recipes.sequence.user_personalization_v2 import MIN_FIT_SHARE

    budget = 2.0
    hp = {**TINY, "epochs": "1000", "max_training_seconds": str(budget)}
    # no validation user, so nothing but the clock can stop 1000 epochs
    data = successor_data(users=600, length=2)
    out = training.train(data, V2[0], TrainingConfig(hyperparameters=hp), out_path=tmp_path / "m")
    r = out.training_report  # the final fit's, on the version's clock (version_seconds)
    assert r["stopped"] == "time_budget" and r["max_training_seconds"] == budget
    # the budget's clock is the wall clock less compiling
    assert r["training_seconds"] == pytest.approx(r["seconds"] - r["compile_seconds"], abs=2e-3)
    # the metrics fit (and windowing, scoring) ran before the final fit began
    final_start = r["version_seconds"] - r["training_seconds"]
    assert final_start > 0
    # the final fit had what was left of the one budget (or its floor), not a budget of its own
    allowed = max(budget - final_start, MIN_FIT_SHARE * budget)
    assert r["seconds_allowed"] <= allowed + BOOKKEEPING
    # and stopped at the first step past its deadline: the overrun is that step and one
    # validation pass, so the version ended within max(budget, floor) + that overrun
    overrun = r["training_seconds"] - r["seconds_allowed"]
    assert overrun <= r["last_step_seconds"] + r["last_validation_seconds"] + BOOKKEEPING
    end = max(budget, final_start + MIN_FIT_SHARE * budget)
    tail = r["last_step_seconds"] + r["last_validation_seconds"]
    assert r["version_seconds"] <= end + tail + 2 * BOOKKEEPING


def test_on_a_cold_cache_the_budget_trains_and_the_fits_compile_once(
    tmp_path: Path, compile_cache: Path, no_validation: None
) -> None:
    """A fresh machine: nothing compiled in the process nor on disk. The demo's version ran
    one step when compiling counted against its budget; compiling is outside it now, and the
    final fit runs the steps the metrics fit compiled."""
    from services.local.models import training
    from services.local.models.recipes.sequence._sasrec_train import (
        forget_compiled,
        use_compile_cache,
    )

    hp = {**TINY, "epochs": "1000", "max_training_seconds": "1"}
    # one window shape and batch size (no validation user held out): both fits share them
    data = successor_data(users=600, length=2)
    forget_compiled()
    config = TrainingConfig(hyperparameters=hp, cache_dir=tmp_path / "cold")
    try:
        metrics_fit = get_recipe(V2[0]).fit(
            data, replace(config, clock_started=time.monotonic(), fits_left=2)
        )
        forget_compiled()
        out = training.train(data, V2[0], config, out_path=tmp_path / "m")
    finally:
        use_compile_cache(compile_cache)  # the module's other fits keep the run's cache
    m = metrics_fit.training
    # the fit compiled its steps from nothing, and half a second of budget still trained
    assert m["compile_cache_misses"] > 0 and m["compile_cache_hits"] == 0
    assert m["compile_seconds"] > 0 and m["stopped"] == "time_budget" and m["steps"] > 1
    r = out.training_report
    # the version's metrics fit loaded its steps from the cache the first fit filled, and the
    # final fit neither compiled nor loaded anything: both fits ran the same compiled steps
    assert r["compile_cache_misses"] == 0 and r["compile_cache_hits"] == 0
    assert r["version_compile_seconds"] > 0
    assert r["stopped"] == "time_budget" and r["steps"] > 1


def test_a_fit_alone_has_the_whole_budget_and_a_late_fit_its_floor() -> None:
    from services.local.models.recipes.sequence.user_personalization_v2 import (
        MIN_FIT_SHARE,
        fit_deadline,
    )

    now = time.monotonic()
    alone = fit_deadline(60.0, TrainingConfig())
    assert 60.0 <= alone - now < 61.0
    # 20 s into a version's budget of 60, the metrics fit gets half of the 40 left
    first = fit_deadline(60.0, TrainingConfig(clock_started=now - 20.0, fits_left=2))
    assert 20.0 <= first - now < 21.0
    # the budget spent, the final fit still gets its floor
    late = fit_deadline(60.0, TrainingConfig(clock_started=now - 90.0, fits_left=1))
    assert MIN_FIT_SHARE * 60.0 <= late - now < MIN_FIT_SHARE * 60.0 + 1.0


# one full window per user and full softmax: a single compiled step shape, so one compile
CACHED_FIT = {"hidden_dimension": "8", "bptt": "4", "negative_samples": "32", "epochs": "1"}
_FIT_IN_A_NEW_PROCESS = """
import json, sys
from pathlib import Path
from services.local.models.recipes import get_recipe
from services.local.models.recipes.base import TrainingConfig
from tests.local.recipes.test_sequence_model import CACHED_FIT, successor_data
config = TrainingConfig(hyperparameters=CACHED_FIT, cache_dir=Path(sys.argv[1]))
model = get_recipe("aws-user-personalization-v2").fit(successor_data(length=5), config)
print(json.dumps(model.training))
"""


def test_a_second_process_loads_the_compiled_steps_from_the_cache(
    tmp_path: Path, compile_cache: Path
) -> None:
    from services.local.models.recipes.sequence._sasrec_train import (
        forget_compiled,
        use_compile_cache,
    )

    cache = tmp_path / "compile-cache"
    forget_compiled()  # so this process compiles everything the fit runs, as a new one would
    try:
        config = TrainingConfig(hyperparameters=CACHED_FIT, cache_dir=cache)
        first = get_recipe(V2[0]).fit(successor_data(length=5), config).training
    finally:
        use_compile_cache(compile_cache)  # the module's other fits keep the run's cache
    entries = sorted(p.name for p in cache.iterdir())
    assert first["compile_cache_misses"] > 0 and first["compile_cache_hits"] == 0
    assert len(entries) >= first["compile_cache_misses"]  # every compilation was kept
    done = subprocess.run(
        [sys.executable, "-c", _FIT_IN_A_NEW_PROCESS, str(cache)],
        capture_output=True, text=True, timeout=240, check=True,
    )  # fmt: skip
    second = json.loads(done.stdout.strip().splitlines()[-1])
    assert second["compile_cache_hits"] == first["compile_cache_misses"]
    assert second["compile_cache_misses"] == 0
    assert sorted(p.name for p in cache.iterdir()) == entries


def test_early_stopping_ends_before_the_epoch_cap() -> None:
    hp = {**TINY, "epochs": "1000"}
    model = get_recipe(V2[0]).fit(successor_data(), TrainingConfig(hyperparameters=hp))
    assert model.training["stopped"] == "early_stopping"
    assert model.training["best_epoch"] < model.training["epochs_run"] < 1000


def test_update_adds_new_items_and_keeps_the_network(
    clusters: SequenceModel, tmp_path: Path
) -> None:
    recipe = get_recipe(V2[0])
    data = toy_data()
    extra = frame([("new-user", i, 2_000_000_000 + k) for k, i in enumerate(["a0", "a1", "fresh"])])
    updated = recipe.update(
        clusters,
        TrainingData(pd.concat([data.interactions, extra.interactions]), data.items),
        TrainingConfig(hyperparameters=TINY),
    )
    assert list(updated.item_ids[: len(clusters.item_ids)]) == list(clusters.item_ids)
    assert updated.item_ids[-1] == "fresh"
    assert updated.params["item_emb"].shape == (43, 16)
    path = tmp_path / "updated.npz"
    updated.save(path)
    with np.load(path) as npz:  # plain arrays: numpy's loader refuses object arrays
        assert all(npz[k].dtype != object for k in npz.files)
    assert recipe.load(path).training == updated.training


def test_serving_a_saved_model_never_imports_jax(clusters: SequenceModel, tmp_path: Path) -> None:
    path = tmp_path / "v2.npz"
    clusters.save(path)
    script = (
        "import sys\n"
        "from services.local.models.recipes import get_recipe\n"
        f"m = get_recipe('{V2[0]}').load(__import__('pathlib').Path(sys.argv[1]))\n"
        "s = m.score_user(None, ['a3', 'a7'])\n"
        "print(s.shape[0], 'jax' in sys.modules, 'optax' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
        timeout=120,
    )
    assert out.stdout.split() == ["41", "False", "False"]


def test_batches_hold_every_window_once_in_the_narrowest_width_that_fits() -> None:
    from services.local.models.recipes.sequence import _sasrec_train as train

    length = 8
    widths = {-(-length * i // train.BUCKETS) for i in range(1, train.BUCKETS + 1)}
    real = [1, 2, 3, 4, 5, 8, 8, 7, 2, 2, 2, 6, 4]
    x = np.zeros((len(real), length), dtype=np.int32)
    for row, n in enumerate(real):
        x[row, length - n :] = 5
    out = train.batches(x, rows_at_full_length=2, rng=np.random.default_rng(0))
    seen = np.concatenate([chosen[chosen >= 0] for chosen, _ in out])
    assert sorted(seen.tolist()) == list(range(len(real)))
    for chosen, width in out:
        assert width in widths
        assert len(chosen) == 2 * length // width  # about 2 × 8 positions per batch
        members = chosen[chosen >= 0]
        assert all(real[m] <= width for m in members)
        # the narrowest width: no window would fit a narrower one
        assert all(real[m] > max([w for w in widths if w < width], default=0) for m in members)
    assert len(out) > 1 and len({width for _, width in out}) == len(widths)


def test_negatives_follow_a_damped_popularity_and_every_item_can_be_drawn() -> None:
    from services.local.models.recipes.sequence import _sasrec_train as train

    y = np.array([[1, 1, 1, 2], [0, 1, 3, 3]], dtype=np.int32)
    w = np.array([[1, 1, 1, 1], [0, 1, 1, 0]], dtype=np.float32)  # y=3 counted once
    q = train.sampling_distribution(y, w, n_items=4)
    counts = np.array([4, 1, 1, 0]) + 1.0  # targets per code 1..4, plus one
    expected = counts**train.SAMPLING_POWER / (counts**train.SAMPLING_POWER).sum()
    np.testing.assert_allclose(q, expected)
    assert q[3] > 0


@pytest.mark.parametrize("kind", ["sampled_softmax", "gbce"])
def test_a_sparse_step_updates_only_the_touched_rows_as_dense_adam_does(kind: str) -> None:
    """Large catalogues update only the embedding rows a batch reads (lazy Adam). On the first
    step every other row has zero moments, so dense Adam leaves it unchanged too: the two paths
    must give the same table, and the renumbered codes must point at the same rows (with either
    loss)."""
    import jax

    from services.local.models.recipes.sequence import _sasrec_train as train

    n_items, length, k = 2000, 4, 8
    rng = np.random.default_rng(5)
    params = init_params(n_items, 8, length, 1, seed=5)
    x = rng.integers(1, n_items + 1, (2, length)).astype(np.int32)
    x[0, :2] = 0  # a padded window
    y = np.roll(x, -1, axis=1)
    y[:, -1] = rng.integers(1, n_items + 1, 2)
    y[0, :2] = 0
    w = (y > 0).astype(np.float32)
    neg = rng.integers(1, n_items + 1, (2, k)).astype(np.int32)
    extra = np.zeros((2, k), dtype=np.float32)
    table_rows = 2048
    rows, lx, ly, lneg = train.touched_rows(x, y, neg, table_rows)
    assert rows is not None and rows[0] == 0 and len(rows) < table_rows // 2
    for local, codes in ((lx, x), (ly, y), (lneg, neg)):
        assert (rows[local] == codes).all()
    assert ((lx == 0) == (x == 0)).all()  # padding stays padding

    dense = {name: v for name, v in params.items() if name != "item_emb"}
    table = np.zeros((table_rows, 8), dtype=np.float32)
    table[: n_items + 1] = params["item_emb"]
    key = jax.random.PRNGKey(0)
    out = []
    for r, a, b, c in ((None, x, y, neg), (rows, lx, ly, lneg)):
        state = train._optimizer().init(dense)
        zeros = np.zeros_like(table)
        result = train._step(kind)(
            dense,
            state,
            table.copy(),
            zeros,
            zeros.copy(),
            np.float32(1),
            r,
            a,
            b,
            w,
            c,
            key,
            extra,
            np.float32(0.5),
        )
        out.append(np.asarray(result[2]))
    np.testing.assert_allclose(out[1], out[0], atol=1e-6)
    changed = np.flatnonzero(np.abs(out[1] - table).sum(axis=1) > 0)
    assert set(changed) <= set(rows.tolist()) and len(changed) > 2 * k
    # the small catalogues of MovieLens and the shop still take the dense path
    assert train.touched_rows(x, y, neg, table_rows=48)[0] is None


def test_gbce_beta_follows_the_gsasrec_formula() -> None:
    from services.local.models.recipes.sequence._sasrec_train import gbce_beta

    # MovieLens latest-small: α = 256 / 9,723; β = α·(0.75·(1 − 1/α) + 1/α) = 1 − 0.75·(1 − α)
    alpha = 256 / 9723
    assert gbce_beta(256, 9724, 0.75) == pytest.approx(0.25 + 0.75 * alpha)
    assert gbce_beta(256, 9724, 0.75) == pytest.approx(0.26975, abs=1e-5)
    assert gbce_beta(256, 9724, 0.0) == pytest.approx(1.0)  # t = 0: plain BCE
    assert gbce_beta(256, 9724, 1.0) == pytest.approx(alpha)  # t = 1: β = α
    assert gbce_beta(3, 4, 0.75) == pytest.approx(1.0)  # every other item drawn: α = 1


def _gbce_by_hand(pos: np.ndarray, negs: np.ndarray, w: np.ndarray, beta: float) -> float:
    """−(log σ(s⁺)^β + Σ log(1 − σ(s⁻))) / (k + 1) per position, weighted mean (numpy)."""
    sigmoid = 1.0 / (1.0 + np.exp(-np.asarray(negs, dtype=np.float64)))
    pos_sig = 1.0 / (1.0 + np.exp(-np.asarray(pos, dtype=np.float64)))
    per = -(beta * np.log(pos_sig) + np.log(1.0 - sigmoid).sum(axis=-1)) / (negs.shape[-1] + 1)
    return float((per * w).sum() / w.sum())


def test_gbce_loss_of_two_positions_with_two_negatives_by_hand() -> None:
    from services.local.models.recipes.sequence._sasrec_train import gbce_loss

    pos = np.array([2.0, -1.0])
    negs = np.array([[0.5, -3.0], [1.0, 0.0]])
    w = np.array([1.0, 0.5])
    beta = 0.3
    # position 1: −(0.3·log σ(2) + log(1 − σ(0.5)) + log(1 − σ(−3))) / 3
    #           = (0.3·0.126928 + 0.974077 + 0.048587) / 3 = 0.353581
    # position 2: (0.3·1.313262 + 1.313262 + 0.693147) / 3 = 0.800129
    # weighted: (0.353581 + 0.5·0.800129) / 1.5 = 0.502430
    expected = _gbce_by_hand(pos, negs, w, beta)
    assert expected == pytest.approx(0.502430, abs=1e-6)
    valid = np.ones((2, 2), dtype=bool)
    assert gbce_loss(np, pos, negs, valid, w, beta) == pytest.approx(expected, rel=1e-12)
    # a draw equal to the positive is left out of the sum; k + 1 = 3 stays the divisor
    valid[1, 0] = False
    left_out = (0.3 * 1.313262 + 0.693147) / 3
    assert gbce_loss(np, pos, negs, valid, w, beta) == pytest.approx(
        (0.353581 + 0.5 * left_out) / 1.5, abs=1e-6
    )


def test_the_training_loss_is_gbce_of_the_networks_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    """The jitted training loss with gBCE, dropout off, equals the hand formula applied to the
    numpy network's scores of the positive and of each window's two negatives."""
    import jax

    from services.local.models.recipes.sequence import _sasrec_train as train
    from services.local.models.recipes.sequence._sasrec_net import encode

    monkeypatch.setattr(train, "DROPOUT", 0.0)
    rng = np.random.default_rng(3)
    params = init_params(n_items=6, dim=8, length=3, layers=1, seed=3)
    params = {k: (v + rng.normal(0, 0.3, v.shape)).astype(np.float32) for k, v in params.items()}
    params["item_emb"][0] = 0.0
    x = np.array([[0, 1, 2], [3, 4, 5]], dtype=np.int32)
    y = np.array([[0, 2, 3], [4, 5, 6]], dtype=np.int32)
    w = np.array([[0.0, 1.0, 0.5], [1.0, 1.0, 1.0]], dtype=np.float32)
    neg = np.array([[5, 3], [1, 2]], dtype=np.int32)  # window 0's 3 is position 3's positive
    extra = np.zeros((2, 2), dtype=np.float32)
    beta = 0.27
    got = train._loss(params, x, y, w, neg, jax.random.PRNGKey(0), extra, beta, kind="gbce")

    h = encode(np, params, x).astype(np.float64)
    emb = params["item_emb"].astype(np.float64)
    pos = np.einsum("bld,bld->bl", h, emb[y])
    negs = np.einsum("bld,bkd->blk", h, emb[neg])
    per_pos = []
    for b in range(2):
        for t in range(3):
            if w[b, t] == 0:
                continue
            kept = [s for s, code in zip(negs[b, t], neg[b], strict=True) if code != y[b, t]]
            loss = -(beta * np.log(1 / (1 + np.exp(-pos[b, t]))))
            loss -= sum(np.log(1 - 1 / (1 + np.exp(-s))) for s in kept)
            per_pos.append((loss / 3, w[b, t]))
    expected = sum(v * wt for v, wt in per_pos) / sum(wt for _, wt in per_pos)
    assert float(got) == pytest.approx(expected, rel=1e-4)


def test_full_softmax_loss_of_two_positions_by_hand() -> None:
    from services.local.models.recipes.sequence._sasrec_net import MASKED
    from services.local.models.recipes.sequence._sasrec_train import full_softmax_loss

    # position 1: scores 1, 2, 3, the positive scores 2: ln(e + e² + e³) − 2 = 1.407606;
    # position 2: three items at 0 and a masked row (not a catalogue item): ln 3 = 1.098612;
    # weights 1 and 0.5; a padding position (weight 0) whatever its scores adds nothing
    logits = np.array([[1.0, 2.0, 3.0, MASKED], [0.0, 0.0, MASKED, 0.0], [9.0, 0.0, 0.0, 0.0]])
    pos = np.array([2.0, 0.0, 0.0])
    w = np.array([1.0, 0.5, 0.0])
    expected = (1.407606 + 0.5 * 1.098612) / 1.5  # 1.304608
    assert full_softmax_loss(np, logits, pos, w) == pytest.approx(expected, abs=1e-6)


def test_sampled_softmax_loss_corrects_each_negative_by_log_k_q() -> None:
    from services.local.models.recipes.sequence._sasrec_train import sampled_softmax_loss

    # positive 1; negatives 1 and 2 with log(k·q) = ln 2 and 0: the first counts as
    # e^(1 − ln 2) = e/2, so ln(e + e/2 + e²) − 1 = 1.439428
    pos = np.array([1.0])
    negs = np.array([[1.0, 2.0]])
    log_kq = np.array([[np.log(2.0), 0.0]])
    valid = np.array([[True, True]])
    w = np.array([1.0])
    loss = sampled_softmax_loss(np, pos, negs, valid, log_kq, w)
    assert loss == pytest.approx(1.439428, abs=1e-6)
    # the second draw is the positive itself: left out, ln(e + e/2) − 1 = ln 1.5
    valid[0, 1] = False
    loss = sampled_softmax_loss(np, pos, negs, valid, log_kq, w)
    assert loss == pytest.approx(0.405465, abs=1e-6)


@pytest.mark.parametrize("negatives", ["full", "per_window", "shared"])
def test_the_training_loss_is_the_softmax_of_the_networks_scores(
    monkeypatch: pytest.MonkeyPatch, negatives: str
) -> None:
    """The jitted training loss, dropout off, equals cross-entropy written out in float64 over
    the numpy network's scores: over every catalogue item (full softmax; the padding row and
    the table rows past the catalogue left out) or over the negatives with their log(k·q)
    correction (sampled softmax), each window's own or one set shared by the batch."""
    import jax

    from services.local.models.recipes.sequence import _sasrec_train as train
    from services.local.models.recipes.sequence._sasrec_net import encode

    monkeypatch.setattr(train, "DROPOUT", 0.0)
    rng = np.random.default_rng(4)
    params = init_params(n_items=6, dim=8, length=3, layers=1, seed=4)
    params = {k: (v + rng.normal(0, 0.3, v.shape)).astype(np.float32) for k, v in params.items()}
    params["item_emb"][0] = 0.0
    # two table rows past the catalogue's 6 items (the table is rounded up while training)
    past = rng.normal(0, 1, (2, 8))
    params["item_emb"] = np.vstack([params["item_emb"], past]).astype(np.float32)
    x = np.array([[0, 1, 2], [3, 4, 5]], dtype=np.int32)
    y = np.array([[0, 2, 3], [4, 5, 6]], dtype=np.int32)
    w = np.array([[0.0, 1.0, 0.5], [1.0, 1.0, 1.0]], dtype=np.float32)
    neg = np.array([[5, 3], [1, 2]], dtype=np.int32)  # window 0's 3 is position 3's positive
    log_kq = np.array([[0.2, -0.4], [0.0, 0.7]], dtype=np.float32)
    in_catalogue = (np.arange(9) >= 1) & (np.arange(9) <= 6)
    key = jax.random.PRNGKey(0)
    full = negatives == "full"
    if negatives == "shared":
        # both windows get window 0's draws: 3 is position 3's positive there, a negative here
        neg, log_kq = np.repeat(neg[:1], 2, axis=0), np.repeat(log_kq[:1], 2, axis=0)
    if full:
        got = train._loss(params, x, y, w, None, key, in_catalogue, 0.0)
    elif negatives == "shared":
        got = train._loss(params, x, y, w, neg[0], key, log_kq[0], 0.0)
    else:
        got = train._loss(params, x, y, w, neg, key, log_kq, 0.0)

    h = encode(np, params, x).astype(np.float64)
    emb = params["item_emb"].astype(np.float64)
    total = weights = 0.0
    for b in range(2):
        for t in range(3):
            if w[b, t] == 0:
                continue
            s_pos = h[b, t] @ emb[y[b, t]]
            if full:
                others = [h[b, t] @ emb[j] for j in range(1, 7)]  # the positive among them
            else:
                others = [s_pos] + [
                    h[b, t] @ emb[code] - c
                    for code, c in zip(neg[b], log_kq[b], strict=True)
                    if code != y[b, t]
                ]
            total += w[b, t] * (np.log(np.sum(np.exp(others))) - s_pos)
            weights += w[b, t]
    assert float(got) == pytest.approx(total / weights, rel=1e-4)


def test_cooccurrence_ppmi_by_hand() -> None:
    from services.local.models.recipes.sequence._sasrec_train import cooccurrence_ppmi

    # codes 1..4 (items 0..3); item 3 never occurs; padding (w = 0) pairs with nothing
    y = np.array([[0, 1, 2, 3], [0, 0, 1, 2]], dtype=np.int32)
    w = (y > 0).astype(np.float32)
    # window 1: pairs 1-2 (twice), 2-3, both ways: c12 = 2, c23 = 1; C = 6, c1 = 2, c2 = 3,
    # c3 = 1: PMI(1,2) = log(2·6 / (2·3)) = log 2, PMI(2,3) = log(1·6 / (3·1)) = log 2
    ppmi, paired = cooccurrence_ppmi(y, w, n_items=4, window=1)
    expected = np.zeros((4, 4))
    expected[0, 1] = expected[1, 0] = expected[1, 2] = expected[2, 1] = np.log(2)
    np.testing.assert_allclose(ppmi.toarray(), expected)
    assert paired.tolist() == [True, True, True, False]
    # window 2 adds 1-3: c13 = 1; C = 8, c1 = c2 = 3, c3 = 2:
    # PMI(1,2) = log(16/9), PMI(2,3) = PMI(1,3) = log(8/6)
    ppmi, _ = cooccurrence_ppmi(y, w, n_items=4, window=2)
    expected = np.zeros((4, 4))
    expected[0, 1] = expected[1, 0] = np.log(16 / 9)
    expected[1, 2] = expected[2, 1] = expected[0, 2] = expected[2, 0] = np.log(8 / 6)
    np.testing.assert_allclose(ppmi.toarray(), expected)
    # two items always apart: negative PMI is cut to 0
    y = np.array([[1, 2], [3, 4], [3, 4], [3, 4]], dtype=np.int32)
    ppmi, _ = cooccurrence_ppmi(y, (y > 0).astype(np.float32), n_items=4, window=1)
    # c12 = 1, c34 = 3; C = 8, c1 = c2 = 1, c3 = c4 = 3: log(8) and log(24/9) > 0
    assert ppmi[0, 1] == pytest.approx(np.log(8)) and ppmi[2, 3] == pytest.approx(np.log(24 / 9))
    assert ppmi[0, 2] == 0


def test_cooccurrence_embeddings_factorise_the_ppmi() -> None:
    from services.local.models.recipes.sequence._sasrec_train import (
        cooccurrence_embeddings,
        cooccurrence_ppmi,
    )

    rng = np.random.default_rng(4)
    y = rng.integers(1, 9, size=(30, 6)).astype(np.int32)  # codes 1..8; item 8 (code 9) unseen
    w = (y > 0).astype(np.float32)
    emb = cooccurrence_embeddings(y, w, n_items=9, dim=16, window=2, seed=0)
    assert emb.shape == (10, 16) and emb.dtype == np.float32
    assert not emb[0].any() and not emb[9].any()  # padding and the unseen item
    assert np.sqrt(np.mean(emb[1:9] ** 2)) == pytest.approx(1.0, rel=1e-5)
    # every singular value kept: E Eᵀ is |PPMI| (eigenvalues' absolute values), up to the scale
    ppmi = cooccurrence_ppmi(y, w, 9, 2)[0].toarray()
    vals, vecs = np.linalg.eigh(ppmi)
    absolute = (vecs * np.abs(vals)) @ vecs.T
    gram = emb[1:].astype(np.float64) @ emb[1:].T
    np.testing.assert_allclose(gram / gram.max(), absolute / absolute.max(), atol=1e-5)


def test_a_pmi_start_puts_items_seen_together_close() -> None:
    from services.local.models.recipes.sequence import _sasrec_train as train

    idx = index(toy_data(), TrainingConfig())
    data = windows(idx, V2Settings(length=12), seed=0)
    random = init_params(len(idx.item_ids), 16, 12, 2, seed=0)["item_emb"]
    assert V2Settings().cooccurrence_start == 0.0
    assert train.initial_embeddings(random, data, 0, 0.0) is random
    start = train.initial_embeddings(random, data, 0, 0.1)
    extra = train.cooccurrence_embeddings(
        data.y, data.w, len(idx.item_ids), 16, train.PMI_WINDOW, 0
    )
    np.testing.assert_allclose(start, random + 0.1 * extra, rtol=1e-6, atol=1e-7)
    assert start.shape == random.shape and start.dtype == np.float32
    assert not start[0].any()  # padding stays zero
    code = {str(item): i + 1 for i, item in enumerate(idx.item_ids)}

    def cos(a: str, b: str) -> float:
        u, v = start[code[a]], start[code[b]]
        return float(u @ v / np.linalg.norm(u) / np.linalg.norm(v))

    # the clusters' users never mix them: same-cluster items start closer than cross-cluster
    same = np.mean([cos(f"a{i}", f"a{j}") for i in range(5) for j in range(5) if i != j])
    cross = np.mean([cos(f"a{i}", f"b{j}") for i in range(5) for j in range(5)])
    assert same > 0.3 > cross
    # and a fit from that start, asked for by the hyperparameter, still learns the clusters
    hp = {**TINY, "epochs": "3", "cooccurrence_start": "0.1"}
    model = get_recipe(V2[0]).fit(toy_data(), TrainingConfig(hyperparameters=hp))
    assert model.training["cooccurrence_start"] == 0.1
    assert set(top(model, model.score_user(None, ["a3", "a7", "a1"]), 10)) <= set(CLUSTER_A)


def test_cooccurrence_start_is_read_bounded_and_starts_the_fit() -> None:
    """The hyperparameter is checked against its described range and is what the fit starts
    from: one epoch of training moves the embeddings by at most a few steps of
    LEARNING_RATE each, so a fit started at 1.0 ends with embeddings far larger than one
    started at 0 (N(0, 0.02) entries)."""
    settings = settings_from(TrainingConfig(hyperparameters={"cooccurrence_start": "0.5"}))
    assert settings.cooccurrence_start == 0.5
    for bad in ("-0.01", "1.5", "nan", "some"):
        with pytest.raises(TrainingError, match="cooccurrence_start"):
            settings_from(TrainingConfig(hyperparameters={"cooccurrence_start": bad}))
    described = {p.name: p for p in algorithm_parameters(V2[0])}["cooccurrence_start"]
    assert (described.default, described.low, described.high) == ("0.0", 0.0, 1.0)
    rms = []
    for start in ("0", "1"):
        hp = {**TINY, "epochs": "1", "cooccurrence_start": start}
        model = get_recipe(V2[0]).fit(toy_data(), TrainingConfig(hyperparameters=hp))
        assert model.training["cooccurrence_start"] == float(start)
        rms.append(float(np.sqrt(np.mean(model.params["item_emb"][1:] ** 2))))
    assert rms[0] < 0.2 < 0.5 < rms[1]


def test_weight_decay_shrinks_weight_matrices_and_embeddings_by_lr_times_decay() -> None:
    """With a zero gradient Adam's step is 0/(0 + eps) = 0, so one AdamW step leaves exactly
    the decoupled decay: weight · (1 − lr · weight_decay) for matrices and embedding rows,
    gains and biases unchanged; weight_decay 0 is plain Adam (nothing moves)."""
    import jax.numpy as jnp

    from services.local.models.recipes.sequence import _sasrec_train as train

    params = init_params(6, 4, 3, 1, seed=1)
    params["b0_ln1_g"] = np.full(4, 1.5, dtype=np.float32)
    params["b0_b1"] = np.full(4, 0.25, dtype=np.float32)
    dense = {k: jnp.asarray(v) for k, v in params.items() if k != "item_emb"}
    zeros = {k: jnp.zeros_like(v) for k, v in dense.items()}
    shrink = 1.0 - train.LEARNING_RATE * 2.0
    for decay, factor in ((2.0, shrink), (0.0, 1.0)):
        opt = train._optimizer(decay)
        updates, _ = opt.update(zeros, opt.init(dense), dense)
        for name, value in dense.items():
            moved = np.asarray(value + updates[name])
            expected = np.asarray(value) * (factor if value.ndim == 2 else 1.0)
            np.testing.assert_allclose(moved, expected, rtol=1e-6, err_msg=name)
        table = jnp.asarray(params["item_emb"])
        new, _, _ = train._adam_rows(table, 0 * table, 0 * table, 0 * table, 1.0, decay)
        np.testing.assert_allclose(np.asarray(new), params["item_emb"] * factor, rtol=1e-6)


def test_embedding_rows_follow_optax_adamw() -> None:
    """The embedding table's own AdamW (``_adam_rows``, also used row by row for large
    catalogues) takes the steps optax.adamw takes on the same gradients."""
    import jax.numpy as jnp
    import optax

    from services.local.models.recipes.sequence import _sasrec_train as train

    rng = np.random.default_rng(2)
    table = jnp.asarray(rng.standard_normal((5, 3)).astype(np.float32))
    reference = optax.adamw(train.LEARNING_RATE, weight_decay=0.7)
    ref_table, state = table, reference.init(table)
    m = v = jnp.zeros_like(table)
    for t in (1, 2, 3):
        g = jnp.asarray(rng.standard_normal((5, 3)).astype(np.float32))
        updates, state = reference.update(g, state, ref_table)
        ref_table = optax.apply_updates(ref_table, updates)
        table, m, v = train._adam_rows(table, m, v, g, np.float32(t), 0.7)
        np.testing.assert_allclose(np.asarray(table), np.asarray(ref_table), rtol=1e-5, atol=1e-7)


def test_weight_decay_is_read_bounded_and_reported() -> None:
    assert settings_from(TrainingConfig(hyperparameters={"weight_decay": "4"})).weight_decay == 4
    for bad in ("-0.1", "100.5", "nan", "a lot"):
        with pytest.raises(TrainingError, match="weight_decay"):
            settings_from(TrainingConfig(hyperparameters={"weight_decay": bad}))
    described = {p.name: p for p in algorithm_parameters(V2[0])}["weight_decay"]
    assert (described.low, described.high) == (0.0, 100.0)
    plain = get_recipe(V2[0]).fit(
        toy_data(), TrainingConfig(hyperparameters={**TINY, "epochs": "3"})
    )
    hp = {**TINY, "epochs": "3", "weight_decay": "100"}
    decayed = get_recipe(V2[0]).fit(toy_data(), TrainingConfig(hyperparameters=hp))
    assert decayed.training["weight_decay"] == 100.0
    assert plain.training["weight_decay"] == V2Settings().weight_decay
    # at lr 3e-3 a decay of 100 takes 30 % of every weight a step: the embeddings end smaller
    rms = [float(np.sqrt(np.mean(m.params["item_emb"][1:] ** 2))) for m in (plain, decayed)]
    assert rms[1] < 0.5 * rms[0]


def test_averaged_weights_by_hand() -> None:
    from services.local.models.recipes.sequence._sasrec_train import averaged

    w = {"a": np.array([2.0, 4.0], dtype=np.float32), "b": np.array([[1.0]], dtype=np.float32)}
    assert averaged(None, w, 0.8) is w  # the first epoch starts the mean
    mean = {"a": np.array([0.0, 1.0], dtype=np.float32), "b": np.array([[3.0]], dtype=np.float32)}
    assert averaged(mean, w, 0.0) is w  # 0 = the epoch's own weights
    out = averaged(mean, w, 0.75)  # 0.75 · mean + 0.25 · w
    np.testing.assert_allclose(out["a"], [0.5, 1.75])
    np.testing.assert_allclose(out["b"], [[2.5]])
    assert out["a"].dtype == np.float32


def test_weight_averaging_is_read_bounded_and_is_what_the_fit_returns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Averaging changes only which weights are validated and returned, not the steps: a fit
    without it gives each epoch's weights W1, W2, W3, and the same fit with decay 0.5 returns
    0.5 · (0.5 · W1 + 0.5 · W2) + 0.5 · W3. The validation score is made to rise every epoch
    so both fits return their last epoch's (averaged) weights."""
    from services.local.models.recipes.sequence import _sasrec_train as train

    assert (
        settings_from(TrainingConfig(hyperparameters={"weight_averaging": "0.9"})).weight_averaging
        == 0.9
    )
    for bad in ("-0.1", "1", "nan", "some"):
        with pytest.raises(TrainingError, match="weight_averaging"):
            settings_from(TrainingConfig(hyperparameters={"weight_averaging": bad}))
    described = {p.name: p for p in algorithm_parameters(V2[0])}["weight_averaging"]
    assert (described.default, described.low, described.high) == ("0.8", 0.0, 0.99)
    seen: list[dict[str, np.ndarray]] = []

    def rising(params: dict[str, np.ndarray], validation: object) -> float:
        seen.append({k: v.copy() for k, v in params.items()})
        return float(len(seen))

    monkeypatch.setattr(train, "validation_ndcg", rising)
    hp = {**TINY, "epochs": "3", "weight_averaging": "0"}
    plain = get_recipe(V2[0]).fit(toy_data(), TrainingConfig(hyperparameters=hp))
    w1, w2, w3 = seen
    assert plain.training["weight_averaging"] == 0.0
    np.testing.assert_array_equal(plain.params["item_emb"], w3["item_emb"])
    assert not np.allclose(w1["item_emb"], w3["item_emb"])  # the epochs moved the weights
    hp = {**hp, "weight_averaging": "0.5"}
    mean = get_recipe(V2[0]).fit(toy_data(), TrainingConfig(hyperparameters=hp))
    assert mean.training["weight_averaging"] == 0.5
    for name, value in mean.params.items():
        expected = 0.25 * w1[name] + 0.25 * w2[name] + 0.5 * w3[name]
        np.testing.assert_allclose(value, expected, rtol=1e-4, atol=1e-6, err_msg=name)
