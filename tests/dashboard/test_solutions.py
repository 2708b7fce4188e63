"""Solutions & metrics: charts carry GetSolutionMetrics' numbers, the baseline is marked."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from dashboard.components.widget_scope import scoped
from services.config import Settings
from services.i18n import use_language
from services.local.engine import get_engine
from services.local.models.training import EVALUATION
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.personalize.models import short_arn
from services.store.tables import Store
from services.workspace.metric_names import metric_label
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown
from tests.local.workspace import START


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


# The metric charts' titles (metric_label's families); the online chart's starts "Attributed".
METRIC_TITLES = ("NDCG@", "Precision@", "MRR@", "Coverage", "Recall@", "Hits@")


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

    at = app_at("dashboard/pages/solutions.py")
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
    at = app_at("dashboard/pages/solutions.py")
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
    at = app_at("dashboard/pages/solutions.py")
    tiles = metric_tiles(at, new)
    assert tiles  # the largest changes (test_metric_tiles.py checks which)
    for key, tile in tiles.items():
        assert tile.value == f"{new[key]:.4f}"
        change = round((new[key] - deployed[key]) / deployed[key] * 100)
        assert tile.proto.delta == (f"{change:+d}%" if change else "0%") + " vs deployed"

    # Swap the pair: the deltas turn around.
    at.selectbox(key=scoped("cmp_a", seeded.group)).set_value(seeded.pop_version).run()
    assert not at.exception
    pop = facade.get_solution_metrics(seeded.pop_version)
    tiles = metric_tiles(at, pop)
    assert tiles
    for key, tile in tiles.items():
        assert tile.value == f"{pop[key]:.4f}"


def metric_tiles(at: Any, metrics: dict[str, float]) -> dict[str, Any]:
    """The side-by-side tiles (st.metric) by the metric key each shows, of ``metrics``' keys."""
    by_label = {metric_label(key): key for key in metrics}
    return {by_label[shown(m.label)]: m for m in at.metric if shown(m.label) in by_label}


def test_versions_table_and_snapshots(seeded: Seeded, facade: PersonalizeService) -> None:
    at = app_at("dashboard/pages/solutions.py")
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


def metrics_rows(at: Any) -> Any:
    """The offline-metrics table (the one with the scored-user column), by version label."""
    table = next(d.value for d in at.dataframe if "test users scored" in d.value.columns)
    return table.set_index("version")


def label(arn: str) -> str:
    """shop-up/1a2b3c4d, as VersionInfo.label writes it."""
    solution, version = arn.rsplit("/", 2)[-2:]
    return f"{solution}/{version}"


def test_metrics_table_shows_scored_users_and_training_data(seeded: Seeded) -> None:
    at = app_at("dashboard/pages/solutions.py")
    assert not at.exception, [e.value for e in at.exception]
    rows = metrics_rows(at)
    # workspace.py: 60 users with 30 views each. 10 % of 60 users = 6 test users, each with
    # 30 events: 3 held out, so all 6 have truth. Timestamps START + u·1000 + k·10: the bulk
    # data runs from START (u0, k0) to START + 59·1000 + 29·10 = START + 59,290.
    bulk = f"{_utc(START)} → {_utc(START + 59_290)}"
    for arn in (seeded.up_v1, seeded.pop_version):
        row = rows.loc[label(arn)]
        assert (row["test users scored"], row["with truth"]) == ("6", "6")
        assert row["training data (UTC)"] == bulk
    # v2 also trained on the 60 events streamed at seeding time (today), after the bulk data
    v2 = rows.loc[label(seeded.up_v2)]
    assert v2["training data (UTC)"].startswith(f"{_utc(START)} → ")
    assert v2["training data (UTC)"] > bulk
    caption = " ".join(c.value for c in at.caption)
    assert "newest 10% of interactions" in caption and "at most 5,000 test users" in caption


