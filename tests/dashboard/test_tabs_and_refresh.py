"""Every page with tabs keeps its tab in the URL, and every page that reads data has a Refresh
(issue #21): an action never throws the reader back to the first tab, and what was imported
since the last read shows after a Refresh, not only after the Data page's."""

from __future__ import annotations

import json

import pytest

from services.config import Settings
from services.personalize.clients import build_clients
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown
from tests.dashboard.test_korean_pages import visible_strings
from tests.dashboard.test_operations import tab_default

NOT_IN_ITEMS = "is not in the Items data"


@pytest.mark.parametrize(("tab", "index"), [("check", 3), ("prepare", 4), ("nope", 0)])
def test_a_link_opens_the_data_tab_it_names_and_a_refresh_keeps_it(
    seeded: Seeded, tab: str, index: int
) -> None:
    at = app_at()
    at.query_params["tab"] = tab
    at.switch_page("dashboard/pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert tab_default(at) == index
    at.button(key="data_refresh").click().run()  # an action reruns the page
    assert not at.exception, [e.value for e in at.exception]
    assert tab_default(at) == index


def test_the_data_tabs_in_korean_open_from_the_same_link(seeded: Seeded) -> None:
    at = app_at()
    at.session_state["language"] = "ko"
    at.query_params["tab"] = "prepare"
    at.switch_page("dashboard/pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert tab_default(at) == 4


def test_recommendations_refresh_names_an_item_imported_since(seeded: Seeded) -> None:
    at = app_at("dashboard/pages/recommendations.py")
    at.text_input(key="rec_sims_item").set_value("i900").run()
    assert any(NOT_IN_ITEMS in shown(c.value) for c in at.caption)
    clients = build_clients(Settings.from_env())
    clients.events.put_items(
        datasetArn=seeded.items,
        items=[
            {
                "itemId": "i900",
                "properties": json.dumps(
                    {"category": "cat9", "price": 12000.0, "creationTimestamp": 1_700_000_000}
                ),
            }
        ],
    )
    at.run()
    assert any(NOT_IN_ITEMS in shown(c.value) for c in at.caption)  # the snapshot is cached
    at.button(key="rec_refresh").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any(NOT_IN_ITEMS in shown(c.value) for c in at.caption)


@pytest.mark.parametrize(
    ("page", "key"),
    [
        ("dashboard/pages/solutions.py", "solutions_refresh"),
        ("dashboard/pages/operations.py", "operations_refresh"),
    ],
)
def test_every_page_that_reads_has_a_refresh(seeded: Seeded, page: str, key: str) -> None:
    at = app_at()
    at.query_params["tab"] = "deploy"
    at.switch_page(page).run()
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    if page.endswith("operations.py"):
        assert tab_default(at) == 1  # still on Deploy after the refresh


REC = "dashboard/pages/recommendations.py"


@pytest.mark.parametrize(
    ("tab", "mode"),
    [
        ("compare", "Compare two campaigns"),
        ("version", "A version without a campaign"),
        ("nope", "One campaign"),
    ],
)
def test_a_link_opens_the_recommendations_view_it_names(
    seeded: Seeded, tab: str, mode: str
) -> None:
    """Recommendations' views (one campaign, two side by side, a version) are its tabs: a link
    opens the one it names, in either language; a hand-typed unknown one opens the first."""
    at = app_at()
    at.session_state["language"] = "ko"
    at.query_params["tab"] = tab
    at.switch_page(REC).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="rec_mode").value == mode
    if tab == "compare":  # the view itself, not only the radio: campaigns A and B
        assert at.selectbox(key="rec_b2").value == "shop-pop-campaign (aws-popularity-count)"


def test_switching_the_recommendations_view_puts_it_in_the_url(seeded: Seeded) -> None:
    at = app_at(REC)
    at.radio(key="rec_mode").set_value("Compare two campaigns").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["tab"] == "compare"
    at.button(key="rec_refresh").click().run()  # an action reruns the page: the view stays
    assert at.radio(key="rec_mode").value == "Compare two campaigns"
    assert at.query_params["tab"] == "compare"


REFRESHES = {
    "dashboard/pages/overview.py": "overview_refresh",
    "dashboard/pages/data.py": "data_refresh",
    "dashboard/pages/solutions.py": "solutions_refresh",
    "dashboard/pages/recommendations.py": "rec_refresh",
    "dashboard/pages/experiments.py": "experiments_refresh",
    "dashboard/pages/operations.py": "operations_refresh",
}


@pytest.mark.parametrize("page", REFRESHES)
def test_every_page_shows_what_changed_after_its_refresh(seeded: Seeded, page: str) -> None:
    """A dataset group created elsewhere (the CLI, another dashboard) while the page is open:
    the page's cached lists do not have it, its Refresh shows it (in the group picker or the
    workspace's list)."""
    at = app_at(page)
    p = build_clients(Settings.from_env()).personalize
    p.create_dataset_group(name="late-shop")
    at.run()
    assert not any("late-shop" in text for _where, text in visible_strings(at))  # cached
    at.button(key=REFRESHES[page]).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("late-shop" in text for _where, text in visible_strings(at)), page
