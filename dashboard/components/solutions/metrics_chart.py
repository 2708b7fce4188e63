"""Offline-metric charts and side-by-side deltas (plotly), with the popularity baseline marked."""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.colors import qualitative

from dashboard.components.chart_style import cjk_font
from dashboard.components.solutions.metrics_data import BEST_MARK
from dashboard.components.text import chart_text, md_code, md_escape
from services.evaluation.version_data import VersionData, too_few_text, too_few_users
from services.i18n import N_, _, formats
from services.i18n.catalogue import current_language
from services.workspace.metric_names import metric_label, metric_sort_key
from services.workspace.recipe_capabilities import RECIPE_DATASETS

_BASELINE_COLOUR = "#9e9e9e"
# Without grey, which marks the baseline.
_PALETTE = tuple(c for c in qualitative.Dark24 if c.upper() not in {"#222A2A", "#778AAE"})
_RECIPE_ORDER = {recipe: i for i, recipe in enumerate(RECIPE_DATASETS)}


def recipe_colour(recipe: str) -> str:
    """The recipe's bar colour, the same on every chart and every visit: by the recipe's place
    in the recipe table, not by which recipes happen to be on the page (a new solution must
    not repaint the others). A recipe outside the table (AutoML, an account's own) gets a
    colour from its name."""
    index = _RECIPE_ORDER.get(recipe)
    if index is None:
        index = len(_RECIPE_ORDER) + zlib.crc32(recipe.encode())
    return _PALETTE[index % len(_PALETTE)]


def delta_text(new: float, old: float, vs: str) -> str | None:
    """'+12% vs deployed' (ASCII sign so st.metric colours it), '0% vs deployed' (no sign)
    for a change that rounds to nothing; None when old is zero."""
    if not old:
        return None
    return _("{change} vs {vs}").format(change=formats.change((new - old) / abs(old)), vs=vs)


def is_no_change(new: float, old: float) -> bool:
    """The change rounds to 0% (as ``delta_text`` writes it): st.metric shows it without an
    arrow or colour."""
    return bool(old) and formats.change((new - old) / abs(old)) == formats.share(0.0)


def _direction(new: float, old: float) -> int:
    """+1 a gain, -1 a loss, 0 no change as ``delta_text`` writes it (rounds to 0%, or no
    reference value to compare with)."""
    if not old or is_no_change(new, old):
        return 0
    return 1 if new > old else -1


def headline_keys(
    chosen: Mapping[str, float], reference: Mapping[str, float], keys: list[str], n: int
) -> list[str]:
    """The ``n`` metric keys (of ``keys``, all in both mappings) to show as tiles: those whose
    relative change is largest in size, with the largest loss among them whenever a metric
    fell and the largest gain whenever one rose (``n`` ≥ 2), so the tiles never show one
    direction of a comparison only; in ``keys``' order (``metric_sort_key``)."""
    if len(keys) <= n:
        return list(keys)
    direction = {k: _direction(chosen[k], reference[k]) for k in keys}
    size = {
        k: abs(chosen[k] - reference[k]) / abs(reference[k]) if reference[k] else 0.0 for k in keys
    }
    biggest = sorted(keys, key=lambda k: -size[k])
    picked = biggest[:n]
    for side in (-1, 1):
        missing = n >= 2 and not any(direction[k] == side for k in picked)
        other = next((k for k in biggest if direction[k] == side), None) if missing else None
        if other is not None:
            # out goes the smallest change of a direction that keeps another tile
            drop = next(
                k for k in reversed(picked) if sum(direction[j] == direction[k] for j in picked) > 1
            )
            picked[picked.index(drop)] = other
    return [k for k in keys if k in picked]


MAX_LEVEL_TICKS = 6
_DEPLOYED_OUTLINE = "#212121"
MARK_SIZE = 12  # px: the ★ above a bar, a single glyph about this wide


def bar_mark(best: bool) -> str:
    """The text above a version's bar: ★ (``BEST_MARK``, as in the metrics table) for the best
    version, or nothing. One glyph, narrower than any bar's slot, so the marks of neighbouring
    bars cannot run into each other as the words "best · deployed" did (trial s12); a deployed
    version is told by its outline, and both words are in the hover (``mark_words``)."""
    return BEST_MARK if best else ""


def mark_words(best: bool, deployed: bool) -> str:
    """What a bar's marks mean, in words: "best", "deployed", both, or nothing."""
    return " · ".join(_(w) for w, on in ((N_("best"), best), (N_("deployed"), deployed)) if on)


