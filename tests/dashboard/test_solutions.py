"""Solutions & metrics: charts carry GetSolutionMetrics' numbers, the baseline is marked."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.config import Settings
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.personalize.models import short_arn
from services.store.tables import Store
from tests.dashboard.conftest import Seeded, app_at


@pytest.fixture
def facade(seeded: Seeded) -> PersonalizeService:
    """An independent facade on the same workspace (not the dashboard's cached one)."""
    return PersonalizeService(build_clients(Settings.from_env()))


def active_metrics(facade: PersonalizeService, group: str) -> dict[str, dict[str, float]]:
    """GetSolutionMetrics of every ACTIVE version of the group, by version ARN."""
    return {
        v.arn: facade.get_solution_metrics(v.arn)
        for s in facade.list_solutions(group)
        for v in facade.list_solution_versions(s.arn)
        if v.status == "ACTIVE"
    }


def charts(at: Any) -> list[dict[str, Any]]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def bars(spec: dict[str, Any]) -> dict[str, float]:
    """Version ARN → bar height, over every trace of one chart."""
    return {
        arn[0]: y
        for trace in spec["data"]
        if trace["type"] == "bar"
        for arn, y in zip(trace["customdata"], trace["y"], strict=True)
    }


def test_charts_show_the_metrics_get_solution_metrics_returns(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    expected = active_metrics(facade, seeded.group)
    assert len(expected) == 4  # up v1, up v2, popularity, similar items
    keys = set().union(*(m.keys() for m in expected.values()))

    at = app_at("pages/solutions.py")
    assert not at.exception, [e.value for e in at.exception]
    specs = charts(at)
    assert len(specs) == len(keys), "one chart per metric key"
    for key in keys:
        want = {arn: m[key] for arn, m in expected.items() if key in m}
        assert any(bars(spec) == pytest.approx(want) for spec in specs), key


def test_popularity_baseline_is_a_dashed_line_at_its_value(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    baseline = facade.get_solution_metrics(seeded.pop_version)
    at = app_at("pages/solutions.py")
    line_values = []
    for spec in charts(at):
        heights = bars(spec)
        lines = [s for s in spec["layout"]["shapes"] if s["line"].get("dash") == "dash"]
        assert [s["y0"] for s in lines] == [pytest.approx(heights[seeded.pop_version])]
        line_values.append(lines[0]["y0"])
        names = [t["name"] for t in spec["data"] if seeded.pop_version in str(t["customdata"])]
        assert names == ["aws-popularity-count (baseline)"]
    # One dashed line per metric key, each at the baseline's value for that key.
    assert sorted(line_values) == pytest.approx(sorted(baseline.values()))


def test_side_by_side_compares_newest_with_deployed(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    new = facade.get_solution_metrics(seeded.up_v2)
    deployed = facade.get_solution_metrics(seeded.up_v1)
    at = app_at("pages/solutions.py")
    ndcg = next(m for m in at.metric if m.label == "NDCG@10")
    key = "normalized_discounted_cumulative_gain_at_10"
    assert ndcg.value == f"{new[key]:.4f}"
    change = (new[key] - deployed[key]) / deployed[key] * 100
    assert ndcg.proto.delta == f"{change:+.0f}% vs deployed"

    # Swap the pair: the deltas turn around.
    labels = at.selectbox(key="cmp_a").options
    at.selectbox(key="cmp_a").set_value(
        next(i for i, o in enumerate(labels) if short_arn(seeded.pop_version) in o)
    ).run()
    assert not at.exception
    ndcg = next(m for m in at.metric if m.label == "NDCG@10")
    pop = facade.get_solution_metrics(seeded.pop_version)[key]
    assert ndcg.value == f"{pop:.4f}"


def test_versions_table_and_snapshots(seeded: Seeded, facade: PersonalizeService) -> None:
    at = app_at("pages/solutions.py")
    table = at.dataframe[0].value
    assert set(table["ARN"]) == {
        seeded.up_v1,
        seeded.up_v2,
        seeded.pop_version,
        facade.describe_campaign(seeded.sims_campaign).solution_version_arn,
    }
    row = table.set_index("ARN").loc[seeded.up_v1]
    assert (row["solution"], row["recipe"], row["status"], row["mode"]) == (
        "shop-up",
        "aws-user-personalization",
        "ACTIVE",
        "FULL",
    )
    assert row["deployed in"] == "shop-campaign"
    assert table.set_index("ARN").loc[seeded.up_v2, "deployed in"] == ""
    hours = facade.describe_solution_version(seeded.up_v1).training_hours
    assert hours is not None and hours < 1 / 60  # a local training takes seconds
    # shown in seconds, not as "0.000 h"
    assert row["billed training"] == (
        f"{hours * 3600:.1f} s" if hours * 3600 >= 0.05 else "< 0.1 s"
    )
    assert row["training time"].endswith(" s") and row["training time"] != "0 s"
    # Every ACTIVE version's metrics were snapshotted to the dashboard store.
    store = Store(Settings.from_env().dashboard_db_url)
    history = store.metric_history(seeded.up_v2)
    assert len(history) == 1
    assert dict(history[0].metrics) == pytest.approx(facade.get_solution_metrics(seeded.up_v2))