def _utc(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M")


def test_best_and_deployed_versions_are_marked_in_table_and_charts(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    expected = active_metrics(facade, seeded.group)
    deployed = {
        seeded.up_v1,
        seeded.pop_version,
        facade.describe_campaign(seeded.sims_campaign).solution_version_arn,
    }
    at = app_at("dashboard/pages/solutions.py")
    rows = metrics_rows(at)
    specs = charts(at)
    # comparable versions only (trial s11, F10): the seeded SIMS version answers related items,
    # the only one of its kind, so it is never "best"; every other version recommends for a
    # user (User-Personalization v1/v2 and the Popularity-Count baseline), best among those
    sims = facade.describe_campaign(seeded.sims_campaign).solution_version_arn
    users = {arn: m for arn, m in expected.items() if arn != sims}
    assert len(users) >= 3 and sims in expected
    for key in set().union(*(m.keys() for m in expected.values())):
        top = max((m[key] for m in users.values() if key in m), default=None)
        best = {arn for arn, m in users.items() if m.get(key) == top}
        if sum(key in m for m in users.values()) < 2:
            best = set()
        column = metric_label(key)
        for arn in expected:
            cell = rows.loc[label(arn), column]
            assert cell == f"{expected[arn][key]:.4f}" + (" ★" if arn in best else ""), key
        spec = next(s for s in specs if s["layout"]["title"]["text"] == column)
        for trace in spec["data"]:
            widths = trace["marker"]["line"]["width"]
            for (arn, *_, words), text, width in zip(
                trace["customdata"], trace["text"], widths, strict=True
            ):
                # ★ above the best bar, the deployed outlined; the hover says both in words
                assert (text == "★") == ("best" in words) == (arn in best), (key, arn)
                assert ("deployed" in words) == (arn in deployed) == (width > 0), (key, arn)
    assert rows.loc[label(seeded.up_v1), "deployed in"] == "shop-campaign"
    assert rows.loc[label(seeded.up_v2), "deployed in"] == ""
    captions = " ".join(c.value for c in at.caption)
    assert "among versions whose recipes answer the same request" in captions, captions


def test_every_colour_on_a_metric_chart_is_in_a_legend_or_the_caption(seeded: Seeded) -> None:
    # A trial found the deployed version's dark outline explained nowhere. The seeded group's
    # shop-campaign serves up v1, so its bars are outlined; popularity is the grey baseline.
    at = app_at("dashboard/pages/solutions.py")
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(shown(c.value) for c in at.caption)
    named: set[str] = set()  # recipes a legend so far has named
    outlined = 0
    for spec in charts(at):
        if not spec["layout"]["title"]["text"].startswith(tuple(METRIC_TITLES)):
            continue  # the online chart: one line per campaign, its legend always shown
        if spec["layout"].get("showlegend"):
            named |= {trace["name"] for trace in spec["data"]}
        for trace in spec["data"]:
            if trace["marker"]["color"] == "#9e9e9e":  # the baseline's grey, hatched
                assert "Grey, hatched: the popularity-count baseline" in captions
            else:
                assert trace["name"] in named, (spec["layout"]["title"]["text"], trace["name"])
            if any(width > 0 for width in trace["marker"]["line"]["width"]):
                outlined += 1
                assert "Dark outline: a version a campaign serves" in captions
        for shape in spec["layout"].get("shapes", []):
            assert shape["line"]["dash"] == "dash"
            assert "its newest value the dashed line" in captions
    assert outlined > 0
    at.segmented_control(key="language_switch").set_value("ko").run()
    korean = " ".join(shown(c.value) for c in at.caption)
    assert "진한 테두리" in korean and "회색 빗금" in korean, korean


def test_side_by_side_warns_when_versions_saw_different_data(seeded: Seeded) -> None:
    at = app_at("dashboard/pages/solutions.py")
    # default pair: v2 (trained after 12 sessions × 5 streamed views) vs the deployed v1;
    # 60 users × 30 bulk views = 1,800 interactions, + 60 streamed = 1,860
    (warning,) = [w for w in at.warning if "different data" in shown(w.value)]
    assert "1,860 vs 1,800 interactions" in shown(warning.value)
    # each version was scored on 6 test users (10% of 60): too few to tell them apart
    (few,) = [shown(w.value) for w in at.warning if w is not warning]
    assert few.startswith("Too few test users to compare: scored on 6 vs 6 test users")
    # the popularity version trained on the same bulk data as v1: nothing to warn about
    at.selectbox(key=scoped("cmp_a", seeded.group)).set_value(seeded.pop_version).run()
    assert not at.exception
    assert [shown(w.value)[:30] for w in at.warning] == ["Too few test users to compare:"]


def test_a_version_scored_before_the_engine_kept_records_is_not_compared_silently(
    seeded: Seeded,
) -> None:
    # a version trained by an older engine: metrics, but no record of its data
    engine = get_engine(Settings.from_env())
    with engine.tx() as res:
        doc = res.find(seeded.up_v1)
        assert doc is not None
        del doc[EVALUATION]
        res.save(seeded.up_v1, doc)
    at = app_at("dashboard/pages/solutions.py")
    assert not at.exception, [e.value for e in at.exception]
    row = metrics_rows(at).loc[label(seeded.up_v1)]
    assert (row["test users scored"], row["training data (UTC)"]) == ("–", "–")
    # the default pair: v2 vs the deployed v1 (the other warning: v2's 6 test users)
    (warning,) = [w for w in at.warning if "different data" in shown(w.value)]
    assert f"{label(seeded.up_v1)} scored by an older engine" in shown(warning.value)
    assert "retrain to compare" in shown(warning.value)


def _cut_v2_short(seeded: Seeded) -> None:
    """The engine's record of a v2 model that its max_training_seconds stopped at epoch 12."""
    engine = get_engine(Settings.from_env())
    with engine.tx() as res:
        doc = res.find(seeded.up_v2)
        assert doc is not None
        doc["_trainingReport"] = {
            "epochs": 100,
            "epochs_run": 12,
            "best_epoch": 12,
            "stopped": "time_budget",
            "max_training_seconds": 60.0,
            "seconds": 61.7,
        }
        res.save(seeded.up_v2, doc)


def _in_order(node: Any) -> list[Any]:
    """The page's elements in the order they are drawn."""
    children = getattr(node, "children", None) or {}
    return [node, *(n for k in sorted(children) for n in _in_order(children[k]))]


def _cut_short_notes(at: Any) -> list[str]:
    return [shown(i.value) for i in at.info if "stopped at its time budget" in shown(i.value)]


def test_a_version_cut_by_its_time_budget_says_so_next_to_its_metrics(seeded: Seeded) -> None:
    _cut_v2_short(seeded)
    at = app_at("dashboard/pages/solutions.py")
    assert not at.exception, [e.value for e in at.exception]
    rows = metrics_rows(at)
    cell = rows.loc[label(seeded.up_v2), "training stopped"]
    assert cell == "time budget 1 min (took 1 min 2 s), epoch 12 of 100"  # 61.7 s
    # v1 and the others do not train for epochs: nothing to say
    assert rows.loc[label(seeded.up_v1), "training stopped"] == "–"
    # above the table, and again beside the side-by-side comparison (trial s12), whose default
    # pair is v2 against the deployed v1
    notes = _cut_short_notes(at)
    assert (
        notes
        == [
            f"{label(seeded.up_v2)} stopped at its time budget (max_training_seconds) while still "
            "training: its metrics are those of a model cut short."
        ]
        * 2
    )
    order = [shown(v) for n in _in_order(at.main) if isinstance(v := getattr(n, "value", 0), str)]
    side = order.index("Side by side")
    assert sum(v in notes for v in order[side:]) == 1, order[side:]


def test_a_cut_short_version_says_so_where_it_is_deployed_or_its_lists_shown(
    seeded: Seeded,
) -> None:
    from tests.dashboard.test_recommendations import KNOWN, preview, typed

    _cut_v2_short(seeded)
    v2 = f"shop-up/{short_arn(seeded.up_v2)}"
    # Recommendations: v2's lists from a batch preview, in Korean as well
    for language, note in (
        (
            "en",
            f"{v2} stopped at its time budget (max_training_seconds) while still training: "
            "these lists come from a model cut short.",
        ),
        (
            "ko",
            f"{v2}: 아직 학습 중에 시간 예산(max_training_seconds)에 도달해 멈췄습니다. "
            "이 목록은 도중에 끊긴 모델이 낸 것입니다.",
        ),
    ):
        at = app_at()
        at.session_state["language"] = language
        if language == "ko":  # the view by its link (its radio shows Korean)
            at.query_params["tab"] = "version"
        at.switch_page("dashboard/pages/recommendations.py").run()
        # AppTest formats the widgets' values in the test's language when it reruns
        use_language(language)
        try:
            if language == "en":  # the Korean view keeps the users sampled by activity
                at = typed(at, KNOWN[:4])
                at.radio(key="rec_mode").set_value("A version without a campaign").run()
            version = next(o for o in at.selectbox(key="rec_v").options if v2 in o)
            at.selectbox(key="rec_v").set_value(version).run()
            preview(at)
        finally:
            use_language("en")
        assert not at.exception, [e.value for e in at.exception]
        assert note in [shown(i.value) for i in at.info], [shown(i.value) for i in at.info]
    # Operations' deploy panel: v2, the newest ACTIVE version, proposed for the campaign
    at = app_at("dashboard/pages/operations.py")
    at.selectbox(key="deploy_campaign").set_value(seeded.up_campaign).run()
    assert not at.exception, [e.value for e in at.exception]
    assert _cut_short_notes(at) == [
        f"{v2} stopped at its time budget (max_training_seconds) while still training: its "
        "metrics are those of a model cut short."
    ]


def test_a_click_on_a_version_row_compares_it_side_by_side(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    at = app_at("dashboard/pages/solutions.py")
    arns = list(at.dataframe[0].value["ARN"])
    at.session_state[scoped("solutions_versions", seeded.group)] = {
        "selection": {"rows": [arns.index(seeded.pop_version)], "columns": []}
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    box = at.selectbox(key=scoped("cmp_a", seeded.group))
    assert box.value == seeded.pop_version
    assert short_arn(seeded.pop_version) in box.format_func(box.value)
    pop = facade.get_solution_metrics(seeded.pop_version)
    tiles = metric_tiles(at, pop)
    assert tiles and all(t.value == f"{pop[k]:.4f}" for k, t in tiles.items())
    # the click stays a click: picking another version by hand afterwards is kept
    at.selectbox(key=scoped("cmp_a", seeded.group)).set_value(seeded.up_v2).run()
    new = facade.get_solution_metrics(seeded.up_v2)
    tiles = metric_tiles(at, new)
    assert tiles and all(t.value == f"{new[k]:.4f}" for k, t in tiles.items())


def test_metric_charts_follow_a_language_switch(seeded: Seeded) -> None:
    """The charts are kept between reruns; a switch of language still redraws their labels."""
    at = app_at("dashboard/pages/solutions.py")
    english = [spec["layout"]["title"]["text"] for spec in charts(at)]
    at.segmented_control(key="language_switch").set_value("ko").run()
    try:
        use_language("ko")
        korean = [spec["layout"]["title"]["text"] for spec in charts(at)]
        subtitle = charts(at)[0]["layout"]["title"]["subtitle"]["text"]
        assert not subtitle.startswith("baseline")  # "baseline 0.0123 (- - -)" in English
    finally:
        use_language("en")
    assert not at.exception, [e.value for e in at.exception]
    assert korean != english
    assert len(korean) == len(english)
