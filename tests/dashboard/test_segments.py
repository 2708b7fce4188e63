"""Who should get this? (issue #21, item 4) on the seeded shop: user u mostly views items of
cluster u % 3, and items i0-i29 are cluster 0 with CATEGORY cat0 (tests/local/workspace.py)."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components.formatting import short_id
from services.config import Settings
from services.evaluation import segments as seg
from services.personalize.clients import build_clients
from services.store.tables import Store
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown
from tests.local.workspace import train

PAGE = "dashboard/pages/recommendations.py"


def test_query_lines_are_what_the_recipes_read() -> None:
    assert seg.query_line(seg.ITEM_AFFINITY, " i7 ") == {"itemId": "i7"}
    assert seg.query_line(seg.ATTRIBUTE_AFFINITY, '텐트 "大"', "CATEGORY") == {
        "itemAttributes": 'ITEMS.CATEGORY = "텐트 \\"大\\""'
    }
    with pytest.raises(ValueError, match="letters"):
        seg.query_line(seg.ATTRIBUTE_AFFINITY, "x", "CATEGORY = 1 OR")
    with pytest.raises(ValueError, match="does not segment"):
        seg.query_line("aws-sims", "i1")


def _sample(at: AppTest) -> list[str]:
    frames = [d.value for d in at.dataframe if "user ID" in d.value.columns]
    return list(frames[0].iloc[:, 1]) if frames else []


def _ask(at: AppTest, version_arn: str, fill: Callable[[AppTest], None]) -> AppTest:
    box = at.selectbox(key="seg_v")
    box.select(next(o for o in box.options if short_id(version_arn) in o)).run()
    fill(at)
    at.number_input(key="seg_count").set_value(10).run()
    at.button(key="seg_start").click().run()
    at.button(key="seg_start_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    deadline = time.monotonic() + 60
    while not _sample(at) and time.monotonic() < deadline:
        assert not at.error, [shown(e.value) for e in at.error]
        time.sleep(0.5)
        at.run()
    return at


def test_the_users_who_want_a_cluster_item_are_that_clusters_users(
    seeded: Seeded, downloads: Callable[[], dict[str, bytes]]
) -> None:
    clients = build_clients(Settings.from_env())
    _, by_item = train(clients, seeded.group, "shop-affinity", "aws-item-affinity")
    _, by_value = train(clients, seeded.group, "shop-attributes", "aws-item-attribute-affinity")
    at = app_at(PAGE)

    def item(at: AppTest) -> None:
        at.text_input(key="seg_item").input("i3").run()

    at = _ask(at, by_item, item)
    users = _sample(at)
    assert len(users) == 10
    # i3 is a cluster-0 item: users u0, u3, u6 … view cluster 0 nine times in ten
    assert sum(int(u[1:]) % 3 == 0 for u in users) >= 9, users
    assert any("**10** users" in m.value for m in at.markdown)
    csv = downloads()["segment.csv"]
    assert csv.startswith(b"\xef\xbb\xbf")  # a BOM for Excel
    frame = pd.read_csv(io.BytesIO(csv[3:]), dtype=str)
    assert list(frame["user_id"]) == users and list(frame["rank"]) == [str(k) for k in range(1, 11)]
    row = Store(Settings.from_env().dashboard_db_url).recent_actions()[0]
    assert (row.action, row.result) == ("create_batch_segment_job", "ok")

    def category(at: AppTest) -> None:
        at.text_input(key="seg_value").input("cat2").run()

    at = _ask(at, by_value, category)
    users = _sample(at)
    assert sum(int(u[1:]) % 3 == 2 for u in users) >= 9, users


def test_a_viewer_cannot_start_a_segment_job(seeded: Seeded) -> None:
    from tests.dashboard.test_playground import viewer_on_page

    clients = build_clients(Settings.from_env())
    train(clients, seeded.group, "shop-affinity", "aws-item-affinity")
    at = viewer_on_page()
    at.text_input(key="seg_item").input("i3").run()
    assert at.button(key="seg_start").disabled
    at.session_state["seg_confirm"] = True  # a forged confirmation
    at.run()
    at.button(key="seg_start_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(shown(e.value).startswith("Not allowed: vera") for e in at.error)
    assert "seg_job" not in at.session_state
    row = Store(Settings.from_env().dashboard_db_url).recent_actions()[0]
    assert (row.actor, row.action, row.result) == ("vera", "create_batch_segment_job", "error")
