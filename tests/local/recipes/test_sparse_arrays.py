"""Sparse matrices in model files: one layout for every recipe, the files written before it
still load, and damaged member sets are refused on load as a corrupt model file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from services.local.data.storage.faults import StorageFault
from services.local.models.recipes.base import save_npz
from services.local.models.recipes.items.item_knn import ItemKnnModel
from services.local.models.recipes.items.similar_items import SimilarItemsModel
from services.local.models.recipes.saved.sparse_arrays import (
    SparseArraysError,
    csr_arrays,
    csr_from_arrays,
)
from services.local.models.recipes.training_data.indexed_events import Indexed
from services.local.models.recipes.users._up_model import UPParams, UserPersonalizationModel
from services.local.models.recipes.users.user_personalization import histories
from services.local.models.training import load_model

ITEMS = np.array(["a", "b", "c"], dtype=object)
POPULARITY = np.array([3.0, 2.0, 1.0])


def csr(data: list[float], indices: list[int], indptr: list[int], shape: tuple[int, int]):
    return sp.csr_matrix(
        (np.array(data, np.float32), np.array(indices, np.int32), np.array(indptr, np.int64)),
        shape=shape,
    )


# a·b, a·c, b·a: row 0 has its columns out of order and an explicit zero, row 2 is empty
SIM = csr([0.5, 0.0, 0.25], [2, 1, 0], [0, 2, 3, 3], (3, 3))


def stored(path: Path) -> dict[str, tuple[str, list[float]]]:
    """Member → (dtype, values) of an .npz, read with numpy alone."""
    with np.load(path) as npz:
        return {k: (str(npz[k].dtype), npz[k].ravel().tolist()) for k in npz.files}


@pytest.mark.parametrize(
    "m",
    [
        csr([], [], [0], (0, 0)),
        csr([], [], [0, 0, 0], (2, 5)),
        csr([7.5], [0], [0, 1], (1, 1)),
        SIM,
    ],
    ids=["0x0", "2x5-empty", "1x1", "explicit-zeros"],
)
@pytest.mark.parametrize("store_shape", [True, False])
def test_round_trip_keeps_shape_dtype_indices_and_data(
    tmp_path: Path, m: sp.csr_matrix, store_shape: bool
) -> None:
    path = tmp_path / "m.npz"
    save_npz(path, {}, **csr_arrays("m", m, store_shape=store_shape))
    with np.load(path) as npz:
        back = csr_from_arrays("m", dict(npz), None if store_shape else m.shape)
    assert back.shape == m.shape
    assert back.dtype == np.float32
    assert back.nnz == m.nnz  # explicit zeros are kept, not dropped
    assert back.indptr.tolist() == m.indptr.tolist()
    assert back.indices.tolist() == m.indices.tolist()  # unsorted columns stay as they were
    assert back.data.tolist() == m.data.tolist()


def test_members_are_named_and_typed_as_before() -> None:
    arrays = csr_arrays("sim", SIM)
    assert {k: (str(v.dtype), v.tolist()) for k, v in arrays.items()} == {
        "sim_data": ("float32", [0.5, 0.0, 0.25]),
        "sim_indices": ("int32", [2, 1, 0]),
        "sim_indptr": ("int64", [0, 2, 3, 3]),
        "sim_shape": ("int64", [3, 3]),
    }
    assert list(csr_arrays("sim", SIM, store_shape=False)) == [
        "sim_data",
        "sim_indices",
        "sim_indptr",
    ]


# --- each recipe family's file: the members written before the shared module --------------

SIM_MEMBERS = {
    "sim_data": ("float32", [0.5, 0.0, 0.25]),
    "sim_indices": ("int32", [2, 1, 0]),
    "sim_indptr": ("int64", [0, 2, 3, 3]),
}


def test_item_knn_file_keeps_its_members(tmp_path: Path) -> None:
    path = tmp_path / "sims.npz"
    ItemKnnModel("aws-sims", ITEMS, POPULARITY, SIM, 1).save(path)
    members = stored(path)
    assert list(members) == ["__header__", "item_ids", "popularity", *SIM_MEMBERS]
    assert {k: members[k] for k in SIM_MEMBERS} == SIM_MEMBERS


def test_similar_items_file_keeps_its_members(tmp_path: Path) -> None:
    path = tmp_path / "similar.npz"
    meta = np.eye(3, dtype=np.float32)
    SimilarItemsModel("aws-similar-items", ITEMS, POPULARITY, SIM, meta, 0.0).save(path)
    members = stored(path)
    assert list(members) == [
        "__header__",
        "item_ids",
        "popularity",
        "metadata",
        *SIM_MEMBERS,
        "sim_shape",
    ]
    assert {k: members[k] for k in SIM_MEMBERS} == SIM_MEMBERS
    assert members["sim_shape"] == ("int64", [3, 3])


def up_model(histories: sp.csr_matrix) -> UserPersonalizationModel:
    return UserPersonalizationModel(
        recipe_name="aws-user-personalization",
        item_ids=ITEMS,
        popularity=POPULARITY,
        params=UPParams(),
        neighbours=SIM,
        factors=None,
        transitions=csr([1.0], [1], [0, 1, 1, 1], (3, 3)),
        user_ids=np.array(["u0", "u1"], dtype=object),
        user_histories=histories,
    )


def history_rows(codes: list[list[int]], length: int) -> sp.csr_matrix:
    """Users' histories as the recipe stores them: item code + 1 in the last positions."""
    rows = [(u, length - len(h) + j, c + 1) for u, h in enumerate(codes) for j, c in enumerate(h)]
    u, col, data = (np.array([r[k] for r in rows], np.int64) for k in range(3))
    return sp.csr_matrix((data, (u, col)), shape=(len(codes), length), dtype=np.int64)


