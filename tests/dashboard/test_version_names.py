"""One solution version reads the same on every page (issue #21): a trial met "version 1" in
the demo's output, `1a2b3c4d` on the Overview and Operations and `shop-up/1a2b3c4d` on
Solutions & metrics, and could not tell which was which. ``version_label`` is the one rule:
the solution's name and the version's ID, as the ARN holds them."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from services.personalize.models import version_label
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown

A = "arn:aws:personalize:us-east-1:000000000000"


def test_a_version_is_named_by_its_solution_and_id() -> None:
    assert version_label(f"{A}:solution/shop-up/1a2b3c4d") == "shop-up/1a2b3c4d"
    # other ARNs read as their last part, as before
    assert version_label(f"{A}:solution/shop-up") == "shop-up"
    assert version_label(f"{A}:campaign/shop-campaign") == "shop-campaign"


def _texts(at: AppTest) -> list[str]:
    """What a page shows as text: markdown, notes, picker options and table cells."""
    out = [
        shown(e.value)
        for kind in ("markdown", "caption", "info", "warning", "error", "success")
        for e in getattr(at, kind)
    ]
    out += [str(o) for box in at.selectbox for o in box.options]
    for frame in at.dataframe:
        out += [str(v) for v in frame.value.astype(str).to_numpy().ravel()]
    return out


def test_every_page_names_a_version_the_same_way(seeded: Seeded) -> None:
    ids = {arn: arn.rsplit("/", 1)[1] for arn in (seeded.up_v1, seeded.up_v2)}
    at = app_at("dashboard/pages/overview.py")
    pages = {"Overview": _texts(at)}
    at.switch_page("dashboard/pages/solutions.py").run()
    pages["Solutions & metrics"] = _texts(at)
    at.switch_page("dashboard/pages/operations.py").run()
    at.selectbox(key="deploy_campaign").set_value(seeded.up_campaign).run()
    pages["Operations"] = _texts(at)
    at.switch_page("dashboard/pages/recommendations.py").run()
    at.radio(key="rec_mode").set_value("A version without a campaign").run()
    pages["Recommendations"] = _texts(at)
    assert not at.exception, [e.value for e in at.exception]
    for page, texts in pages.items():
        text = "\n".join(texts)
        for version_id in ids.values():
            label = f"shop-up/{version_id}"
            assert label in text, f"{page} does not name {label}"
            # the ID alone, without its solution, is a name the other pages do not use
            bare = re.findall(rf"(?<!shop-up/){version_id}", text)
            assert not bare, f"{page} names {version_id} without its solution"