def metric_figure(frame: pd.DataFrame, key: str, legend: bool = True) -> go.Figure:
    """Bars per version on one metric key, one colour per recipe; the baseline dashed and grey;
    the best version of the key marked ★ above its bar and the deployed ones outlined (the
    hover says both in words).

    ``frame`` is ``metrics_data.metrics_frame`` (long format). Values are passed as lists so
    the figure JSON carries plain numbers.
    """
    data = frame[frame["metric"] == key].sort_values(["baseline", "solution", "created"])
    fig = go.Figure()
    recipes = list(dict.fromkeys(data["recipe"]))
    for recipe in recipes:
        part = data[data["recipe"] == recipe]
        baseline = bool(part["baseline"].iloc[0])
        deployed = [bool(d) for d in part.get("deployed", [False] * len(part))]
        best = [bool(b) for b in part.get("best", [False] * len(part))]
        fig.add_trace(
            go.Bar(
                # names come from the account (solution names are typed by people): plotly reads
                # HTML in labels, so they are escaped; the version ARN stays raw (tests and
                # links read it) and is never drawn
                name=chart_text(
                    _("{recipe} (baseline)").format(recipe=recipe) if baseline else recipe
                ),
                # the version ID alone fits under a bar of a third-width chart; the solution
                # is in the hover and the recipe in the legend
                x=[chart_text(str(v).rsplit("/", 1)[-1]) for v in part["label"]],
                y=[float(v) for v in part["value"]],
                customdata=[
                    [str(a), chart_text(s), chart_text(a), mark_words(b, d)]
                    for a, s, b, d in zip(
                        part["version_arn"], part["solution"], best, deployed, strict=True
                    )
                ],
                text=[bar_mark(b) for b in best],
                textposition="outside",
                textangle=0,
                # a narrow bar would shrink its mark to unreadable; marks may overhang instead
                textfont={"size": MARK_SIZE},
                constraintext="none",
                cliponaxis=False,
                marker={
                    "color": _BASELINE_COLOUR if baseline else recipe_colour(recipe),
                    "pattern": {"shape": "/"} if baseline else {},
                    "line": {
                        "color": _DEPLOYED_OUTLINE,
                        "width": [3 if d else 0 for d in deployed],
                    },
                },
                hovertemplate="%{customdata[1]} %{x}<br>%{y:.4f} %{customdata[3]}"
                + "<br>%{customdata[2]}<extra>"
                + chart_text(recipe)
                + "</extra>",
            )
        )
    base = data[data["baseline"]].sort_values("created")
    title: dict[str, object] = {"text": metric_label(key)}
    if not base.empty:
        value = float(base["value"].iloc[-1])  # the newest baseline version
        fig.add_hline(y=value, line_dash="dash", line_color=_BASELINE_COLOUR)
        # the value under the title, not on the line: there it ran into the bars' marks, since
        # the baseline's own bars stand right under the line
        title["subtitle"] = {
            "text": _("baseline {value}").format(value=f"{value:.4f}") + " (- - -)",
            "font": {"size": 10, "color": "#616161"},
        }
    # a third-width chart fits about 6 version IDs side by side; more are slanted, and then
    # the legend goes further down and the chart grows, so the two never overlap
    level = len(data) <= MAX_LEVEL_TICKS
    fig.update_layout(
        title=title,
        height=(320 if legend else 260) + (0 if level else 50),
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "top", "y": -0.15 if level else -0.4},
        # version IDs such as "00000123" are names, not numbers: a category axis keeps them
        # in order, one slot each; one bar per slot, so bars keep their width (no grouping)
        xaxis={
            "type": "category",
            "tickangle": 0 if level else -60,
            "tickfont": {"size": 10},
            "automargin": True,
        },
        barmode="relative",
        yaxis={"rangemode": "tozero", "automargin": True},
    )
    return cjk_font(fig)


@st.cache_resource(max_entries=200, show_spinner=False)
def _cached_figure(frame: pd.DataFrame, key: str, legend: bool, language: str) -> go.Figure:
    # Building a figure costs ~70 ms (plotly validates every property path), ten of them most
    # of a rerun of the Solutions page; the figure follows from its arguments alone (the
    # language picks the labels), so it is kept and only drawn again. A resource, not data:
    # unpickling a copy validates it all again, and st.plotly_chart only reads it (to_dict).
    del language  # part of the cache key only
    return metric_figure(frame, key, legend)


# What the charts' colours and marks mean besides the recipes' colours (which the legends name).
CHART_MARKS = N_(
    "Bar colours: one per recipe, the same on every chart, named in the legend under the "
    "first chart that shows the recipe. Grey, hatched: the popularity-count baseline, its "
    "newest value the dashed line. Dark outline: a version a campaign serves (deployed). ★ above "
    "a bar, as in the table: the best version on that metric among versions whose recipes "
    "answer the same request (a user's recommendations, popularity included; a "
    "ranking of a list the shop gives; items related to an item; users for an item), since "
    "only those can take each other's place; a version alone of its kind is not marked."
)