def test_user_personalization_file_keeps_its_members(tmp_path: Path) -> None:
    path = tmp_path / "up.npz"
    # u0 saw a then c (codes + 1 in history positions 0 and 1); u1 saw nothing
    ints = (np.array([1, 3], np.int64), np.array([0, 1], np.int32), np.array([0, 2, 2], np.int64))
    up_model(sp.csr_matrix(ints, shape=(2, 4))).save(path)
    members = stored(path)
    assert list(members) == [
        "__header__",
        "item_ids",
        "popularity",
        "user_ids",
        "transitions_data",
        "transitions_indices",
        "transitions_indptr",
        "histories_data",
        "histories_indices",
        "histories_indptr",
        "neighbours_data",
        "neighbours_indices",
        "neighbours_indptr",
    ]
    assert members["transitions_data"] == ("float32", [1.0])
    assert members["transitions_indices"] == ("int32", [1])
    assert members["transitions_indptr"] == ("int64", [0, 1, 1, 1])
    assert members["histories_data"] == ("int32", [1, 3])  # item codes + 1, exact
    assert members["histories_indices"] == ("int32", [0, 1])
    assert members["histories_indptr"] == ("int64", [0, 2, 2])
    assert {k.replace("neighbours", "sim"): members[k] for k in members if "neigh" in k} == (
        SIM_MEMBERS
    )


def old_knn_file(path: Path, **sim: np.ndarray) -> Path:
    """An aws-sims model file as written before the shared module (members by hand)."""
    save_npz(
        path,
        {"recipe_name": "aws-sims", "min_interactions": 1},
        item_ids=ITEMS,
        popularity=POPULARITY,
        **sim,
    )
    return path


GOOD_SIM = {
    "sim_data": np.array([0.5, 0.0, 0.25], np.float32),
    "sim_indices": np.array([2, 1, 0], np.int32),
    "sim_indptr": np.array([0, 2, 3, 3], np.int64),
}


def test_a_file_written_before_loads(tmp_path: Path) -> None:
    model = load_model("aws-sims", old_knn_file(tmp_path / "old.npz", **GOOD_SIM))
    assert isinstance(model, ItemKnnModel)
    assert model.similarity.toarray().tolist() == [[0.0, 0.0, 0.5], [0.25, 0, 0], [0, 0, 0]]
    # a's neighbours: c (0.5), then b, whose stored similarity is 0 (popularity breaks ties)
    scores = model.score_item("a")
    assert scores is not None and scores.argsort()[::-1].tolist() == [2, 1, 0]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"sim_indptr": np.array([0, 2, 3], np.int64)}, "index pointer size 3 should be 4"),
        ({"sim_indices": np.array([2, 3, 0], np.int32)}, "indices must be < 3"),
        ({"sim_indices": np.array([2, -1, 0], np.int32)}, "indices must be >= 0"),
        ({"sim_indptr": np.array([0, 3, 2, 3], np.int64)}, "non-decreasing"),
        ({"sim_indptr": np.array([1, 2, 3, 3], np.int64)}, "start with 0"),
        ({"sim_indptr": np.array([0, 2, 2, 2], np.int64)}, "indptr ends at 2 but there are 3"),
        ({"sim_data": np.array([0.5, 0.0], np.float32)}, "same size"),
        ({"sim_indices": np.array([2.0, 1.0, 0.0])}, "expected float and two integer"),
    ],
)
def test_mismatched_arrays_are_refused(tmp_path: Path, change: dict, why: str) -> None:
    with pytest.raises(SparseArraysError, match=f"sparse matrix 'sim': .*{why}"):
        csr_from_arrays("sim", {**GOOD_SIM, **change}, (3, 3))
    path = old_knn_file(tmp_path / "bad.npz", **{**GOOD_SIM, **change})
    with pytest.raises(StorageFault, match=r"The model file bad\.npz is corrupt .*: retrain\."):
        load_model("aws-sims", path)


