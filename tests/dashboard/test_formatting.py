"""Formatting helpers, checked against values worked out by hand."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboard.components.formatting import billed_hours, relative_time, short_id, status_name
from services.i18n import use_language
from services.i18n.formats import duration
from services.personalize.statuses import IN_FLIGHT
from services.pipeline.runs.run_values import RUN_OUTCOMES, RUNNING, STEP_OUTCOMES

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_relative_time_units() -> None:
    assert relative_time(NOW - timedelta(seconds=30), NOW) == "30 s ago"
    assert relative_time(NOW - timedelta(minutes=90), NOW) == "1 h 30 min ago"
    assert relative_time(NOW - timedelta(hours=3, minutes=5), NOW) == "3 h 5 min ago"
    # whole seconds in a relative time: 3.7 s ago reads 3 s, not 3.7 s
    assert relative_time(NOW - timedelta(seconds=3.7), NOW) == "3 s ago"
    assert relative_time(NOW - timedelta(days=3), NOW) == "3 d ago"
    assert relative_time(NOW + timedelta(minutes=5), NOW) == "in 5 min"
    assert relative_time(NOW, NOW) == "just now"
    assert relative_time(None, NOW) == "—"


def test_duration_reads_its_two_largest_units() -> None:
    # a trial's training times read "1 min" for 53 s and for 100 s
    assert duration(timedelta(seconds=53)) == "53 s"
    assert duration(timedelta(seconds=100)) == "1 min 40 s"  # 60 + 40
    assert duration(2 * 3600 + 5 * 60) == "2 h 5 min"
    assert duration(2 * 3600 + 5 * 60 + 50) == "2 h 5 min"  # below the second unit: dropped
    assert duration(3 * 86400 + 4 * 3600 + 59 * 60) == "3 d 4 h"
    # a zero second unit is left out
    assert duration(timedelta(seconds=60)) == "1 min"
    assert duration(timedelta(hours=47)) == "1 d 23 h"
    assert duration(timedelta(hours=48)) == "2 d"
    # whole seconds from 10 s on, rounded half up; 59.6 s is a minute
    assert duration(12.5) == "13 s"
    assert duration(59.6) == "1 min"
    assert duration(-53) == "53 s"  # a span's size


def test_duration_keeps_small_values_readable() -> None:
    assert duration(timedelta(milliseconds=400)) == "0.4 s"
    assert duration(timedelta(milliseconds=20)) == "< 0.1 s"
    assert duration(9.94) == "9.9 s"
    assert duration(3) == "3 s"  # tenths only where there are any
    assert duration(0) == "0 s"


def test_short_id() -> None:
    assert short_id("arn:aws:personalize:us-east-1:000000000000:campaign/shop-recs") == "shop-recs"
    assert short_id(None) == "—"


def test_billed_hours_keep_small_values_readable() -> None:
    assert billed_hours(0.0004) == "1.4 s"  # 0.0004 h × 3600 = 1.44 s
    assert billed_hours(0.25) == "15 min"
    assert billed_hours(2.5) == "2.50 h"


def test_online_series_are_named_for_people() -> None:
    from dashboard.components.solutions.online_metrics import source_label

    campaign = "arn:aws:personalize:us-east-1:000000000000:campaign/shop-campaign"
    version = "arn:aws:personalize:us-east-1:000000000000:solution/shop/1a2b3c4d"
    assert source_label("SOURCE_NAME_UNDEFINED", None) == "events without a recommendation ID"
    assert source_label(campaign, version) == "shop-campaign · shop/1a2b3c4d"


def _versions_frame(n: int, **columns: object) -> Any:
    """``n`` versions of one solution on precision_at_10 (``metrics_frame``'s long format),
    with ``columns`` added or replaced."""
    import pandas as pd

    return pd.DataFrame(
        {
            "metric": "precision_at_10",
            "baseline": False,
            "solution": "s",
            "created": range(n),
            "recipe": "aws-user-personalization",
            "label": [f"s/{i:08x}" for i in range(n)],
            "version_arn": [f"arn/{i}" for i in range(n)],
            "value": 0.1,
            **columns,
        }
    )


def test_many_version_ids_are_slanted_so_they_do_not_overlap() -> None:
    from dashboard.components.solutions.metrics_chart import metric_figure

    assert metric_figure(_versions_frame(6), "precision_at_10").layout.xaxis.tickangle == 0
    assert metric_figure(_versions_frame(13), "precision_at_10").layout.xaxis.tickangle == -60


def test_metrics_table_marks_the_best_and_shows_a_dash_for_no_value() -> None:
    from dashboard.components.solutions.metrics_data import metrics_table
    from services.evaluation.version_data import TrainingEnd, VersionData
    from services.personalize.models import Solution, SolutionVersion
    from services.workspace.version_campaigns import VersionInfo

    sol = "arn:aws:personalize:us-east-1:000000000000:solution/s"
    solution = Solution(arn=sol, name="s", status="ACTIVE")
    infos = [
        VersionInfo(solution, SolutionVersion(arn=f"{sol}/1", status="ACTIVE"), ("c",)),
        VersionInfo(solution, SolutionVersion(arn=f"{sol}/2", status="ACTIVE"), ()),
    ]
    metrics = {
        # no user with truth: NaN (in the engine) or the key left out (on the wire)
        f"{sol}/1": {"precision_at_10": 0.25, "coverage": float("nan")},
        f"{sol}/2": {"precision_at_10": 0.125},
    }
    cut = TrainingEnd("time_budget", epochs_run=3, epochs=100, max_seconds=10.0, seconds=12.4)
    data = {f"{sol}/1": VersionData(6, 5, None, None, 1800, cut)}
    table = metrics_table(infos, metrics, ["precision_at_10", "coverage"], data, str)
    rows = table.set_index("version")
    assert rows.loc["s/1"].to_dict() == {
        "recipe": "AutoML",
        "deployed in": "c",
        "test users scored": "6",
        "with truth": "5",
        "training data (UTC)": "–",
        "training stopped": "time budget 10 s (took 12 s), epoch 3 of 100",
        "precision_at_10": "0.2500 ★",
        "coverage": "–",
    }
    assert rows.loc["s/2", "precision_at_10"] == "0.1250"
    assert rows.loc["s/2", "coverage"] == "–"
    assert rows.loc["s/2", "test users scored"] == "–"  # no record of it
    assert rows.loc["s/2", "training stopped"] == "–"


def test_deltas_show_a_dash_where_a_side_has_no_value() -> None:
    from dashboard.components.solutions.metrics_chart import deltas_frame

    chosen = {"normalized_discounted_cumulative_gain_at_10": 0.3, "coverage": 0.5}
    reference = {
        "normalized_discounted_cumulative_gain_at_10": 0.2,
        "precision_at_10": 0.1,
        "coverage": float("nan"),  # no truth: no value, not 0
    }
    rows = deltas_frame(chosen, reference, ("a", "b")).to_dict("records")
    # 0.3 − 0.2 = +0.1, which is +50 % of 0.2; every other row lacks one side
    assert rows == [
        {"metric": "NDCG@10", "a": "0.3000", "b": "0.2000", "Δ": "+0.1000", "Δ %": "+50.0%"},
        {"metric": "Precision@10", "a": "–", "b": "0.1000", "Δ": "–", "Δ %": "–"},
        {"metric": "Coverage", "a": "0.5000", "b": "–", "Δ": "–", "Δ %": "–"},
    ]


def test_metric_chart_keeps_recipe_colours_and_shows_names_as_text() -> None:
    import pandas as pd

    from dashboard.components.solutions.metrics_chart import metric_figure, recipe_colour

    def frame(recipes: list[str], solution: str = "s") -> pd.DataFrame:
        return pd.DataFrame(
            {
                "metric": "precision_at_10",
                "baseline": False,
                "solution": solution,
                "created": range(len(recipes)),
                "recipe": recipes,
                # an all-digit version ID must stay a name (a category), not become a number
                "label": [f"s/{i:08d}" for i in range(len(recipes))],
                "version_arn": [f"arn/{i}" for i in range(len(recipes))],
                "value": 0.1,
            }
        )

    def colours(fig: object) -> dict[str, str]:
        return {t.name: t.marker.color for t in fig.data}  # type: ignore[attr-defined]

    alone = colours(metric_figure(frame(["aws-user-personalization-v2"]), "precision_at_10"))
    both = colours(
        metric_figure(frame(["aws-sims", "aws-user-personalization-v2"]), "precision_at_10")
    )
    # a recipe keeps its colour whichever others are on the page, and two differ
    assert alone["aws-user-personalization-v2"] == both["aws-user-personalization-v2"]
    assert both["aws-sims"] != both["aws-user-personalization-v2"]
    assert recipe_colour("my-own-recipe") == recipe_colour("my-own-recipe")

    fig = metric_figure(frame(["aws-sims"], solution="<a href='x'>s</a>"), "precision_at_10")
    assert fig.layout.xaxis.type == "category"
    assert list(fig.data[0].x) == ["00000000"]
    assert fig.data[0].customdata[0][1] == "&lt;a href='x'&gt;s&lt;/a&gt;"
    assert fig.data[0].customdata[0][0] == "arn/0"  # the raw ARN, never drawn raw


def test_relative_changes_are_shares_as_the_locale_writes_them() -> None:
    """The "Δ %" column writes a change like every other share on the pages ("+49.6%", as
    Babel writes a percentage in English and Korean), signed like "Δ", unsigned at zero."""
    from dashboard.components.solutions.metrics_chart import deltas_frame
    from services.i18n import use_language

    chosen = {"precision_at_5": 0.1665, "precision_at_10": 0.097, "coverage": 0.10001}
    reference = {"precision_at_5": 0.1113, "precision_at_10": 0.1, "coverage": 0.1}
    for language in ("en", "ko"):
        use_language(language)
        try:
            rows = deltas_frame(chosen, reference, ("a", "b"))
        finally:
            use_language("en")
        # 0.0552 / 0.1113 = 49.60 %; −0.003 / 0.1 = −3.0 %; 0.00001 / 0.1 = 0.01 % → 0.0 %
        assert rows["Δ %"].tolist() == ["+49.6%", "-3.0%", "0.0%"], language
        # Δ by hand: 0.1665 − 0.1113 = +0.0552; 0.097 − 0.1 = −0.0030; 0.00001 rounds to
        # 0.0000, a change of nothing, written without a sign
        assert rows["Δ"].tolist() == ["+0.0552", "-0.0030", "0.0000"], language


def test_a_metric_change_is_signed_unless_it_rounds_to_nothing() -> None:
    from services.i18n import formats

    assert formats.metric_change(0.0552) == "+0.0552"
    assert formats.metric_change(-0.003) == "-0.0030"
    assert formats.metric_change(0.00004) == "0.0000"  # rounds to nothing: no sign
    assert formats.metric_change(-0.00004) == "0.0000"  # never "-0.0000"
    assert formats.metric_change(0.0) == "0.0000"
    assert formats.metric_change(None) == "–"


def test_the_metrics_table_columns_carry_their_help_in_the_page_language() -> None:
    """Each help is keyed by its column's header as the table writes it, in either language,
    with the test users' share filled in."""
    from dashboard.components.formatting import help_columns
    from dashboard.components.solutions.metrics_data import METRICS_HELP
    from services.i18n import use_language

    use_language("ko")
    try:
        columns = help_columns(METRICS_HELP, share="10%")
    finally:
        use_language("en")
    assert columns["학습 데이터 (UTC)"]["help"] == "버전이 학습한 가장 오래된 → 가장 최근 상호작용"
    assert "10%" in str(columns["평가한 테스트 사용자"]["help"])
    columns = help_columns(METRICS_HELP, share="10%")
    assert sorted(columns) == [
        "test users scored",
        "training data (UTC)",
        "training stopped",
        "with truth",
    ]
    assert columns["test users scored"]["help"] == (
        "Test users (10% of users) the version's top 25 was scored for"
    )


def test_a_recipe_first_seen_after_the_first_row_gets_a_legend() -> None:
    import pandas as pd

    from dashboard.components.solutions.metrics_chart import charts_with_legend

    up, pop, affinity = "aws-user-personalization", "aws-popularity-count", "aws-item-affinity"
    rows = [(key, recipe) for key in ("n5", "n10", "n25", "p5") for recipe in (up, pop)]
    # item-affinity reports only its segment metrics, on the grid's third and fourth rows
    rows += [("recall", affinity), ("hits", affinity)]
    frame = pd.DataFrame(rows, columns=["metric", "recipe"])
    keys = ["n5", "n10", "n25", "p5", "recall", "hits"]
    # the first row's three legends name up and pop; recall is the first chart with
    # item-affinity's colour, hits shows it again
    assert charts_with_legend(frame, keys, per_row=3) == {"n5", "n10", "n25", "recall"}


def _metric_pair() -> None:
    from dashboard.components.solutions.metrics_chart import show_deltas

    chosen = {"precision_at_10": 0.2004, "coverage": 0.21}
    reference = {"precision_at_10": 0.2, "coverage": 0.2}
    show_deltas(chosen, reference, "deployed", ("a", "b"))


def test_a_zero_change_is_drawn_without_an_arrow_or_colour() -> None:
    """As the browser gets it: st.metric's direction and colour for a change that rounds to
    0% (0.2004 vs 0.2000, +0.2 %) are none and grey; +5 % is up and green."""
    from streamlit.proto.Metric_pb2 import Metric
    from streamlit.testing.v1 import AppTest

    from tests.dashboard.rendered import shown

    def enum(field: str, name: str) -> int:
        return int(Metric.DESCRIPTOR.fields_by_name[field].enum_type.values_by_name[name].number)

    at = AppTest.from_function(_metric_pair).run()
    assert not at.exception, [e.value for e in at.exception]
    by_label = {shown(m.label): m.proto for m in at.metric}
    coverage, precision = by_label["Coverage"], by_label["Precision@10"]
    assert precision.delta == "0% vs deployed"
    assert precision.direction == enum("direction", "NONE")
    assert precision.color == enum("color", "GRAY")
    assert coverage.delta == "+5% vs deployed"
    assert coverage.direction == enum("direction", "UP")
    assert coverage.color == enum("color", "GREEN")


def test_marks_of_neighbouring_best_and_deployed_bars_cannot_overlap() -> None:
    """Trial s12: where two neighbouring bars were both marked, "best" and "best · deployed"
    printed over each other. Each mark must fit its own bar's slot: a chart a third of the page
    wide has about 300 px of plot for its bars, so a slot is 300 / bars px wide; a label of n
    characters at size s px is at most n × s px wide (a generous bound: Latin letters are about
    0.6 s, Hangul s). The words stay in the hover, in the page's language."""
    from dashboard.components.solutions.metrics_chart import metric_figure
    from services.i18n import use_language

    n = 13  # enough versions for the slanted axis, the narrowest slots
    frame = _versions_frame(
        n,
        best=[i in (3, 4) for i in range(n)],  # neighbours, both marked
        deployed=[i == 4 for i in range(n)],
    )
    slot = 300 / n
    for language, words in (("en", ("best", "best · deployed")), ("ko", ("최고", "최고 · 배포됨"))):
        use_language(language)
        try:
            trace = metric_figure(frame, "precision_at_10").data[0]
        finally:
            use_language("en")
        size = trace.textfont.size
        assert trace.textposition == "outside" and trace.textangle in (0, None)
        for i, text in enumerate(trace.text):
            assert len(text) * size < slot, (language, i, text)
        assert [trace.text[3], trace.text[4]] == ["★", "★"]
        assert [trace.customdata[3][3], trace.customdata[4][3]] == list(words)
        assert trace.marker.line.width[4] > 0 and trace.marker.line.width[3] == 0
        assert "%{customdata[3]}" in trace.hovertemplate


def test_every_status_reads_with_its_meaning_in_korean() -> None:
    """Running work and the Overview name statuses through ``status_name`` (trial s13b saw
    "CREATE PENDING" and "FAILED" bare in Korean mode): every moving Personalize status and
    every refresh outcome keeps the API's word and adds Korean; English keeps the word."""
    statuses = {*IN_FLIGHT, "ACTIVE", "CREATE FAILED", RUNNING, *RUN_OUTCOMES, *STEP_OUTCOMES}
    assert {s: status_name(s) for s in statuses} == {s: s for s in statuses}
    use_language("ko")
    try:
        named = {s: status_name(s) for s in statuses}
        step = status_name("training shop-up (2 of 4)")  # a refresh's step: no status
    finally:
        use_language("en")
    for status, text in named.items():
        assert re.fullmatch(rf"{re.escape(status)} \([가-힣 ]+\)", text), text
    assert named["CREATE PENDING"] == "CREATE PENDING (생성 대기 중)"
    assert named["FAILED"] == "FAILED (실패)"
    assert step == "training shop-up (2 of 4)"
    assert status_name(None) == "UNKNOWN"