def charts_with_legend(frame: pd.DataFrame, keys: list[str], per_row: int = 3) -> set[str]:
    """The metric keys whose chart carries a legend: those of the first row, and any later one
    with a recipe no legend before it named (a segmenting recipe's Recall@1%, say, whose
    colour the first row's NDCG charts never show), so every bar colour is in a legend."""
    named: set[str] = set()
    shown = set()
    for i, key in enumerate(keys):
        recipes = set(frame.loc[frame["metric"] == key, "recipe"])
        if i < per_row or recipes - named:
            shown.add(key)
            named |= recipes
    return shown


def show_metric_charts(frame: pd.DataFrame, keys: list[str], per_row: int = 3) -> None:
    """One plotly chart per metric key, in a grid, under a caption that says what every colour
    and mark means; the legends are ``charts_with_legend``'s."""
    st.caption(_(CHART_MARKS))
    legends = charts_with_legend(frame, keys, per_row)
    for start in range(0, len(keys), per_row):
        columns = st.columns(per_row)
        for column, key in zip(columns, keys[start : start + per_row], strict=False):
            with column:
                figure = _cached_figure(frame, key, key in legends, current_language())
                st.plotly_chart(figure, key=f"metric_chart_{key}")


def deltas_frame(
    chosen: Mapping[str, float], reference: Mapping[str, float], names: tuple[str, str]
) -> pd.DataFrame:
    """Metric, both values, absolute and relative change, as text; keys of either side, in
    metric order. A value one side lacks (no truth to score against) is "–", and so is any
    change computed from it (and a change in % from 0)."""
    keys = sorted(set(chosen) | set(reference), key=metric_sort_key)
    rows = []
    for key in keys:
        a, b = _value(chosen.get(key)), _value(reference.get(key))
        change = a - b if a is not None and b is not None else None
        rows.append(
            {
                _("metric"): metric_label(key),
                names[0]: formats.metric(a),
                names[1]: formats.metric(b),
                "Δ": formats.metric_change(change),
                "Δ %": formats.change(change / abs(b) if change is not None and b else None, 1),
            }
        )
    return pd.DataFrame(rows)


def _value(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def show_deltas(
    chosen: Mapping[str, float],
    reference: Mapping[str, float],
    vs: str,
    names: tuple[str, str],
    headline: int = 4,
    data: tuple[VersionData | None, VersionData | None] = (None, None),
) -> None:
    """The metrics that changed most (``headline_keys``) as st.metric with '+12% vs
    deployed' or '-69% vs deployed' (a loss in red), then the full table. ``data``: what the
    two versions were scored on, when known; on too few test users (``too_few_users``) a
    caption says the difference cannot be told apart and no delta is coloured."""
    both = set(chosen) & set(reference)
    keys = sorted(
        (k for k in both if _value(chosen[k]) is not None and _value(reference[k]) is not None),
        key=metric_sort_key,
    )
    if not keys:
        st.info(_("No metrics to compare: metrics exist only for ACTIVE versions."))
        return
    undecided = too_few_users(*data)
    if undecided:
        st.warning(
            _(
                "Too few test users to compare: {why}. Neither version is shown to be better, "
                "so the deltas below are not coloured."
            ).format(why=md_escape(too_few_text(*data))),
            icon=":material/balance:",
        )
    shown = headline_keys(chosen, reference, keys, headline)
    if len(shown) < len(keys):
        st.caption(_("The largest changes, losses as well as gains; every metric is in the table."))
    for column, key in zip(st.columns(len(shown)), shown, strict=True):
        column.metric(  # label, delta and help are markdown; keys and names are data
            md_escape(metric_label(key)),
            f"{chosen[key]:.4f}",
            # only `vs` escaped: st.metric reads the delta's leading sign for its colour
            delta_text(chosen[key], reference[key], md_escape(vs)),
            delta_color="off"
            if undecided or is_no_change(chosen[key], reference[key])
            else "normal",
            delta_arrow="off" if is_no_change(chosen[key], reference[key]) else "auto",
            help=md_code(key)  # the API's key, to copy
            + md_escape(
                _(": {a} ({name_a}) vs {b} ({name_b})").format(
                    a=f"{chosen[key]:.6f}",
                    name_a=names[0],
                    b=f"{reference[key]:.6f}",
                    name_b=names[1],
                )
            ),
        )
    st.dataframe(deltas_frame(chosen, reference, names), hide_index=True)