@pytest.mark.parametrize(
    ("shape", "why"),
    [
        (None, "missing sim_shape"),
        (np.array([3, 3, 1], np.int64), "is not two sizes"),
        (np.array([3, -3], np.int64), "is not two sizes"),
        (np.array([3.0, 3.0]), "is not two sizes"),
        (np.array([3, 2], np.int64), "indices must be < 2"),
    ],
)
def test_a_bad_stored_shape_is_refused(shape: np.ndarray | None, why: str) -> None:
    arrays = dict(GOOD_SIM) if shape is None else {**GOOD_SIM, "sim_shape": shape}
    with pytest.raises(SparseArraysError, match=why):
        csr_from_arrays("sim", arrays)


# Item numbers above 2**24 (16,777,216): float32 holds only every second one from there, so
# a history stored as float32 came back naming the item next to the one the user saw. These
# codes + 1 are all odd, each one float32 would round (to 2**24, 2**24 + 4 and 40,000,004).
BIG_CODES = [2**24, 2**24 + 2, 40_000_002]


def test_history_item_numbers_above_2_24_survive_the_model_file(tmp_path: Path) -> None:
    """The recipe's own history builder, saved and loaded as a trained model is."""
    idx = Indexed(
        user_ids=np.array(["u0", "u1"], dtype=object),
        item_ids=ITEMS,  # only the codes matter here: no 40-million-item catalogue is built
        users=np.array([0, 0, 0, 1], np.int64),
        items=np.array([*BIG_CODES, 1], np.int64),
        timestamps=np.array([1, 2, 3, 1], np.int64),
        weights=np.ones(4),
    )
    path = tmp_path / "up.npz"
    up_model(histories(idx, 50)).save(path)
    assert stored(path)["histories_data"] == ("int32", [c + 1 for c in [*BIG_CODES, 1]])
    model = load_model("aws-user-personalization", path)
    assert isinstance(model, UserPersonalizationModel)
    assert model.known_history("u0") == BIG_CODES
    assert model.known_history("u1") == [1]
    assert model.user_histories.dtype.kind == "i"


def test_integer_data_beyond_int32_is_kept_as_int64() -> None:
    m = history_rows([[2**31 + 6]], 1)
    arrays = csr_arrays("histories", m, store_shape=False)
    assert arrays["histories_data"].dtype == np.int64
    back = csr_from_arrays("histories", arrays, (1, 1), integers=True)
    assert back.data.tolist() == [2**31 + 7]


def test_a_file_with_float32_histories_still_loads(tmp_path: Path) -> None:
    """Files written before histories kept integers: their codes (below 2**24) come back as
    integers."""
    path = tmp_path / "old.npz"
    up_model(history_rows([[0, 2], []], 4)).save(path)
    with np.load(path) as npz:
        members = dict(npz)
    header = json.loads(str(members.pop("__header__")))
    members["histories_data"] = members["histories_data"].astype(np.float32)
    save_npz(path, header, **members)
    assert stored(path)["histories_data"] == ("float32", [1.0, 3.0])
    model = load_model("aws-user-personalization", path)
    assert isinstance(model, UserPersonalizationModel)
    assert model.known_history("u0") == [0, 2]
    assert model.user_histories.dtype == np.int32


def test_histories_that_are_not_whole_numbers_are_refused(tmp_path: Path) -> None:
    arrays = csr_arrays("histories", history_rows([[0, 2]], 2), store_shape=False)
    arrays["histories_data"] = np.array([1.0, 2.5], np.float32)
    with pytest.raises(SparseArraysError, match="not whole numbers"):
        csr_from_arrays("histories", arrays, (1, 2), integers=True)
    # a float matrix is still refused integer data
    with pytest.raises(SparseArraysError, match="expected float and two integer"):
        csr_from_arrays("sim", {**GOOD_SIM, "sim_data": np.array([1, 0, 2], np.int32)}, (3, 3))
