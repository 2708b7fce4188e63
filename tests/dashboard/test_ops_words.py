"""Operations after the trials of issue #21 (s13b): the group chosen in one tab is the group
of every tab."""

from __future__ import annotations

import pytest

from services.config import Settings
from services.i18n import use_language
from services.personalize.clients import build_clients
from tests.dashboard.conftest import Seeded, page_in
from tests.local.workspace import wait_for

OPS = "dashboard/pages/operations.py"


@pytest.fixture(autouse=True)
def english_after() -> None:
    yield
    use_language("en")


def _second_group(name: str) -> str:
    p = build_clients(Settings.from_env()).personalize
    arn = p.create_dataset_group(name=name)["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=arn), "datasetGroup")
    return arn


def test_a_group_chosen_in_one_tab_is_the_group_of_the_others(seeded: Seeded) -> None:
    kshop = _second_group("kshop")
    at = page_in("en", OPS)
    assert at.selectbox(key="ns_group").value == seeded.group
    at.selectbox(key="nc_group").set_value(kshop).run()
    # New solution and Refresh follow the choice made in New campaign
    assert at.selectbox(key="ns_group").value == kshop
    assert at.selectbox(key="refresh_group").value == kshop
    at.selectbox(key="ns_group").set_value(seeded.group).run()
    assert [at.selectbox(key=k).value for k in ("nc_group", "refresh_group", "ns_group")] == [
        seeded.group
    ] * 3
