"""Apply by dependency level (every change of a level started together, one wait per level)
and the order's cycle check."""

from __future__ import annotations

from graphlib import CycleError
from pathlib import Path
from typing import Any

import pytest

from services.config import Settings
from services.local.engine import reset_engines
from services.personalize.clients import Clients
from services.setup_file.export import to_toml
from services.setup_file.references import KINDS, levels, order_of
from services.setup_file.state import read_account
from tests.setup_file.conftest import fresh_engine
from tests.setup_file.test_apply import apply_text, pending


def test_levels_of_the_small_shop(small_shop: Clients) -> None:
    setup = read_account(small_shop.personalize).setup
    got = levels(setup)
    assert got[("schemas", "shop-interactions")] == 0
    assert got[("dataset_groups", "shop")] == 0
    assert got[("datasets", "shop-interactions")] == 1  # its group and schema
    assert got[("event_trackers", "shop-tracker")] == 1  # its group only
    assert got[("filters", "no-views")] == 2  # the group's datasets
    assert got[("solutions", "pop")] == 2
    assert got[("campaigns", "pop-campaign")] == 3  # its solution


def test_apply_starts_a_level_together_and_waits_once_for_it(
    small_shop: Clients, settings: Settings, tmp_path: Path
) -> None:
    text = to_toml(read_account(small_shop.personalize).setup)
    other = fresh_engine(settings, tmp_path)
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    other.personalize.meta.events.register("before-call.personalize.*", record)
    try:
        apply_text(other, text)
        assert pending(other, text) == []
    finally:
        reset_engines()
    made = [c for c in calls if c.startswith(("Create", "Update"))]

    def span(names: tuple[str, ...]) -> tuple[list[str], int]:
        """The calls from the first of ``names`` to the last of them, and the last's place."""
        at = [i for i, c in enumerate(calls) if c in names]
        return calls[at[0] : at[-1] + 1], at[-1]

    # level 1: the dataset and the tracker are both created before either is read
    level1, _ = span(("CreateDataset", "CreateEventTracker"))
    assert not [c for c in level1 if c.startswith("Describe")], level1
    # level 2: the filter and both solutions, created with no read in between
    level2, end = span(("CreateFilter", "CreateSolution"))
    assert level2.count("CreateSolution") == 2 and "CreateFilter" in level2
    assert not [c for c in level2 if c.startswith("Describe")], level2
    # and the level's waits read them together: after the last create, each is read
    # before any is read twice
    after = calls[end + 1 :]
    first_round = after[:3]
    assert sorted(first_round) == ["DescribeFilter", "DescribeSolution", "DescribeSolution"]
    # the creates come in level order: groups, datasets, import, then filters and solutions
    assert made.index("CreateDatasetImportJob") < made.index("CreateFilter")
    assert made.index("CreateSolutionVersion") < made.index("CreateCampaign")


def test_the_order_refuses_a_cyclic_graph_naming_the_cycle() -> None:
    graph = {
        ("filters", "a"): {("solutions", "b")},
        ("solutions", "b"): {("campaigns", "c")},
        ("campaigns", "c"): {("filters", "a")},
    }
    with pytest.raises(CycleError) as err:
        order_of(graph)
    assert set(err.value.args[1]) == set(graph)


def test_file_references_point_only_to_earlier_kinds() -> None:
    """Why a file cannot form a cycle: every reference goes to a kind listed earlier."""
    kinds = list(KINDS)
    for kind, refs in KINDS.items():
        for target in refs.values():
            assert kinds.index(target) < kinds.index(kind), (kind, target)
